// Running README lines as a user would (issue 21), shared by readme-commands*.test.ts: a fresh copy of
// jobs/ in a temp directory with `fintrans-sql` on the PATH, as command 1's `npm link` leaves it.

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT } from './cli.js';

/** The README's search-node lines, run against the OpenSearch rig by readme-commands-search.test.ts. */
export const SEARCH_LINES = [
  'fintrans-sql generate --format json --count 50000 --to transactions-data',
  'fintrans-sql run jobs/spending_pattern_es.sql --from-beginning --until-idle 2s',
];

const dirs: string[] = [];

/** Removes every workspace made so far (afterAll). */
export function cleanUp(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A fresh copy of jobs/ and a bin directory holding `fintrans-sql`, as `npm link` leaves it. */
export function workspace(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'fintrans-readme-'));
  dirs.push(dir);
  cpSync(join(ROOT, 'jobs'), join(dir, 'jobs'), { recursive: true });
  const bin = join(dir, '.bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'fintrans-sql'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(bin, 'fintrans-sql'), 0o755);
  return { dir, env: { ...process.env, FINTRANS_HOME: '', PATH: `${bin}:${process.env.PATH}` } };
}

export interface Ran {
  code: number | null;
  out: string;
}

/** Runs one line with bash, asynchronously: a blocked event loop would leave a stopped background run a zombie, still 'alive' to `stop`. */
export async function sh(line: string, ws: { dir: string; env: NodeJS.ProcessEnv }): Promise<Ran> {
  const run = shInBackground(line, ws);
  const timer = setTimeout(() => run.proc.kill('SIGKILL'), 60_000);
  const code = await run.exited;
  clearTimeout(timer);
  return { code, out: `$ ${line}\n${run.output()}` };
}

export function shInBackground(
  line: string,
  ws: { dir: string; env: NodeJS.ProcessEnv },
): { proc: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const proc = spawn('bash', ['-c', `exec ${line}`], { cwd: ws.dir, env: ws.env });
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  return { proc, output: () => out, exited: new Promise((r) => proc.on('exit', (code) => r(code))) };
}
