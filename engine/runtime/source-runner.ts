// Drives one source table: polls its reader, decodes each record into a table row (format,
// metadata, computed columns), tracks the watermark per split (combined as the minimum over the
// splits still running) and pushes rows and watermarks into the operators reading this table.

import { RecordError } from '../errors.js';
import type { RecordDecoder } from '../formats/api.js';
import { SKIP_RECORD } from '../formats/registry.js';
import type { TableDef } from '../plan/logical.js';
import type { Row } from '../types.js';
import { compileScalar } from '../exec/compile.js';
import type { Operator } from '../exec/operator.js';
import type { SourceReader } from '../../connectors/api.js';
import { formatTimestamp } from '../values.js';

export interface SourceStats {
  readonly table: string;
  recordsIn: number;
  badRecords: number;
  /** A few bad records, to show the user what was skipped. */
  readonly badSamples: string[];
  watermark: number;
}

export type StepResult = 'batch' | 'idle' | 'end';

const MAX_SAMPLES = 3;

export class SourceRunner {
  readonly stats: SourceStats;
  private readonly decoder: RecordDecoder;
  private readonly width: number;
  private readonly computed: { index: number; fn: (row: Row) => unknown }[];
  private readonly metadata: { index: number; key: string }[];
  private readonly watermarkOf: ((row: Row) => unknown) | null;
  private readonly rowtimeIndex: number;
  private readonly ignoreParseErrors: boolean;
  private splitWatermarks: number[] = [];
  private splitEnded: boolean[] = [];
  private ended = false;

  constructor(
    readonly table: TableDef,
    readonly reader: SourceReader,
    private readonly downstream: Operator,
    decoder: RecordDecoder,
    ignoreParseErrors: boolean,
  ) {
    this.decoder = decoder;
    this.ignoreParseErrors = ignoreParseErrors;
    this.width = table.columns.length;
    this.computed = [];
    this.metadata = [];
    table.columns.forEach((c, i) => {
      if (c.kind === 'computed') this.computed.push({ index: i, fn: compileScalar(c.expr!) });
      if (c.kind === 'metadata') this.metadata.push({ index: i, key: c.metadataKey! });
    });
    this.watermarkOf = table.watermark ? compileScalar(table.watermark.expr) : null;
    this.rowtimeIndex = table.watermark?.rowtimeIndex ?? -1;
    this.stats = { table: table.name, recordsIn: 0, badRecords: 0, badSamples: [], watermark: -Infinity };
  }

  get finished(): boolean {
    return this.ended;
  }

  /** Reads and processes one batch. */
  async step(maxRecords: number): Promise<StepResult> {
    if (this.ended) return 'end';
    const r = await this.reader.poll(maxRecords);
    switch (r.kind) {
      case 'idle':
        return 'idle';
      case 'end':
        this.end();
        return 'end';
      case 'split-end':
        this.ensureSplit(r.split);
        this.splitEnded[r.split] = true;
        this.advanceWatermark();
        return 'batch';
      case 'batch':
        this.processBatch(r.batch);
        return 'batch';
    }
  }

  /** Watermark progress per split, for checkpoints (the reader's positions are saved separately). */
  snapshot(): unknown {
    const enc = (w: number) => (w === -Infinity ? null : w);
    return { splits: this.splitWatermarks.map(enc), ended: this.splitEnded, watermark: enc(this.stats.watermark) };
  }

  restore(state: unknown): void {
    const s = state as { splits: (number | null)[]; ended: boolean[]; watermark: number | null };
    const dec = (w: number | null) => (w === null ? -Infinity : w);
    this.splitWatermarks = s.splits.map(dec);
    this.splitEnded = [...s.ended];
    this.stats.watermark = dec(s.watermark);
  }

  /** The input is over: the final watermark (+∞) makes every window fire, then operators finish. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.stats.watermark = Infinity;
    this.downstream.onWatermark(Infinity);
    this.downstream.finish();
  }

  private ensureSplit(split: number): void {
    while (this.splitWatermarks.length <= split) {
      this.splitWatermarks.push(-Infinity);
      this.splitEnded.push(false);
    }
  }

  private processBatch(batch: import('../../connectors/api.js').RawBatch): void {
    const split = batch.split;
    this.ensureSplit(split);
    const values = batch.values;
    const n = values.length;
    // Where each metadata column comes from, resolved once per batch: a per-record array or a split constant.
    const splitMeta = this.reader.splits[split]?.metadata;
    const meta = this.metadata;
    const metaArrays = meta.map((m) => batch.metadata?.get(m.key));
    const metaConstants = meta.map((m) => splitMeta?.get(m.key) ?? null);
    const wmOf = this.watermarkOf;
    const down = this.downstream;
    for (let i = 0; i < n; i++) {
      const value = values[i];
      const row: Row = new Array(this.width);
      const reason = value === null ? 'the record has no value' : this.decoder.decode(value, row);
      if (reason !== null) {
        if (reason === SKIP_RECORD) continue;
        this.bad(split, batch.positions[i]!, value ?? '', reason);
        continue;
      }
      for (let j = 0; j < meta.length; j++) {
        const arr = metaArrays[j];
        row[meta[j]!.index] = arr ? arr[i] : metaConstants[j];
      }
      for (const c of this.computed) row[c.index] = c.fn(row);
      if (wmOf !== null) {
        const t = row[this.rowtimeIndex];
        if (t === null || t === undefined) {
          this.bad(split, batch.positions[i]!, value!, `the time attribute '${this.table.watermark!.rowtimeName}' is NULL (its value could not be computed from this record)`);
          continue;
        }
      }
      this.stats.recordsIn++;
      down.process(row);
      if (wmOf !== null) {
        const w = wmOf(row) as number;
        if (w > this.splitWatermarks[split]!) {
          this.splitWatermarks[split] = w;
          this.advanceWatermark();
        }
      }
    }
  }

  /** Combined watermark = min over running splits; only ever moves forward. */
  private advanceWatermark(): void {
    let min = Infinity;
    let running = 0;
    for (let s = 0; s < this.splitWatermarks.length; s++) {
      if (this.splitEnded[s]) continue;
      running++;
      const w = this.splitWatermarks[s]!;
      if (w < min) min = w;
    }
    // All known splits ended but the source is not over yet: hold the watermark until it is.
    if (running === 0) return;
    // Splits the reader knows about but that have not sent anything yet hold the watermark back.
    if (this.splitWatermarks.length < this.reader.splits.length) return;
    if (min > this.stats.watermark) {
      this.stats.watermark = min;
      this.downstream.onWatermark(min);
    }
  }

  private bad(split: number, position: number, raw: string, reason: string): void {
    const info = this.reader.splits[split];
    const where = `${info?.name ?? `split ${split}`}${info?.positionSeparator ?? ':'}${position}`;
    if (!this.ignoreParseErrors) throw new RecordError(where, raw, reason, this.table.name);
    this.stats.badRecords++;
    if (this.stats.badSamples.length < MAX_SAMPLES) this.stats.badSamples.push(`${where}: ${reason}: ${raw.length > 120 ? raw.slice(0, 120) + '…' : raw}`);
  }
}

export function describeWatermark(wm: number): string {
  if (wm === -Infinity) return 'none yet';
  if (wm === Infinity) return 'end of input';
  return formatTimestamp(wm);
}
