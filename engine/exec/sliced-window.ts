// HOP aggregation by slices (Flink's "slicing"): time is cut into slices of gcd(size, slide), each
// group keeps one state per slice it has records in, and a window's result is the merge of the
// states of its size / slice slices when it fires. A record updates one state instead of one per
// window it belongs to (5 for HOP 10 min / 2 min), which is what keeps millions of open keys
// affordable. Needs every aggregate to merge (Aggregation.mergeable); others use
// WindowAggregateOperator. Output rows are the same: [...keys, window_start, window_end,
// window_time, ...aggregates], windows in end order.

import type { Row } from '../types.js';
import { GroupTable, type Aggregation, type GroupState } from './aggregation.js';
import { SnapshotRows, type Operator } from './operator.js';
import { LocalFlushClock } from './local-flush.js';
import { alignedStart } from './window-assigner.js';
import { WindowOutput } from './window-output.js';

interface Slice {
  readonly start: number;
  readonly groups: GroupTable;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export class SlicedWindowOperator implements Operator {
  private readonly sliceMs: number;
  /** Open slices by start, and the same sorted by start (firing walks them in order). */
  private readonly slices = new Map<number, Slice>();
  private order: Slice[] = [];
  private watermark = -Infinity;
  /** Every window ending at or before this has fired (or was passed by the watermark while empty). */
  private firedEnd = -Infinity;
  /** The slice the previous record went to: consecutive records mostly share it. */
  private last: Slice | undefined;
  /** The group table of the latest dropped slice, for the next slice to open (GroupTable.recycle). */
  private spare: GroupTable | undefined;
  private readonly output: WindowOutput;

  constructor(
    private readonly sizeMs: number,
    private readonly slideMs: number,
    private readonly offsetMs: number,
    private readonly timeIndex: number,
    private readonly agg: Aggregation,
    private readonly next: Operator,
    /** The query's HAVING, applied as rows are emitted (see WindowOutput). */
    having: ((row: Row) => boolean) | null = null,
    /** A window TVF (Flink aggregates it in two phases), not a legacy GROUP BY HOP(...). */
    twoPhase = true,
  ) {
    this.sliceMs = gcd(sizeMs, slideMs);
    this.output = new WindowOutput(agg, having, next);
    this.flush = twoPhase ? new LocalFlushClock(slideMs, offsetMs, agg.epoch) : null;
  }

  /** Flink's local pre-aggregation flushes, which DOUBLE sums follow (local-flush.ts); null: one phase. */
  private readonly flush: LocalFlushClock | null;

  /** Windows that hold at least one open slice and have not fired. */
  get openWindows(): number {
    const o = this.order;
    if (o.length === 0) return 0;
    const first = Math.max(this.firedEnd + this.slideMs, this.firstEnd(o[0]!.start));
    const last = this.lastEnd(o[o.length - 1]!.start);
    return last < first ? 0 : (last - first) / this.slideMs + 1;
  }

  process(row: Row): void {
    const t = row[this.timeIndex] as number;
    const start = alignedStart(t, this.sliceMs, this.offsetMs);
    // Every window of this slice has fired (the late filter lets through records with at least one
    // open window, so this only guards a direct caller).
    if (this.lastEnd(start) <= this.firedEnd) return;
    let s = this.last;
    if (s === undefined || s.start !== start) {
      s = this.slice(start);
      this.last = s;
    }
    this.agg.add(s.groups.get(row), row);
  }

  /** The end of the earliest window holding the slice starting at `start`. */
  private firstEnd(start: number): number {
    const lowest = start + this.sliceMs - this.sizeMs; // its start can be no earlier
    let w = alignedStart(lowest, this.slideMs, this.offsetMs);
    if (w < lowest) w += this.slideMs;
    return w + this.sizeMs;
  }

  /** The end of the latest window holding the slice starting at `start`. */
  private lastEnd(start: number): number {
    return alignedStart(start, this.slideMs, this.offsetMs) + this.sizeMs;
  }

  private slice(start: number): Slice {
    let s = this.slices.get(start);
    if (s === undefined) {
      // Sized like the latest slice opened before it: consecutive slices hold similar numbers of groups.
      const previous = this.order[this.order.length - 1];
      let groups = this.spare;
      if (groups !== undefined) {
        groups.recycle();
        this.spare = undefined;
      } else groups = new GroupTable(this.agg, previous?.groups.size ?? 0);
      s = { start, groups };
      this.slices.set(start, s);
      const o = this.order;
      let i = o.length;
      // Slices mostly open in time order: scan back from the end.
      while (i > 0 && o[i - 1]!.start > start) i--;
      o.splice(i, 0, s);
    }
    return s;
  }

  onWatermark(wm: number): void {
    this.watermark = wm;
    this.flush?.onWatermark(wm);
    let fired = false;
    while (this.order.length > 0) {
      const end = Math.max(this.firedEnd + this.slideMs, this.firstEnd(this.order[0]!.start));
      if (end - 1 > wm) break;
      this.emit(end);
      this.firedEnd = end;
      this.dropSlicesBefore(end);
      fired = true;
    }
    if (Number.isFinite(wm)) {
      // Windows the watermark passed while they held nothing count as fired too, so a record
      // arriving later for one of them (it may still be on time for later windows) does not make
      // it fire after the fact.
      const passed = alignedStart(wm + 1 - this.sizeMs, this.slideMs, this.offsetMs) + this.sizeMs;
      if (passed > this.firedEnd) this.firedEnd = passed;
    }
    if (fired) this.last = undefined;
    this.next.onWatermark(wm);
  }

  /** Emits the window ending at `end`: each group of its slices once, its slice states merged. */
  private emit(end: number): void {
    const start = end - this.sizeMs;
    const o = this.order;
    let from = 0;
    while (from < o.length && o[from]!.start < start) from++;
    let to = from;
    while (to < o.length && o[to]!.start < end) to++;
    const agg = this.agg;
    for (let i = from; i < to; i++) {
      const groups = o[i]!.groups;
      for (let n = 0; n < groups.size; n++) {
        const key = groups.keyAt(n);
        const g = groups.groupAt(n);
        if (this.inAny(key, from, i)) continue; // emitted with an earlier slice
        // Flink merges a window's slices newest first into a fresh accumulator (its
        // HoppingSlicesIterable): the order decides the last digits of a DOUBLE sum.
        let merged: GroupState = g;
        for (let j = to - 1; j > i; j--) {
          const other = o[j]!.groups.lookup(key);
          if (other === undefined) continue;
          if (merged === g) merged = agg.copyGroup(other);
          else agg.merge(merged, other);
        }
        if (merged !== g) agg.merge(merged, g); // the oldest slice of the group, last
        this.output.emit(merged, start, end);
      }
    }
  }

  private inAny(key: unknown, from: number, to: number): boolean {
    for (let j = from; j < to; j++) if (this.order[j]!.groups.lookup(key) !== undefined) return true;
    return false;
  }

  /** Frees the slices whose every window has now fired. */
  private dropSlicesBefore(firedEnd: number): void {
    const o = this.order;
    let n = 0;
    while (n < o.length && this.lastEnd(o[n]!.start) <= firedEnd) {
      this.slices.delete(o[n]!.start);
      this.spare = o[n]!.groups;
      n++;
    }
    if (n > 0) this.order = o.slice(n);
  }

  finish(): void {
    this.next.finish();
  }

  snapshot(): unknown {
    const enc = (v: number) => (v === -Infinity ? null : v);
    return {
      watermark: enc(this.watermark),
      firedEnd: enc(this.firedEnd),
      ep: this.agg.epoch.value,
      slices: this.order.map((s) => ({
        s: s.start,
        g: new SnapshotRows([...s.groups.values()], (g) => this.agg.groupToJSON(g)),
      })),
    };
  }

  restore(state: unknown): void {
    const st = state as {
      watermark: number | null;
      firedEnd: number | null;
      ep?: number;
      slices: { s: number; g: unknown[] }[];
    };
    this.watermark = st.watermark ?? -Infinity;
    this.flush?.restore(this.watermark, st.ep ?? 0);
    this.firedEnd = st.firedEnd ?? -Infinity;
    this.slices.clear();
    this.order = [];
    this.last = undefined;
    this.spare = undefined;
    for (const s of st.slices) {
      const slice = this.slice(s.s);
      for (const gj of s.g) slice.groups.insert(this.agg.groupFromJSON(gj));
    }
  }
}
