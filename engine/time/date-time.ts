// DATE and TIME values (engine/types.ts): a DATE is a day number (days since 1970-01-01, negative
// before it), a TIME the milliseconds since midnight. Calendar arithmetic is done on day numbers
// with the proleptic Gregorian calendar, as Flink's (Calcite's) DateTimeUtils does, and never with
// JS Date: Date.UTC reads years 0-99 as 1900-1999, and a day number needs no time zone.

import { civilFromEpochDay, daysInMonth, epochDayFromCivil, MS_PER_DAY } from './sql-timestamp.js';

export { MS_PER_DAY };

/** The day number of a calendar date (any year; month 1-12, day 1-31 not checked). */
export const daysFromCivil = epochDayFromCivil;

/** The calendar date of a day number: [year, month 1-12, day 1-31]. */
export function civilFromDays(days: number): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0];
  civilFromEpochDay(days, out);
  return out;
}

/** The same day `months` later, clamped to that month's last day (Calcite's addMonths). */
export function addMonthsToDay(days: number, months: number): number {
  const [y, m, d] = civilFromDays(days);
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  return daysFromCivil(year, month, Math.min(d, daysInMonth(year, month)));
}

/** Epoch milliseconds -> its day number (floor: 1969-12-31 23:00 is day -1). */
export function epochDayOf(ms: number): number {
  return Math.floor(ms / MS_PER_DAY);
}

/** Epoch milliseconds -> milliseconds since that day's midnight. */
export function timeOfDay(ms: number): number {
  return ms - Math.floor(ms / MS_PER_DAY) * MS_PER_DAY;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** A year as Java's LocalDate prints it: four digits at least, a sign beyond 9999 or below 0. */
function yearText(y: number): string {
  if (y >= 0 && y <= 9999) return pad(y, 4);
  return y < 0 ? `-${pad(-y, 4)}` : `+${y}`;
}

/** A DATE as Flink writes it: `2024-03-01`. */
export function formatDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${yearText(y)}-${pad(m, 2)}-${pad(d, 2)}`;
}

/**
 * A TIME as Flink writes it: `HH:mm:ss`, and for TIME(p) with p > 0 the fraction with p digits
 * (milliseconds are held, so digits past the third are zeros).
 */
export function formatTime(ms: number, precision = 0): string {
  const h = Math.floor(ms / 3_600_000);
  const mi = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const base = `${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}`;
  if (precision <= 0) return base;
  return `${base}.${pad(ms % 1000, 3)
    .padEnd(precision, '0')
    .slice(0, precision)}`;
}

const INT_RE = /^[+-]?\d+$/;

function intPart(text: string): number | null {
  const t = text.trim();
  return INT_RE.test(t) ? Number(t) : null;
}

/**
 * Date text as Flink's CAST(s AS DATE) and TO_DATE(s) read it (DateTimeUtils.parseDate): what comes
 * before the first space, as `y[-m[-d]]` of whole numbers, a date that exists; null otherwise.
 */
export function parseDate(text: string): number | null {
  let s = text.trim();
  const space = s.indexOf(' ');
  if (space > 0) s = s.slice(0, space);
  const parts = s.split('-');
  // A leading minus is the year's sign, not a separator.
  if (parts[0] === '' && parts.length > 1) parts.splice(0, 2, '-' + parts[1]);
  if (parts.length > 3) return null;
  const y = intPart(parts[0]!);
  const m = parts.length > 1 ? intPart(parts[1]!) : 1;
  const d = parts.length > 2 ? intPart(parts[2]!) : 1;
  if (y === null || m === null || d === null) return null;
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return daysFromCivil(y, m, d);
}

/**
 * Time text as Flink's CAST(s AS TIME) reads it: `H[:m[:s[.fraction]]]` of whole numbers within
 * the day, milliseconds kept (a TIME(0) cast cuts them); null otherwise.
 */
export function parseTime(text: string): number | null {
  const s = text.trim();
  const m = /^(\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?$/.exec(s);
  if (!m) return null;
  const h = Number(m[1]);
  const mi = m[2] === undefined ? 0 : Number(m[2]);
  const sec = m[3] === undefined ? 0 : Number(m[3]);
  if (h > 23 || mi > 59 || sec > 59) return null;
  const ms = m[4] === undefined ? 0 : Number(m[4].padEnd(3, '0').slice(0, 3));
  return ((h * 60 + mi) * 60 + sec) * 1000 + ms;
}

/** Milliseconds since midnight cut to a TIME(p)'s precision (p < 3 drops digits). */
export function truncateTime(ms: number, precision: number): number {
  if (precision >= 3) return ms;
  const unit = 10 ** (3 - precision);
  return Math.floor(ms / unit) * unit;
}
