// Checkpoints: a consistent picture of a running job — every source's position and watermarks,
// every operator's state, every sink's committed position — written atomically to one SQLite
// database per job. A job that starts with a checkpoint resumes from it; sinks take back what they
// wrote after it, so the final output is as if the job never stopped.
//
// Consistency: checkpoints are taken between source batches, after the rows those batches produced
// were handed to the sinks and flushed; nothing is in flight at that moment.
//
// Two-phase sinks (Kafka transactions): a checkpoint is first saved as *pending*, then the sinks
// commit, then it is confirmed. Only confirmed checkpoints are resumed from; a pending one found at
// start (the job died between the two) is settled by asking the sinks whether their commit went
// through (resolvePendingCheckpoint): confirmed if it did, discarded if not.

import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ConnectorError } from '../errors.js';
import type { JobPlan } from '../plan/logical.js';
import type { BuiltJob } from '../runtime/build.js';
import { defaultStoreDir } from '../../connectors/embedded/topic-store.js';

export interface Checkpoint {
  readonly id: number;
  readonly takenAt: number;
  /** Fingerprint of the plan that produced the state: a changed query cannot resume from it. */
  readonly fingerprint: string;
  readonly sources: Record<string, { positions: Record<string, number>; watermarks: unknown }>;
  readonly operators: unknown[];
  readonly sinks: Record<string, unknown>;
  readonly late: number;
}

const KEEP = 3;

export class CheckpointStore {
  private readonly db: Database.Database;

  private constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // A checkpoint must survive the machine going down, not only the process.
    this.db.pragma('synchronous = FULL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS checkpoints (
      id INTEGER PRIMARY KEY, taken_at INTEGER NOT NULL, fingerprint TEXT NOT NULL, state TEXT NOT NULL)`);
    const columns = this.db.prepare('PRAGMA table_info(checkpoints)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'pending')) this.db.exec('ALTER TABLE checkpoints ADD COLUMN pending INTEGER NOT NULL DEFAULT 0');
  }

  static open(path: string): CheckpointStore {
    return new CheckpointStore(path);
  }

  /** The newest confirmed checkpoint: the one to resume from. */
  latest(): Checkpoint | undefined {
    return this.read('SELECT id, taken_at, fingerprint, state FROM checkpoints WHERE pending = 0 ORDER BY id DESC LIMIT 1');
  }

  /** The newest checkpoint if it is still pending (its two-phase sinks may or may not have committed). */
  pending(): Checkpoint | undefined {
    const cp = this.read('SELECT id, taken_at, fingerprint, state FROM checkpoints ORDER BY id DESC LIMIT 1');
    if (!cp) return undefined;
    const row = this.db.prepare('SELECT pending FROM checkpoints WHERE id = ?').get(cp.id) as { pending: number };
    return row.pending ? cp : undefined;
  }

  private read(sql: string): Checkpoint | undefined {
    const row = this.db.prepare(sql).get() as { id: number; taken_at: number; fingerprint: string; state: string } | undefined;
    if (!row) return undefined;
    return { id: row.id, takenAt: row.taken_at, fingerprint: row.fingerprint, ...(JSON.parse(row.state) as Omit<Checkpoint, 'id' | 'takenAt' | 'fingerprint'>) };
  }

  /** Saves a checkpoint (pending: not to be resumed from until confirm()); returns its id. */
  save(cp: Omit<Checkpoint, 'id' | 'takenAt'>, opts: { pending?: boolean } = {}): number {
    const { fingerprint, ...state } = cp;
    const tx = this.db.transaction(() => {
      const r = this.db
        .prepare('INSERT INTO checkpoints (taken_at, fingerprint, state, pending) VALUES (?, ?, ?, ?)')
        .run(Date.now(), fingerprint, JSON.stringify(state), opts.pending ? 1 : 0);
      // Older ones go, but never the newest confirmed one (a pending checkpoint may yet be discarded).
      this.db.prepare('DELETE FROM checkpoints WHERE id <= ? AND id < (SELECT COALESCE(MAX(id), 0) FROM checkpoints WHERE pending = 0)').run(Number(r.lastInsertRowid) - KEEP);
      return Number(r.lastInsertRowid);
    });
    return tx();
  }

  /** A pending checkpoint's sinks committed: it is the one to resume from. */
  confirm(id: number): void {
    this.db.prepare('UPDATE checkpoints SET pending = 0 WHERE id = ?').run(id);
  }

  /** A pending checkpoint's sinks did not commit: forget it (the one before stands). */
  discard(id: number): void {
    this.db.prepare('DELETE FROM checkpoints WHERE id = ?').run(id);
  }

  /** Forgets every checkpoint: the job finished, or the user asked for a fresh start. */
  clear(): void {
    this.db.exec('DELETE FROM checkpoints');
  }

  close(): void {
    this.db.close();
  }
}

/** Where a job's checkpoints live: SET 'execution.checkpointing.dir' (or Flink 1.x 'state.checkpoints.dir'), else .fintrans/checkpoints/. */
export function checkpointPath(plan: JobPlan, cwd: string): string {
  const dir = plan.settings.get('execution.checkpointing.dir') ?? plan.settings.get('state.checkpoints.dir');
  const base = dir ? resolve(cwd, dir.replace(/^file:\/\//, '')) : join(defaultStoreDir(cwd), 'checkpoints');
  return join(base, `${basename(plan.file).replace(/\.sql$/, '')}.db`);
}

/** A hash of what the job computes (tables, expressions, windows, sinks), ignoring comments and layout. */
export function planFingerprint(plan: JobPlan): string {
  const json = JSON.stringify(plan.pipelines, (key, value) => {
    if (key === 'pos' || key === 'options' || key === 'connector' || key === 'format') return undefined;
    return typeof value === 'bigint' ? `${value}n` : value;
  });
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

export function snapshotJob(job: BuiltJob): Omit<Checkpoint, 'id' | 'takenAt'> {
  const sources: Checkpoint['sources'] = {};
  for (const s of job.sources) sources[s.table.name] = { positions: s.reader.positions(), watermarks: s.snapshot() };
  const sinks: Record<string, unknown> = {};
  for (const s of job.sinks) if (s.writer.position) sinks[s.name] = s.writer.position();
  return {
    fingerprint: planFingerprint(job.plan),
    sources,
    operators: job.stateful.map((o) => o.snapshot()),
    sinks,
    late: job.late.count,
  };
}

/**
 * Settles a pending checkpoint left by a job that died between saving it and its two-phase sinks'
 * commit: confirmed when every such sink committed, discarded when none did. Call before latest().
 */
export async function resolvePendingCheckpoint(job: BuiltJob, store: CheckpointStore): Promise<{ id: number; outcome: 'confirmed' | 'discarded' } | undefined> {
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
