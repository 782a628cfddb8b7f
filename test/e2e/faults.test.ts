// Fault injection on the disk (issue 14): a full disk under the output, a full disk under the
// checkpoints, a read-only output. Each time the output afterwards is either what an uninterrupted
// run writes or untouched (or a whole-row prefix of it, to be completed by the next run) with a
// clear error — never a torn row, never silently shorter. The small disks are real tmpfs mounts
// (the tests run as root, as CI does); kill -9, a damaged checkpoint or topic store, a broker or a
// search node going down are in crash.test.ts, keep-results.test.ts, test/kafka and
// test/elasticsearch.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { TRANSACTIONS_COLUMNS } from '../crash-loop.js';

const mounts: string[] = [];

/** A tmpfs of `size` at dir/<name> (created). Unmounted after the test. */
function smallDisk(dir: string, name: string, size: string): string {
  const at = join(dir, name);
  mkdirSync(at, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', at]);
  mounts.push(at);
  return at;
}

function remount(at: string, options: string): void {
  execFileSync('mount', ['-o', `remount,${options}`, at]);
}

afterEach(() => {
  for (const at of mounts.splice(0)) execFileSync('umount', ['-l', at]);
});

/** Every record copied to out/copy.csv (about 40 bytes a row), and windowed sums checkpointed often. */
function job(opts: { checkpointDir?: string } = {}): string {
  return `SET 'execution.checkpointing.interval' = '20ms';
${opts.checkpointDir ? `SET 'execution.checkpointing.dir' = '${opts.checkpointDir}';` : ''}
CREATE TABLE transactions (${TRANSACTIONS_COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE TABLE copy (sender BIGINT, receiver BIGINT, amount BIGINT, ts TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = 'out/copy.csv', 'format' = 'csv');
CREATE TABLE sums (sender BIGINT, receiver BIGINT, window_start TIMESTAMP(3), total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/sums.csv', 'format' = 'csv');
INSERT INTO copy SELECT sender, receiver, amount, ts FROM transactions;
INSERT INTO sums SELECT sender, receiver, window_start, SUM(amount)
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, receiver, window_start, window_end;
`;
}

/** A work dir with the input and the uninterrupted run's output (reference). */
function prepare(records: number): { dir: string; want: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'fintrans-faults-'));
  expect(runCli(['generate', '--count', String(records), '--out', 'tx.csv'], dir).code).toBe(0);
  const ref = mkdtempSync(join(tmpdir(), 'fintrans-faults-ref-'));
  writeFileSync(join(ref, 'job.sql'), job());
  execFileSync('cp', [join(dir, 'tx.csv'), ref]);
  const r = runCli(['run', 'job.sql', '--quiet'], ref);
  expect(r.code, r.stderr).toBe(0);
  return {
    dir,
    want: {
      copy: readFileSync(join(ref, 'out/copy.csv'), 'utf8'),
      sums: readFileSync(join(ref, 'out/sums.csv'), 'utf8'),
    },
  };
}

/** A file's text is the start of `full`, cut after a whole row. */
function expectWholeRowPrefix(text: string, full: string): void {
  expect(full.startsWith(text)).toBe(true);
  expect(text === '' || text.endsWith('\n')).toBe(true);
}

describe('faults on the disk: identical output or untouched with a clear error', () => {
  it('disk full under the output: stops with a clear error and no torn row; after space is freed the run completes identically', () => {
    const { dir, want } = prepare(100_000);
    writeFileSync(join(dir, 'job.sql'), job());
    const out = smallDisk(dir, 'out', '1m');

    const full = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(full.code, full.stderr).toBe(1);
    expect(full.stderr).toMatch(
      /^error: cannot write to out\/(copy|sums)\.csv: the disk is full \(ENOSPC\)\n {2}hint: the rows up to the job's last checkpoint are in the file and no partial row was left; free space or fix the permissions, then run the job again to resume\n$/,
    );
    for (const f of ['copy', 'sums'])
      expectWholeRowPrefix(readFileSync(join(out, `${f}.csv`), 'utf8'), want[f]!);

    remount(out, 'size=64m');
    const again = runCli(['run', 'job.sql'], dir);
    expect(again.code, again.stderr).toBe(0);
    // Checkpoints every 20 ms: there is one from before the disk filled, and the files are resumed from it.
    expect(again.stderr).toMatch(/job\.sql: resuming from checkpoint \d+/);
    expect(readFileSync(join(out, 'copy.csv'), 'utf8')).toBe(want.copy);
    expect(readFileSync(join(out, 'sums.csv'), 'utf8')).toBe(want.sums);
    expect(readdirSync(out).sort()).toEqual(['copy.csv', 'sums.csv']);
  });

  it('disk full under the checkpoints: stops with a clear error; after space is freed the run completes identically', () => {
    const { dir, want } = prepare(100_000);
    writeFileSync(join(dir, 'job.sql'), job({ checkpointDir: 'cp' }));
    const cp = smallDisk(dir, 'cp', '256k');

    const full = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(full.code, full.stderr).toBe(1);
    expect(full.stderr).toMatch(
      /^error: cannot (write a checkpoint to|open|confirm a checkpoint in|clear) the checkpoint database cp\/job\.db: the disk is full \(SQLITE_FULL\)\n {2}hint: the last checkpoint and the output up to it are intact; free space or fix the permissions, then run the job again to resume from it\n$/,
    );
    remount(cp, 'size=64m');
    const again = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out/copy.csv'), 'utf8')).toBe(want.copy);
    expect(readFileSync(join(dir, 'out/sums.csv'), 'utf8')).toBe(want.sums);
  });

  it('read-only output: refused at start with a clear error, the file untouched', () => {
    const { dir, want } = prepare(20_000);
    writeFileSync(join(dir, 'job.sql'), job());
    const out = smallDisk(dir, 'out', '64m');
    expect(runCli(['run', 'job.sql', '--quiet'], dir).code).toBe(0);
    expect(readFileSync(join(out, 'copy.csv'), 'utf8')).toBe(want.copy);

    remount(out, 'ro');
    const r = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: cannot keep aside the earlier output in out\/(copy|sums)\.csv: the file system is read-only \(EROFS\)\n {2}hint: the rows up to the job's last checkpoint are in the file and no partial row was left; free space or fix the permissions, then run the job again to resume\n$/,
    );
    expect(readFileSync(join(out, 'copy.csv'), 'utf8')).toBe(want.copy);
    expect(readFileSync(join(out, 'sums.csv'), 'utf8')).toBe(want.sums);
    expect(readdirSync(out).sort()).toEqual(['copy.csv', 'sums.csv']);
  });
});
