// The files of a filesystem source (text lines or Avro container files), and how it hands out their records: one
// batch at a time, the files in turn, so each file's watermark advances; a file read to its end is
// reported once as 'split-end', so it stops holding the watermark back.
import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { ConnectorError } from '../../engine/errors.js';
import type { PollResult, RawBatch } from '../api.js';

/** The files a 'path' names: the file itself, or a folder's files in name order (hidden and '_' ones left out, as Flink). */
export async function inputFiles(path: string, cwd: string, table: string): Promise<string[]> {
  const abs = resolve(cwd, path);
  try {
    const st = await stat(abs);
    return st.isDirectory()
      ? (await readdir(abs))
          .filter((f) => !f.startsWith('.') && !f.startsWith('_'))
          .sort()
          .map((f) => join(abs, f))
      : [abs];
  } catch {
    throw new ConnectorError(`table '${table}': path '${path}' does not exist (looked in ${abs})`);
  }
}

/** A file's name in positions and messages: relative to the job's folder when inside it. */
export function rel(cwd: string, p: string): string {
  const r = relative(cwd, p);
  return r.startsWith('..') ? p : r;
}

export interface TurnFile {
  /** Everything read (its last records may still be in the batch just returned). */
  done: boolean;
  endReported: boolean;
}

/** Whose turn it is: a checkpointed position, so a resumed run goes on with the same file. */
export interface Turn {
  next: number;
}

export async function pollInTurn<F extends TurnFile>(
  files: readonly F[],
  turn: Turn,
  maxRecords: number,
  read: (file: F, max: number, split: number) => Promise<RawBatch>,
): Promise<PollResult> {
  const n = files.length;
  for (let tries = 0; tries < n; tries++) {
    const idx = turn.next;
    turn.next = (turn.next + 1) % n;
    const f = files[idx]!;
    if (f.endReported) continue;
    if (f.done) {
      // Its last records went out in the previous batch: now say it ended.
      f.endReported = true;
      return { kind: 'split-end', split: idx };
    }
    const batch = await read(f, maxRecords, idx);
    if (batch.count === 0 && f.done) {
      f.endReported = true;
      return { kind: 'split-end', split: idx };
    }
    return { kind: 'batch', batch };
  }
  return { kind: 'end' };
}
