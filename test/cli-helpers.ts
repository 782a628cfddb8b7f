// Helpers for the tests that drive the CLI against a real server (test/kafka, test/elasticsearch):
// a work dir with the shipped jobs, edited copies of a job, the CLI in the background, and checks.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { CLI, ROOT, type CliResult } from './e2e/cli.js';

/** A fresh temp dir (name starting with `prefix`) holding a copy of jobs/ and the given empty subdirs. */
export function workdirWithJobs(prefix: string, ...subdirs: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(ROOT, 'jobs'), join(dir, 'jobs'), { recursive: true });
  for (const sub of subdirs) mkdirSync(join(dir, sub));
  return dir;
}

/** Writes a copy of a shipped job (dir/jobs/<job>) to dir/<to> with some text replaced (each replaced text must be there). */
export function jobCopy(dir: string, job: string, to: string, replace: [string, string][]): string {
  let text = readFileSync(join(dir, 'jobs', job), 'utf8');
  for (const [from, by] of replace) {
    expect(text).toContain(from);
    text = text.split(from).join(by);
  }
  mkdirSync(join(dir, to, '..'), { recursive: true });
  writeFileSync(join(dir, to), text);
  return to;
}

/** The CLI in the background (runCli blocks the event loop, and a server must be restartable meanwhile). */
export function cliAsync(args: string[], cwd: string): { done: Promise<CliResult>; stderr: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, FINTRANS_HOME: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })),
  );
  return { done, stderr: () => stderr };
}

/** `r`, or an error with its output when it did not exit 0. */
export function ok<R extends CliResult>(r: R, what: string): R {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  return r;
}

/** A sorted copy. */
export const sorted = (xs: readonly string[]): string[] => [...xs].sort();
