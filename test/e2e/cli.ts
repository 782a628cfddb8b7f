// Runs the real CLI (the built bin, as a user would) in a directory and captures what it printed.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'app', 'cli', 'main.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  input?: string,
): CliResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' (npm test does it for you)`);
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, FINTRANS_HOME: '', ...env },
    encoding: 'utf8',
    input,
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
