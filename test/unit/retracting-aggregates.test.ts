// The retracting accumulators (engine/exec/retracting-aggregates.ts) against the results Flink
// 1.20's retracting aggregate functions give for the same add/retract sequences.

import { describe, expect, it } from 'vitest';
import { createRetractingAccumulator } from '../../engine/exec/retracting-aggregates.js';
import { col, lit, type AggregateCall, type AggregateFunction, type Expr } from '../../engine/plan/expr.js';
import { T, type SqlType } from '../../engine/types.js';

const INT = T.int();
const BIGINT = T.bigint();
const DBL = T.double();
const STR = T.string();
const dec = (p: number, s: number): SqlType => T.decimal(p, s);

function agg(
  fn: AggregateFunction,
  argType: SqlType | null,
  type: SqlType,
  opts: { distinct?: boolean; separator?: string } = {},
): AggregateCall {
  const args: Expr[] = argType ? [col(0, 'v', argType)] : [];
  if (opts.separator !== undefined) args.push(lit(opts.separator, T.string(false)));
  return { fn, args, distinct: opts.distinct ?? false, type };
}

/** A step: add a value, or take one back (`retract`). */
type Step = { add: unknown } | { retract: unknown };
const add = (v: unknown): Step => ({ add: v });
const retract = (v: unknown): Step => ({ retract: v });

/** The result after each step. */
function results(call: AggregateCall, steps: readonly Step[]): unknown[] {
  const acc = createRetractingAccumulator(call);
  let s = acc.create();
  return steps.map((step) => {
    s = 'add' in step ? acc.add(s, step.add) : acc.retract(s, step.retract);
    return acc.result(s);
  });
}

/** The result after each step, snapshotted through JSON text and restored (by a fresh accumulator) after `cut` steps. */
function resultsWithCheckpoint(call: AggregateCall, steps: readonly Step[], cut: number): unknown[] {
  let acc = createRetractingAccumulator(call);
  let s = acc.create();
  return steps.map((step, i) => {
    if (i === cut) {
      const text = JSON.stringify(acc.toJSON(s));
      acc = createRetractingAccumulator(call);
      s = acc.fromJSON(JSON.parse(text));
    }
    s = 'add' in step ? acc.add(s, step.add) : acc.retract(s, step.retract);
    return acc.result(s);
  });
}

describe('COUNT', () => {
  it('COUNT(*) counts rows down as they are taken back', () => {
    expect(
      results(agg('COUNT_STAR', null, BIGINT), [
        add(undefined),
        add(undefined),
        retract(undefined),
        retract(undefined),
        add(undefined),
      ]),
    ).toEqual([1, 2, 1, 0, 1]);
  });

  it('COUNT(x) ignores nulls both ways', () => {
    expect(
      results(agg('COUNT', INT, BIGINT), [add(1), add(null), add(2), retract(null), retract(1), retract(2)]),
    ).toEqual([1, 1, 2, 2, 1, 0]);
  });
});

describe('SUM (SumWithRetractAggFunction)', () => {
  it('takes values back and is NULL once no non-null value is left', () => {
    expect(
      results(agg('SUM', INT, INT), [
        add(1),
        add(2),
        add(null),
        retract(1),
        retract(null),
        retract(2),
        add(5),
      ]),
    ).toEqual([1, 3, 3, 2, 2, null, 5]);
  });

  it('keeps its sum when the count is back at 0 (DOUBLE: the rounding left over stays)', () => {
    // 0.1 + 0.2 - 0.1 - 0.2 is 2.7755575615628914e-17 in doubles; Flink adds the next value to it.
    const out = results(agg('SUM', DBL, DBL), [add(0.1), add(0.2), retract(0.1), retract(0.2), add(1e-17)]);
    expect(out[3]).toBe(null);
    expect(out[4]).toBe(0.1 + 0.2 - 0.1 - 0.2 + 1e-17);
    expect(out[4]).not.toBe(1e-17);
  });

  it('a value taken back before any came makes the sum 0 - value', () => {
    expect(results(agg('SUM', INT, INT), [add(null), retract(5), add(7)])).toEqual([null, -5, null]);
  });

  it('BIGINT sums stay exact 64-bit longs, bigint only beyond 2^53, wrapping like Java', () => {
    expect(results(agg('SUM', BIGINT, BIGINT), [add(9007199254740991), add(2), retract(2)])).toEqual([
      9007199254740991,
      9007199254740993n,
      9007199254740991,
    ]);
    expect(results(agg('SUM', BIGINT, BIGINT), [add(9223372036854775807n), add(1), retract(1)])).toEqual([
      9223372036854775807n,
      -9223372036854775808n,
      9223372036854775807n,
    ]);
  });

  it('INT, SMALLINT and TINYINT wrap in both directions', () => {
    expect(results(agg('SUM', INT, INT), [add(2147483647), add(1), retract(1), add(0), retract(-1)])).toEqual(
      [2147483647, -2147483648, 2147483647, 2147483647, -2147483648],
    );
    const small = { name: 'SMALLINT', nullable: true } as const;
    expect(results(agg('SUM', small, small), [add(-32768), add(0), retract(1)])).toEqual([
      -32768, -32768, 32767,
    ]);
    const tiny = { name: 'TINYINT', nullable: true } as const;
    expect(results(agg('SUM', tiny, tiny), [add(-128), add(0), retract(1)])).toEqual([-128, -128, 127]);
  });

  it('DECIMAL sums are exact bigints moved to the result scale', () => {
    expect(
      results(agg('SUM', dec(10, 2), dec(38, 2)), [add(10n), add(20n), retract(10n), retract(20n)]),
    ).toEqual([10n, 30n, 20n, null]);
    expect(results(agg('SUM', dec(10, 2), dec(38, 4)), [add(10n), add(25n), retract(10n)])).toEqual([
      1000n,
      3500n,
      2500n,
    ]);
  });
});

describe('AVG', () => {
  it('integral: sum and count go down, the average truncates; NULL when empty', () => {
    expect(
      results(agg('AVG', INT, INT), [add(1), add(2), add(3), retract(3), retract(1), retract(2)]),
    ).toEqual([1, 1, 2, 1, 2, null]);
  });

  it('DOUBLE and DECIMAL', () => {
    expect(results(agg('AVG', DBL, DBL), [add(1), add(2), retract(1), add(null)])).toEqual([1, 1.5, 2, 2]);
    // (0.10 + 0.20 + 0.20) / 3 = 0.166667, then (0.20 + 0.20) / 2 = 0.2
    expect(results(agg('AVG', dec(10, 2), dec(38, 6)), [add(10n), add(20n), add(20n), retract(10n)])).toEqual(
      [100000n, 150000n, 166667n, 200000n],
    );
  });
});

describe('MIN and MAX (Min/MaxWithRetractAggFunction)', () => {
  it('duplicates: a value stays until every copy is taken back', () => {
    expect(
      results(agg('MIN', INT, INT), [add(5), add(5), add(3), retract(3), retract(5), retract(5)]),
    ).toEqual([5, 5, 3, 5, 5, null]);
    expect(results(agg('MAX', INT, INT), [add(5), add(9), add(9), retract(9), retract(9), add(7)])).toEqual([
      5, 9, 9, 9, 5, 7,
    ]);
  });

  it('taking back the extreme finds the next one; others leave it', () => {
    expect(results(agg('MAX', INT, INT), [add(1), add(4), add(2), retract(2), retract(4)])).toEqual([
      1, 4, 4, 4, 1,
    ]);
    expect(
      results(agg('MIN', dec(10, 2), dec(10, 2)), [add(150n), add(-25n), add(99n), retract(-25n)]),
    ).toEqual([150n, -25n, -25n, 99n]);
  });

  it('strings by code points, as the insert-only MIN/MAX', () => {
    // U+1F600 (a surrogate pair) is above U+FFFF by code point, below it by UTF-16 units.
    const out = results(agg('MAX', STR, STR), [
      add('a'),
      add('\uffff'),
      add('\u{1f600}'),
      retract('\u{1f600}'),
    ]);
    expect(out).toEqual(['a', '\uffff', '\u{1f600}', '\uffff']);
  });

  it('BIGINT numbers and bigints compare by value; booleans false < true', () => {
    expect(
      results(agg('MAX', BIGINT, BIGINT), [add(5), add(9007199254740993n), retract(9007199254740993n)]),
    ).toEqual([5, 9007199254740993n, 5]);
    expect(results(agg('MIN', T.boolean(), T.boolean()), [add(true), add(false), retract(false)])).toEqual([
      true,
      false,
      true,
    ]);
  });

  it('NaN is above every number (Double.compareTo)', () => {
    expect(results(agg('MAX', DBL, DBL), [add(1), add(NaN), retract(NaN)])).toEqual([1, NaN, 1]);
    expect(results(agg('MIN', DBL, DBL), [add(NaN), add(1), retract(1)])).toEqual([NaN, 1, NaN]);
  });

  it('a value taken back before it came leaves a negative count, as in Flink', () => {
    // MaxWithRetractAggFunction: retract(10) stores count -1; accumulate(10) sets max = 10 (5 < 10)
    // and removes the entry (count 0), so the result is 10.
    expect(results(agg('MAX', INT, INT), [add(5), retract(10), add(10)])).toEqual([5, 5, 10]);
    // Taken back alone: nothing counted, NULL; then the value's own add only cancels it.
    expect(results(agg('MIN', INT, INT), [retract(3), add(3), add(4)])).toEqual([null, null, 4]);
  });

  it('nulls change nothing', () => {
    expect(results(agg('MIN', INT, INT), [add(null), add(2), retract(null)])).toEqual([null, 2, 2]);
  });
});

describe('FIRST_VALUE and LAST_VALUE (First/LastValueWithRetractAggFunction)', () => {
  it('FIRST_VALUE: taking back the first value moves to the next in arrival order', () => {
    expect(
      results(agg('FIRST_VALUE', STR, STR), [
        add('a'),
        add('b'),
        add('c'),
        retract('a'),
        retract('c'),
        retract('b'),
      ]),
    ).toEqual(['a', 'a', 'a', 'b', 'b', null]);
  });

  it('a value taken back removes its earliest occurrence', () => {
    // a, b, a: taking back a removes the first a, so b is first; LAST_VALUE keeps the later a.
    expect(
      results(agg('FIRST_VALUE', STR, STR), [add('a'), add('b'), add('a'), retract('a'), retract('b')]),
    ).toEqual(['a', 'a', 'a', 'b', 'a']);
    expect(
      results(agg('LAST_VALUE', STR, STR), [add('a'), add('b'), add('a'), retract('a'), retract('a')]),
    ).toEqual(['a', 'b', 'a', 'a', 'b']);
  });

  it('LAST_VALUE: taking back the last value falls back to the one before', () => {
    expect(
      results(agg('LAST_VALUE', INT, INT), [
        add(1),
        add(2),
        add(3),
        retract(3),
        retract(1),
        add(4),
        retract(4),
        retract(2),
      ]),
    ).toEqual([1, 2, 3, 2, 2, 4, 2, null]);
  });

  it('ignore nulls and values never added', () => {
    expect(
      results(agg('FIRST_VALUE', INT, INT), [add(null), add(1), retract(null), retract(7), add(2)]),
    ).toEqual([null, 1, 1, 1, 1]);
    expect(results(agg('LAST_VALUE', INT, INT), [add(1), retract(9), add(null)])).toEqual([1, 1, 1]);
  });

  it('DECIMAL values compare by value', () => {
    expect(
      results(agg('FIRST_VALUE', dec(10, 2), dec(10, 2)), [add(100n), add(200n), retract(100n)]),
    ).toEqual([100n, 100n, 200n]);
  });
});

describe('LISTAGG (ListAggWithRetractAggFunction)', () => {
  it('a value taken back leaves the list; an updated value moves to the end', () => {
    expect(
      results(agg('LISTAGG', STR, STR), [add('a'), add('b'), add('c'), retract('b'), add('b2')]),
    ).toEqual(['a', 'a,b', 'a,b,c', 'a,c', 'a,c,b2']);
  });

  it('duplicates: the first occurrence goes', () => {
    expect(
      results(agg('LISTAGG', STR, STR, { separator: ';' }), [
        add('a'),
        add('b'),
        add('a'),
        retract('a'),
        add('c'),
      ]),
    ).toEqual(['a', 'a;b', 'a;b;a', 'b;a', 'b;a;c']);
  });

  it('NULL when empty again; values never added and nulls change nothing', () => {
    expect(
      results(agg('LISTAGG', STR, STR), [add('x'), retract('y'), retract(null), retract('x'), add('z')]),
    ).toEqual(['x', 'x', 'x', null, 'z']);
  });

  it('an empty string is a value', () => {
    expect(results(agg('LISTAGG', STR, STR, { separator: '|' }), [add(''), add('a'), retract('a')])).toEqual([
      '',
      '|a',
      '',
    ]);
  });
});

describe('DISTINCT (a value → count map)', () => {
  it('COUNT(DISTINCT x): a value counts until its last row is taken back', () => {
    expect(
      results(agg('COUNT', STR, BIGINT, { distinct: true }), [
        add('a'),
        add('a'),
        add('b'),
        retract('a'),
        retract('a'),
        retract('b'),
        add(null),
      ]),
    ).toEqual([1, 1, 2, 2, 1, 0, 0]);
  });

  it('SUM(DISTINCT x) and MIN(DISTINCT x) retract through the inner aggregate', () => {
    expect(
      results(agg('SUM', INT, INT, { distinct: true }), [add(5), add(5), add(1), retract(5), retract(5)]),
    ).toEqual([5, 5, 6, 6, 1]);
    expect(
      results(agg('MIN', INT, INT, { distinct: true }), [add(3), add(3), add(8), retract(3), retract(3)]),
    ).toEqual([3, 3, 3, 3, 8]);
  });

  it('LISTAGG(DISTINCT x): first occurrences, a value leaves with its last row', () => {
    expect(
      results(agg('LISTAGG', STR, STR, { distinct: true }), [
        add('b'),
        add('a'),
        add('b'),
        retract('b'),
        retract('b'),
        add('b'),
      ]),
    ).toEqual(['b', 'b,a', 'b,a', 'b,a', 'a', 'a,b']);
  });

  it('a value taken back before it came: its add only cancels the take-back, as in Flink', () => {
    expect(
      results(agg('COUNT', STR, BIGINT, { distinct: true }), [retract('a'), add('a'), add('a')]),
    ).toEqual([0, 0, 1]);
  });

  it('DECIMAL and large BIGINT values are one value each however they arrive', () => {
    expect(
      results(agg('COUNT', dec(10, 2), BIGINT, { distinct: true }), [add(100n), add(100n), retract(100n)]),
    ).toEqual([1, 1, 1]);
    expect(
      results(agg('COUNT', BIGINT, BIGINT, { distinct: true }), [
        add(9007199254740993n),
        add(9007199254740993n),
        retract(9007199254740993n),
        retract(9007199254740993n),
      ]),
    ).toEqual([1, 1, 1, 0]);
  });
});

describe('checkpoint round trips', () => {
  // Snapshotted through JSON text before every step and restored by a fresh accumulator: each
  // run must give the results of the uninterrupted run, step for step.
  const cases: [string, AggregateCall, Step[]][] = [
    [
      'COUNT(*)',
      agg('COUNT_STAR', null, BIGINT),
      [add(undefined), add(undefined), retract(undefined), add(undefined)],
    ],
    [
      'SUM DOUBLE',
      agg('SUM', DBL, DBL),
      [add(0.1), add(Infinity), retract(0.1), retract(Infinity), add(0.2)],
    ],
    [
      'SUM BIGINT past 2^53',
      agg('SUM', BIGINT, BIGINT),
      [add(9007199254740991), add(9007199254740991), retract(1), retract(9007199254740991)],
    ],
    [
      'SUM DECIMAL',
      agg('SUM', dec(10, 2), dec(38, 2)),
      [add(12345678901234567890n), add(10n), retract(12345678901234567890n), retract(10n), add(5n)],
    ],
    [
      'AVG BIGINT',
      agg('AVG', BIGINT, BIGINT),
      [add(9223372036854775807n), add(1), retract(9223372036854775807n), add(3)],
    ],
    ['AVG DOUBLE', agg('AVG', DBL, DBL), [add(1.5), add(2.5), retract(1.5), add(NaN), retract(NaN)]],
    [
      'MAX DECIMAL with duplicates',
      agg('MAX', dec(10, 2), dec(10, 2)),
      [add(500n), add(500n), add(100n), retract(500n), retract(500n), retract(100n)],
    ],
    ['MIN with a negative count', agg('MIN', INT, INT), [add(5), retract(2), add(7), add(2), retract(5)]],
    ['MAX DOUBLE with NaN', agg('MAX', DBL, DBL), [add(-Infinity), add(NaN), retract(NaN), add(1)]],
    [
      'FIRST_VALUE',
      agg('FIRST_VALUE', STR, STR),
      [add('a'), add('b'), add('a'), retract('a'), add('c'), retract('b'), retract('a')],
    ],
    [
      'LAST_VALUE BIGINT',
      agg('LAST_VALUE', BIGINT, BIGINT),
      [add(1), add(9007199254740993n), add(2), retract(2), retract(9007199254740993n)],
    ],
    [
      'LISTAGG',
      agg('LISTAGG', STR, STR, { separator: ';' }),
      [add('a'), add('b'), add('a'), retract('a'), add('c'), retract('b')],
    ],
    [
      'COUNT DISTINCT DECIMAL',
      agg('COUNT', dec(10, 2), BIGINT, { distinct: true }),
      [add(100n), add(100n), add(200n), retract(100n), retract(100n), add(100n)],
    ],
    [
      'LISTAGG DISTINCT',
      agg('LISTAGG', STR, STR, { distinct: true }),
      [add('b'), add('a'), add('b'), retract('b'), retract('b'), add('b')],
    ],
  ];

  for (const [name, call, steps] of cases) {
    it(`${name}: restore before any step matches the straight run`, () => {
      const straight = results(call, steps);
      for (let cut = 0; cut <= steps.length; cut++) {
        expect(resultsWithCheckpoint(call, steps, cut), `cut at ${cut}`).toEqual(straight);
      }
    });
  }
});
