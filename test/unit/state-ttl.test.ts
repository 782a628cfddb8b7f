// SET 'table.exec.state.ttl': running aggregates and regular joins forget state that was not
// written for the TTL (processing time), as Flink does: an expired group starts again with +I, an
// expired joined row is met no more, and the sweep frees the memory.

import { describe, expect, it } from 'vitest';
import { Aggregation } from '../../engine/exec/aggregation.js';
import { GroupAggregateOperator } from '../../engine/exec/group-aggregate.js';
import type { Operator } from '../../engine/exec/operator.js';
import { RegularJoinOperator } from '../../engine/exec/regular-join.js';
import { StateTtl } from '../../engine/exec/state-ttl.js';
import { col, type AggregateCall } from '../../engine/plan/expr.js';
import { INSERT, ROW_KIND_SHORT, T, type Row, type RowKind } from '../../engine/types.js';

class Collect implements Operator {
  readonly out: string[] = [];
  process(row: Row, kind: RowKind): void {
    this.out.push(`${ROW_KIND_SHORT[kind]}${JSON.stringify(row)}`);
  }
  onWatermark(): void {}
  finish(): void {}
  snapshot(): unknown {
    return null;
  }
  restore(): void {}
}

describe('state TTL', () => {
  const SUM: AggregateCall = {
    fn: 'SUM',
    args: [col(1, 'amount', T.bigint())],
    distinct: false,
    type: T.bigint(),
  };

  it('a running group not written for the TTL starts again as a new group (+I)', () => {
    let now = 0;
    const out = new Collect();
    const op = new GroupAggregateOperator(
      new Aggregation([col(0, 'k', T.string())], [SUM]),
      false,
      out,
      new StateTtl(1000, () => now),
    );
    op.process(['a', 5], INSERT);
    now = 500;
    op.process(['a', 0], INSERT); // unchanged: with a TTL Flink still sends the update
    now = 1600; // written at 500, so expired at 1500
    op.process(['a', 7], INSERT);
    expect(out.out).toEqual(['+I["a",5]', '-U["a",5]', '+U["a",5]', '+I["a",7]']);
  });

  it('expired groups are freed by the sweep, live ones kept', () => {
    let now = 0;
    const op = new GroupAggregateOperator(
      new Aggregation([col(0, 'k', T.string())], [SUM]),
      false,
      new Collect(),
      new StateTtl(1000, () => now),
    );
    for (let i = 0; i < 100; i++) op.process([`k${i}`, 1], INSERT);
    now = 900;
    op.process(['fresh', 1], INSERT);
    expect(op.groupCount).toBe(101);
    now = 1500; // a sweep runs at most twice per TTL (the last at 900): the 100 old groups are gone
    op.process(['fresh', 1], INSERT);
    expect(op.groupCount).toBe(1);
  });

  it('a regular join meets only rows written within the TTL, and frees the others', () => {
    let now = 0;
    const out = new Collect();
    const key = (r: Row): unknown => r[0];
    const join = new RegularJoinOperator(
      'INNER',
      [key, key],
      null,
      [2, 2],
      out,
      new StateTtl(1000, () => now),
    );
    join.processFrom(0, [1, 'left-1'], INSERT);
    join.processFrom(0, [2, 'left-2'], INSERT);
    now = 800;
    join.processFrom(1, [1, 'right-1'], INSERT);
    now = 1500; // left-2 (written at 0) has expired; left-1 too
    join.processFrom(1, [2, 'right-2'], INSERT);
    expect(out.out).toEqual(['+I[1,"left-1",1,"right-1"]']);
    expect(join.stateRows).toBe(2); // right-1 (800) and right-2 (1500) remain
    now = 2600;
    join.processFrom(0, [9, 'x'], INSERT);
    expect(join.stateRows).toBe(1);
  });

  it('without a TTL nothing expires and an unchanged result sends nothing', () => {
    const out = new Collect();
    const op = new GroupAggregateOperator(new Aggregation([col(0, 'k', T.string())], [SUM]), false, out);
    op.process(['a', 5], INSERT);
    op.process(['a', 0], INSERT);
    expect(out.out).toEqual(['+I["a",5]']);
  });
});
