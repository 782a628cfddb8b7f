// Java DateTimeFormatter patterns for TO_TIMESTAMP(s, pattern), UNIX_TIMESTAMP(s, pattern) and
// DATE_FORMAT(ts, pattern). A pattern is compiled once into a parser or a formatter; the returned
// functions run once per record and allocate nothing on the parse path beyond a changed cache key.
//
// Parsing follows Java's strict mode with the SMART resolver as closely as is useful here:
// fixed-width fields (MM, dd, HH, yy, SSS...) take exactly that many digits, a variable-width field
// followed by fixed-width ones leaves them their digits (yyyyMMdd), fields given twice must agree,
// a day-of-week must match the date, and the whole text must be consumed. As the SMART resolver,
// a day past the month's end is the month's last day (Feb 30 is Feb 28) and 24:00:00 is the next
// midnight. As Flink, a parsed zone or offset is checked but dropped: the result holds the local
// date-time fields. Differences from Java: month, day, AM/PM and zone names match
// case-insensitively; `h` without `a` is read as AM; zone abbreviations are fixed offsets.
// (TO_TIMESTAMP's fallbacks when a pattern does not match: engine/time/lenient-timestamp.ts.)
//
// Missing fields default as Flink's TO_TIMESTAMP completes them: year 1970, month 1, day 1,
// 00:00:00.000, and no zone means UTC.

import { InternalError } from '../errors.js';
import {
  MAX_EPOCH_MS,
  MS_PER_DAY,
  civilFromEpochDay,
  daysInMonth,
  epochDayFromCivil,
  isLeapYear,
} from './sql-timestamp.js';

/** A pattern that cannot be compiled. The planner reports it as a SQL error at the pattern literal. */
export class TimestampPatternError extends Error {
  constructor(
    readonly pattern: string,
    problem: string,
  ) {
    super(`${problem} in timestamp pattern '${pattern}'`);
    this.name = 'TimestampPatternError';
  }
}

export interface TimestampParserOptions {
  /** Reuse the parse of the date/hour/minute prefix when it repeats (default true). */
  readonly prefixCache?: boolean;
  /** Counts prefix-cache hits, for tests and benchmarks. */
  readonly stats?: { prefixHits: number };
  /** What a text the pattern does not read gives instead of null (TO_TIMESTAMP's fallback). */
  readonly fallback?: (text: string) => number | null;
}

// ---------------------------------------------------------------------------------------------
// Pattern syntax: letters, quoted literals, other punctuation, optional sections.

type Token =
  | {
      readonly type: 'field';
      readonly letter: string;
      readonly count: number;
      readonly start: number;
      readonly end: number;
    }
  | { readonly type: 'literal'; readonly text: string; readonly start: number; readonly end: number }
  | { readonly type: 'optional'; readonly children: Token[]; readonly start: number; end: number };

const SUPPORTED_LETTERS = 'y u M d D H h k K m s S E a z Z X x VV';

/** Letter -> allowed letter counts (Java's own limits, minus the styles not supported here). */
const LETTER_COUNTS: Record<string, readonly number[]> = {
  y: [1, 2, 3, 4, 5, 6, 7, 8, 9],
  u: [1, 2, 3, 4, 5, 6, 7, 8, 9],
  M: [1, 2, 3, 4],
  d: [1, 2],
  D: [1, 2, 3],
  H: [1, 2],
  h: [1, 2],
  k: [1, 2],
  K: [1, 2],
  m: [1, 2],
  s: [1, 2],
  S: [1, 2, 3, 4, 5, 6, 7, 8, 9],
  E: [1, 2, 3, 4],
  a: [1],
  z: [1, 2, 3],
  Z: [1, 2, 3, 5],
  X: [1, 2, 3, 4, 5],
  x: [1, 2, 3, 4, 5],
  V: [2],
};

function isAsciiLetter(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

function tokenize(pattern: string): Token[] {
  const root: Token[] = [];
  const stack: { children: Token[]; token: Token | null }[] = [{ children: root, token: null }];
  let literal = '';
  let literalStart = 0;
  const flushLiteral = (end: number): void => {
    if (literal !== '')
      stack[stack.length - 1]!.children.push({ type: 'literal', text: literal, start: literalStart, end });
    literal = '';
  };
  const addLiteral = (text: string, start: number): void => {
    if (literal === '') literalStart = start;
    literal += text;
  };

  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (isAsciiLetter(c)) {
      flushLiteral(i);
      let j = i + 1;
      while (j < pattern.length && pattern[j] === c) j++;
      const count = j - i;
      checkLetter(pattern, c, count);
      stack[stack.length - 1]!.children.push({ type: 'field', letter: c, count, start: i, end: j });
      i = j;
    } else if (c === "'") {
      if (pattern[i + 1] === "'") {
        addLiteral("'", i);
        i += 2;
        continue;
      }
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= pattern.length) {
          throw new TimestampPatternError(pattern, `unterminated quote at position ${i + 1}`);
        }
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j];
        j++;
      }
      addLiteral(text, i);
      i = j + 1;
    } else if (c === '[') {
      flushLiteral(i);
      const token: Token = { type: 'optional', children: [], start: i, end: pattern.length };
      stack[stack.length - 1]!.children.push(token);
      stack.push({ children: token.children, token });
      i++;
    } else if (c === ']') {
      flushLiteral(i);
      if (stack.length === 1) {
        throw new TimestampPatternError(pattern, `']' at position ${i + 1} closes no '['`);
      }
      const closed = stack.pop()!.token as { end: number };
      closed.end = i + 1;
      i++;
    } else if (c === '{' || c === '}' || c === '#') {
      throw new TimestampPatternError(
        pattern,
        `reserved character '${c}'; quote it to use it as text ('${c}')`,
      );
    } else {
      addLiteral(c, i);
      i++;
    }
  }
  // An unclosed '[' runs to the end of the pattern, as in Java.
  flushLiteral(pattern.length);
  return root;
}

function checkLetter(pattern: string, letter: string, count: number): void {
  const counts = LETTER_COUNTS[letter];
  if (counts === undefined) {
    throw new TimestampPatternError(
      pattern,
      `unsupported letter '${letter}'` +
        ` (supported: ${SUPPORTED_LETTERS}; write literal text in single quotes, e.g. 'T')`,
    );
  }
  if (!counts.includes(count)) {
    const allowed = counts.map((n) => letter.repeat(n)).join(', ');
    throw new TimestampPatternError(pattern, `'${letter.repeat(count)}' is not supported (write ${allowed})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Names. Parsing compares lower-case char codes; formatting prints the English forms.

const MONTHS_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS_FULL = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
/** Java's order: Monday = 1 ... Sunday = 7. */
const DAYS_SHORT = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const DAYS_FULL = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

const HOUR_MS = 3_600_000;

/** Zone names `z` accepts. UTC/GMT/UT may carry an offset (GMT+01:00). Longest first so CEST beats CET. */
export const ZONE_NAMES: readonly (readonly [string, number, boolean])[] = [
  ['CEST', 2 * HOUR_MS, false],
  ['UTC', 0, true],
  ['GMT', 0, true],
  ['EST', -5 * HOUR_MS, false],
  ['EDT', -4 * HOUR_MS, false],
  ['CST', -6 * HOUR_MS, false],
  ['CDT', -5 * HOUR_MS, false],
  ['MST', -7 * HOUR_MS, false],
  ['MDT', -6 * HOUR_MS, false],
  ['PST', -8 * HOUR_MS, false],
  ['PDT', -7 * HOUR_MS, false],
  ['CET', 1 * HOUR_MS, false],
  ['BST', 1 * HOUR_MS, false],
  ['UT', 0, true],
  ['Z', 0, false],
];

/** Zone ids `VV` accepts: only the ones that are UTC (plus offsets); a region id is a parse failure. */
const ZONE_IDS: readonly (readonly [string, number, boolean])[] = [
  ['Etc/UTC', 0, false],
  ['Etc/GMT', 0, false],
  ['UTC', 0, true],
  ['GMT', 0, true],
  ['UT', 0, true],
  ['Z', 0, false],
];

/** Names as lower-case char codes, for allocation-free case-insensitive matching. */
class NameTable {
  readonly codes: readonly Uint16Array[];
  constructor(
    names: readonly string[],
    readonly values: readonly number[],
  ) {
    this.codes = names.map((n) => Uint16Array.from(n.toLowerCase(), (ch) => ch.charCodeAt(0)));
  }
}

function nameTable(names: readonly string[], firstValue: number): NameTable {
  return new NameTable(
    names,
    names.map((_, i) => i + firstValue),
  );
}

const MONTH_SHORT_TABLE = nameTable(MONTHS_SHORT, 1);
const MONTH_FULL_TABLE = nameTable(MONTHS_FULL, 1);
const DAY_SHORT_TABLE = nameTable(DAYS_SHORT, 1);
const DAY_FULL_TABLE = nameTable(DAYS_FULL, 1);
const AMPM_TABLE = nameTable(['AM', 'PM'], 0);
const ZONE_NAME_TABLE = new NameTable(
  ZONE_NAMES.map((z) => z[0]),
  ZONE_NAMES.map((_, i) => i),
);
const ZONE_ID_TABLE = new NameTable(
  ZONE_IDS.map((z) => z[0]),
  ZONE_IDS.map((_, i) => i),
);

// Where the last successful match ended; module-level so the hot path returns plain numbers
// instead of allocating { value, end } pairs. Single-threaded JS makes this safe.
let cursor = 0;

function lowerCode(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** Index into table of the name at text[pos...] (case-insensitive), or -1. Sets `cursor` past it. */
function matchName(table: NameTable, text: string, pos: number): number {
  const codes = table.codes;
  outer: for (let n = 0; n < codes.length; n++) {
    const name = codes[n]!;
    if (pos + name.length > text.length) continue;
    for (let k = 0; k < name.length; k++) {
      if (lowerCode(text.charCodeAt(pos + k)) !== name[k]) continue outer;
    }
    cursor = pos + name.length;
    return n;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Parser elements. One class with every property so that the parse loop sees a single shape.

// Slots of the parse state (a Float64Array; NaN = not parsed).
const F_YEAR = 0;
const F_MONTH = 1;
const F_DAY = 2;
const F_DAY_OF_YEAR = 3;
const F_DAY_OF_WEEK = 4;
const F_HOUR = 5; // 0-23, from H or k
const F_HOUR_OF_AMPM = 6; // 0-11, from h or K
const F_AMPM = 7; // 0 = AM, 1 = PM
const F_MINUTE = 8;
const F_SECOND = 9;
const F_MILLI = 10;
const F_OFFSET = 11; // ms east of UTC
const FIELD_COUNT = 12;

const K_LITERAL = 0;
const K_NUMBER = 1;
const K_FRACTION = 2;
const K_TEXT = 3;
const K_OFFSET = 4; // X x Z: +hh:mm styles
const K_ZONE_NAME = 5; // z, VV: names from a table, maybe followed by an offset
const K_OPTIONAL = 6;

/** How a parsed number becomes a field value. */
const N_PLAIN = 0;
const N_YEAR_OF_CENTURY = 1; // yy: 2000 + value
const N_CLOCK_HOUR_OF_DAY = 2; // k: 1-24, 24 = 0
const N_CLOCK_HOUR_OF_AMPM = 3; // h: 1-12, 12 = 0
const N_YEAR = 4; // y/u with 4+ letters: may carry a sign when wider than the letters

/** Offset layouts of X, x and Z, after Java's appendOffset patterns. */
interface OffsetStyle {
  readonly colon: boolean;
  readonly minutesRequired: boolean;
  readonly seconds: boolean;
  /** `Z` stands for zero (X and ZZZZZ); x and Z write +00 / +0000 / +00:00 instead. */
  readonly zForZero: boolean;
}

const NO_STYLE: OffsetStyle = { colon: false, minutesRequired: false, seconds: false, zForZero: false };

class Element {
  kind = K_LITERAL;
  /** Where this element ends in the pattern, for describing the cached prefix. */
  srcEnd = 0;
  literal = '';
  field = 0;
  numberKind = N_PLAIN;
  minWidth = 0;
  maxWidth = 0;
  /** Digits the fixed-width numbers right after this variable-width one need (adjacent value parsing). */
  reserved = 0;
  minValue = 0;
  maxValue = 0;
  names: NameTable = AMPM_TABLE;
  zones: readonly (readonly [string, number, boolean])[] = ZONE_NAMES;
  /** VV also takes a bare offset (+01:00) as a zone id. */
  bareOffset = false;
  style: OffsetStyle = NO_STYLE;
  children: Element[] = [];
  /** State saved on entering an optional section, restored when it does not match. */
  snapshot: Float64Array = EMPTY_STATE;
}

const EMPTY_STATE = new Float64Array(0);

function numberElement(
  field: number,
  minWidth: number,
  maxWidth: number,
  minValue: number,
  maxValue: number,
  numberKind = N_PLAIN,
): Element {
  const e = new Element();
  e.kind = K_NUMBER;
  e.field = field;
  e.minWidth = minWidth;
  e.maxWidth = maxWidth;
  e.minValue = minValue;
  e.maxValue = maxValue;
  e.numberKind = numberKind;
  return e;
}

function textElement(field: number, names: NameTable): Element {
  const e = new Element();
  e.kind = K_TEXT;
  e.field = field;
  e.names = names;
  return e;
}

function offsetElement(style: OffsetStyle): Element {
  const e = new Element();
  e.kind = K_OFFSET;
  e.style = style;
  return e;
}

function zoneNameElement(
  zones: readonly (readonly [string, number, boolean])[],
  names: NameTable,
  bareOffset: boolean,
): Element {
  const e = new Element();
  e.kind = K_ZONE_NAME;
  e.zones = zones;
  e.names = names;
  e.bareOffset = bareOffset;
  return e;
}

/** Widths for a single-letter or two-letter numeric field: 1 letter = 1..19 digits, 2 = exactly 2. */
function widths(count: number): [number, number] {
  return count === 1 ? [1, 19] : [2, 2];
}

function offsetStyle(letter: string, count: number): OffsetStyle {
  if (letter === 'Z') {
    return count === 5
      ? { colon: true, minutesRequired: true, seconds: true, zForZero: true }
      : { colon: false, minutesRequired: true, seconds: false, zForZero: false };
  }
  const zForZero = letter === 'X';
  switch (count) {
    case 1:
      return { colon: false, minutesRequired: false, seconds: false, zForZero };
    case 2:
      return { colon: false, minutesRequired: true, seconds: false, zForZero };
    case 3:
      return { colon: true, minutesRequired: true, seconds: false, zForZero };
    case 4:
      return { colon: false, minutesRequired: true, seconds: true, zForZero };
    default:
      return { colon: true, minutesRequired: true, seconds: true, zForZero };
  }
}

function fieldElement(letter: string, count: number): Element {
  switch (letter) {
    case 'y':
    case 'u': {
      const minYear = letter === 'y' ? 1 : -999_999_999;
      if (count === 2) return numberElement(F_YEAR, 2, 2, 0, 99, N_YEAR_OF_CENTURY);
      if (count === 1) return numberElement(F_YEAR, 1, 19, minYear, 999_999_999);
      if (count === 3) return numberElement(F_YEAR, 3, 19, minYear, 999_999_999);
      return numberElement(F_YEAR, count, 19, minYear, 999_999_999, N_YEAR);
    }
    case 'M':
      if (count === 3) return textElement(F_MONTH, MONTH_SHORT_TABLE);
      if (count === 4) return textElement(F_MONTH, MONTH_FULL_TABLE);
      return numberElement(F_MONTH, ...widths(count), 1, 12);
    case 'd':
      return numberElement(F_DAY, ...widths(count), 1, 31);
    case 'D':
      return count === 1
        ? numberElement(F_DAY_OF_YEAR, 1, 19, 1, 366)
        : numberElement(F_DAY_OF_YEAR, count, 3, 1, 366);
    case 'H': // 24 only as 24:00:00, the next midnight (resolve)
      return numberElement(F_HOUR, ...widths(count), 0, 24);
    case 'k':
      return numberElement(F_HOUR, ...widths(count), 1, 24, N_CLOCK_HOUR_OF_DAY);
    case 'h':
      return numberElement(F_HOUR_OF_AMPM, ...widths(count), 1, 12, N_CLOCK_HOUR_OF_AMPM);
    case 'K':
      return numberElement(F_HOUR_OF_AMPM, ...widths(count), 0, 11);
    case 'm':
      return numberElement(F_MINUTE, ...widths(count), 0, 59);
    case 's':
      return numberElement(F_SECOND, ...widths(count), 0, 59);
    case 'S': {
      const e = new Element();
      e.kind = K_FRACTION;
      e.field = F_MILLI;
      e.minWidth = count;
      e.maxWidth = count;
      return e;
    }
    case 'E':
      return textElement(F_DAY_OF_WEEK, count === 4 ? DAY_FULL_TABLE : DAY_SHORT_TABLE);
    case 'a':
      return textElement(F_AMPM, AMPM_TABLE);
    case 'z':
      return zoneNameElement(ZONE_NAMES, ZONE_NAME_TABLE, false);
    case 'V':
      return zoneNameElement(ZONE_IDS, ZONE_ID_TABLE, true);
    case 'Z':
    case 'X':
    case 'x':
      return offsetElement(offsetStyle(letter, count));
    default:
      throw new InternalError(`timestamp pattern letter '${letter}' passed checkLetter but has no parser`);
  }
}

function isFixedWidthNumber(e: Element): boolean {
  return (e.kind === K_NUMBER || e.kind === K_FRACTION) && e.minWidth === e.maxWidth;
}

function buildElements(tokens: readonly Token[]): Element[] {
  const elements: Element[] = [];
  for (const t of tokens) {
    let e: Element;
    if (t.type === 'literal') {
      e = new Element();
      e.literal = t.text;
    } else if (t.type === 'field') {
      e = fieldElement(t.letter, t.count);
    } else {
      e = new Element();
      e.kind = K_OPTIONAL;
      e.children = buildElements(t.children);
      e.snapshot = new Float64Array(FIELD_COUNT);
    }
    e.srcEnd = t.end;
    elements.push(e);
  }
  // Adjacent value parsing: a variable-width number directly followed by fixed-width numbers
  // (yyyyMMddHHmm) leaves them their digits.
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i]!;
    if (e.kind !== K_NUMBER || e.minWidth === e.maxWidth) continue;
    let reserved = 0;
    for (let j = i + 1; j < elements.length && isFixedWidthNumber(elements[j]!); j++)
      reserved += elements[j]!.maxWidth;
    e.reserved = reserved;
  }
  return elements;
}

// ---------------------------------------------------------------------------------------------
// Parsing.

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Stores a field, or reports a conflict with a value already parsed for it (Java's cross-check). */
function setField(state: Float64Array, field: number, value: number): boolean {
  const old = state[field]!;
  if (old !== old) {
    state[field] = value;
    return true;
  }
  return old === value;
}

function parseNumber(e: Element, text: string, pos: number, state: Float64Array): number {
  const len = text.length;
  let negative = false;
  let start = pos;
  if (e.numberKind === N_YEAR && pos < len) {
    const c = text.charCodeAt(pos);
    if (c === 43 /* + */ || (c === 45 /* - */ && e.minValue < 0)) {
      negative = c === 45;
      start = pos + 1;
    }
  }
  let width: number;
  if (e.minWidth === e.maxWidth) {
    width = e.minWidth;
    if (start + width > len) return -1;
    for (let i = start; i < start + width; i++) if (!isDigit(text.charCodeAt(i))) return -1;
  } else {
    const limit = Math.min(len, start + e.maxWidth + e.reserved);
    let end = start;
    while (end < limit && isDigit(text.charCodeAt(end))) end++;
    width = Math.min(end - start - e.reserved, e.maxWidth);
    if (width < e.minWidth) return -1;
  }
  // Java's EXCEEDS_PAD: '+' only on a year wider than its letters (+10000 for yyyy).
  if (start !== pos && !negative && width <= e.minWidth) return -1;
  let value = 0;
  for (let i = start; i < start + width; i++) value = value * 10 + (text.charCodeAt(i) - 48);
  if (negative) value = -value;
  if (value < e.minValue || value > e.maxValue) return -1;
  switch (e.numberKind) {
    case N_YEAR_OF_CENTURY:
      value += 2000;
      break;
    case N_CLOCK_HOUR_OF_DAY:
    case N_CLOCK_HOUR_OF_AMPM:
      if (value === e.maxValue) value = 0;
      break;
  }
  return setField(state, e.field, value) ? start + width : -1;
}

function parseFraction(e: Element, text: string, pos: number, state: Float64Array): number {
  const width = e.minWidth;
  if (pos + width > text.length) return -1;
  let ms = 0;
  for (let i = 0; i < width; i++) {
    const c = text.charCodeAt(pos + i);
    if (!isDigit(c)) return -1;
    if (i < 3) ms = ms * 10 + (c - 48); // beyond the ms the digits are dropped (TIMESTAMP(3))
  }
  for (let i = width; i < 3; i++) ms *= 10;
  return setField(state, F_MILLI, ms) ? pos + width : -1;
}

/** Reads exactly two digits; -1 if not there. */
function twoDigits(text: string, pos: number): number {
  if (pos + 2 > text.length) return -1;
  const a = text.charCodeAt(pos);
  const b = text.charCodeAt(pos + 1);
  return isDigit(a) && isDigit(b) ? (a - 48) * 10 + (b - 48) : -1;
}

/** The offset the last parseOffset / parseLooseOffset call read, in ms east of UTC. */
let parsedOffset = 0;

/** An offset in one of the X/x/Z layouts at pos; the value goes to `parsedOffset`, returns the end or -1. */
function parseOffset(style: OffsetStyle, text: string, pos: number): number {
  if (pos >= text.length) return -1;
  const sign = text.charCodeAt(pos);
  if (sign === 90 /* Z */ && style.zForZero) {
    parsedOffset = 0;
    return pos + 1;
  }
  if (sign !== 43 && sign !== 45) return -1;
  const hours = twoDigits(text, pos + 1);
  if (hours < 0 || hours > 18) return -1;
  let p = pos + 3;
  let minutes = 0;
  let seconds = 0;
  const hasColon = style.colon && text.charCodeAt(p) === 58;
  const mm = style.colon ? (hasColon ? twoDigits(text, p + 1) : -1) : twoDigits(text, p);
  if (mm >= 0) {
    if (mm > 59) return -1;
    minutes = mm;
    p += style.colon ? 3 : 2;
    if (style.seconds) {
      const ss = style.colon ? (text.charCodeAt(p) === 58 ? twoDigits(text, p + 1) : -1) : twoDigits(text, p);
      if (ss > 59) return -1;
      if (ss >= 0) {
        seconds = ss;
        p += style.colon ? 3 : 2;
      }
    }
  } else if (style.minutesRequired) {
    return -1;
  }
  const offset = ((hours * 60 + minutes) * 60 + seconds) * 1000;
  if (offset > 18 * HOUR_MS) return -1;
  parsedOffset = sign === 45 ? -offset : offset;
  return p;
}

/** The lenient offset after GMT/UTC/UT and as a bare VV id: +h, +hh, +hh:mm, +hhmm. */
function parseLooseOffset(text: string, pos: number): number {
  const sign = text.charCodeAt(pos);
  if (sign !== 43 && sign !== 45) return -1;
  let p = pos + 1;
  let hours = -1;
  if (p < text.length && isDigit(text.charCodeAt(p))) {
    hours = text.charCodeAt(p) - 48;
    p++;
    if (p < text.length && isDigit(text.charCodeAt(p))) {
      hours = hours * 10 + (text.charCodeAt(p) - 48);
      p++;
    }
  }
  if (hours < 0 || hours > 18) return -1;
  let minutes = 0;
  const colon = text.charCodeAt(p) === 58;
  const mm = twoDigits(text, colon ? p + 1 : p);
  if (mm >= 0) {
    if (mm > 59) return -1;
    minutes = mm;
    p += colon ? 3 : 2;
  } else if (colon) {
    return -1;
  }
  const offset = (hours * 60 + minutes) * 60_000;
  if (offset > 18 * HOUR_MS) return -1;
  parsedOffset = sign === 45 ? -offset : offset;
  return p;
}

function parseZoneName(e: Element, text: string, pos: number, state: Float64Array): number {
  let offset: number;
  let end: number;
  const index = matchName(e.names, text, pos);
  if (index >= 0) {
    const zone = e.zones[index]!;
    offset = zone[1];
    end = cursor;
    if (zone[2] && end < text.length) {
      const c = text.charCodeAt(end);
      if (c === 43 || c === 45) {
        const after = parseLooseOffset(text, end);
        if (after < 0) return -1;
        offset = parsedOffset;
        end = after;
      }
    }
  } else if (e.bareOffset) {
    end = parseLooseOffset(text, pos);
    if (end < 0) return -1;
    offset = parsedOffset;
  } else {
    return -1;
  }
  return setField(state, F_OFFSET, offset) ? end : -1;
}

/** Parses elements[from, to) at pos; the end position, or -1 when the text does not match. */
function parseElements(
  elements: readonly Element[],
  from: number,
  to: number,
  text: string,
  pos: number,
  state: Float64Array,
): number {
  for (let i = from; i < to && pos >= 0; i++) {
    const e = elements[i]!;
    switch (e.kind) {
      case K_LITERAL:
        pos = text.startsWith(e.literal, pos) ? pos + e.literal.length : -1;
        break;
      case K_NUMBER:
        pos = parseNumber(e, text, pos, state);
        break;
      case K_FRACTION:
        pos = parseFraction(e, text, pos, state);
        break;
      case K_TEXT: {
        const index = matchName(e.names, text, pos);
        pos = index >= 0 && setField(state, e.field, e.names.values[index]!) ? cursor : -1;
        break;
      }
      case K_OFFSET: {
        const end = parseOffset(e.style, text, pos);
        pos = end >= 0 && setField(state, F_OFFSET, parsedOffset) ? end : -1;
        break;
      }
      case K_ZONE_NAME:
        pos = parseZoneName(e, text, pos, state);
        break;
      case K_OPTIONAL: {
        e.snapshot.set(state);
        const end = parseElements(e.children, 0, e.children.length, text, pos, state);
        if (end >= 0) pos = end;
        else state.set(e.snapshot); // an optional section that does not match leaves no trace
        break;
      }
    }
  }
  return pos;
}

const civil = new Float64Array(3);

// The last valid date resolved, shared by all parsers (any valid date is a correct entry).
let lastYear = NaN;
let lastMonth = NaN;
let lastDay = NaN;
let lastEpochDay = 0;

/** Turns parsed fields into epoch ms, completing missing ones and cross-checking redundant ones. */
function resolve(state: Float64Array): number | null {
  const yearField = state[F_YEAR]!;
  const year = yearField === yearField ? yearField : 1970;
  const monthField = state[F_MONTH]!;
  const dayField = state[F_DAY]!;
  const dayOfYear = state[F_DAY_OF_YEAR]!;
  let epochDay: number;
  if (dayOfYear === dayOfYear) {
    if (dayOfYear > (isLeapYear(year) ? 366 : 365)) return null;
    epochDay = epochDayFromCivil(year, 1, 1) + dayOfYear - 1;
    if (monthField === monthField || dayField === dayField) {
      civilFromEpochDay(epochDay, civil);
      if (
        (monthField === monthField && monthField !== civil[1]) ||
        (dayField === dayField && dayField !== civil[2])
      )
        return null;
    }
  } else {
    const month = monthField === monthField ? monthField : 1;
    const day = dayField === dayField ? dayField : 1;
    if (year === lastYear && month === lastMonth && day === lastDay) {
      epochDay = lastEpochDay; // consecutive records mostly share the date
    } else {
      // SMART: a day past the month's end is its last day (Feb 30 is Feb 28), as java.time resolves it.
      epochDay = epochDayFromCivil(year, month, Math.min(day, daysInMonth(year, month)));
      lastYear = year;
      lastMonth = month;
      lastDay = day;
      lastEpochDay = epochDay;
    }
  }
  const dayOfWeek = state[F_DAY_OF_WEEK]!;
  if (dayOfWeek === dayOfWeek && dayOfWeek !== ((((epochDay + 3) % 7) + 7) % 7) + 1) return null;

  let hour = state[F_HOUR]!;
  const hourOfAmPm = state[F_HOUR_OF_AMPM]!;
  const amPm = state[F_AMPM]!;
  if (hourOfAmPm === hourOfAmPm) {
    const h = (amPm === amPm ? amPm * 12 : 0) + hourOfAmPm;
    if (hour === hour && hour !== h) return null;
    hour = h;
  } else if (hour === hour) {
    if (amPm === amPm && amPm !== (hour >= 12 ? 1 : 0)) return null;
  } else {
    hour = 0;
  }
  const minute = state[F_MINUTE]!;
  const second = state[F_SECOND]!;
  const milli = state[F_MILLI]!;
  if (hour === 24) {
    // SMART: 24:00:00 is the next midnight; any other time in hour 24 is not a time.
    if (
      (minute === minute && minute !== 0) ||
      (second === second && second !== 0) ||
      (milli === milli && milli !== 0)
    )
      return null;
    hour = 0;
    epochDay++;
  }
  // A parsed zone or offset is checked but not applied: Flink keeps the local date-time fields.
  const ms =
    epochDay * MS_PER_DAY +
    hour * HOUR_MS +
    (minute === minute ? minute * 60_000 : 0) +
    (second === second ? second * 1000 : 0) +
    (milli === milli ? milli : 0);
  return ms >= -MAX_EPOCH_MS && ms <= MAX_EPOCH_MS ? ms : null;
}

/**
 * How many leading top-level elements the prefix cache may cover: fields up to the minute (no
 * seconds, fraction, zones or optional sections), each of which reads exactly the characters it
 * consumes. That holds for literals, names (no name is a prefix of another) and fixed-width
 * numbers; a variable-width number also qualifies when a non-digit literal follows it, since its
 * digits stop there. Equal prefix text then guarantees an equal prefix parse.
 */
function cacheablePrefixLength(elements: readonly Element[]): number {
  let n = 0;
  let fields = 0;
  for (; n < elements.length; n++) {
    const e = elements[n]!;
    if (e.kind === K_LITERAL) continue;
    if (e.kind === K_TEXT) {
      fields++;
      continue;
    }
    if (e.kind !== K_NUMBER || e.field === F_SECOND) break;
    if (e.minWidth !== e.maxWidth) {
      const next = elements[n + 1];
      if (next === undefined || next.kind !== K_LITERAL || isDigit(next.literal.charCodeAt(0))) break;
    }
    fields++;
  }
  return fields === 0 ? 0 : n;
}

/**
 * Compiles a Java DateTimeFormatter pattern into a parser: text -> epoch ms, or null when the
 * text does not match (Flink's TO_TIMESTAMP returns NULL then). Throws TimestampPatternError for
 * an unsupported or malformed pattern.
 */
export function compileTimestampParser(
  pattern: string,
  options: TimestampParserOptions = {},
): (text: string) => number | null {
  const elements = buildElements(tokenize(pattern));
  const state = new Float64Array(FIELD_COUNT);
  const prefixLength = options.prefixCache === false ? 0 : cacheablePrefixLength(elements);
  const stats = options.stats;
  const fallback = options.fallback ?? ((): null => null);

  if (prefixLength === 0) {
    return (text) => {
      state.fill(NaN);
      const end = parseElements(elements, 0, elements.length, text, 0, state);
      return (end === text.length ? resolve(state) : null) ?? fallback(text);
    };
  }

  // The last prefix text seen and the state its parse produced. Records of one job mostly share
  // the day, hour and minute; for them only the rest of the text is scanned.
  let cachedPrefix: string | null = null;
  const cachedState = new Float64Array(FIELD_COUNT);

  // The seconds shortcut: when the prefix is followed by literals and fixed-width seconds, a text
  // equal to the last successful one except for the seconds digits is that result moved by the
  // difference in seconds. Parsing only reads forward from its position, so an equal tail (the text
  // after the seconds) parses to the same fields; resolve() adds the seconds without checking them
  // against anything. This skips the zone-name scan and resolve() for most records.
  const secondsIndex = secondsShortcutIndex(elements, prefixLength);
  const secondsWidth = secondsIndex < 0 ? 0 : elements[secondsIndex]!.minWidth;
  /** The last successful text up to its seconds digits, and after them ('' length = none yet). */
  let head: string | null = null;
  let tail = '';
  let textLength = -1;
  /** That text's result minus its seconds. */
  let base = 0;

  /** The last text parsed and its result: records often share the second (a string compare is cheaper than any parse). */
  let lastText: string | null = null;
  let lastMs = 0;

  return (text) => {
    if (lastText !== null && text.length === lastText.length && text.endsWith(lastText)) {
      if (stats) stats.prefixHits++;
      return lastMs;
    }
    if (head !== null && text.length === textLength && startsWith(text, head) && text.endsWith(tail)) {
      const at = head.length;
      let seconds = 0;
      let digits = true;
      for (let i = at; i < at + secondsWidth; i++) {
        const d = text.charCodeAt(i) - 48;
        if (d < 0 || d > 9) digits = false;
        seconds = seconds * 10 + d;
      }
      if (digits && seconds <= 59) {
        const ms = base + seconds * 1000;
        if (ms >= -MAX_EPOCH_MS && ms <= MAX_EPOCH_MS) {
          if (stats) stats.prefixHits++;
          lastText = text;
          lastMs = ms;
          return ms;
        }
      }
    }
    let pos: number;
    if (cachedPrefix !== null && startsWith(text, cachedPrefix)) {
      state.set(cachedState);
      pos = cachedPrefix.length;
      if (stats) stats.prefixHits++;
    } else {
      state.fill(NaN);
      pos = parseElements(elements, 0, prefixLength, text, 0, state);
      if (pos < 0) return fallback(text);
      cachedPrefix = text.slice(0, pos);
      cachedState.set(state);
    }
    const secondsAt =
      secondsIndex < 0 ? -1 : parseElements(elements, prefixLength, secondsIndex, text, pos, state);
    const end = parseElements(
      elements,
      secondsIndex < 0 ? prefixLength : secondsIndex,
      elements.length,
      text,
      secondsIndex < 0 ? pos : secondsAt,
      state,
    );
    const ms = end === text.length ? resolve(state) : null;
    if (ms !== null && secondsAt >= 0) {
      head = text.slice(0, secondsAt);
      tail = text.slice(secondsAt + secondsWidth);
      textLength = text.length;
      base = ms - state[F_SECOND]! * 1000;
    }
    if (ms !== null) {
      lastText = text;
      lastMs = ms;
    }
    return ms ?? fallback(text);
  };
}

/**
 * text.startsWith(prefix), written with endsWith: on the short sliced strings a decoder hands out,
 * V8 (Node 20) runs endsWith about twice as fast as startsWith, and a string compare is most of
 * what a cached parse costs. (Equality is likewise tested as equal length + endsWith, faster than ===.)
 */
function startsWith(text: string, prefix: string): boolean {
  return text.endsWith(prefix, prefix.length);
}

/**
 * Where the seconds shortcut's seconds are: the index of a fixed-width `ss` that follows the cached
 * prefix after literals only, when nothing after it sets the seconds again; -1 when none.
 */
function secondsShortcutIndex(elements: readonly Element[], prefixLength: number): number {
  let i = prefixLength;
  while (i < elements.length && elements[i]!.kind === K_LITERAL) i++;
  const e = elements[i];
  if (
    e === undefined ||
    e.kind !== K_NUMBER ||
    e.field !== F_SECOND ||
    e.minWidth !== e.maxWidth ||
    e.numberKind !== N_PLAIN
  )
    return -1;
  const setsSeconds = (list: readonly Element[]): boolean =>
    list.some(
      (x) =>
        (x.kind === K_NUMBER && x.field === F_SECOND) || (x.kind === K_OPTIONAL && setsSeconds(x.children)),
    );
  return setsSeconds(elements.slice(i + 1)) ? -1 : i;
}

/** The part of `pattern` whose parse the prefix cache reuses, or null when it cannot cache. */
export function cachedPrefixOfPattern(pattern: string): string | null {
  const elements = buildElements(tokenize(pattern));
  const n = cacheablePrefixLength(elements);
  return n === 0 ? null : pattern.slice(0, elements[n - 1]!.srcEnd);
}

// ---------------------------------------------------------------------------------------------
// Formatting. Each token becomes a small function of the broken-down time; timestamps are UTC.

/** Broken-down UTC time of the value being formatted. */
interface TimeParts {
  year: number;
  month: number;
  day: number;
  dayOfYear: number;
  dayOfWeek: number; // 1 = Monday
  hour: number;
  minute: number;
  second: number;
  milli: number;
}

type Emit = (t: TimeParts) => string;

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

function numberEmitter(get: (t: TimeParts) => number, width: number): Emit {
  return width <= 1 ? (t) => String(get(t)) : (t) => pad(get(t), width);
}

function yearEmitter(letter: string, count: number): Emit {
  // y is the year of the era (1 BC = 1); u is the proleptic year (1 BC = 0).
  const get =
    letter === 'y' ? (t: TimeParts) => (t.year >= 1 ? t.year : 1 - t.year) : (t: TimeParts) => t.year;
  if (count === 2) return (t) => pad(((get(t) % 100) + 100) % 100, 2);
  if (count < 4)
    return (t) => {
      const y = get(t);
      return y < 0 ? '-' + pad(-y, count) : pad(y, count);
    };
  // Java's EXCEEDS_PAD: a sign when the year does not fit in the letters.
  return (t) => {
    const y = get(t);
    if (y < 0) return '-' + pad(-y, count);
    const s = pad(y, count);
    return s.length > count ? '+' + s : s;
  };
}

function offsetZeroText(letter: string, count: number): string {
  if (letter === 'Z') return count === 5 ? 'Z' : '+0000';
  if (letter === 'X') return 'Z';
  return count === 1 ? '+00' : count === 3 || count === 5 ? '+00:00' : '+0000';
}

function fieldEmitter(letter: string, count: number): Emit {
  switch (letter) {
    case 'y':
    case 'u':
      return yearEmitter(letter, count);
    case 'M':
      if (count === 3) return (t) => MONTHS_SHORT[t.month - 1]!;
      if (count === 4) return (t) => MONTHS_FULL[t.month - 1]!;
      return numberEmitter((t) => t.month, count);
    case 'd':
      return numberEmitter((t) => t.day, count);
    case 'D':
      return numberEmitter((t) => t.dayOfYear, count);
    case 'H':
      return numberEmitter((t) => t.hour, count);
    case 'k':
      return numberEmitter((t) => (t.hour === 0 ? 24 : t.hour), count);
    case 'h':
      return numberEmitter((t) => (t.hour % 12 === 0 ? 12 : t.hour % 12), count);
    case 'K':
      return numberEmitter((t) => t.hour % 12, count);
    case 'm':
      return numberEmitter((t) => t.minute, count);
    case 's':
      return numberEmitter((t) => t.second, count);
    case 'S':
      // Digits past the millisecond are zero: the value has ms precision.
      return count <= 3
        ? (t) => pad(t.milli, 3).slice(0, count)
        : (t) => pad(t.milli, 3) + '0'.repeat(count - 3);
    case 'E':
      return count === 4 ? (t) => DAYS_FULL[t.dayOfWeek - 1]! : (t) => DAYS_SHORT[t.dayOfWeek - 1]!;
    case 'a':
      return (t) => (t.hour < 12 ? 'AM' : 'PM');
    case 'z':
    case 'V': {
      const name = 'UTC';
      return () => name;
    }
    default: {
      // Z X x: timestamps are UTC, so the offset is always zero.
      const zero = offsetZeroText(letter, count);
      return () => zero;
    }
  }
}

function buildEmitters(tokens: readonly Token[], out: Emit[]): void {
  for (const t of tokens) {
    if (t.type === 'literal') {
      const text = t.text;
      out.push(() => text);
    } else if (t.type === 'field') {
      out.push(fieldEmitter(t.letter, t.count));
    } else {
      // Every field is known for a UTC timestamp, so optional sections always print.
      buildEmitters(t.children, out);
    }
  }
}

/**
 * Compiles a Java DateTimeFormatter pattern into a formatter of epoch ms (UTC) for DATE_FORMAT.
 * Zone letters print UTC (`z` -> UTC, `XXX` -> Z, `Z` -> +0000). Throws TimestampPatternError
 * for an unsupported or malformed pattern.
 */
export function compileTimestampFormatter(pattern: string): (ms: number) => string {
  const emitters: Emit[] = [];
  buildEmitters(tokenize(pattern), emitters);
  const parts: TimeParts = {
    year: 0,
    month: 0,
    day: 0,
    dayOfYear: 0,
    dayOfWeek: 0,
    hour: 0,
    minute: 0,
    second: 0,
    milli: 0,
  };
  return (ms) => {
    const epochDay = Math.floor(ms / MS_PER_DAY);
    let rest = ms - epochDay * MS_PER_DAY;
    civilFromEpochDay(epochDay, civil);
    parts.year = civil[0]!;
    parts.month = civil[1]!;
    parts.day = civil[2]!;
    parts.dayOfYear = epochDay - epochDayFromCivil(parts.year, 1, 1) + 1;
    parts.dayOfWeek = ((((epochDay + 3) % 7) + 7) % 7) + 1;
    parts.hour = Math.floor(rest / HOUR_MS);
    rest -= parts.hour * HOUR_MS;
    parts.minute = Math.floor(rest / 60_000);
    rest -= parts.minute * 60_000;
    parts.second = Math.floor(rest / 1000);
    parts.milli = Math.floor(rest - parts.second * 1000);
    let out = '';
    for (let i = 0; i < emitters.length; i++) out += emitters[i]!(parts);
    return out;
  };
}
