// What a parallel run hands between threads (engine/runtime/parallel): a source batch to each
// worker, rows packed by column, and sink rows a worker encodes for the main thread to append.
// Each must come back as it went, in as few transferred buffers as the design says (a transferred
// ArrayBuffer costs a hand-over of its own), and pre-encoded sink rows must give the very bytes the
// sink writes for the rows themselves.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packBatch, shareBatch, unpackBatch } from '../../engine/runtime/parallel/batch-transfer.js';
import { packRows, unpackRow } from '../../engine/runtime/parallel/pack.js';
import { csvFormat } from '../../engine/formats/csv.js';
import { OptionBag } from '../../engine/options.js';
import { FileSink } from '../../connectors/filesystem/sink.js';
import { T, type Row } from '../../engine/types.js';
import type { RawBatch } from '../../connectors/api.js';

describe('a source batch on its way to a worker', () => {
  it('comes back equal, bytes as a Buffer, in two transferred buffers (bytes; every number array)', () => {
    const reader = Buffer.from('xxa;1\nb;22\nc;333\nyy');
    const batch: RawBatch = {
      split: 1,
      count: 3,
      positions: [7, 8, 9],
      values: { bytes: reader.subarray(2, 16), starts: [0, 4, 9], ends: [3, 8, 15] },
    };
    const { batch: msg, transfer } = packBatch(batch);
    expect(transfer).toHaveLength(2);
    const back = unpackBatch(structuredClone(msg, { transfer }));
    expect(Buffer.isBuffer(back.values!.bytes)).toBe(true);
    expect(back.values!.bytes.toString()).toBe('a;1\nb;22\nc;333');
    expect(Array.from(back.values!.starts)).toEqual([0, 4, 9]);
    expect(Array.from(back.values!.ends)).toEqual([3, 8, 15]);
    expect(Array.from(back.positions)).toEqual([7, 8, 9]);
    expect(back.split).toBe(1);
    // The reader's own buffer is left alone (the batch's bytes were copied, not its buffer transferred).
    expect(reader.toString()).toBe('xxa;1\nb;22\nc;333\nyy');
  });
});

describe('a file chunk shared by every worker', () => {
  it('is one SharedArrayBuffer every worker reads as the batch; other batches are not shared', () => {
    const batch: RawBatch = {
      split: 0,
      count: 2,
      positions: [1, 2],
      values: { bytes: Buffer.from('xa;1\nb;2x').subarray(1, 8), starts: [0, 4], ends: [3, 7] },
    };
    const msg = shareBatch(batch);
    const forWorker = (): RawBatch => unpackBatch(structuredClone(msg));
    for (const back of [forWorker(), forWorker()]) {
      expect(back.values!.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(back.values!.bytes.toString()).toBe('a;1\nb;2');
      expect(Array.from(back.values!.starts)).toEqual([0, 4]);
      expect(Array.from(back.values!.ends)).toEqual([3, 7]);
      expect(Array.from(back.positions)).toEqual([1, 2]);
    }
    expect(shareBatch({ split: 0, count: 1, positions: [1], rows: [[1]] })).toBeNull();
  });
});

describe('rows packed by column', () => {
  it('put every number column, the string ends and the caller’s extra blocks in one Float64Array', () => {
    const rows: Row[] = [
      [1, 'ab', null, 10],
      [2, 'c', 3, 20],
    ];
    const transfer: ArrayBuffer[] = [];
    const packed = packRows(rows, 4, transfer, 2);
    expect(transfer).toEqual([packed.num.buffer]);
    expect(packed.columns.map((c) => c.t)).toEqual(['f', 's', 'a', 'f']);
    // 2 number columns + 1 string column's ends + 2 extra blocks, 2 rows each.
    expect(packed.num.length).toBe(10);
    expect(packed.extra).toBe(6);
    packed.num.set([5, 6], packed.extra);
    const back = structuredClone(packed, { transfer });
    expect([unpackRow(back, 0), unpackRow(back, 1)]).toEqual(rows);
    expect(Array.from(back.num.subarray(back.extra, back.extra + 2))).toEqual([5, 6]);
  });
});

describe('sink rows encoded by a worker', () => {
  const fields = [
    { name: 'a', type: T.bigint() },
    { name: 's', type: T.string() },
  ];
  const rows: Row[] = [
    [1, 'plain'],
    [2, 'with, comma'],
    [3, 'quote " inside'],
    [4, null],
  ];

  async function written(how: (sink: FileSink) => void): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-ptransfer-'));
    const sink = new FileSink('out.csv', dir, csvFormat.createEncoder(fields, OptionBag.of({})), 'csv');
    await sink.prepare();
    how(sink);
    await sink.flush();
    await sink.close();
    expect(sink.rowsWritten).toBe(rows.length);
    return readFileSync(join(dir, 'out.csv'), 'utf8');
  }

  it('are the bytes the sink writes for the rows, in order with rows written directly', async () => {
    const direct = await written((s) => s.write(rows));
    const encoded = await written((s) => {
      const bytes = s.encode(rows.slice(2))!;
      s.write(rows.slice(0, 2));
      expect(s.pending).toBe(2);
      s.writeEncoded(bytes, 2);
      expect(s.pending).toBe(4);
    });
    expect(encoded).toBe(direct);
    expect(direct.split('\n')).toHaveLength(6);
  });
});
