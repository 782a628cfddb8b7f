// OVER aggregation on event time: each row with aggregates over the rows of its partition in a
// window that ends at it (`ROWS BETWEEN n PRECEDING AND CURRENT ROW`, `RANGE BETWEEN INTERVAL ...
// PRECEDING AND CURRENT ROW`, or everything before). Rows are held until the watermark passes their
// time and then emitted in time order, each with its aggregates; in a RANGE window rows with the
// same time are peers and all see each other. Insert-only output.
//
// Each frame follows its Flink function step by step (same state, same timers, same order of
// accumulate and retract), because that is what decides which rows are late and the last bits of
// a DOUBLE sum:
// - RANGE bounded (RowTimeRangeBoundedPrecedingFunction): a row is late when its time is not after
//   the last time its partition fired; a cleanup timer 1.5 × the range after the newest row drops
//   the partition's state once the range has passed.
// - ROWS bounded (RowTimeRowsBoundedPrecedingFunction): n + 1 rows kept per partition, the oldest
//   retracted as each new one comes in.
// - UNBOUNDED PRECEDING (RowTimeRange/RowsUnboundedPrecedingFunction): a row is late when its time
//   is not after the watermark; only the accumulators are kept.

import { INSERT, type Row } from '../types.js';
import { decodeValue, encodeValue } from './aggregates.js';
import { EventTimers } from './event-timers.js';
import { JavaLongHashOrder } from './java-hash-order.js';
import { SnapshotRows, type Operator } from './operator.js';
import type { Aggregation, GroupState } from './aggregation.js';

/** A LAG(value, offset, default) call, compiled. */
export interface CompiledLag {
  readonly value: (row: Row) => unknown;
  readonly offset: number;
  readonly defaultValue: ((row: Row) => unknown) | null;
  /** What a NULL value `offset` rows back reads as (null, or Flink's placeholder for a NOT NULL result). */
  readonly nullAs: unknown;
}

/** One LAG's state in a partition (LagAggFunction's accumulator): the last offset + 1 values, and the latest default. */
interface LagState {
  readonly buffer: unknown[];
  defaultValue: unknown;
}

export interface OverFrame {
  /** ROWS (a count of rows) or RANGE (a span of time). */
  readonly rows: boolean;
  /** Rows or milliseconds before the current row; null: UNBOUNDED PRECEDING. */
  readonly preceding: number | null;
}

/** One partition's state (Flink's keyed state for one key). */
interface Partition {
  /** Rows not yet emitted or still in the window, by time (inputState). */
  readonly rows: Map<number, Row[]>;
  /** RANGE bounded: inputState's key order, for retracting in Flink's order. */
  order: JavaLongHashOrder | null;
  /** The aggregates' states (an Aggregation group without keys), null until the partition first fires. */
  acc: GroupState | null;
  /** Bounded: the last time this partition fired (lastTriggeringTsState). */
  lastFired: number | null;
  /** RANGE bounded: when the partition's state is dropped (cleanupTsState). */
  cleanupAt: number | null;
  /** ROWS bounded: rows in the window (processedCountState). */
  count: number | null;
  /** LAG calls' states (UNBOUNDED PRECEDING only), null until the partition first fires. */
  lags: LagState[] | null;
}

export class OverAggregateOperator implements Operator {
  private readonly partitions = new Map<unknown, Partition>();
  private readonly timers = new EventTimers<unknown>();
  private watermark = -Infinity;
  /** ROWS bounded: the rows kept per partition (n PRECEDING and the current one). */
  private readonly rowsKept: number;

  constructor(
    private readonly keyOf: (row: Row) => unknown,
    private readonly timeIndex: number,
    private readonly frame: OverFrame,
    /** The window's aggregates, retractable (Flink's *WithRetract functions), no group keys. */
    private readonly agg: Aggregation,
    /** Receives each late row with the watermark it came after. */
    private readonly onLate: (row: Row, watermark: number) => void,
    private readonly next: Operator,
    /** LAG calls, output after the aggregates (only with UNBOUNDED PRECEDING, as in Flink). */
    private readonly lagCalls: readonly CompiledLag[] = [],
  ) {
    this.rowsKept = (frame.preceding ?? 0) + 1;
  }

  /** Partitions with state: for tests and progress. */
  get partitionCount(): number {
    return this.partitions.size;
  }

  /** Rows held over all partitions (counted on each call: for tests). */
  get heldRows(): number {
    let n = 0;
    for (const p of this.partitions.values()) for (const rows of p.rows.values()) n += rows.length;
    return n;
  }

  /** Timers waiting for the watermark. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  process(row: Row): void {
    const ts = row[this.timeIndex];
    if (typeof ts !== 'number') {
      this.onLate(row, this.watermark);
      return;
    }
    const key = this.keyOf(row);
    if (this.frame.preceding === null) {
      if (ts <= this.watermark) {
        this.onLate(row, this.watermark);
        return;
      }
      // One timer per partition for the next watermark (Flink: 0 before the first one).
      this.timers.register(key, this.watermark < 0 ? 0 : this.watermark + 1);
      this.add(this.partition(key), ts, row);
      return;
    }
    const p = this.partition(key);
    if (ts <= (p.lastFired ?? 0)) {
      this.onLate(row, this.watermark);
      return;
    }
    if (this.add(p, ts, row)) this.timers.register(key, ts);
    if (!this.frame.rows) this.registerCleanup(key, p, ts);
  }

  onWatermark(wm: number): void {
    if (wm <= this.watermark) return;
    this.watermark = wm;
    this.timers.advance(wm, (time, key) => {
      if (this.frame.preceding === null) this.fireUnbounded(key);
      else if (this.frame.rows) this.fireRows(time, key);
      else this.fireRange(time, key);
    });
    this.next.onWatermark(wm);
  }

  finish(): void {
    this.next.finish();
  }

  private partition(key: unknown): Partition {
    let p = this.partitions.get(key);
    if (!p) {
      p = {
        rows: new Map(),
        order: null,
        acc: null,
        lastFired: null,
        cleanupAt: null,
        count: null,
        lags: null,
      };
      this.partitions.set(key, p);
    }
    return p;
  }

  /** Puts a row into its partition's rows; true when its time is new there. */
  private add(p: Partition, ts: number, row: Row): boolean {
    const list = p.rows.get(ts);
    if (list) {
      list.push(row);
      return false;
    }
    p.rows.set(ts, [row]);
    if (this.frame.preceding !== null && !this.frame.rows) (p.order ??= new JavaLongHashOrder()).put(ts);
    return true;
  }

  private registerCleanup(key: unknown, p: Partition, ts: number): void {
    const preceding = this.frame.preceding!;
    const min = ts + preceding + 1;
    const max = ts + Math.trunc(preceding * 1.5) + 1;
    if (p.cleanupAt === null || p.cleanupAt < min) {
      this.timers.register(key, max);
      p.cleanupAt = max;
    }
  }

  private emit(row: Row, values: readonly unknown[]): void {
    const out = new Array(row.length + values.length);
    for (let i = 0; i < row.length; i++) out[i] = row[i];
    for (let i = 0; i < values.length; i++) out[row.length + i] = values[i];
    this.next.process(out, INSERT);
  }

  /** RANGE bounded: the rows at `time` with the window of rows within the range before them. */
  private fireRange(time: number, key: unknown): void {
    const p = this.partitions.get(key);
    if (p && p.cleanupAt !== null && p.cleanupAt <= time) {
      this.partitions.delete(key);
      return;
    }
    const inputs = p?.rows.get(time);
    if (p && inputs) {
      const acc = p.acc ?? this.agg.newGroup([]);
      const preceding = this.frame.preceding!;
      const retracted: number[] = [];
      // The times out of range (time - t > preceding), in Flink's order: its map's.
      for (const t of p.order!.keysBelow(time - preceding)) {
        for (const r of p.rows.get(t)!) this.agg.retract(acc, r);
        retracted.push(t);
      }
      for (const r of inputs) this.agg.add(acc, r);
      const values = this.agg.outputRow(acc, 0);
      for (const r of inputs) this.emit(r, values);
      for (const t of retracted) {
        p.rows.delete(t);
        p.order!.remove(t);
      }
      p.acc = acc;
    }
    this.partition(key).lastFired = time;
  }

  /** ROWS bounded: each row at `time` in turn, with the n rows before it. */
  private fireRows(time: number, key: unknown): void {
    const p = this.partitions.get(key);
    const inputs = p?.rows.get(time);
    if (p && inputs) {
      let count = p.count ?? 0;
      const acc = p.acc ?? this.agg.newGroup([]);
      let retractList: Row[] | null = null;
      let retractTs = Infinity;
      let retractCnt = 0;
      for (let i = 0; i < inputs.length; i++) {
        const input = inputs[i]!;
        let retractRow: Row | null = null;
        if (count >= this.rowsKept) {
          if (retractList === null) {
            // The oldest rows: they leave the window first.
            retractTs = Infinity;
            for (const [t, list] of p.rows) {
              if (t < retractTs) {
                retractTs = t;
                retractList = list;
              }
            }
          }
          if (retractList !== null) {
            retractRow = retractList[retractCnt]!;
            retractCnt++;
            if (retractList.length === retractCnt) {
              p.rows.delete(retractTs);
              retractList = null;
              retractCnt = 0;
            }
          }
        } else count++;
        if (retractRow) this.agg.retract(acc, retractRow);
        this.agg.add(acc, input);
        this.emit(input, this.agg.outputRow(acc, 0));
      }
      if (p.rows.has(retractTs) && retractCnt > 0) retractList!.splice(0, retractCnt);
      p.count = count;
      p.acc = acc;
    }
    this.partition(key).lastFired = time;
  }

  /** UNBOUNDED PRECEDING: every row up to the watermark, in time order, added to the partition's accumulators. */
  private fireUnbounded(key: unknown): void {
    const p = this.partitions.get(key);
    if (!p || p.rows.size === 0) return;
    const wm = this.watermark;
    const due = [...p.rows.keys()].filter((t) => t <= wm).sort((a, b) => a - b);
    const acc = p.acc ?? this.agg.newGroup([]);
    const lags =
      this.lagCalls.length === 0
        ? null
        : (p.lags ?? this.lagCalls.map(() => ({ buffer: [], defaultValue: null })));
    for (const t of due) {
      const list = p.rows.get(t)!;
      if (this.frame.rows) {
        for (const r of list) {
          this.agg.add(acc, r);
          if (lags) this.addLags(lags, r);
          this.emit(r, this.values(acc, lags));
        }
      } else {
        for (const r of list) {
          this.agg.add(acc, r);
          if (lags) this.addLags(lags, r);
        }
        const values = this.values(acc, lags);
        for (const r of list) this.emit(r, values);
      }
      p.rows.delete(t);
    }
    p.acc = acc;
    p.lags = lags;
    if (p.rows.size > 0) this.timers.register(key, wm + 1);
  }

  private addLags(lags: LagState[], row: Row): void {
    for (let i = 0; i < lags.length; i++) {
      const call = this.lagCalls[i]!;
      const s = lags[i]!;
      if (call.defaultValue) s.defaultValue = call.defaultValue(row);
      s.buffer.push(call.value(row));
      while (s.buffer.length > call.offset + 1) s.buffer.shift();
    }
  }

  /** The aggregates' values, then each LAG's: the value offset rows back (a NULL read as `nullAs`), else its default. */
  private values(acc: GroupState, lags: LagState[] | null): unknown[] {
    const values = this.agg.outputRow(acc, 0);
    if (!lags) return values;
    for (let i = 0; i < lags.length; i++) {
      const s = lags[i]!;
      const call = this.lagCalls[i]!;
      if (s.buffer.length !== call.offset + 1) values.push(s.defaultValue);
      else {
        const back = s.buffer[0];
        values.push(back === null || back === undefined ? call.nullAs : back);
      }
    }
    return values;
  }

  snapshot(): unknown {
    const entries = [...this.partitions];
    return {
      watermark: encodeValue(this.watermark),
      timers: this.timers.snapshot(),
      partitions: new SnapshotRows(entries, ([key, p]) => [
        encodeValue(key),
        [...p.rows].map(([t, rows]) => [t, rows.map((r) => r.map(encodeValue))]),
        p.order ? p.order.toJSON() : null,
        p.acc ? this.agg.groupToJSON(p.acc) : null,
        p.lastFired,
        p.cleanupAt,
        p.count,
        p.lags ? p.lags.map((l) => [l.buffer.map(encodeValue), encodeValue(l.defaultValue)]) : null,
      ]),
    };
  }

  restore(state: unknown): void {
    const s = state as { watermark: unknown; timers: unknown; partitions: unknown[] } | null;
    if (!s) return;
    this.watermark = s.watermark === null ? -Infinity : (decodeValue(s.watermark) as number);
    this.timers.restore(s.timers);
    for (const item of s.partitions) {
      const [key, rows, order, acc, lastFired, cleanupAt, count, lags] = item as [
        unknown,
        [number, unknown[][]][],
        unknown,
        unknown | null,
        number | null,
        number | null,
        number | null,
        [unknown[], unknown][] | null | undefined,
      ];
      this.partitions.set(decodeValue(key), {
        rows: new Map(rows.map(([t, list]) => [t, list.map((r) => r.map(decodeValue))])),
        order: order ? JavaLongHashOrder.fromJSON(order) : null,
        acc: acc ? this.agg.groupFromJSON(acc) : null,
        lastFired,
        cleanupAt,
        count,
        lags: lags
          ? lags.map(([buffer, d]) => ({ buffer: buffer.map(decodeValue), defaultValue: decodeValue(d) }))
          : null,
      });
    }
  }
}
