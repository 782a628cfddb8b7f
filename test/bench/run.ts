// `npm run bench`: throughput, memory and startup of fintrans-sql, each case a real CLI run in a
// child process on deterministically generated input. Not a test: it prints numbers, checks that
// the runs did what they should (record counts, expected output, identical to the hand-written
// floor), and exits 1 only when such a check fails. See BENCHMARKS.md for what each case means.
//
//   npm run bench [-- --quick] [-- --only a,c] [-- --repeat 3] [-- --profile] [-- --flink] [-- --write]

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { compareCsvRows, countCsvRows } from './compare.js';
import { expectedHopAlerts } from './hop-input.js';
import { benchDir, caseWorkDir, InputCache, patternTruthDir, type BenchInput } from './inputs.js';
import { describeMachine, machineLine } from './machine.js';
import { assertSucceeded, peakRssMethod, runChild, type ChildRun } from './measure.js';
import { topSelfTime } from './profile.js';
import {
  benchmarksMarkdown,
  FLINK_SECTION,
  flinkSection,
  grouped,
  megabytes,
  profileTable,
  resultTable,
  type ResultRow,
  withFlinkSection,
} from './report.js';
import { kafkaCase } from './kafka.js';
import { checkpointOverhead } from './checkpoint-overhead.js';
import { EVENT_CASE_SIZE, lookupCase, structuringCase, type EventCaseOptions } from './events.js';
import { flinkSideBySide, prepareFlinkBench, type FlinkBench } from './flink.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = join(ROOT, 'dist/app/cli/main.js');
const FLOOR = join(ROOT, 'dist/test/bench/floor-laundering.js');
const JOBS = join(ROOT, 'test/bench/jobs');
const NODE = process.execPath;

const CASE_IDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'] as const;
type CaseId = (typeof CASE_IDS)[number];

const FULL_SIZE = {
  a: 5_000_000,
  b: 2_000_000,
  c: 1_000_000,
  d: 2_000_000,
  g: 2_000_000,
  h: 2_000_000,
  i: 2_000_000,
};
/**
 * (i)'s input: 500 accounts (250 000 possible pairs) and a record every 17 ms, so each 1-hour
 * window holds ~212 000 records over ~145 000 distinct pairs and ~260 000 groups pass HAVING in all.
 */
const I_SPREAD = { accounts: 500, stepMs: 17 };
const I_WINDOW_MINUTES = 60;
/** Planted rapid cash-outs and layering chains in (g)'s input (a third of each alert, the rest decoys). */
const G_CASES = 300;
const STARTUP_RUNS = 5;

const TARGETS = {
  aRecordsPerSec: 1_600_000,
  aFloorFraction: 0.5,
  cPeakRssMb: 500,
  eStartupSec: 0.5,
  iFloorFraction: 0.6,
  /** (a) and (i): wall time at parallelism 1 / at parallelism 2 (issue 19). */
  parallelSpeedup: 1.6,
};

const HELP = `Usage: npm run bench -- [options]

  --quick          inputs 10x smaller (a smoke run; targets are for full size)
  --only a,c       run only these cases: a (laundering, file → CSV, + floor), b (JSON job),
                   c (HOP, 1 M open keys), d (Kafka → CSV on the test rig's broker, or
                   KAFKA_BROKERS, + raw consume rate), e (startup), f (checkpoint overhead on a, on c,
                   and on a running GROUP BY with c's 1 M pairs), g (rapid cash-out: an interval
                   join over 2 M transfers with planted cases), h (velocity: OVER windows of an
                   hour and a day per sender over 2 M transfers), i (high cardinality: (a)'s query
                   with 1-hour windows over 500 accounts, ~260 000 alert rows, + its floor),
                   j (structuring: MATCH_RECOGNIZE over 2 M transfers), k (lookup join into the
                   PostgreSQL rig over 1 M transfers, cache off and PARTIAL) — see events.ts
  --repeat N       run a, b, c, i (and the floors) N times; report the median wall time
                   (default 1); a and i alternate engine and floor runs, and their ratio is
                   the median of the runs' ratios
  --set key=value  pass --set key=value to every engine run (repeatable), e.g.
                   --set execution.checkpointing.interval=off
  --profile        also run case (a) (and (i) when selected) under node --cpu-prof and list the
                   top 10 self-time functions
  --flink          also run h, i and j (those selected) on Apache Flink in one JVM (a MiniCluster
                   from the conformance rig's Maven jars; Java 17 + Maven): h and j at parallelism
                   1, i at 1 and 2, next to fintrans-sql at the same parallelism; rows must be
                   identical; prints the ratios. Off by default: each Flink run takes minutes
  --write          write the results to BENCHMARKS.md (with --flink: only its section
                   "Flink side by side", the "Latest run" table is left as it was)
  -h, --help       this help

Inputs are cached in $FINTRANS_BENCH_DIR (default: $TMPDIR/fintrans-sql-bench).`;

interface Flags {
  quick: boolean;
  only: Set<CaseId>;
  repeat: number;
  profile: boolean;
  /** Also run h, i, j on Flink (flink.ts). */
  flink: boolean;
  write: boolean;
  /** --set flags for the engine runs, as given. */
  sets: string[];
}

function parseFlags(argv: string[]): Flags | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      repeat: { type: 'string' },
      profile: { type: 'boolean' },
      flink: { type: 'boolean' },
      set: { type: 'string', multiple: true },
      write: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const only = new Set<CaseId>();
  for (const part of (values.only ?? CASE_IDS.join(',')).split(',')) {
    const id = part.trim().toLowerCase();
    if (!(CASE_IDS as readonly string[]).includes(id))
      throw new Error(
        `--only: unknown case '${part}': use letters from ${CASE_IDS.join(', ')}, as in --only a,c`,
      );
    only.add(id as CaseId);
  }
  const repeat = values.repeat === undefined ? 1 : Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new Error(`--repeat needs a whole number ≥ 1, got '${values.repeat}'`);
  const sets = values.set ?? [];
  for (const s of sets) if (!/^[^=]+=.*$/.test(s)) throw new Error(`--set needs key=value, got '${s}'`);
  return {
    quick: values.quick ?? false,
    only,
    repeat,
    profile: values.profile ?? false,
    flink: values.flink ?? false,
    write: values.write ?? false,
    sets,
  };
}

/** What the cases found beyond the table; `failed` marks a check that makes the numbers void. */
class Findings {
  readonly lines: string[] = [];
  failed = false;
  note(line: string): void {
    this.lines.push(line);
    console.log(`  ${line}`);
  }
  fail(line: string): void {
    this.failed = true;
    this.note(`CHECK FAILED: ${line}`);
  }
}

interface Context {
  readonly flags: Flags;
  readonly root: string;
  readonly inputs: InputCache;
  readonly findings: Findings;
  /** With --flink: the runner (prepared on first use), and the rows for its section. */
  flink?: FlinkBench;
  readonly flinkRows: ResultRow[];
  readonly flinkLines: string[];
}

/** fintrans-sql's runs of case `id` next to the same job on Flink (with --flink), into ctx.flinkRows. */
async function onFlink(
  ctx: Context,
  id: 'h' | 'i' | 'j',
  job: string,
  input: string,
  records: number,
  bytes: number,
  runs: { parallelism: number; ours: ChildRun; output: string }[],
  ourRows: ResultRow[],
): Promise<void> {
  if (!ctx.flags.flink) return;
  ctx.flink ??= await prepareFlinkBench(join(ROOT, 'test/bench'));
  ctx.flinkRows.push(...ourRows);
  ctx.flinkRows.push(
    ...(await flinkSideBySide({
      flink: ctx.flink,
      id,
      job,
      input,
      records,
      bytes,
      dir: join(ctx.root, 'runs', `${id}-flink`),
      runs,
      note: (l) => {
        ctx.findings.note(l);
        ctx.flinkLines.push(l);
      },
      fail: (l) => {
        ctx.findings.fail(l);
        ctx.flinkLines.push(`CHECK FAILED: ${l}`);
      },
    })),
  );
}

/** What the cases of events.ts need. */
function eventCase(ctx: Context, id: 'j' | 'k'): EventCaseOptions {
  return {
    records: size(ctx, EVENT_CASE_SIZE[id]),
    repeat: ctx.flags.repeat,
    dir: join(ctx.root, `case-${id}`),
    node: NODE,
    cli: CLI,
    jobs: JOBS,
    note: (l) => ctx.findings.note(l),
    fail: (l) => ctx.findings.fail(l),
    onFlink:
      id === 'j'
        ? (job, input, records, bytes, ours, output, rows) =>
            onFlink(ctx, 'j', job, input, records, bytes, [{ parallelism: 1, ours, output }], rows)
        : undefined,
  };
}

function size(ctx: Context, full: number): number {
  return ctx.flags.quick ? full / 10 : full;
}

type Inputs = Partial<Record<'a' | 'b' | 'c' | 'e' | 'g' | 'h' | 'i', BenchInput>>;

/**
 * Every input the selected cases need, made before anything is measured (then `sync`), so that
 * writing them back to disk does not slow the first measured run.
 */
async function prepareInputs(ctx: Context): Promise<Inputs> {
  const wanted = ctx.flags.only;
  const inputs: Inputs = {};
  const show = (id: string, what: string, inp: BenchInput): BenchInput => {
    const how = inp.generatedIn === null ? 'cached' : `generated in ${inp.generatedIn.toFixed(1)} s`;
    console.log(
      `  (${id}) ${what}: ${grouped(inp.records)} records, ${megabytes(inp.bytes)} MB, ${how} — ${inp.path}`,
    );
    return inp;
  };
  if (wanted.has('a') || wanted.has('f') || ctx.flags.profile) {
    const n = size(ctx, FULL_SIZE.a);
    inputs.a = show('a', 'dcos semicolon records', await ctx.inputs.dcos(n, n / 10_000));
  }
  if (wanted.has('b'))
    inputs.b = show('b', 'PyFlink JSON records', await ctx.inputs.json(size(ctx, FULL_SIZE.b)));
  if (wanted.has('c') || wanted.has('f'))
    inputs.c = show(
      'c',
      'distinct pairs in one 10-minute span',
      await ctx.inputs.hopKeys(size(ctx, FULL_SIZE.c)),
    );
  if (wanted.has('e')) inputs.e = show('e', 'one dcos record', await ctx.inputs.oneRecord());
  if (wanted.has('g')) {
    const n = size(ctx, FULL_SIZE.g);
    inputs.g = show(
      'g',
      'dcos records with planted cash-outs and layering chains',
      await ctx.inputs.patterns(n, ctx.flags.quick ? G_CASES / 10 : G_CASES),
    );
  }
  if (wanted.has('h')) {
    const n = size(ctx, FULL_SIZE.h);
    inputs.h = show('h', 'dcos semicolon records', await ctx.inputs.dcos(n, n / 10_000));
  }
  if (wanted.has('i')) {
    const n = size(ctx, FULL_SIZE.i);
    inputs.i = show(
      'i',
      `dcos records over ${I_SPREAD.accounts} accounts, one every ${I_SPREAD.stepMs} ms`,
      await ctx.inputs.dcos(n, 0, 1, I_SPREAD),
    );
  }
  if (Object.values(inputs).some((i) => i.generatedIn !== null)) spawnSync('sync');
  return inputs;
}

/** Runs a command `repeat` times; the median run by wall time, with the highest peak RSS seen. */
async function measured(what: string, repeat: number, run: () => Promise<ChildRun>): Promise<ChildRun> {
  const runs: ChildRun[] = [];
  for (let i = 0; i < repeat; i++) {
    const r = await run();
    assertSucceeded(what, r);
    runs.push(r);
  }
  return medianRun(runs);
}

/** The median run by wall time, with the highest peak RSS seen. */
function medianRun(runs: readonly ChildRun[]): ChildRun {
  const sorted = [...runs].sort((x, y) => x.wallMs - y.wallMs);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return { ...median, peakRssKb: Math.max(...runs.map((r) => r.peakRssKb)) };
}

let engineSets: string[] = [];

function runJob(
  job: string,
  cwd: string,
  extraNodeArgs: string[] = [],
  extraArgs: string[] = [],
): Promise<ChildRun> {
  const sets = engineSets.flatMap((s) => ['--set', s]);
  return runChild(NODE, [...extraNodeArgs, CLI, 'run', join(JOBS, job), '--quiet', ...sets, ...extraArgs], {
    cwd,
    firstOutputMarker: '+I[',
  });
}

/** The records count from the run summary ("read N records from 't'"), checked against the input. */
function checkRecordsRead(ctx: Context, label: string, run: ChildRun, expected: number): void {
  const m = /read (\d+) records? from/.exec(run.stderr);
  const read = m ? Number(m[1]) : NaN;
  if (read !== expected)
    ctx.findings.fail(
      `${label}: the job read ${Number.isNaN(read) ? 'an unknown number of' : read} records, the input has ${expected}`,
    );
}

function row(label: string, inp: BenchInput, run: ChildRun, note: string): ResultRow {
  return {
    label,
    records: inp.records,
    inputBytes: inp.bytes,
    wallMs: run.wallMs,
    peakRssKb: run.peakRssKb,
    cpuMs: run.cpuMs,
    throughput: true,
    note,
  };
}

// ---------------------------------------------------------------------------------------------
// Cases

/** A case run next to the hand-written floor (test/bench/floor-laundering.ts) on the same input. */
interface FloorCase {
  readonly id: 'a' | 'i';
  readonly job: string;
  readonly windowMinutes: number;
  readonly label: string;
  /** Whether the input holds planted cases (then no alert row at all is a failure). */
  readonly planted: boolean;
  readonly target: number;
}

/**
 * Engine and floor alternate (engine, floor, engine, floor, ...) so that a machine whose load
 * changes during the run slows both alike: the reported fraction is the median of the pairs'
 * floor/engine ratios, the table's rows the median runs of each.
 */
async function floorCase(
  ctx: Context,
  inp: BenchInput,
  c: FloorCase,
): Promise<{
  rows: ResultRow[];
  fraction: number;
  engine: ChildRun;
  parallel: ChildRun;
  /** The CSV files the engine wrote at parallelism 1 and 2. */
  outputs: [string, string];
}> {
  const n = inp.records;
  const engineDir = caseWorkDir(ctx.root, c.id, inp, 'transactions.csv');
  const floorDir = caseWorkDir(ctx.root, `${c.id}-floor`, inp, 'transactions.csv');
  // The same job at parallelism 2 (issue 19), in the same alternation so load changes hit both alike.
  const parallelDir = caseWorkDir(ctx.root, `${c.id}-p2`, inp, 'transactions.csv');
  const parallelRuns: ChildRun[] = [];
  const speedups: number[] = [];
  const engineRuns: ChildRun[] = [];
  const floorRuns: ChildRun[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < ctx.flags.repeat; i++) {
    const e = await runJob(c.job, engineDir);
    assertSucceeded(`(${c.id}) engine`, e);
    const p2 = await runJob(c.job, parallelDir, [], ['--parallelism', '2']);
    assertSucceeded(`(${c.id}) engine at parallelism 2`, p2);
    parallelRuns.push(p2);
    speedups.push(e.wallMs / p2.wallMs);
    const f = await runChild(
      NODE,
      [FLOOR, 'input/transactions.csv', 'output/laundering.csv', String(c.windowMinutes)],
      { cwd: floorDir },
    );
    assertSucceeded(`(${c.id}) floor`, f);
    engineRuns.push(e);
    floorRuns.push(f);
    ratios.push(f.wallMs / e.wallMs);
  }
  const engine = medianRun(engineRuns);
  const floor = medianRun(floorRuns);
  checkRecordsRead(ctx, `(${c.id})`, engine, n);

  const cmp = compareCsvRows(
    join(floorDir, 'output/laundering.csv'),
    join(engineDir, 'output/laundering.csv'),
  );
  if (cmp.identical)
    ctx.findings.note(`(${c.id}) output identical to the floor's: ${cmp.rows} alert rows (compared sorted).`);
  else ctx.findings.fail(`(${c.id}) output differs from the floor's: ${cmp.difference}`);
  if (cmp.rows === 0)
    ctx.findings.fail(
      `(${c.id}) wrote no alert rows: the input should ${c.planted ? 'hold planted cases' : 'give many'}`,
    );

  const parallel = medianRun(parallelRuns);
  checkRecordsRead(ctx, `(${c.id}) at parallelism 2`, parallel, n);
  const p2cmp = compareCsvRows(
    join(engineDir, 'output/laundering.csv'),
    join(parallelDir, 'output/laundering.csv'),
  );
  if (!p2cmp.identical)
    ctx.findings.fail(`(${c.id}) at parallelism 2: output differs from parallelism 1's: ${p2cmp.difference}`);
  const speedup = median(speedups);
  ctx.findings.note(
    `(${c.id}) parallelism 2: ${speedup.toFixed(2)}× the speed of parallelism 1 (median of ${speedups.length}: ${speedups.map((x) => `${x.toFixed(2)}×`).join(', ')}; target ≥ ${TARGETS.parallelSpeedup}×: ${verdict(speedup >= TARGETS.parallelSpeedup, ctx)}; ${p2cmp.identical ? 'identical rows' : 'rows differ'}; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores).`,
  );

  const fraction = median(ratios);
  const runsNote =
    ratios.length > 1
      ? ` (median of ${ratios.length} alternating pairs: ${ratios.map((r) => `${(r * 100).toFixed(0)} %`).join(', ')})`
      : '';
  ctx.findings.note(
    `(${c.id}) engine speed = ${(fraction * 100).toFixed(0)} % of the floor's${runsNote} (target ≥ ${c.target * 100} %: ${verdict(fraction >= c.target, ctx)}).`,
  );
  return {
    rows: [
      row(c.label, inp, engine, `${cmp.rows} alerts; ${(fraction * 100).toFixed(0)} % of floor speed`),
      row(
        `(${c.id}) at parallelism 2`,
        inp,
        parallel,
        `${speedup.toFixed(2)}× parallelism 1 (--parallelism 2)`,
      ),
      row(
        `(${c.id}) floor: hand-written JS`,
        inp,
        floor,
        `test/bench/floor-laundering.ts${c.windowMinutes === 10 ? '' : ` (${c.windowMinutes} min windows)`}`,
      ),
    ],
    fraction,
    engine,
    parallel,
    outputs: [join(engineDir, 'output/laundering.csv'), join(parallelDir, 'output/laundering.csv')],
  };
}

async function caseA(ctx: Context, inp: BenchInput): Promise<ResultRow[]> {
  const { rows, engine } = await floorCase(ctx, inp, {
    id: 'a',
    job: 'laundering_file.sql',
    windowMinutes: 10,
    label: '(a) laundering file → CSV',
    planted: true,
    target: TARGETS.aFloorFraction,
  });
  const rate = inp.records / (engine.wallMs / 1000);
  ctx.findings.note(
    `(a) ${grouped(Math.round(rate))} records/s (target ≥ ${grouped(TARGETS.aRecordsPerSec)}: ${verdict(rate >= TARGETS.aRecordsPerSec, ctx)}).`,
  );
  return rows;
}

async function caseI(ctx: Context, inp: BenchInput): Promise<ResultRow[]> {
  const { rows, engine, parallel, outputs } = await floorCase(ctx, inp, {
    id: 'i',
    job: 'laundering_hour_file.sql',
    windowMinutes: I_WINDOW_MINUTES,
    label: '(i) high cardinality, 1 h TUMBLE',
    planted: false,
    target: TARGETS.iFloorFraction,
  });
  await onFlink(
    ctx,
    'i',
    join(JOBS, 'laundering_hour_file.sql'),
    inp.path,
    inp.records,
    inp.bytes,
    [
      { parallelism: 1, ours: engine, output: outputs[0] },
      { parallelism: 2, ours: parallel, output: outputs[1] },
    ],
    rows.slice(0, 2),
  );
  return rows;
}

async function caseB(ctx: Context, inp: BenchInput): Promise<ResultRow[]> {
  const n = inp.records;
  const dir = caseWorkDir(ctx.root, 'b', inp, 'transactions.json');
  const run = await measured('(b) engine', ctx.flags.repeat, () => runJob('spending_pattern_file.sql', dir));
  checkRecordsRead(ctx, '(b)', run, n);
  const rows = countCsvRows(join(dir, 'output/spending_pattern.csv'));
  if (rows === 0) ctx.findings.fail('(b) wrote no rows');
  return [row('(b) spending_pattern JSON → CSV', inp, run, `${rows} rows`)];
}

async function caseC(ctx: Context, inp: BenchInput): Promise<ResultRow[]> {
  const keys = inp.records;
  const dir = caseWorkDir(ctx.root, 'c', inp, 'transactions.csv');
  const run = await measured('(c) engine', ctx.flags.repeat, () => runJob('hop_open_keys.sql', dir));
  checkRecordsRead(ctx, '(c)', run, keys);
  const rows = countCsvRows(join(dir, 'output/hop_alerts.csv'));
  const expected = expectedHopAlerts(keys);
  if (rows !== expected) ctx.findings.fail(`(c) wrote ${rows} alert rows, expected ${expected}`);
  const mb = (run.peakRssKb * 1024) / 1e6;
  ctx.findings.note(
    `(c) ${grouped(keys)} keys open at once: peak RSS ${mb.toFixed(0)} MB (target < ${TARGETS.cPeakRssMb} MB: ${verdict(mb < TARGETS.cPeakRssMb, ctx)}).`,
  );
  return [
    row(
      `(c) HOP, ${grouped(keys)} keys open`,
      inp,
      run,
      `${rows} alerts as expected: ${rows === expected ? 'yes' : 'NO'}`,
    ),
  ];
}

function caseD(ctx: Context): Promise<ResultRow[]> {
  const n = size(ctx, FULL_SIZE.d);
  const dir = join(ctx.root, 'runs', 'd');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'output'), { recursive: true });
  return kafkaCase({
    records: n,
    plant: n / 10_000,
    repeat: ctx.flags.repeat,
    dir,
    node: NODE,
    cli: CLI,
    rawReader: join(ROOT, 'dist/test/bench/kafka-raw.js'),
    fileJob: join(JOBS, 'laundering_file.sql'),
    sets: engineSets,
    note: (l) => ctx.findings.note(l),
    fail: (l) => ctx.findings.fail(l),
  });
}

function caseF(ctx: Context, inp: BenchInput, stateInp: BenchInput): Promise<ResultRow[]> {
  return checkpointOverhead({
    input: inp,
    stateInput: stateInp,
    workDir: (variant, input) => caseWorkDir(ctx.root, variant, input, 'transactions.csv'),
    run: (job, cwd, sets) =>
      measured(`(f) engine ${job} ${sets.join(' ')}`, ctx.flags.repeat, () =>
        runChild(
          NODE,
          [CLI, 'run', job, '--quiet', ...[...engineSets, ...sets].flatMap((s) => ['--set', s])],
          { cwd },
        ),
      ),
    jobsDir: JOBS,
    note: (l) => ctx.findings.note(l),
    fail: (l) => ctx.findings.fail(l),
  });
}

async function caseE(ctx: Context, inp: BenchInput): Promise<ResultRow[]> {
  const dir = caseWorkDir(ctx.root, 'e', inp, 'transactions.csv');
  const runs = Math.max(STARTUP_RUNS, ctx.flags.repeat);
  const jobRuns: ChildRun[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await runJob('startup_print.sql', dir);
    assertSucceeded('(e) engine', r);
    jobRuns.push(r);
  }
  const job = {
    wallMs: median(jobRuns.map((r) => r.wallMs)),
    peakRssKb: Math.max(...jobRuns.map((r) => r.peakRssKb)),
    cpuMs: median(jobRuns.map((r) => r.cpuMs)),
  };
  const firstOutput = median(jobRuns.map((r) => r.firstOutputMs));
  const bare = await measured('node -e 0', runs, () => runChild(NODE, ['-e', '0'], { cwd: dir }));
  const secs = job.wallMs / 1000;
  ctx.findings.note(
    `(e) startup: ${secs.toFixed(3)} s spawn → exit, ${(firstOutput / 1000).toFixed(3)} s spawn → first output row ` +
      `(target < ${TARGETS.eStartupSec} s: ${verdict(secs < TARGETS.eStartupSec, ctx)}); a bare \`node -e 0\` takes ${(bare.wallMs / 1000).toFixed(3)} s here.`,
  );
  return [
    {
      label: '(e) startup, 1-record job',
      records: 1,
      inputBytes: inp.bytes,
      wallMs: job.wallMs,
      peakRssKb: job.peakRssKb,
      cpuMs: job.cpuMs,
      throughput: false,
      note: `median of ${runs}; first output at ${(firstOutput / 1000).toFixed(3)} s; node -e 0: ${(bare.wallMs / 1000).toFixed(3)} s`,
    },
  ];
}

async function caseG(ctx: Context, inp: BenchInput): Promise<ResultRow[]> {
  const dir = caseWorkDir(ctx.root, 'g', inp, 'transactions.csv');
  const run = await measured('(g) engine', ctx.flags.repeat, () => runJob('rapid_cashout_file.sql', dir));
  checkRecordsRead(ctx, '(g)', run, inp.records);
  // The alerts must be exactly the truth's: deposit and cash-out by account and time.
  const rows = (path: string): string[][] =>
    readFileSync(path, 'utf8')
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split(','));
  const truth = rows(join(patternTruthDir(inp.path), 'rapid_cashout_truth.csv')).filter(
    (r) => r[9] === 'true',
  );
  const expected = truth
    .map(([, , account, from, depositTime, , to, cashoutTime]) =>
      [account, from, depositTime, to, cashoutTime].join(' '),
    )
    .sort();
  const got = rows(join(dir, 'output/rapid_cashout.csv'))
    .map(([account, from, depositTime, , to, cashoutTime]) =>
      [account, from, depositTime, to, cashoutTime].join(' '),
    )
    .sort();
  const same = expected.length === got.length && expected.every((k, i) => k === got[i]);
  if (!same)
    ctx.findings.fail(
      `(g) wrote ${got.length} alerts, the truth expects ${expected.length}${expected.length === got.length ? ' (different ones)' : ''}`,
    );
  else
    ctx.findings.note(
      `(g) rapid cash-out alerts are exactly the ${expected.length} of the generator's truth (planted cash-outs and layering links).`,
    );
  const rate = inp.records / (run.wallMs / 1000);
  ctx.findings.note(
    `(g) interval join over ${grouped(inp.records)} transfers: ${grouped(Math.round(rate))} records/s, peak RSS ${megabytes(run.peakRssKb * 1024)} MB.`,
  );
  return [
    row(
      '(g) rapid_cashout: interval join',
      inp,
      run,
      `${got.length} alerts as the truth expects: ${same ? 'yes' : 'NO'}`,
    ),
  ];
}

async function caseH(ctx: Context, inp: BenchInput): Promise<ResultRow[]> {
  const dir = caseWorkDir(ctx.root, 'h', inp, 'transactions.csv');
  const run = await measured('(h) engine', ctx.flags.repeat, () => runJob('velocity_file.sql', dir));
  checkRecordsRead(ctx, '(h)', run, inp.records);
  const alerts = countCsvRows(join(dir, 'output/velocity.csv'));
  const rate = inp.records / (run.wallMs / 1000);
  ctx.findings.note(
    `(h) velocity (two OVER RANGE windows per sender, an hour and a day: every transfer held until the watermark, a day of them per sender) over ${grouped(inp.records)} transfers: ` +
      `${grouped(Math.round(rate))} records/s, peak RSS ${megabytes(run.peakRssKb * 1024)} MB, ${alerts} alerts.`,
  );
  const rows = [row('(h) velocity: OVER 1 h and 24 h', inp, run, `${alerts} alerts`)];
  await onFlink(
    ctx,
    'h',
    join(JOBS, 'velocity_file.sql'),
    inp.path,
    inp.records,
    inp.bytes,
    [{ parallelism: 1, ours: run, output: join(dir, 'output/velocity.csv') }],
    rows,
  );
  return rows;
}

async function profileCase(ctx: Context, id: 'a' | 'i', job: string, inp: BenchInput): Promise<string> {
  const n = inp.records;
  const dir = caseWorkDir(ctx.root, `${id}-profile`, inp, 'transactions.csv');
  const profDir = join(dir, 'profile');
  mkdirSync(profDir, { recursive: true });
  const run = await runJob(job, dir, [
    '--cpu-prof',
    '--cpu-prof-dir',
    profDir,
    '--cpu-prof-name',
    `${id}.cpuprofile`,
  ]);
  assertSucceeded(`(${id}) under --cpu-prof`, run);
  const { totalMs, rows } = topSelfTime(join(profDir, `${id}.cpuprofile`), ROOT, 10);
  return (
    `Case (${id}) (${grouped(n)} records) under \`node --cpu-prof\` (${(run.wallMs / 1000).toFixed(2)} s with the profiler, ` +
    `${(totalMs / 1000).toFixed(2)} s sampled), top 10 functions by self time. Lines are in the compiled files under dist/.\n\n` +
    profileTable(rows) +
    '\n'
  );
}

// ---------------------------------------------------------------------------------------------

function verdict(met: boolean, ctx: Context): string {
  return (met ? 'met' : 'MISSED') + (ctx.flags.quick ? ' — quick run, targets are for full size' : '');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

async function main(argv: string[]): Promise<number> {
  let flags: Flags | 'help';
  try {
    flags = parseFlags(argv);
  } catch (err) {
    console.error(`bench: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (flags === 'help') {
    console.log(HELP);
    return 0;
  }
  if (!existsSync(CLI) || !existsSync(FLOOR)) {
    console.error(`bench: build first (npm run build): ${!existsSync(CLI) ? CLI : FLOOR} is missing`);
    return 2;
  }
  engineSets = flags.sets;
  const machine = describeMachine();
  const root = benchDir();
  const ctx: Context = {
    flags,
    root,
    inputs: new InputCache(root, CLI),
    findings: new Findings(),
    flinkRows: [],
    flinkLines: [],
  };
  const command = `npm run bench${argv.length ? ' -- ' + argv.join(' ') : ''}`;
  console.log(`fintrans-sql bench${flags.quick ? ' (quick: inputs 10x smaller)' : ''}`);
  console.log(`machine: ${machineLine(machine)}`);
  console.log(
    `peak RSS: ${peakRssMethod() === 'gnu-time' ? '/usr/bin/time (GNU time, max RSS of the child)' : 'polling /proc/<pid>/status VmHWM every 10 ms'}`,
  );
  console.log(
    `engine runs: node dist/app/cli/main.js run <job> --quiet${flags.sets.map((x) => ` --set ${x}`).join('') || ' (engine defaults)'}`,
  );
  console.log(`work dir: ${root}\n`);

  console.log('inputs');
  const inputs = await prepareInputs(ctx);
  const rows: ResultRow[] = [];
  const cases: [CaseId, string, () => Promise<ResultRow[]> | ResultRow[]][] = [
    ['a', 'laundering.sql on a file → CSV, and the hand-written floor', () => caseA(ctx, inputs.a!)],
    ['b', 'spending_pattern.sql (JSON) on a file → CSV', () => caseB(ctx, inputs.b!)],
    ['c', 'HOP with 1 M distinct keys open at once', () => caseC(ctx, inputs.c!)],
    ['d', 'Kafka → CSV', () => caseD(ctx)],
    ['e', 'startup', () => caseE(ctx, inputs.e!)],
    [
      'f',
      'checkpoint overhead: (a) with checkpoints off, default, 1 s, 100 ms; (c) and a 1 M-group GROUP BY off, default, 1 s, 100 ms',
      () => caseF(ctx, inputs.a!, inputs.c!),
    ],
    ['g', 'rapid_cashout.sql (interval join) on a file → CSV', () => caseG(ctx, inputs.g!)],
    ['h', 'velocity.sql (OVER windows) on a file → CSV', () => caseH(ctx, inputs.h!)],
    [
      'i',
      "high cardinality: (a)'s query with 1-hour windows over 500 accounts → CSV, and the floor",
      () => caseI(ctx, inputs.i!),
    ],
    ['j', 'structuring.sql (MATCH_RECOGNIZE) on a file → CSV', () => structuringCase(eventCase(ctx, 'j'))],
    ['k', 'lookup join into PostgreSQL, cache off and on', () => lookupCase(eventCase(ctx, 'k'))],
  ];
  for (const [id, title, run] of cases) {
    if (!flags.only.has(id)) continue;
    console.log(`(${id}) ${title}`);
    rows.push(...(await run()));
  }
  let profile: string | null = null;
  if (flags.profile) {
    console.log('(a) under node --cpu-prof');
    profile = await profileCase(ctx, 'a', 'laundering_file.sql', inputs.a!);
    if (inputs.i) {
      console.log('(i) under node --cpu-prof');
      profile += '\n' + (await profileCase(ctx, 'i', 'laundering_hour_file.sql', inputs.i));
    }
  }

  const resultText = resultTable(rows);
  console.log(`\n${resultText}\n`);
  if (profile !== null) console.log(`Profile: ${profile}`);

  if (flags.flink && ctx.flinkRows.length === 0)
    ctx.findings.fail('--flink: none of h, i, j ran, so nothing ran on Flink (add them to --only)');
  if (flags.write && flags.flink) {
    // Flink runs take minutes and are asked for apart: their section alone, the rest kept.
    const path = join(ROOT, 'BENCHMARKS.md');
    const section = flinkSection({
      command,
      date: new Date(),
      machine,
      flink: ctx.flink?.describe ?? '(not run)',
      table: resultTable(ctx.flinkRows),
      findings: ctx.flinkLines,
    });
    writeFileSync(path, withFlinkSection(readFileSync(path, 'utf8'), section));
    console.log(`wrote the section "${FLINK_SECTION}" of ${path}`);
  } else if (flags.write) {
    const path = join(ROOT, 'BENCHMARKS.md');
    const previous = existsSync(path) ? readFileSync(path, 'utf8') : null;
    const doc = benchmarksMarkdown(
      {
        command,
        date: new Date(),
        machine,
        rssMethod:
          peakRssMethod() === 'gnu-time'
            ? 'GNU time (`/usr/bin/time`)'
            : 'polling `/proc/<pid>/status` VmHWM',
        table: resultText,
        findings: ctx.findings.lines,
        profile,
      },
      previous,
    );
    writeFileSync(path, doc);
    console.log(`wrote ${path}`);
  }
  return ctx.findings.failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
