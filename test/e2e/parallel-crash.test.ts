// Exactly-once at parallelism 2 (issue 19 part 2): the laundering job (its TUMBLE window by sender
// and receiver, plus a second INSERT keyed by other columns) from a file, with checkpoints every
// 100 ms, is killed with SIGKILL again and again at parallelism 2 (each restart resumes from its last
// checkpoint: every worker's keyed state, the source position, the sinks' positions); its final
// output must equal an uninterrupted run's at parallelism 1: same rows, none lost, none repeated.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import {
  killRepeatedly,
  mulberry32,
  PAIR_COUNTS,
  runAndKill,
  sortedLines,
  TRANSACTIONS_COLUMNS,
} from '../crash-loop.js';

const KILLS = 10;

const JOB = `SET 'execution.checkpointing.interval' = '100ms';
CREATE TABLE transactions (${TRANSACTIONS_COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE TABLE alerts (sender BIGINT, receiver BIGINT, window_start TIMESTAMP(3), total BIGINT, n BIGINT, amounts STRING)
WITH ('connector' = 'filesystem', 'path' = 'out/alerts.csv', 'format' = 'csv');
INSERT INTO alerts
SELECT sender, receiver, window_start, SUM(amount), COUNT(*), LISTAGG(CAST(amount AS STRING), ' ')
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, receiver, window_start, window_end HAVING SUM(amount) > 10000;
${PAIR_COUNTS}`;

describe('crash and recover at parallelism 2: SIGKILLs, output identical to an uninterrupted run at parallelism 1', () => {
  it('file source -> CSV sinks, laundering window and pair counts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-pcrash-'));
    expect(runCli(['generate', '--count', '1500000', '--plant', '40', '--out', 'tx.csv'], dir).code).toBe(0);
    writeFileSync(join(dir, 'job.sql'), JOB);
    const ref = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(ref.code, ref.stderr).toBe(0);
    const want = {
      alerts: sortedLines(join(dir, 'out/alerts.csv')),
      pairs: sortedLines(join(dir, 'out/pairs.csv')),
    };
    expect(want.alerts.length - 1).toBe(40);

    const args = ['run', 'job.sql', '--quiet', '--fresh', '--parallelism', '2'];
    const random = mulberry32(19);
    // The first run starts over (--fresh drops the reference run's cleared state); the others resume.
    let first = true;
    const kills = await killRepeatedly(KILLS, () => {
      const a = first ? args : args.filter((x) => x !== '--fresh');
      first = false;
      return runAndKill(a, dir, { afterCheckpointMs: Math.floor(random() * 500) });
    });
    expect(kills).toBeGreaterThanOrEqual(5);
    const last = runCli(['run', 'job.sql', '--quiet', '--parallelism', '2'], dir);
    expect(last.code, last.stderr).toBe(0);
    expect(sortedLines(join(dir, 'out/alerts.csv'))).toEqual(want.alerts);
    expect(sortedLines(join(dir, 'out/pairs.csv'))).toEqual(want.pairs);
  }, 600_000);
});
