// Window function state stays bounded as Flink bounds it (issue 18): an OVER window holds its
// frame (RANGE: the rows of the range, freed by the cleanup timer once a partition falls silent;
// ROWS: n + 1 rows a partition), a Top-N of an insert-only input only the top N, deduplication one
// row a key and, with 'table.exec.state.ttl', only the keys written within the TTL. Millions of
// rows go through each operator while what it holds is sampled: after the first range it stays
// flat however much more comes. Each test prints its rows, CPU and wall seconds; the loops hand
// the test runner's worker a turn at every sample, so a slow machine only makes them longer.
// 10 M rows through OVER ROWS (39 s of CPU), Top-N (2.3 s) and deduplication with a TTL (7.6 s);
// 3 M through OVER RANGE, whose hour of rows a partition costs 31.6 s of CPU per 3 M rows: 10 M
// would take nearly two minutes.

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
const TIMEOUT = 900_000;
// Rows through each operator.
const RANGE_TOTAL = 3_000_000;
const ROWS_TOTAL = 10_000_000;
const TOP_N_TOTAL = 10_000_000;
const DEDUP_TOTAL = 10_000_000;

/** Calls `step(i)` for i in 0..total-1 and `sample()` every `every` steps; prints how long it took. */
async function feed(
  what: string,
  total: number,
  every: number,
  step: (i: number) => void,
  sample: () => void,
): Promise<void> {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < total; i++) {
    step(i);
    if (i % every === every - 1) {
      sample();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `${what}: ${total} rows, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU, ${((performance.now() - wall0) / 1000).toFixed(1)} s wall`,
  );
}

describe('window function state is bounded', () => {
  it(
    "an OVER RANGE window holds the range of rows, however many millions pass (velocity: a sender's hour)",
    async () => {
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
      const total = RANGE_TOTAL;
      const held: number[] = [];
      const heap: number[] = [];
      await feed(
        'OVER RANGE',
        total,
        500_000,
        (i) => {
          const ts = (i + 1) * STEP_MS; // after 0: Flink's bounded OVER takes a time at or before 0 as late
          op.process([ts, Math.floor(random() * 50_000), 1000 + (i % 9000)] as Row);
          if (i % 100 === 0) op.onWatermark(ts - DELAY_MS);
        },
        () => {
          held.push(op.heldRows);
          heap.push(heapMb());
        },
      );
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
    },
    TIMEOUT,
  );

  it(
    'an OVER ROWS window holds n + 1 rows a partition',
    async () => {
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
      await feed(
        'OVER ROWS',
        ROWS_TOTAL,
        ROWS_TOTAL / 10,
        (i) => {
          const ts = i * STEP_MS;
          op.process([ts, Math.floor(random() * 10_000), i] as Row);
          if (i % 100 === 0) op.onWatermark(ts - DELAY_MS);
        },
        () => held.push(op.heldRows),
      );
      expect(Math.max(...held)).toBeLessThanOrEqual(10 * 10_000 + DELAY_MS / STEP_MS + 100);
      expect(held[held.length - 1]! - held[1]!).toBeLessThan(1000);
    },
    TIMEOUT,
  );

  it(
    'a Top-N of an insert-only input holds its N rows a partition',
    async () => {
      const random = mulberry32(5);
      const sortKey = compileSortKey([
        { expr: col(2, 'amount', T.bigint()), descending: true, nullsFirst: false },
      ]);
      const op = new TopNOperator((r) => r[1], sortKey, 1, 3, true, false, new Count());
      const held: number[] = [];
      await feed(
        'Top-N',
        TOP_N_TOTAL,
        TOP_N_TOTAL / 10,
        (i) => op.process([i, Math.floor(random() * 1000), Math.floor(random() * 1_000_000)], INSERT),
        () => held.push(op.heldRows),
      );
      // Ties with the third row stay too: a few more than 3 000 at most, from the first sample on.
      expect(Math.min(...held)).toBeGreaterThanOrEqual(3000);
      expect(Math.max(...held)).toBeLessThan(3100);
    },
    TIMEOUT,
  );

  it(
    "deduplication holds a row a key, and only the keys written within 'table.exec.state.ttl'",
    async () => {
      const clock = { now: 0 };
      const ttlMs = 60_000;
      const run = async (ttl: StateTtl | null, total: number): Promise<number[]> => {
        const random = mulberry32(9);
        const op = new DeduplicateOperator((r) => r[1], 0, true, new Count(), ttl);
        const sizes: number[] = [];
        await feed(
          ttl ? 'dedup with TTL' : 'dedup without TTL',
          total,
          100_000,
          (i) => {
            clock.now = i; // one row a millisecond of processing time
            op.process([i, Math.floor(random() * 2_000_000), i]);
          },
          () => sizes.push(op.keyCount),
        );
        return sizes;
      };
      const withTtl = await run(new StateTtl(ttlMs, () => clock.now), DEDUP_TOTAL);
      // Keys not written for the TTL are freed by a sweep at most every TTL / 2: at most 1.5 TTL of keys.
      expect(Math.max(...withTtl)).toBeLessThanOrEqual(1.5 * ttlMs);
      expect(Math.min(...withTtl)).toBeGreaterThanOrEqual((ttlMs / 2) * 0.9);
      // Without it, a row for every key ever seen.
      const without = await run(null, 1_000_000);
      expect(without[without.length - 1]!).toBeGreaterThan(390_000);
    },
    TIMEOUT,
  );
});
