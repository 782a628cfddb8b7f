// One table of time units: how many milliseconds each unit is, and the words each kind of text
// spells them with. Every place that turns a unit word into milliseconds reads it here; each keeps
// its own set of accepted words (and its own messages), listed below by where it is used.

/** Milliseconds per fixed-length unit (MONTH, QUARTER and YEAR have no fixed length). */
export const UNIT_MS = {
  MILLISECOND: 1,
  SECOND: 1000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
  WEEK: 604_800_000,
} as const;

export type FixedTimeUnit = keyof typeof UNIT_MS;

/**
 * SQL interval units as the window functions and INTERVAL literals take them (`INTERVAL '10'
 * MINUTES`): MILLISECOND to DAY, singular or plural, upper case, in this order (did-you-mean
 * candidates). No WEEK: Flink's interval literals have none.
 */
export const SQL_INTERVAL_UNIT_MS: Readonly<Record<string, number>> = {
  MILLISECOND: UNIT_MS.MILLISECOND,
  MILLISECONDS: UNIT_MS.MILLISECOND,
  SECOND: UNIT_MS.SECOND,
  SECONDS: UNIT_MS.SECOND,
  MINUTE: UNIT_MS.MINUTE,
  MINUTES: UNIT_MS.MINUTE,
  HOUR: UNIT_MS.HOUR,
  HOURS: UNIT_MS.HOUR,
  DAY: UNIT_MS.DAY,
  DAYS: UNIT_MS.DAY,
};

/**
 * Duration units in option values and SET values ('10s', '500 ms', '2 min', '1h'), lower case, in
 * the style of Flink's configuration durations (engine/options.ts). The generator's flags take
 * only ms, s, m, h and d (app/cli/generate.ts).
 */
export const DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  ms: UNIT_MS.MILLISECOND,
  milli: UNIT_MS.MILLISECOND,
  millis: UNIT_MS.MILLISECOND,
  millisecond: UNIT_MS.MILLISECOND,
  milliseconds: UNIT_MS.MILLISECOND,
  s: UNIT_MS.SECOND,
  sec: UNIT_MS.SECOND,
  secs: UNIT_MS.SECOND,
  second: UNIT_MS.SECOND,
  seconds: UNIT_MS.SECOND,
  m: UNIT_MS.MINUTE,
  min: UNIT_MS.MINUTE,
  mins: UNIT_MS.MINUTE,
  minute: UNIT_MS.MINUTE,
  minutes: UNIT_MS.MINUTE,
  h: UNIT_MS.HOUR,
  hour: UNIT_MS.HOUR,
  hours: UNIT_MS.HOUR,
  d: UNIT_MS.DAY,
  day: UNIT_MS.DAY,
  days: UNIT_MS.DAY,
};
