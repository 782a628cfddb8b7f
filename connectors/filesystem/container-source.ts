// Reads files of a container format (Avro Object Container Files, as Flink's filesystem connector
// reads 'avro'), or every such file of a directory: each file is a split, its records are found
// block by block by the format's ContainerReader and handed over as bytes its decoder reads.
// Positions are record numbers within the file (`tx.avro#17`).

import { open, type FileHandle } from 'node:fs/promises';
import { ConnectorError } from '../../engine/errors.js';
import type { ContainerReader, RecordBytesView } from '../../engine/formats/api.js';
import type { PollResult, RawBatch, SourceReader, SplitInfo } from '../api.js';
import { inputFiles, pollInTurn, rel, type Turn } from './file-turns.js';

const CHUNK_BYTES = 1 << 20;
const EMPTY = Buffer.alloc(0);
const TURN = '#turn';

interface ContainerSplit {
  readonly path: string;
  readonly name: string;
  readonly reader: ContainerReader;
  fh?: FileHandle;
  buf: Buffer;
  at: number;
  eof: boolean;
  done: boolean;
  endReported: boolean;
  /** The block being handed out, and how many of its records went out. */
  block: RecordBytesView | null;
  blockCount: number;
  blockNext: number;
  /** Records handed out so far (the 1-based number of the last one). */
  record: number;
  /** Records to skip after a restore. */
  skip: number;
}

export class ContainerFileSource implements SourceReader {
  readonly bounded = true;
  splits: SplitInfo[] = [];
  private files: ContainerSplit[] = [];
  private readonly turn: Turn = { next: 0 };
  private restored: Record<string, number> = {};

  constructor(
    private readonly path: string,
    private readonly cwd: string,
    private readonly table: string,
    /** A new reader per file: each file has its own header (writer schema, codec, sync marker). */
    private readonly newReader: () => ContainerReader,
  ) {}

  async open(): Promise<void> {
    const paths = await inputFiles(this.path, this.cwd, this.table);
    this.files = paths.map((p) => ({
      path: p,
      name: rel(this.cwd, p),
      reader: this.newReader(),
      buf: EMPTY,
      at: 0,
      eof: false,
      done: false,
      endReported: false,
      block: null,
      blockCount: 0,
      blockNext: 0,
      record: 0,
      skip: this.restored[rel(this.cwd, p)] ?? 0,
    }));
    this.splits = this.files.map((f) => ({
      name: f.name,
      positionSeparator: '#',
      metadata: new Map([['file.path', f.path]]),
    }));
  }

  poll(maxRecords: number): Promise<PollResult> {
    return pollInTurn(this.files, this.turn, maxRecords, (f, max, split) => this.read(f, max, split));
  }

  /** Up to `max` records of the file's current block (reading the next block when it is used up). */
  private async read(f: ContainerSplit, max: number, split: number): Promise<RawBatch> {
    for (;;) {
      while (f.block && f.blockNext < f.blockCount) {
        const from = f.blockNext;
        const to = Math.min(f.blockCount, from + max);
        f.blockNext = to;
        if (f.skip > 0) {
          const skipped = Math.min(f.skip, to - from);
          f.skip -= skipped;
          f.record += skipped;
          if (skipped === to - from) continue;
          return this.batch(f, split, from + skipped, to);
        }
        return this.batch(f, split, from, to);
      }
      f.block = null;
      if (!(await this.nextBlock(f))) {
        f.done = true;
        await f.fh?.close();
        return { split, count: 0, positions: [], values: { bytes: EMPTY, starts: [], ends: [] } };
      }
    }
  }

  private batch(f: ContainerSplit, split: number, from: number, to: number): RawBatch {
    const b = f.block!;
    const count = to - from;
    const positions = new Array<number>(count);
    for (let i = 0; i < count; i++) positions[i] = ++f.record;
    const starts = Array.prototype.slice.call(b.starts, from, to) as number[];
    const ends = Array.prototype.slice.call(b.ends, from, to) as number[];
    return { split, count, positions, values: { bytes: b.bytes, starts, ends } };
  }

  /** Finds the file's next block; false at the end of the file. */
  private async nextBlock(f: ContainerSplit): Promise<boolean> {
    if (!f.fh) f.fh = await open(f.path, 'r');
    for (;;) {
      if (f.at === f.buf.length && f.eof) return false;
      let got;
      try {
        got = f.reader.next(f.buf, f.at);
      } catch (e) {
        throw new ConnectorError(`table '${this.table}': ${f.name}: ${(e as Error).message}`);
      }
      if (got) {
        f.at = got.at;
        f.block = got.records;
        f.blockCount = got.count;
        f.blockNext = 0;
        return true;
      }
      if (f.eof)
        throw new ConnectorError(
          `table '${this.table}': ${f.name}: the file ends inside a block (${f.buf.length - f.at} bytes after record ${f.record}): a truncated file`,
        );
      // Keep what is not used yet, append the next chunk.
      const left = f.buf.length - f.at;
      const buf = Buffer.allocUnsafe(left + CHUNK_BYTES);
      f.buf.copy(buf, 0, f.at);
      const { bytesRead } = await f.fh.read(buf, left, CHUNK_BYTES, null);
      if (bytesRead === 0) f.eof = true;
      f.buf = buf.subarray(0, left + bytesRead);
      f.at = 0;
    }
  }

  /** Records read per file, and whose turn is next. */
  positions(): Record<string, number> {
    const out: Record<string, number> = { [TURN]: this.turn.next };
    for (const f of this.files) out[f.name] = f.record;
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
