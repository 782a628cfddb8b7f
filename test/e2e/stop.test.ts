// Ctrl-C stops a job promptly, also while it reads a large backlog from the embedded topic store
// (a synchronous SQLite reader that would otherwise keep the event loop, and the signal, waiting
// until the whole backlog is read). The stopped run checkpoints where it is; the next run resumes
// from there and reads the rest: nothing read twice, nothing skipped.

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from './cli.js';
import { TRANSACTIONS_COLUMNS } from '../crash-loop.js';

const BACKLOG = 1_000_000;

const JOB = `CREATE TABLE transactions (${TRANSACTIONS_COLUMNS}) WITH ('connector' = 'kafka', 'topic' = 'transactions', 'scan.startup.mode' = 'earliest-offset', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE TABLE totals (sender BIGINT, window_start TIMESTAMP(3), total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/totals.csv', 'format' = 'csv');
INSERT INTO totals
SELECT sender, window_start, SUM(amount)
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, window_start, window_end;
`;

/** Runs the job; sends SIGINT as soon as its first progress line shows records coming in. */
function runAndInterrupt(dir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'run', 'job.sql'], {
      cwd: dir,
      env: { ...process.env, FINTRANS_HOME: '' },
    });
    let output = '';
    let interrupted = false;
    const collect = (d: Buffer) => {
      output += d;
      if (!interrupted && / in [1-9]\d* \(/.test(output)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

const recordsRead = (stderr: string): number =>
  Number(/read (\d+) records from 'transactions'/.exec(stderr)?.[1] ?? NaN);

describe('Ctrl-C while reading a backlog from the embedded topic store', () => {
  it('stops between batches, before the backlog is read, and the next run reads the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-stop-'));
    writeFileSync(join(dir, 'job.sql'), JOB);
    const g = runCli(['generate', '--count', String(BACKLOG), '--to', 'transactions'], dir);
    expect(g.code, g.stderr).toBe(0);

    const stopped = await runAndInterrupt(dir);
    expect(stopped.code, stopped.output).toBe(130);
    expect(stopped.output).toContain('stopping: flushing sinks and closing (Ctrl-C again to force)');
    const first = recordsRead(stopped.output);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(BACKLOG);

    const rest = runCli(['run', 'job.sql', '--until-idle', '500ms', '--quiet'], dir);
    expect(rest.code, rest.stderr).toBe(0);
    expect(recordsRead(rest.stderr)).toBe(BACKLOG - first);
  }, 180_000);
});
