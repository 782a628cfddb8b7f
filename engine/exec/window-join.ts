// A window join (Flink's WindowJoinOperator): two results of the same window, joined per window.
// Rows are held by window until the watermark passes the window's end; then the window's rows are
// joined (keys equal, condition true) and emitted, outer rows NULL-padded, and the window's rows
// dropped. Insert-only. A row for a window that already fired is late: counted and dropped.

import { INSERT, type Row, type RowKind } from '../types.js';
import type { JoinType } from '../plan/logical.js';
import { SnapshotRows, type Operator } from './operator.js';
import { TwoInputOperator, joinRows } from './two-input.js';
import { decodeValue, encodeValue } from './aggregation.js';
import { isFired } from './window-assigner.js';

export class WindowJoinOperator extends TwoInputOperator {
  /** window end → the rows of each side. */
  private readonly windows = new Map<number, [Row[], Row[]]>();
  private readonly outer: [boolean, boolean];
  lateRows = 0;

  constructor(
    joinType: JoinType,
    private readonly endIndex: [number, number],
    private readonly keyOf: [(row: Row) => unknown, (row: Row) => unknown],
    private readonly condition: ((row: Row) => boolean) | null,
    private readonly widths: [number, number],
    next: Operator,
  ) {
    super(next);
    this.outer = [joinType === 'LEFT' || joinType === 'FULL', joinType === 'RIGHT' || joinType === 'FULL'];
    this.semi = joinType === 'SEMI' ? true : joinType === 'ANTI' ? false : null;
  }

  /** A window semi (true) or anti (false) join: a left row goes out alone, once, if it has (no) partner. */
  private readonly semi: boolean | null;

  get openWindows(): number {
    return this.windows.size;
  }

  processFrom(side: 0 | 1, row: Row, _kind: RowKind): void {
    const end = row[this.endIndex[side]] as number;
    if (isFired(end, this.watermark)) {
      this.lateRows++;
      return;
    }
    let w = this.windows.get(end);
    if (!w) {
      w = [[], []];
      this.windows.set(end, w);
    }
    w[side].push(row);
  }

  protected override advance(wm: number): void {
    const ready = [...this.windows.keys()].filter((end) => isFired(end, wm)).sort((a, b) => a - b);
    for (const end of ready) {
      this.fire(this.windows.get(end)!);
      this.windows.delete(end);
    }
    this.next.onWatermark(wm);
  }

  private fire([lefts, rights]: [Row[], Row[]]): void {
    const byKey = new Map<unknown, { row: Row; met: boolean }[]>();
    for (const r of rights) {
      const k = this.keyOf[1](r);
      if (k === null) continue;
      const list = byKey.get(k);
      const e = { row: r, met: false };
      if (list) list.push(e);
      else byKey.set(k, [e]);
    }
    const rightMet = new Set<Row>();
    if (this.semi !== null) {
      for (const l of lefts) {
        const k = this.keyOf[0](l);
        const partners = k === null ? [] : (byKey.get(k) ?? []);
        const met = partners.some((r) => this.condition === null || this.condition(this.joined(l, r.row)));
        if (met === this.semi) this.next.process(l, INSERT);
      }
      return;
    }
    for (const l of lefts) {
      const k = this.keyOf[0](l);
      let met = false;
      for (const r of k === null ? [] : (byKey.get(k) ?? [])) {
        const joined = this.joined(l, r.row);
        if (this.condition !== null && !this.condition(joined)) continue;
        this.next.process(joined, INSERT);
        met = true;
        rightMet.add(r.row);
      }
      if (!met && this.outer[0])
        this.next.process(this.joined(l, new Array(this.widths[1]).fill(null)), INSERT);
    }
    if (this.outer[1])
      for (const r of rights)
        if (!rightMet.has(r)) this.next.process(this.joined(new Array(this.widths[0]).fill(null), r), INSERT);
  }

  private joined(left: Row, right: Row): Row {
    return joinRows(left, right, this.widths);
  }

  snapshot(): unknown {
    const items: [number, Row][] = [];
    for (const [l, r] of this.windows.values()) {
      for (const row of l) items.push([0, row]);
      for (const row of r) items.push([1, row]);
    }
    return new SnapshotRows(items, ([side, row]) => [side, row.map(encodeValue)]);
  }

  restore(state: unknown): void {
    for (const [side, raw] of state as [0 | 1, unknown[]][])
      this.processFrom(side, raw.map(decodeValue), INSERT);
  }
}
