// String functions as Flink 1.20 evaluates them (SqlFunctionUtils, Calcite's SqlFunctions,
// BinaryStringDataUtil). Each gets non-null arguments unless its comment says otherwise.
// Where Flink works on UTF-16 units (LPAD/RPAD, REPLACE, INITCAP) so do these; where it counts
// characters (POSITION) they count code points.

import { createHash } from 'node:crypto';
import { compileJavaRegex } from './java-regex.js';

/** CONCAT_WS(sep, s1, ...): null when the separator is null; null strings are skipped. Gets nulls. */
export function concatWs(sep: string | null, ...parts: (string | null)[]): string | null {
  if (sep == null) return null;
  let out = '';
  let first = true;
  for (const s of parts) {
    if (s == null) continue;
    out += first ? s : sep + s;
    first = false;
  }
  return out;
}

/** REPLACE(s, from, to): every occurrence, literally (Java's String.replace; '' inserts between units). */
export function replace(s: string, from: string, to: string): string {
  return s.replaceAll(from, () => to);
}

/** LPAD(s, n, pad): s cut or left-padded to n UTF-16 units; n < 0 or an empty pad gives null. */
export function lpad(s: string, n: number, pad: string): string | null {
  if (n < 0 || pad === '') return null;
  if (s.length >= n) return s.slice(0, n);
  const fill = n - s.length;
  return pad.repeat(Math.ceil(fill / pad.length)).slice(0, fill) + s;
}

/** RPAD(s, n, pad): s cut or right-padded to n UTF-16 units; n < 0 or an empty pad gives null. */
export function rpad(s: string, n: number, pad: string): string | null {
  if (n < 0 || pad === '') return null;
  if (s.length >= n) return s.slice(0, n);
  const fill = n - s.length;
  return s + pad.repeat(Math.ceil(fill / pad.length)).slice(0, fill);
}

/** POSITION(needle IN s): 1-based code point index of the first occurrence, 0 when absent. */
export function position(needle: string, s: string): number {
  const at = s.indexOf(needle);
  if (at <= 0) return at + 1;
  let units = 0;
  let points = 0;
  while (units < at) {
    const c = s.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff && units + 1 < s.length ? 2 : 1;
    points++;
  }
  return points + 1;
}

/**
 * INITCAP(s) as Calcite's: words are runs of ASCII letters and digits; the first letter of a word
 * is upper-cased, the other ASCII letters lower-cased; every other character is left alone.
 */
export function initcap(s: string): string {
  let out = '';
  let start = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const digit = c >= 48 && c <= 57;
    const upper = c >= 65 && c <= 90;
    const lower = c >= 97 && c <= 122;
    let ch = c;
    if (start) {
      if (digit || upper || lower) start = false;
      if (lower) ch = c - 32;
    } else if (upper) {
      ch = c + 32;
    } else if (!digit && !lower) {
      start = true;
    }
    out += String.fromCharCode(ch);
  }
  return out;
}

/** Java's Character.isWhitespace, what SPLIT_INDEX splits on when the separator is ''. */
const JAVA_WHITESPACE =
  /[\t\n\u000B\f\r\u001C-\u001F \u1680\u2000-\u2006\u2008-\u200A\u2028\u2029\u205F\u3000]/;

/**
 * SPLIT_INDEX(s, sep, i): the i-th (0-based) piece of s split on the whole separator, empty pieces
 * kept (commons-lang splitByWholeSeparatorPreserveAllTokens); an empty s has no pieces; an empty
 * separator splits on each whitespace character; i < 0 or past the last piece gives null.
 */
export function splitIndex(s: string, sep: string, index: number): string | null {
  if (index < 0 || s === '') return null;
  const pieces = s.split(sep === '' ? JAVA_WHITESPACE : sep);
  return index < pieces.length ? pieces[index]! : null;
}

export function md5(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

export function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** REGEXP(s, pattern): whether the (Java) pattern matches anywhere in s; an empty pattern never matches. */
export function makeRegexpTest(pattern: string): (s: string) => boolean {
  if (pattern === '') return () => false;
  const re = compileJavaRegex(pattern);
  return (s) => re.test(s);
}

/** REGEXP_EXTRACT(s, pattern [, group]): the group of the first match; null without a match or group. */
export function makeRegexpExtract(pattern: string): (s: string, group: number) => string | null {
  const re = compileJavaRegex(pattern);
  return (s, group) => {
    const m = re.exec(s);
    if (m === null || group < 0) return null;
    return m[group] ?? null;
  };
}

/** REGEXP_REPLACE(s, pattern, replacement): every match replaced by the replacement text, taken literally ($1 is not a group). */
export function makeRegexpReplace(pattern: string): (s: string, replacement: string) => string {
  const re = compileJavaRegex(pattern, true);
  return (s, replacement) => s.replace(re, () => replacement);
}
