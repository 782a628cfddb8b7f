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
// through (resolvePendingCheckpoint in engine/runtime/job-checkpoints.ts): confirmed if it did,
// discarded if not.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ConnectorError } from '../errors.js';
import { defaultStoreDir } from '../home.js';
import type { JobPlan } from '../plan/logical.js';
import { SnapshotRows } from '../exec/operator.js';

/**
 * Who a saved operator state belongs to (engine/runtime/build.ts's StateId, as stored): savepoints
 * give state to the operator with the same uid.
 */
export interface SavedStateId {
  readonly uid: string;
  /** For messages: which operator, in words. */
  readonly what: string;
}

export interface Checkpoint {
  readonly id: number;
  readonly takenAt: number;
  /** Fingerprint of the plan that produced the state: a changed query cannot resume from it. */
  readonly fingerprint: string;
  readonly sources: Record<string, { positions: Record<string, number>; watermarks: unknown }>;
  readonly operators: unknown[];
  /** Who each of `operators` is (absent in checkpoints of older versions): savepoints match state by uid. */
  readonly operatorIds?: readonly SavedStateId[];
  readonly sinks: Record<string, unknown>;
  readonly late: number;
}

/**
 * Checkpoints kept: the newest confirmed one (the only one ever resumed from) and any pending ones
 * after it. While a new one is written the previous one is still there, so the database holds up to
 * twice the state.
 */
const KEEP = 1;

/**
 * State layout. A checkpoint's small part (sources, sinks, the operators' structure) is one JSON
 * text in `checkpoints.state`; every array of more than CHUNK_MIN elements in it (the groups of a
 * window, a slice, a running aggregate) is left out of that text (an empty array stands in its
 * place) and written as rows of `checkpoint_chunks`, CHUNK elements each, in the same transaction.
 * So no checkpoint is ever one giant string, in memory or in SQLite. A chunk whose elements are all
 * arrays of the same length holding only numbers (the usual group: keys and sums) is stored as
 * binary, row by row, as 32-bit integers when every value is one, else as 64-bit floats (exact for
 * every finite number; little-endian on every machine Node runs on in practice); any other chunk is
 * JSON. Restoring gives what a JSON round trip of the whole state would give.
 */
const CHUNK_MIN = 1024;
const CHUNK = 4096;
/** Value of `checkpoints.format` written now; rows from before chunking have 0 (plain JSON state, still readable). */
const FORMAT = 1;

const enum ChunkKind {
  Json = 0,
  Int32 = 1,
  Float64 = 2,
}

type Path = (string | number)[];

export class CheckpointStore {
  private readonly db: Database.Database;
  /** Bytes of state the last save() wrote. */
  lastSavedBytes = 0;

  private constructor(
    readonly path: string,
    private readonly display: string,
    readOnly = false,
  ) {
    if (readOnly) {
      // A savepoint: read, never locked or changed.
      this.db = new Database(path, { readonly: true, fileMustExist: true });
      return;
    }
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { timeout: 0 });
    // Held for the whole run (released by the OS if the process dies): a second run of the same job
    // cannot take it, so two runs never write one job's output and checkpoints at once.
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.pragma('journal_mode = WAL');
    this.db.exec('BEGIN EXCLUSIVE; COMMIT');
    // A checkpoint must survive the machine going down, not only the process.
    this.db.pragma('synchronous = FULL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS checkpoints (
      id INTEGER PRIMARY KEY, taken_at INTEGER NOT NULL, fingerprint TEXT NOT NULL, state TEXT NOT NULL)`);
    const columns = this.db.prepare('PRAGMA table_info(checkpoints)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'pending'))
      this.db.exec('ALTER TABLE checkpoints ADD COLUMN pending INTEGER NOT NULL DEFAULT 0');
    if (!columns.some((c) => c.name === 'format'))
      this.db.exec('ALTER TABLE checkpoints ADD COLUMN format INTEGER NOT NULL DEFAULT 0');
    this.db.exec(`CREATE TABLE IF NOT EXISTS checkpoint_chunks (
      checkpoint_id INTEGER NOT NULL, part INTEGER NOT NULL, seq INTEGER NOT NULL, path TEXT NOT NULL,
      kind INTEGER NOT NULL, width INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (checkpoint_id, part, seq)) WITHOUT ROWID`);
  }

  /**
   * Opens (creating) a job's checkpoint database and locks it for this process. A database another
   * run holds, or one that is damaged, is a clear error; nothing is changed then.
   */
  static open(path: string, display: string = path): CheckpointStore {
    let store: CheckpointStore | undefined;
    try {
      store = new CheckpointStore(path, display);
      store.check();
      writeOwner(path);
      return store;
    } catch (e) {
      store?.closeQuietly();
      throw checkpointError(e, path, display);
    }
  }

  /** The newest confirmed checkpoint of a savepoint (a copy of a job's checkpoint database). */
  static readSavepoint(path: string, display: string): Checkpoint {
    let store: CheckpointStore | undefined;
    try {
      store = new CheckpointStore(path, display, true);
      store.check();
      const cp = store.latest();
      if (!cp) throw new ConnectorError(`the savepoint ${display} holds no state`, { cause: undefined });
      return cp;
    } catch (e) {
      throw checkpointError(e, path, display, 'read');
    } finally {
      store?.closeQuietly();
    }
  }

  /** Writes the newest confirmed checkpoint (and only what it needs) as a savepoint database at `to`. */
  exportTo(to: string): void {
    try {
      mkdirSync(dirname(to), { recursive: true });
      this.db.prepare('VACUUM INTO ?').run(to);
    } catch (e) {
      throw checkpointError(e, to, to, 'write the savepoint');
    }
  }

  /** A damaged database fails here, at start, instead of in the middle of a restore. */
  private check(): void {
    const r = this.db.pragma('quick_check', { simple: true });
    if (r !== 'ok')
      throw Object.assign(new Error(`integrity check: ${String(r)}`), { code: 'SQLITE_CORRUPT' });
  }

  private closeQuietly(): void {
    try {
      this.db.close();
    } catch {
      // already failing; the first error is the one to report
    }
  }

  /** The newest confirmed checkpoint: the one to resume from. */
  latest(): Checkpoint | undefined {
    const row = this.db
      .prepare('SELECT id FROM checkpoints WHERE pending = 0 ORDER BY id DESC LIMIT 1')
      .get() as { id: number } | undefined;
    return row ? this.read(row.id) : undefined;
  }

  /** The newest checkpoint if it is still pending (its two-phase sinks may or may not have committed). */
  pending(): Checkpoint | undefined {
    const row = this.db.prepare('SELECT id, pending FROM checkpoints ORDER BY id DESC LIMIT 1').get() as
      { id: number; pending: number } | undefined;
    return row?.pending ? this.read(row.id) : undefined;
  }

  private read(id: number): Checkpoint {
    const row = this.db
      .prepare('SELECT id, taken_at, fingerprint, state, format FROM checkpoints WHERE id = ?')
      .get(id) as
      { id: number; taken_at: number; fingerprint: string; state: string; format: number } | undefined;
    if (!row) throw new ConnectorError(`${this.path}: checkpoint ${id} vanished while it was read`);
    if (row.format > FORMAT) {
      throw new ConnectorError(
        `${this.path}: checkpoint ${id} was written by a newer fintrans-sql (format ${row.format}; this one reads up to ${FORMAT})\n` +
          `  hint: run it with that version, or start over with --fresh`,
      );
    }
    const state = JSON.parse(row.state) as Omit<Checkpoint, 'id' | 'takenAt' | 'fingerprint'>;
    let part = -1;
    let target: unknown[] = [];
    for (const c of this.db
      .prepare(
        'SELECT part, path, kind, width, data FROM checkpoint_chunks WHERE checkpoint_id = ? ORDER BY part, seq',
      )
      .iterate(id) as Iterable<ChunkRow>) {
      if (c.part !== part) {
        part = c.part;
        target = arrayAt(state, JSON.parse(c.path) as Path, this.path, id);
      }
      decodeChunk(c, target);
    }
    return { id: row.id, takenAt: row.taken_at, fingerprint: row.fingerprint, ...state };
  }

  /** Saves a checkpoint (pending: not to be resumed from until confirm()); returns its id. */
  save(cp: Omit<Checkpoint, 'id' | 'takenAt'>, opts: { pending?: boolean } = {}): number {
    return this.writing('write a checkpoint to', () => this.write(cp, opts));
  }

  private write(cp: Omit<Checkpoint, 'id' | 'takenAt'>, opts: { pending?: boolean }): number {
    const { fingerprint, ...rest } = cp;
    const big: BigArray[] = [];
    const state = JSON.stringify(stripBigArrays(rest, [], big));
    let bytes = state.length;
    const tx = this.db.transaction(() => {
      const r = this.db
        .prepare(
          'INSERT INTO checkpoints (taken_at, fingerprint, state, pending, format) VALUES (?, ?, ?, ?, ?)',
        )
        .run(Date.now(), fingerprint, state, opts.pending ? 1 : 0, FORMAT);
      const id = Number(r.lastInsertRowid);
      const insert = this.db.prepare(
        'INSERT INTO checkpoint_chunks (checkpoint_id, part, seq, path, kind, width, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      big.forEach((b, part) => {
        const path = JSON.stringify(b.path);
        for (let from = 0, seq = 0; from < b.items.length; from += CHUNK, seq++) {
          const to = Math.min(from + CHUNK, b.items.length);
          // Rows made now, a chunk at a time (SnapshotRows), or a plain array's elements.
          const c =
            b.items instanceof SnapshotRows
              ? encodeChunk(b.items.slice(from, to), 0, to - from)
              : encodeChunk(b.items, from, to);
          bytes += c.data.length;
          insert.run(id, part, seq, path, c.kind, c.width, c.data);
        }
      });
      // Older ones go, but never the newest confirmed one (a pending checkpoint may yet be discarded).
      this.db
        .prepare(
          'DELETE FROM checkpoints WHERE id <= ? AND id < (SELECT COALESCE(MAX(id), 0) FROM checkpoints WHERE pending = 0)',
        )
        .run(id - KEEP);
      this.deleteOrphanChunks();
      return id;
    });
    const id = tx();
    this.lastSavedBytes = bytes;
    return id;
  }

  /** A pending checkpoint's sinks committed: it is the one to resume from. */
  confirm(id: number): void {
    this.writing('confirm a checkpoint in', () =>
      this.db.prepare('UPDATE checkpoints SET pending = 0 WHERE id = ?').run(id),
    );
  }

  /** A pending checkpoint's sinks did not commit: forget it (the one before stands). */
  discard(id: number): void {
    this.writing('discard a checkpoint in', () =>
      this.db.transaction(() => {
        this.db.prepare('DELETE FROM checkpoints WHERE id = ?').run(id);
        this.db.prepare('DELETE FROM checkpoint_chunks WHERE checkpoint_id = ?').run(id);
      })(),
    );
  }

  /** Forgets every checkpoint: the job finished, or the user asked for a fresh start. */
  clear(): void {
    this.writing('clear', () =>
      this.db.transaction(() => {
        this.db.exec('DELETE FROM checkpoints');
        this.db.exec('DELETE FROM checkpoint_chunks');
      })(),
    );
  }

  /** A write to the database, its SQLite errors (disk full, I/O) told as what they mean. */
  private writing<R>(doing: string, write: () => R): R {
    try {
      return write();
    } catch (e) {
      throw checkpointError(e, this.path, this.display, doing);
    }
  }

  close(): void {
    try {
      this.db.close();
    } catch {
      // Closing copies the WAL into the database file, which a full disk can refuse; every
      // committed checkpoint is in the WAL, which the next open replays, so nothing is lost, and
      // the error that stopped the job (if any) is the one to report.
    }
    rmSync(ownerPath(this.path), { force: true });
  }

  private deleteOrphanChunks(): void {
    this.db.exec('DELETE FROM checkpoint_chunks WHERE checkpoint_id NOT IN (SELECT id FROM checkpoints)');
  }
}

/** Beside the database: who holds its lock, so a second run can say so (the lock itself is SQLite's). */
function ownerPath(db: string): string {
  return `${db}.owner`;
}

function writeOwner(db: string): void {
  const owner = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    command: process.argv.slice(1).join(' '),
  };
  try {
    writeFileSync(ownerPath(db), JSON.stringify(owner) + '\n');
  } catch {
    // Only informational: the lock holds without it.
  }
}

export interface CheckpointOwner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
  readonly command: string;
}

/** Who holds (or last held) a checkpoint database, as it wrote beside it. */
export function checkpointOwner(db: string): CheckpointOwner | undefined {
  try {
    return JSON.parse(readFileSync(ownerPath(db), 'utf8')) as CheckpointOwner;
  } catch {
    return undefined;
  }
}

function describeOwner(db: string): string {
  const o = checkpointOwner(db);
  return o ? `process ${o.pid} on ${o.host} since ${o.since} (${o.command})` : 'another process';
}

/** Another run holds the job's checkpoint database. */
export class JobRunningError extends ConnectorError {}

/** The checkpoint database cannot be read at all (--fresh moves it aside and starts a new one). */
export class DamagedCheckpointError extends ConnectorError {}

/** A checkpoint database's SQLite error (locked, damaged, disk full) as a message a user can act on. */
function checkpointError(e: unknown, path: string, display = path, doing = 'open'): Error {
  if (!(e instanceof Error) || e instanceof ConnectorError) return e as Error;
  const code = (e as { code?: string }).code ?? '';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new JobRunningError(
      `the job is already running: its checkpoint database ${display} is held by ${describeOwner(path)}\n` +
        `  hint: stop that run first (Ctrl-C), or give this run its own SET 'execution.checkpointing.dir'`,
    );
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return new DamagedCheckpointError(
      `the checkpoint database ${display} is damaged (${e.message}): the job's state cannot be read, so nothing was started and no output was touched\n` +
        `  hint: move ${display} away and run with --fresh to start over (earlier output is then kept aside, not overwritten)`,
      { cause: e },
    );
  }
  if (
    code === 'SQLITE_FULL' ||
    code === 'SQLITE_IOERR' ||
    code.startsWith('SQLITE_IOERR_') ||
    code === 'SQLITE_READONLY' ||
    code === 'SQLITE_CANTOPEN' ||
    code === 'SQLITE_PERM'
  ) {
    const why =
      code === 'SQLITE_FULL'
        ? 'the disk is full'
        : code.startsWith('SQLITE_READONLY')
          ? 'it is read-only'
          : e.message;
    return new ConnectorError(
      `cannot ${doing} the checkpoint database ${display}: ${why} (${code})\n` +
        `  hint: the last checkpoint and the output up to it are intact; free space or fix the permissions, then run the job again to resume from it`,
      { cause: e },
    );
  }
  return e;
}

interface ChunkRow {
  part: number;
  path: string;
  kind: ChunkKind;
  width: number;
  data: Buffer;
}

interface BigArray {
  readonly path: Path;
  readonly items: readonly unknown[] | SnapshotRows;
}

/**
 * `v` with every array (or SnapshotRows) longer than CHUNK_MIN replaced by an empty one (copying
 * only the objects and arrays on the way to one); those taken out are appended to `big` with their
 * paths. Shorter SnapshotRows are made into their arrays here.
 */
function stripBigArrays(v: unknown, path: Path, big: BigArray[]): unknown {
  if (v instanceof SnapshotRows) {
    if (v.length <= CHUNK_MIN) return v.toJSON();
    big.push({ path: [...path], items: v });
    return [];
  }
  if (Array.isArray(v)) {
    if (v.length > CHUNK_MIN) {
      big.push({ path: [...path], items: v });
      return [];
    }
    let copy: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const x = v[i] as unknown;
      if (x === null || typeof x !== 'object') continue;
      path.push(i);
      const y = stripBigArrays(x, path, big);
      path.pop();
      if (y !== x) (copy ??= v.slice())[i] = y;
    }
    return copy ?? v;
  }
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    let copy: Record<string, unknown> | null = null;
    for (const [k, x] of Object.entries(v)) {
      if (x === null || typeof x !== 'object') continue;
      path.push(k);
      const y = stripBigArrays(x, path, big);
      path.pop();
      if (y !== x) (copy ??= { ...(v as Record<string, unknown>) })[k] = y;
    }
    return copy ?? v;
  }
  return v;
}

/** The (empty, stand-in) array at `path` in a parsed state, to append a chunked array's elements to. */
function arrayAt(state: unknown, path: Path, file: string, id: number): unknown[] {
  let v: unknown = state;
  for (const k of path)
    v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined;
  if (!Array.isArray(v))
    throw new ConnectorError(
      `${file}: checkpoint ${id} is damaged: its state has no array at ${JSON.stringify(path)}\n  hint: start over with --fresh`,
    );
  return v;
}

/** items[from, to) as one chunk: binary rows of numbers when they all are, else JSON. */
function encodeChunk(
  items: readonly unknown[],
  from: number,
  to: number,
): { kind: ChunkKind; width: number; data: Buffer } {
  const first = items[from];
  const width = Array.isArray(first) ? first.length : -1;
  let numeric = width > 0;
  let int32 = true;
  for (let i = from; numeric && i < to; i++) {
    const row = items[i];
    if (!Array.isArray(row) || row.length !== width) {
      numeric = false;
      break;
    }
    for (let j = 0; j < width; j++) {
      const x = row[j] as unknown;
      // Non-finite numbers go through JSON (which turns them into null), so restoring is the same either way.
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        numeric = false;
        break;
      }
      if (int32 && (x | 0) !== x) int32 = false;
    }
  }
  if (!numeric)
    return { kind: ChunkKind.Json, width: 0, data: Buffer.from(JSON.stringify(items.slice(from, to))) };
  const n = (to - from) * width;
  const out = int32 ? new Int32Array(n) : new Float64Array(n);
  let k = 0;
  for (let i = from; i < to; i++) {
    const row = items[i] as number[];
    for (let j = 0; j < width; j++) out[k++] = row[j]! + 0; // -0 becomes 0, as in JSON
  }
  return {
    kind: int32 ? ChunkKind.Int32 : ChunkKind.Float64,
    width,
    data: Buffer.from(out.buffer, out.byteOffset, out.byteLength),
  };
}

function decodeChunk(c: ChunkRow, into: unknown[]): void {
  if (c.kind === ChunkKind.Json) {
    for (const x of JSON.parse(c.data.toString('utf8')) as unknown[]) into.push(x);
    return;
  }
  // Copied out: the BLOB's buffer need not be aligned for a typed-array view.
  const bytes = new Uint8Array(c.data);
  const values =
    c.kind === ChunkKind.Int32
      ? new Int32Array(bytes.buffer, 0, bytes.length / 4)
      : new Float64Array(bytes.buffer, 0, bytes.length / 8);
  const w = c.width;
  for (let i = 0; i < values.length; i += w) {
    const row = new Array<number>(w);
    for (let j = 0; j < w; j++) row[j] = values[i + j]!;
    into.push(row);
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
