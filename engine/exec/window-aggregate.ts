// TUMBLE / HOP / CUMULATE aggregation: per window, per group, one accumulator state per aggregate;
// a window emits its rows once (final results) when the watermark passes its end, and its state
// is freed right then. Output row: [...keys, window_start, window_end, window_time, ...aggregates].

import type { Row } from '../types.js';
import type { Aggregation, GroupState } from './aggregation.js';
import type { Operator } from './operator.js';
import { isFired, type WindowAssigner } from './window-assigner.js';

interface WindowState {
  readonly start: number;
  readonly end: number;
  readonly groups: Map<unknown, GroupState>;
}

export class WindowAggregateOperator implements Operator {
  /** Open windows by "start:end"; `order` keeps them sorted by end, then start, for firing. */
  private readonly windows = new Map<string, WindowState>();
  private order: WindowState[] = [];
  private watermark = -Infinity;

  constructor(
    private readonly assigner: WindowAssigner,
    private readonly timeIndex: number,
    private readonly agg: Aggregation,
    private readonly next: Operator,
  ) {}

  get openWindows(): number {
    return this.windows.size;
  }

  process(row: Row): void {
    const t = row[this.timeIndex] as number;
    const key = this.agg.keyOf(row);
    this.assigner.forEachWindow(t, (start, end) => {
      // A record can be late for some of its HOP/CUMULATE windows and not others: skip fired ones.
      if (isFired(end, this.watermark)) return;
      const w = this.window(start, end);
      let g = w.groups.get(key);
      if (g === undefined) {
        g = this.agg.newGroup(row);
        w.groups.set(key, g);
      }
      this.agg.add(g, row);
    });
  }

  private window(start: number, end: number): WindowState {
    const id = start + ':' + end;
    let w = this.windows.get(id);
    if (w === undefined) {
      w = { start, end, groups: new Map() };
      this.windows.set(id, w);
      this.insertOrdered(w);
    }
    return w;
  }

  private insertOrdered(w: WindowState): void {
    const o = this.order;
    let i = o.length;
    // Windows mostly open in time order: scan back from the end.
    while (i > 0 && (o[i - 1]!.end > w.end || (o[i - 1]!.end === w.end && o[i - 1]!.start > w.start))) i--;
    o.splice(i, 0, w);
  }

  onWatermark(wm: number): void {
    this.watermark = wm;
    const o = this.order;
    let fired = 0;
    while (fired < o.length && isFired(o[fired]!.end, wm)) {
      this.emit(o[fired]!);
      fired++;
    }
    if (fired > 0) this.order = o.slice(fired);
    this.next.onWatermark(wm);
  }

  private emit(w: WindowState): void {
    const k = this.agg.keyCount;
    for (const g of w.groups.values()) {
      const out = new Array(k + 3 + this.agg.aggCount);
      for (let i = 0; i < k; i++) out[i] = g.keys[i];
      out[k] = w.start;
      out[k + 1] = w.end;
      out[k + 2] = w.end - 1;
      this.agg.writeResults(g, out, k + 3);
      this.next.process(out);
    }
    this.windows.delete(w.start + ':' + w.end);
  }

  finish(): void {
    this.next.finish();
  }

  snapshot(): unknown {
    return {
      watermark: this.watermark === -Infinity ? null : this.watermark,
      windows: this.order.map((w) => ({ s: w.start, e: w.end, g: [...w.groups.values()].map((g) => this.agg.groupToJSON(g)) })),
    };
  }

  restore(state: unknown): void {
    const s = state as { watermark: number | null; windows: { s: number; e: number; g: unknown[] }[] };
    this.watermark = s.watermark ?? -Infinity;
    this.windows.clear();
    this.order = [];
    for (const w of s.windows) {
      const ws = this.window(w.s, w.e);
      for (const gj of w.g) {
        const g = this.agg.groupFromJSON(gj);
        ws.groups.set(this.agg.keyOfValues(g.keys), g);
      }
    }
  }
}
