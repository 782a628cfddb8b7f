// Timestamp text without a user pattern: Flink's SQL layout (CAST(s AS TIMESTAMP), TO_TIMESTAMP(s),
// the CSV format and JSON's 'SQL' standard) and ISO-8601 (JSON's 'ISO-8601' standard), plus the
// calendar arithmetic the pattern parser and formatter share.
//
// All results are epoch milliseconds in UTC (engine/types.ts). Parsing is hand-written digit
// scanning: these run once per record, and Date.parse is both slow and far too lenient.

/** The pattern TO_TIMESTAMP(s) and UNIX_TIMESTAMP(s) use when none is given. */
export const DEFAULT_TO_TIMESTAMP_PATTERN = 'yyyy-MM-dd HH:mm:ss';

export const MS_PER_DAY = 86_400_000;

/** Epoch milliseconds a JS Date can hold; anything beyond is not a timestamp. */
export const MAX_EPOCH_MS = 8.64e15;

export function isLeapYear(year: number): boolean {
  return (year & 3) === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in `month` (1-12) of `year` (proleptic Gregorian). */
export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month]!;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (month 1-12, day 1-31; not validated).
 * Counts in 400-year eras starting each year on March 1st, so the leap day is the last day of
 * the shifted year and no month table is needed.
 */
export function epochDayFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400; // 0..399
  const shiftedMonth = month > 2 ? month - 3 : month + 9; // March = 0
  const dayOfYear = Math.floor((153 * shiftedMonth + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Writes year, month (1-12), day (1-31) of an epoch day into out[0..2]: the inverse of epochDayFromCivil. */
export function civilFromEpochDay(epochDay: number, out: { [i: number]: number }): void {
  const z = epochDay + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  out[0] = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  out[1] = month;
  out[2] = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
}

/** Epoch ms of a validated-by-caller local date-time in UTC. */
function toEpochMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  return ((epochDayFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000 + s * 1000 + ms;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

// The scanners below return the value read and leave the position in `cursor`, so that the hot
// path allocates nothing. Single-threaded JS makes the module-level cursor safe.
let cursor = 0;

/** Reads exactly `width` digits at `pos`; -1 if any is missing. */
function readFixed(text: string, pos: number, end: number, width: number): number {
  if (pos + width > end) return -1;
  let v = 0;
  for (let i = pos; i < pos + width; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  cursor = pos + width;
  return v;
}

/** Reads one or two digits at `pos`; -1 if there is none. */
function readOneOrTwo(text: string, pos: number, end: number): number {
  if (pos >= end) return -1;
  const c0 = text.charCodeAt(pos);
  if (!isDigit(c0)) return -1;
  if (pos + 1 < end) {
    const c1 = text.charCodeAt(pos + 1);
    if (isDigit(c1)) {
      cursor = pos + 2;
      return (c0 - 48) * 10 + (c1 - 48);
    }
  }
  cursor = pos + 1;
  return c0 - 48;
}

/**
 * Reads `.` and 1 to 9 fraction digits at `pos` as milliseconds, truncating below the
 * millisecond (TIMESTAMP(3) keeps ms); -1 when malformed. Without a `.`, 0 and cursor = pos.
 */
function readFractionMs(text: string, pos: number, end: number): number {
  cursor = pos;
  if (pos >= end || text.charCodeAt(pos) !== 46 /* . */) return 0;
  let i = pos + 1;
  let ms = 0;
  let digits = 0;
  while (i < end && isDigit(text.charCodeAt(i))) {
    if (digits < 3) ms = ms * 10 + (text.charCodeAt(i) - 48);
    digits++;
    i++;
  }
  if (digits === 0 || digits > 9) return -1;
  for (let k = digits; k < 3; k++) ms *= 10;
  cursor = i;
  return ms;
}

function validDateTime(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && h <= 23 && mi <= 59 && s <= 59;
}

/**
 * Flink's SQL timestamp text: `yyyy-MM-dd HH:mm:ss` with an optional `.f` of 1 to 9 digits, or a
 * date alone (`yyyy-MM-dd`, midnight). Month, day, hour, minute and second may have one digit (as
 * Flink's `[MM][M]` layout allows), `T` may replace the space, and surrounding whitespace is
 * ignored (as CAST trims). Returns epoch ms, or null when the text is not such a timestamp or
 * names an impossible date or time (2019-02-29, 24:00:00).
 */
export function parseSqlTimestamp(text: string): number | null {
  let pos = 0;
  let end = text.length;
  while (pos < end && text.charCodeAt(pos) <= 32) pos++;
  while (end > pos && text.charCodeAt(end - 1) <= 32) end--;

  const y = readFixed(text, pos, end, 4);
  if (y < 0 || cursor >= end || text.charCodeAt(cursor) !== 45 /* - */) return null;
  const mo = readOneOrTwo(text, cursor + 1, end);
  if (mo < 0 || cursor >= end || text.charCodeAt(cursor) !== 45) return null;
  const d = readOneOrTwo(text, cursor + 1, end);
  if (d < 0) return null;
  pos = cursor;
  if (pos === end) return validDateTime(y, mo, d, 0, 0, 0) ? toEpochMs(y, mo, d, 0, 0, 0, 0) : null;

  const sep = text.charCodeAt(pos);
  if (sep !== 32 && sep !== 84 /* T */) return null;
  const h = readOneOrTwo(text, pos + 1, end);
  if (h < 0 || cursor >= end || text.charCodeAt(cursor) !== 58 /* : */) return null;
  const mi = readOneOrTwo(text, cursor + 1, end);
  if (mi < 0 || cursor >= end || text.charCodeAt(cursor) !== 58) return null;
  const s = readOneOrTwo(text, cursor + 1, end);
  if (s < 0) return null;
  const ms = readFractionMs(text, cursor, end);
  if (ms < 0 || cursor !== end) return null;
  return validDateTime(y, mo, d, h, mi, s) ? toEpochMs(y, mo, d, h, mi, s, ms) : null;
}

/**
 * ISO-8601 as JSON's 'ISO-8601' standard writes it: `2017-07-23T01:06:47Z`, with optional seconds,
 * an optional fraction of 1 to 9 digits (kept to the ms), and an optional zone: `Z`, `+02:00`,
 * `+0200` or `+02`. Without a zone the time is UTC. `T` and `Z` may be lower case (Java's ISO
 * parsers are case-insensitive). Returns epoch ms, or null when malformed.
 */
export function parseIsoTimestamp(text: string): number | null {
  const end = text.length;
  const y = readFixed(text, 0, end, 4);
  if (y < 0 || cursor >= end || text.charCodeAt(cursor) !== 45) return null;
  const mo = readFixed(text, cursor + 1, end, 2);
  if (mo < 0 || cursor >= end || text.charCodeAt(cursor) !== 45) return null;
  const d = readFixed(text, cursor + 1, end, 2);
  if (d < 0 || cursor >= end) return null;
  const t = text.charCodeAt(cursor);
  if (t !== 84 && t !== 116 /* t */) return null;
  const h = readFixed(text, cursor + 1, end, 2);
  if (h < 0 || cursor >= end || text.charCodeAt(cursor) !== 58) return null;
  const mi = readFixed(text, cursor + 1, end, 2);
  if (mi < 0) return null;
  let s = 0;
  let ms = 0;
  if (cursor < end && text.charCodeAt(cursor) === 58) {
    s = readFixed(text, cursor + 1, end, 2);
    if (s < 0) return null;
    ms = readFractionMs(text, cursor, end);
    if (ms < 0) return null;
  }
  if (!validDateTime(y, mo, d, h, mi, s)) return null;
  const local = toEpochMs(y, mo, d, h, mi, s, ms);
  if (cursor === end) return local;
  const offsetMs = readIsoOffsetMs(text, cursor, end);
  return offsetMs === null || cursor !== end ? null : local - offsetMs;
}

/** `Z`, `+hh`, `+hhmm` or `+hh:mm` (hours up to 18, as Java's ZoneOffset allows) as ms east of UTC. */
function readIsoOffsetMs(text: string, pos: number, end: number): number | null {
  const c = text.charCodeAt(pos);
  if (c === 90 || c === 122 /* Z z */) {
    cursor = pos + 1;
    return 0;
  }
  if (c !== 43 && c !== 45) return null;
  const hh = readFixed(text, pos + 1, end, 2);
  if (hh < 0 || hh > 18) return null;
  let mm = 0;
  if (cursor < end) {
    const colon = text.charCodeAt(cursor) === 58;
    mm = readFixed(text, colon ? cursor + 1 : cursor, end, 2);
    if (mm < 0 || mm > 59) return null;
  }
  const offset = (hh * 60 + mm) * 60_000;
  if (offset > 18 * 3_600_000) return null;
  return c === 45 ? -offset : offset;
}
