// Results already written are never destroyed silently (issue 14): re-running a finished job,
// --from-beginning over a checkpoint, two runs at once, a damaged or empty checkpoint database, an
// output file that is not the one the checkpoint wrote, a source that cannot open. Each from the
// outside: the CLI run in a directory, its exact message, and the files it leaves.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from './cli.js';
import { TRANSACTIONS_COLUMNS } from '../crash-loop.js';

/** An embedded-topic job (unbounded: it runs until stopped or --until-idle), checkpointing often. */
const JOB = `SET 'execution.checkpointing.interval' = '100ms';
CREATE TABLE transactions (${TRANSACTIONS_COLUMNS}) WITH ('connector' = 'kafka', 'topic' = 'transactions', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE TABLE alerts (sender BIGINT, receiver BIGINT, window_start TIMESTAMP(3), total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/alerts.csv', 'format' = 'csv');
INSERT INTO alerts
SELECT sender, receiver, window_start, SUM(amount)
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, receiver, window_start, window_end HAVING SUM(amount) > 10000;
`;

function workdir(records = 20_000): string {
  const dir = mkdtempSync(join(tmpdir(), 'fintrans-keep-'));
  writeFileSync(join(dir, 'job.sql'), JOB);
  const g = runCli(['generate', '--count', String(records), '--plant', '12', '--to', 'transactions'], dir);
  expect(g.code, g.stderr).toBe(0);
  return dir;
}

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
const outFiles = (dir: string) => readdirSync(join(dir, 'out')).sort();
const KEPT = /^alerts\.before-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ(-\d+)?\.csv$/;

/** Runs the job in the background until it wrote a checkpoint with rows in the output, then stops it with SIGTERM (it checkpoints and keeps its state). */
function runThenStop(dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', 'job.sql'], {
      cwd: dir,
      env: { ...process.env, FINTRANS_HOME: '' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), 2500);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 130) resolve(stderr);
      else reject(new Error(`expected the stopped run to exit 130, got ${code}:\n${stderr}`));
    });
  });
}

describe('results already written are never destroyed silently', () => {
  it('re-running a finished job keeps the earlier output aside and says where reading starts', () => {
    const dir = workdir();
    const first = runCli(['run', 'job.sql', '--until-idle', '1s', '--quiet'], dir);
    expect(first.code, first.stderr).toBe(0);
    const written = read(dir, 'out/alerts.csv');
    expect(written.split('\n').length).toBeGreaterThan(5);

    const again = runCli(['run', 'job.sql', '--until-idle', '1s'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(
      "job.sql: no checkpoint: starting fresh; 'transactions' reads from the committed offsets of consumer group 'fintrans-sql-transactions' (the earliest where it has none; --from-beginning reads everything again)\n",
    );
    const files = outFiles(dir);
    expect(files).toHaveLength(2);
    const kept = files.find((f) => KEPT.test(f))!;
    expect(again.stderr).toContain(
      `job.sql: out/alerts.csv held the output of an earlier run: kept as out/${kept}\n`,
    );
    expect(read(dir, `out/${kept}`)).toBe(written);
    expect(read(dir, 'out/alerts.csv')).toBe('sender,receiver,window_start,total\n');

    // A third run over a file holding only the header has nothing to keep.
    expect(runCli(['run', 'job.sql', '--until-idle', '1s', '--quiet'], dir).code).toBe(0);
    expect(outFiles(dir)).toEqual(files);
  });

  it('--from-beginning over a checkpoint is refused, and --fresh --from-beginning recomputes everything', async () => {
    const dir = workdir();
    const stopped = await runThenStop(dir);
    expect(stopped).toContain('stopping: flushing sinks and closing');
    const before = read(dir, 'out/alerts.csv');

    const r = runCli(['run', 'job.sql', '--from-beginning', '--until-idle', '1s'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^fintrans-sql: run: job\.sql has a checkpoint \(\d+, \d{4}-[^,]+, in \.fintrans\/checkpoints\/job\.db\) and resumes where it left off, so --from-beginning would be ignored\n {2}hint: add --fresh to start over from the earliest offsets \(earlier output is kept aside, not overwritten\), or leave out --from-beginning to resume\n/m,
    );
    expect(read(dir, 'out/alerts.csv')).toBe(before);

    const fresh = runCli(['run', 'job.sql', '--fresh', '--from-beginning', '--until-idle', '1s'], dir);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stderr).toContain(
      "job.sql: starting over (--fresh); 'transactions' reads from the earliest offset\n",
    );
    const kept = outFiles(dir).find((f) => KEPT.test(f))!;
    expect(read(dir, `out/${kept}`)).toBe(before);
    expect(read(dir, 'out/alerts.csv').split('\n').length).toBe(12 + 2); // header, 12 planted alerts, final newline
  });

  it('a second run of a running job is refused and names the one that holds it', async () => {
    const dir = workdir();
    const child = spawn(process.execPath, [CLI, 'run', 'job.sql', '--quiet'], {
      cwd: dir,
      env: { ...process.env, FINTRANS_HOME: '' },
    });
    try {
      // Wait until the first run holds the checkpoint database (it writes who holds it beside it).
      for (let i = 0; i < 400 && !existsSync(join(dir, '.fintrans/checkpoints/job.db.owner')); i++)
        await new Promise((r) => setTimeout(r, 25));
      const second = runCli(['run', 'job.sql', '--until-idle', '1s'], dir);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(
        new RegExp(
          `^error: the job is already running: its checkpoint database \\.fintrans/checkpoints/job\\.db is held by process ${child.pid} on \\S+ since \\S+ \\(.*main\\.js run job\\.sql --quiet\\)\\n {2}hint: stop that run first \\(Ctrl-C\\), or give this run its own SET 'execution\\.checkpointing\\.dir'\\n$`,
        ),
      );
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    }
    // Once the first one stopped, the job runs again (and resumes from its checkpoint).
    const third = runCli(['run', 'job.sql', '--until-idle', '1s'], dir);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr).toMatch(/job\.sql: resuming from checkpoint \d+/);
  });

  it('a damaged checkpoint database stops the job with a clear error and touches nothing; --fresh keeps it aside', async () => {
    const dir = workdir();
    await runThenStop(dir);
    const before = read(dir, 'out/alerts.csv');
    writeFileSync(
      join(dir, '.fintrans/checkpoints/job.db'),
      'this is not a database, the disk ate it'.repeat(200),
    );

    const r = runCli(['run', 'job.sql', '--until-idle', '1s'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: the checkpoint database .fintrans/checkpoints/job.db is damaged (file is not a database): the job's state cannot be read, so nothing was started and no output was touched\n" +
        '  hint: move .fintrans/checkpoints/job.db away and run with --fresh to start over (earlier output is then kept aside, not overwritten)\n',
    );
    expect(read(dir, 'out/alerts.csv')).toBe(before);

    const fresh = runCli(
      ['run', 'job.sql', '--fresh', '--from-beginning', '--until-idle', '1s', '--quiet'],
      dir,
    );
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stderr).toMatch(
      /^job\.sql: the checkpoint database \.fintrans\/checkpoints\/job\.db was damaged: kept as \.fintrans\/checkpoints\/job\.db\.damaged-\S+, starting fresh\n/,
    );
    expect(readdirSync(join(dir, '.fintrans/checkpoints')).some((f) => f.startsWith('job.db.damaged-'))).toBe(
      true,
    );
    expect(read(dir, `out/${outFiles(dir).find((f) => KEPT.test(f))!}`)).toBe(before);
  });

  it('an empty (0-byte) checkpoint database is said, and the output is kept aside, not cut', async () => {
    const dir = workdir();
    await runThenStop(dir);
    const before = read(dir, 'out/alerts.csv');
    writeFileSync(join(dir, '.fintrans/checkpoints/job.db'), '');
    const r = runCli(['run', 'job.sql', '--until-idle', '1s'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'job.sql: the checkpoint database .fintrans/checkpoints/job.db was empty (0 bytes), so there is no state to resume from: starting fresh\n',
    );
    expect(read(dir, `out/${outFiles(dir).find((f) => KEPT.test(f))!}`)).toBe(before);
  });

  it('an output file that is not the one the checkpoint wrote is left alone', async () => {
    const dir = workdir();
    await runThenStop(dir);
    const before = read(dir, 'out/alerts.csv');
    // Same length, other bytes: a length check alone would truncate and append to a stranger's file.
    const edited = before.replace(/,(\d)/, (_, d: string) => `,${(Number(d) + 1) % 10}`);
    expect(edited).not.toBe(before);
    writeFileSync(join(dir, 'out/alerts.csv'), edited + 'a row someone added\n');

    const r = runCli(['run', 'job.sql', '--until-idle', '1s'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error: cannot resume writing out/alerts.csv: its first ' +
        `${Buffer.byteLength(before)} bytes are not the ones the checkpoint wrote (the file was changed or replaced since); it was left as it is\n` +
        "  hint: put the job's file back, or run with --fresh to start over (the file is then kept aside, not overwritten)\n",
    );
    expect(read(dir, 'out/alerts.csv')).toBe(edited + 'a row someone added\n');
  });

  it('a source that cannot open leaves the earlier output as it is', () => {
    const dir = workdir();
    expect(runCli(['run', 'job.sql', '--until-idle', '1s', '--quiet'], dir).code).toBe(0);
    const before = read(dir, 'out/alerts.csv');
    // The embedded topic store damaged: the source fails to open, after the job was planned.
    for (const f of readdirSync(join(dir, '.fintrans')))
      if (f.startsWith('topics')) writeFileSync(join(dir, '.fintrans', f), 'garbage'.repeat(100));
    const r = runCli(['run', 'job.sql', '--until-idle', '1s'], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error: /m);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(outFiles(dir)).toEqual(['alerts.csv']);
    expect(read(dir, 'out/alerts.csv')).toBe(before);
  });
});
