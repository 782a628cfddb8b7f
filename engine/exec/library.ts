// Scalar functions whose code is one helper call: their runtime side. The planner binds them
// (engine/plan/builtins.ts: arity, types, literal arguments checked there); the compiler
// (engine/exec/compile.ts) calls `make` once per call site and the result once per row.

import {
  concatWs,
  initcap,
  lpad,
  makeRegexpExtract,
  makeRegexpReplace,
  makeRegexpTest,
  md5,
  position,
  replace,
  rpad,
  sha256,
  splitIndex,
} from './functions-string.js';
import { compileLenientParser } from '../time/simple-date-format.js';
import { epochDayOf, MS_PER_DAY, timeOfDay, truncateTime } from '../time/date-time.js';
import {
  extractDateField,
  extractTimeField,
  extractField,
  timestampAdd,
  timestampDiff,
  type ExtractUnit,
  type TimestampUnit,
} from './functions-time.js';
import { nowMillis } from './functions.js';
import { longToDouble, type Long } from '../int64.js';
import { makeJsonExists, makeJsonQuery, makeJsonValue } from './functions-json.js';

export interface LibraryEntry {
  /**
   * Whether a null argument makes the result null without a call (the generated code tests the
   * arguments); when false the helper gets the nulls itself.
   */
  readonly strict: boolean;
  /**
   * The helper for one call site; literal arguments (patterns, units) are read here, once. `args`
   * are the call's bound arguments (engine/plan/expr.ts's Expr, not imported: that module names
   * these functions from here).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- arguments of the SQL types the planner checked for this function
  make(args: readonly object[]): (...values: any[]) => unknown;
}

/** The text of a STRING literal argument (the planner requires a literal there). */
function literalText(e: object | undefined): string {
  return String((e as { value: unknown }).value);
}

/** A whole-number argument as a JS number (a BIGINT may arrive as a bigint). */
const num = (n: Long): number => (typeof n === 'number' ? n : longToDouble(n));

/** A helper of the first argument only (the others are literals read by `make`). */
const withText =
  <R>(fn: (text: string) => R) =>
  (text: string) =>
    fn(text);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see LibraryEntry.make
const strict = (fn: (...values: any[]) => unknown): LibraryEntry => ({ strict: true, make: () => fn });

export const LIBRARY = {
  CONCAT_WS: { strict: false, make: () => concatWs },
  REPLACE: strict(replace),
  LPAD: strict((s: string, n: Long, pad: string) => lpad(s, num(n), pad)),
  RPAD: strict((s: string, n: Long, pad: string) => rpad(s, num(n), pad)),
  POSITION: strict(position),
  INITCAP: strict(initcap),
  SPLIT_INDEX: strict((s: string, sep: string, i: Long) => splitIndex(s, sep, num(i))),
  MD5: strict(md5),
  SHA256: strict(sha256),
  // args: [s, pattern literal]
  REGEXP: { strict: true, make: (args) => makeRegexpTest(literalText(args[1])) },
  // args: [s, pattern literal, group]
  REGEXP_EXTRACT: {
    strict: true,
    make: (args) => {
      const extract = makeRegexpExtract(literalText(args[1]));
      return (s: string, _pattern: string, group: Long) => extract(s, num(group));
    },
  },
  // args: [s, pattern literal, replacement]
  REGEXP_REPLACE: {
    strict: true,
    make: (args) => {
      const replaceAll = makeRegexpReplace(literalText(args[1]));
      return (s: string, _pattern: string, replacement: string) => replaceAll(s, replacement);
    },
  },
  // args: [unit literal, timestamp]
  EXTRACT: {
    strict: true,
    make: (args) => {
      const field = extractField(literalText(args[0]) as ExtractUnit);
      return (_unit: string, ms: number) => field(ms);
    },
  },
  // args: [unit literal, n, timestamp]
  TIMESTAMPADD: {
    strict: true,
    make: (args) => {
      const add = timestampAdd(literalText(args[0]) as TimestampUnit);
      return (_unit: string, n: Long, ms: number) => add(num(n), ms);
    },
  },
  // args: [unit literal, from, to]
  TIMESTAMPDIFF: {
    strict: true,
    make: (args) => {
      const diff = timestampDiff(literalText(args[0]) as TimestampUnit);
      return (_unit: string, from: number, to: number) => diff(from, to);
    },
  },
  // no args: the wall clock in epoch ms (CURRENT_TIMESTAMP, NOW(), LOCALTIMESTAMP, PROCTIME())
  CURRENT_TIMESTAMP: strict(nowMillis),
  // DATE and TIME (engine/time/date-time.ts), in UTC as the clock functions above
  CURRENT_DATE: strict(() => epochDayOf(nowMillis())),
  CURRENT_TIME: strict(() => truncateTime(timeOfDay(nowMillis()), 0)),
  // args: [unit literal, date]
  EXTRACT_DATE: {
    strict: true,
    make: (args) => {
      const field = extractDateField(literalText(args[0]) as ExtractUnit);
      return (_unit: string, days: number) => field(days);
    },
  },
  // args: [unit literal, time]
  EXTRACT_TIME: {
    strict: true,
    make: (args) => {
      const field = extractTimeField(literalText(args[0]) as ExtractUnit);
      return (_unit: string, ms: number) => field(ms);
    },
  },
  // args: [date, interval ms]: whole days of the interval (Java's long division, toward zero)
  DATE_PLUS_INTERVAL: strict((days: number, ms: number) => days + Math.trunc(ms / MS_PER_DAY)),
  // args: [time, interval ms]: around the clock
  TIME_PLUS_INTERVAL: strict(
    (t: number, ms: number) => (((t + (ms % MS_PER_DAY)) % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY,
  ),
  // args: [unit literal, n, date]: DAY, WEEK, MONTH, QUARTER, YEAR
  DATE_ADD_UNITS: {
    strict: true,
    make: (args) => {
      const add = timestampAdd(literalText(args[0]) as TimestampUnit);
      return (_unit: string, n: Long, days: number) => epochDayOf(add(num(n), days * MS_PER_DAY));
    },
  },
  // args: [text, pattern literal]: the date of the text read as SimpleDateFormat (leniently) reads it
  TO_DATE_PATTERN: {
    strict: true,
    make: (args) => {
      const parse = compileLenientParser(literalText(args[1]));
      return (text: string) => {
        const ms = parse(text);
        return ms === null ? null : epochDayOf(ms);
      };
    },
  },
  // args: [json text, path literal]
  JSON_VALUE: { strict: true, make: (args) => withText(makeJsonValue(literalText(args[1]))) },
  JSON_EXISTS: { strict: true, make: (args) => withText(makeJsonExists(literalText(args[1]))) },
  JSON_QUERY: { strict: true, make: (args) => withText(makeJsonQuery(literalText(args[1]))) },
} satisfies Record<string, LibraryEntry>;

export type LibraryFunction = keyof typeof LIBRARY;

export function isLibraryFunction(fn: string): fn is LibraryFunction {
  return Object.prototype.hasOwnProperty.call(LIBRARY, fn);
}
