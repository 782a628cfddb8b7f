// Reads a file, or every file of a directory, line by line. Files are the splits; polls take turns
// over the files still open so event time advances evenly across them (each file is a partition
// with its own watermark).

import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { join, relative, resolve } from 'node:path';
import { ConnectorError } from '../../engine/errors.js';
import type { PollResult, SourceReader, SplitInfo } from '../api.js';

const CHUNK_BYTES = 1 << 20;
/** Key of the round-robin position in positions() (not a file name: file names never start with '#'). */
const TURN = '#turn';

interface FileSplit {
  readonly path: string;
  fh?: FileHandle;
  readonly decoder: StringDecoder;
  text: string;
  at: number;
  eof: boolean;
  done: boolean;
  endReported: boolean;
  /** Lines handed out so far (1-based number of the last line read). */
  line: number;
  /** Lines to skip after a restore. */
  skip: number;
}

export class FileSource implements SourceReader {
  readonly bounded = true;
  splits: SplitInfo[] = [];
  private files: FileSplit[] = [];
  private next = 0;
  private restored: Record<string, number> = {};

  constructor(
    private readonly path: string,
    private readonly cwd: string,
    private readonly table: string,
  ) {}

  async open(): Promise<void> {
    const abs = resolve(this.cwd, this.path);
    let paths: string[];
    try {
      const st = await stat(abs);
      paths = st.isDirectory()
        ? (await readdir(abs)).filter((f) => !f.startsWith('.') && !f.startsWith('_')).sort().map((f) => join(abs, f))
        : [abs];
    } catch {
      throw new ConnectorError(`table '${this.table}': path '${this.path}' does not exist (looked in ${abs})`);
    }
    this.files = paths.map((p) => ({ path: p, decoder: new StringDecoder('utf8'), text: '', at: 0, eof: false, done: false, endReported: false, line: 0, skip: this.restored[rel(this.cwd, p)] ?? 0 }));
    this.splits = paths.map((p) => ({ name: rel(this.cwd, p), positionSeparator: ':', metadata: new Map([['file.path', p]]) }));
  }

  async poll(maxRecords: number): Promise<PollResult> {
    const n = this.files.length;
    for (let tries = 0; tries < n; tries++) {
      const idx = this.next;
      this.next = (this.next + 1) % n;
      const f = this.files[idx]!;
      if (f.endReported) continue;
      if (f.done) {
        // Its last lines went out in the previous batch: now say it ended, so it stops holding the watermark.
        f.endReported = true;
        return { kind: 'split-end', split: idx };
      }
      const values: string[] = [];
      const positions: number[] = [];
      await this.readLines(f, maxRecords, values, positions);
      if (values.length === 0 && f.done) {
        f.endReported = true;
        return { kind: 'split-end', split: idx };
      }
      return { kind: 'batch', batch: { split: idx, values, positions } };
    }
    return { kind: 'end' };
  }

  private async readLines(f: FileSplit, max: number, values: string[], positions: number[]): Promise<void> {
    if (!f.fh) f.fh = await open(f.path, 'r');
    while (values.length < max) {
      const nl = f.text.indexOf('\n', f.at);
      if (nl >= 0) {
        let line = f.text.slice(f.at, nl);
        f.at = nl + 1;
        f.line++;
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (f.skip > 0) {
          f.skip--;
          continue;
        }
        values.push(line);
        positions.push(f.line);
        continue;
      }
      if (f.eof) {
        if (f.at < f.text.length) {
          f.line++;
          const line = f.text.slice(f.at);
          f.at = f.text.length;
          if (f.skip > 0) f.skip--;
          else {
            values.push(line);
            positions.push(f.line);
          }
        }
        f.done = true;
        await f.fh.close();
        return;
      }
      const buf = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await f.fh.read(buf, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) {
        f.eof = true;
        f.text = f.text.slice(f.at) + f.decoder.end();
      } else {
        f.text = f.text.slice(f.at) + f.decoder.write(buf.subarray(0, bytesRead));
      }
      f.at = 0;
      // A UTF-8 byte order mark (spreadsheet exports) is not part of the first line's first value.
      if (f.line === 0 && f.text.charCodeAt(0) === 0xfeff) f.text = f.text.slice(1);
    }
  }

  /** Lines read per file, and whose turn is next, so a restored run interleaves files exactly as before. */
  positions(): Record<string, number> {
    const out: Record<string, number> = { [TURN]: this.next };
    this.files.forEach((f, i) => (out[this.splits[i]!.name] = f.line));
    return out;
  }

  seek(positions: Record<string, number>): void {
    this.restored = { ...positions };
    this.next = positions[TURN] ?? 0;
  }

  async close(): Promise<void> {
    for (const f of this.files) if (f.fh && !f.done) await f.fh.close();
  }
}

function rel(cwd: string, p: string): string {
  const r = relative(cwd, p);
  return r.startsWith('..') ? p : r;
}
