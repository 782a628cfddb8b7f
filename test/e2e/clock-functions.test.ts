// CURRENT_TIMESTAMP, NOW(), LOCALTIMESTAMP and PROCTIME() in expressions read the wall clock for
// every record (Flink's streaming mode): their values cannot be compared with Flink's, so they are
// checked by what must hold: every value lies between the run's start and end, the session time zone
// is UTC (the local and the zoned timestamp print the same instant), and a later record never reads
// an earlier clock. Written as Flink SQL writes them: the SQL niladic functions without parentheses.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from './cli.js';

const TABLES = `CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
CREATE TABLE o (a INT, cur TIMESTAMP_LTZ(3), now_ts TIMESTAMP_LTZ(3), local_ts TIMESTAMP(3), proc TIMESTAMP_LTZ(3), same BOOLEAN, hour_of BIGINT)
  WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
`;

function jobDir(sql: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fintrans-clock-'));
  writeFileSync(join(dir, 'in.csv'), Array.from({ length: 500 }, (_, k) => `${k}`).join('\n') + '\n');
  writeFileSync(join(dir, 'job.sql'), TABLES + sql);
  return dir;
}

/** A printed TIMESTAMP ('2026-12-03 13:15:00.123', UTC) as epoch ms. */
const epochMs = (text: string): number => Date.parse(text.replace(' ', 'T') + 'Z');

it('reads the wall clock per record, between the run start and end, in UTC', () => {
  const dir = jobDir(`INSERT INTO o SELECT a, CURRENT_TIMESTAMP, NOW(), LOCALTIMESTAMP, PROCTIME(),
  CURRENT_TIMESTAMP <= NOW() OR CURRENT_TIMESTAMP > NOW(), HOUR(LOCALTIMESTAMP)
FROM t WHERE LOCALTIMESTAMP > TIMESTAMP '2020-01-01 00:00:00';
`);
  const start = Date.now();
  const r = runCli(['run', 'job.sql', '--quiet'], dir);
  const end = Date.now();
  expect(r.code, r.stderr).toBe(0);
  const rows = readFileSync(join(dir, 'out.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  expect(rows).toHaveLength(500);
  let previous = -Infinity;
  for (const [a, cur, now, local, proc, same, hour] of rows) {
    const times = [cur, now, local, proc].map((v) => epochMs(v!));
    for (const ms of times) {
      expect(ms, `row ${a}`).toBeGreaterThanOrEqual(start - (start % 1000) - 1000); // printed to the millisecond
      expect(ms, `row ${a}`).toBeLessThanOrEqual(end);
    }
    expect(same).toBe('true');
    expect(Number(hour)).toBe(new Date(times[2]!).getUTCHours());
    expect(Math.min(...times)).toBeGreaterThanOrEqual(previous);
    previous = Math.max(...times);
  }
});

it('refuses the parenthesized forms at their place', () => {
  for (const [expr, message] of [
    ['CURRENT_TIMESTAMP()', 'CURRENT_TIMESTAMP takes no parentheses'],
    ['LOCALTIMESTAMP()', 'LOCALTIMESTAMP takes no parentheses'],
    ['NOW(1)', 'NOW takes 0 arguments, got 1'],
    ['LOCALTIME()', 'LOCALTIME takes no parentheses'],
  ] as const) {
    const dir = jobDir(
      `INSERT INTO o SELECT a, ${expr}, NOW(), LOCALTIMESTAMP, PROCTIME(), TRUE, 0 FROM t;\n`,
    );
    const r = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(r.code, expr).not.toBe(0);
    expect(r.stderr, expr).toContain(message);
    expect(r.stderr, expr).toContain('job.sql:4:');
  }
});
