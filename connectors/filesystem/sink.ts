// Writes rows to one file (a path with an extension, e.g. output/alerts.csv: one CSV with a header)
// or, for a directory path, to a part file inside it as Flink does.
//
// Results already written are never destroyed silently:
// - A fresh start (no checkpoint) over a file that already holds rows moves that file aside
//   (`alerts.before-<time>.csv`) and says so, as Flink keeps the part files of earlier runs.
// - Resuming truncates the file back to the checkpoint only when the checkpoint proves the file is
//   the one it wrote: its length and a hash of the bytes just before that length. Otherwise the
//   job refuses to start and the file is left as it is.
// - A failed write (disk full, read-only) is cut back to the last whole row before the error is
//   raised, so no half row is left behind.

import { createHash } from 'node:crypto';
import { access, constants, mkdir, open, rename, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import type { RecordEncoder } from '../../engine/formats/api.js';
import type { Row } from '../../engine/types.js';
import { ConnectorError } from '../../engine/errors.js';
import { fileStamp, unusedPath } from '../../engine/kept-files.js';
import type { SinkWriter } from '../api.js';

/** Bytes before a checkpointed length that are hashed to prove the file is the one written. */
const PROOF_BYTES = 4096;

/** What a checkpoint keeps of a file sink: its length, and a hash of the PROOF_BYTES before it. */
interface FilePosition {
  /** The file it is the position of (absent in checkpoints of older versions). */
  readonly file?: string;
  readonly bytes: number;
  /** sha256 (hex) of the file's bytes [max(0, bytes − PROOF_BYTES), bytes). Absent in checkpoints of older versions. */
  readonly tail?: string;
}

export class FileSink implements SinkWriter {
  private buffer: Row[] = [];
  private fh?: FileHandle;
  private readonly file: string;
  private readonly display: string;
  rowsWritten = 0;
  /** Bytes in the file so far (what a checkpoint records). */
  private bytes = 0;
  /** The last PROOF_BYTES (or fewer) bytes written, for position()'s hash. */
  private tail: Buffer = Buffer.alloc(0);
  private resumeFrom?: FilePosition;

  constructor(
    path: string,
    private readonly cwd: string,
    private readonly encoder: RecordEncoder,
    extension: string,
    private readonly notify: (message: string) => void = () => {},
  ) {
    this.file = sinkFile(path, cwd, extension);
    this.display = relative(cwd, this.file) || this.file;
  }

  /** Rows are appended: an updating query comes here only as its new values (SET 'fintrans.sink.append-updates'); see UpsertFileSink for a table with a PRIMARY KEY. */
  readonly accepts = 'insert-only';

  get pending(): number {
    return this.buffer.length + this.encodedRows;
  }

  write(rows: readonly Row[]): void {
    for (const r of rows) this.buffer.push(r);
  }

  /** Lines encoded elsewhere (a parallel run's workers, see encode), in order, and the rows they hold. */
  private encoded: Uint8Array[] = [];
  private encodedRows = 0;

  encode(rows: readonly Row[]): Uint8Array | null {
    // A container's blocks belong to its one header (Avro's sync marker): encoded here only.
    return this.encoder.file ? null : encodeInBatches(this.encoder, rows.slice());
  }

  writeEncoded(bytes: Uint8Array, rows: number): void {
    this.encodeBuffered();
    this.encoded.push(bytes);
    this.encodedRows += rows;
  }

  /** Rows written before encoded ones go first, as their lines. */
  private encodeBuffered(): void {
    if (this.buffer.length === 0) return;
    this.encodedRows += this.buffer.length;
    this.encoded.push(encodeInBatches(this.encoder, this.buffer));
    this.buffer = [];
  }

  /** Opens the file at the start of the run: resumes the checkpointed one, or starts a new one (keeping an old one aside). */
  async prepare(): Promise<void> {
    if (this.fh) return;
    try {
      await mkdir(dirname(this.file), { recursive: true });
    } catch (e) {
      throw this.ioError('create the folder of', e);
    }
    if (this.resumeFrom && this.resumeFrom.bytes > 0) await this.openForResume(this.resumeFrom);
    else await this.openNew();
  }

  private async openForResume(at: FilePosition): Promise<void> {
    const size = await stat(this.file).then(
      (s) => s.size,
      () => -1,
    );
    const proven =
      size >= at.bytes && (at.tail === undefined || (await this.hashBefore(at.bytes)) === at.tail);
    if (!proven) {
      const what =
        size < 0
          ? 'it is gone'
          : size < at.bytes
            ? `it has only ${size} bytes of the ${at.bytes} the checkpoint wrote`
            : `its first ${at.bytes} bytes are not the ones the checkpoint wrote`;
      throw new ConnectorError(
        `cannot resume writing ${this.display}: ${what} (the file was changed or replaced since); it was left as it is\n` +
          `  hint: put the job's file back, or run with --fresh to start over (the file is then kept aside, not overwritten)`,
      );
    }
    try {
      this.fh = await open(this.file, 'r+');
      // Drop what was written after the checkpoint (proven to be ours), then append from there.
      await this.fh.truncate(at.bytes);
      this.bytes = at.bytes;
      this.tail = await this.readBefore(this.fh, at.bytes);
    } catch (e) {
      throw this.ioError('resume writing', e);
    }
  }

  private async openNew(): Promise<void> {
    const size = await stat(this.file).then(
      (s) => s.size,
      () => -1,
    );
    const header = this.encoder.file
      ? this.encoder.file.header
      : this.encoder.header !== null
        ? Buffer.from(this.encoder.header + '\n', 'utf8')
        : Buffer.alloc(0);
    if (size > 0 && !(size === header.length && (await this.readAll()).equals(header))) {
      let aside: string;
      try {
        await access(dirname(this.file), constants.W_OK);
        aside = unusedPath(keptAsidePath(this.file, new Date()));
        await rename(this.file, aside);
      } catch (e) {
        throw this.ioError('keep aside the earlier output in', e);
      }
      this.notify(
        `${this.display} held the output of an earlier run: kept as ${relative(this.cwd, aside) || aside}`,
      );
    }
    try {
      this.fh = await open(this.file, 'w');
    } catch (e) {
      throw this.ioError('create', e);
    }
    if (header.length > 0) await this.append(header);
  }

  private async readAll(): Promise<Buffer> {
    const fh = await open(this.file, 'r');
    try {
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }

  private async hashBefore(bytes: number): Promise<string> {
    const fh = await open(this.file, 'r');
    try {
      return sha256(await this.readBefore(fh, bytes));
    } finally {
      await fh.close();
    }
  }

  private async readBefore(fh: FileHandle, bytes: number): Promise<Buffer> {
    const from = Math.max(0, bytes - PROOF_BYTES);
    const buf = Buffer.alloc(bytes - from);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, from + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  }

  /** Appends whole rows; on failure the file is cut back to its length before, so no partial row stays. */
  private async append(buf: Buffer): Promise<void> {
    const fh = this.fh!;
    try {
      let done = 0;
      while (done < buf.length) {
        const { bytesWritten } = await fh.write(buf, done, buf.length - done, this.bytes + done);
        done += bytesWritten;
      }
    } catch (e) {
      await fh.truncate(this.bytes).catch(() => {});
      throw this.ioError('write to', e);
    }
    this.bytes += buf.length;
    this.tail =
      buf.length >= PROOF_BYTES
        ? buf.subarray(buf.length - PROOF_BYTES)
        : Buffer.concat([this.tail, buf]).subarray(-PROOF_BYTES);
  }

  private ioError(doing: string, e: unknown): ConnectorError {
    return fileIoError(
      doing,
      this.display,
      e,
      "the rows up to the job's last checkpoint are in the file and no partial row was left; free space or fix the permissions, then run the job again to resume",
    );
  }

  position(): FilePosition {
    return { file: this.file, bytes: this.bytes, tail: sha256(this.tail) };
  }

  restore(position: unknown): void {
    const at = position as FilePosition;
    // A savepoint restored into a job whose sink now writes elsewhere: that file starts anew.
    if (at.file !== undefined && at.file !== this.file) return;
    this.resumeFrom = at;
  }

  async flush(): Promise<void> {
    await this.prepare();
    if (this.encoded.length > 0) {
      this.encodeBuffered();
      const count = this.encodedRows;
      const bytes = Buffer.concat(this.encoded);
      this.encoded = [];
      this.encodedRows = 0;
      await this.append(bytes);
      this.rowsWritten += count;
      return;
    }
    if (this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    const count = rows.length;
    // A container format (Avro's) writes the flush as one block; text formats as lines.
    await this.append(
      this.encoder.file ? this.encoder.file.block(rows) : encodeInBatches(this.encoder, rows),
    );
    this.rowsWritten += count;
  }

  async close(): Promise<void> {
    // A run that failed before opening the file (a source that could not open) leaves it untouched.
    if (this.fh || this.buffer.length > 0 || this.encoded.length > 0) await this.flush();
    await this.fh?.close();
    this.fh = undefined;
  }

  describe(): string {
    return `${this.rowsWritten} row${this.rowsWritten === 1 ? '' : 's'} → ${this.display}`;
  }
}

/** Rows per encodeLines call in encodeInBatches. */
const ENCODE_BATCH_ROWS = 256;

/**
 * The rows' lines as UTF-8 bytes, encoded ENCODE_BATCH_ROWS rows at a time into one buffer. The
 * CSV encoder (csv-stringify) builds each line from many small strings that stay alive until the
 * batch's lines are joined; for a whole flush (up to tens of thousands of rows) they lived through
 * several young-generation collections and were copied into the old generation (a fifth of all
 * that the high-cardinality bench case promoted). In small batches they die young. For the same
 * reason each batch's rows are let go (`rows` is emptied as it goes) once encoded. The output is
 * the same bytes: encodeLines ends every line with a newline, so batches simply follow each other.
 */
export function encodeInBatches(encoder: RecordEncoder, rows: (Row | null)[]): Buffer {
  let buf = Buffer.allocUnsafe(Math.max(4096, rows.length * 64));
  let at = 0;
  for (let i = 0; i < rows.length; i += ENCODE_BATCH_ROWS) {
    const end = Math.min(rows.length, i + ENCODE_BATCH_ROWS);
    const text = encoder.encodeLines(rows.slice(i, end) as Row[]);
    rows.fill(null, i, end);
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (buf.length - at < text.length * 3) {
      const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, at + text.length * 3));
      buf.copy(bigger, 0, 0, at);
      buf = bigger;
    }
    at += buf.write(text, at, 'utf8');
  }
  return buf.subarray(0, at);
}

/** The file a sink's 'path' names: the path itself when it has an extension, else a part file inside that directory (as Flink). */
export function sinkFile(path: string, cwd: string, extension: string): string {
  const abs = resolve(cwd, path);
  return extname(abs) !== '' ? abs : join(abs, `part-0-0.${extension}`);
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** `out/alerts.csv` → `out/alerts.before-2026-12-03T08-15-00Z.csv`. */
export function keptAsidePath(file: string, at: Date): string {
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}.before-${fileStamp(at)}${ext}`);
}

/**
 * A file sink's I/O failure as the user must read it: what it was doing to which file, the cause in
 * words (a full disk, a read-only file system, ...) with its code, and `hint` (what is in the file now).
 */
export function fileIoError(doing: string, display: string, e: unknown, hint: string): ConnectorError {
  const err = e as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
    EFBIG: 'the file is larger than this process may write (ulimit -f)',
    EROFS: 'the file system is read-only',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOTDIR: 'a part of its path is a file, not a folder',
    EISDIR: 'it is a folder',
  };
  const reason = (err.code && why[err.code]) ?? err.message;
  return new ConnectorError(
    `cannot ${doing} ${display}: ${reason}${err.code ? ` (${err.code})` : ''}\n  hint: ${hint}`,
    { cause: e },
  );
}
