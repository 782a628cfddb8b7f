// Runtime helpers behind compiled expressions (engine/exec/compile.ts) and aggregates.
// Small, monomorphic functions: the generated code calls them through one bound object, so V8 can
// inline them. Every helper gets non-null arguments (the generated code checks nulls first) unless
// its comment says otherwise, and returns null where SQL says the result is unknown.

import { formatDate, formatTime, MS_PER_DAY, parseDate, parseTime, truncateTime } from '../time/date-time.js';
import type { SqlType } from '../types.js';
import { isApproxNumeric, isIntegral, typeToString } from '../types.js';
import {
  decimalToNumber,
  formatDecimal,
  formatDouble,
  formatFloat,
  formatTimestamp,
  numberToDecimal,
  parseDecimal,
  rescaleDecimal,
} from '../values.js';
import { parseSqlTimestamp } from '../time/sql-timestamp.js';
import { compileTimestampFormatter, compileTimestampParser } from '../time/java-pattern.js';
import {
  parseDefaultTimestamp as parseDefaultTimestampText,
  parseJavaSqlTimestamp,
} from '../time/lenient-timestamp.js';
import { compileLenientParser } from '../time/simple-date-format.js';
import { InternalError, SqlError } from '../errors.js';
import {
  doubleToInt,
  doubleToLong,
  intToByte,
  intToShort,
  longOf,
  longToDouble,
  longToInt,
  parseLong,
  type Long,
} from '../int64.js';

export { longAdd, longSub, longMul, longDiv, longMod, longNeg, longAbs, longToDouble } from '../int64.js';
export { javaPow } from './java-pow.js';

// ---------------------------------------------------------------------------------------------
// Integral and decimal arithmetic

/**
 * Integral `/`: truncates toward zero like Java (7 / 2 = 3, -7 / 2 = -3). Division by zero gives
 * null: Flink throws and fails the job, we prefer one null result over a dead pipeline.
 */
export function intDiv(a: number, b: number): number | null {
  return b === 0 ? null : Math.trunc(a / b) + 0; // + 0: no negative zero in Java (-1 / 5 is 0)
}

/** Integral `%` / MOD: the sign follows the dividend like Java; by zero gives null (see intDiv). */
export function intMod(a: number, b: number): number | null {
  return b === 0 ? null : (a % b) + 0; // + 0: no negative zero in Java (-4 % 2 is 0)
}

/** DOUBLE MOD: JS `%` already matches Java's for doubles (x % 0 is NaN). */
export function doubleMod(a: number, b: number): number {
  return a % b;
}

const POW10: bigint[] = [];
/** 10^n as bigint, cached (n >= 0). */
export function pow10(n: number): bigint {
  let p = POW10[n];
  if (p === undefined) {
    p = 10n ** BigInt(n);
    if (n < 64) POW10[n] = p;
  }
  return p;
}

/** n / d rounded half up (away from zero on ties), both bigints, d !== 0n. */
export function divHalfUp(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const absR2 = (r < 0n ? -r : r) * 2n;
  const absD = d < 0n ? -d : d;
  if (absR2 < absD) return q;
  return n < 0n !== d < 0n ? q - 1n : q + 1n;
}

export const rescale = rescaleDecimal;

/**
 * DECIMAL `/`: a (scale sa) divided by b (scale sb), computed at the result scale rs and rounded
 * half up. Division by zero gives null (see intDiv).
 */
export function decDiv(a: bigint, sa: number, b: bigint, sb: number, rs: number): bigint | null {
  if (b === 0n) return null;
  // a/10^sa / (b/10^sb) = q/10^rs  =>  q = a * 10^(sb + rs - sa) / b
  const e = sb + rs - sa;
  return e >= 0 ? divHalfUp(a * pow10(e), b) : divHalfUp(a, b * pow10(-e));
}

/** DECIMAL `%`: both operands already at one scale; the sign follows the dividend. By zero: null. */
export function decMod(a: bigint, b: bigint): bigint | null {
  return b === 0n ? null : a % b;
}

export function decAbs(a: bigint): bigint {
  return a < 0n ? -a : a;
}

/** FLOOR of an unscaled decimal at `scale`, as an unscaled value at scale 0. */
export function decFloor(a: bigint, scale: number): bigint {
  if (scale <= 0) return a;
  const d = pow10(scale);
  const q = a / d;
  return a < 0n && q * d !== a ? q - 1n : q;
}

/** CEIL of an unscaled decimal at `scale`, as an unscaled value at scale 0. */
export function decCeil(a: bigint, scale: number): bigint {
  if (scale <= 0) return a;
  const d = pow10(scale);
  const q = a / d;
  return a > 0n && q * d !== a ? q + 1n : q;
}

/**
 * ROUND(decimal, digits) with HALF_UP (ties away from zero, like Java's BigDecimal): the value is
 * rounded to `digits` fractional digits (negative digits round left of the point) and returned at
 * `resultScale`.
 */
export function decRound(a: bigint, scale: number, digits: number, resultScale: number): bigint {
  const rounded = digits >= scale ? a : rescaleDecimal(a, scale, digits);
  return rescaleDecimal(rounded, digits >= scale ? scale : digits, resultScale);
}

/**
 * ROUND(double, digits) like Flink: through Java's Double.toString digits of the double (what
 * BigDecimal.valueOf sees), HALF_UP, back to a double. So ROUND(2.675, 2) is 2.68, not 2.67.
 */
export function doubleRound(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const d = Math.trunc(digits);
  const unscaled = parseDecimal(formatDouble(x), d);
  if (unscaled === null) return x;
  return d >= 0 ? decimalToNumber(unscaled, d) : Number(unscaled * pow10(-d));
}

/** ROUND(integral, digits): only negative digits change anything (ROUND(1250, -2) = 1300). */
export function intRound(x: Long, digits: number): Long {
  if (digits >= 0) return x;
  return longOf(rescaleDecimal(rescaleDecimal(BigInt(x), 0, Math.trunc(digits)), Math.trunc(digits), 0));
}

/** INT `/`: intDiv, wrapped like Java's int (MIN_VALUE / -1 is MIN_VALUE). */
export function intDivInt(a: number, b: number): number | null {
  return b === 0 ? null : Math.trunc(a / b) | 0;
}

/** SMALLINT / TINYINT `/` (shift 16 / 24): the quotient cast back to short / byte (-128 / -1 is -128). */
export function intDivNarrow(a: number, b: number, shift: number): number | null {
  return b === 0 ? null : (Math.trunc(a / b) << shift) >> shift;
}

// ---------------------------------------------------------------------------------------------
// Strings

function isSpace(c: number): boolean {
  return c === 32;
}

/** SQL TRIM removes the space character only (not tabs or newlines), like Flink's default TRIM. */
export function trimBoth(s: string): string {
  let i = 0;
  let j = s.length;
  while (i < j && isSpace(s.charCodeAt(i))) i++;
  while (j > i && isSpace(s.charCodeAt(j - 1))) j--;
  return i === 0 && j === s.length ? s : s.slice(i, j);
}

export function trimLeft(s: string): string {
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i === 0 ? s : s.slice(i);
}

export function trimRight(s: string): string {
  let j = s.length;
  while (j > 0 && isSpace(s.charCodeAt(j - 1))) j--;
  return j === s.length ? s : s.slice(0, j);
}

export function upper(s: string): string {
  return s.toUpperCase();
}

export function lower(s: string): string {
  return s.toLowerCase();
}

/** CHAR_LENGTH counts characters (code points), not UTF-16 units. */
export function charLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const p = s.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) n--;
    }
  }
  return n;
}

/** Whether a string holds a UTF-16 surrogate (a code point above U+FFFF is two units). */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * SUBSTRING(s, start [, length]) as Flink evaluates it, counting code points: start is 1-based;
 * 0 is treated as 1; a negative start counts from the end (-3 = the last three characters); a
 * start past either end gives ''; a negative length gives null.
 */
export function substring(s: string, start: Long, length?: Long): string | null {
  if (length !== undefined && length < 0) return null;
  const wide = SURROGATE.test(s);
  const chars = wide ? Array.from(s) : null;
  const n = chars ? chars.length : s.length;
  const st = Number(start);
  let from: number;
  if (st > 0) {
    from = st - 1;
    if (from >= n) return '';
  } else if (st < 0) {
    from = n + st;
    if (from < 0) return '';
  } else {
    from = 0;
  }
  const to = length === undefined || n - from < length ? n : from + Number(length);
  return chars ? chars.slice(from, to).join('') : s.slice(from, to);
}

/** A text cut to at most `n` code points (CAST(s AS VARCHAR(n))). */
export function truncateText(n: number): (s: string) => string {
  return (s) => {
    if (s.length <= n) return s; // fewer units than n: fewer code points too
    const cut = substring(s, 1, n)!;
    return cut.length === s.length ? s : cut;
  };
}

/** A UTF-16 unit's place in code point order: surrogates (code points above U+FFFF) after all others. */
function unitOrder(c: number): number {
  return c < 0xd800 ? c : c < 0xe000 ? c + 0x2000 : c - 0x800;
}

/**
 * Strings by code points, as Flink's MIN/MAX order them (by their UTF-8 bytes). JS `<` compares
 * UTF-16 units, which puts U+10000 and above before U+E000..U+FFFF (as Flink's `<` does).
 */
export function compareStrings(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x < 0xd800 && y < 0xd800 ? x - y : unitOrder(x) - unitOrder(y);
  }
  return a.length - b.length;
}

// ---------------------------------------------------------------------------------------------
// LIKE

/** A compiled LIKE pattern: one test per value. */
export type LikeMatcher = (s: string) => boolean;

const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;

type LikeToken =
  { readonly kind: 'text'; readonly text: string } | { readonly kind: 'any' } | { readonly kind: 'one' };

function tokenizeLike(pattern: string, escape: string | undefined): LikeToken[] {
  const tokens: LikeToken[] = [];
  let text = '';
  const flush = (): void => {
    if (text) tokens.push({ kind: 'text', text });
    text = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === escape) {
      const next = pattern[i + 1];
      if (next !== '%' && next !== '_' && next !== escape) {
        throw new SqlError(
          undefined,
          `invalid escape sequence in LIKE pattern '${pattern}' at position ${i + 1}`,
          `after the escape character ${escape} write %, _ or ${escape}`,
        );
      }
      text += next;
      i++;
    } else if (c === '%') {
      flush();
      // Several % in a row mean the same as one.
      if (tokens[tokens.length - 1]?.kind !== 'any') tokens.push({ kind: 'any' });
    } else if (c === '_') {
      flush();
      tokens.push({ kind: 'one' });
    } else {
      text += c;
    }
  }
  flush();
  return tokens;
}

/** LIKE's ESCAPE must be one character (Flink's rule). */
export function checkLikeEscape(escape: string): void {
  if ([...escape].length !== 1)
    throw new SqlError(
      undefined,
      `invalid escape character '${escape}' in LIKE ... ESCAPE`,
      `the escape must be a single character, e.g. ESCAPE '!'`,
    );
}

/**
 * Compiles a LIKE pattern once, as Flink reads it: `%` = any run of characters, `_` = exactly one
 * character other than a line break (Java's `.`), and only the ESCAPE character, when one is
 * given, makes the next `%`, `_` or escape literal (without ESCAPE a backslash is ordinary text).
 * Patterns that are plain text with `%` only at the ends use === / startsWith / endsWith /
 * includes instead of a RegExp.
 */
export function compileLike(pattern: string, escape?: string): LikeMatcher {
  if (escape !== undefined) checkLikeEscape(escape);
  const tokens = tokenizeLike(pattern, escape);
  const shape = tokens.map((t) => (t.kind === 'text' ? 'T' : t.kind === 'any' ? '%' : '_')).join('');
  const textAt = (i: number): string => (tokens[i] as { text: string }).text;
  switch (shape) {
    case '':
      return (s) => s === '';
    case '%':
      return () => true;
    case 'T': {
      const whole = textAt(0);
      return (s) => s === whole;
    }
    case 'T%': {
      const prefix = textAt(0);
      return (s) => s.startsWith(prefix);
    }
    case '%T': {
      const suffix = textAt(1);
      return (s) => s.endsWith(suffix);
    }
    case '%T%': {
      const middle = textAt(1);
      return (s) => s.includes(middle);
    }
  }
  let source = '^';
  for (const t of tokens)
    source +=
      t.kind === 'any'
        ? '.*'
        : t.kind === 'one'
          ? '[^\\n\\r\\u0085\\u2028\\u2029]'
          : t.text.replace(REGEX_SYNTAX, '\\$&');
  source += '$';
  // s: `%` also matches line breaks; u: `_` is one code point, not one UTF-16 unit.
  const re = new RegExp(source, 'su');
  return (s) => re.test(s);
}

/** LIKE with a pattern that changes per row: keeps the last compiled pattern. */
export function makeDynamicLike(escape?: string): (s: string, pattern: string) => boolean {
  let lastPattern: string | null = null;
  let lastMatcher: LikeMatcher = () => false;
  return (s, pattern) => {
    if (pattern !== lastPattern) {
      lastMatcher = compileLike(pattern, escape);
      lastPattern = pattern;
    }
    return lastMatcher(s);
  };
}

// ---------------------------------------------------------------------------------------------
// Time

/**
 * Texts of the whole numbers 0..SMALL_TEXTS-1, made on first use. CAST(amount AS STRING) and the
 * like run once per record on small ids and amounts: a table read instead of a number-to-string
 * conversion and a new string each time (at most 64 Ki short strings, about 2 MB).
 */
const SMALL_TEXTS = 65_536;
/** Allocated whole when first needed, so that it stays a plain (not a sparse) array. */
let smallTexts: (string | undefined)[] | null = null;

/** An integral value as text (CAST(x AS STRING)); a BIGINT may be a bigint (engine/types.ts). */
export function integralText(n: Long): string {
  if (typeof n === 'number' && n >= 0 && n < SMALL_TEXTS && (n | 0) === n) {
    smallTexts ??= new Array<string | undefined>(SMALL_TEXTS).fill(undefined);
    return (smallTexts[n] ??= String(n));
  }
  return String(n);
}

/** TO_TIMESTAMP(s) / CAST(s AS TIMESTAMP): SQL timestamp text to epoch ms, null if unparseable. */
export const parseTimestamp = parseSqlTimestamp;

/**
 * TO_TIMESTAMP(s, pattern) as Flink 1.20 evaluates it: the Java pattern (java.time, SMART), and
 * when that does not read the text, java.sql.Timestamp.valueOf / Date.valueOf's lenient reading.
 */
export function compileToTimestamp(pattern: string): (text: string) => number | null {
  return compileTimestampParser(pattern, { fallback: parseJavaSqlTimestamp });
}

/** TO_TIMESTAMP(s): Flink's default layout (engine/time/lenient-timestamp.ts). */
export const parseDefaultTimestamp = parseDefaultTimestampText;

/** A Java-pattern parser or formatter for a pattern that changes per row: keeps the last one. */
export function makeDynamicParser(): (text: string, pattern: string) => number | null {
  return makeDynamic(compileToTimestamp);
}

/** UNIX_TIMESTAMP's lenient (SimpleDateFormat) parser for a pattern that changes per row. */
export function makeDynamicLenientParser(): (text: string, pattern: string) => number | null {
  return makeDynamic(compileLenientParser);
}

function makeDynamic(
  compile: (pattern: string) => (text: string) => number | null,
): (text: string, pattern: string) => number | null {
  let lastPattern: string | null = null;
  let last: (text: string) => number | null = () => null;
  return (text, pattern) => {
    if (pattern !== lastPattern) {
      last = compile(pattern);
      lastPattern = pattern;
    }
    return last(text);
  };
}

const LONG_MIN_VALUE = -(2n ** 63n);

/** UNIX_TIMESTAMP's result: epoch ms to seconds as Java's long division (toward zero); unparsed text is Long.MIN_VALUE. */
export function unixSeconds(ms: number | null): Long {
  return ms === null ? LONG_MIN_VALUE : Math.trunc(ms / 1000) + 0;
}

export function makeDynamicFormatter(): (ms: number, pattern: string) => string {
  let lastPattern: string | null = null;
  let last: (ms: number) => string = () => '';
  return (ms, pattern) => {
    if (pattern !== lastPattern) {
      last = compileTimestampFormatter(pattern);
      lastPattern = pattern;
    }
    return last(ms);
  };
}

/**
 * CURRENT_TIMESTAMP, NOW(), LOCALTIMESTAMP, PROCTIME() in an expression: the wall clock in epoch ms,
 * read for every record as Flink's streaming mode does (not once per query as its batch mode).
 */
export function nowMillis(): number {
  return Date.now();
}

/** UNIX_TIMESTAMP(): the wall clock in whole seconds. */
export function nowSeconds(): number {
  return Math.floor(nowMillis() / 1000);
}

/** Epoch ms to whole epoch seconds (floor, so times before 1970 round down like Java's floorDiv). */
export function msToSeconds(ms: number | null): number | null {
  return ms === null ? null : Math.floor(ms / 1000);
}

/** TO_TIMESTAMP_LTZ(n, 0 | 3): n counts seconds (0) or milliseconds (3). Other precisions: null. */
export function toTimestampLtz(n: number, precision: number): number | null {
  if (precision === 3) return Math.floor(n);
  if (precision === 0) return Math.floor(n * 1000);
  return null;
}

// ---------------------------------------------------------------------------------------------
// CAST

/** A conversion of one non-null value; returns null where the value does not fit the target. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a cast reads a value of its source SQL type, checked at plan time
export type CastFn = (v: any) => unknown;

const INTEGRAL_RANGE: Record<string, readonly [number, number]> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
};

const INTEGER_TEXT = /^[+-]?\d+$/;
const DOUBLE_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[dDfF]?$/;

/** Integral text to `target`; null when it is no whole number or out of the type's range (Flink fails). */
function stringToIntegral(target: string): CastFn {
  if (target === 'BIGINT') return (s: string) => parseLong(s.trim());
  const [lo, hi] = INTEGRAL_RANGE[target]!;
  return (s: string) => {
    const t = s.trim();
    if (!INTEGER_TEXT.test(t)) return null;
    const n = Number(t);
    return n < lo || n > hi ? null : n === 0 ? 0 : n;
  };
}

function stringToDouble(s: string): number | null {
  const t = s.trim();
  if (DOUBLE_TEXT.test(t)) return Number(/[dDfF]$/.test(t) ? t.slice(0, -1) : t);
  // Java's Double.parseDouble spellings of the special values.
  if (t === 'NaN' || t === '+NaN' || t === '-NaN') return NaN;
  if (t === 'Infinity' || t === '+Infinity') return Infinity;
  if (t === '-Infinity') return -Infinity;
  return null;
}

/**
 * A long (or a narrower integral value) to a narrower integral type as Java's primitive casts do
 * (Flink's CAST): the low bits are kept, so CAST(-957 AS TINYINT) is 67. Null: nothing to do.
 */
function narrowIntegral(target: string, from: string): CastFn | null {
  if (
    target === 'BIGINT' ||
    (target === 'INT' && from !== 'BIGINT') ||
    (target === 'SMALLINT' && from === 'TINYINT')
  )
    return null;
  if (target === 'INT') return longToInt;
  if (target === 'SMALLINT') return from === 'BIGINT' ? (n: Long) => intToShort(longToInt(n)) : intToShort;
  return from === 'BIGINT' ? (n: Long) => intToByte(longToInt(n)) : intToByte;
}

/**
 * A double to an integral type as Java's primitive casts do: truncated toward zero, saturated at
 * the int (or long) range, NaN is 0; SMALLINT and TINYINT then keep the int's low bits
 * (CAST(1.5E10 AS INT) is 2147483647, CAST(1.5E10 AS TINYINT) is -1).
 */
function doubleToIntegral(target: string): CastFn {
  switch (target) {
    case 'BIGINT':
      return doubleToLong;
    case 'INT':
      return doubleToInt;
    case 'SMALLINT':
      return (x: number) => intToShort(doubleToInt(x));
    default:
      return (x: number) => intToByte(doubleToInt(x));
  }
}

/** A DECIMAL to an integral type like Flink (BigDecimal.longValue(), then the narrowing cast): truncated, low bits kept. */
function decimalToIntegral(target: string, scale: number): CastFn {
  const narrow = narrowIntegral(target, 'BIGINT');
  const d = pow10(scale);
  const toLong = scale === 0 ? (u: bigint) => longOf(u) : (u: bigint) => longOf(u / d);
  return narrow ? (u: bigint) => narrow(toLong(u)) : toLong;
}

const TRUE_TEXT = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE_TEXT = new Set(['false', 'f', 'no', 'n', '0']);
function stringToBoolean(s: string): boolean | null {
  const t = s.trim().toLowerCase();
  return TRUE_TEXT.has(t) ? true : FALSE_TEXT.has(t) ? false : null;
}

/** Null when |unscaled| does not fit DECIMAL(precision, _) (Flink gives null on overflow too). */
function decimalFits(precision: number | undefined): ((u: bigint) => bigint | null) | null {
  if (precision === undefined) return null;
  const limit = pow10(precision);
  return (u) => (u >= limit || u <= -limit ? null : u);
}

function toTimestampPrecision(precision: number | undefined): CastFn | null {
  if (precision === undefined || precision >= 3) return null;
  const unit = 10 ** (3 - Math.max(0, precision));
  return (ms: number) => Math.floor(ms / unit) * unit;
}

/**
 * The conversion for CAST from `from` to `to`, or null when values need no change (same type,
 * INT -> BIGINT, TIMESTAMP -> TIMESTAMP_LTZ ...). Throws InternalError for a pair the planner
 * should have rejected.
 */
/**
 * Casts to and from DATE (a day number) and TIME (milliseconds of the day), or undefined when
 * neither side is one. A TIMESTAMP's date and time of day are Java's long division and remainder
 * of its milliseconds by a day, as in Flink: both truncate toward zero, so before 1970 a time that
 * is not midnight belongs to the next day (CAST(TIMESTAMP '1969-12-31 10:00:00' AS DATE) is
 * 1970-01-01), Flink's own result.
 */
function dateTimeCast(from: SqlType, to: SqlType): CastFn | null | undefined {
  const f = from.name;
  const t = to.name;
  if (t === 'DATE') {
    if (f === 'STRING') return parseDate;
    if (f === 'TIMESTAMP' || f === 'TIMESTAMP_LTZ') return (ms: number) => Math.trunc(ms / MS_PER_DAY);
  }
  if (t === 'TIME') {
    const precision = to.precision ?? 0;
    if (f === 'TIME')
      return precision < (from.precision ?? 0) ? (ms: number) => truncateTime(ms, precision) : null;
    if (f === 'STRING')
      return (s: string) => {
        const ms = parseTime(s);
        return ms === null ? null : truncateTime(ms, precision);
      };
    // Before 1970 Flink's remainder is negative and its job fails writing it: a failed cast, NULL here.
    if (f === 'TIMESTAMP' || f === 'TIMESTAMP_LTZ')
      return (ms: number) => {
        const t = ms % MS_PER_DAY;
        return t < 0 ? null : truncateTime(t, precision);
      };
  }
  if (t === 'TIMESTAMP' || t === 'TIMESTAMP_LTZ') {
    if (f === 'DATE') return (days: number) => days * MS_PER_DAY;
    if (f === 'TIME') return null; // 1970-01-01 at that time: the same milliseconds
  }
  if (t === 'STRING') {
    if (f === 'DATE') return formatDate;
    // Flink's CAST(TIME(3) AS STRING) writes whole seconds, whatever the TIME's precision.
    if (f === 'TIME') return (ms: number) => formatTime(ms, 0);
  }
  return undefined;
}

export function castFunction(from: SqlType, to: SqlType): CastFn | null {
  const f = from.name;
  const t = to.name;
  if (f === 'NULL') return null; // only null flows through
  if (f === t && t !== 'DECIMAL' && !(t === 'TIMESTAMP' || t === 'TIMESTAMP_LTZ') && t !== 'TIME')
    return null;
  const dateTime = dateTimeCast(from, to);
  if (dateTime !== undefined) return dateTime;

  if (isIntegral(to)) {
    if (isIntegral(from)) return narrowIntegral(t, f);
    if (isApproxNumeric(from)) return doubleToIntegral(t);
    if (f === 'DECIMAL') return decimalToIntegral(t, from.scale ?? 0);
    if (f === 'STRING') return stringToIntegral(t);
    if (f === 'BOOLEAN') return (b: boolean) => (b ? 1 : 0);
    if (f === 'TIMESTAMP' || f === 'TIMESTAMP_LTZ') return (ms: number) => Math.floor(ms / 1000);
  }

  if (isApproxNumeric(to)) {
    if (f === 'BIGINT') return t === 'FLOAT' ? (x: Long) => Math.fround(longToDouble(x)) : longToDouble;
    if (isIntegral(from)) return t === 'FLOAT' ? (x: number) => Math.fround(x) : null;
    if (isApproxNumeric(from)) return t === 'FLOAT' && f === 'DOUBLE' ? (x: number) => Math.fround(x) : null;
    if (f === 'DECIMAL') {
      const scale = from.scale ?? 0;
      return (u: bigint) => decimalToNumber(u, scale);
    }
    if (f === 'STRING') return stringToDouble;
    if (f === 'BOOLEAN') return (b: boolean) => (b ? 1 : 0);
  }

  if (t === 'DECIMAL') {
    const scale = to.scale ?? 0;
    const fits = decimalFits(to.precision);
    let convert: CastFn | null = null;
    if (isIntegral(from)) {
      const m = pow10(scale);
      convert = (n: Long) => BigInt(n) * m;
    } else if (isApproxNumeric(from)) {
      convert = (x: number) => numberToDecimal(x, scale);
    } else if (f === 'DECIMAL') {
      const fromScale = from.scale ?? 0;
      if (fromScale !== scale) convert = (u: bigint) => rescaleDecimal(u, fromScale, scale);
      else if (fits && (from.precision === undefined || from.precision > to.precision!))
        convert = (u: bigint) => u;
      else return null; // same scale, no narrower precision: nothing to do
    } else if (f === 'STRING') {
      convert = (s: string) => parseDecimal(s, scale);
    } else if (f === 'BOOLEAN') {
      const one = pow10(scale);
      convert = (b: boolean) => (b ? one : 0n);
    }
    if (convert) {
      const c = convert;
      return fits
        ? (v: unknown) => {
            const u = c(v) as bigint | null;
            return u === null ? null : fits(u);
          }
        : c;
    }
  }

  if (t === 'STRING') {
    if (isIntegral(from)) return integralText;
    if (isApproxNumeric(from)) return f === 'FLOAT' ? formatFloat : formatDouble; // Java's Float/Double.toString
    if (f === 'DECIMAL') {
      const scale = from.scale ?? 0;
      return (u: bigint) => formatDecimal(u, scale);
    }
    // Flink (1.15+) prints a BOOLEAN cast to STRING in upper case.
    if (f === 'BOOLEAN') return (b: boolean) => (b ? 'TRUE' : 'FALSE');
    if (f === 'TIMESTAMP' || f === 'TIMESTAMP_LTZ') {
      const precision = from.precision ?? 3;
      return (ms: number) => formatTimestamp(ms, precision);
    }
  }

  if (t === 'BOOLEAN') {
    if (f === 'STRING') return stringToBoolean;
    if (isIntegral(from) || isApproxNumeric(from)) return (x: number) => x !== 0;
    if (f === 'DECIMAL') return (u: bigint) => u !== 0n;
  }

  if (t === 'TIMESTAMP' || t === 'TIMESTAMP_LTZ') {
    const truncate = toTimestampPrecision(to.precision);
    if (f === 'TIMESTAMP' || f === 'TIMESTAMP_LTZ') {
      return truncate && (from.precision ?? 3) > (to.precision ?? 3) ? truncate : null;
    }
    if (f === 'STRING') {
      return truncate
        ? (s: string) => {
            const ms = parseSqlTimestamp(s);
            return ms === null ? null : truncate(ms);
          }
        : parseSqlTimestamp;
    }
  }

  throw new InternalError(
    `no conversion from ${typeToString(from)} to ${typeToString(to)}; the planner should have rejected this CAST`,
  );
}
