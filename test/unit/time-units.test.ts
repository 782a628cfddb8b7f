// The one table of time units (engine/time/units.ts) and the words each caller takes from it:
// option and SET durations, SQL intervals in window functions and in expressions, TIMESTAMPADD.
import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../engine/options.js';
import { DURATION_UNIT_MS, SQL_INTERVAL_UNIT_MS, UNIT_MS } from '../../engine/time/units.js';
import { intervalMs } from '../../engine/plan/bind.js';
import { timestampAdd } from '../../engine/exec/functions-time.js';
import { parseSqlFile } from '../../engine/sql/parse.js';

describe('time units', () => {
  it('option durations take the same words as before the table was shared', () => {
    const cases: [string, number][] = [
      ['1500', 1500],
      ['2ms', 2],
      ['2 milli', 2],
      ['2 millis', 2],
      ['2 millisecond', 2],
      ['2 milliseconds', 2],
      ['3s', 3000],
      ['3 sec', 3000],
      ['3 secs', 3000],
      ['3 second', 3000],
      ['3 seconds', 3000],
      ['4m', 240_000],
      ['4 min', 240_000],
      ['4 mins', 240_000],
      ['4 minute', 240_000],
      ['4 minutes', 240_000],
      ['1h', 3_600_000],
      ['1 hour', 3_600_000],
      ['2 hours', 7_200_000],
      ['1d', 86_400_000],
      ['1 day', 86_400_000],
      ['2 days', 172_800_000],
      ['1.5s', 1500],
      ['10 S', 10_000],
      ['2 MIN', 120_000],
    ];
    for (const [text, ms] of cases) expect(parseDurationMs(text), text).toBe(ms);
    for (const text of ['1w', '1 week', '1 hr', '1 us', '1 ns', '10 x', 's', ''])
      expect(parseDurationMs(text), text).toBeNull();
    expect(Object.keys(DURATION_UNIT_MS).length).toBe(21);
  });

  it('SQL interval units: MILLISECOND to DAY, singular or plural, in did-you-mean order', () => {
    expect(Object.keys(SQL_INTERVAL_UNIT_MS)).toEqual([
      'MILLISECOND',
      'MILLISECONDS',
      'SECOND',
      'SECONDS',
      'MINUTE',
      'MINUTES',
      'HOUR',
      'HOURS',
      'DAY',
      'DAYS',
    ]);
    expect(SQL_INTERVAL_UNIT_MS['MINUTES']).toBe(60_000);
    const amount = (value: string) => ({ type: 'single_quote_string' as const, value });
    expect(intervalMs({ type: 'interval', unit: 'minute', expr: amount('10') })).toBe(600_000);
    expect(
      intervalMs({ type: 'interval', unit: 'MILLISECONDS', expr: { type: 'number', value: 1500 } }),
    ).toBe(1500);
    expect(intervalMs({ type: 'interval', unit: 'week', expr: amount('1') })).toBeUndefined();
  });

  it('window functions read their intervals from the table, and name its units when one is unknown', () => {
    const sql = (unit: string) =>
      `CREATE TABLE t (ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'blackhole');\n` +
      `SELECT window_start FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '2' ${unit})) GROUP BY window_start, window_end;`;
    expect(() => parseSqlFile(sql('HOURS'), 'job.sql')).not.toThrow();
    expect(() => parseSqlFile(sql('WEEKS'), 'job.sql')).toThrow(
      "use MILLISECOND, SECOND, MINUTE, HOUR or DAY (singular or plural), e.g. INTERVAL '7' DAYS",
    );
    // The first of the table's words at the least distance: MINUTE before MINUTES.
    expect(() => parseSqlFile(sql('MINUTS'), 'job.sql')).toThrow(
      "job.sql:2:77: unknown interval unit 'MINUTS' — did you mean MINUTE?",
    );
  });

  it('TIMESTAMPADD steps fixed units by their milliseconds', () => {
    expect(timestampAdd('WEEK')(1, 0)).toBe(UNIT_MS.WEEK);
    expect(timestampAdd('HOUR')(2, 5)).toBe(7_200_005);
  });
});
