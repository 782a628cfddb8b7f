// Running (non-windowed) GROUP BY with Flink's changelog output (GroupAggFunction): a group's
// first row is +I; when an input row changes the group's result, the old row goes out as -U and
// the new one as +U; an unchanged result emits nothing. Over an updating input (-U/-D rows), the
// rows are taken back out of the accumulators (retract), and a group left without rows is
// removed with -D. A group without aggregates is SELECT DISTINCT: each distinct row once.

import { INSERT, UPDATE_AFTER, UPDATE_BEFORE, DELETE, type Row, type RowKind } from '../types.js';
import type { Aggregation, GroupState } from './aggregation.js';
import { SnapshotRows, type Operator } from './operator.js';
import type { StateTtl } from './state-ttl.js';

export class GroupAggregateOperator implements Operator {
  private readonly groups = new Map<unknown, GroupState>();
  /** With a state TTL: when each group was last written. */
  private readonly writtenAt: Map<unknown, number> | null;

  constructor(
    private readonly agg: Aggregation,
    /** Whether the input is updating: then -U/-D rows retract (the Aggregation is retractable). */
    private readonly retracting: boolean,
    private readonly next: Operator,
    private readonly ttl: StateTtl | null = null,
  ) {
    this.writtenAt = ttl ? new Map() : null;
  }

  get groupCount(): number {
    return this.groups.size;
  }

  process(row: Row, kind: RowKind): void {
    const key = this.agg.keyOf(row);
    let g = this.groups.get(key);
    const accumulate = kind === INSERT || kind === UPDATE_AFTER;
    if (this.ttl !== null) {
      const now = this.ttl.now();
      if (g !== undefined && this.ttl.expired(this.writtenAt!.get(key)!, now)) {
        this.groups.delete(key);
        g = undefined;
      }
      if (accumulate || g !== undefined) this.writtenAt!.set(key, now);
      if (this.ttl.sweepDue(now)) this.sweep(now);
    }
    if (g === undefined) {
      // Taking back a row of a group that does not exist: nothing to take it from (as Flink).
      if (!accumulate) return;
      g = this.agg.newGroupFor(row);
      this.groups.set(key, g);
      this.agg.add(g, row);
      this.next.process(this.agg.outputRow(g, 0), INSERT);
      return;
    }
    const before = this.agg.outputRow(g, 0);
    if (accumulate) this.agg.add(g, row);
    else this.agg.retract(g, row);
    if (this.retracting && this.agg.rowCount(g) <= 0) {
      this.groups.delete(key);
      this.writtenAt?.delete(key);
      this.next.process(before, DELETE);
      return;
    }
    const after = this.agg.outputRow(g, 0);
    // An unchanged result emits nothing, unless state expires: then Flink sends it anyway (GroupAggFunction).
    if (this.ttl === null && sameRow(before, after)) return;
    this.next.process(before, UPDATE_BEFORE);
    this.next.process(after, UPDATE_AFTER);
  }

  /** Frees the groups whose TTL passed. */
  private sweep(now: number): void {
    for (const [key, at] of this.writtenAt!) {
      if (!this.ttl!.expired(at, now)) continue;
      this.writtenAt!.delete(key);
      this.groups.delete(key);
    }
  }

  onWatermark(wm: number): void {
    this.next.onWatermark(wm);
  }

  finish(): void {
    this.next.finish();
  }

  snapshot(): unknown {
    return new SnapshotRows([...this.groups.values()], (g) => this.agg.groupToJSON(g));
  }

  restore(state: unknown): void {
    for (const gj of state as unknown[]) {
      const g = this.agg.groupFromJSON(gj);
      const key = this.agg.keyOfGroup(g);
      this.groups.set(key, g);
      // Restored state counts as written now: its time to live starts again.
      this.writtenAt?.set(key, this.ttl!.now());
    }
  }
}

/** Whether two result rows hold the same values (DECIMAL bigints and BIGINTs beyond 2^53 compare by value with ===). */
function sameRow(a: Row, b: Row): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== y && !(typeof x === 'number' && typeof y === 'number' && Number.isNaN(x) && Number.isNaN(y)))
      return false;
  }
  return true;
}
