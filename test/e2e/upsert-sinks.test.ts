// The sinks of an updating query (issue 16), from the outside: print shows the changelog as Flink
// prints it; a filesystem table with a PRIMARY KEY holds the latest row per key (CSV and JSON),
// replaced atomically, and a crashed or stopped job reproduces the same file; a file changed
// between runs is kept aside, a full disk leaves the last good file; without a key the file sink
// stays append-only.

import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, runCli, type CliResult } from './cli.js';
import { killRepeatedly, mulberry32, TRANSACTIONS_COLUMNS } from '../crash-loop.js';

/** Pair totals move between bands of 100: band 1 empties for good (-D), band 0 empties and fills again. */
const TRANSFERS = '1,2,150\n2,3,120\n1,3,30\n1,2,100\n2,3,90\n1,3,-10\n3,1,40\n';
const TRANSFERS_TABLE = `CREATE TABLE transfers (sender INT, receiver INT, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'transfers.csv', 'format' = 'csv');
CREATE VIEW pair_totals AS SELECT sender, receiver, SUM(amount) AS total FROM transfers GROUP BY sender, receiver;`;
const BANDS = 'SELECT total / 100 AS band, COUNT(*) AS pairs FROM pair_totals GROUP BY total / 100';

/** The changelog of BANDS over TRANSFERS, transfer by transfer, as Flink's GroupAggFunction emits it. */
const BANDS_CHANGELOG = [
  '+I[1, 1]', // (1,2) = 150
  '-U[1, 1]',
  '+U[1, 2]', // (2,3) = 120
  '+I[0, 1]', // (1,3) = 30
  '-U[1, 2]',
  '+U[1, 1]',
  '+I[2, 1]', // (1,2): 150 -> 250
  '-D[1, 1]',
  '-U[2, 1]',
  '+U[2, 2]', // (2,3): 120 -> 210, band 1 is empty
  '-D[0, 1]',
  '+I[0, 1]', // (1,3): 30 -> 20, out of band 0 and back in
  '-U[0, 1]',
  '+U[0, 2]', // (3,1) = 40
];

function workdir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fintrans-upsert-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function run(dir: string, args: string[] = []): CliResult {
  const r = runCli(['run', 'job.sql', ...args], dir);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');

describe('print shows the changelog of an updating query', () => {
  it('a bare SELECT and a print table print +I/-U/+U/-D in order, as Flink does (print-identifier, standard-error)', () => {
    const dir = workdir({
      'transfers.csv': TRANSFERS,
      'job.sql': `${TRANSFERS_TABLE}
CREATE TABLE shown (band BIGINT, pairs BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'bands');
CREATE TABLE errs (band BIGINT, pairs BIGINT) WITH ('connector' = 'print', 'standard-error' = 'true');
${BANDS};
INSERT INTO shown ${BANDS};
INSERT INTO errs ${BANDS};`,
    });
    const r = run(dir, ['--quiet']);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines.filter((l) => !l.startsWith('bands> '))).toEqual(BANDS_CHANGELOG);
    expect(lines.filter((l) => l.startsWith('bands> '))).toEqual(BANDS_CHANGELOG.map((l) => `bands> ${l}`));
    expect(r.stderr.split('\n').filter((l) => /^[+-][IUD]\[/.test(l))).toEqual(BANDS_CHANGELOG);
    expect(r.stderr).toContain('job.sql: wrote 14 rows → stderr');
  });
});

describe('a filesystem table with a PRIMARY KEY holds the latest row per key', () => {
  const job = `${TRANSFERS_TABLE}
CREATE TABLE bands (band BIGINT, pairs BIGINT, PRIMARY KEY (band) NOT ENFORCED)
WITH ('connector' = 'filesystem', 'path' = 'out/bands.csv', 'format' = 'csv');
CREATE TABLE pairs (sender INT, receiver INT, total BIGINT, n BIGINT, PRIMARY KEY (sender, receiver) NOT ENFORCED)
WITH ('connector' = 'filesystem', 'path' = 'out/pairs.csv', 'format' = 'csv');
CREATE TABLE senders (sender INT, total DECIMAL(10, 2), PRIMARY KEY (sender) NOT ENFORCED)
WITH ('connector' = 'filesystem', 'path' = 'out/senders', 'format' = 'json');
EXPLAIN INSERT INTO bands ${BANDS};
INSERT INTO bands ${BANDS};
INSERT INTO pairs SELECT sender, receiver, SUM(amount), COUNT(*) FROM transfers GROUP BY sender, receiver;
INSERT INTO senders SELECT sender, SUM(CAST(amount AS DECIMAL(10, 2))) FROM transfers GROUP BY sender;`;

  it('CSV and JSON: exactly the final rows, in the order their keys first appeared (a deleted key is gone, one inserted again goes last)', () => {
    const dir = workdir({ 'transfers.csv': TRANSFERS, 'job.sql': job });
    const r = run(dir);
    // Band 1 came first and was deleted; band 0 was deleted and inserted again, after band 2.
    expect(read(dir, 'out/bands.csv')).toBe('band,pairs\n2,2\n0,2\n');
    expect(read(dir, 'out/pairs.csv')).toBe(
      'sender,receiver,total,n\n1,2,250,2\n2,3,210,2\n1,3,20,2\n3,1,40,1\n',
    );
    // A directory path: one part file inside it, as for the append-only sink.
    expect(read(dir, 'out/senders/part-0-0.json')).toBe(
      '{"sender":1,"total":270.00}\n{"sender":2,"total":210.00}\n{"sender":3,"total":40.00}\n',
    );
    // Every change but -U (Flink's upsert sinks drop it) was applied.
    expect(r.stderr).toContain('job.sql: wrote 10 changes → out/bands.csv (2 rows, the latest per key)\n');
    expect(r.stderr).toContain('job.sql: wrote 7 changes → out/pairs.csv (4 rows, the latest per key)\n');
    // Nothing but the files themselves: the in-progress versions were renamed over them.
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['bands.csv', 'pairs.csv', 'senders']);
    expect(readdirSync(join(dir, 'out/senders'))).toEqual(['part-0-0.json']);

    // EXPLAIN says what the sink does with the updates.
    expect(r.stdout).toContain(
      "Sink: table 'bands' (connector 'filesystem', format 'csv') — receives updates (applied by its PRIMARY KEY)",
    );

    // A second fresh run keeps the first one's files aside and writes the same again.
    const again = run(dir);
    expect(again.stderr).toMatch(
      /job\.sql: out\/bands\.csv held the output of an earlier run: kept as out\/bands\.before-\S+\.csv\n/,
    );
    expect(read(dir, 'out/bands.csv')).toBe('band,pairs\n2,2\n0,2\n');
    const kept = readdirSync(join(dir, 'out')).filter((f) => f.startsWith('bands.before-'));
    expect(kept).toHaveLength(1);
    expect(read(dir, `out/${kept[0]}`)).toBe('band,pairs\n2,2\n0,2\n');
  });

  it('without a PRIMARY KEY the file sink only appends: an updating query is refused at plan time, and nothing is written', () => {
    const dir = workdir({
      'transfers.csv': TRANSFERS,
      'job.sql': `${TRANSFERS_TABLE}
CREATE TABLE bands (band BIGINT, pairs BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out/bands.csv', 'format' = 'csv');
INSERT INTO bands ${BANDS};`,
    });
    const r = runCli(['run', 'job.sql'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "table 'bands' only appends rows, but this query's result is updated as rows arrive",
    );
    expect(r.stderr).toContain('declare PRIMARY KEY (band) NOT ENFORCED');
    expect(readdirSync(dir).sort()).toEqual(['job.sql', 'transfers.csv']);
  });

  it("a 'kafka' table (the embedded topic store) is append-only, as Flink's: an updating query is refused at plan time", () => {
    const dir = workdir({
      'transfers.csv': TRANSFERS,
      'job.sql': `${TRANSFERS_TABLE}
CREATE TABLE band_topic (band BIGINT, pairs BIGINT) WITH ('connector' = 'kafka', 'topic' = 'bands', 'format' = 'json');
INSERT INTO band_topic ${BANDS};`,
    });
    const r = runCli(['run', 'job.sql'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "table 'band_topic' only appends rows, but this query's result is updated as rows arrive",
    );
    expect(readdirSync(dir).sort()).toEqual(['job.sql', 'transfers.csv']);
  });
});

// ---- restarts: generated transactions, checkpoints every 100 ms ------------------------------

/**
 * Per sender: a count, a DECIMAL (kept as a bigint) and a BIGINT beyond 2^53 (a bigint too), so the
 * checkpointed rows must keep exact values; and the number of senders per band of totals, whose
 * bands empty (-D) as totals grow past them, into a JSON file.
 */
const RESTART_JOB = `SET 'execution.checkpointing.interval' = '100ms';
CREATE TABLE transactions (${TRANSACTIONS_COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE VIEW sender_totals AS SELECT sender, SUM(amount) AS total FROM transactions GROUP BY sender;
CREATE TABLE by_sender (sender BIGINT, n BIGINT, third DECIMAL(20, 2), big BIGINT, PRIMARY KEY (sender) NOT ENFORCED)
WITH ('connector' = 'filesystem', 'path' = 'out/by_sender.csv', 'format' = 'csv');
CREATE TABLE bands (band BIGINT, senders BIGINT, PRIMARY KEY (band) NOT ENFORCED)
WITH ('connector' = 'filesystem', 'path' = 'out/bands.json', 'format' = 'json');
INSERT INTO by_sender SELECT sender, COUNT(*), SUM(CAST(amount AS DECIMAL(20, 2))) / 3, SUM(amount) * 1000000000000 FROM transactions GROUP BY sender;
INSERT INTO bands SELECT total / 20000, COUNT(*) FROM sender_totals GROUP BY total / 20000;
`;

const OUTPUTS = ['out/by_sender.csv', 'out/bands.json'];

/** A work dir with `records` generated transactions and RESTART_JOB, and the files an uninterrupted run writes. */
function restartWorkdir(records: number): { dir: string; want: Record<string, string> } {
  const dir = workdir({ 'job.sql': RESTART_JOB });
  expect(runCli(['generate', '--count', String(records), '--out', 'tx.csv'], dir).code).toBe(0);
  const ref = mkdtempSync(join(tmpdir(), 'fintrans-upsert-ref-'));
  cpSync(join(dir, 'tx.csv'), join(ref, 'tx.csv'));
  writeFileSync(join(ref, 'job.sql'), RESTART_JOB);
  run(ref, ['--quiet']);
  const want = Object.fromEntries(OUTPUTS.map((f) => [f, read(ref, f)]));
  // The reference itself: 1000 senders (the generator's accounts), BIGINTs beyond 2^53, bands deleted on the way.
  expect(want['out/by_sender.csv']!.split('\n').filter(Boolean)).toHaveLength(1001);
  expect(want['out/by_sender.csv']).toMatch(/\n\d+,\d+,\d+\.\d\d,\d{17,}\n/);
  rmSync(ref, { recursive: true, force: true });
  return { dir, want };
}

/**
 * Runs the job and kills it (SIGKILL) `delayMs` after `file` holds rows: the file is replaced only
 * at a checkpoint's commit, so there is a checkpoint to resume from. (Timing from the start would
 * not do: on a loaded machine the CLI may not have read anything after a second.) Resolves with
 * code null when killed, 0 when the job finished first.
 */
function killAfterFileHasRows(dir: string, file: string, delayMs = 0): Promise<{ code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', 'job.sql', '--quiet'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, FINTRANS_HOME: '' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let timer: NodeJS.Timeout | undefined;
    const poll = setInterval(() => {
      if (timer === undefined && existsSync(join(dir, file)) && read(dir, file).split('\n').length > 2) {
        clearInterval(poll);
        timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    }, 10);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve({ code: null });
      else if (code === 0) resolve({ code: 0 });
      else reject(new Error(`job failed with code ${code}:\n${stderr}`));
    });
  });
}

/** The file is one whole version: the header, then rows of the right shape with no key twice (never a torn or half-replaced file). */
function expectWholeVersion(dir: string): void {
  // A run killed while starting may not have made them yet.
  if (!existsSync(join(dir, 'out/by_sender.csv'))) return;
  const csv = read(dir, 'out/by_sender.csv').split('\n');
  expect(csv[0]).toBe('sender,n,third,big');
  expect(csv[csv.length - 1]).toBe('');
  const rows = csv.slice(1, -1);
  for (const r of rows) expect(r).toMatch(/^\d+,\d+,\d+\.\d\d,\d+$/);
  expect(new Set(rows.map((r) => r.split(',')[0])).size).toBe(rows.length);
  if (!existsSync(join(dir, 'out/bands.json'))) return;
  const json = read(dir, 'out/bands.json');
  const docs = json
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { band: number });
  expect(new Set(docs.map((d) => d.band)).size).toBe(docs.length);
}

describe('a PRIMARY KEY file after crashes and restarts: the same file as an uninterrupted run', () => {
  it('up to 8 SIGKILLs at random moments once it wrote rows: each time the files are one whole version; the final files are identical, byte for byte', async () => {
    // Enough input for several seconds of work, so that a quiet machine is still killed a few times.
    const { dir, want } = restartWorkdir(1_000_000);
    const random = mulberry32(5);
    const kills = await killRepeatedly(8, async () => {
      const r = await killAfterFileHasRows(dir, 'out/by_sender.csv', Math.floor(random() * 400));
      if (r.code === null) expectWholeVersion(dir);
      return { ...r, wallMs: 0, stderr: '' };
    });
    // Up to 8: a fast machine finishes the input in fewer runs (the last of them completed it); a
    // few kills are needed for the test to mean something.
    expect(kills).toBeGreaterThanOrEqual(3);
    if (kills === 8) {
      const last = run(dir);
      expect(last.stderr).toMatch(/job\.sql: resuming from checkpoint \d+/);
    }
    for (const f of OUTPUTS) expect(read(dir, f), f).toBe(want[f]);
    // Nothing else: no in-progress file left, nothing kept aside (the work dir had no earlier output).
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['bands.json', 'by_sender.csv']);
  }, 240_000);

  it('a file changed between runs is kept aside (the checkpoint writes it again), a file removed is written again', async () => {
    const { dir, want } = restartWorkdir(120_000);
    expect(
      (await killAfterFileHasRows(dir, 'out/by_sender.csv')).code,
      'the job finished before it was killed',
    ).toBeNull();
    const edited = read(dir, 'out/by_sender.csv') + '9999,1,0.00,0\n';
    writeFileSync(join(dir, 'out/by_sender.csv'), edited);
    rmSync(join(dir, 'out/bands.json'));

    const r = run(dir);
    expect(r.stderr).toMatch(/job\.sql: resuming from checkpoint \d+/);
    const kept = readdirSync(join(dir, 'out')).filter((f) => f.startsWith('by_sender.before-'));
    expect(kept).toHaveLength(1);
    expect(r.stderr).toContain(
      `job.sql: out/by_sender.csv is not a file this job wrote at its checkpoint (it was changed or replaced since): kept as out/${kept[0]}\n`,
    );
    expect(r.stderr).toContain('job.sql: out/bands.json was gone: written again from the checkpoint\n');
    expect(read(dir, `out/${kept[0]}`)).toBe(edited);
    for (const f of OUTPUTS) expect(read(dir, f), f).toBe(want[f]);
  }, 120_000);
});

// ---- a full disk ----------------------------------------------------------------------------

const mounts: string[] = [];
afterEach(() => {
  for (const at of mounts.splice(0)) execFileSync('umount', ['-l', at]);
});

describe('a PRIMARY KEY file on a full disk', () => {
  it('stops with a clear error, the file is still the last good version and no in-progress file is left; with space the run completes identically', () => {
    const { dir, want } = restartWorkdir(60_000);
    // Room for one version of by_sender.csv (about 40 kB) but not for a second one beside it.
    const out = join(dir, 'out');
    mkdirSync(out);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', out]);
    mounts.push(out);

    const full = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(full.code, full.stderr).toBe(1);
    expect(full.stderr).toMatch(
      /^error: cannot write out\/(by_sender\.csv|bands\.json): the disk is full \(ENOSPC\)\n {2}hint: the file still holds the rows of the job's last checkpoint \(a new version replaces it only once completely written\); free space or fix the permissions, then run the job again to resume\n$/,
    );
    expectWholeVersion(dir);
    expect(readdirSync(out).sort()).toEqual(['bands.json', 'by_sender.csv']);

    execFileSync('mount', ['-o', 'remount,size=64m', out]);
    const again = run(dir);
    expect(again.stderr).toMatch(/job\.sql: resuming from checkpoint \d+/);
    for (const f of OUTPUTS) expect(read(dir, f), f).toBe(want[f]);
    expect(readdirSync(out).sort()).toEqual(['bands.json', 'by_sender.csv']);
  }, 120_000);
});
