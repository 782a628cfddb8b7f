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
    /** CSV's quote character: a line break inside a quoted field does not end the record (as in Flink's CSV reader). */
    private readonly quote?: string,
  ) {}

  async open(): Promise<void> {
    const abs = resolve(this.cwd, this.path);
    let paths: string[];
    try {
      const st = await stat(abs);
      paths = st.isDirectory()
        ? (await readdir(abs))
            .filter((f) => !f.startsWith('.') && !f.startsWith('_'))
            .sort()
            .map((f) => join(abs, f))
        : [abs];
    } catch {
      throw new ConnectorError(
        `table '${this.table}': path '${this.path}' does not exist (looked in ${abs})`,
      );
    }
    this.files = paths.map((p) => ({
      path: p,
      decoder: new StringDecoder('utf8'),
      text: '',
      at: 0,
      eof: false,
      done: false,
      endReported: false,
      line: 0,
      skip: this.restored[rel(this.cwd, p)] ?? 0,
    }));
    this.splits = paths.map((p) => ({
      name: rel(this.cwd, p),
      positionSeparator: ':',
      metadata: new Map([['file.path', p]]),
    }));
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
      let nl = f.text.indexOf('\n', f.at);
      if (nl >= 0) {
        let line = f.text.slice(f.at, nl);
        let lines = 1;
        if (this.quote !== undefined && line.indexOf(this.quote) >= 0 && oddQuotes(line, this.quote)) {
          // A quoted field holds a line break: the record goes on to the line that closes it.
          const end = this.quotedRecordEnd(f.text, nl);
          if (end.nl < 0 && !f.eof) {
            if (!(await this.readMore(f))) continue;
            continue;
          }
          if (end.nl >= 0) {
            nl = end.nl;
            lines += end.breaks;
          } else {
            // The file ends inside the quote: the rest is one (bad) record, as the decoder will say.
            const rest = f.text.slice(f.at);
            nl = rest.endsWith('\n') ? f.text.length - 1 : f.text.length;
            lines = countOf(rest, '\n') + (rest.endsWith('\n') ? 0 : 1);
          }
          line = f.text.slice(f.at, nl);
        }
        const first = f.line + 1;
        f.at = Math.min(nl + 1, f.text.length);
        f.line += lines;
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (f.skip > 0) {
          f.skip -= lines;
          continue;
        }
        values.push(line);
        positions.push(first);
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
      await this.readMore(f);
    }
  }

  /** Appends the file's next chunk to what is left of its text; false at the end of the file. */
  private async readMore(f: FileSplit): Promise<boolean> {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await f.fh!.read(buf, 0, CHUNK_BYTES, null);
    if (bytesRead === 0) {
      f.eof = true;
      f.text = f.text.slice(f.at) + f.decoder.end();
    } else {
      f.text = f.text.slice(f.at) + f.decoder.write(buf.subarray(0, bytesRead));
    }
    f.at = 0;
    // A UTF-8 byte order mark (spreadsheet exports) is not part of the first line's first value.
    if (f.line === 0 && f.text.charCodeAt(0) === 0xfeff) f.text = f.text.slice(1);
    return bytesRead > 0;
  }

  /**
   * A record whose first line (ending at `nl`) left a quote open: the newline that ends it (the
   * first one after the quote closes; -1 if not in `text` yet) and how many line breaks it spans.
   */
  private quotedRecordEnd(text: string, nl: number): { nl: number; breaks: number } {
    let open = true;
    let breaks = 0;
    for (;;) {
      const next = text.indexOf('\n', nl + 1);
      const end = next < 0 ? text.length : next;
      if (oddQuotes(text.slice(nl + 1, end), this.quote!)) open = !open;
      if (next < 0) return { nl: -1, breaks };
      breaks++;
      if (!open) return { nl: next, breaks };
      nl = next;
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

function countOf(s: string, c: string): number {
  let n = 0;
  for (let i = s.indexOf(c); i >= 0; i = s.indexOf(c, i + 1)) n++;
  return n;
}

/** Whether `s` holds an odd number of `quote` characters (a doubled quote counts two: parity is enough). */
function oddQuotes(s: string, quote: string): boolean {
  let odd = false;
  for (let i = s.indexOf(quote); i >= 0; i = s.indexOf(quote, i + 1)) odd = !odd;
  return odd;
}
