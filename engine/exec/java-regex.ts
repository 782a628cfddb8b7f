// Java regular expressions (java.util.regex, what Flink's REGEXP* functions use) as JS RegExps.
//
// Most syntax means the same in both; the differences are translated here, and constructs JS
// cannot express the same way are refused (the planner reports them at the pattern's place), so
// a pattern never silently matches differently:
// - `.` excludes every Java line terminator (\n \r \u0085 \u2028 \u2029); `$` and `\Z` also
//   match before one final line terminator; `\A` / `\z` are `^` / `$`.
// - `\s` is ASCII whitespace only; `\b` / `\B` see letters and digits of every script as word
//   characters (Java 17, the Flink 1.20 runtime), not only [A-Za-z0-9_].
// - `\p{Lower}`, `\p{Alpha}` ... are the ASCII POSIX classes; `\p{L}` / `\p{Lu}` are Unicode
//   categories in both. `\Q...\E` quotes. `\a`, `\e`, octal `\0nnn`, `\x{h...}` are translated.
// - Refused: embedded flags `(?i)`, atomic groups `(?>`, possessive quantifiers `*+`, nested
//   classes and intersections `[a[b]]`, `[a&&b]`, and `\h \v \R \X \G \c` and similar.
// Matching is by code points in both (the RegExp gets the `u` flag).

/** A pattern fintrans-sql does not run: the reason, for the planner's message. */
export class JavaRegexError extends Error {}

const LINE_TERMINATORS = '\\n\\r\\u0085\\u2028\\u2029';
const DOT = `[^${LINE_TERMINATORS}]`;
const END = `(?=(?:\\r\\n|[${LINE_TERMINATORS}])?$)`;
const SPACE_CHARS = ' \\t\\n\\x0B\\f\\r';
const WORD = '[\\p{L}\\p{Nd}_]';
const BOUNDARY = `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`;
const NOT_BOUNDARY = `(?:(?<=${WORD})(?=${WORD})|(?<!${WORD})(?!${WORD}))`;

/** Java's ASCII POSIX classes, as the inside of a JS character class. */
const POSIX: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Space: SPACE_CHARS,
  XDigit: '0-9a-fA-F',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
};

/** Characters JS (u mode) lets a backslash escape (`-` only inside a class); any other escaped symbol is written as itself. */
const JS_SYNTAX = new Set([...'^$\\.*+?()[]{}|/-']);

const HEX = /^[0-9a-fA-F]+$/;

/** Compiles a Java pattern to an equivalent RegExp; throws JavaRegexError when it cannot. */
export function compileJavaRegex(pattern: string, global = false): RegExp {
  const source = new Translator(pattern).translate();
  try {
    return new RegExp(source, global ? 'gu' : 'u');
  } catch (err) {
    throw new JavaRegexError(
      `invalid regular expression '${pattern}': ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`,
    );
  }
}

class Translator {
  private i = 0;
  private out = '';

  constructor(private readonly p: string) {}

  translate(): string {
    const p = this.p;
    while (this.i < p.length) {
      const c = p[this.i]!;
      if (c === '\\') this.escape(false);
      else if (c === '[') this.charClass();
      else if (c === '.') this.emit(DOT, 1);
      else if (c === '$') this.emit(END, 1);
      else if (c === '(') this.group();
      else if (c === '*' || c === '+' || c === '?') this.quantifier(1);
      else if (c === '{') this.braces();
      else if (c === ']' || c === '}') this.emit(`\\${c}`, 1);
      else this.emit(c, 1);
    }
    return this.out;
  }

  private fail(what: string): never {
    throw new JavaRegexError(`${what} in regular expression '${this.p}' is not supported`);
  }

  private emit(text: string, advance: number): void {
    this.out += text;
    this.i += advance;
  }

  /** `*`, `+`, `?` or a `{n,m}` of `len` characters, then its lazy `?`; possessive `+` is refused. */
  private quantifier(len: number): void {
    this.emit(this.p.slice(this.i, this.i + len), len);
    if (this.p[this.i] === '+') this.fail('a possessive quantifier');
    if (this.p[this.i] === '?') this.emit('?', 1);
  }

  private braces(): void {
    const m = /^\{\d+(?:,\d*)?\}/.exec(this.p.slice(this.i));
    if (!m)
      throw new JavaRegexError(
        `invalid regular expression '${this.p}': illegal repetition near index ${this.i}`,
      );
    this.quantifier(m[0].length);
  }

  private group(): void {
    const rest = this.p.slice(this.i);
    const m = /^\((?:\?(?::|=|!|<=|<!|<[A-Za-z][A-Za-z0-9]*>))?/.exec(rest)!;
    if (m[0] === '(' && rest[1] === '?')
      this.fail(
        rest.startsWith('(?>') ? 'an atomic group (?>...)' : 'an embedded flag or special group (?...)',
      );
    this.emit(m[0], m[0].length);
  }

  /** A backslash sequence at i; inside a class it yields class content. */
  private escape(inClass: boolean): void {
    const p = this.p;
    const c = p[this.i + 1];
    if (c === undefined)
      throw new JavaRegexError(`invalid regular expression '${p}': it ends with a backslash`);
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 't':
      case 'n':
      case 'r':
      case 'f':
        return this.emit(`\\${c}`, 2);
      case 's':
        return this.emit(inClass ? SPACE_CHARS : `[${SPACE_CHARS}]`, 2);
      case 'S':
        if (inClass) this.fail('\\S inside [...]');
        return this.emit(`[^${SPACE_CHARS}]`, 2);
      case 'a':
        return this.emit('\\x07', 2);
      case 'e':
        return this.emit('\\x1B', 2);
      case 'x':
        return this.hexEscape();
      case 'u': {
        const h = p.slice(this.i + 2, this.i + 6);
        if (h.length !== 4 || !HEX.test(h))
          throw new JavaRegexError(`invalid regular expression '${p}': illegal Unicode escape sequence`);
        return this.emit(`\\u${h}`, 6);
      }
      case '0':
        return this.octalEscape();
      case 'p':
      case 'P':
        return this.property(c === 'P', inClass);
      case 'Q':
        return this.quoted(inClass);
    }
    if (!inClass) {
      switch (c) {
        case 'b':
          return this.emit(BOUNDARY, 2);
        case 'B':
          return this.emit(NOT_BOUNDARY, 2);
        case 'A':
          return this.emit('^', 2);
        case 'z':
          return this.emit('$', 2);
        case 'Z':
          return this.emit(END, 2);
        case 'k': {
          const m = /^\\k<[A-Za-z][A-Za-z0-9]*>/.exec(p.slice(this.i));
          if (!m)
            throw new JavaRegexError(`invalid regular expression '${p}': \\k is not followed by <name>`);
          return this.emit(m[0], m[0].length);
        }
      }
      if (c >= '1' && c <= '9') return this.emit(`\\${c}`, 2);
    }
    if (/[A-Za-z0-9]/.test(c)) this.fail(`the escape \\${c}`);
    // An escaped symbol is that symbol.
    const cp = String.fromCodePoint(p.codePointAt(this.i + 1)!);
    this.emit(JS_SYNTAX.has(cp) && (inClass || cp !== '-') ? `\\${cp}` : cp, 1 + cp.length);
  }

  private hexEscape(): void {
    const p = this.p;
    if (p[this.i + 2] === '{') {
      const close = p.indexOf('}', this.i + 3);
      const h = close < 0 ? '' : p.slice(this.i + 3, close);
      if (!HEX.test(h) || parseInt(h, 16) > 0x10ffff)
        throw new JavaRegexError(`invalid regular expression '${p}': illegal hexadecimal escape sequence`);
      return this.emit(`\\u{${h}}`, close + 1 - this.i);
    }
    const h = p.slice(this.i + 2, this.i + 4);
    if (h.length !== 2 || !HEX.test(h))
      throw new JavaRegexError(`invalid regular expression '${p}': illegal hexadecimal escape sequence`);
    this.emit(`\\x${h}`, 4);
  }

  /** `\0n`, `\0nn`, `\0mnn` (m <= 3): Java's octal escapes. */
  private octalEscape(): void {
    const m = /^\\0([0-3][0-7]{2}|[0-7]{1,2})/.exec(this.p.slice(this.i));
    if (!m) throw new JavaRegexError(`invalid regular expression '${this.p}': illegal octal escape sequence`);
    this.emit(`\\u{${parseInt(m[1]!, 8).toString(16)}}`, m[0].length);
  }

  private property(negated: boolean, inClass: boolean): void {
    const m = /^\\[pP](?:\{([A-Za-z]+)\}|([A-Za-z]))/.exec(this.p.slice(this.i));
    if (!m) throw new JavaRegexError(`invalid regular expression '${this.p}': malformed \\p{...}`);
    const name = m[1] ?? m[2]!;
    const posix = POSIX[name];
    if (posix !== undefined) {
      if (negated && inClass) this.fail(`\\P{${name}} inside [...]`);
      return this.emit(inClass ? posix : `[${negated ? '^' : ''}${posix}]`, m[0].length);
    }
    if (/^[A-Z][a-z]?$/.test(name)) return this.emit(`\\${negated ? 'P' : 'p'}{${name}}`, m[0].length);
    this.fail(`the class \\p{${name}}`);
  }

  /** `\Q...\E`: everything between is literal text. */
  private quoted(inClass: boolean): void {
    const start = this.i + 2;
    const end = this.p.indexOf('\\E', start);
    const text = this.p.slice(start, end < 0 ? this.p.length : end);
    for (const ch of text) this.out += JS_SYNTAX.has(ch) || (inClass && ch === '^') ? `\\${ch}` : ch;
    this.i = end < 0 ? this.p.length : end + 2;
  }

  private charClass(): void {
    const p = this.p;
    this.emit('[', 1);
    if (p[this.i] === '^') this.emit('^', 1);
    if (p[this.i] === ']') this.fail('a class starting with ]');
    while (this.i < p.length && p[this.i] !== ']') {
      const c = p[this.i]!;
      if (c === '\\') this.escape(true);
      else if (c === '[') this.fail('a nested class [...[...]...]');
      else if (c === '&' && p[this.i + 1] === '&') this.fail('a class intersection &&');
      else this.emit(c, 1);
    }
    if (this.i >= p.length)
      throw new JavaRegexError(`invalid regular expression '${p}': unclosed character class`);
    this.emit(']', 1);
  }
}
