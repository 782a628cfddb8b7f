// Exactly-once after crashes for MATCH_RECOGNIZE (issue 18): a job with two patterns — a
// structuring-like S{3} within 24 h over a view, and card testing's T{3,} L within 30 minutes with
// every quantifier's partial matches held across checkpoints — is killed with SIGKILL at random
// moments and restarted each time; its output must equal an uninterrupted run's.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { killRepeatedly, mulberry32, runAndKill, sortedLines, TRANSACTIONS_COLUMNS } from '../crash-loop.js';

const KILLS = 10;

const JOB = `
SET 'execution.checkpointing.interval' = '100ms';
CREATE TABLE transactions (${TRANSACTIONS_COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE VIEW near AS SELECT sender, receiver, amount, ts FROM transactions WHERE amount >= 9000 AND amount < 10000;
CREATE TABLE runs (account BIGINT, first_time TIMESTAMP(3), last_time TIMESTAMP(3), n BIGINT, total BIGINT, receivers STRING)
WITH ('connector' = 'filesystem', 'path' = 'out/runs.csv', 'format' = 'csv');
INSERT INTO runs
SELECT account, first_time, last_time, n, total, receivers FROM near MATCH_RECOGNIZE (
  PARTITION BY sender ORDER BY ts
  MEASURES sender AS account, FIRST(S.ts) AS first_time, LAST(S.ts) AS last_time, COUNT(S.amount) AS n,
           SUM(S.amount) AS total, CONCAT(CAST(FIRST(S.receiver) AS STRING), ' ', CAST(LAST(S.receiver) AS STRING)) AS receivers
  ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW
  PATTERN (S{3}) WITHIN INTERVAL '24' HOUR
  DEFINE S AS S.amount >= 9000
) AS m;
CREATE TABLE sprees (account BIGINT, first_test TIMESTAMP(3), tests BIGINT, large_time TIMESTAMP(3), large_amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/sprees.csv', 'format' = 'csv');
INSERT INTO sprees
SELECT account, first_test, tests, large_time, large_amount FROM transactions MATCH_RECOGNIZE (
  PARTITION BY sender ORDER BY ts
  MEASURES sender AS account, FIRST(T.ts) AS first_test, COUNT(T.amount) AS tests, L.ts AS large_time, L.amount AS large_amount
  ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW
  PATTERN (T{3,} L) WITHIN INTERVAL '30' MINUTE
  DEFINE T AS T.amount < 10, L AS L.amount >= 1000
) AS m;`;

describe('MATCH_RECOGNIZE: crash and recover, output identical to an uninterrupted run', () => {
  it('two patterns (S{3} within 24 h over a view, T{3,} L within 30 min) into CSV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-crash-match-'));
    const gen = runCli(
      ['generate', '--count', '400000', '--accounts', '200', '--plant-card-testing', '60', '--out', 'tx.csv'],
      dir,
    );
    expect(gen.code, gen.stderr).toBe(0);
    writeFileSync(join(dir, 'job.sql'), JOB);
    const ref = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(ref.code, ref.stderr).toBe(0);
    const want = {
      runs: sortedLines(join(dir, 'out/runs.csv')),
      sprees: sortedLines(join(dir, 'out/sprees.csv')),
    };
    expect(want.runs.length).toBeGreaterThan(1000);
    expect(want.sprees.length - 1).toBeGreaterThanOrEqual(20);

    const random = mulberry32(23);
    const args = ['run', 'job.sql', '--quiet'];
    const kills = await killRepeatedly(KILLS, () =>
      runAndKill(args, dir, { afterMs: 250 + Math.floor(random() * 350) }),
    );
    // Fewer than KILLS: a fast machine finished the input in fewer runs, the last of them completed it.
    if (kills === KILLS) {
      const last = runCli(args, dir);
      expect(last.code, last.stderr).toBe(0);
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(sortedLines(join(dir, 'out/runs.csv'))).toEqual(want.runs);
    expect(sortedLines(join(dir, 'out/sprees.csv'))).toEqual(want.sprees);
  }, 300_000);
});
