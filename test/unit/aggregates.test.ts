import { describe, expect, it } from 'vitest';
import { createAccumulator, type Accumulator } from '../../engine/exec/aggregates.js';
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

/** Feeds values one by one and returns the final result. */
function run(call: AggregateCall, values: readonly unknown[]): unknown {
  const acc = createAccumulator(call);
  let state = acc.create();
  for (const v of values) state = acc.add(state, v);
  return acc.result(state);
}

/** Snapshot after `cut` values through real JSON text, restore, and continue. */
function runWithCheckpoint(call: AggregateCall, values: readonly unknown[], cut: number): unknown {
  const acc: Accumulator = createAccumulator(call);
  let state = acc.create();
  for (const v of values.slice(0, cut)) state = acc.add(state, v);
  const text = JSON.stringify(acc.toJSON(state));
  const restoredAcc = createAccumulator(call); // a fresh accumulator, as after a restart
  let restored = restoredAcc.fromJSON(JSON.parse(text));
  for (const v of values.slice(cut)) restored = restoredAcc.add(restored, v);
  return restoredAcc.result(restored);
}

describe('COUNT', () => {
  it('COUNT(*) counts every row, nulls included', () => {
    expect(run(agg('COUNT_STAR', null, BIGINT), [undefined, undefined, undefined])).toBe(3);
    expect(run(agg('COUNT_STAR', null, BIGINT), [])).toBe(0);
  });

  it('COUNT(x) counts non-null values; 0 when none', () => {
    expect(run(agg('COUNT', INT, BIGINT), [1, null, 2, null])).toBe(2);
    expect(run(agg('COUNT', INT, BIGINT), [null])).toBe(0);
  });

  it('COUNT(DISTINCT x)', () => {
    expect(run(agg('COUNT', STR, BIGINT, { distinct: true }), ['a', 'b', 'a', null, 'b', 'c'])).toBe(3);
    expect(run(agg('COUNT', dec(10, 2), BIGINT, { distinct: true }), [100n, 100n, 250n])).toBe(2);
  });
});

describe('SUM', () => {
  it('integral sums are exact numbers; nulls are skipped', () => {
    expect(run(agg('SUM', INT, INT), [1, null, 2, 3])).toBe(6);
    expect(run(agg('SUM', BIGINT, BIGINT), [2 ** 52, 2 ** 51])).toBe(2 ** 52 + 2 ** 51);
  });

  it('BIGINT sums are exact 64-bit longs: bigint past 2^53, wrapping like Java', () => {
    expect(run(agg('SUM', BIGINT, BIGINT), [9007199254740991, 2, 1])).toBe(9007199254740994n);
    expect(run(agg('SUM', BIGINT, BIGINT), [9223372036854775807n, 1])).toBe(-9223372036854775808n);
    // Back below 2^53 the sum is a plain number again (one representation per value).
    expect(run(agg('SUM', BIGINT, BIGINT), [9007199254740993n, -9007199254740993n, 5])).toBe(5);
  });

  it('INT, SMALLINT and TINYINT sums wrap like Java (Flink: SUM(INT) is INT)', () => {
    expect(run(agg('SUM', INT, INT), [2147483647, 1])).toBe(-2147483648);
    expect(
      run(agg('SUM', { name: 'SMALLINT', nullable: true }, { name: 'SMALLINT', nullable: true }), [32767, 2]),
    ).toBe(-32767);
    expect(
      run(agg('SUM', { name: 'TINYINT', nullable: true }, { name: 'TINYINT', nullable: true }), [100, 100]),
    ).toBe(-56);
  });

  it('is null when no non-null value arrived', () => {
    expect(run(agg('SUM', INT, INT), [])).toBe(null);
    expect(run(agg('SUM', INT, INT), [null, null])).toBe(null);
  });

  it('DECIMAL sums are exact bigints, moved to the result scale', () => {
    // 0.10 + 0.20 + 0.30 = 0.60 exactly
    expect(run(agg('SUM', dec(10, 2), dec(38, 2)), [10n, 20n, 30n])).toBe(60n);
    expect(run(agg('SUM', dec(10, 2), dec(38, 4)), [10n, 20n, 30n])).toBe(6000n);
    expect(run(agg('SUM', dec(10, 2), dec(38, 2)), [null, -15n, null])).toBe(-15n);
  });

  it('DOUBLE sums are floating point', () => {
    expect(run(agg('SUM', DBL, DBL), [0.5, 0.25, null])).toBe(0.75);
  });

  it('SUM(DISTINCT x)', () => {
    expect(run(agg('SUM', INT, INT, { distinct: true }), [5, 5, 1, 5, 1])).toBe(6);
    expect(run(agg('SUM', dec(10, 2), dec(38, 2), { distinct: true }), [150n, 150n, 50n])).toBe(200n);
  });
});

describe('AVG', () => {
  it('integral arguments give a truncated integral average (Flink)', () => {
    expect(run(agg('AVG', INT, INT), [1, 2])).toBe(1);
    expect(run(agg('AVG', BIGINT, BIGINT), [-1, -2])).toBe(-1);
    expect(run(agg('AVG', INT, INT), [7, 8, null, 9])).toBe(8);
  });

  it('DOUBLE gives a DOUBLE', () => {
    expect(run(agg('AVG', DBL, DBL), [1, 2])).toBe(1.5);
    expect(run(agg('AVG', INT, DBL), [1, 2])).toBe(1.5);
  });

  it('DECIMAL gives a DECIMAL at the result scale, half up', () => {
    // (0.10 + 0.20 + 0.20) / 3 = 0.1666.. -> 0.166667 at scale 6, 0.17 at scale 2
    expect(run(agg('AVG', dec(10, 2), dec(38, 6)), [10n, 20n, 20n])).toBe(166667n);
    expect(run(agg('AVG', dec(10, 2), dec(38, 2)), [10n, 20n, 20n])).toBe(17n);
    expect(run(agg('AVG', dec(10, 2), dec(38, 2)), [-10n, -20n, -20n])).toBe(-17n);
    expect(run(agg('AVG', INT, dec(38, 2)), [1, 2])).toBe(150n);
  });

  it('is null with no input; AVG(DISTINCT x)', () => {
    expect(run(agg('AVG', INT, INT), [null])).toBe(null);
    expect(run(agg('AVG', DBL, DBL, { distinct: true }), [1, 1, 1, 4])).toBe(2.5);
  });
});

describe('MIN and MAX', () => {
  it.each<[SqlType, unknown[], unknown, unknown]>([
    [INT, [3, null, 1, 2], 1, 3],
    [DBL, [-0.5, 2.5, null], -0.5, 2.5],
    [STR, ['pear', 'apple', null, 'Zebra'], 'Zebra', 'pear'],
    [T.timestamp(3), [2000, 1000, 3000], 1000, 3000],
    [dec(10, 2), [150n, -25n, null, 99n], -25n, 150n],
    [T.boolean(), [true, null, false], false, true],
  ])('over %o', (type, values, min, max) => {
    expect(run(agg('MIN', type, type), values)).toBe(min);
    expect(run(agg('MAX', type, type), values)).toBe(max);
    expect(run(agg('MIN', type, type, { distinct: true }), values)).toBe(min);
  });

  it('are null with no non-null input', () => {
    expect(run(agg('MIN', INT, INT), [null, null])).toBe(null);
    expect(run(agg('MAX', STR, STR), [])).toBe(null);
  });
});

describe('FIRST_VALUE and LAST_VALUE', () => {
  it('take the first / last non-null value in arrival order', () => {
    expect(run(agg('FIRST_VALUE', STR, STR), [null, 'a', 'b', null])).toBe('a');
    expect(run(agg('LAST_VALUE', STR, STR), [null, 'a', 'b', null])).toBe('b');
    expect(run(agg('LAST_VALUE', DBL, DBL), [44.7, 44.8])).toBe(44.8);
    expect(run(agg('FIRST_VALUE', INT, INT), [null])).toBe(null);
    expect(run(agg('LAST_VALUE', INT, INT), [])).toBe(null);
  });
});

describe('LISTAGG', () => {
  it('joins in arrival order with the default separator', () => {
    expect(run(agg('LISTAGG', STR, STR), ['a', null, 'b', 'a'])).toBe('a,b,a');
  });

  it('uses a given separator, including an empty or multi-character one', () => {
    expect(run(agg('LISTAGG', STR, STR, { separator: '; ' }), ['x', 'y'])).toBe('x; y');
    expect(run(agg('LISTAGG', STR, STR, { separator: '' }), ['x', 'y'])).toBe('xy');
    expect(run(agg('LISTAGG', STR, STR, { separator: '\n' }), ['x', 'y', 'z'])).toBe('x\ny\nz');
  });

  it('is null with no values; DISTINCT keeps first occurrences', () => {
    expect(run(agg('LISTAGG', STR, STR), [null])).toBe(null);
    expect(run(agg('LISTAGG', STR, STR, { distinct: true, separator: '|' }), ['b', 'a', 'b', 'c', 'a'])).toBe(
      'b|a|c',
    );
  });

  it('prints non-string values like CAST to STRING would for output', () => {
    expect(run(agg('LISTAGG', dec(10, 2), STR), [1234n, -5n])).toBe('12.34,-0.05');
  });
});

describe('running results', () => {
  it('result can be read after every add without disturbing the state', () => {
    const acc = createAccumulator(agg('AVG', dec(10, 2), dec(38, 2), { distinct: true }));
    let s = acc.create();
    const seen: unknown[] = [];
    for (const v of [100n, 300n, 300n, 200n]) {
      s = acc.add(s, v);
      seen.push(acc.result(s));
    }
    expect(seen).toEqual([100n, 200n, 200n, 200n]);
  });
});

describe('checkpoint round trips', () => {
  // Every aggregate, snapshotted mid-stream through JSON text, restored and continued, must end
  // where an uninterrupted run ends.
  const cases: [string, AggregateCall, unknown[]][] = [
    ['COUNT(*)', agg('COUNT_STAR', null, BIGINT), [undefined, undefined, undefined, undefined]],
    ['COUNT', agg('COUNT', INT, BIGINT), [1, null, 2, 3, null]],
    ['COUNT DISTINCT', agg('COUNT', STR, BIGINT, { distinct: true }), ['a', 'b', 'a', 'c', 'b', 'd']],
    ['SUM INT', agg('SUM', INT, INT), [1, null, 2, 3, 4]],
    ['SUM DECIMAL', agg('SUM', dec(10, 2), dec(38, 2)), [10n, 20n, null, 30n, 12345678901234567890n]],
    [
      'SUM DISTINCT DECIMAL',
      agg('SUM', dec(10, 2), dec(38, 2), { distinct: true }),
      [10n, 10n, 20n, 10n, 30n, 20n],
    ],
    ['SUM DOUBLE', agg('SUM', DBL, DBL), [0.5, Infinity, 1]],
    ['AVG INT', agg('AVG', INT, INT), [1, 2, 4, 8]],
    ['AVG DECIMAL', agg('AVG', dec(10, 2), dec(38, 6)), [10n, 20n, 20n, 5n]],
    ['AVG DOUBLE', agg('AVG', DBL, DBL), [1.5, 2.5, null, 3]],
    ['MIN DECIMAL', agg('MIN', dec(10, 2), dec(10, 2)), [500n, 200n, 300n, 100n]],
    ['MAX STRING', agg('MAX', STR, STR), ['a', 'c', 'b', 'd']],
    ['MAX TIMESTAMP', agg('MAX', T.timestamp(3), T.timestamp(3)), [1000, 3000, 2000, 4000]],
    ['FIRST_VALUE', agg('FIRST_VALUE', STR, STR), [null, 'first', 'second', 'third']],
    ['LAST_VALUE', agg('LAST_VALUE', DBL, DBL), [1.5, 2.5, null, 3.5, null]],
    ['LISTAGG', agg('LISTAGG', STR, STR, { separator: ';' }), ['a', 'b', null, 'c', 'd']],
    ['LISTAGG DISTINCT', agg('LISTAGG', STR, STR, { distinct: true }), ['a', 'b', 'a', 'c', 'b']],
    ['MIN DISTINCT BIGINT', agg('MIN', BIGINT, BIGINT, { distinct: true }), [5, 3, 5, 1, 3]],
  ];

  for (const [name, call, values] of cases) {
    it(`${name}: restore at every cut point matches the straight run`, () => {
      const straight = run(call, values);
      for (let cut = 0; cut <= values.length; cut++) {
        expect(runWithCheckpoint(call, values, cut), `cut at ${cut}`).toEqual(straight);
      }
    });
  }

  it('a restored DISTINCT state still remembers values seen before the snapshot', () => {
    const call = agg('COUNT', dec(10, 2), BIGINT, { distinct: true });
    expect(runWithCheckpoint(call, [100n, 200n, 100n, 200n, 300n], 2)).toBe(3);
  });
});
