// EXTRACT(unit FROM ts) and its shorthands (YEAR(ts), HOUR(ts) ...) on epoch milliseconds, in UTC
// (the session time zone fintrans-sql runs with, as TIMESTAMP_LTZ is shown in Flink under UTC).

import { UNIT_MS } from '../time/units.js';
import { addMonthsToDay, civilFromDays, daysFromCivil } from '../time/date-time.js';

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

/** ISO-8601 week of the year of a day number: weeks start on Monday, week 1 holds the year's first Thursday. */
function isoWeek(days: number): number {
  const dow = (((days + 3) % 7) + 7) % 7; // Monday 0 .. Sunday 6 (1970-01-01 was a Thursday)
  const thursday = days + (3 - dow);
  const yearStart = daysFromCivil(civilFromDays(thursday)[0], 1, 1);
  return Math.floor((thursday - yearStart) / 7) + 1;
}

/** One calendar field of a DATE (a day number); `unit` is a date unit of EXTRACT_UNITS. */
export function extractDateField(unit: ExtractUnit): (days: number) => number {
  switch (unit) {
    case 'YEAR':
      return (days) => civilFromDays(days)[0];
    case 'QUARTER':
      return (days) => Math.floor((civilFromDays(days)[1] - 1) / 3) + 1;
    case 'MONTH':
      return (days) => civilFromDays(days)[1];
    case 'WEEK':
      return isoWeek;
    case 'DAY':
      return (days) => civilFromDays(days)[2];
    case 'DOY':
      return (days) => days - daysFromCivil(civilFromDays(days)[0], 1, 1) + 1;
    case 'DOW':
      return (days) => ((((days + 4) % 7) + 7) % 7) + 1; // Sunday 1 .. Saturday 7
    case 'HOUR':
    case 'MINUTE':
    case 'SECOND':
      return () => 0;
  }
}

/** Milliseconds of each time-of-day unit, and of the unit above it (Flink's getFactor). */
const TIME_UNIT: Partial<Record<ExtractUnit, readonly [number, number]>> = {
  HOUR: [UNIT_MS.HOUR, DAY_MS],
  MINUTE: [UNIT_MS.MINUTE, UNIT_MS.HOUR],
  SECOND: [UNIT_MS.SECOND, UNIT_MS.MINUTE],
};

/**
 * One field of a timestamp; `unit` is one of EXTRACT_UNITS. As Flink's DateTimeUtils.extractFromTimestamp
 * computes it, with Java's long division and remainder: both truncate toward zero, so an instant
 * before 1970 that is not on a whole day counts from the next day (1969-12-31 00:00:00.5 is in 1970,
 * its SECOND is -59 and its HOUR -23). Flink's own results, reproduced.
 */
export function extractField(unit: ExtractUnit): (ms: number) => number {
  const time = TIME_UNIT[unit];
  if (time) {
    const [unitMs, factor] = time;
    return (ms) => Math.trunc((ms % factor) / unitMs);
  }
  const field = extractDateField(unit);
  return (ms) => field(Math.trunc(ms / DAY_MS));
}

/** One field of a TIME (milliseconds since midnight): HOUR, MINUTE or SECOND. */
export function extractTimeField(unit: ExtractUnit): (ms: number) => number {
  const time = TIME_UNIT[unit];
  if (!time) return () => 0;
  const [unitMs, factor] = time;
  return (ms) => Math.floor((ms % factor) / unitMs);
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
  const day = epochDay(ms);
  return addMonthsToDay(day, months) * DAY_MS + (ms - day * DAY_MS);
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
