// EXTRACT(unit FROM ts) and its shorthands (YEAR(ts), HOUR(ts) ...) on epoch milliseconds, in UTC
// (the session time zone fintrans-sql runs with, as TIMESTAMP_LTZ is shown in Flink under UTC).

import { UNIT_MS } from '../time/units.js';

/** The units EXTRACT reads, as Flink names them; DOW counts Sunday as 1, DOY January 1st as 1, WEEK is ISO-8601. */
export const EXTRACT_UNITS = [
  'YEAR',
  'QUARTER',
  'MONTH',
  'WEEK',
  'DAY',
  'DOY',
  'DOW',
  'HOUR',
  'MINUTE',
  'SECOND',
] as const;
export type ExtractUnit = (typeof EXTRACT_UNITS)[number];

const DAY_MS = UNIT_MS.DAY;

/** Days since 1970-01-01 of a UTC instant (floor, so instants before 1970 count right). */
function epochDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** ISO-8601 week of the year: weeks start on Monday, week 1 holds the year's first Thursday. */
function isoWeek(d: Date): number {
  const day = (d.getUTCDay() + 6) % 7; // Monday 0 .. Sunday 6
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) + (3 - day) * DAY_MS;
  const yearStart = Date.UTC(new Date(thursday).getUTCFullYear(), 0, 1);
  return Math.floor((thursday - yearStart) / (7 * DAY_MS)) + 1;
}

/** One field of a timestamp; `unit` is one of EXTRACT_UNITS. */
export function extractField(unit: ExtractUnit): (ms: number) => number {
  switch (unit) {
    case 'YEAR':
      return (ms) => new Date(ms).getUTCFullYear();
    case 'QUARTER':
      return (ms) => Math.floor(new Date(ms).getUTCMonth() / 3) + 1;
    case 'MONTH':
      return (ms) => new Date(ms).getUTCMonth() + 1;
    case 'WEEK':
      return (ms) => isoWeek(new Date(ms));
    case 'DAY':
      return (ms) => new Date(ms).getUTCDate();
    case 'DOY':
      return (ms) => epochDay(ms) - epochDay(Date.UTC(new Date(ms).getUTCFullYear(), 0, 1)) + 1;
    case 'DOW':
      return (ms) => new Date(ms).getUTCDay() + 1;
    case 'HOUR':
      return (ms) => new Date(ms).getUTCHours();
    case 'MINUTE':
      return (ms) => new Date(ms).getUTCMinutes();
    case 'SECOND':
      return (ms) => new Date(ms).getUTCSeconds();
  }
}

/** The units TIMESTAMPADD / TIMESTAMPDIFF take: fixed lengths in ms, or calendar months. */
export const TIMESTAMP_UNITS = [
  'SECOND',
  'MINUTE',
  'HOUR',
  'DAY',
  'WEEK',
  'MONTH',
  'QUARTER',
  'YEAR',
] as const;
export type TimestampUnit = (typeof TIMESTAMP_UNITS)[number];

const FIXED_MS: Partial<Record<TimestampUnit, number>> = {
  SECOND: UNIT_MS.SECOND,
  MINUTE: UNIT_MS.MINUTE,
  HOUR: UNIT_MS.HOUR,
  DAY: UNIT_MS.DAY,
  WEEK: UNIT_MS.WEEK,
};
const UNIT_MONTHS: Partial<Record<TimestampUnit, number>> = { MONTH: 1, QUARTER: 3, YEAR: 12 };

/** Calcite's addMonths: the same day and time `months` later, the day clamped to the month's last. */
function addMonths(ms: number, months: number): number {
  const timeOfDay = ((ms % DAY_MS) + DAY_MS) % DAY_MS;
  const d = new Date(ms - timeOfDay);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(d.getUTCDate(), lastDay)) + timeOfDay;
}

/** Calcite's subtractMonths on dates (day numbers): whole months from date1 to date0, symmetric in sign. */
function monthsBetweenDays(day0: number, day1: number): number {
  if (day0 < day1) return -monthsBetweenDays(day1, day0);
  // No month has more than 31 days: the estimate is at most the answer.
  let m = Math.trunc((day0 - day1) / 31);
  for (;;) {
    if (epochDay(addMonths(day1 * DAY_MS, m)) >= day0) return m;
    if (epochDay(addMonths(day1 * DAY_MS, m + 1)) > day0) return m;
    m++;
  }
}

/**
 * Calcite's subtractMonths on timestamps: the months between the dates, one fewer when the dates
 * are whole months apart but `to`'s time of day is earlier than `from`'s (in either direction).
 */
function monthsBetween(to: number, from: number): number {
  const day0 = epochDay(to);
  const day1 = epochDay(from);
  let x = monthsBetweenDays(day0, day1);
  if (epochDay(addMonths(day1 * DAY_MS, x)) === day0 && to - day0 * DAY_MS < from - day1 * DAY_MS) x--;
  return x;
}

/** TIMESTAMPADD(unit, n, ts). */
export function timestampAdd(unit: TimestampUnit): (n: number, ms: number) => number {
  const fixed = FIXED_MS[unit];
  if (fixed !== undefined) return (n, ms) => ms + n * fixed;
  const months = UNIT_MONTHS[unit]!;
  return (n, ms) => addMonths(ms, n * months);
}

/** TIMESTAMPDIFF(unit, from, to): whole units from `from` to `to`, truncated toward zero (an INT). */
export function timestampDiff(unit: TimestampUnit): (from: number, to: number) => number {
  const fixed = FIXED_MS[unit];
  if (fixed !== undefined) return (from, to) => Math.trunc((to - from) / fixed) | 0;
  const months = UNIT_MONTHS[unit]!;
  return (from, to) => Math.trunc(monthsBetween(to, from) / months) | 0;
}
