// Exactly-once after crashes: a job is killed with SIGKILL at 20 random moments and restarted each
// time (it resumes from its last checkpoint); its final output must equal an uninterrupted run's:
// same rows, none lost, none repeated. Once for file -> CSV, once for embedded topic -> topic + CSV.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from './cli.js';
import {
  killRepeatedly,
  mulberry32,
  PAIR_COUNTS,
  runAndKill,
  sortedLines,
  TRANSACTIONS_COLUMNS,
  transactionsFromTopic,
} from '../crash-loop.js';

const KILLS = 20;

/** Kills the job KILLS times at random moments (restarting it each time), then lets it finish. */
async function crashAndRecover(args: string[], cwd: string, seed: number): Promise<number> {
  const random = mulberry32(seed);
  const kills = await killRepeatedly(KILLS, () =>
    runAndKill(args, cwd, { afterMs: 250 + Math.floor(random() * 350) }),
  );
  const last = runCli(args, cwd);
  expect(last.code, last.stderr).toBe(0);
  return kills;
}

const SOURCE_FILE = `
CREATE TABLE transactions (${TRANSACTIONS_COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');`;

const SOURCE_TOPIC = transactionsFromTopic('transactions');

const QUERY = `
CREATE TABLE alerts (sender BIGINT, receiver BIGINT, window_start TIMESTAMP(3), total BIGINT, n BIGINT, amounts STRING)
WITH ('connector' = 'filesystem', 'path' = 'out/alerts.csv', 'format' = 'csv');
INSERT INTO alerts
SELECT sender, receiver, window_start, SUM(amount), COUNT(*), LISTAGG(CAST(amount AS STRING), ' ')
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, receiver, window_start, window_end HAVING SUM(amount) > 10000;
${PAIR_COUNTS}`;

describe('crash and recover: 20 SIGKILLs, output identical to an uninterrupted run', () => {
  it('file source -> CSV sinks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-crash-file-'));
    expect(runCli(['generate', '--count', '3000000', '--plant', '60', '--out', 'tx.csv'], dir).code).toBe(0);
    writeFileSync(
      join(dir, 'job.sql'),
      `SET 'execution.checkpointing.interval' = '100ms';\n${SOURCE_FILE}\n${QUERY}`,
    );
    const ref = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(ref.code, ref.stderr).toBe(0);
    const want = {
      alerts: sortedLines(join(dir, 'out/alerts.csv')),
      pairs: sortedLines(join(dir, 'out/pairs.csv')),
    };
    expect(want.alerts.length - 1).toBe(60);

    const kills = await crashAndRecover(['run', 'job.sql', '--quiet'], dir, 7);
    expect(kills).toBe(KILLS);
    expect(sortedLines(join(dir, 'out/alerts.csv'))).toEqual(want.alerts);
    expect(sortedLines(join(dir, 'out/pairs.csv'))).toEqual(want.pairs);
  }, 240_000);

  it('embedded topic -> topic and CSV sinks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-crash-topic-'));
    expect(
      runCli(['generate', '--count', '2000000', '--plant', '40', '--to', 'transactions'], dir).code,
    ).toBe(0);
    const topicSink = `
CREATE TABLE fraud (message STRING) WITH ('connector' = 'kafka', 'topic' = 'fraud', 'format' = 'raw');
INSERT INTO fraud
SELECT CAST(sender AS STRING) || '->' || CAST(receiver AS STRING) || ' ' || CAST(window_start AS STRING) || ' ' || CAST(SUM(amount) AS STRING)
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, receiver, window_start, window_end HAVING SUM(amount) > 10000;`;
    writeFileSync(
      join(dir, 'job.sql'),
      `SET 'execution.checkpointing.interval' = '100ms';\n${SOURCE_TOPIC}\n${QUERY}\n${topicSink}`,
    );
    const args = ['run', 'job.sql', '--quiet', '--until-idle', '200ms'];
    const ref = runCli(args, dir);
    expect(ref.code, ref.stderr).toBe(0);
    const want = {
      alerts: sortedLines(join(dir, 'out/alerts.csv')),
      pairs: sortedLines(join(dir, 'out/pairs.csv')),
    };
    const wantFraud = runCli(['tail', 'fraud'], dir).stdout.split('\n').filter(Boolean);
    expect(wantFraud.length).toBe(40);

    // Same input again, from scratch: a fresh output topic, and the job reads from the earliest offset.
    writeFileSync(
      join(dir, 'job.sql'),
      readFileSync(join(dir, 'job.sql'), 'utf8').replace("'topic' = 'fraud'", "'topic' = 'fraud2'"),
    );
    const kills = await crashAndRecover(args, dir, 11);
    expect(kills).toBe(KILLS);
    expect(sortedLines(join(dir, 'out/alerts.csv'))).toEqual(want.alerts);
    expect(sortedLines(join(dir, 'out/pairs.csv'))).toEqual(want.pairs);
    // The topic holds each alert exactly once, in the same order as the uninterrupted run.
    expect(runCli(['tail', 'fraud2'], dir).stdout.split('\n').filter(Boolean)).toEqual(wantFraud);
  }, 240_000);
});

describe('stopping and resuming', () => {
  it('Ctrl-C keeps open windows in a checkpoint; a changed query refuses to resume; --fresh starts over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-resume-'));
    expect(runCli(['generate', '--count', '20000', '--plant', '6', '--to', 'transactions'], dir).code).toBe(
      0,
    );
    writeFileSync(join(dir, 'job.sql'), `${SOURCE_TOPIC}\n${QUERY}`);
    // Unbounded: runs until stopped. SIGTERM after it has read everything.
    const child = spawn(process.execPath, [CLI, 'run', 'job.sql', '--quiet'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain("read 20000 records from 'transactions'");

    // Resuming with the same job: the open (last) window is still there and fires at the end.
    const resumed = runCli(['run', 'job.sql', '--until-idle', '200ms'], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming from checkpoint \d+ of /);
    expect(resumed.stderr).toContain("read 0 records from 'transactions'");
    const alerts = readFileSync(join(dir, 'out/alerts.csv'), 'utf8').split('\n').filter(Boolean);
    expect(alerts.length - 1).toBe(6);

    // Stop again mid-way, then change the query: the state no longer fits.
    writeFileSync(join(dir, 'job.sql'), `${SOURCE_TOPIC.replace("'crash'", "'crash2'")}\n${QUERY}`);
    const again = spawn(process.execPath, [CLI, 'run', 'job.sql', '--quiet'], { cwd: dir, stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1500));
    again.kill('SIGTERM');
    await new Promise((r) => again.on('exit', r));
    writeFileSync(
      join(dir, 'job.sql'),
      `${SOURCE_TOPIC.replace("'crash'", "'crash2'")}\n${QUERY.replace('> 10000', '> 20000')}`,
    );
    const changed = runCli(['run', 'job.sql', '--until-idle', '200ms'], dir);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain(
      'error: job.sql: the checkpoint in .fintrans/checkpoints/job.db was taken by a different version of this job',
    );
    expect(changed.stderr).toContain('hint: run with --fresh');
    const fresh = runCli(['run', 'job.sql', '--until-idle', '200ms', '--fresh', '--quiet'], dir);
    expect(fresh.code, fresh.stderr).toBe(0);
  }, 60_000);
});
