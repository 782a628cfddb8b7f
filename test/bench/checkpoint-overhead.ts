// Bench case (f): what checkpoints cost. Case (a)'s job and input run with checkpoints off, at the
// default interval (10 s), and at short intervals (1 s, 100 ms); each throughput is shown as a
// fraction of the run without checkpoints, and each output must equal that run's.

import { join } from 'node:path';
import { compareCsvRows } from './compare.js';
import type { BenchInput } from './inputs.js';
import type { ChildRun } from './measure.js';
import { grouped, type ResultRow } from './report.js';

export interface CheckpointCaseOptions {
  readonly input: BenchInput;
  /** A fresh working directory for one variant (input/transactions.csv linked, output/ empty). */
  readonly workDir: (variant: string) => string;
  /** Runs laundering_file.sql in `cwd` with these extra --set flags (median of the bench's --repeat). */
  readonly run: (cwd: string, sets: string[]) => Promise<ChildRun>;
  readonly note: (line: string) => void;
  readonly fail: (line: string) => void;
}

const VARIANTS: readonly { id: string; label: string; interval: string | null }[] = [
  { id: 'off', label: 'off', interval: 'off' },
  { id: 'default', label: 'default (10 s)', interval: null },
  { id: '1s', label: 'every 1 s', interval: '1s' },
  { id: '100ms', label: 'every 100 ms', interval: '100ms' },
];

export async function checkpointOverhead(o: CheckpointCaseOptions): Promise<ResultRow[]> {
  const n = o.input.records;
  const rows: ResultRow[] = [];
  let base: { wallMs: number; dir: string } | null = null;
  for (const v of VARIANTS) {
    const dir = o.workDir(`f-${v.id}`);
    // An explicit interval, also for the default, so a --set from the command line does not change the variants.
    const run = await o.run(dir, [`execution.checkpointing.interval=${v.interval ?? '10s'}`]);
    const read = Number(/read (\d+) records? from/.exec(run.stderr)?.[1] ?? NaN);
    if (read !== n) o.fail(`(f) checkpoints ${v.label}: the job read ${Number.isNaN(read) ? 'an unknown number of' : read} records, the input has ${n}`);
    let note: string;
    if (base === null) {
      base = { wallMs: run.wallMs, dir };
      note = 'baseline';
    } else {
      const cmp = compareCsvRows(join(base.dir, 'output/laundering.csv'), join(dir, 'output/laundering.csv'));
      if (!cmp.identical) o.fail(`(f) checkpoints ${v.label}: output differs from the run without checkpoints: ${cmp.difference}`);
      note = `${((base.wallMs / run.wallMs) * 100).toFixed(0)} % of the throughput without checkpoints`;
    }
    rows.push({ label: `(f) (a) with checkpoints ${v.label}`, records: n, inputBytes: o.input.bytes, wallMs: run.wallMs, peakRssKb: run.peakRssKb, cpuMs: run.cpuMs, throughput: true, note });
  }
  const b = rows[0]!;
  o.note(
    `(f) checkpoint overhead on case (a) (${grouped(n)} records): ` +
      rows.map((r) => `${r.label.replace('(f) (a) with checkpoints ', '')} ${grouped(Math.round(n / (r.wallMs! / 1000)))} records/s`).join(', ') +
      ` (relative to off: ${rows.slice(1).map((r) => `${((b.wallMs! / r.wallMs!) * 100).toFixed(0)} %`).join(', ')}).`,
  );
  return rows;
}
