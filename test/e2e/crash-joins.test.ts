// Exactly-once for the join jobs after crashes (issue 17): the four ready join jobs
// (jobs/rapid_cashout.sql, layering.sql, laundering_enriched.sql, blocklist.sql) as one job over a
// file of generated transfers with every pattern planted, checkpointed every 100 ms, killed with
// SIGKILL at random moments and restarted each time (it resumes from its last checkpoint: interval
// join rows waiting for their hour, temporal join rows waiting for the watermark, window state,
// the regular join's rows). Its final output must equal an uninterrupted run's: same rows, none
// lost, none repeated; and that run's alerts are the generator's truth.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './cli.js';
import { killRepeatedly, mulberry32, runAndKill, sortedLines } from '../crash-loop.js';

const KILLS = 15;
const JOBS = ['rapid_cashout', 'layering', 'laundering_enriched', 'blocklist'];
const OUTPUTS = JOBS.map((j) => `output/${j}.csv`);

/** The jobs' statements in one file, reading the transactions from tx.csv instead of the topic. */
function combinedJob(): string {
  const bodies = JOBS.map((j) => {
    const text = readFileSync(join(ROOT, 'jobs', `${j}.sql`), 'utf8');
    // The transactions table runs to its WITH clause's closing line.
    const table = /CREATE TABLE transactions \([\s\S]*?\n\);\n/.exec(text);
    expect(table, `jobs/${j}.sql declares its transactions table`).not.toBeNull();
    return text.replace(table![0], '');
  });
  const source = `
CREATE TABLE transactions (
  tx_time STRING, sender BIGINT, receiver BIGINT, amount BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');
`;
  return `SET 'execution.checkpointing.interval' = '100ms';\n${source}\n${bodies.join('\n')}`;
}

/** The truth rows a job must report, as its output's key columns. */
function expectedKeys(dir: string, truthFile: string, key: (cells: string[]) => string): string[] {
  return readFileSync(join(dir, 'output/truth', truthFile), 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.endsWith(',true'))
    .map((l) => key(l.split(',')))
    .sort();
}

function outputKeys(dir: string, file: string, key: (cells: string[]) => string): string[] {
  return sortedLines(join(dir, file))
    .slice(1)
    .map((l) => key(l.split(',')))
    .sort();
}

describe('crash and recover: the join jobs, killed with SIGKILL, write what an uninterrupted run writes', () => {
  it(`${KILLS} kills of the four join jobs over 1.5 M transfers`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-crash-joins-'));
    const gen = runCli(
      [
        'generate',
        '--count',
        '1500000',
        '--plant',
        '20',
        '--plant-cashout',
        '60',
        '--plant-layering',
        '60',
        '--plant-blocklist',
        '40',
        '--reference',
        'data',
        '--pattern-truth',
        'output/truth',
        '--out',
        'tx.csv',
      ],
      dir,
    );
    expect(gen.code, gen.stderr).toBe(0);
    writeFileSync(join(dir, 'job.sql'), combinedJob());

    const ref = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(ref.code, ref.stderr).toBe(0);
    const want = OUTPUTS.map((f) => sortedLines(join(dir, f)));
    // The uninterrupted run is right: its alerts are the truth's.
    expect(outputKeys(dir, 'output/rapid_cashout.csv', (c) => `${c[0]} ${c[2]} ${c[5]}`)).toEqual(
      expectedKeys(dir, 'rapid_cashout_truth.csv', (c) => `${c[2]} ${c[4]} ${c[7]}`),
    );
    expect(outputKeys(dir, 'output/layering.csv', (c) => `${c[0]} ${c[1]} ${c[2]} ${c[3]} ${c[5]}`)).toEqual(
      expectedKeys(dir, 'layering_truth.csv', (c) => `${c[2]} ${c[3]} ${c[4]} ${c[5]} ${c[7]}`),
    );
    expect(outputKeys(dir, 'output/blocklist.csv', (c) => `${c[0]} ${c[1]} ${c[4]}`)).toEqual(
      expectedKeys(dir, 'blocklist_truth.csv', (c) => `${c[2]} ${c[3]} ${c[4]}`),
    );
    for (const rows of want) expect(rows.length).toBeGreaterThan(20);

    const random = mulberry32(23);
    const args = ['run', 'job.sql'];
    let resumed = 0;
    const kills = await killRepeatedly(KILLS, async () => {
      // At a random moment after the run's first checkpoint, so that kills land mid-run with state to restore.
      const run = await runAndKill(args, dir, { afterCheckpointMs: Math.floor(random() * 800) });
      if (/resuming from checkpoint \d+ of /.test(run.stderr)) resumed++;
      return run;
    });
    // Up to KILLS: a fast machine finishes the input in fewer runs (the last of them completed it).
    expect(kills).toBeGreaterThanOrEqual(5);
    // The restarts resumed from checkpoints of the runs before (the watch is on the checkpoint
    // database's WAL, which a restart may touch before its first checkpoint: allow a few that did not).
    expect(resumed).toBeGreaterThanOrEqual(kills - 4);
    if (kills === KILLS) {
      const last = runCli(args, dir);
      expect(last.code, last.stderr).toBe(0);
    }
    OUTPUTS.forEach((f, i) => expect(sortedLines(join(dir, f)), f).toEqual(want[i]));
  }, 300_000);
});
