// TUMBLE / HOP / CUMULATE aggregation: per window, per group, one accumulator state per aggregate;
// a window emits its rows once (final results) when the watermark passes its end, and its state
// is freed right then. Output row: [...keys, window_start, window_end, window_time, ...aggregates].

import type { Row } from '../types.js';
import { GroupTable, type Aggregation } from './aggregation.js';
import { SnapshotRows, type Operator } from './operator.js';
import { isFired, type WindowAssigner } from './window-assigner.js';
import { WindowOutput } from './window-output.js';
import { LocalFlushClock } from './local-flush.js';

interface WindowState {
  readonly start: number;
  readonly end: number;
  readonly groups: GroupTable;
}

export class WindowAggregateOperator implements Operator {
  /**
   * Open windows by end time (TUMBLE, HOP and CUMULATE windows of one operator never share an end);
   * `order` keeps them sorted by end for firing.
   */
  private readonly windows = new Map<number, WindowState>();
  private order: WindowState[] = [];
  private watermark = -Infinity;
  /** The window the previous record went to: consecutive records mostly share it. */
  private last: WindowState | undefined;
  /** The group table of the latest fired window, for the next window to open (GroupTable.recycle). */
  private spare: GroupTable | undefined;
  private readonly output: WindowOutput;

  constructor(
    private readonly assigner: WindowAssigner,
    private readonly timeIndex: number,
    private readonly agg: Aggregation,
    private readonly next: Operator,
    /** The query's HAVING, applied as rows are emitted (see WindowOutput). */
    having: ((row: Row) => boolean) | null = null,
  ) {
    this.output = new WindowOutput(agg, having, next);
    // Flink pre-aggregates a window TVF whose aggregates all merge; its DOUBLE sums follow the flushes.
    this.flush =
      assigner.twoPhase && agg.mergeable
        ? new LocalFlushClock(assigner.endInterval, assigner.endOffset, agg.epoch)
        : null;
  }

  /** Flink's local pre-aggregation flushes, which DOUBLE sums follow (local-flush.ts); null: one phase. */
  private readonly flush: LocalFlushClock | null;

  get openWindows(): number {
    return this.windows.size;
  }

  process(row: Row): void {
    const t = row[this.timeIndex] as number;
    const n = this.assigner.assign(t);
    const starts = this.assigner.starts;
    const ends = this.assigner.ends;
    for (let i = 0; i < n; i++) {
      const end = ends[i]!;
      // A record can be late for some of its HOP/CUMULATE windows and not others: skip fired ones.
      if (isFired(end, this.watermark)) continue;
      let w = this.last;
      if (w === undefined || w.end !== end) {
        w = this.window(starts[i]!, end);
        this.last = w;
      }
      this.agg.add(w.groups.get(row), row);
    }
  }

  private window(start: number, end: number): WindowState {
    let w = this.windows.get(end);
    if (w === undefined) {
      // Sized like the latest window opened before it: consecutive windows hold similar numbers of groups.
      const previous = this.order[this.order.length - 1];
      let groups = this.spare;
      if (groups !== undefined) {
        groups.recycle();
        this.spare = undefined;
      } else groups = new GroupTable(this.agg, previous?.groups.size ?? 0);
      w = { start, end, groups };
      this.windows.set(end, w);
      this.insertOrdered(w);
    }
    return w;
  }

  private insertOrdered(w: WindowState): void {
    const o = this.order;
    let i = o.length;
    // Windows mostly open in time order: scan back from the end.
    while (i > 0 && o[i - 1]!.end > w.end) i--;
    o.splice(i, 0, w);
  }

  onWatermark(wm: number): void {
    this.watermark = wm;
    this.flush?.onWatermark(wm);
    const o = this.order;
    if (o.length === 0 || !isFired(o[0]!.end, wm)) {
      this.next.onWatermark(wm);
      return;
    }
    let fired = 0;
    while (fired < o.length && isFired(o[fired]!.end, wm)) {
      this.emit(o[fired]!);
      fired++;
    }
    this.order = o.slice(fired);
    this.last = undefined;
    this.next.onWatermark(wm);
  }

  private emit(w: WindowState): void {
    const groups = w.groups.values();
    const output = this.output;
    for (let i = 0; i < groups.length; i++) output.emit(groups[i]!, w.start, w.end);
    this.windows.delete(w.end);
    this.spare = w.groups;
  }

  finish(): void {
    this.next.finish();
  }

  snapshot(): unknown {
    return {
      watermark: this.watermark === -Infinity ? null : this.watermark,
      ep: this.agg.epoch.value,
      windows: this.order.map((w) => ({
        s: w.start,
        e: w.end,
        g: new SnapshotRows([...w.groups.values()], (g) => this.agg.groupToJSON(g)),
      })),
    };
  }

  restore(state: unknown): void {
    const s = state as {
      watermark: number | null;
      ep?: number;
      windows: { s: number; e: number; g: unknown[] }[];
    };
    this.watermark = s.watermark ?? -Infinity;
    this.flush?.restore(this.watermark, s.ep ?? 0);
    this.windows.clear();
    this.order = [];
    this.last = undefined;
    this.spare = undefined;
    for (const w of s.windows) {
      const ws = this.window(w.s, w.e);
      for (const gj of w.g) ws.groups.insert(this.agg.groupFromJSON(gj));
    }
  }
}
