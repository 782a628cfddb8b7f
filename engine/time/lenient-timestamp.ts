// Flink's lenient timestamp texts, as Java's older APIs read them (all results epoch ms in UTC, the
// session zone):
// - TO_TIMESTAMP(s, pattern) falls back to java.sql.Timestamp.valueOf (text with a space) or
//   java.sql.Date.valueOf (a bare date) when the pattern does not parse the text. Both read loose
//   digits and roll impossible values over (2017-02-30 is March 2nd, 24:00:00 the next day).
// - TO_TIMESTAMP(s) without a pattern reads Flink's default layout `yyyy-[M]M-[d]d[ [H]H:[m]m:[s]s[.fff]]`
//   with java.time's SMART resolver: Feb 30 becomes Feb 28, 24:00:00 the next day.

import { MS_PER_DAY, daysInMonth, epochDayFromCivil } from './sql-timestamp.js';

const INT_MAX = 2147483647;

/** Java's Integer.parseInt of text[from, to): an optional sign and digits, within int; null otherwise. */
export function javaParseInt(text: string, from: number, to: number): number | null {
  let i = from;
  let negative = false;
  const c0 = text.charCodeAt(i);
  if (c0 === 45 /* - */ || c0 === 43 /* + */) {
    negative = c0 === 45;
    i++;
  }
  if (i >= to) return null;
  let v = 0;
  for (; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
    if (v > INT_MAX + 1) return null;
  }
  if (negative) v = -v;
  return v > INT_MAX || v < -INT_MAX - 1 ? null : v + 0;
}

/**
 * Epoch ms of fields that a lenient java.util calendar rolls over: month 13 is next January, day 0
 * the last day of the month before, hour 25 one o'clock the next day.
 */
export function lenientEpochMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  milli: number,
): number {
  const m0 = month - 1;
  const y = year + Math.floor(m0 / 12);
  const m = (((m0 % 12) + 12) % 12) + 1;
  const epochDay = epochDayFromCivil(y, m, 1) + day - 1;
  return epochDay * MS_PER_DAY + hour * 3_600_000 + minute * 60_000 + second * 1000 + milli;
}

/**
 * java.sql.Timestamp.valueOf(text.trim()) for text with a space, else java.sql.Date.valueOf (at
 * midnight), as Flink's TO_TIMESTAMP(s, pattern) falls back to them; null where they throw.
 */
export function parseJavaSqlTimestamp(raw: string): number | null {
  const s = raw.trim();
  const space = s.indexOf(' ');
  return space < 0 ? javaSqlDate(s) : javaSqlTimestamp(s, space);
}

function javaSqlDate(s: string): number | null {
  const firstDash = s.indexOf('-');
  const secondDash = s.indexOf('-', firstDash + 1);
  const len = s.length;
  if (!(firstDash > 0 && secondDash > 0 && secondDash < len - 1)) return null;
  if (
    firstDash !== 4 ||
    secondDash - firstDash <= 1 ||
    secondDash - firstDash > 3 ||
    len - secondDash <= 1 ||
    len - secondDash > 3
  )
    return null;
  const year = javaParseInt(s, 0, firstDash);
  const month = javaParseInt(s, firstDash + 1, secondDash);
  const day = javaParseInt(s, secondDash + 1, len);
  if (year === null || month === null || day === null || month < 1 || month > 12 || day < 1 || day > 31)
    return null;
  return lenientEpochMs(year, month, day, 0, 0, 0, 0);
}

function javaSqlTimestamp(s: string, space: number): number | null {
  const date = s.slice(0, space);
  const time = s.slice(space + 1);
  const firstDash = date.indexOf('-');
  const secondDash = date.indexOf('-', firstDash + 1);
  if (!(firstDash > 0 && secondDash > 0 && secondDash < date.length - 1)) return null;
  const mmLen = secondDash - firstDash - 1;
  const ddLen = date.length - secondDash - 1;
  if (firstDash !== 4 || mmLen < 1 || mmLen > 2 || ddLen < 1 || ddLen > 2) return null;
  const year = javaParseInt(date, 0, firstDash);
  const month = javaParseInt(date, firstDash + 1, secondDash);
  const day = javaParseInt(date, secondDash + 1, date.length);
  if (year === null || month === null || day === null || month < 1 || month > 12 || day < 1 || day > 31)
    return null;

  const firstColon = time.indexOf(':');
  const secondColon = time.indexOf(':', firstColon + 1);
  const len = time.length;
  if (!(firstColon > 0 && secondColon > 0 && secondColon < len - 1)) return null;
  const period = time.indexOf('.', secondColon + 1);
  const hour = javaParseInt(time, 0, firstColon);
  const minute = javaParseInt(time, firstColon + 1, secondColon);
  let second: number | null;
  let milli = 0;
  if (period > 0 && period < len - 1) {
    second = javaParseInt(time, secondColon + 1, period);
    const digits = len - (period + 1);
    const c = time.charCodeAt(period + 1);
    if (digits > 9 || c < 48 || c > 57) return null;
    const nanos = javaParseInt(time, period + 1, len);
    if (nanos === null) return null;
    milli = Math.floor((nanos * 10 ** (9 - digits)) / 1_000_000);
  } else if (period > 0) {
    return null;
  } else {
    second = javaParseInt(time, secondColon + 1, len);
  }
  if (hour === null || minute === null || second === null) return null;
  return lenientEpochMs(year, month, day, hour, minute, second, milli);
}

// ---------------------------------------------------------------------------------------------

function digitsAt(text: string, pos: number): number {
  let j = pos;
  while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
  return j - pos;
}

let at = 0;

/** `[XX][X]`: two digits if there are two, else one or more (a third digit conflicts); -1 if none. */
function readLoose(text: string, pos: number): number {
  const n = digitsAt(text, pos);
  if (n === 0 || n > 2) return -1; // [MM] then [M] reading more digits would set the field twice, differently
  at = pos + n;
  return n === 1
    ? text.charCodeAt(pos) - 48
    : (text.charCodeAt(pos) - 48) * 10 + text.charCodeAt(pos + 1) - 48;
}

/** The optional time section at `pos` (a space, H:m:s, an optional fraction); -1 when it does not match. */
function readTimeSection(text: string, pos: number, out: number[]): number {
  if (text.charCodeAt(pos) !== 32) return -1;
  const hour = readLoose(text, pos + 1);
  if (hour < 0 || text.charCodeAt(at) !== 58 /* : */) return -1;
  const minute = readLoose(text, at + 1);
  if (minute < 0 || text.charCodeAt(at) !== 58) return -1;
  const second = readLoose(text, at + 1);
  if (second < 0) return -1;
  let end = at;
  let milli = 0;
  if (text.charCodeAt(end) === 46 /* . */) {
    const n = digitsAt(text, end + 1);
    if (n > 9) return -1;
    for (let i = 0; i < 3; i++) milli = milli * 10 + (i < n ? text.charCodeAt(end + 1 + i) - 48 : 0);
    end += 1 + n;
  }
  out[0] = hour;
  out[1] = minute;
  out[2] = second;
  out[3] = milli;
  return end;
}

const timeFields = [0, 0, 0, 0];

/**
 * TO_TIMESTAMP(s) without a pattern, as Flink 1.20 reads it: `yyyy-[M]M-[d]d`, optionally followed
 * by ` [H]H:[m]m:[s]s` and a fraction, nothing else. Resolved like java.time's SMART style: a day
 * beyond the month's end is its last day (2017-02-30 is 2017-02-28), 24:00:00 is the next midnight.
 */
export function parseDefaultTimestamp(text: string): number | null {
  if (digitsAt(text, 0) !== 4 || text.charCodeAt(4) !== 45 /* - */) return null;
  const year =
    (text.charCodeAt(0) - 48) * 1000 +
    (text.charCodeAt(1) - 48) * 100 +
    (text.charCodeAt(2) - 48) * 10 +
    (text.charCodeAt(3) - 48);
  const month = readLoose(text, 5);
  if (month < 0 || text.charCodeAt(at) !== 45) return null;
  const day = readLoose(text, at + 1);
  if (day < 0) return null;
  let end = at;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let milli = 0;
  if (end < text.length) {
    end = readTimeSection(text, end, timeFields);
    if (end !== text.length) return null;
    [hour, minute, second, milli] = timeFields as [number, number, number, number];
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || minute > 59 || second > 59) return null;
  let extraDay = 0;
  if (hour === 24) {
    if (minute !== 0 || second !== 0 || milli !== 0) return null;
    hour = 0;
    extraDay = 1;
  } else if (hour > 23) {
    return null;
  }
  const d = Math.min(day, daysInMonth(year, month));
  return (
    (epochDayFromCivil(year, month, d) + extraDay) * MS_PER_DAY +
    hour * 3_600_000 +
    minute * 60_000 +
    second * 1000 +
    milli
  );
}
