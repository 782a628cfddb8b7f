// A small tokenizer over a whole SQL file. It is used to split statements, to parse what
// node-sql-parser cannot (DDL, SET, window TVFs) and to find where names are written, so every
// token keeps its exact start/end offsets in the file.

import { SqlError, type SourcePos } from '../errors.js';

export type TokenKind =
  /** An unquoted name or keyword; `value` is the text as written. */
  | 'ident'
  /** A `back`-quoted name; `value` is the name without quotes, with `` unescaped. */
  | 'quoted-ident'
  /** A 'single-quoted' string; `value` is the content with '' unescaped. */
  | 'string'
  /** A "double-quoted" string or name; `value` is the content. */
  | 'dstring'
  | 'number'
  /** Operators and punctuation: ( ) , ; . = <> <= >= != || and single characters. */
  | 'op';

export interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  /** Offset of the first character in the file. */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
}

/** Converts file offsets to 1-based line/col (col counted in characters, not UTF-16 units). */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  pos(offset: number): SourcePos {
    const off = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    let col = 1;
    for (let k = this.lineStarts[lo]!; k < off; k++) {
      const c = this.text.charCodeAt(k);
      if (c < 0xdc00 || c > 0xdfff) col++; // a low surrogate completes a character already counted
    }
    return { file: this.file, line: lo + 1, col };
  }
}

const TWO_CHAR_OPS = new Set(['<>', '<=', '>=', '!=', '||', '::', '=>']);

function isIdentStart(ch: string): boolean {
  return /[\p{L}_]/u.test(ch);
}
function isIdentPart(ch: string): boolean {
  return /[\p{L}\p{N}_$]/u.test(ch);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Tokenizes the whole file, skipping whitespace and comments. */
export function tokenize(text: string, lines: LineIndex): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const ch = text[i]!;
    const c = text.charCodeAt(i);
    if (
      ch === ' ' ||
      ch === '\t' ||
      ch === '\n' ||
      ch === '\r' ||
      ch === '\f' ||
      ch === '\v' ||
      ch === '\uFEFF'
    ) {
      i++;
    } else if (ch === '-' && text[i + 1] === '-') {
      while (i < n && text[i] !== '\n') i++;
    } else if (ch === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) {
        throw new SqlError(
          lines.pos(i),
          'unterminated comment: /* is never closed',
          'close the comment with */',
        );
      }
      if (text[i + 2] === '+') throw unsupportedHint(text.slice(i + 3, close), lines.pos(i));
      i = close + 2;
    } else if (ch === "'" || ch === '`' || ch === '"') {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= n) {
          const what = ch === "'" ? 'string' : ch === '`' ? 'quoted name' : 'double-quoted text';
          // A missing quote makes the quotes after it pair up wrongly, so the quote left without a
          // partner is usually far from the mistake; the first string spanning lines is a better guess.
          const suspect =
            ch === "'" ? tokens.find((t) => t.kind === 'string' && t.value.includes('\n')) : undefined;
          if (suspect) {
            throw new SqlError(
              lines.pos(suspect.start),
              `unterminated string: this ' is probably never closed (the quotes after it pair up wrongly until the end of the file)`,
              `close the string with ' on the same line (write '' for a ' inside it)`,
            );
          }
          throw new SqlError(
            lines.pos(start),
            `unterminated ${what}: ${ch} is never closed`,
            `close it with ${ch} (write ${ch}${ch} for a ${ch} inside it)`,
          );
        }
        if (text[i] === ch) {
          if (text[i + 1] === ch) {
            value += ch;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      tokens.push({
        kind: ch === "'" ? 'string' : ch === '`' ? 'quoted-ident' : 'dstring',
        value,
        start,
        end: i,
      });
    } else if (isDigit(c) || (ch === '.' && isDigit(text.charCodeAt(i + 1)))) {
      const start = i;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      if (text[i] === '.') {
        i++;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
      }
      if (
        (text[i] === 'e' || text[i] === 'E') &&
        (isDigit(text.charCodeAt(i + 1)) ||
          ((text[i + 1] === '+' || text[i + 1] === '-') && isDigit(text.charCodeAt(i + 2))))
      ) {
        i += 2;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
      }
      tokens.push({ kind: 'number', value: text.slice(start, i), start, end: i });
    } else if (isIdentStart(ch)) {
      const start = i;
      i++;
      while (i < n && isIdentPart(text[i]!)) i++;
      tokens.push({ kind: 'ident', value: text.slice(start, i), start, end: i });
    } else {
      const two = text.slice(i, i + 2);
      const len = TWO_CHAR_OPS.has(two) ? 2 : c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      tokens.push({ kind: 'op', value: text.slice(i, i + len), start: i, end: i + len });
      i += len;
    }
  }
  return tokens;
}

/**
 * `/*+ NAME(...) *\/` is a Flink hint, not a comment; none has an effect here, so none may pass
 * silently as a comment.
 */
function unsupportedHint(body: string, pos: SourcePos): SqlError {
  const name = /^\s*([A-Za-z_]+)/.exec(body)?.[1]?.toUpperCase() ?? '';
  switch (name) {
    case 'OPTIONS':
      return new SqlError(
        pos,
        'table hints /*+ OPTIONS(...) */ are not supported',
        "put the options into the table's WITH (...) clause (declare a second table if the two uses differ)",
      );
    case 'STATE_TTL':
      return new SqlError(
        pos,
        "the /*+ STATE_TTL(...) */ hint is not supported: one state TTL holds for the whole job, set with SET 'table.exec.state.ttl' (regular joins, running GROUP BY, Top-N and deduplication)",
        "remove the hint and write e.g. SET 'table.exec.state.ttl' = '1 d'; before the INSERT",
      );
    default:
      return new SqlError(
        pos,
        `query hints /*+ ${name || '...'} */ are not supported`,
        'remove the hint (write /* ... */ without + for a comment)',
      );
  }
}

/** A name token: unquoted, `back-quoted` (or "double-quoted", which Flink users sometimes write). */
export function isName(t: Token | undefined): t is Token {
  return t !== undefined && (t.kind === 'ident' || t.kind === 'quoted-ident');
}

/** Whether `t` is the unquoted keyword `kw` (given upper-case). */
export function isKeyword(t: Token | undefined, kw: string): boolean {
  return t !== undefined && t.kind === 'ident' && t.value.toUpperCase() === kw;
}

export function isOp(t: Token | undefined, op: string): boolean {
  return t !== undefined && t.kind === 'op' && t.value === op;
}

/** How a token is shown in messages. */
export function tokenText(text: string, t: Token): string {
  return text.slice(t.start, t.end);
}

/**
 * A cursor over the tokens of one statement, with the error helpers the hand-written parsers
 * (SET, CREATE TABLE, window TVFs) share. `end` is the token index just past the statement.
 */
export class TokenCursor {
  constructor(
    readonly tokens: readonly Token[],
    public i: number,
    readonly end: number,
    readonly lines: LineIndex,
  ) {}

  get text(): string {
    return this.lines.text;
  }

  peek(ahead = 0): Token | undefined {
    const k = this.i + ahead;
    return k < this.end ? this.tokens[k] : undefined;
  }

  atEnd(): boolean {
    return this.i >= this.end;
  }

  next(): Token | undefined {
    const t = this.peek();
    if (t) this.i++;
    return t;
  }

  /** Consumes the keyword if it is next. */
  acceptKeyword(kw: string): Token | undefined {
    const t = this.peek();
    if (isKeyword(t, kw)) {
      this.i++;
      return t;
    }
    return undefined;
  }

  acceptOp(op: string): Token | undefined {
    const t = this.peek();
    if (isOp(t, op)) {
      this.i++;
      return t;
    }
    return undefined;
  }

  expectKeyword(kw: string, hint?: string): Token {
    const t = this.acceptKeyword(kw);
    if (!t) throw this.errorHere(`expected ${kw}`, hint);
    return t;
  }

  expectOp(op: string, hint?: string): Token {
    const t = this.acceptOp(op);
    if (!t) throw this.errorHere(`expected '${op}'`, hint);
    return t;
  }

  expectName(what: string, hint?: string): Token {
    const t = this.peek();
    if (!isName(t)) throw this.errorHere(`expected ${what}`, hint);
    this.i++;
    return t;
  }

  expectString(what: string, hint?: string): Token {
    const t = this.peek();
    if (!t || t.kind !== 'string') throw this.errorHere(`expected ${what} as a 'quoted string'`, hint);
    this.i++;
    return t;
  }

  pos(t: Token): SourcePos {
    return this.lines.pos(t.start);
  }

  /** Where the next token starts, or just past the previous one at the statement's end. */
  herePos(): SourcePos {
    const t = this.peek();
    if (t) return this.lines.pos(t.start);
    const prev = this.tokens[this.end - 1];
    return this.lines.pos(prev ? prev.end : 0);
  }

  /** "<problem>, found 'x'" (or "at the end of the statement") at the next token. */
  errorHere(problem: string, hint?: string): SqlError {
    const t = this.peek();
    const found = t ? `, found '${tokenText(this.text, t)}'` : ' at the end of the statement';
    return new SqlError(this.herePos(), problem + found, hint);
  }

  errorAt(t: Token, problem: string, hint?: string): SqlError {
    return new SqlError(this.lines.pos(t.start), problem, hint);
  }
}
