// Reads a file, or every file of a directory, line by line. Files are the splits; polls take turns
// over the files still open so event time advances evenly across them (each file is a partition
// with its own watermark).

import { open, type FileHandle } from 'node:fs/promises';
import type { PollResult, RawBatch, SourceReader, SplitInfo } from '../api.js';
import { inputFiles, pollInTurn, rel, type Turn } from './file-turns.js';

const CHUNK_BYTES = 1 << 20;
const EMPTY = Buffer.alloc(0);
/** Key of the round-robin position in positions() (not a file name: file names never start with '#'). */
const TURN = '#turn';

interface FileSplit {
  readonly path: string;
  fh?: FileHandle;
  /** What is read of the file and not handed out yet starts at `at`. */
  buf: Buffer;
  at: number;
  /** Index of the first quote byte at or after `at` in `buf` (buf.length: none), when CSV has one. */
  quoteAt: number;
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
  private readonly turn: Turn = { next: 0 };
  private restored: Record<string, number> = {};

  constructor(
    private readonly path: string,
    private readonly cwd: string,
    private readonly table: string,
    /** CSV's quote character: a line break inside a quoted field does not end the record (as in Flink's CSV reader). */
    quote?: string,
  ) {
    this.quoteCode = quote === undefined || quote === '' ? -1 : Buffer.from(quote, 'utf8')[0]!;
  }

  /** First byte of CSV's quote character, -1 without one. */
  private readonly quoteCode: number;

  async open(): Promise<void> {
    const paths = await inputFiles(this.path, this.cwd, this.table);
    this.files = paths.map((p) => ({
      path: p,
      buf: EMPTY,
      at: 0,
      quoteAt: -1,
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

  poll(maxRecords: number): Promise<PollResult> {
    return pollInTurn(this.files, this.turn, maxRecords, (f, max, split) => this.readLines(f, max, split));
  }

  /** The next lines of a file, up to `max`, as byte ranges of one piece of the file's buffer (no copy). */
  private async readLines(f: FileSplit, max: number, split: number): Promise<RawBatch> {
    if (!f.fh) f.fh = await open(f.path, 'r');
    const starts: number[] = [];
    const ends: number[] = [];
    const positions: number[] = [];
    const q = this.quoteCode;
    while (starts.length < max) {
      const buf = f.buf;
      let nl = buf.indexOf(10, f.at);
      if (nl >= 0) {
        let lines = 1;
        // Where the next quote is, looked up again only once passed (indexOf alone would search
        // the rest of the buffer for every line that has none).
        if (q >= 0 && f.quoteAt < f.at) {
          f.quoteAt = buf.indexOf(q, f.at);
          if (f.quoteAt < 0) f.quoteAt = buf.length;
        }
        if (q >= 0 && f.quoteAt < nl && oddQuotes(buf, f.at, nl, q)) {
          // A quoted field holds a line break: the record goes on to the line that closes it.
          const end = quotedRecordEnd(buf, nl, q);
          if (end.nl < 0 && !f.eof) {
            await this.readMore(f, starts, ends);
            continue;
          }
          if (end.nl >= 0) {
            nl = end.nl;
            lines += end.breaks;
          } else {
            // The file ends inside the quote: the rest is one (bad) record, as the decoder will say.
            const endsWithNl = buf[buf.length - 1] === 10;
            lines = countOf(buf, f.at, buf.length, 10) + (endsWithNl ? 0 : 1);
            nl = endsWithNl ? buf.length - 1 : buf.length;
          }
        }
        const first = f.line + 1;
        const start = f.at;
        let end = nl;
        f.at = Math.min(nl + 1, buf.length);
        f.line += lines;
        if (end > start && buf[end - 1] === 13) end--; // a CRLF file
        if (f.skip > 0) {
          f.skip -= lines;
          continue;
        }
        starts.push(start);
        ends.push(end);
        positions.push(first);
        continue;
      }
      if (f.eof) {
        if (f.at < buf.length) {
          f.line++;
          const start = f.at;
          f.at = buf.length;
          if (f.skip > 0) f.skip--;
          else {
            starts.push(start);
            ends.push(buf.length);
            positions.push(f.line);
          }
        }
        f.done = true;
        await f.fh.close();
        break;
      }
      await this.readMore(f, starts, ends);
    }
    const n = starts.length;
    if (n === 0) return { split, count: 0, positions, values: { bytes: EMPTY, starts, ends } };
    // The batch's bytes are the piece of the buffer its records span; ranges relative to it.
    const from = starts[0]!;
    const bytes = f.buf.subarray(from, ends[n - 1]!);
    for (let i = 0; i < n; i++) {
      starts[i]! -= from;
      ends[i]! -= from;
    }
    return { split, count: n, positions, values: { bytes, starts, ends } };
  }

  /**
   * Appends the file's next chunk to what is left of its buffer (from the batch's first record on,
   * whose ranges move with it); false at the end of the file.
   */
  private async readMore(f: FileSplit, starts: number[], ends: number[]): Promise<boolean> {
    const from = starts.length > 0 ? starts[0]! : f.at;
    const left = f.buf.length - from;
    const buf = Buffer.allocUnsafe(left + CHUNK_BYTES);
    f.buf.copy(buf, 0, from);
    const { bytesRead } = await f.fh!.read(buf, left, CHUNK_BYTES, null);
    if (bytesRead === 0) f.eof = true;
    f.buf = buf.subarray(0, left + bytesRead);
    f.at -= from;
    f.quoteAt = -1;
    for (let i = 0; i < starts.length; i++) {
      starts[i]! -= from;
      ends[i]! -= from;
    }
    // A UTF-8 byte order mark (spreadsheet exports) is not part of the first line's first value.
    if (f.line === 0 && left === 0 && f.buf[0] === 0xef && f.buf[1] === 0xbb && f.buf[2] === 0xbf) f.at = 3;
    return bytesRead > 0;
  }

  /** Lines read per file, and whose turn is next, so a restored run interleaves files exactly as before. */
  positions(): Record<string, number> {
    const out: Record<string, number> = { [TURN]: this.turn.next };
    this.files.forEach((f, i) => (out[this.splits[i]!.name] = f.line));
    return out;
  }

  seek(positions: Record<string, number>): void {
    this.restored = { ...positions };
    this.turn.next = positions[TURN] ?? 0;
  }

  async close(): Promise<void> {
    for (const f of this.files) if (f.fh && !f.done) await f.fh.close();
  }
}

/** How many `code` bytes buf[from, to) holds. */
function countOf(buf: Buffer, from: number, to: number, code: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (buf[i] === code) n++;
  return n;
}

/** Whether buf[from, to) holds an odd number of `quote` bytes (a doubled quote counts two: parity is enough). */
function oddQuotes(buf: Buffer, from: number, to: number, quote: number): boolean {
  return countOf(buf, from, to, quote) % 2 === 1;
}

/**
 * A record whose first line (ending at `nl`) left a quote open: the newline that ends it (the
 * first one after the quote closes; -1 if not in `buf` yet) and how many line breaks it spans.
 */
function quotedRecordEnd(buf: Buffer, nl: number, quote: number): { nl: number; breaks: number } {
  let open = true;
  let breaks = 0;
  for (;;) {
    const next = buf.indexOf(10, nl + 1);
    const end = next < 0 ? buf.length : next;
    if (oddQuotes(buf, nl + 1, end, quote)) open = !open;
    if (next < 0) return { nl: -1, breaks };
    breaks++;
    if (!open) return { nl: next, breaks };
    nl = next;
  }
}
