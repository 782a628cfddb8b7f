// Writes rows to one file (a path with an extension, e.g. output/alerts.csv: one CSV with a header)
// or, for a directory path, to a part file inside it as Flink does.

import { mkdir, open, stat, truncate, type FileHandle } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve } from 'node:path';
import type { RecordEncoder } from '../../engine/formats/api.js';
import type { Row } from '../../engine/types.js';
import { ConnectorError } from '../../engine/errors.js';
import type { SinkWriter } from '../api.js';

export class FileSink implements SinkWriter {
  private buffer: Row[] = [];
  private fh?: FileHandle;
  private readonly file: string;
  rowsWritten = 0;
  /** Bytes in the file so far (what a checkpoint records). */
  private bytes = 0;
  private resumeAt?: number;

  constructor(
    path: string,
    cwd: string,
    private readonly encoder: RecordEncoder,
    extension: string,
  ) {
    const abs = resolve(cwd, path);
    // A path with an extension names the file; anything else is a directory of part files.
    this.file = extname(abs) !== '' ? abs : join(abs, `part-0-0.${extension}`);
    this.display = relative(cwd, this.file) || this.file;
  }

  private readonly display: string;

  get pending(): number {
    return this.buffer.length;
  }

  write(rows: readonly Row[]): void {
    for (const r of rows) this.buffer.push(r);
  }

  private async ensureOpen(): Promise<FileHandle> {
    if (!this.fh) {
      await mkdir(dirname(this.file), { recursive: true });
      if (this.resumeAt !== undefined && this.resumeAt > 0) {
        // Recovery: drop what was written after the checkpoint, then append from there.
        const size = await stat(this.file).then((s) => s.size, () => -1);
        if (size < this.resumeAt) {
          throw new ConnectorError(`cannot resume writing ${this.display}: the checkpoint says it held ${this.resumeAt} bytes, but it has ${size < 0 ? 'gone' : `${size}`}; run again with --fresh to start over`);
        }
        await truncate(this.file, this.resumeAt);
        this.fh = await open(this.file, 'a');
        this.bytes = this.resumeAt;
      } else {
        this.fh = await open(this.file, 'w');
        if (this.encoder.header !== null) await this.writeText(this.encoder.header + '\n');
      }
    }
    return this.fh;
  }

  private async writeText(text: string): Promise<void> {
    const buf = Buffer.from(text, 'utf8');
    await this.fh!.write(buf);
    this.bytes += buf.length;
  }

  position(): unknown {
    return { bytes: this.bytes };
  }

  restore(position: unknown): void {
    this.resumeAt = (position as { bytes: number }).bytes;
  }

  async flush(): Promise<void> {
    await this.ensureOpen();
    if (this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    await this.writeText(this.encoder.encodeLines(rows));
    this.rowsWritten += rows.length;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.fh?.close();
    this.fh = undefined;
  }

  describe(): string {
    return `${this.rowsWritten} row${this.rowsWritten === 1 ? '' : 's'} → ${this.display}`;
  }
}
