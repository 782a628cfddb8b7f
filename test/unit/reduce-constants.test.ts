// Constant folding as Flink's planner folds (engine/exec/reduce.ts), seen through the compiler: each
// case is a Flink 1.20.3 result checked with the expression fuzzer (test/conformance/fuzz).

import { describe, expect, it } from 'vitest';
import { compileScalar } from '../../engine/exec/compile.js';
import { call, col, lit, type Expr } from '../../engine/plan/expr.js';
import { T } from '../../engine/types.js';

const DBL_NN = T.double(false);
const d = (v: number): Expr => lit(v, DBL_NN);
const dcol = col(0, 'd', T.double());
const cast = (arg: Expr, type = T.double(false)): Expr => ({ kind: 'cast', arg, type });
const eval1 = (e: Expr, row: unknown[] = []): unknown => compileScalar(e)(row);
// CAST(123456 AS DECIMAL(3, 0)): overflows, so null, though its type is NOT NULL.
const overflow = cast(lit(123456n, T.decimal(6, 0, false)), T.decimal(3, 0, false));

describe('constant folding as Flink', () => {
  it('folds a DOUBLE constant without the sign of zero, unlike the same value computed per row', () => {
    expect(Object.is(eval1(call('/', [d(0), d(-0.25)], DBL_NN)), 0)).toBe(true); // 0.0E0 / -0.25
    expect(Object.is(eval1(call('*', [dcol, d(-0.25)], T.double()), [0]), -0)).toBe(true);
    // Folded as text, the sign stays: CAST(0.0E0 / -0.25 AS STRING) is '-0.0'.
    expect(eval1(cast(call('/', [d(0), d(-0.25)], DBL_NN), T.string(false)))).toBe('-0.0');
  });

  it('x + 0 and 0 + x are x: d = -0.0 stays -0.0', () => {
    expect(Object.is(eval1(call('+', [dcol, d(0)], T.double()), [-0]), -0)).toBe(true);
    expect(Object.is(eval1(call('+', [d(0), dcol], T.double()), [-0]), -0)).toBe(true);
    expect(Object.is(eval1(call('+', [dcol, d(1)], T.double()), [-0]), 1)).toBe(true);
  });

  it("gives a NOT NULL constant that overflows its type's default, a nullable one NULL", () => {
    expect(eval1(cast(overflow, T.int(false)))).toBe(-1);
    expect(eval1(cast(overflow, T.double(false)))).toBe(-1);
    expect(eval1(cast(overflow, T.string(false)))).toBe('');
    expect(eval1(cast(overflow, T.int(true)))).toBe(null);
    // Inside an expression, the DECIMAL's null goes on (POWER(CAST(... AS DECIMAL(3, 0)), d) is NULL).
    expect(eval1(call('POWER', [cast(overflow), dcol], T.double()), [2])).toBe(null);
  });

  it('drops CASE branches whose condition folds, the value keeping the CASE type', () => {
    // CASE WHEN TRUE THEN CAST(CAST(... AS DECIMAL(3, 0)) AS STRING) ELSE s END: NULL in Flink, not ''.
    const s = col(0, 's', T.string());
    const e: Expr = {
      kind: 'case',
      whens: [{ when: lit(true, T.boolean(false)), then: cast(overflow, T.string(false)) }],
      otherwise: s,
      type: T.string(),
    };
    expect(eval1(e, ['x'])).toBe(null);
    const never: Expr = {
      ...e,
      whens: [{ when: lit(false, T.boolean(false)), then: lit('a', T.string(false)) }],
    };
    expect(eval1(never, ['x'])).toBe('x');
  });

  it('does not fold what reads the clock', () => {
    const now = compileScalar(call('CURRENT_TIMESTAMP', [], T.timestampLtz(3, false)));
    const first = now([]) as number;
    const until = Date.now() + 5;
    while (Date.now() < until); // a few milliseconds later
    expect(now([]) as number).toBeGreaterThan(first);
  });
});
