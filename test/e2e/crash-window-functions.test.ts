// Exactly-once after crashes for the window functions (issue 18): an OVER job (RANGE and ROWS
// windows, rows held until the watermark, state freed as the range passes) and a Top-N and
// deduplication job into upsert files are killed with SIGKILL at random moments and restarted
// each time; their final output must equal an uninterrupted run's.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { killRepeatedly, mulberry32, runAndKill, sortedLines, TRANSACTIONS_COLUMNS } from '../crash-loop.js';

const KILLS = 10;

async function crashAndRecover(args: string[], cwd: string, seed: number): Promise<number> {
  const random = mulberry32(seed);
  const kills = await killRepeatedly(KILLS, () =>
    runAndKill(args, cwd, { afterMs: 250 + Math.floor(random() * 350) }),
  );
  // Fewer than KILLS: a fast machine finished the input in fewer runs, the last of them completed it.
  if (kills === KILLS) {
    const last = runCli(args, cwd);
    expect(last.code, last.stderr).toBe(0);
  }
  return kills;
}

const SOURCE = `
SET 'execution.checkpointing.interval' = '100ms';
CREATE TABLE transactions (${TRANSACTIONS_COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');`;

const OVER_JOB = `${SOURCE}
CREATE VIEW hourly AS
SELECT tx_time, sender, amount, ts,
  SUM(amount) OVER (PARTITION BY sender ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW) AS spend_1h
FROM transactions;
CREATE TABLE bursts (tx_time STRING, sender BIGINT, amount BIGINT, spend_1h BIGINT, spend_10m BIGINT, last5 BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/bursts.csv', 'format' = 'csv');
INSERT INTO bursts
SELECT tx_time, sender, amount, spend_1h, spend_10m, last5
FROM (
  SELECT tx_time, sender, amount, spend_1h,
    SUM(amount) OVER (PARTITION BY sender ORDER BY ts RANGE BETWEEN INTERVAL '10' MINUTE PRECEDING AND CURRENT ROW) AS spend_10m,
    MAX(amount) OVER (PARTITION BY sender ORDER BY ts RANGE BETWEEN INTERVAL '10' MINUTE PRECEDING AND CURRENT ROW) AS last5
  FROM hourly
)
WHERE spend_10m * 6 > spend_1h * 2 AND amount > 9000;
CREATE TABLE numbered (sender BIGINT, n BIGINT, tx_time STRING)
WITH ('connector' = 'filesystem', 'path' = 'out/numbered.csv', 'format' = 'csv');
INSERT INTO numbered
SELECT sender, n, tx_time
FROM (SELECT sender, tx_time, ROW_NUMBER() OVER (PARTITION BY sender ORDER BY ts) AS n FROM transactions)
WHERE MOD(n, 97) = 0;`;

const RANK_JOB = `${SOURCE}
CREATE TABLE top3 (sender BIGINT, rn BIGINT, amount BIGINT, tx_time STRING, PRIMARY KEY (sender, rn) NOT ENFORCED)
WITH ('connector' = 'filesystem', 'path' = 'out/top3.csv', 'format' = 'csv');
INSERT INTO top3
SELECT sender, rn, amount, tx_time
FROM (SELECT sender, amount, tx_time, ROW_NUMBER() OVER (PARTITION BY sender ORDER BY amount DESC, tx_time) AS rn FROM transactions)
WHERE rn <= 3;
CREATE TABLE latest (sender BIGINT, receiver BIGINT, amount BIGINT, tx_time STRING, PRIMARY KEY (sender, receiver) NOT ENFORCED)
WITH ('connector' = 'filesystem', 'path' = 'out/latest.csv', 'format' = 'csv');
INSERT INTO latest
SELECT sender, receiver, amount, tx_time
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY sender, receiver ORDER BY ts DESC) AS rn FROM transactions)
WHERE rn = 1;`;

describe('window functions: crash and recover, output identical to an uninterrupted run', () => {
  it('OVER aggregates (RANGE, ROWS, ROW_NUMBER) into CSV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-crash-over-'));
    expect(runCli(['generate', '--count', '400000', '--accounts', '200', '--out', 'tx.csv'], dir).code).toBe(
      0,
    );
    writeFileSync(join(dir, 'job.sql'), OVER_JOB);
    const ref = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(ref.code, ref.stderr).toBe(0);
    const want = {
      bursts: sortedLines(join(dir, 'out/bursts.csv')),
      numbered: sortedLines(join(dir, 'out/numbered.csv')),
    };
    expect(want.bursts.length).toBeGreaterThan(100);
    expect(want.numbered.length).toBeGreaterThan(100);

    expect(await crashAndRecover(['run', 'job.sql', '--quiet'], dir, 18)).toBeGreaterThanOrEqual(3);
    expect(sortedLines(join(dir, 'out/bursts.csv'))).toEqual(want.bursts);
    expect(sortedLines(join(dir, 'out/numbered.csv'))).toEqual(want.numbered);
  }, 300_000);

  it('Top-N and deduplication into upsert CSV files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-crash-rank-'));
    expect(runCli(['generate', '--count', '400000', '--accounts', '200', '--out', 'tx.csv'], dir).code).toBe(
      0,
    );
    writeFileSync(join(dir, 'job.sql'), RANK_JOB);
    const ref = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(ref.code, ref.stderr).toBe(0);
    const want = {
      top3: sortedLines(join(dir, 'out/top3.csv')),
      latest: sortedLines(join(dir, 'out/latest.csv')),
    };
    expect(want.top3.length - 1).toBe(600);

    expect(await crashAndRecover(['run', 'job.sql', '--quiet'], dir, 19)).toBeGreaterThanOrEqual(3);
    expect(sortedLines(join(dir, 'out/top3.csv'))).toEqual(want.top3);
    expect(sortedLines(join(dir, 'out/latest.csv'))).toEqual(want.latest);
  }, 300_000);
});
