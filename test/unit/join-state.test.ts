// Join state stays bounded as Flink bounds it (issue 17): an interval join holds only the rows whose
// interval the watermark has not passed, a window join only the windows not yet fired, and a
// regular join, which would keep every row, forgets them with 'table.exec.state.ttl'. Millions of
// rows go through each operator while the rows it holds (and, for the interval join, the heap
// after a full GC) are sampled: after the first interval they stay flat however much more comes.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { IntervalJoinOperator } from '../../engine/exec/interval-join.js';
import type { Operator } from '../../engine/exec/operator.js';
import { RegularJoinOperator } from '../../engine/exec/regular-join.js';
import { StateTtl } from '../../engine/exec/state-ttl.js';
import { WindowJoinOperator } from '../../engine/exec/window-join.js';
import { INSERT, type Row } from '../../engine/types.js';
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

// A full garbage collection on demand (vitest's workers do not start with --expose-gc).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = (): number => {
  gc();
  return process.memoryUsage().heapUsed / 1e6;
};

/** A deterministic stream of account numbers 0..n-1. */
function accounts(seed: number, n: number): () => number {
  const random = mulberry32(seed);
  return () => Math.floor(random() * n);
}

const HOUR = 3_600_000;
const STEP_MS = 100; // 10 records a second of event time
const DELAY_MS = 5000;

describe('join state is bounded', () => {
  it('an interval join holds one interval of rows, however many millions pass (rapid cash-out: deposits wait an hour)', () => {
    const out = new Count();
    // rapid_cashout.sql: d.ts - o.ts in [-1 h, 0], keyed by the deposit's receiver = the cash-out's sender.
    const key = (r: Row): unknown => r[1];
    const join = new IntervalJoinOperator(
      'INNER',
      { leftTimeIndex: 0, rightTimeIndex: 0, lower: -HOUR, upper: 0 },
      [key, key],
      null,
      [3, 3],
      out,
    );
    const [left, right] = join.inputs;
    const next = accounts(7, 200_000);
    const total = 3_000_000;
    const held: number[] = [];
    const heap: number[] = [];
    for (let i = 0; i < total; i++) {
      const ts = i * STEP_MS;
      const row: Row = [ts, next(), 1000 + (i % 9000)];
      // Every other row a deposit, the rest cash-outs.
      if (i % 2 === 0) left.process(row, INSERT);
      else right.process(row, INSERT);
      if (i % 100 === 0) {
        left.onWatermark(ts - DELAY_MS);
        right.onWatermark(ts - DELAY_MS);
      }
      if (i % 250_000 === 249_999) {
        held.push(join.heldRows);
        heap.push(heapMb());
      }
    }
    // One hour is 36 000 rows, 18 000 of them deposits; cash-outs wait only for the watermark (5 s).
    const perInterval = HOUR / STEP_MS / 2;
    expect(Math.max(...held)).toBeLessThanOrEqual(perInterval + 2 * (DELAY_MS / STEP_MS + 100));
    expect(Math.min(...held)).toBeGreaterThanOrEqual(perInterval - 100);
    // Flat: the last samples hold what the first did, 12 times the input later.
    expect(Math.abs(held[held.length - 1]! - held[0]!)).toBeLessThan(200);
    // And so does the heap: millions of rows passed, a few MB at most more are in use.
    expect(heap[heap.length - 1]! - heap[0]!).toBeLessThan(8);
    expect(out.rows).toBeGreaterThan(100_000); // it did join
    // The end of input frees everything.
    left.onWatermark(Infinity);
    right.onWatermark(Infinity);
    expect(join.heldRows).toBe(0);
  });

  it('a window join holds the open windows only: two 10-minute windows of rows at most', () => {
    const out = new Count();
    const key = (r: Row): unknown => r[2];
    // Rows as a window aggregate sends them: [window_start, window_end, key].
    const join = new WindowJoinOperator('LEFT', [1, 1], [key, key], null, [3, 3], out);
    const [left, right] = join.inputs;
    const window = 600_000;
    const perWindow = window / STEP_MS; // 6000 rows a window, per side
    const next = accounts(11, 100_000);
    const total = 2_400_000;
    const held: number[] = [];
    let mostWindows = 0;
    for (let i = 0; i < total; i++) {
      const ts = i * STEP_MS;
      const start = ts - (ts % window);
      (i % 2 === 0 ? left : right).process([start, start + window, next()], INSERT);
      if (i % 100 === 0) {
        left.onWatermark(ts - DELAY_MS);
        right.onWatermark(ts - DELAY_MS);
        mostWindows = Math.max(mostWindows, join.openWindows);
      }
      // The last row of every 40th window: the most a window holds, sampled at the same moment each time.
      if (ts % (40 * window) === 40 * window - STEP_MS)
        held.push((join.snapshot() as { length: number }).length);
    }
    expect(held.length).toBe(10);
    // A window's rows are held until the watermark passes its end (5 s after): one window and those 5 s.
    expect(mostWindows).toBe(2);
    expect(Math.max(...held)).toBeLessThanOrEqual(perWindow + DELAY_MS / STEP_MS + 100);
    expect(new Set(held).size).toBe(1); // flat: the same at the end as after the first 40 windows
    left.onWatermark(Infinity);
    right.onWatermark(Infinity);
    expect(join.openWindows).toBe(0);
    expect(out.rows).toBeGreaterThanOrEqual(total / 2); // a LEFT join: every left row goes out
  });

  it("a regular join keeps every row, unless 'table.exec.state.ttl' lets it forget them", () => {
    const ttlMs = 60_000;
    const run = (rows: number, ttl: StateTtl | null, clock: { now: number }): number[] => {
      const key = (r: Row): unknown => r[0];
      const out = new Count();
      const join = new RegularJoinOperator('INNER', [key, key], null, [2, 2], out, ttl);
      const next = accounts(3, 1_000_000);
      const sizes: number[] = [];
      for (let i = 0; i < rows; i++) {
        clock.now = i; // one row a millisecond of processing time
        join.processFrom((i % 2) as 0 | 1, [next(), i], INSERT);
        if (i % 100_000 === 99_999) sizes.push(join.stateRows);
      }
      expect(out.rows).toBeGreaterThan(0);
      return sizes;
    };
    const clock = { now: 0 };
    const withTtl = run(1_000_000, new StateTtl(ttlMs, () => clock.now), clock);
    // Rows not written for the TTL are freed by a sweep at most every TTL / 2: at most 1.5 TTL of rows.
    expect(Math.max(...withTtl)).toBeLessThanOrEqual(1.5 * ttlMs);
    expect(Math.min(...withTtl)).toBeGreaterThanOrEqual(ttlMs / 2);
    // Without a TTL it grows with the input, row for row.
    const without = run(300_000, null, { now: 0 });
    expect(without).toEqual([100_000, 200_000, 300_000]);
  });
});
