// Savepoints, as Flink users know them: a copy of a stopped job's state that a later run (of the
// same job, or of an edited one) starts from. A savepoint is a directory
// `<dir>/savepoint-<job>-<time>/` holding `state.db`, a copy of the job's newest checkpoint.
//
// `fintrans-sql stop <job> --savepoint <dir>` reaches a run in another process through two files
// beside the job's checkpoint database: it writes the request (`<db>.stop-request`) and sends the
// run SIGTERM; the run, once stopped and checkpointed, writes the savepoint and its path
// (`<db>.savepoint`) for `stop` to print.

import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ConnectorError } from '../errors.js';
import { fileStamp, unusedPath } from '../kept-files.js';
import type { CheckpointStore } from './checkpoints.js';

const STATE_FILE = 'state.db';

/** Writes the store's newest checkpoint as a new savepoint under `dir`; returns the savepoint's directory. */
export function writeSavepoint(store: CheckpointStore, dir: string, jobFile: string): string {
  const at = unusedPath(join(dir, `savepoint-${basename(jobFile).replace(/\.sql$/, '')}-${fileStamp()}`));
  store.exportTo(join(at, STATE_FILE));
  return at;
}

/** The state file of a savepoint given as its directory (what `stop` printed) or as the file itself. */
export function savepointStateFile(path: string, cwd: string): string {
  const abs = resolve(cwd, path.replace(/^file:\/\//, ''));
  const stat = statSync(abs, { throwIfNoEntry: false });
  if (!stat)
    throw new ConnectorError(
      `there is no savepoint at ${path}\n  hint: give the directory 'fintrans-sql stop --savepoint' printed (savepoint-<job>-<time>)`,
    );
  const file = stat.isDirectory() ? join(abs, STATE_FILE) : abs;
  if (!existsSync(file))
    throw new ConnectorError(
      `${path} is not a savepoint: it has no ${STATE_FILE}\n  hint: give the directory 'fintrans-sql stop --savepoint' printed (savepoint-<job>-<time>)`,
    );
  return file;
}

const requestFile = (db: string) => `${db}.stop-request`;
const resultFile = (db: string) => `${db}.savepoint`;

/** `stop`: asks the run holding `db` to write a savepoint under `dir` when it stops. */
export function requestSavepointOnStop(db: string, dir: string): void {
  rmSync(resultFile(db), { force: true });
  writeFileSync(requestFile(db), JSON.stringify({ dir }) + '\n');
}

/** The run, as it stops: the savepoint directory `stop` asked for, if it did (the request is consumed). */
export function takeSavepointRequest(db: string): string | undefined {
  try {
    const { dir } = JSON.parse(readFileSync(requestFile(db), 'utf8')) as { dir: string };
    return dir;
  } catch {
    return undefined;
  } finally {
    rmSync(requestFile(db), { force: true });
  }
}

/** The run: tells `stop` where the savepoint went. */
export function reportSavepoint(db: string, at: string): void {
  writeFileSync(resultFile(db), at + '\n');
}

/** `stop`: the savepoint the run wrote, once it exited. */
export function readReportedSavepoint(db: string): string | undefined {
  try {
    return readFileSync(resultFile(db), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  } finally {
    rmSync(resultFile(db), { force: true });
  }
}
