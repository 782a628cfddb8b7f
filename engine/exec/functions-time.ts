// EXTRACT(unit FROM ts) and its shorthands (YEAR(ts), HOUR(ts) ...) on epoch milliseconds, in UTC
// (the session time zone fintrans-sql runs with, as TIMESTAMP_LTZ is shown in Flink under UTC).

/** The units EXTRACT reads, as Flink names them; DOW counts Sunday as 1, DOY January 1st as 1, WEEK is ISO-8601. */
export const EXTRACT_UNITS = ['YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'DOY', 'DOW', 'HOUR', 'MINUTE', 'SECOND'] as const;
export type ExtractUnit = (typeof EXTRACT_UNITS)[number];

const DAY_MS = 86_400_000;

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
