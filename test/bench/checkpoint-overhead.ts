// Bench case (f): what checkpoints cost.
//
// (f) (a): case (a)'s job and input (little state: a few thousand open pairs) with checkpoints off,
// at the default interval (10 s), and at short intervals (1 s, 100 ms).
// (f) (c) and (f) group: state-heavy jobs on case (c)'s input (1 M distinct pairs in one 10-minute
// span): case (c)'s HOP job (1 M keys open until the input ends), and a running GROUP BY over the
// same pairs (1 M groups held for good), with checkpoints off, at the default, every 1 s and every
// 100 ms (the state grows as the input is read: the largest checkpoints are the last ones).
//
// Each throughput is shown as a fraction of the run without checkpoints, and each output must
// equal that run's. For the checkpointed runs the job's summary line ("checkpoints: N, avg … ms,
// max … ms, last … MB") gives how long one checkpoint takes and how big it is, and the checkpoint
// database's size on disk (its high-water mark: the rows are cleared when the job finishes) is shown.

import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareCsvRows } from './compare.js';
import type { BenchInput } from './inputs.js';
import type { ChildRun } from './measure.js';
import { grouped, type ResultRow } from './report.js';

export interface CheckpointCaseOptions {
  /** Case (a)'s input. */
  readonly input: BenchInput;
  /** Case (c)'s input (1 M distinct pairs), for the state-heavy variants. */
  readonly stateInput: BenchInput;
  /** A fresh working directory for one variant (input/transactions.csv linked to `input`, output/ empty). */
  readonly workDir: (variant: string, input: BenchInput) => string;
  /** Runs the job file `job` (a path) in `cwd` with these extra --set flags (median of the bench's --repeat). */
  readonly run: (job: string, cwd: string, sets: string[]) => Promise<ChildRun>;
  /** test/bench/jobs. */
  readonly jobsDir: string;
  readonly note: (line: string) => void;
  readonly fail: (line: string) => void;
}

interface Variant {
  readonly id: string;
  readonly label: string;
  /** The interval passed explicitly (also for the default), so a --set from the command line does not change the variants. */
  readonly interval: string;
}

const OFF: Variant = { id: 'off', label: 'off', interval: 'off' };
const DEFAULT: Variant = { id: 'default', label: 'default (10 s)', interval: '10s' };
const EVERY_1S: Variant = { id: '1s', label: 'every 1 s', interval: '1s' };
const EVERY_100MS: Variant = { id: '100ms', label: 'every 100 ms', interval: '100ms' };

/** A running aggregate with one group per (sender, receiver) pair: on case (c)'s input, 1 M groups that never close. */
const GROUP_JOB = `-- Written by the bench (case f): a running GROUP BY holding one group per pair.
CREATE TABLE transactions (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input/transactions.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE pair_totals (sender BIGINT, receiver BIGINT, total BIGINT, transfers BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'output/pair_totals.csv', 'format' = 'csv');

SET 'fintrans.sink.append-updates' = 'true';

INSERT INTO pair_totals
SELECT sender, receiver, SUM(amount) AS total, COUNT(*) AS transfers
FROM transactions
GROUP BY sender, receiver;
`;

interface Setup {
  readonly tag: string;
  readonly title: string;
  readonly input: BenchInput;
  /** The job file, given the variant's working directory. */
  readonly job: (dir: string) => string;
  readonly output: string;
  readonly variants: readonly Variant[];
}

export async function checkpointOverhead(o: CheckpointCaseOptions): Promise<ResultRow[]> {
  const setups: Setup[] = [
    {
      tag: 'a',
      title: 'case (a)',
      input: o.input,
      job: () => join(o.jobsDir, 'laundering_file.sql'),
      output: 'output/laundering.csv',
      variants: [OFF, DEFAULT, EVERY_1S, EVERY_100MS],
    },
    {
      tag: 'c',
      title: `case (c)'s HOP job, ${grouped(o.stateInput.records)} keys open`,
      input: o.stateInput,
      job: () => join(o.jobsDir, 'hop_open_keys.sql'),
      output: 'output/hop_alerts.csv',
      variants: [OFF, DEFAULT, EVERY_1S, EVERY_100MS],
    },
    {
      tag: 'group',
      title: `a running GROUP BY, ${grouped(o.stateInput.records)} groups`,
      input: o.stateInput,
      job: (dir) => {
        const path = join(dir, 'group_open_keys.sql');
        writeFileSync(path, GROUP_JOB);
        return path;
      },
      output: 'output/pair_totals.csv',
      variants: [OFF, DEFAULT, EVERY_1S, EVERY_100MS],
    },
  ];
  const rows: ResultRow[] = [];
  for (const s of setups) rows.push(...(await runSetup(o, s)));
  return rows;
}

async function runSetup(o: CheckpointCaseOptions, s: Setup): Promise<ResultRow[]> {
  const n = s.input.records;
  const rows: ResultRow[] = [];
  const cost: string[] = [];
  let base: { wallMs: number; dir: string } | null = null;
  for (const v of s.variants) {
    const dir = o.workDir(`f-${s.tag}-${v.id}`, s.input);
    const job = s.job(dir);
    const run = await o.run(job, dir, [`execution.checkpointing.interval=${v.interval}`]);
    const read = Number(/read (\d+) records? from/.exec(run.stderr)?.[1] ?? NaN);
    if (read !== n)
      o.fail(
        `(f) (${s.tag}) checkpoints ${v.label}: the job read ${Number.isNaN(read) ? 'an unknown number of' : read} records, the input has ${n}`,
      );
    const notes: string[] = [];
    if (base === null) {
      base = { wallMs: run.wallMs, dir };
      notes.push('baseline');
    } else {
      const cmp = compareCsvRows(join(base.dir, s.output), join(dir, s.output));
      if (!cmp.identical)
        o.fail(
          `(f) (${s.tag}) checkpoints ${v.label}: output differs from the run without checkpoints: ${cmp.difference}`,
        );
      notes.push(`${((base.wallMs / run.wallMs) * 100).toFixed(0)} % of the throughput without checkpoints`);
    }
    if (v.interval !== 'off') {
      const c = checkpointLine(run.stderr);
      // Every variant here runs well over 100 ms: that one must have taken checkpoints and said so.
      if (v === EVERY_100MS && (c === null || c.count === 0))
        o.fail(
          `(f) (${s.tag}) checkpoints ${v.label}: the run's summary shows no checkpoint ("checkpoints: N, avg …")`,
        );
      const db = dbBytes(
        join(dir, '.fintrans/checkpoints', job.replace(/^.*[\\/]/, '').replace(/\.sql$/, '.db')),
      );
      const what =
        c === null || c.count === 0
          ? 'no checkpoint taken'
          : `${c.count} checkpoint${c.count === 1 ? '' : 's'}, avg ${c.avgMs} ms, max ${c.maxMs} ms, last ${c.lastMb} MB`;
      notes.push(`${what}; db ${(db / 1e6).toFixed(1)} MB`);
      cost.push(`${v.label}: ${what}, checkpoint db ${(db / 1e6).toFixed(1)} MB`);
    }
    rows.push({
      label: `(f) (${s.tag}) checkpoints ${v.label}`,
      records: n,
      inputBytes: s.input.bytes,
      wallMs: run.wallMs,
      peakRssKb: run.peakRssKb,
      cpuMs: run.cpuMs,
      throughput: true,
      note: notes.join('; '),
    });
  }
  const b = rows[0]!;
  o.note(
    `(f) checkpoint overhead on ${s.title} (${grouped(n)} records): ` +
      rows
        .map((r, i) => `${s.variants[i]!.label} ${grouped(Math.round(n / (r.wallMs! / 1000)))} records/s`)
        .join(', ') +
      ` (relative to off: ${rows
        .slice(1)
        .map((r) => `${((b.wallMs! / r.wallMs!) * 100).toFixed(0)} %`)
        .join(', ')}); ` +
      `peak RSS ${rows.map((r) => `${((r.peakRssKb! * 1024) / 1e6).toFixed(0)}`).join(' / ')} MB` +
      (cost.length ? `; ${cost.join('; ')}.` : '.'),
  );
  return rows;
}

/** The run summary's "checkpoints: N, avg A ms, max M ms, last L MB", or null. */
function checkpointLine(
  stderr: string,
): { count: number; avgMs: number; maxMs: number; lastMb: string } | null {
  const m = /checkpoints: (\d+), avg (\d+) ms, max (\d+) ms, last ([\d.]+) MB/.exec(stderr);
  return m ? { count: Number(m[1]), avgMs: Number(m[2]), maxMs: Number(m[3]), lastMb: m[4]! } : null;
}

/** The checkpoint database's bytes on disk, with its write-ahead log. */
function dbBytes(path: string): number {
  let n = 0;
  for (const p of [path, `${path}-wal`]) if (existsSync(p)) n += statSync(p).size;
  return n;
}
