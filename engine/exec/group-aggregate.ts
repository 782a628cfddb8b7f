// Non-windowed GROUP BY (running aggregates): every input row updates its group and emits the
// group's new row, [...keys, ...aggregates]. Append sinks get each new value as a row; upsert
// sinks (PRIMARY KEY) overwrite by key.

import type { Row } from '../types.js';
import type { Aggregation, GroupState } from './aggregation.js';
import type { Operator } from './operator.js';

export class GroupAggregateOperator implements Operator {
  private readonly groups = new Map<unknown, GroupState>();

  constructor(
    private readonly agg: Aggregation,
    private readonly next: Operator,
  ) {}

  get groupCount(): number {
    return this.groups.size;
  }

  process(row: Row): void {
    const key = this.agg.keyOf(row);
    let g = this.groups.get(key);
    if (g === undefined) {
      g = this.agg.newGroup(row);
      this.groups.set(key, g);
    }
    this.agg.add(g, row);
    const k = this.agg.keyCount;
    const out = new Array(k + this.agg.aggCount);
    for (let i = 0; i < k; i++) out[i] = g.keys[i];
    this.agg.writeResults(g, out, k);
    this.next.process(out);
  }

  onWatermark(wm: number): void {
    this.next.onWatermark(wm);
  }

  finish(): void {
    this.next.finish();
  }

  snapshot(): unknown {
    return [...this.groups.values()].map((g) => this.agg.groupToJSON(g));
  }

  restore(state: unknown): void {
    this.groups.clear();
    for (const gj of state as unknown[]) {
      const g = this.agg.groupFromJSON(gj);
      this.groups.set(this.agg.keyOfValues(g.keys), g);
    }
  }
}
