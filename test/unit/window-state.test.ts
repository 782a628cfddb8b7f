// Window state is freed the moment a window fires, and its size is what the README says: one
// entry per open window × group (per slice × group for HOP by slices). Measured through the
// operators' checkpoint snapshots, the state a job keeps and writes.

import { describe, expect, it } from 'vitest';
import { Aggregation } from '../../engine/exec/aggregation.js';
import type { Operator } from '../../engine/exec/operator.js';
import { SlicedWindowOperator } from '../../engine/exec/sliced-window.js';
import { WindowAggregateOperator } from '../../engine/exec/window-aggregate.js';
import { WindowAssigner } from '../../engine/exec/window-assigner.js';
import { col, type AggregateCall } from '../../engine/plan/expr.js';
import type { WindowSpec } from '../../engine/plan/logical.js';
import { INSERT, T, type Row } from '../../engine/types.js';

// Input rows: [ts, sender, receiver, amount]
const SENDER = col(1, 'sender', T.bigint());
const RECEIVER = col(2, 'receiver', T.bigint());
const AMOUNT = col(3, 'amount', T.bigint());
const CALLS: AggregateCall[] = [
  { fn: 'SUM', args: [AMOUNT], distinct: false, type: T.bigint() },
  { fn: 'COUNT_STAR', args: [], distinct: false, type: T.bigint() },
];

class Count implements Operator {
  rows = 0;
  process(): void {
    this.rows++;
  }
  onWatermark(): void {}
  finish(): void {}
  snapshot(): unknown {
    return null;
  }
  restore(): void {}
}

const bytes = (state: unknown): number =>
  JSON.stringify(state, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)).length;

const TUMBLE: WindowSpec = {
  kind: 'TUMBLE',
  sizeMs: 600_000,
  slideMs: 600_000,
  offsetMs: 0,
  timeIndex: 0,
  timeName: 'ts',
};
const HOP: WindowSpec = {
  kind: 'HOP',
  sizeMs: 600_000,
  slideMs: 120_000,
  offsetMs: 0,
  timeIndex: 0,
  timeName: 'ts',
};

function operator(spec: WindowSpec, out: Operator): WindowAggregateOperator | SlicedWindowOperator {
  const agg = new Aggregation([SENDER, RECEIVER], CALLS);
  return spec.kind === 'HOP'
    ? new SlicedWindowOperator(spec.sizeMs, spec.slideMs, spec.offsetMs, spec.timeIndex, agg, out)
    : new WindowAggregateOperator(new WindowAssigner(spec), spec.timeIndex, agg, out);
}

/** `keys` distinct pairs, each with two transfers, all inside the first 2 minutes of window [0, 10 min). */
function feed(op: Operator, keys: number, from = 0): void {
  for (let k = 0; k < keys; k++) {
    const row: Row = [from + (k % 120_000), k, k + 1, 100];
    op.process(row, INSERT);
    op.process([...row], INSERT);
  }
}

describe('window state size', () => {
  for (const spec of [TUMBLE, HOP]) {
    it(`${spec.kind}: grows with the open groups, and is freed when the windows fire`, () => {
      const out = new Count();
      const op = operator(spec, out);
      const empty = bytes(op.snapshot());

      feed(op, 1_000);
      const small = bytes(op.snapshot());
      feed(op, 10_000, 0);
      const large = bytes(op.snapshot());
      // 10 000 groups (1 000 of them fed twice) in one window/slice: linear in groups, a few dozen
      // bytes each in the checkpoint (keys + SUM + COUNT).
      const perGroup = (large - empty) / 10_000;
      expect(perGroup).toBeGreaterThan(10);
      expect(perGroup).toBeLessThan(120);
      expect(large - empty).toBeGreaterThan(8 * (small - empty));
      expect(op.openWindows).toBeGreaterThan(0);

      // The watermark passes every window holding these records: all state goes, rows come out.
      op.onWatermark(spec.sizeMs * 2);
      expect(op.openWindows).toBe(0);
      expect(bytes(op.snapshot())).toBeLessThanOrEqual(empty + 40);
      // TUMBLE: one row per group; HOP 10/2 min: records in the first slice are in 5 windows.
      expect(out.rows).toBe(spec.kind === 'HOP' ? 5 * 10_000 : 10_000);
    });
  }

  it('TUMBLE: a window that fires frees its state while later windows keep theirs', () => {
    const out = new Count();
    const op = operator(TUMBLE, out);
    feed(op, 5_000, 0); // window [0, 10 min)
    feed(op, 3_000, 600_000); // window [10, 20 min)
    expect(op.openWindows).toBe(2);
    const both = bytes(op.snapshot());
    op.onWatermark(600_000); // the first window's end has passed
    expect(op.openWindows).toBe(1);
    expect(out.rows).toBe(5_000);
    const after = bytes(op.snapshot());
    expect(after).toBeLessThan(both * 0.5);
  });
});
