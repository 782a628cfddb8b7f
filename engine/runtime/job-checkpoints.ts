// A built job's state to and from its checkpoint store: the snapshot taken at each checkpoint, the
// store opened (and a pending two-phase checkpoint settled) at start, and a job put back where a
// checkpoint or a savepoint left it. The store itself (engine/state/checkpoints.ts) knows nothing
// of a built job; this module is the runtime's side of it.

import { renameSync, rmSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { ConnectorError } from '../errors.js';
import { fileStamp, unusedPath } from '../kept-files.js';
import { checkpointIntervalMs } from '../checkpointing.js';
import {
  CheckpointStore,
  DamagedCheckpointError,
  checkpointPath,
  planFingerprint,
  type Checkpoint,
} from '../state/checkpoints.js';
import type { BuiltJob } from './build.js';

export function snapshotJob(job: BuiltJob): Omit<Checkpoint, 'id' | 'takenAt'> {
  const sources: Checkpoint['sources'] = {};
  for (const s of job.sources)
    sources[s.table.name] = { positions: s.reader.positions(), watermarks: s.snapshot() };
  const sinks: Record<string, unknown> = {};
  for (const s of job.sinks) if (s.writer.position) sinks[s.name] = s.writer.position();
  return {
    fingerprint: planFingerprint(job.plan),
    sources,
    operators: job.stateful.map((o) => o.snapshot()),
    operatorIds: job.stateIds,
    sinks,
    late: job.late.count,
  };
}

/**
 * Saves one checkpoint record. With two-phase sinks it is saved as pending, the sinks commit, then it
 * is confirmed (resolvePendingCheckpoint settles a crash in between); `crash` is the test hook that
 * kills the process at either side of the commit when the record holds rows to commit.
 */
export async function saveCheckpoint(
  job: BuiltJob,
  store: CheckpointStore,
  snap: Omit<Checkpoint, 'id' | 'takenAt'>,
  crash: ((point: 'before-commit' | 'after-commit') => void) | undefined,
): Promise<void> {
  const twoPhase = job.sinks.filter((s) => s.writer.commit);
  if (twoPhase.length === 0) {
    store.save(snap);
    return;
  }
  const id = store.save(snap, { pending: true });
  const counts =
    crash !== undefined && Object.values(snap.sinks).some((p) => (p as { marker?: unknown } | null)?.marker);
  if (counts) crash('before-commit');
  for (const s of twoPhase) await s.writer.commit!();
  if (counts) crash('after-commit');
  store.confirm(id);
}

export interface OpenedCheckpoints {
  readonly store: CheckpointStore;
  readonly path: string;
  readonly intervalMs: number;
  /** A pending checkpoint left by a crash during a two-phase commit, settled now. */
  readonly settled?: { id: number; outcome: 'confirmed' | 'discarded' };
  /** What the user must be told about the database (found empty, damaged and kept aside). */
  readonly notices: readonly string[];
}

/**
 * Opens a job's checkpoint store (undefined when checkpoints are off), cleared with `fresh`, and
 * settles a pending checkpoint; the caller then restores store.latest() as it sees fit.
 */
export async function openJobCheckpoints(
  job: BuiltJob,
  cwd: string,
  fresh: boolean,
): Promise<OpenedCheckpoints | undefined> {
  const intervalMs = checkpointIntervalMs(job.plan.settings);
  if (intervalMs === null) return undefined;
  const path = checkpointPath(job.plan, cwd);
  const display = relative(cwd, path) || path;
  const notices: string[] = [];
  // A database cut to nothing (disk full while it was made) reads as empty: say so, as a fresh start.
  if (statSync(path, { throwIfNoEntry: false })?.size === 0)
    notices.push(
      `the checkpoint database ${display} was empty (0 bytes), so there is no state to resume from: starting fresh`,
    );
  let store: CheckpointStore;
  try {
    store = CheckpointStore.open(path, display);
  } catch (e) {
    if (!(fresh && e instanceof DamagedCheckpointError)) throw e;
    // --fresh over a damaged database: keep it for inspection, start a new one.
    const aside = unusedPath(`${path}.damaged-${fileStamp()}`);
    renameSync(path, aside);
    for (const suffix of ['-wal', '-shm']) rmSync(path + suffix, { force: true });
    notices.push(
      `the checkpoint database ${display} was damaged: kept as ${relative(cwd, aside) || aside}, starting fresh`,
    );
    store = CheckpointStore.open(path, display);
  }
  try {
    if (fresh) store.clear();
    const settled = await resolvePendingCheckpoint(job, store);
    return { store, path, intervalMs, settled, notices };
  } catch (e) {
    store.close();
    throw e;
  }
}

/**
 * Settles a pending checkpoint left by a job that died between saving it and its two-phase sinks'
 * commit: confirmed when every such sink committed, discarded when none did. Call before latest().
 */
export async function resolvePendingCheckpoint(
  job: BuiltJob,
  store: CheckpointStore,
): Promise<{ id: number; outcome: 'confirmed' | 'discarded' } | undefined> {
  const cp = store.pending();
  if (!cp) return undefined;
  const answers: { name: string; committed: boolean }[] = [];
  for (const s of job.sinks) {
    if (!s.writer.committed || !(s.name in cp.sinks)) continue;
    answers.push({ name: s.name, committed: await s.writer.committed(cp.sinks[s.name]) });
  }
  if (answers.every((a) => a.committed)) {
    store.confirm(cp.id);
    return { id: cp.id, outcome: 'confirmed' };
  }
  if (answers.every((a) => !a.committed)) {
    store.discard(cp.id);
    return { id: cp.id, outcome: 'discarded' };
  }
  const yes = answers.filter((a) => a.committed).map((a) => a.name);
  const no = answers.filter((a) => !a.committed).map((a) => a.name);
  throw new ConnectorError(
    `${job.plan.file}: the job stopped while committing checkpoint ${cp.id}: ${yes.join(', ')} committed it, ${no.join(', ')} did not, so neither it nor the one before fits every sink\n` +
      `  hint: run with --fresh to start over (clear the sinks' topics first), or give each exactly-once Kafka sink its own job`,
  );
}

/** Puts a built (not yet opened) job back where the checkpoint left it. */
export function restoreJob(job: BuiltJob, cp: Checkpoint, path: string): void {
  if (cp.fingerprint !== planFingerprint(job.plan) || cp.operators.length !== job.stateful.length) {
    throw new ConnectorError(
      `${job.plan.file}: the checkpoint in ${path} was taken by a different version of this job (its tables or queries changed), so its state does not fit\n` +
        `  hint: run with --fresh to start over from the sources' start positions, or restore the previous job text`,
    );
  }
  for (const s of job.sources) {
    const saved = cp.sources[s.table.name];
    if (!saved) continue;
    s.reader.seek(saved.positions);
    s.restore(saved.watermarks);
  }
  job.stateful.forEach((o, i) => o.restore(cp.operators[i]));
  for (const s of job.sinks) {
    const pos = cp.sinks[s.name];
    if (pos !== undefined && s.writer.restore) s.writer.restore(pos);
  }
  job.late.count = cp.late;
}

/**
 * Puts a built job back where a savepoint left it, as Flink does: state goes to the operator with
 * the same uid (so an added filter, a changed HAVING or sink still fit), operators the savepoint has
 * no state for start empty, and state no operator takes is an error unless `allowNonRestored`.
 * Returns what the user must be told.
 */
export function restoreFromSavepoint(
  job: BuiltJob,
  cp: Checkpoint,
  display: string,
  allowNonRestored: boolean,
): string[] {
  const notices: string[] = [];
  if (!cp.operatorIds) {
    throw new ConnectorError(
      `the savepoint ${display} was written by an older fintrans-sql that did not name its operators' state\n  hint: resume it with the unchanged job as a checkpoint, or start over with --fresh`,
    );
  }
  const saved = new Map(cp.operatorIds.map((id, i) => [id.uid, i] as const));
  const claimed = new Set<string>();
  job.stateIds.forEach((id, i) => {
    const at = saved.get(id.uid);
    if (at === undefined) {
      notices.push(`${id.what} has no state in the savepoint: it starts empty`);
      return;
    }
    job.stateful[i]!.restore(cp.operators[at]);
    claimed.add(id.uid);
  });
  const unclaimed = cp.operatorIds.filter((id) => !claimed.has(id.uid));
  if (unclaimed.length > 0) {
    if (!allowNonRestored) {
      throw new ConnectorError(
        `the savepoint ${display} holds state that no operator of this job takes:\n` +
          unclaimed
            .map((id) => `  - ${id.what} (its window, group keys or aggregates changed, or it was removed)\n`)
            .join('') +
          `  hint: add --allow-non-restored-state to drop that state (Flink's flag), or restore the job text it was taken with`,
      );
    }
    for (const id of unclaimed)
      notices.push(`dropped the savepoint's state of ${id.what} (--allow-non-restored-state)`);
  }
  for (const s of job.sources) {
    const src = cp.sources[s.table.name];
    if (!src) continue;
    s.reader.seek(src.positions);
    s.restore(src.watermarks);
  }
  for (const s of job.sinks) {
    const pos = cp.sinks[s.name];
    if (pos !== undefined && s.writer.restore) s.writer.restore(pos);
  }
  job.late.count = cp.late;
  return notices;
}
