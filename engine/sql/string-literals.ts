// String literals as Flink SQL reads them, in the text handed to node-sql-parser.
//
// In Flink SQL a backslash is an ordinary character ('C:\new' is 6 characters; only '' escapes a
// quote), but node-sql-parser reads backslashes as JavaScript escapes ('\n' becomes a newline, '\'
// does not end). So in the text it parses, every backslash inside quotes stands in as U+FDD0 (a
// Unicode noncharacter, one UTF-16 unit: offsets do not move), and the parsed tree gets its
// backslashes back. Unicode literals U&'\0041' [UESCAPE '!'], which node-sql-parser cannot read,
// are decoded here and replaced by a plain literal padded with spaces to the same length.

import { type SourcePos, SqlError } from '../errors.js';
import { isKeyword, isOp, type LineIndex, type Token } from './tokenize.js';

const BACKSLASH_STAND_IN = '\uFDD0';
const QUOTED: ReadonlySet<Token['kind']> = new Set(['string', 'dstring', 'quoted-ident']);

/** The file's text as node-sql-parser should see it (same length, same offsets). */
export function parserText(lines: LineIndex, tokens: readonly Token[]): string {
  const text = lines.text;
  const pieces: string[] = [];
  let copiedUpTo = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    const unicode = unicodeLiteral(tokens, k, lines);
    if (unicode) {
      const literal = `'${standIn(unicode.value.replace(/'/g, "''"))}'`;
      pieces.push(text.slice(copiedUpTo, t.start), literal.padEnd(unicode.end - t.start, ' '));
      copiedUpTo = unicode.end;
      k = unicode.lastToken;
      continue;
    }
    if (!QUOTED.has(t.kind)) continue;
    const raw = text.slice(t.start, t.end);
    if (raw.includes(BACKSLASH_STAND_IN)) {
      throw new SqlError(
        lines.pos(t.start),
        'the character U+FDD0 (a Unicode noncharacter) is not allowed in SQL text',
        "write it as U&'\\FDD0' if you really need it",
      );
    }
    if (!raw.includes('\\')) continue;
    pieces.push(text.slice(copiedUpTo, t.start), standIn(raw));
    copiedUpTo = t.end;
  }
  pieces.push(text.slice(copiedUpTo));
  return pieces.join('');
}

function standIn(s: string): string {
  return s.replace(/\\/g, BACKSLASH_STAND_IN);
}

/** Puts the backslashes back into every string of a tree node-sql-parser built from parserText. */
export function restoreBackslashes(node: unknown): unknown {
  if (typeof node === 'string')
    return node.includes(BACKSLASH_STAND_IN) ? node.replaceAll(BACKSLASH_STAND_IN, '\\') : node;
  if (!node || typeof node !== 'object') return node;
  const fields = node as Record<string, unknown>;
  for (const key of Object.keys(fields)) fields[key] = restoreBackslashes(fields[key]);
  return node;
}

/**
 * `U&'...'` (U and & and the quote written together) [UESCAPE 'c'] starting at tokens[k]: its
 * decoded value, the file offset just past it, and the index of its last token.
 */
function unicodeLiteral(
  tokens: readonly Token[],
  k: number,
  lines: LineIndex,
): { value: string; end: number; lastToken: number } | undefined {
  const u = tokens[k]!;
  const amp = tokens[k + 1];
  const str = tokens[k + 2];
  if (
    !(u.kind === 'ident' && (u.value === 'U' || u.value === 'u')) ||
    !isOp(amp, '&') ||
    str?.kind !== 'string'
  )
    return undefined;
  if (!amp || amp.start !== u.end || str.start !== amp.end) return undefined;
  let escape = '\\';
  let last = k + 2;
  if (isKeyword(tokens[k + 3], 'UESCAPE')) {
    const esc = tokens[k + 4];
    if (esc?.kind !== 'string' || esc.value.length !== 1 || /[0-9a-fA-F+'"\s]/.test(esc.value)) {
      throw new SqlError(
        lines.pos((esc ?? tokens[k + 3]!).start),
        'UESCAPE needs one character that is not a hex digit, +, a quote or a space',
        "write e.g. U&'!0041' UESCAPE '!'",
      );
    }
    escape = esc.value;
    last = k + 4;
  }
  return { value: decodeUnicode(str, escape, lines.pos(u.start)), end: tokens[last]!.end, lastToken: last };
}

/** Calcite's rules: \XXXX (4 hex digits), \+XXXXXX (6 hex digits), \\ for the escape itself. */
function decodeUnicode(str: Token, escape: string, pos: SourcePos): string {
  const s = str.value;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== escape) {
      out += s[i];
      continue;
    }
    const hex4 = /^[0-9a-fA-F]{4}/.exec(s.slice(i + 1));
    const hex6 = /^\+([0-9a-fA-F]{6})/.exec(s.slice(i + 1));
    if (s[i + 1] === escape) {
      out += escape;
      i += 1;
    } else if (hex4) {
      out += String.fromCharCode(parseInt(hex4[0], 16));
      i += 4;
    } else if (hex6 && parseInt(hex6[1]!, 16) <= 0x10ffff) {
      out += String.fromCodePoint(parseInt(hex6[1]!, 16));
      i += 7;
    } else {
      throw new SqlError(
        pos,
        `bad Unicode escape in U&'${s}': ${escape} must be followed by 4 hex digits, + and 6 hex digits, or another ${escape}`,
        `write e.g. U&'${escape}0041' for A`,
      );
    }
  }
  return out;
}
