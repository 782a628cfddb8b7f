// Aggregation with { retractable: true } (retract, rowCount, snapshots) and aggregate FILTER
// clauses, as the running GROUP BY operator calls them.

import { describe, expect, it } from 'vitest';
import { Aggregation, type GroupState } from '../../engine/exec/aggregation.js';
import {
  call,
  col,
  lit,
  type AggregateCall,
  type AggregateFunction,
  type Expr,
} from '../../engine/plan/expr.js';
import { T, type SqlType } from '../../engine/types.js';

// Input rows: [account, amount INT, price DECIMAL(10, 2), name STRING, big BIGINT]
const ACCOUNT = col(0, 'account', T.string());
const AMOUNT = col(1, 'amount', T.int());
const PRICE = col(2, 'price', T.decimal(10, 2));
const NAME = col(3, 'name', T.string());
const BIG = col(4, 'big', T.bigint());
type InputRow = [string, number | null, bigint | null, string | null, number | bigint | null];

function aggCall(
  fn: AggregateFunction,
  arg: Expr | null,
  type: SqlType,
  more: { distinct?: boolean; filter?: Expr } = {},
): AggregateCall {
  return {
    fn,
    args: arg ? [arg] : [],
    distinct: more.distinct ?? false,
    type,
    ...(more.filter ? { filter: more.filter } : {}),
  };
}

/** amount > n (NULL for a NULL amount, so such rows do not pass). */
const amountAbove = (n: number): Expr => call('>', [AMOUNT, lit(n, T.int(false))], T.boolean());

/** The aggregate results of a group (the output row without its key). */
function resultsOf(agg: Aggregation, g: GroupState): unknown[] {
  return agg.outputRow(g, 0).slice(agg.keyCount);
}

describe('retractable Aggregation', () => {
  const CALLS = [
    aggCall('COUNT_STAR', null, T.bigint(false)),
    aggCall('SUM', PRICE, T.decimal(38, 2)),
    aggCall('MAX', AMOUNT, T.int()),
    aggCall('LISTAGG', NAME, T.string()),
    aggCall('COUNT', NAME, T.bigint(false), { distinct: true }),
    aggCall('SUM', BIG, T.bigint()),
    aggCall('FIRST_VALUE', NAME, T.string()),
  ];
  const rows: InputRow[] = [
    ['acc', 10, 150n, 'a', 9007199254740991],
    ['acc', 30, 250n, 'b', 2],
    ['acc', 30, null, 'a', null],
    ['acc', null, 5n, null, 9007199254740991],
  ];

  it('retract takes a row back out of every aggregate; rowCount follows rows in and out', () => {
    const agg = new Aggregation([ACCOUNT], CALLS, { retractable: true });
    const g = agg.newGroupFor(rows[0]!);
    for (const r of rows) agg.add(g, r);
    expect(agg.rowCount(g)).toBe(4);
    expect(resultsOf(agg, g)).toEqual([4, 405n, 30, 'a,b,a', 2, 18014398509481984n, 'a']);

    agg.retract(g, rows[1]!);
    expect(agg.rowCount(g)).toBe(3);
    expect(resultsOf(agg, g)).toEqual([3, 155n, 30, 'a,a', 1, 18014398509481982n, 'a']);

    agg.retract(g, rows[2]!);
    agg.retract(g, rows[0]!);
    expect(agg.rowCount(g)).toBe(1);
    expect(resultsOf(agg, g)).toEqual([1, 5n, null, null, 0, 9007199254740991, null]);

    agg.retract(g, rows[3]!);
    expect(agg.rowCount(g)).toBe(0);
    expect(resultsOf(agg, g)).toEqual([0, null, null, null, 0, null, null]);
  });

  it('a -U/+U pair moves an updated value (LISTAGG order, MAX falls back)', () => {
    const agg = new Aggregation([ACCOUNT], CALLS, { retractable: true });
    const g = agg.newGroupFor(rows[0]!);
    agg.add(g, rows[0]!);
    agg.add(g, rows[1]!);
    agg.retract(g, rows[0]!); // -U
    agg.add(g, ['acc', 20, 150n, 'c', 1]); // +U
    expect(resultsOf(agg, g)).toEqual([2, 400n, 30, 'b,c', 2, 3, 'b']);
  });

  it('two keys: the group state has the row count after the accumulators', () => {
    const agg = new Aggregation([ACCOUNT, AMOUNT], [aggCall('COUNT_STAR', null, T.bigint(false))], {
      retractable: true,
    });
    const g = agg.newPairGroup('acc', 10);
    agg.add(g, rows[0]!);
    agg.add(g, rows[0]!);
    expect(g).toEqual(['acc', 10, 2, 2]);
    expect(agg.outputRow(g, 0)).toEqual(['acc', 10, 2]);
  });

  it('an insert-only Aggregation keeps its group layout and refuses retract and rowCount', () => {
    const agg = new Aggregation([ACCOUNT], [aggCall('COUNT_STAR', null, T.bigint(false))]);
    const g = agg.newGroupFor(rows[0]!);
    agg.add(g, rows[0]!);
    expect(g).toEqual(['acc', 1]);
    expect(() => agg.retract(g, rows[0]!)).toThrow(/insert-only/);
    expect(() => agg.rowCount(g)).toThrow(/insert-only/);
  });

  it('a retractable group survives a checkpoint through JSON text: states, multisets, row count, bigints', () => {
    const straight = new Aggregation([ACCOUNT], CALLS, { retractable: true });
    const g = straight.newGroupFor(rows[0]!);
    for (const r of rows) straight.add(g, r);
    straight.retract(g, rows[0]!);

    const text = JSON.stringify(straight.groupToJSON(g));
    const restoredAgg = new Aggregation([ACCOUNT], CALLS, { retractable: true });
    const restored = restoredAgg.groupFromJSON(JSON.parse(text));
    expect(restoredAgg.keyOfGroup(restored)).toBe('acc');
    expect(restoredAgg.rowCount(restored)).toBe(3);

    // Both continue alike: taking back the MAX's last 30 and the LISTAGG's 'b' need the restored multiset and list.
    for (const [agg, group] of [
      [straight, g],
      [restoredAgg, restored],
    ] as const) {
      agg.retract(group, rows[1]!);
      agg.retract(group, rows[2]!);
      agg.add(group, ['acc', 7, 1n, 'd', 9223372036854775807n]);
    }
    expect(resultsOf(restoredAgg, restored)).toEqual(resultsOf(straight, g));
    // SUM(big): 9007199254740991 + Long.MAX_VALUE wraps like Java's long.
    expect(resultsOf(restoredAgg, restored)).toEqual([2, 6n, 7, 'd', 1, -9214364837600034818n, 'd']);
    expect(restoredAgg.rowCount(restored)).toBe(2);
  });
});

describe('aggregate FILTER (WHERE ...)', () => {
  it('only rows whose condition is TRUE reach the aggregate (NULL does not)', () => {
    const agg = new Aggregation(
      [ACCOUNT],
      [
        aggCall('COUNT_STAR', null, T.bigint(false), { filter: amountAbove(100) }),
        aggCall('SUM', AMOUNT, T.int(), { filter: amountAbove(100) }),
        aggCall('COUNT_STAR', null, T.bigint(false)),
      ],
    );
    const g = agg.newGroupFor(['acc', 0, null, null, null]);
    for (const amount of [50, 150, null, 200, 100]) agg.add(g, ['acc', amount, null, null, null]);
    expect(resultsOf(agg, g)).toEqual([2, 350, 5]);
  });

  it('retract skips the same rows add skipped; the row count counts every row', () => {
    const agg = new Aggregation(
      [ACCOUNT],
      [
        aggCall('COUNT_STAR', null, T.bigint(false), { filter: amountAbove(100) }),
        aggCall('MIN', AMOUNT, T.int(), { filter: amountAbove(100) }),
      ],
      { retractable: true },
    );
    const g = agg.newGroupFor(['acc', 0, null, null, null]);
    const r = (amount: number | null): InputRow => ['acc', amount, null, null, null];
    for (const amount of [50, 150, 300]) agg.add(g, r(amount));
    expect(resultsOf(agg, g)).toEqual([2, 150]);
    agg.retract(g, r(50));
    expect(resultsOf(agg, g)).toEqual([2, 150]);
    agg.retract(g, r(150));
    expect(resultsOf(agg, g)).toEqual([1, 300]);
    expect(agg.rowCount(g)).toBe(1);
    agg.retract(g, r(300));
    expect(resultsOf(agg, g)).toEqual([0, null]);
    expect(agg.rowCount(g)).toBe(0);
  });

  it('DISTINCT sees only the rows that pass', () => {
    const agg = new Aggregation(
      [ACCOUNT],
      [aggCall('COUNT', NAME, T.bigint(false), { distinct: true, filter: amountAbove(0) })],
      { retractable: true },
    );
    const g = agg.newGroupFor(['acc', 0, null, null, null]);
    agg.add(g, ['acc', 1, null, 'a', null]);
    agg.add(g, ['acc', -1, null, 'b', null]);
    agg.add(g, ['acc', 2, null, 'a', null]);
    expect(resultsOf(agg, g)).toEqual([1]);
    agg.retract(g, ['acc', -1, null, 'b', null]); // filtered out both ways: 'b' never counted
    agg.retract(g, ['acc', 1, null, 'a', null]);
    expect(resultsOf(agg, g)).toEqual([1]);
    agg.retract(g, ['acc', 2, null, 'a', null]);
    expect(resultsOf(agg, g)).toEqual([0]);
  });
});
