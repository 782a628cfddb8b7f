// Semi and anti joins (WHERE x IN / EXISTS sub-query, and their NOT forms), as Flink's
// StreamingSemiAntiJoinOperator: a left row goes out (with its own kind) while it has at least one
// partner (semi) or none (anti); a partner arriving or leaving later sends the left row out (+I)
// or takes it back (-D). The right side's rows are only counted.

import { DELETE, INSERT, isAccumulate, type Row, type RowKind } from '../types.js';
import type { Operator } from './operator.js';
import { TwoInputOperator, joinRows } from './two-input.js';
import { JoinSideState } from './join-side-state.js';
import type { StateTtl } from './state-ttl.js';

export class SemiAntiJoinOperator extends TwoInputOperator {
  private readonly state: [JoinSideState, JoinSideState];

  constructor(
    private readonly anti: boolean,
    private readonly keyOf: [(row: Row) => unknown, (row: Row) => unknown],
    private readonly condition: ((row: Row) => boolean) | null,
    private readonly widths: [number, number],
    next: Operator,
    private readonly ttl: StateTtl | null = null,
  ) {
    super(next);
    this.state = [new JoinSideState(ttl), new JoinSideState(ttl)];
  }

  processFrom(side: 0 | 1, row: Row, kind: RowKind): void {
    if (this.ttl !== null) {
      const now = this.ttl.now();
      this.state[0].now = this.state[1].now = now;
      if (this.ttl.sweepDue(now)) for (const s of this.state) s.sweep();
    }
    const key = this.keyOf[side](row);
    if (side === 0) {
      let partners = 0;
      if (key !== null)
        for (const r of this.state[1].entries(key)) if (this.meets(row, r.row)) partners += r.count;
      if (isAccumulate(kind)) this.state[0].add(key, row, partners);
      else this.state[0].remove(key, row);
      if (partners > 0 !== this.anti) this.next.process(row, kind);
      return;
    }
    if (key === null) return;
    const accumulate = isAccumulate(kind);
    if (accumulate) this.state[1].add(key, row, 0);
    else if (!this.state[1].remove(key, row)) return;
    for (const l of this.state[0].entries(key)) {
      if (!this.meets(l.row, row)) continue;
      const before = l.partners;
      l.partners += accumulate ? 1 : -1;
      // The first partner arrived / the last one left: the left row's standing changes.
      const change = accumulate ? before === 0 : l.partners === 0;
      if (!change) continue;
      const out = accumulate !== this.anti ? INSERT : DELETE;
      for (let c = 0; c < l.count; c++) this.next.process(l.row, out);
    }
  }

  private meets(left: Row, right: Row): boolean {
    return this.condition === null || this.condition(joinRows(left, right, this.widths));
  }

  snapshot(): unknown {
    return { left: this.state[0].snapshot(), right: this.state[1].snapshot() };
  }

  restore(state: unknown): void {
    const s = state as { left: unknown; right: unknown };
    this.state[0].restore(s.left, this.keyOf[0]);
    this.state[1].restore(s.right, this.keyOf[1]);
  }
}
