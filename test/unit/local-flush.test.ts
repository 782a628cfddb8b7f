// Flink's two-phase window aggregation, as DOUBLE sums see it: values are summed per local flush
// (each time the watermark passes a window end of the grid) and the partial sums are added up.

import { describe, expect, it } from 'vitest';
import { Aggregation } from '../../engine/exec/aggregation.js';
import { LocalFlushClock } from '../../engine/exec/local-flush.js';
import type { Operator } from '../../engine/exec/operator.js';
import { WindowAggregateOperator } from '../../engine/exec/window-aggregate.js';
import { WindowAssigner } from '../../engine/exec/window-assigner.js';
import { col, type AggregateCall } from '../../engine/plan/expr.js';
import type { WindowSpec } from '../../engine/plan/logical.js';
import { T, type Row } from '../../engine/types.js';

class Collect implements Operator {
  readonly rows: Row[] = [];
  process(row: Row): void {
    this.rows.push([...row]);
  }
  onWatermark(): void {}
  finish(): void {}
  snapshot(): unknown {
    return null;
  }
  restore(): void {}
}

const X = col(1, 'x', T.double());
const CALLS: AggregateCall[] = [
  { fn: 'SUM', args: [X], distinct: false, type: T.double() },
  { fn: 'AVG', args: [X], distinct: false, type: T.double() },
];
const TUMBLE_10S: WindowSpec = {
  kind: 'TUMBLE',
  sizeMs: 10_000,
  slideMs: 10_000,
  offsetMs: 0,
  timeIndex: 0,
  timeName: 'ts',
};

/** The window [10 s, 20 s) gets 1e16 before the watermark passes 9.999 s (a flush) and 1, 1 after. */
function run(spec: WindowSpec): Row {
  const out = new Collect();
  const op = new WindowAggregateOperator(new WindowAssigner(spec), 0, new Aggregation([], CALLS), out);
  op.onWatermark(0);
  op.process([12_000, 1e16]);
  op.onWatermark(8_000);
  op.onWatermark(10_500); // passes 9 999: the local pre-aggregation is flushed
  op.process([13_000, 1]);
  op.process([14_000, 1]);
  op.onWatermark(Infinity);
  return out.rows.find((r) => r[0] === 10_000)!;
}

describe('DOUBLE sums in two-phase window aggregation', () => {
  it('a window TVF adds per-flush partial sums: 1e16 + (1 + 1)', () => {
    const row = run(TUMBLE_10S);
    expect(row[3]).toBe(10000000000000002);
    expect(row[4]).toBe(10000000000000002 / 3);
  });

  it('a legacy group window adds in arrival order: (1e16 + 1) + 1 rounds back to 1e16', () => {
    expect(run({ ...TUMBLE_10S, legacy: true })[3]).toBe(1e16);
  });

  it('the clock flushes once per watermark that passes the next trigger, and resumes from a watermark', () => {
    const epoch = { value: 0 };
    const clock = new LocalFlushClock(10_000, 0, epoch);
    clock.onWatermark(-Infinity);
    clock.onWatermark(5_000); // the first watermark only sets the trigger (9 999)
    expect(epoch.value).toBe(0);
    clock.onWatermark(9_998);
    expect(epoch.value).toBe(0);
    clock.onWatermark(9_999);
    expect(epoch.value).toBe(1);
    clock.onWatermark(35_000); // several window ends at once: one flush
    expect(epoch.value).toBe(2);
    clock.restore(35_000, 7);
    clock.onWatermark(39_998);
    expect(epoch.value).toBe(7);
    clock.onWatermark(39_999);
    expect(epoch.value).toBe(8);
  });
});
