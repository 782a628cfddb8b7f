// Window function state stays bounded as Flink bounds it (issue 18): an OVER window holds its
// frame (RANGE: the rows of the range, freed by the cleanup timer once a partition falls silent;
// ROWS: n + 1 rows a partition), a Top-N of an insert-only input only the top N, deduplication one
// row a key and, with 'table.exec.state.ttl', only the keys written within the TTL. Millions of
// rows go through each operator while what it holds is sampled: after the first range it stays
// flat however much more comes.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Aggregation } from '../../engine/exec/aggregation.js';
import { DeduplicateOperator } from '../../engine/exec/deduplicate.js';
import type { Operator } from '../../engine/exec/operator.js';
import { OverAggregateOperator } from '../../engine/exec/over-aggregate.js';
import { compileSortKey } from '../../engine/exec/sort-key.js';
import { StateTtl } from '../../engine/exec/state-ttl.js';
import { TopNOperator } from '../../engine/exec/top-n.js';
import { col, type AggregateCall } from '../../engine/plan/expr.js';
import { INSERT, T, type Row } from '../../engine/types.js';
import { mulberry32 } from '../prng.js';

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

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = (): number => {
  gc();
  return process.memoryUsage().heapUsed / 1e6;
};

const HOUR = 3_600_000;
const STEP_MS = 100; // 10 records a second of event time
const DELAY_MS = 5000;
const SUM: AggregateCall = {
  fn: 'SUM',
  args: [col(2, 'amount', T.bigint())],
  distinct: false,
  type: T.bigint(),
};
const COUNT: AggregateCall = { fn: 'COUNT_STAR', args: [], distinct: false, type: T.bigint(false) };

describe('window function state is bounded', () => {
  it("an OVER RANGE window holds the range of rows, however many millions pass (velocity: a sender's hour)", () => {
    const out = new Count();
    const random = mulberry32(18);
    const op = new OverAggregateOperator(
      (r) => r[1],
      0,
      { rows: false, preceding: HOUR },
      new Aggregation([], [SUM, COUNT], { retractable: true }),
      () => undefined,
      out,
    );
    const total = 3_000_000;
    const held: number[] = [];
    const heap: number[] = [];
    for (let i = 0; i < total; i++) {
      const ts = (i + 1) * STEP_MS; // after 0: Flink's bounded OVER takes a time at or before 0 as late
      op.process([ts, Math.floor(random() * 50_000), 1000 + (i % 9000)] as Row);
      if (i % 100 === 0) op.onWatermark(ts - DELAY_MS);
      if (i % 250_000 === 249_999) {
        held.push(op.heldRows);
        heap.push(heapMb());
      }
    }
    // A partition takes out the rows older than an hour when a new row comes, and is dropped by its
    // cleanup timer 1 to 1.5 hours after its last row (Flink's RowTimeRangeBoundedPrecedingFunction):
    // a quiet partition's rows wait for that. So about 1.5 hours of rows, at least the last hour's.
    const perHour = HOUR / STEP_MS;
    expect(Math.max(...held)).toBeLessThanOrEqual(2 * perHour);
    expect(Math.min(...held)).toBeGreaterThanOrEqual(perHour - 100);
    expect(Math.abs(held[held.length - 1]! - held[1]!)).toBeLessThan(0.1 * perHour);
    expect(heap[heap.length - 1]! - heap[1]!).toBeLessThan(10);
    op.onWatermark(Infinity);
    expect(out.rows).toBe(total);
    expect(op.heldRows).toBe(0);
    expect(op.partitionCount).toBe(0); // every partition's cleanup timer has fired
    expect(op.pendingTimers).toBe(0);
  });

  it('an OVER ROWS window holds n + 1 rows a partition', () => {
    const out = new Count();
    const random = mulberry32(3);
    const op = new OverAggregateOperator(
      (r) => r[1],
      0,
      { rows: true, preceding: 9 },
      new Aggregation([], [SUM], { retractable: true }),
      () => undefined,
      out,
    );
    const held: number[] = [];
    for (let i = 0; i < 1_000_000; i++) {
      const ts = i * STEP_MS;
      op.process([ts, Math.floor(random() * 10_000), i] as Row);
      if (i % 100 === 0) op.onWatermark(ts - DELAY_MS);
      if (i % 200_000 === 199_999) held.push(op.heldRows);
    }
    expect(Math.max(...held)).toBeLessThanOrEqual(10 * 10_000 + DELAY_MS / STEP_MS + 100);
    expect(held[held.length - 1]! - held[1]!).toBeLessThan(1000);
  });

  it('a Top-N of an insert-only input holds its N rows a partition', () => {
    const random = mulberry32(5);
    const sortKey = compileSortKey([
      { expr: col(2, 'amount', T.bigint()), descending: true, nullsFirst: false },
    ]);
    const op = new TopNOperator((r) => r[1], sortKey, 1, 3, true, false, new Count());
    for (let i = 0; i < 2_000_000; i++)
      op.process([i, Math.floor(random() * 1000), Math.floor(random() * 1_000_000)], INSERT);
    // Ties with the third row stay too: a few more than 3 000 at most.
    expect(op.heldRows).toBeGreaterThanOrEqual(3000);
    expect(op.heldRows).toBeLessThan(3100);
  });

  it("deduplication holds a row a key, and only the keys written within 'table.exec.state.ttl'", () => {
    const clock = { now: 0 };
    const ttlMs = 60_000;
    const run = (ttl: StateTtl | null): number[] => {
      const random = mulberry32(9);
      const op = new DeduplicateOperator((r) => r[1], 0, true, new Count(), ttl);
      const sizes: number[] = [];
      for (let i = 0; i < 1_000_000; i++) {
        clock.now = i; // one row a millisecond of processing time
        op.process([i, Math.floor(random() * 2_000_000), i]);
        if (i % 100_000 === 99_999) sizes.push(op.keyCount);
      }
      return sizes;
    };
    const withTtl = run(new StateTtl(ttlMs, () => clock.now));
    // Keys not written for the TTL are freed by a sweep at most every TTL / 2: at most 1.5 TTL of keys.
    expect(Math.max(...withTtl)).toBeLessThanOrEqual(1.5 * ttlMs);
    expect(Math.min(...withTtl)).toBeGreaterThanOrEqual((ttlMs / 2) * 0.9);
    // Without it, a row for every key ever seen.
    const without = run(null);
    expect(without[without.length - 1]!).toBeGreaterThan(390_000);
  });
});
