// DATE and TIME values (engine/time/date-time.ts): day numbers and milliseconds of the day, the
// calendar arithmetic on them, and the text Flink reads and writes, at the edges the conformance
// data reaches only in part (year 0, far dates, invalid days); and Flink's own truncating EXTRACT
// on timestamps before 1970 next to the calendar fields of a DATE.
import { describe, expect, it } from 'vitest';
import {
  addMonthsToDay,
  civilFromDays,
  daysFromCivil,
  formatDate,
  formatTime,
  parseDate,
  parseTime,
  truncateTime,
} from '../../engine/time/date-time.js';
import { extractDateField, extractField, extractTimeField } from '../../engine/exec/functions-time.js';
import { castFunction } from '../../engine/exec/functions.js';
import { T } from '../../engine/types.js';
import { valueToText } from '../../engine/values.js';

const day = (text: string): number => parseDate(text)!;

describe('DATE as a day number', () => {
  it('round-trips every day from year 0 to 9999 through its calendar date', () => {
    for (let d = daysFromCivil(0, 1, 1); d <= daysFromCivil(9999, 12, 31); d += 997) {
      const [y, m, dd] = civilFromDays(d);
      expect(daysFromCivil(y, m, dd)).toBe(d);
      expect(parseDate(formatDate(d))).toBe(d);
    }
  });
  it('counts from 1970-01-01, negative before it, years below 100 as written (not 19xx)', () => {
    expect(day('1970-01-01')).toBe(0);
    expect(day('1969-12-31')).toBe(-1);
    expect(formatDate(day('0001-01-01'))).toBe('0001-01-01');
    expect(formatDate(day('0099-07-04'))).toBe('0099-07-04');
    expect(formatDate(day('0001-01-01') - 40)).toBe('0000-11-22');
  });
  it('reads text as Flink casts it: lenient digits, the part before a space, real days only', () => {
    expect(formatDate(day('2024-3-1'))).toBe('2024-03-01');
    expect(formatDate(day(' 2024-01-05 10:00:00'))).toBe('2024-01-05');
    expect(parseDate('2024-02-30')).toBeNull();
    expect(parseDate('2023-02-29')).toBeNull();
    expect(parseDate('2024-13-01')).toBeNull();
    expect(parseDate('garbage')).toBeNull();
    expect(formatDate(day('2024-02-29'))).toBe('2024-02-29');
  });
  it('adds months with the day clamped to the month end, as Calcite', () => {
    expect(formatDate(addMonthsToDay(day('2017-01-31'), 1))).toBe('2017-02-28');
    expect(formatDate(addMonthsToDay(day('2020-02-29'), -12))).toBe('2019-02-28');
    expect(formatDate(addMonthsToDay(day('0001-01-01'), -12))).toBe('0000-01-01');
  });
  it('extracts calendar fields of any date (no truncation: a DATE has no time)', () => {
    const d = day('1600-12-31');
    expect(extractDateField('YEAR')(d)).toBe(1600);
    expect(extractDateField('DOW')(d)).toBe(1); // a Sunday in the proleptic Gregorian calendar
    expect(extractDateField('DOY')(d)).toBe(366);
    expect(extractDateField('WEEK')(d)).toBe(52);
    expect(extractDateField('DOW')(day('0001-01-01'))).toBe(2);
    expect(extractDateField('WEEK')(day('2021-01-03'))).toBe(53);
  });
});

describe('TIME as milliseconds of the day', () => {
  it('reads and writes HH:mm:ss, the fraction only for TIME(p > 0)', () => {
    expect(parseTime('10:11:12.345')).toBe(36_672_345);
    expect(formatTime(36_672_345, 0)).toBe('10:11:12');
    expect(formatTime(36_672_345, 3)).toBe('10:11:12.345');
    expect(formatTime(truncateTime(36_672_345, 1), 1)).toBe('10:11:12.3');
    expect(parseTime('24:00:00')).toBeNull();
    expect(parseTime('10:60:00')).toBeNull();
    expect(extractTimeField('HOUR')(parseTime('23:59:59')!)).toBe(23);
    expect(valueToText(parseTime('08:30:00'), T.time(0))).toBe('08:30:00');
  });
});

describe("Flink's arithmetic on timestamps before 1970 (reproduced, see conformance dates_and_times)", () => {
  const ms = Date.UTC(1969, 11, 31, 10, 0, 1); // 1969-12-31 10:00:01
  it('EXTRACT divides toward zero: the instant counts in 1970-01-01, its time fields are negative', () => {
    expect(extractField('YEAR')(ms)).toBe(1970);
    expect(extractField('DAY')(ms)).toBe(1);
    expect(extractField('HOUR')(ms)).toBe(-13);
    expect(extractField('SECOND')(ms)).toBe(-59);
    expect(extractField('YEAR')(Date.UTC(1969, 11, 31))).toBe(1969); // midnight divides exactly
  });
  it('CAST to DATE divides toward zero; CAST to TIME of such an instant is a failed cast (Flink fails the job)', () => {
    const toDate = castFunction(T.timestamp(3), T.date())!;
    expect(formatDate(toDate(ms) as number)).toBe('1970-01-01');
    expect(formatDate(toDate(Date.UTC(1969, 11, 31)) as number)).toBe('1969-12-31');
    expect(castFunction(T.timestamp(3), T.time(0))!(ms)).toBeNull();
    expect(castFunction(T.timestamp(3), T.time(0))!(Date.UTC(2017, 0, 1, 10, 0, 0, 250))).toBe(36_000_000);
  });
  it('CAST(TIME(3) AS STRING) writes whole seconds, as Flink', () => {
    expect(castFunction(T.time(3), T.string())!(36_672_345)).toBe('10:11:12');
  });
});
