// A filesystem table with a PRIMARY KEY: the file holds the latest row of each key, as an upsert
// sink does (Flink's own filesystem sink refuses updates; this is fintrans-sql's documented meaning).
//
// - Changes are applied in memory as they arrive: +I/+U replace the key's row, -D removes it. Rows
//   stay in the order their keys first appeared (a key deleted and inserted again goes last).
// - The file is replaced as a whole, atomically: flush() writes the new version to a hidden file
//   beside it (`.alerts.csv.inprogress`) and fsyncs it; commit() renames it over the file. With
//   checkpoints, commit() follows the checkpoint that holds the version's rows, so the file on disk
//   is always the version of a checkpoint; a crash in between leaves the last good file.
// - Exactly-once: position() holds the file's rows (JSON-safe) and hashes of the version it stands
//   for and of the one before. On recovery the file is written again from those rows, byte for
//   byte what the checkpoint's commit wrote, then the replayed changes bring it forward.
// - Nothing an earlier run wrote is destroyed silently: on a fresh start a file with rows is kept
//   aside (`alerts.before-<time>.csv`), as for the append-only file; on recovery a file that is
//   none of the versions this job wrote is kept aside too (the checkpoint can rebuild ours).
// - A failed write (disk full, read-only) leaves the file as it was, with a clear error.

import { createHash } from 'node:crypto';
import { createReadStream, renameSync } from 'node:fs';
import { access, constants, mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import type { RecordEncoder } from '../../engine/formats/api.js';
import { DELETE, INSERT, UPDATE_AFTER, UPDATE_BEFORE, type Row, type RowKind } from '../../engine/types.js';
import { ConnectorError } from '../../engine/errors.js';
import { unusedPath } from '../../engine/kept-files.js';
import type { SinkWriter } from '../api.js';
import { fileIoError, keptAsidePath, sinkFile } from './sink.js';

/** Rows encoded per piece of a new version (bounds the text held in memory at once). */
const ENCODE_ROWS = 8192;

/** What a checkpoint keeps of an upsert file. */
interface UpsertFilePosition {
  readonly kind: 'upsert';
  readonly file: string;
  /** sha256 (hex) of the version this checkpoint's commit leaves as the file. */
  readonly hash: string;
  /** sha256 of the version before it: what a crash before that commit's rename leaves. */
  readonly previous: string;
  /** The version's rows in file order, each value JSON-safe (see toJsonValue). */
  readonly rows: readonly (readonly unknown[])[];
}

/** One version of the file: its rows in order and the hash of its bytes. */
interface FileVersion {
  readonly hash: string;
  readonly rows: readonly Row[];
}

export class UpsertFileSink implements SinkWriter {
  /** Applies +I/+U as the key's new row and -D as its removal; the runtime drops -U before it. */
  readonly accepts = 'upsert';
  /** The latest row of each key (Map order: the order keys first appeared). */
  private readonly latest = new Map<string, Row>();
  private readonly keyOf: (row: Row) => string;
  private readonly file: string;
  private readonly temp: string;
  private readonly display: string;
  /** Changes applied since the last flush (0: the file, or the staged version, is up to date). */
  private changes = 0;
  /** The version on disk. */
  private onDisk: FileVersion;
  /** A version written to `temp` by flush(), waiting for commit() to rename it over the file. */
  private staged?: FileVersion & { readonly changes: number };
  private prepared = false;
  private resumeFrom?: UpsertFilePosition;
  /** Versions of pending checkpoints this job wrote (see committed()): on disk after a crash, they are ours. */
  private readonly ownVersions = new Set<string>();
  /** Changes that reached the file (committed). */
  rowsWritten = 0;

  constructor(
    path: string,
    private readonly cwd: string,
    private readonly encoder: RecordEncoder,
    extension: string,
    primaryKey: readonly number[],
    private readonly notify: (message: string) => void = () => {},
  ) {
    this.file = sinkFile(path, cwd, extension);
    this.temp = join(dirname(this.file), `.${basename(this.file)}.inprogress`);
    this.display = relative(cwd, this.file) || this.file;
    this.keyOf = keyFunction(primaryKey);
    this.onDisk = { hash: sha256Text(this.headerText()), rows: [] };
  }

  /** Memory holds one row per key whatever the rate of changes: nothing piles up to flush early. */
  get pending(): number {
    return 0;
  }

  write(rows: readonly Row[], kinds?: readonly RowKind[]): void {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const kind = kinds?.[i] ?? INSERT;
      // A -U reaches an upsert sink only when a filter sits on the updates (build.ts): it removes
      // the key, as Flink's upsert sinks do, and the +U that passed the filter writes it again.
      if (kind === DELETE || kind === UPDATE_BEFORE) this.latest.delete(this.keyOf(row));
      else if (kind === INSERT || kind === UPDATE_AFTER) this.latest.set(this.keyOf(row), row);
      else continue;
      this.changes++;
    }
  }

  /** Checks the folder can be written and puts the file where the run starts: the checkpoint's version, or an empty one. */
  async prepare(): Promise<void> {
    if (this.prepared) return;
    const dir = dirname(this.file);
    try {
      await mkdir(dir, { recursive: true });
      await access(dir, constants.W_OK);
      // A version written by a run that stopped before renaming it: never committed, not needed.
      await rm(this.temp, { force: true });
    } catch (e) {
      throw this.ioError('prepare the folder of', e);
    }
    if (this.resumeFrom) await this.resume(this.resumeFrom);
    else await this.startNew();
    this.prepared = true;
  }

  private async startNew(): Promise<void> {
    const current = await this.hashOnDisk();
    if (current?.hash === this.onDisk.hash) return; // already the empty file (its header only)
    if (current !== null && current.bytes > 0) this.keepAside('held the output of an earlier run');
    await this.replaceWith([]);
  }

  private async resume(at: UpsertFilePosition): Promise<void> {
    const rows = [...this.latest.values()];
    const current = await this.hashOnDisk();
    if (current?.hash === at.hash) {
      this.onDisk = { hash: at.hash, rows };
      return;
    }
    if (current === null) this.notify(`${this.display} was gone: written again from the checkpoint`);
    else if (current.hash !== at.previous && !this.ownVersions.has(current.hash)) {
      this.keepAside('is not a file this job wrote at its checkpoint (it was changed or replaced since)');
    }
    await this.replaceWith(rows);
  }

  /** Writes `rows` as the whole file, atomically (a fresh start, a recovery). */
  private async replaceWith(rows: readonly Row[]): Promise<void> {
    this.staged = { hash: await this.writeTemp(rows), rows, changes: 0 };
    await this.commit();
  }

  private keepAside(why: string): void {
    let aside: string;
    try {
      aside = unusedPath(keptAsidePath(this.file, new Date()));
      // Synchronous: nothing may take the name unusedPath() just found free.
      renameSync(this.file, aside);
    } catch (e) {
      throw this.ioError('keep aside the earlier output in', e);
    }
    this.notify(`${this.display} ${why}: kept as ${relative(this.cwd, aside) || aside}`);
  }

  /** Writes the latest rows to the hidden file beside the target (fsynced); commit() puts it in place. */
  async flush(): Promise<void> {
    await this.prepare();
    if (this.changes === 0) return;
    const rows = [...this.latest.values()];
    const hash = await this.writeTemp(rows);
    this.staged = { hash, rows, changes: (this.staged?.changes ?? 0) + this.changes };
    this.changes = 0;
  }

  /** Renames the flushed version over the file (and syncs the folder, so the rename survives a power cut). */
  async commit(): Promise<void> {
    const s = this.staged;
    if (!s) return;
    try {
      await rename(this.temp, this.file);
      await syncFolder(dirname(this.file));
    } catch (e) {
      throw this.ioError('replace', e);
    }
    this.onDisk = { hash: s.hash, rows: s.rows };
    this.rowsWritten += s.changes;
    this.staged = undefined;
  }

  /**
   * Recovery: the pending checkpoint holding `position` stands whether or not its rename happened,
   * since its rows rebuild that version; remembered, so that version on disk is known as ours.
   */
  async committed(position: unknown): Promise<boolean> {
    const at = asUpsertPosition(position);
    if (at && at.file === this.file) this.ownVersions.add(at.hash);
    return true;
  }

  position(): UpsertFilePosition {
    const v = this.staged ?? this.onDisk;
    return {
      kind: 'upsert',
      file: this.file,
      hash: v.hash,
      previous: this.onDisk.hash,
      rows: v.rows.map((r) => r.map(toJsonValue)),
    };
  }

  restore(position: unknown): void {
    const at = asUpsertPosition(position);
    // Another sink's position (the table had no PRIMARY KEY, or wrote elsewhere): this file starts anew.
    if (!at || at.file !== this.file) return;
    this.resumeFrom = at;
    this.latest.clear();
    for (const raw of at.rows) {
      const row = raw.map(fromJsonValue);
      this.latest.set(this.keyOf(row), row);
    }
  }

  async close(): Promise<void> {
    // A version never committed is not the file's: a run that failed leaves the last good file.
    if (this.staged) await rm(this.temp, { force: true }).catch(() => {});
    this.staged = undefined;
  }

  describe(): string {
    const n = this.onDisk.rows.length;
    return `${this.rowsWritten} change${this.rowsWritten === 1 ? '' : 's'} → ${this.display} (${n} row${n === 1 ? '' : 's'}, the latest per key)`;
  }

  private headerText(): string {
    return this.encoder.header !== null ? this.encoder.header + '\n' : '';
  }

  /** Writes a version to `temp` and fsyncs it; returns its hash. On failure nothing is left of it. */
  private async writeTemp(rows: readonly Row[]): Promise<string> {
    const hash = createHash('sha256');
    let fh: FileHandle | undefined;
    try {
      fh = await open(this.temp, 'w');
      let at = 0;
      const put = async (text: string): Promise<void> => {
        const buf = Buffer.from(text, 'utf8');
        hash.update(buf);
        let done = 0;
        while (done < buf.length) {
          const { bytesWritten } = await fh!.write(buf, done, buf.length - done, at + done);
          done += bytesWritten;
        }
        at += buf.length;
      };
      await put(this.headerText());
      for (let i = 0; i < rows.length; i += ENCODE_ROWS)
        await put(this.encoder.encodeLines(rows.slice(i, i + ENCODE_ROWS)));
      await fh.sync();
      await fh.close();
      fh = undefined;
    } catch (e) {
      await fh?.close().catch(() => {});
      await rm(this.temp, { force: true }).catch(() => {});
      throw this.ioError('write', e);
    }
    return hash.digest('hex');
  }

  /** The hash and size of the file as it is on disk, or null when there is none. */
  private async hashOnDisk(): Promise<{ hash: string; bytes: number } | null> {
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      for await (const chunk of createReadStream(this.file)) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw this.ioError('read', e);
    }
    return { hash: hash.digest('hex'), bytes };
  }

  private ioError(doing: string, e: unknown): ConnectorError {
    return fileIoError(
      doing,
      this.display,
      e,
      "the file still holds the rows of the job's last checkpoint (a new version replaces it only once completely written); free space or fix the permissions, then run the job again to resume",
    );
  }
}

/** A Map key for a row's PRIMARY KEY values, exact for every value type (a string's length keeps "a|b" apart from "a", "b"). */
function keyFunction(primaryKey: readonly number[]): (row: Row) => string {
  const part = (v: unknown): string =>
    v === null || v === undefined
      ? 'N'
      : typeof v === 'string'
        ? `s${v.length}:${v}`
        : typeof v === 'bigint'
          ? `b${v}`
          : typeof v === 'number'
            ? `n${v}`
            : `o${String(v)}`;
  if (primaryKey.length === 1) {
    const i = primaryKey[0]!;
    return (row) => part(row[i]);
  }
  return (row) => {
    let s = '';
    for (const i of primaryKey) s += part(row[i]) + ',';
    return s;
  };
}

/**
 * A row value as JSON keeps it: bigint (BIGINT beyond 2^53, DECIMAL) as { $big: digits }, and the
 * doubles JSON has no literal for (NaN, ±Infinity) as { $num: text }; everything else as it is.
 */
export function toJsonValue(v: unknown): unknown {
  if (typeof v === 'bigint') return { $big: v.toString() };
  if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
  return v;
}

export function fromJsonValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if ('$big' in v) return BigInt((v as { $big: string }).$big);
  if ('$num' in v) return Number((v as { $num: string }).$num);
  return v;
}

function asUpsertPosition(position: unknown): UpsertFilePosition | undefined {
  const p = position as Partial<UpsertFilePosition> | null;
  return p !== null &&
    typeof p === 'object' &&
    p.kind === 'upsert' &&
    typeof p.file === 'string' &&
    typeof p.hash === 'string' &&
    Array.isArray(p.rows)
    ? (p as UpsertFilePosition)
    : undefined;
}

function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** fsync of a folder, so a rename in it is on disk; file systems that cannot sync a folder are skipped. */
async function syncFolder(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'ENOTSUP') throw e;
  } finally {
    await fh?.close().catch(() => {});
  }
}
