// SESSION windows do work linear in the input: each record looks at the few sessions it can touch
// and is written into session state once (no copying of a session's rows when it grows or merges).
// Measured by the operator's work counters, not by time, on inputs that made the former
// implementation (a `concat` of the session's rows per record) quadratic.

import { describe, expect, it } from 'vitest';
import { Aggregation } from '../../engine/exec/aggregation.js';
import type { Operator } from '../../engine/exec/operator.js';
import { SessionWindowOperator } from '../../engine/exec/session-window.js';
import { col, type AggregateCall } from '../../engine/plan/expr.js';
import { T, type Row } from '../../engine/types.js';

// Input rows: [ts, sender, amount]
const SENDER = col(1, 'sender', T.bigint());
const AMOUNT = col(2, 'amount', T.bigint());
const CALLS: AggregateCall[] = [
  { fn: 'SUM', args: [AMOUNT], distinct: false, type: T.bigint() },
  { fn: 'COUNT_STAR', args: [], distinct: false, type: T.bigint() },
];

class Collect implements Operator {
  readonly rows: unknown[][] = [];
  process(row: Row): void {
    this.rows.push(row);
  }
  onWatermark(): void {}
  finish(): void {}
  snapshot(): unknown {
    return null;
  }
  restore(): void {}
}

const GAP = 10;

function session(out: Operator): SessionWindowOperator {
  return new SessionWindowOperator(GAP, 0, new Aggregation([SENDER], CALLS), out);
}

/** Work per record, for `records` records of `feed` (which returns the watermark to send after each record, if any). */
function workPerRecord(records: number, feed: (i: number) => { row: Row; watermark?: number }): number {
  const op = session(new Collect());
  for (let i = 0; i < records; i++) {
    const { row, watermark } = feed(i);
    op.process(row);
    if (watermark !== undefined) op.onWatermark(watermark);
  }
  op.onWatermark(Infinity);
  expect(op.work.rowsWritten).toBe(records);
  return op.work.sessionsVisited / records;
}

/** Work per record stays the same when the input grows 16 times. */
function expectLinear(feed: (i: number) => { row: Row; watermark?: number }): void {
  const small = workPerRecord(1_000, feed);
  const large = workPerRecord(16_000, feed);
  expect(large).toBeLessThanOrEqual(small * 1.25 + 1);
  expect(large).toBeLessThanOrEqual(8);
}

describe('SESSION window work is linear in the input', () => {
  it('one long session per key (records closer than the gap)', () => {
    expectLinear((i) => ({ row: [i, i % 3, 1], watermark: i - 5 }));
  });

  it('sessions that keep merging: every other record bridges the session and a record ahead of it', () => {
    // Record 2k opens a session just beyond the gap; record 2k+1 lands between and merges the two.
    expectLinear((i) => {
      const k = Math.floor(i / 2);
      const t = i % 2 === 0 ? k * 2 * GAP + 2 * GAP : k * 2 * GAP + GAP;
      return { row: [t, 1, 1] };
    });
  });

  it('many open sessions per key (the watermark far behind)', () => {
    expectLinear((i) => ({ row: [i * 2 * GAP, 1, 1] }));
  });
});

describe('SESSION window results', () => {
  it('a record bridging two sessions merges them into one', () => {
    const out = new Collect();
    const op = session(out);
    op.process([0, 1, 5]);
    op.process([20, 1, 7]);
    expect(op.openWindows).toBe(2);
    op.process([10, 1, 1]); // touches [0, 10] and [20, 30]: Flink's windows intersect inclusively
    expect(op.openWindows).toBe(1);
    op.onWatermark(Infinity);
    expect(out.rows).toEqual([[1, 0, 30, 29, 13, 3]]);
  });

  it('fires sessions in order of end, each once, and keeps the others open', () => {
    const out = new Collect();
    const op = session(out);
    op.process([100, 2, 1]);
    op.process([0, 1, 1]);
    op.process([5, 1, 1]);
    op.onWatermark(14); // [0, 15) fires at 14
    expect(out.rows).toEqual([[1, 0, 15, 14, 2, 2]]);
    expect(op.openWindows).toBe(1);
    op.onWatermark(14);
    expect(out.rows.length).toBe(1);
    op.onWatermark(Infinity);
    expect(out.rows).toEqual([
      [1, 0, 15, 14, 2, 2],
      [2, 100, 110, 109, 1, 1],
    ]);
  });

  it('restores open sessions from a checkpoint', () => {
    const first = session(new Collect());
    first.process([0, 1, 5]);
    first.process([8, 1, 6]);
    first.process([50, 1, 1]);
    const out = new Collect();
    const second = session(out);
    second.restore(JSON.parse(JSON.stringify(first.snapshot())));
    expect(second.openWindows).toBe(2);
    second.process([15, 1, 2]);
    second.onWatermark(Infinity);
    expect(out.rows).toEqual([
      [1, 0, 25, 24, 13, 3],
      [1, 50, 60, 59, 1, 1],
    ]);
  });
});
