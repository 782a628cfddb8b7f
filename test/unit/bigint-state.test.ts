// BIGINT values beyond 2^53 (bigints in rows, engine/types.ts) as group keys and in aggregate
// state survive a checkpoint: snapshot -> CheckpointStore (SQLite) -> restore gives the rows an
// uninterrupted run gives, exact to the last digit.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Aggregation } from '../../engine/exec/aggregation.js';
import { GroupAggregateOperator } from '../../engine/exec/group-aggregate.js';
import type { Operator } from '../../engine/exec/operator.js';
import { WindowAggregateOperator } from '../../engine/exec/window-aggregate.js';
import { WindowAssigner } from '../../engine/exec/window-assigner.js';
import { col, type AggregateCall } from '../../engine/plan/expr.js';
import type { WindowSpec } from '../../engine/plan/logical.js';
import { CheckpointStore } from '../../engine/state/checkpoints.js';
import { INSERT, T, UPDATE_AFTER, type Row, type RowKind } from '../../engine/types.js';

// Input rows: [ts, account, amount]
const ACCOUNT = col(1, 'account', T.bigint());
const AMOUNT = col(2, 'amount', T.bigint());
const CALLS: AggregateCall[] = [
  { fn: 'SUM', args: [AMOUNT], distinct: false, type: T.bigint() },
  { fn: 'MAX', args: [AMOUNT], distinct: false, type: T.bigint() },
  { fn: 'AVG', args: [AMOUNT], distinct: false, type: T.bigint() },
  { fn: 'COUNT', args: [AMOUNT], distinct: true, type: T.bigint() },
];
const TUMBLE: WindowSpec = {
  kind: 'TUMBLE',
  sizeMs: 600_000,
  slideMs: 600_000,
  offsetMs: 0,
  timeIndex: 0,
  timeName: 'ts',
};

/** The rows an append-only sink would keep: +I and +U (a running GROUP BY also emits -U before each +U). */
class Collect implements Operator {
  readonly rows: Row[] = [];
  process(row: Row, kind: RowKind): void {
    if (kind === INSERT || kind === UPDATE_AFTER) this.rows.push([...row]);
  }
  onWatermark(): void {}
  finish(): void {}
  snapshot(): unknown {
    return null;
  }
  restore(): void {}
}

const ID = 1234567890123456789n;
const INPUT: Row[] = [
  [1000, ID, 9007199254740991],
  [2000, ID, 2],
  [3000, 7, 9223372036854775807n],
  [4000, ID, 1],
  [5000, 7, 1],
  [6000, -9223372036854775808n, -9223372036854775808n],
];

type Make = (out: Operator) => Operator;
const windowed: Make = (out) =>
  new WindowAggregateOperator(new WindowAssigner(TUMBLE), 0, new Aggregation([ACCOUNT], CALLS), out);
const running: Make = (out) => new GroupAggregateOperator(new Aggregation([ACCOUNT], CALLS), false, out);

function uninterrupted(make: Make): Row[] {
  const out = new Collect();
  const op = make(out);
  for (const r of INPUT) op.process(r, INSERT);
  op.onWatermark(Infinity);
  op.finish();
  return out.rows;
}

function throughCheckpoint(make: Make, at: number): Row[] {
  const store = CheckpointStore.open(join(mkdtempSync(join(tmpdir(), 'fintrans-bigint-')), 'job.db'));
  const first = new Collect();
  const before = make(first);
  for (const r of INPUT.slice(0, at)) before.process(r, INSERT);
  store.save({ fingerprint: 'f', sources: {}, operators: [before.snapshot()], sinks: {}, late: 0 });
  const second = new Collect();
  const after = make(second);
  after.restore(store.latest()!.operators[0]);
  store.close();
  for (const r of INPUT.slice(at)) after.process(r, INSERT);
  after.onWatermark(Infinity);
  after.finish();
  return [...first.rows, ...second.rows];
}

describe('64-bit keys and sums in checkpointed state', () => {
  it('a window resumed from a checkpoint gives the exact rows of an uninterrupted run', () => {
    const expected = uninterrupted(windowed);
    // [account, window_start, window_end, window_time, SUM, MAX, AVG, COUNT(DISTINCT)]
    expect(expected.map((r) => [r[0], r[4], r[5], r[6], r[7]])).toEqual([
      [ID, 9007199254740994n, 9007199254740991, 3002399751580331, 3],
      [7, -9223372036854775808n, 9223372036854775807n, -4611686018427387904n, 2],
      [-9223372036854775808n, -9223372036854775808n, -9223372036854775808n, -9223372036854775808n, 1],
    ]);
    for (const at of [1, 3, 5]) expect(throughCheckpoint(windowed, at)).toEqual(expected);
  });

  it('a running GROUP BY resumed from a checkpoint continues its 64-bit sums', () => {
    const expected = uninterrupted(running);
    expect(expected.at(-2)![1]).toBe(-9223372036854775808n); // 7's SUM wrapped past Long.MAX_VALUE
    for (const at of [2, 4]) expect(throughCheckpoint(running, at)).toEqual(expected);
  });
});
