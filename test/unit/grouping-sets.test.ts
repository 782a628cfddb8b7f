// GROUPING SETS / ROLLUP / CUBE read from GROUP BY (engine/plan/grouping-sets.ts): which sets each
// form means, how several set items multiply, and the front pass that lets node-sql-parser read
// GROUPING SETS at the same offsets; the planned rows are checked against Flink (conformance
// grouping_sets).
import { describe, expect, it } from 'vitest';
import { parseSqlFile } from '../../engine/sql/parse.js';
import { readGroupingSets } from '../../engine/plan/grouping-sets.js';
import { canonical } from '../../engine/plan/bind.js';
import { SqlError } from '../../engine/errors.js';
import type { SelectStatement } from '../../engine/sql/ast.js';
import type { SqlExpr } from '../../engine/sql/nodes.js';

function setsOf(groupBy: string): string[][] {
  const [st] = parseSqlFile(`SELECT COUNT(*) FROM t GROUP BY ${groupBy}`, 'q.sql');
  const sel = (st as SelectStatement).select;
  const items = sel.groupby?.columns ?? [];
  const gs = readGroupingSets(items, (_n, m) => new SqlError(undefined, m));
  if (!gs) return [];
  const name = (k: SqlExpr): string => (k.type === 'column_ref' ? String(k.column) : canonical(k));
  const plain = gs.plain.map(name);
  return gs.sets.map((s) => [...plain, ...s.map((i) => name(gs.keys[i]!))]);
}

describe('grouping sets', () => {
  it('GROUPING SETS lists its sets, () the empty one', () => {
    expect(setsOf('GROUPING SETS ((a, b), (a), ())')).toEqual([['a', 'b'], ['a'], []]);
    expect(setsOf('GROUPING SETS (a, (b), ( ))')).toEqual([['a'], ['b'], []]);
  });
  it('ROLLUP drops keys from the right, CUBE takes every subset (the full set first)', () => {
    expect(setsOf('ROLLUP (a, b)')).toEqual([['a', 'b'], ['a'], []]);
    expect(setsOf('CUBE (a, b)')).toEqual([['a', 'b'], ['a'], ['b'], []]);
  });
  it('plain keys are in every set; several set items multiply', () => {
    expect(setsOf('w, ROLLUP (a)')).toEqual([['w', 'a'], ['w']]);
    expect(setsOf('ROLLUP (a), CUBE (b)')).toEqual([['a', 'b'], ['a'], ['b'], []]);
  });
  it('a GROUP BY without sets is not read as one', () => {
    expect(setsOf('a, b')).toEqual([]);
  });
});
