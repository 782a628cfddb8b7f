// Window Top-N and window deduplication (Flink's WindowRankOperator and window deduplicate
// operator): the rows of a window aggregate's or window TVF's windows, held per window until the
// watermark passes its end, then ranked once. Insert-only: a window's rows are final when it fires.
// A row for a window that already fired is late: counted and dropped.
// - Top-N: per partition the rows in ORDER BY order (equal keys in arrival order), those numbered
//   start..end emitted, with the number when it is an output column (TopNRecordsCombiner).
// - Deduplication: per key the first row by time (a later-arriving earlier row replaces it) or the
//   last (a row not earlier replaces it), as RowTimeDeduplicateRecordsCombiner.

import { INSERT, type Row } from '../types.js';
import { decodeValue, encodeValue } from './aggregates.js';
import { SnapshotRows, type Operator } from './operator.js';
import type { CompiledSortKey } from './sort-key.js';
import { isFired } from './window-assigner.js';

/** What both operators share: rows held by window end, fired in end order by the watermark. */
abstract class WindowBuffer<S> implements Operator {
  /** window end → partition → its state. */
  protected readonly windows = new Map<number, Map<unknown, S>>();
  protected watermark = -Infinity;

  constructor(
    protected readonly partitionOf: (row: Row) => unknown,
    private readonly endIndex: number,
    private readonly onLate: (row: Row, watermark: number) => void,
    protected readonly next: Operator,
  ) {}

  get openWindows(): number {
    return this.windows.size;
  }

  process(row: Row): void {
    const end = row[this.endIndex] as number;
    if (isFired(end, this.watermark)) {
      this.onLate(row, this.watermark);
      return;
    }
    let w = this.windows.get(end);
    if (!w) {
      w = new Map();
      this.windows.set(end, w);
    }
    const key = this.partitionOf(row);
    w.set(key, this.add(w.get(key), row));
  }

  /** The partition's state with `row` added (`state` undefined for its first row). */
  protected abstract add(state: S | undefined, row: Row): S;
  /** Emits a fired window's rows of one partition. */
  protected abstract emit(state: S): void;
  protected abstract stateToJSON(state: S): unknown;
  protected abstract stateFromJSON(json: unknown): S;

  onWatermark(wm: number): void {
    if (wm <= this.watermark) return;
    this.watermark = wm;
    const ready = [...this.windows.keys()].filter((end) => isFired(end, wm)).sort((a, b) => a - b);
    for (const end of ready) {
      for (const s of this.windows.get(end)!.values()) this.emit(s);
      this.windows.delete(end);
    }
    this.next.onWatermark(wm);
  }

  finish(): void {
    this.next.finish();
  }

  snapshot(): unknown {
    const items: [number, unknown, S][] = [];
    for (const [end, parts] of this.windows) for (const [key, s] of parts) items.push([end, key, s]);
    return {
      watermark: encodeValue(this.watermark),
      windows: new SnapshotRows(items, ([end, key, s]) => [end, encodeValue(key), this.stateToJSON(s)]),
    };
  }

  restore(state: unknown): void {
    const s = state as { watermark: unknown; windows: [number, unknown, unknown][] } | null;
    if (!s) return;
    this.watermark = s.watermark === null ? -Infinity : (decodeValue(s.watermark) as number);
    for (const [end, key, json] of s.windows) {
      let w = this.windows.get(end);
      if (!w) {
        w = new Map();
        this.windows.set(end, w);
      }
      w.set(decodeValue(key), this.stateFromJSON(json));
    }
  }
}

/** One window's rows of a partition, with their sort keys, in arrival order. */
interface RankedRows {
  readonly rows: Row[];
  readonly keys: unknown[][];
}

export class WindowRankOperator extends WindowBuffer<RankedRows> {
  constructor(
    partitionOf: (row: Row) => unknown,
    private readonly sortKey: CompiledSortKey,
    private readonly start: number,
    private readonly end: number,
    private readonly outputRankNumber: boolean,
    endIndex: number,
    onLate: (row: Row, watermark: number) => void,
    next: Operator,
  ) {
    super(partitionOf, endIndex, onLate, next);
  }

  protected add(state: RankedRows | undefined, row: Row): RankedRows {
    const s = state ?? { rows: [], keys: [] };
    s.rows.push(row);
    s.keys.push(this.sortKey.keyOf(row));
    return s;
  }

  protected emit(s: RankedRows): void {
    // A stable sort: equal keys keep their arrival order.
    const order = s.rows
      .map((_, i) => i)
      .sort((a, b) => this.sortKey.compare(s.keys[a]!, s.keys[b]!) || a - b);
    for (let n = this.start; n <= this.end && n <= order.length; n++) {
      const row = s.rows[order[n - 1]!]!;
      this.next.process(this.outputRankNumber ? [...row, n] : row, INSERT);
    }
  }

  protected stateToJSON(s: RankedRows): unknown {
    return s.rows.map((r) => r.map(encodeValue));
  }

  protected stateFromJSON(json: unknown): RankedRows {
    const rows = (json as unknown[][]).map((r) => r.map(decodeValue));
    return { rows, keys: rows.map((r) => this.sortKey.keyOf(r)) };
  }
}

export class WindowDeduplicateOperator extends WindowBuffer<Row> {
  constructor(
    keyOf: (row: Row) => unknown,
    private readonly timeIndex: number,
    private readonly keepLast: boolean,
    endIndex: number,
    onLate: (row: Row, watermark: number) => void,
    next: Operator,
  ) {
    super(keyOf, endIndex, onLate, next);
  }

  protected add(kept: Row | undefined, row: Row): Row {
    if (kept === undefined) return row;
    const t = row[this.timeIndex] as number;
    const t0 = kept[this.timeIndex] as number;
    return (this.keepLast ? t0 <= t : t < t0) ? row : kept;
  }

  protected emit(row: Row): void {
    this.next.process(row, INSERT);
  }

  protected stateToJSON(row: Row): unknown {
    return row.map(encodeValue);
  }

  protected stateFromJSON(json: unknown): Row {
    return (json as unknown[]).map(decodeValue);
  }
}
