// An event-time interval join (Flink's RowTimeIntervalJoin): rows meet when their keys are equal,
// the ON condition holds and left.time - right.time lies in [lower, upper]. Each side's rows are
// kept only while the watermark can still bring a partner from the other side; an outer side's row
// that leaves without ever meeting one goes out NULL-padded then. Insert-only in and out.
//
// Output rows may be older than the input watermark by up to the larger bound, so the watermark
// passed on is held back by that much (Flink's KeyedCoProcessOperatorWithWatermarkDelay).

import { INSERT, type Row, type RowKind } from '../types.js';
import type { JoinType } from '../plan/logical.js';
import { SnapshotRows, type Operator } from './operator.js';
import { TwoInputOperator, joinRows } from './two-input.js';
import { decodeValue, encodeValue } from './aggregation.js';

interface Held {
  readonly row: Row;
  readonly time: number;
  readonly key: unknown;
  /** Whether it met a partner (outer sides pad it when it leaves without one). */
  met: boolean;
}

export interface IntervalBounds {
  readonly leftTimeIndex: number;
  readonly rightTimeIndex: number;
  /** left.time - right.time ≥ lower. */
  readonly lower: number;
  /** left.time - right.time ≤ upper. */
  readonly upper: number;
}

export class IntervalJoinOperator extends TwoInputOperator {
  /** Per side: key → rows held. */
  private readonly held: [Map<unknown, Held[]>, Map<unknown, Held[]>] = [new Map(), new Map()];
  /** Per side: every held row in order of time, for expiry; the ones before `head` are gone. */
  private readonly byTime: [Held[], Held[]] = [[], []];
  /**
   * Per side: where the rows still held start in byTime. Expiry moves it on, and the array is cut
   * only once the gone rows are half of it, so a watermark step costs the rows it frees, not the
   * rows still held (an hour of them, in a cash-out job).
   */
  private readonly head: [number, number] = [0, 0];
  private readonly outer: [boolean, boolean];
  /** How long a side's row can wait for a partner: left rows meet right rows up to `lower` older… */
  private readonly relative: [number, number];
  private readonly timeIndex: [number, number];
  private readonly delay: number;

  constructor(
    joinType: JoinType,
    private readonly bounds: IntervalBounds,
    private readonly keyOf: [(row: Row) => unknown, (row: Row) => unknown],
    private readonly condition: ((row: Row) => boolean) | null,
    private readonly widths: [number, number],
    next: Operator,
  ) {
    super(next);
    this.outer = [joinType === 'LEFT' || joinType === 'FULL', joinType === 'RIGHT' || joinType === 'FULL'];
    // A left row at t meets right rows in [t - upper, t - lower]: it waits up to -lower for later
    // right rows; a right row at t meets left rows in [t + lower, t + upper]: it waits up to upper.
    this.relative = [Math.max(0, -bounds.lower), Math.max(0, bounds.upper)];
    this.timeIndex = [bounds.leftTimeIndex, bounds.rightTimeIndex];
    this.delay = Math.max(this.relative[0], this.relative[1]);
  }

  get heldRows(): number {
    return this.byTime[0].length - this.head[0] + this.byTime[1].length - this.head[1];
  }

  processFrom(side: 0 | 1, row: Row, _kind: RowKind): void {
    const other = (1 - side) as 0 | 1;
    const time = row[this.timeIndex[side]] as number;
    const key = this.keyOf[side](row);
    // The other side's times this row meets.
    const lo = side === 0 ? time - this.bounds.upper : time + this.bounds.lower;
    const hi = side === 0 ? time - this.bounds.lower : time + this.bounds.upper;
    let met = false;
    if (key !== null) {
      for (const h of this.held[other].get(key) ?? []) {
        if (h.time < lo || h.time > hi) continue;
        const joined = side === 0 ? this.joined(row, h.row) : this.joined(h.row, row);
        if (this.condition !== null && !this.condition(joined)) continue;
        this.next.process(joined, INSERT);
        met = true;
        h.met = true;
      }
    }
    // Held while a partner can still come from the other side (its rows are at or above the watermark).
    if (key !== null && this.watermark < hi) this.hold(side, { row, time, key, met });
    else if (!met && this.outer[side]) this.emitPadded(side, row);
  }

  private hold(side: 0 | 1, h: Held): void {
    const byKey = this.held[side];
    const list = byKey.get(h.key);
    if (list) list.push(h);
    else byKey.set(h.key, [h]);
    const q = this.byTime[side];
    // Rows come nearly in time order: insert from the back.
    let i = q.length;
    while (i > this.head[side] && q[i - 1]!.time > h.time) i--;
    q.splice(i, 0, h);
  }

  protected override advance(wm: number): void {
    for (const side of [0, 1] as const) {
      // A row at t can meet other-side rows up to t + relative; rows below the watermark are done.
      const q = this.byTime[side];
      let n = this.head[side];
      for (; n < q.length && q[n]!.time + this.relative[side] < wm; n++) {
        const h = q[n]!;
        const list = this.held[side].get(h.key)!;
        list.splice(list.indexOf(h), 1);
        if (list.length === 0) this.held[side].delete(h.key);
        if (!h.met && this.outer[side]) this.emitPadded(side, h.row);
      }
      if (n * 2 >= q.length) {
        q.splice(0, n);
        this.head[side] = 0;
      } else this.head[side] = n;
    }
    this.next.onWatermark(wm - this.delay);
  }

  private joined(left: Row, right: Row): Row {
    return joinRows(left, right, this.widths);
  }

  private emitPadded(side: 0 | 1, row: Row): void {
    const nulls = new Array(this.widths[(1 - side) as 0 | 1]).fill(null);
    this.next.process(side === 0 ? this.joined(row, nulls) : this.joined(nulls, row), INSERT);
  }

  snapshot(): unknown {
    const held = (side: 0 | 1): [number, Held][] =>
      this.byTime[side].slice(this.head[side]).map((h) => [side, h] as [number, Held]);
    const items: [number, Held][] = [...held(0), ...held(1)];
    return new SnapshotRows(items, ([side, h]) => [side, h.row.map(encodeValue), h.met]);
  }

  restore(state: unknown): void {
    for (const [side, raw, met] of state as [0 | 1, unknown[], boolean][]) {
      const row = raw.map(decodeValue);
      this.hold(side, { row, time: row[this.timeIndex[side]] as number, key: this.keyOf[side](row), met });
    }
  }
}
