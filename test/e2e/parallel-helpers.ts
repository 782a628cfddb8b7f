// Runs one job at parallelism 1 and 2 in two copies of a directory and compares what they wrote:
// every CSV file (header exactly, rows as sorted multisets: the order of rows between workers is the
// merge order, not the single task's), what they printed (sorted lines), the exit code and the
// summary lines. A job that cannot be partitioned must be refused at parallelism 2 with a reason.

import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, type CliResult } from './cli.js';

/** The CLI run asynchronously (as cli.ts's runCli, without blocking the test runner for minutes of runs). */
export function runCliAsync(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, FINTRANS_HOME: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** What a refusal at parallelism 2 may say (engine/runtime/parallel/plan.ts): the job cannot be split by key. */
export const REFUSAL =
  /cannot run at parallelism 2: (an? \w+ join \(two inputs|a lookup join|it reads \d+ tables|an? [\w-]+ over the result of a(nother)? keyed operator|an aggregate without group keys|an? [\w-]+ without PARTITION BY keys|a late record read by several windows)/;

export interface Compared {
  readonly refused?: string;
  /** Differences found (empty: identical). */
  readonly diffs: string[];
  readonly rows: number;
}

function files(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

function sortedLines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .sort();
}

/** The summary lines, without what changes from run to run (kept-aside file names, timings). */
function summaryLines(stderr: string): string[] {
  return sortedLines(
    stderr
      .replace(/\.before-[0-9TZ:-]+/g, '.before-*')
      .replace(/done in [0-9.]+ s/g, 'done in * s')
      // Each worker's state is checkpointed on its own: the size differs, the rows may not.
      .replace(/last [0-9.]+ MB/g, 'last * MB')
      .replace(/\([^()]* records\/s\)/g, '(* records/s)'),
  );
}

/**
 * Runs `job` (a path relative to `source`) with `args` at parallelism 1 and 2, each in its own copy
 * of `source`, and compares them.
 */
export async function compareParallelism(
  source: string,
  job: string,
  args: string[],
  label: string,
): Promise<Compared> {
  const dirs = [1, 2].map((p) => {
    const d = mkdtempSync(join(tmpdir(), `fintrans-p${p}-${label.replace(/[^\w-]/g, '_')}-`));
    cpSync(source, d, { recursive: true, filter: (src) => !src.startsWith(join(source, 'expected')) });
    return d;
  });
  const before = new Set(files(dirs[0]!).map((f) => relative(dirs[0]!, f)));
  const r1 = await runCliAsync(['run', job, '--quiet', ...args], dirs[0]!);
  const r2 = await runCliAsync(['run', job, '--quiet', '--parallelism', '2', ...args], dirs[1]!);
  const refusal = REFUSAL.exec(r2.stderr);
  if (r2.code === 1 && refusal) return { refused: r2.stderr.trim(), diffs: [], rows: 0 };
  const diffs: string[] = [];
  if (r1.code !== r2.code)
    diffs.push(`exit code ${r1.code} at parallelism 1, ${r2.code} at 2:\n${r1.stderr}\n---\n${r2.stderr}`);
  const s1 = summaryLines(r1.stderr);
  const s2 = summaryLines(r2.stderr);
  if (JSON.stringify(s1) !== JSON.stringify(s2))
    diffs.push(`stderr differs:\n  p1: ${s1.join('\n      ')}\n  p2: ${s2.join('\n      ')}`);
  const o1 = sortedLines(r1.stdout);
  const o2 = sortedLines(r2.stdout);
  if (JSON.stringify(o1) !== JSON.stringify(o2))
    diffs.push(`stdout differs (${o1.length} lines at parallelism 1, ${o2.length} at 2)`);
  let rows = o1.length;
  for (const f of files(dirs[0]!)) {
    const rel = relative(dirs[0]!, f);
    if (before.has(rel) || !rel.endsWith('.csv') || rel.includes('.before-')) continue;
    const other = join(dirs[1]!, rel);
    if (!existsSync(other)) {
      diffs.push(`${rel} not written at parallelism 2`);
      continue;
    }
    const a = readFileSync(f, 'utf8').split('\n');
    const b = readFileSync(other, 'utf8').split('\n');
    if (a[0] !== b[0]) diffs.push(`${rel}: header '${a[0]}' at parallelism 1, '${b[0]}' at 2`);
    const ra = sortedLines(a.slice(1).join('\n'));
    const rb = sortedLines(b.slice(1).join('\n'));
    rows += ra.length;
    if (JSON.stringify(ra) !== JSON.stringify(rb)) {
      const onlyA = ra.filter((l) => !rb.includes(l)).slice(0, 3);
      const onlyB = rb.filter((l) => !ra.includes(l)).slice(0, 3);
      diffs.push(
        `${rel}: ${ra.length} rows at parallelism 1, ${rb.length} at 2; only at 1: ${onlyA.join(' | ')}; only at 2: ${onlyB.join(' | ')}`,
      );
    }
  }
  return { diffs, rows };
}
