// Loading jobs for the CLI: a .sql file or every .sql file of a directory -> planned, built jobs.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { secrets } from '../engine/secrets.js';
import { join, relative, resolve } from 'node:path';
import { ConnectorError } from '../engine/errors.js';
import { parseSqlFile } from '../engine/sql/parse.js';
import { planJob } from '../engine/plan/planner.js';
import type { JobPlan } from '../engine/plan/logical.js';

/** The .sql files a path names: the file itself, or a directory's *.sql files in name order. */
export function jobFiles(path: string, cwd: string): string[] {
  const abs = resolve(cwd, path);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new ConnectorError(`no such file or directory: ${path}`);
  }
  if (!st.isDirectory()) return [abs];
  const files = readdirSync(abs)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => join(abs, f));
  if (files.length === 0) throw new ConnectorError(`no .sql files in directory ${path}`);
  return files;
}

/** How a file is named in messages: relative to the working directory when inside it. */
export function displayPath(abs: string, cwd: string): string {
  const r = relative(cwd, abs);
  return r === '' || r.startsWith('..') ? abs : r;
}

export function planFile(abs: string, cwd: string, settings: ReadonlyMap<string, string>): JobPlan {
  const file = displayPath(abs, cwd);
  const text = readFileSync(abs, 'utf8');
  secrets.sqlText(text);
  return planJob(parseSqlFile(text, file), file, settings);
}

/**
 * Why `up` does not start this job, or undefined when it does. A job that needs something `up` on
 * the embedded default cannot give it (a search node, input in another format than the demo's)
 * says so in its leading comment block with a line `-- up: manual <reason>`; `run` still runs it.
 * Only the leading comments count, so a SQL string or a later comment cannot switch a job off, and
 * Flink reads the line as the comment it is.
 */
export function upManualReason(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (!trimmed.startsWith('--')) return undefined;
    const m = /^--\s*up:\s*manual\b[\s:—-]*(.*)$/i.exec(trimmed);
    if (m) return m[1]!.trim() || 'marked manual';
  }
  return undefined;
}
