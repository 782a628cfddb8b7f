// Drives one source table: polls its reader, decodes each record into a table row (format,
// metadata, computed columns), tracks the watermark per split (combined as the minimum over the
// splits still running) and pushes rows and watermarks into the operators reading this table.
//
// Idle splits (unbounded sources, 'scan.watermark.idle-timeout'): a split that produced no record
// for the timeout no longer holds the watermark back, as in Flink; it counts again with its next
// record. When every split is idle, the watermark moves to the largest event time seen (the
// declared delay is waived: nothing is arriving) and from then on advances with processing time,
// so the windows holding the last records close too. Later records are late by the normal rules.

import { OptionError, printable, RecordError } from '../errors.js';
import { parseDurationOrOffMs } from '../options.js';
import type { RecordDecoder } from '../formats/api.js';
import { SKIP_RECORD } from '../formats/registry.js';
import type { TableDef } from '../plan/logical.js';
import { INSERT, UPDATE_BEFORE, type Row, type RowKind } from '../types.js';
import { compileScalar } from '../exec/compile.js';
import type { Operator } from '../exec/operator.js';
import type { RawBatch, RecordBytes, SourceReader } from '../../connectors/api.js';
import { formatTimestamp } from '../values.js';
import { heapWatchdog } from './heap-watchdog.js';
import { sqlString, timestampCalls, timestampMiss, type TimestampCall } from './time-pattern-hint.js';
import { isAscii } from 'node:buffer';

export interface SourceStats {
  readonly table: string;
  recordsIn: number;
  badRecords: number;
  /** A few bad records, to show the user what was skipped. */
  readonly badSamples: string[];
  watermark: number;
}

/**
 * 'batch': something was read. 'waiting': nothing yet, but records are known to be on their way
 * (a broker reconnecting): not idle input. 'idle': nothing arrived. 'end': the source is exhausted.
 */
export type StepResult = 'batch' | 'waiting' | 'idle' | 'end';

/** Idle timeout of unbounded sources when neither the table nor the job sets one. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
export const IDLE_TIMEOUT_OPTION = 'scan.watermark.idle-timeout';
export const IDLE_TIMEOUT_SETTING = 'table.exec.source.idle-timeout';

export interface SourceRunnerOptions {
  /** Job settings (SET, --set), for 'table.exec.source.idle-timeout'. */
  readonly settings?: ReadonlyMap<string, string>;
  /** Processing time in ms (Date.now); injectable so tests can drive idleness without sleeping. */
  readonly clock?: () => number;
}

const MAX_SAMPLES = 3;
/**
 * A synchronous reader (the embedded topic store is SQLite) never gives the event loop a turn by
 * itself: Ctrl-C, timers and the job manager's messages would wait until its whole backlog is read.
 * At most this long between turns.
 */
const YIELD_EVERY_MS = 50;

export class SourceRunner {
  readonly stats: SourceStats;
  /** null for connectors that give typed rows (RawBatch.rows): nothing to decode. */
  private readonly decoder: RecordDecoder | null;
  private readonly width: number;
  /** Where each physical column goes in the row, for typed rows (RawBatch.rows). */
  private readonly physicalIndex: number[];
  private readonly computed: { index: number; fn: (row: Row) => unknown }[];
  private readonly metadata: { index: number; key: string }[];
  /** `AS PROCTIME()` columns: the processing time of the batch the record came in. */
  private readonly proctime: number[] = [];
  private readonly watermarkOf: ((row: Row) => unknown) | null;
  private readonly rowtimeIndex: number;
  private readonly ignoreParseErrors: boolean;
  /** The format's records are not text (Avro): shown in hex in messages. */
  private readonly binary: boolean;
  private splitWatermarks: number[] = [];
  private splitEnded: boolean[] = [];
  private ended = false;
  /** 0 = idleness off (bounded sources, or switched off). */
  readonly idleTimeoutMs: number;
  private readonly clock: () => number;
  /** Processing time of each split's last record (or of when it was first seen). */
  private lastActive: number[] = [];
  /** Largest event time (time attribute) seen over all splits. */
  private maxEventTime = -Infinity;
  /** Every split idle: watermark = base + (now - since). */
  private allIdle: { base: number; since: number } | null = null;
  /** The reader's last poll said records are on their way (broker reconnecting): idle time does not count. */
  private waiting = false;
  /** Per-split progress from a checkpoint, by split name, taken up as the reader's splits are tracked. */
  private restored: Map<string, { watermark: number; ended: boolean }> | null = null;
  /** When the event loop last had a turn (see YIELD_EVERY_MS). */
  private lastYield = Date.now();

  constructor(
    readonly table: TableDef,
    readonly reader: SourceReader,
    private readonly downstream: Operator,
    decoder: RecordDecoder | null,
    ignoreParseErrors: boolean,
    options: SourceRunnerOptions = {},
  ) {
    this.binary = table.format?.binary === true;
    this.decoder = decoder;
    this.ignoreParseErrors = ignoreParseErrors;
    this.width = table.columns.length;
    this.computed = [];
    this.metadata = [];
    this.physicalIndex = [];
    table.columns.forEach((c, i) => {
      if (c.kind === 'physical') this.physicalIndex.push(i);
      if (c.kind === 'computed') this.computed.push({ index: i, fn: compileScalar(c.expr!) });
      if (c.kind === 'metadata') this.metadata.push({ index: i, key: c.metadataKey! });
      if (c.kind === 'proctime') this.proctime.push(i);
    });
    this.watermarkOf = table.watermark ? compileScalar(table.watermark.expr) : null;
    this.rowtimeIndex = table.watermark?.rowtimeIndex ?? -1;
    this.stats = { table: table.name, recordsIn: 0, badRecords: 0, badSamples: [], watermark: -Infinity };
    this.clock = options.clock ?? Date.now;
    const timeout = readIdleTimeout(table, options.settings);
    this.idleTimeoutMs = reader.bounded || this.watermarkOf === null ? 0 : timeout;
    heapWatchdog.start();
  }

  get finished(): boolean {
    return this.ended;
  }

  /**
   * Idle without ever having read a record (an empty topic past its idle timeout): a join or union
   * fed by it leaves it out of its watermark, as Flink does with an idle input, rather than wait
   * for it for ever. Sources that have read something advance by themselves when idle.
   */
  get silent(): boolean {
    return this.silentNow && !this.ended;
  }
  private silentNow = false;

  /** Reads and processes one batch. */
  async step(maxRecords: number): Promise<StepResult> {
    if (this.ended) return 'end';
    await this.yieldNow();
    // A heap about to run out stops the job here, with a message, rather than V8 aborting it.
    heapWatchdog.check();
    const r = await this.reader.poll(maxRecords);
    const now = this.clock();
    switch (r.kind) {
      case 'idle':
        this.waiting = r.waiting === true;
        this.ensureSplit(this.reader.splits.length - 1, now);
        // Records are on their way (broker reconnecting): that time is not idleness, or the first
        // partition back would set the watermark alone and make the others' backlog late.
        if (this.waiting) this.lastActive.fill(now);
        this.advanceWatermark(now);
        return this.waiting ? 'waiting' : 'idle';
      case 'end':
        this.end();
        return 'end';
      case 'split-end':
        this.waiting = false;
        this.ensureSplit(Math.max(r.split, this.reader.splits.length - 1), now);
        this.splitEnded[r.split] = true;
        this.advanceWatermark(now);
        return 'batch';
      case 'batch':
        this.waiting = false;
        if (r.batch.values && this.decoder?.prepare)
          await this.decoder.prepare(r.batch.values, r.batch.count);
        this.processBatch(r.batch, now);
        // Other splits may have become idle meanwhile, even if this batch moved nothing.
        this.advanceWatermark(now);
        return 'batch';
    }
  }

  /** Gives the event loop a turn when it has not had one for YIELD_EVERY_MS, so a stop request is seen between batches. */
  private async yieldNow(): Promise<void> {
    const now = Date.now();
    if (now - this.lastYield < YIELD_EVERY_MS && !heapWatchdog.watchClosely) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastYield = Date.now();
  }

  /**
   * Watermark progress per split, for checkpoints (the reader's positions are saved separately).
   * Keyed by split name: discovered partitions are appended to the reader's splits, so after a
   * restart the same split can have another index.
   */
  snapshot(): unknown {
    const enc = (w: number) => (w === -Infinity ? null : w);
    const splits: Record<string, { watermark: number | null; ended: boolean }> = {};
    this.splitWatermarks.forEach((w, i) => {
      splits[this.splitName(i)] = { watermark: enc(w), ended: this.splitEnded[i]! };
    });
    return { splits, watermark: enc(this.stats.watermark), maxEventTime: enc(this.maxEventTime) };
  }

  restore(state: unknown): void {
    const s = state as {
      splits: Record<string, { watermark: number | null; ended: boolean }>;
      watermark: number | null;
      maxEventTime: number | null;
    };
    const dec = (w: number | null) => (w === null ? -Infinity : w);
    this.restored = new Map(
      Object.entries(s.splits).map(([name, v]) => [name, { watermark: dec(v.watermark), ended: v.ended }]),
    );
    this.splitWatermarks = [];
    this.splitEnded = [];
    this.stats.watermark = dec(s.watermark);
    this.maxEventTime = dec(s.maxEventTime);
  }

  private splitName(i: number): string {
    return this.reader.splits[i]?.name ?? `#${i}`;
  }

  /** The input is over: the final watermark (+∞) makes every window fire, then operators finish. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.stats.watermark = Infinity;
    this.downstream.onWatermark(Infinity);
    this.downstream.finish();
  }

  /** Makes sure splits 0..split are tracked; a split first seen now starts its idle time now. */
  private ensureSplit(split: number, now: number): void {
    while (this.splitWatermarks.length <= split) {
      const saved = this.restored?.get(this.splitName(this.splitWatermarks.length));
      this.splitWatermarks.push(saved?.watermark ?? -Infinity);
      this.splitEnded.push(saved?.ended ?? false);
    }
    // After restore() the watermarks are known but not the activity: count from now.
    while (this.lastActive.length < this.splitWatermarks.length) this.lastActive.push(now);
  }

  private processBatch(batch: RawBatch, now: number): void {
    const split = batch.split;
    this.ensureSplit(Math.max(split, this.reader.splits.length - 1), now);
    this.lastActive[split] = now;
    // The split is active again: the all-idle advance (if any) stops; the watermark stays where it is.
    this.allIdle = null;
    this.silentNow = false;
    const values = batch.values;
    const typed = batch.rows;
    const n = batch.count;
    const physicalIndex = this.physicalIndex;
    // Where each metadata column comes from, resolved once per batch: a per-record array or a split constant.
    const splitMeta = this.reader.splits[split]?.metadata;
    const meta = this.metadata;
    const metaArrays = meta.map((m) => batch.metadata?.get(m.key));
    const metaConstants = meta.map((m) => splitMeta?.get(m.key) ?? null);
    const decoder = this.decoder;
    const change = decoder?.change;
    const decodeText = decoder?.decodeText?.bind(decoder);
    // Text formats: one string for the whole batch when its bytes are ASCII (each record a slice of
    // it, no copy of its own); else each record is decoded from UTF-8.
    const text = values && decodeText ? asciiText(values.bytes) : null;
    for (let i = 0; i < n; i++) {
      const row: Row = new Array(this.width);
      let kind: RowKind = INSERT;
      if (typed) {
        const t = typed[i];
        if (t === null || t === undefined) {
          this.bad(split, batch.positions[i]!, batch.raw?.[i] ?? '', batch.problems?.[i] ?? 'not decodable');
          continue;
        }
        for (let j = 0; j < physicalIndex.length; j++) row[physicalIndex[j]!] = t[j];
        if (batch.kinds) kind = batch.kinds[i]!;
      } else {
        const start = values!.starts[i]!;
        const end = values!.ends[i]!;
        let reason: string | null;
        if (start < 0) reason = change ? SKIP_RECORD : 'the record has no value';
        else if (text !== null) reason = decodeText!(text.slice(start, end), row);
        else if (decodeText) reason = decodeText(values!.bytes.toString('utf8', start, end), row);
        else reason = decoder!.decode(values!.bytes, start, end, row);
        if (reason !== null) {
          if (reason === SKIP_RECORD) continue;
          this.bad(split, batch.positions[i]!, this.rawText(values!, i), reason);
          continue;
        }
        if (change) {
          kind = change.kind;
          const before = change.before;
          if (
            before !== null &&
            !this.emitRow(before, UPDATE_BEFORE, batch, i, metaArrays, metaConstants, now)
          )
            continue;
        }
      }
      this.emitRow(row, kind, batch, i, metaArrays, metaConstants, now);
    }
  }

  /** Fills a decoded row's other columns, checks its time attribute and sends it on; false if it was bad. */
  private emitRow(
    row: Row,
    kind: RowKind,
    batch: RawBatch,
    i: number,
    metaArrays: (ArrayLike<unknown> | undefined)[],
    metaConstants: unknown[],
    now: number,
  ): boolean {
    const meta = this.metadata;
    for (let j = 0; j < meta.length; j++) {
      const arr = metaArrays[j];
      row[meta[j]!.index] = arr ? arr[i] : metaConstants[j];
    }
    for (const p of this.proctime) row[p] = now;
    for (const c of this.computed) row[c.index] = c.fn(row);
    const wmOf = this.watermarkOf;
    const split = batch.split;
    if (wmOf !== null) {
      const t = row[this.rowtimeIndex];
      if (t === null || t === undefined) {
        this.bad(
          split,
          batch.positions[i]!,
          batch.values ? this.rawText(batch.values, i) : typedText(batch.rows![i]!),
          // Explained only where it is shown: a job that skips bad records keeps a few samples.
          this.ignoreParseErrors && this.stats.badSamples.length >= MAX_SAMPLES
            ? ''
            : this.nullTimeReason(row),
        );
        return false;
      }
    }
    this.stats.recordsIn++;
    this.downstream.process(row, kind);
    if (wmOf !== null) {
      const t = row[this.rowtimeIndex] as number;
      if (t > this.maxEventTime) this.maxEventTime = t;
      const w = wmOf(row) as number;
      if (w > this.splitWatermarks[split]!) {
        this.splitWatermarks[split] = w;
        this.advanceWatermark(now);
      }
    }
    return true;
  }

  /**
   * Why the time attribute is NULL: the TO_TIMESTAMP pattern that did not read the record's text
   * (and a usual one that does), or, without one to blame, that it could not be computed.
   */
  private nullTimeReason(row: Row): string {
    const name = this.table.watermark!.rowtimeName;
    this.timestampCalls ??= timestampCalls(this.table);
    const miss = timestampMiss(this.timestampCalls, row);
    if (!miss)
      return `the time attribute '${name}' is NULL (its value could not be computed from this record)`;
    return (
      `the time attribute '${name}' is NULL: ${miss.problem}` +
      (miss.rewrite ? ` (the pattern ${sqlString(miss.better!)} reads it: write ${miss.rewrite})` : '')
    );
  }
  /** The table's TO_TIMESTAMP calls, compiled when a NULL time attribute first needs explaining. */
  private timestampCalls: TimestampCall[] | undefined;

  /** Record i as text for a message: UTF-8, or hex for a binary format (Avro). */
  private rawText(values: RecordBytes, i: number): string {
    const start = values.starts[i]!;
    if (start < 0) return '';
    const end = values.ends[i]!;
    if (!this.binary) return values.bytes.toString('utf8', start, end);
    const hex = values.bytes.toString('hex', start, Math.min(end, start + 64));
    return `0x${hex}${end - start > 64 ? '…' : ''} (${end - start} bytes)`;
  }

  /**
   * Combined watermark = min over running splits that are not idle; only ever moves forward.
   * Splits the reader knows about but that have not sent anything yet hold it back (until idle).
   */
  private advanceWatermark(now: number): void {
    if (this.watermarkOf === null) return;
    const timeout = this.idleTimeoutMs;
    let min = Infinity;
    let running = 0;
    let active = 0;
    for (let s = 0; s < this.splitWatermarks.length; s++) {
      if (this.splitEnded[s]) continue;
      running++;
      if (timeout > 0 && now - this.lastActive[s]! >= timeout) continue;
      active++;
      const w = this.splitWatermarks[s]!;
      if (w < min) min = w;
    }
    // All known splits ended but the source is not over yet: hold the watermark until it is.
    if (running === 0) return;
    // Splits the reader knows about but this runner has not tracked yet hold the watermark back.
    if (this.splitWatermarks.length < this.reader.splits.length) return;
    if (active === 0) {
      this.advanceAllIdle(now);
      return;
    }
    this.allIdle = null;
    this.emit(min);
  }

  /** Every split idle: largest event time seen, then advancing with processing time. */
  private advanceAllIdle(now: number): void {
    if (this.waiting) {
      // Records are on their way (broker reconnecting): the advance pauses, so they are not late.
      if (this.allIdle !== null) this.allIdle = { base: this.stats.watermark, since: now };
      return;
    }
    if (this.allIdle === null) {
      if (this.maxEventTime === -Infinity) {
        // Nothing read yet: nothing to close, but nothing to wait for either.
        this.silentNow = true;
        return;
      }
      this.allIdle = { base: Math.max(this.maxEventTime, this.stats.watermark), since: now };
    }
    this.emit(this.allIdle.base + (now - this.allIdle.since));
  }

  private emit(wm: number): void {
    if (wm > this.stats.watermark) {
      this.stats.watermark = wm;
      this.downstream.onWatermark(wm);
    }
  }

  private bad(split: number, position: number, raw: string, reason: string): void {
    const info = this.reader.splits[split];
    const where = `${info?.name ?? `split ${split}`}${info?.positionSeparator ?? ':'}${position}`;
    if (!this.ignoreParseErrors) throw new RecordError(where, raw, reason, this.table.name);
    this.stats.badRecords++;
    if (this.stats.badSamples.length < MAX_SAMPLES)
      this.stats.badSamples.push(
        printable(`${where}: ${reason}: ${raw.length > 120 ? raw.slice(0, 120) + '…' : raw}`),
      );
  }
}

/**
 * The idle timeout of a table: its 'scan.watermark.idle-timeout', else the job's
 * 'table.exec.source.idle-timeout', else DEFAULT_IDLE_TIMEOUT_MS. '0' or 'off' switches it off.
 */
function readIdleTimeout(table: TableDef, settings: ReadonlyMap<string, string> | undefined): number {
  const option = table.options.optionalString(IDLE_TIMEOUT_OPTION);
  if (option !== undefined)
    return parseDurationOrOffMs(option) === 0
      ? 0
      : table.options.durationMs(IDLE_TIMEOUT_OPTION, DEFAULT_IDLE_TIMEOUT_MS);
  const setting = settings?.get(IDLE_TIMEOUT_SETTING);
  if (setting !== undefined) return parseIdleTimeout(setting, `setting '${IDLE_TIMEOUT_SETTING}'`, table);
  return DEFAULT_IDLE_TIMEOUT_MS;
}

function parseIdleTimeout(text: string, what: string, table: TableDef): number {
  const ms = parseDurationOrOffMs(text);
  if (ms === null)
    throw new OptionError(
      table.pos,
      `${what}: '${text}' is not a duration`,
      `write e.g. '30 s', '500 ms', '2 min', or '0' / 'off' to switch idleness off`,
    );
  return ms;
}

export function describeWatermark(wm: number): string {
  if (wm === -Infinity) return 'none yet';
  if (wm === Infinity) return 'end of input';
  return formatTimestamp(wm);
}

/** A typed record (RawBatch.rows) as text for a message. */
function typedText(values: readonly unknown[]): string {
  return values.map((v) => (v === null || v === undefined ? 'NULL' : String(v))).join(', ');
}

/** The whole of `bytes` as one string when they are ASCII (latin1 is then exact and fastest); else null. */
function asciiText(bytes: Buffer): string | null {
  return isAscii(bytes) ? bytes.toString('latin1') : null;
}
