// The ORDER BY of a window function as a comparison of rows, compiled once per job: each key in
// its direction, NULLs first or last, strings by code points (Flink compares their UTF-8 bytes).

import type { Expr } from '../plan/expr.js';
import type { Row } from '../types.js';
import { compileScalar } from './compile.js';
import { compareStrings } from './functions.js';

export interface CompiledSortKey {
  /** The sort key values of a row. */
  readonly keyOf: (row: Row) => unknown[];
  /** Negative when key `a` comes first, 0 for equal keys. */
  readonly compare: (a: readonly unknown[], b: readonly unknown[]) => number;
}

export function compileSortKey(
  keys: readonly { expr: Expr; descending: boolean; nullsFirst: boolean }[],
): CompiledSortKey {
  const fns = keys.map((k) => compileScalar(k.expr));
  const cmps = keys.map((k) => {
    const base =
      k.expr.type.name === 'STRING'
        ? (a: unknown, b: unknown) => compareStrings(a as string, b as string)
        : compareValues;
    const sign = k.descending ? -1 : 1;
    const nulls = k.nullsFirst ? -1 : 1;
    return (a: unknown, b: unknown): number => {
      const an = a === null || a === undefined;
      const bn = b === null || b === undefined;
      if (an || bn) return an && bn ? 0 : an ? nulls : -nulls;
      return sign * base(a, b);
    };
  });
  return {
    keyOf: (row) => fns.map((f) => f(row)),
    compare: (a, b) => {
      for (let i = 0; i < cmps.length; i++) {
        const c = cmps[i]!(a[i], b[i]);
        if (c !== 0) return c;
      }
      return 0;
    },
  };
}

/** Numbers, bigints (DECIMAL, large BIGINT), timestamps and booleans in SQL order. */
function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}
