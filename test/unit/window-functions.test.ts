// The window function operators on their own (issue 18): OVER aggregation (frames, peers, late
// rows, state freed as the range passes), Top-N and deduplication changelogs, window Top-N; and
// for each, a checkpoint taken mid-stream and restored into a new operator gives the same output
// as the run that never stopped.

import { describe, expect, it } from 'vitest';
import { Aggregation } from '../../engine/exec/aggregation.js';
import { DeduplicateOperator } from '../../engine/exec/deduplicate.js';
import type { Operator } from '../../engine/exec/operator.js';
import { OverAggregateOperator, type OverFrame } from '../../engine/exec/over-aggregate.js';
import { compileSortKey } from '../../engine/exec/sort-key.js';
import { TopNOperator } from '../../engine/exec/top-n.js';
import { WindowDeduplicateOperator, WindowRankOperator } from '../../engine/exec/window-rank.js';
import { spreadHash } from '../../engine/exec/java-hash-order.js';
import { StateTtl } from '../../engine/exec/state-ttl.js';
import { col, type AggregateCall } from '../../engine/plan/expr.js';
import {
  DELETE,
  INSERT,
  T,
  UPDATE_AFTER,
  UPDATE_BEFORE,
  type Row,
  type RowKind,
} from '../../engine/types.js';

// Input rows: [ts, account, amount, amount_d]
const AMOUNT = col(2, 'amount', T.int());
const AMOUNT_D = col(3, 'amount_d', T.double());
const SUM: AggregateCall = { fn: 'SUM', args: [AMOUNT], distinct: false, type: T.int() };
const COUNT: AggregateCall = { fn: 'COUNT_STAR', args: [], distinct: false, type: T.bigint(false) };
const SUM_D: AggregateCall = { fn: 'SUM', args: [AMOUNT_D], distinct: false, type: T.double() };
const KINDS = ['+I', '-U', '+U', '-D'];

class Collect implements Operator {
  readonly out: string[] = [];
  process(row: Row, kind: RowKind): void {
    this.out.push(`${KINDS[kind]}${JSON.stringify(row)}`);
  }
  onWatermark(): void {}
  finish(): void {}
  snapshot(): unknown {
    return null;
  }
  restore(): void {}
}

type Step = { row: Row; kind?: RowKind } | { wm: number };

function feed(op: Operator, steps: readonly Step[]): void {
  for (const s of steps) {
    if ('wm' in s) op.onWatermark(s.wm);
    else op.process(s.row, s.kind ?? INSERT);
  }
}

/**
 * The output of `steps` through a fresh operator, and through one stopped after each step, its
 * checkpoint (as JSON, as the store keeps it) restored into a new one that takes the rest: equal.
 */
function checkRestore<O extends Operator>(make: (out: Collect) => O, steps: readonly Step[]): string[] {
  const whole = new Collect();
  feed(make(whole), steps);
  for (let cut = 1; cut < steps.length; cut++) {
    const out = new Collect();
    const first = make(out);
    feed(first, steps.slice(0, cut));
    const state = JSON.parse(JSON.stringify(first.snapshot()));
    const second = make(out);
    second.restore(state);
    feed(second, steps.slice(cut));
    expect(out.out, `restored after step ${cut}`).toEqual(whole.out);
  }
  return whole.out;
}

const row = (ts: number, account: number, amount: number | null, amountD = 0): Step => ({
  row: [ts, account, amount, amountD],
});

function over(
  out: Operator,
  frame: OverFrame,
  calls: AggregateCall[] = [SUM, COUNT],
  late: Row[] = [],
): OverAggregateOperator {
  return new OverAggregateOperator(
    (r) => r[1],
    0,
    frame,
    new Aggregation([], calls, { retractable: true }),
    (r) => late.push(r),
    out,
  );
}

describe('OVER aggregation', () => {
  const steps: Step[] = [
    row(1000, 1, 10),
    row(1000, 1, 5),
    row(2000, 2, 7),
    row(3500, 1, 1),
    { wm: 1500 },
    row(3000, 1, 100),
    row(6000, 1, null),
    { wm: 4000 },
    { wm: Infinity },
  ];

  it('RANGE: rows wait for the watermark, come out in time order, peers see each other, the range slides', () => {
    const out = checkRestore((o) => over(o, { rows: false, preceding: 2000 }), steps);
    expect(out).toEqual([
      '+I[1000,1,10,0,15,2]',
      '+I[1000,1,5,0,15,2]',
      '+I[2000,2,7,0,7,1]',
      '+I[3000,1,100,0,115,3]', // 1000..3000
      '+I[3500,1,1,0,101,2]', // 1500..3500: the rows at 1000 left
      '+I[6000,1,null,0,null,1]', // 4000..6000: no amount, SUM is NULL, COUNT(*) 1
    ]);
  });

  it('ROWS: each row with the n before it, rows of one time in arrival order', () => {
    const out = checkRestore((o) => over(o, { rows: true, preceding: 1 }), steps);
    expect(out).toEqual([
      '+I[1000,1,10,0,10,1]',
      '+I[1000,1,5,0,15,2]',
      '+I[2000,2,7,0,7,1]',
      '+I[3000,1,100,0,105,2]',
      '+I[3500,1,1,0,101,2]',
      '+I[6000,1,null,0,1,2]',
    ]);
  });

  it('UNBOUNDED: everything before, rows after the watermark are late', () => {
    const late: Row[] = [];
    const out = new Collect();
    const op = over(out, { rows: false, preceding: null }, [SUM, COUNT], late);
    feed(op, [...steps.slice(0, 5), row(1200, 1, 3), ...steps.slice(5)]);
    expect(late).toEqual([[1200, 1, 3, 0]]);
    // Partition by partition, as their timers fire; in time order within each.
    expect(out.out).toEqual([
      '+I[1000,1,10,0,15,2]',
      '+I[1000,1,5,0,15,2]',
      '+I[3000,1,100,0,115,3]',
      '+I[3500,1,1,0,116,4]',
      '+I[2000,2,7,0,7,1]',
      '+I[6000,1,null,0,116,5]',
    ]);
  });

  it('LAG: the value n rows back (peers of a RANGE window see the last of them), else the default; restored with its buffer', () => {
    const make = (o: Collect): OverAggregateOperator =>
      new OverAggregateOperator(
        (r) => r[1],
        0,
        { rows: false, preceding: null },
        new Aggregation([], [COUNT], { retractable: true }),
        () => undefined,
        o,
        [
          { value: (r) => r[2], offset: 1, defaultValue: null, nullAs: null },
          { value: (r) => r[2], offset: 2, defaultValue: () => 0, nullAs: -1 },
        ],
      );
    const out = checkRestore(make, [
      row(1000, 1, 10),
      row(1000, 1, 5),
      row(2000, 1, null),
      { wm: 1500 },
      row(3000, 1, 7),
      row(4000, 1, 8),
      { wm: Infinity },
    ]);
    expect(out).toEqual([
      '+I[1000,1,10,0,2,10,0]',
      '+I[1000,1,5,0,2,10,0]',
      '+I[2000,1,null,0,3,5,10]',
      '+I[3000,1,7,0,4,null,5]',
      '+I[4000,1,8,0,5,7,-1]',
    ]);
  });

  it('RANGE bounded: a row not after its partition last fired is late; the state goes once the range has passed', () => {
    const late: Row[] = [];
    const out = new Collect();
    const op = over(out, { rows: false, preceding: 1000 }, [SUM, COUNT], late);
    feed(op, [
      row(5000, 1, 1),
      row(5000, 2, 1),
      { wm: 5000 },
      row(5000, 1, 2),
      row(4000, 2, 3),
      row(6000, 2, 4),
    ]);
    expect(late).toEqual([
      [5000, 1, 2, 0],
      [4000, 2, 3, 0],
    ]);
    expect(op.partitionCount).toBe(2);
    // Cleanup at 5000 + 1.5 * 1000 + 1 for both; 6000 is past 5000's range, so 2's moves to 7501.
    op.onWatermark(6501);
    expect(op.partitionCount).toBe(1);
    op.onWatermark(7501);
    expect(op.partitionCount).toBe(0);
    expect(out.out).toEqual(['+I[5000,1,1,0,1,1]', '+I[5000,2,1,0,1,1]', '+I[6000,2,4,0,5,2]']);
  });

  it('ROWS bounded keeps n + 1 rows per partition', () => {
    const out = new Collect();
    const op = over(out, { rows: true, preceding: 2 });
    for (let i = 0; i < 100; i++) feed(op, [row(1000 * (i + 1), 1, i), { wm: 1000 * (i + 1) }]);
    const state = JSON.parse(JSON.stringify(op.snapshot())) as {
      partitions: [unknown, [number, unknown[]][]][];
    };
    expect(state.partitions[0]![1].flatMap(([, rows]) => rows)).toHaveLength(3);
    expect(out.out.at(-1)).toBe('+I[100000,1,99,0,294,3]');
  });

  it('DOUBLE sums take expired rows out in the order of the Java HashMap Flink keeps them in', () => {
    // Long.hashCode spread: the bucket order of 16 buckets is not the time order for these times.
    const times = [16, 1, 33, 2];
    expect(times.map((t) => spreadHash(t) & 15)).toEqual([0, 1, 1, 2]);
    const out = new Collect();
    const op = over(out, { rows: false, preceding: 100 }, [SUM_D]);
    feed(op, [
      ...times.map((t, i) => ({ row: [t, 1, 0, [0.1, 0.2, 0.7, 1e16][i]!] })),
      { wm: 50 },
      { row: [1000, 1, 0, 0.3] },
      { wm: 2000 },
    ]);
    // At 1000 the four rows leave in bucket order: 16 (0.1), 1 (0.2), 33 (0.7), 2 (1e16).
    let sum = 0.2 + 0.1 + 0.7 + 1e16;
    for (const v of [0.1, 0.2, 0.7, 1e16]) sum -= v;
    expect(out.out.at(-1)).toBe(`+I[1000,1,0,0.3,${sum + 0.3}]`);
  });
});

describe('Top-N', () => {
  // Rows: [account, amount, id]; the top 2 amounts per account, descending.
  const sortKey = compileSortKey([{ expr: col(1, 'amount', T.int()), descending: true, nullsFirst: false }]);
  const r = (account: number, amount: number | null, id: string, kind: RowKind = INSERT): Step => ({
    row: [account, amount, id],
    kind,
  });
  const topN = (out: Operator, withNumber: boolean, retracting = false, start = 1): TopNOperator =>
    new TopNOperator((row) => row[0], sortKey, start, 2, withNumber, retracting, out);

  it('with the row number: -U/+U for every row whose number changes, ties in arrival order, NULL last', () => {
    const out = checkRestore(
      (o) => topN(o, true),
      [r(1, 5, 'a'), r(1, null, 'n'), r(1, 9, 'b'), r(1, 5, 'c'), r(1, 7, 'd'), r(2, 1, 'x')],
    );
    expect(out).toEqual([
      '+I[1,5,"a",1]',
      '+I[1,null,"n",2]',
      '-U[1,5,"a",1]',
      '+U[1,9,"b",1]',
      '-U[1,null,"n",2]',
      '+U[1,5,"a",2]',
      '-U[1,5,"a",2]',
      '+U[1,7,"d",2]',
      '+I[2,1,"x",1]',
    ]);
  });

  it('without it: only the rows that enter and leave', () => {
    const out = checkRestore((o) => topN(o, false), [r(1, 5, 'a'), r(1, 3, 'b'), r(1, 9, 'c'), r(1, 4, 'd')]);
    expect(out).toEqual(['+I[1,5,"a"]', '+I[1,3,"b"]', '-D[1,3,"b"]', '+I[1,9,"c"]']);
  });

  it('over an updating input a retraction brings the next row back up', () => {
    const out = checkRestore(
      (o) => topN(o, true, true),
      [
        r(1, 5, 'a'),
        r(1, 9, 'b'),
        r(1, 3, 'c'),
        r(1, 9, 'b', DELETE),
        r(1, 5, 'a', UPDATE_BEFORE),
        r(1, 6, 'a', UPDATE_AFTER),
      ],
    );
    expect(out).toEqual([
      '+I[1,5,"a",1]',
      '-U[1,5,"a",1]',
      '+U[1,9,"b",1]',
      '+I[1,5,"a",2]',
      '-U[1,9,"b",1]',
      '+U[1,5,"a",1]',
      '-U[1,5,"a",2]',
      '+U[1,3,"c",2]',
      '-U[1,5,"a",1]',
      '+U[1,3,"c",1]',
      '-D[1,3,"c",2]',
      '-U[1,3,"c",1]',
      '+U[1,6,"a",1]',
      '+I[1,3,"c",2]',
    ]);
  });

  it('numbers 2 to 2 only', () => {
    const out = checkRestore((o) => topN(o, true, false, 2), [r(1, 5, 'a'), r(1, 9, 'b'), r(1, 1, 'c')]);
    expect(out).toEqual(['+I[1,5,"a",2]']);
  });
});

describe('deduplication', () => {
  const d = (ts: number, key: number, id: string): Step => ({ row: [ts, key, id] });
  const steps = [d(10, 1, 'a'), d(5, 1, 'b'), d(10, 1, 'c'), d(20, 2, 'x'), d(20, 1, 'e'), d(7, 1, 'f')];

  it('keep first: an earlier row replaces the kept one at once', () => {
    const out = checkRestore((o) => new DeduplicateOperator((row) => row[1], 0, false, o), steps);
    expect(out).toEqual(['+I[10,1,"a"]', '-U[10,1,"a"]', '+U[5,1,"b"]', '+I[20,2,"x"]']);
  });

  it('keep last: a row not earlier replaces it (equal times: the later arrival)', () => {
    const out = checkRestore((o) => new DeduplicateOperator((row) => row[1], 0, true, o), steps);
    expect(out).toEqual([
      '+I[10,1,"a"]',
      '-U[10,1,"a"]',
      '+U[10,1,"c"]',
      '+I[20,2,"x"]',
      '-U[10,1,"c"]',
      '+U[20,1,"e"]',
    ]);
    expect(KINDS[UPDATE_AFTER]).toBe('+U');
  });
});

describe('deduplication on processing time and with a state TTL', () => {
  const d = (key: number, id: string): Step => ({ row: [0, key, id] });

  it('keep first by arrival is insert-only; keep last skips a row equal to the kept one', () => {
    const first = new Collect();
    feed(new DeduplicateOperator((row) => row[1], null, false, first), [d(1, 'a'), d(1, 'b'), d(2, 'x')]);
    expect(first.out).toEqual(['+I[0,1,"a"]', '+I[0,2,"x"]']);
    const last = new Collect();
    feed(new DeduplicateOperator((row) => row[1], null, true, last), [d(1, 'a'), d(1, 'a'), d(1, 'b')]);
    expect(last.out).toEqual(['+I[0,1,"a"]', '-U[0,1,"a"]', '+U[0,1,"b"]']);
  });

  it('a key not written for the TTL starts again with +I, and its state is freed', () => {
    let now = 0;
    const out = new Collect();
    const op = new DeduplicateOperator((row) => row[1], null, false, out, new StateTtl(1000, () => now));
    feed(op, [d(1, 'a'), d(2, 'x')]);
    now = 999;
    feed(op, [d(1, 'b')]);
    now = 1000;
    feed(op, [d(1, 'c')]);
    expect(out.out).toEqual(['+I[0,1,"a"]', '+I[0,2,"x"]', '+I[0,1,"c"]']);
    now = 2500;
    feed(op, [d(3, 'y')]);
    expect(op.keyCount).toBe(1);
  });
});

describe('window Top-N and window deduplication', () => {
  // Rows: [window_end, key, amount, ts]
  const w = (end: number, key: number, amount: number, ts: number): Step => ({ row: [end, key, amount, ts] });
  const steps: Step[] = [
    w(100, 1, 5, 10),
    w(100, 1, 9, 20),
    w(200, 1, 1, 150),
    w(100, 2, 4, 30),
    w(100, 1, 9, 5),
    { wm: 99 },
    w(100, 1, 50, 40),
    w(200, 1, 2, 160),
    { wm: 500 },
  ];

  it('ranks each window once it fires; rows for a fired window are late', () => {
    const late: Row[] = [];
    const sortKey = compileSortKey([
      { expr: col(2, 'amount', T.int()), descending: true, nullsFirst: false },
    ]);
    const out = checkRestore(
      (o) =>
        new WindowRankOperator(
          (row) => row[1],
          sortKey,
          1,
          2,
          true,
          0,
          (row) => late.push(row),
          o,
        ),
      steps,
    );
    expect(out).toEqual([
      '+I[100,1,9,20,1]',
      '+I[100,1,9,5,2]',
      '+I[100,2,4,30,1]',
      '+I[200,1,2,160,1]',
      '+I[200,1,1,150,2]',
    ]);
    expect(late).toContainEqual([100, 1, 50, 40]);
  });

  it('keeps the first row by time per window and key', () => {
    const out = checkRestore(
      (o) =>
        new WindowDeduplicateOperator(
          (row) => row[1],
          3,
          false,
          0,
          () => undefined,
          o,
        ),
      steps,
    );
    expect(out).toEqual(['+I[100,1,9,5]', '+I[100,2,4,30]', '+I[200,1,1,150]']);
  });
});
