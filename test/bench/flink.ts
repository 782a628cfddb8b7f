// `npm run bench -- --flink`: a bench job run on Apache Flink next to fintrans-sql's run of it, on
// the same input, as a ratio measured in one bench run (issues 18 and 19). Flink runs in one JVM: a
// local MiniCluster (one TaskManager, one slot per parallel task) started by FlinkBenchMain.java with
// the conformance rig's jars (test/rig/flink.ts). The job file is translated only where it names
// files: the source's 'path' becomes the input file's absolute path and the sink's 'path' a
// directory (Flink's filesystem sink writes part files into a directory). Every other option and the
// query run as written. Flink's rows must be fintrans-sql's (as multisets, cells compared by value:
// Flink's CSV writes `2017-07-23 01:00:00` where fintrans-sql writes `.000`).

import { mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isOp, LineIndex, tokenize } from '../../engine/sql/tokenize.js';
import { cacheRoot, javaCommand } from '../rig/maven.js';
import { FLINK_JAVA17_OPTS, FLINK_VERSION, flinkClasspath } from '../rig/flink.js';
import { checkJava, compileJavaMain } from '../rig/java-process.js';
import { assertSucceeded, runChild, type ChildRun } from './measure.js';
import type { ResultRow } from './report.js';
import { parseCsvLine } from '../csv-line.js';

const MAIN_SOURCE = 'FlinkBenchMain.java';
const MAIN_CLASS = 'FlinkBenchMain';

/**
 * The JVM's own flags: a heap large enough that Flink is not measured short of memory (the
 * MiniCluster sizes its task memory from it), the JVM's default collector (G1, as a Flink
 * distribution runs), English month names for TO_TIMESTAMP's 'EEEE, dd-MMM-yy' and UTC.
 * FINTRANS_BENCH_FLINK_JVM (space-separated) replaces the heap and GC flags.
 */
function jvmFlags(): string[] {
  const custom = process.env.FINTRANS_BENCH_FLINK_JVM?.trim();
  return [
    ...(custom ? custom.split(/\s+/) : ['-Xms1g', '-Xmx2g']),
    '-Djava.awt.headless=true',
    '-Duser.language=en',
    '-Duser.country=US',
    '-Duser.timezone=UTC',
  ];
}

export interface FlinkBench {
  readonly version: string;
  /** The java command line before the main's arguments, for the notes. */
  readonly describe: string;
  run(sqlFile: string, parallelism: number, cwd: string): Promise<FlinkRun>;
}

export interface FlinkRun {
  /** The whole JVM process, measured from the outside like every bench run. */
  readonly process: ChildRun;
  /** executeSql(INSERT) to the job's end, in the JVM (cluster start and JVM start-up excluded). */
  readonly jobMs: number;
  /** JVM start to MiniCluster and tables ready. */
  readonly readyMs: number;
  /** Flink's JobExecutionResult.getNetRuntime(). */
  readonly netRuntimeMs: number;
}

/** Resolves the jars, compiles the main (cached by its source) and returns a runner. */
export async function prepareFlinkBench(benchSourceDir: string): Promise<FlinkBench> {
  checkJava(`Flink ${FLINK_VERSION}`, 11);
  const classpath = await flinkClasspath();
  const source = readFileSync(join(benchSourceDir, MAIN_SOURCE), 'utf8');
  // A directory of its own: the conformance rig compiles ConformanceMain into `classes`.
  const classesDir = join(cacheRoot(), `flink-${FLINK_VERSION}`, 'bench-classes');
  await compileJavaMain(source, MAIN_CLASS, classpath, classesDir);
  const args = [...FLINK_JAVA17_OPTS, ...jvmFlags(), '-cp', `${classesDir}:${classpath}`, MAIN_CLASS];
  return {
    version: FLINK_VERSION,
    describe: `${javaCommand()} ${jvmFlags().join(' ')} ${MAIN_CLASS} (MiniCluster, Flink ${FLINK_VERSION})`,
    async run(sqlFile, parallelism, cwd) {
      const run = await runChild(javaCommand(), [...args, sqlFile, String(parallelism)], {
        cwd,
        keepStdout: true,
      });
      assertSucceeded(`Flink ${FLINK_VERSION} at parallelism ${parallelism}`, run);
      const m = /FLINK_BENCH ready_ms=(-?\d+) job_ms=(-?\d+) net_runtime_ms=(-?\d+)/.exec(run.stdout);
      if (!m || Number(m[2]) < 0)
        throw new Error(`Flink ran but printed no job time; its output:\n${run.stdout}\n${run.stderr}`);
      return { process: run, readyMs: Number(m[1]), jobMs: Number(m[2]), netRuntimeMs: Number(m[3]) };
    },
  };
}

const sq = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * The bench job `jobText` for Flink: each table's `'path' = '…'` replaced by `paths(value)`, the
 * statements separated by `-- @@@` lines (FlinkBenchMain's format). Works on the tokenizer's exact
 * offsets, so comments and layout stay as written.
 */
export function flinkJobText(jobText: string, file: string, paths: (path: string) => string): string {
  const tokens = tokenize(jobText, new LineIndex(jobText, file));
  let out = '';
  let at = 0;
  let replaced = 0;
  for (let k = 0; k + 2 < tokens.length; k++) {
    const key = tokens[k]!;
    const value = tokens[k + 2]!;
    if (
      key.kind === 'string' &&
      key.value === 'path' &&
      isOp(tokens[k + 1], '=') &&
      value.kind === 'string'
    ) {
      out += jobText.slice(at, value.start) + sq(paths(value.value));
      at = value.end;
      replaced++;
    }
  }
  if (replaced === 0) throw new Error(`${file}: no 'path' option to point at the bench's files`);
  out += jobText.slice(at);
  // Split at the statements' semicolons (offsets in `out` moved by the replacements: tokenize again).
  const again = tokenize(out, new LineIndex(out, file));
  const parts: string[] = [];
  let from = 0;
  for (const t of again) {
    if (!isOp(t, ';')) continue;
    parts.push(out.slice(from, t.start));
    from = t.end;
  }
  if (out.slice(from).trim() !== '') parts.push(out.slice(from));
  return parts.map((p) => `-- @@@\n${p.trim()}\n`).join('');
}

const TS = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2})?(\.\d{1,9})?$/;

/** A cell by value: timestamps as `yyyy-MM-dd HH:mm:ss.SSS` (Flink's CSV drops a zero fraction). */
export function normaliseCell(cell: string): string {
  const ts = TS.exec(cell);
  if (!ts) return cell;
  const frac = (ts[4] ?? '.000').slice(1).padEnd(3, '0').slice(0, 3);
  return `${ts[1]} ${ts[2]}${ts[3] ?? ':00'}.${frac}`;
}

const rowKey = (line: string): string => parseCsvLine(line).map(normaliseCell).join('\u0001');

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}

/** fintrans-sql's single CSV file (with a header), as sorted row keys. */
export function fintransRows(file: string): string[] {
  return lines(readFileSync(file, 'utf8')).slice(1).map(rowKey).sort();
}

/** Flink's filesystem sink directory: every finished part file (in-progress ones start with '.'). */
export function flinkRows(dir: string): string[] {
  const rows: string[] = [];
  for (const f of readdirSync(dir).filter((f) => !f.startsWith('.'))) {
    for (const l of lines(readFileSync(join(dir, f), 'utf8'))) rows.push(rowKey(l));
  }
  return rows.sort();
}

/** null when the two sorted row lists are the same multiset, else what differs. */
export function rowDifference(ours: readonly string[], flink: readonly string[]): string | null {
  const show = (r: string): string => `'${r.replaceAll('\u0001', ',')}'`;
  let i = 0;
  let j = 0;
  const onlyOurs: string[] = [];
  const onlyFlink: string[] = [];
  while (i < ours.length || j < flink.length) {
    if (j >= flink.length || (i < ours.length && ours[i]! < flink[j]!)) onlyOurs.push(ours[i++]!);
    else if (i >= ours.length || flink[j]! < ours[i]!) onlyFlink.push(flink[j++]!);
    else {
      i++;
      j++;
    }
  }
  if (onlyOurs.length === 0 && onlyFlink.length === 0) return null;
  return (
    `fintrans-sql ${ours.length} rows, Flink ${flink.length}; ${onlyOurs.length} only in fintrans-sql's` +
    (onlyOurs.length ? ` (e.g. ${show(onlyOurs[0]!)})` : '') +
    `, ${onlyFlink.length} only in Flink's` +
    (onlyFlink.length ? ` (e.g. ${show(onlyFlink[0]!)})` : '')
  );
}

export interface SideBySide {
  readonly parallelism: number;
  readonly flink: FlinkRun;
  /** fintrans-sql's run at the same parallelism. */
  readonly ours: ChildRun;
  readonly rows: number;
  /** null when the rows are identical. */
  readonly difference: string | null;
}

/**
 * Runs `job` (a bench job file reading `input/…` and writing `output/<file>`) on Flink at
 * `parallelism` in `dir`, on `input`, and compares its rows with fintrans-sql's `oursOutput`.
 */
export async function runOnFlink(
  flink: FlinkBench,
  job: string,
  input: string,
  dir: string,
  parallelism: number,
  ours: ChildRun,
  oursOutput: string,
): Promise<SideBySide> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const inputPath = realpathSync(input);
  const sinkDirs: string[] = [];
  const text = flinkJobText(readFileSync(job, 'utf8'), job, (path) => {
    if (path.startsWith('input/')) return inputPath;
    if (!path.startsWith('output/'))
      throw new Error(`${job}: 'path' = '${path}' is neither input/… nor output/…`);
    sinkDirs.push(join(dir, path));
    return sinkDirs[sinkDirs.length - 1]!;
  });
  const sinkDir = sinkDirs[0];
  if (sinkDirs.length !== 1 || sinkDir === undefined)
    throw new Error(`${job}: ${sinkDirs.length} output/… sink paths, the comparison takes one`);
  const sqlFile = join(dir, 'flink.sql');
  writeFileSync(sqlFile, text);
  const run = await flink.run(sqlFile, parallelism, dir);
  const theirs = flinkRows(sinkDir);
  const mine = fintransRows(oursOutput);
  return { parallelism, flink: run, ours, rows: mine.length, difference: rowDifference(mine, theirs) };
}

export interface FlinkCaseOptions {
  readonly flink: FlinkBench;
  /** The case's letter, e.g. 'i'. */
  readonly id: string;
  /** The bench job file fintrans-sql ran. */
  readonly job: string;
  /** The input file fintrans-sql read. */
  readonly input: string;
  readonly records: number;
  readonly bytes: number;
  /** A directory of Flink's own for this case (made empty per parallelism). */
  readonly dir: string;
  /** fintrans-sql's runs to set Flink's beside, each with the CSV file it wrote. */
  readonly runs: readonly { parallelism: number; ours: ChildRun; output: string }[];
  readonly note: (line: string) => void;
  readonly fail: (line: string) => void;
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
const mb = (kb: number): string => `${((kb * 1024) / 1e6).toFixed(0)} MB`;

/**
 * Runs the case's job on Flink at each parallelism of `runs`, checks the rows against fintrans-sql's
 * and notes the ratios (Flink's time / fintrans-sql's: how many times faster fintrans-sql is).
 */
export async function flinkSideBySide(o: FlinkCaseOptions): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  for (const r of o.runs) {
    const s = await runOnFlink(
      o.flink,
      o.job,
      o.input,
      join(o.dir, `p${r.parallelism}`),
      r.parallelism,
      r.ours,
      r.output,
    );
    const f = s.flink;
    const whole = f.process.wallMs / r.ours.wallMs;
    const job = f.jobMs / r.ours.wallMs;
    // CPU time is the steadier ratio on a machine busy with other work (wall times stretch with load).
    const cpu = f.process.cpuMs / r.ours.cpuMs;
    const same = s.difference === null;
    if (!same)
      o.fail(
        `(${o.id}) Flink ${o.flink.version} at parallelism ${r.parallelism}: rows differ from fintrans-sql's: ${s.difference}`,
      );
    o.note(
      `(${o.id}) Flink ${o.flink.version} MiniCluster at parallelism ${r.parallelism}: whole process ${secs(f.process.wallMs)} (JVM start to exit; ` +
        `the job alone ${secs(f.jobMs)} from submit to finished, Flink's net runtime ${secs(f.netRuntimeMs)}; JVM and cluster ready after ${secs(f.readyMs)}), ` +
        `peak RSS ${mb(f.process.peakRssKb)}, CPU ${secs(f.process.cpuMs)}; fintrans-sql at parallelism ${r.parallelism}: ${secs(r.ours.wallMs)}, ` +
        `peak RSS ${mb(r.ours.peakRssKb)}, CPU ${secs(r.ours.cpuMs)}. fintrans-sql is ${whole.toFixed(1)}× faster by whole processes, ` +
        `${job.toFixed(1)}× against Flink's job time alone, ${cpu.toFixed(1)}× by CPU time, and uses ${(f.process.peakRssKb / r.ours.peakRssKb).toFixed(1)}× less memory; ` +
        `rows ${same ? `identical (${s.rows}, compared as multisets)` : 'DIFFER'}.`,
    );
    rows.push({
      label: `(${o.id}) Flink ${o.flink.version}, parallelism ${r.parallelism}`,
      records: o.records,
      inputBytes: o.bytes,
      wallMs: f.process.wallMs,
      peakRssKb: f.process.peakRssKb,
      cpuMs: f.process.cpuMs,
      throughput: true,
      note: `job ${secs(f.jobMs)}; fintrans-sql p${r.parallelism} ${whole.toFixed(1)}× faster (process), ${job.toFixed(1)}× (job), ${cpu.toFixed(1)}× (CPU); rows identical: ${same ? 'yes' : 'NO'}`,
    });
  }
  return rows;
}
