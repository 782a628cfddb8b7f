// Non-windowed GROUP BY (running aggregates): every input row updates its group and emits the
// group's new row, [...keys, ...aggregates] (a group without aggregates, from SELECT DISTINCT,
// only its first). Append sinks get each new value as a row; upsert sinks (PRIMARY KEY) overwrite
// by key.

import type { Row } from '../types.js';
import { GroupTable, type Aggregation } from './aggregation.js';
import { SnapshotRows, type Operator } from './operator.js';

export class GroupAggregateOperator implements Operator {
  private readonly groups: GroupTable;

  constructor(
    private readonly agg: Aggregation,
    private readonly next: Operator,
  ) {
    this.groups = new GroupTable(agg);
  }

  get groupCount(): number {
    return this.groups.size;
  }

  process(row: Row): void {
    const before = this.groups.size;
    const g = this.groups.get(row);
    this.agg.add(g, row);
    // Without aggregates (SELECT DISTINCT) a group's row never changes after its first: Flink
    // emits nothing for an unchanged row, so neither do we.
    if (this.agg.aggCount > 0 || this.groups.size > before) this.next.process(this.agg.outputRow(g, 0));
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
    for (const gj of state as unknown[]) this.groups.insert(this.agg.groupFromJSON(gj));
  }
}
