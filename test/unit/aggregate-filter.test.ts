// Aggregate FILTER (WHERE ...) (issue 15): the front pass that lets node-sql-parser read it
// (engine/sql/aggregate-filter.ts) and the binding of its condition (engine/plan/aggregate-filter.ts).

import { describe, expect, it } from 'vitest';
import pkg from 'node-sql-parser/build/flinksql.js';
import { SqlError } from '../../engine/errors.js';
import type { Positions } from '../../engine/sql/ast.js';
import { exprFromParser } from '../../engine/sql/from-parser.js';
import type { BinaryNode, SqlExpr } from '../../engine/sql/nodes.js';
import {
  aggregateFilterParts,
  markAggregateFilters,
  withAggregateFilter,
} from '../../engine/sql/aggregate-filter.js';
import { LineIndex, tokenize } from '../../engine/sql/tokenize.js';
import { bindAggregateFilter } from '../../engine/plan/aggregate-filter.js';
import { ExprBinder, canonical } from '../../engine/plan/bind.js';
import { call, col, lit } from '../../engine/plan/expr.js';
import { T } from '../../engine/types.js';

const parser = new pkg.Parser();

function marked(sql: string): string {
  const lines = new LineIndex(sql, 'job.sql');
  return markAggregateFilters(sql, tokenize(sql, lines), lines);
}

/** The first SELECT item's expression node, parsed from the marked text and converted (from-parser.ts). */
function firstItem(sql: string): SqlExpr {
  const ast = parser.astify(marked(sql), {
    database: 'flinksql',
    parseOptions: { includeLocations: true },
  }) as { columns: { expr: unknown }[] } | { columns: { expr: unknown }[] }[];
  const raw = (Array.isArray(ast) ? ast[0]! : ast).columns[0]!.expr;
  const at = { file: 'job.sql', line: 1, col: 1 };
  return exprFromParser(raw, { at: () => at, identifier: () => at, offsetOf: () => undefined, start: at });
}

describe('markAggregateFilters', () => {
  it('keeps every offset: FILTER becomes the operator, WHERE spaces, the rest is untouched', () => {
    const sql = 'SELECT k, COUNT(*) FILTER (WHERE amount > 100) AS big FROM t GROUP BY k';
    const out = marked(sql);
    expect(out).toBe('SELECT k, COUNT(*) #>>    (      amount > 100) AS big FROM t GROUP BY k');
    expect(out.length).toBe(sql.length);
  });

  it('reads any spacing and case, and several filters', () => {
    expect(marked('SELECT SUM(x) filter(where x > 1), MAX(y)\n  FILTER\n  (\n  WHERE y < 0) FROM t')).toBe(
      'SELECT SUM(x) #>>   (      x > 1), MAX(y)\n  #>>   \n  (\n        y < 0) FROM t',
    );
  });

  it('leaves FILTER alone when it is not a clause after a function call', () => {
    for (const sql of [
      'SELECT filter FROM t',
      'SELECT SUM(filter) FROM t WHERE filter > 1',
      'SELECT f FROM t AS filter',
      "SELECT 'FILTER (WHERE x)' FROM t",
      'SELECT 1 FILTER (WHERE x) FROM t',
    ]) {
      expect(marked(sql)).toBe(sql);
    }
  });

  it("refuses a '#' written in the query (the operator must only come from this pass)", () => {
    expect(() => marked('SELECT SUM(x) #>> (x > 1) FROM t')).toThrow(SqlError);
    expect(() => marked('SELECT SUM(x) #>> (x > 1) FROM t')).toThrow(/unexpected '#'/);
    expect(marked("SELECT '#' FROM t")).toBe("SELECT '#' FROM t");
  });
});

describe('the marked node', () => {
  it('joins the aggregate and its condition, binding tighter than any operator around it', () => {
    const node = firstItem('SELECT 2 * SUM(x) FILTER (WHERE x > 1 OR y IS NULL) + 1 FROM t') as BinaryNode;
    expect(node.operator).toBe('+');
    const times = node.left as BinaryNode;
    expect(times.operator).toBe('*');
    const parts = aggregateFilterParts(times.right)!;
    expect(parts.aggregate).toMatchObject({ type: 'aggr_func', name: 'SUM' });
    expect(parts.condition).toMatchObject({ type: 'binary_expr', operator: 'OR' });
  });

  it('COUNT(*), COUNT(DISTINCT x), LISTAGG with a separator, FIRST_VALUE', () => {
    expect(
      aggregateFilterParts(firstItem('SELECT COUNT(*) FILTER (WHERE a) FROM t'))!.aggregate,
    ).toMatchObject({ type: 'aggr_func', name: 'COUNT', arg: { type: 'star' } });
    expect(
      aggregateFilterParts(firstItem('SELECT COUNT(DISTINCT x) FILTER (WHERE a) FROM t'))!.aggregate,
    ).toMatchObject({ name: 'COUNT', distinct: true });
    expect(
      aggregateFilterParts(firstItem("SELECT LISTAGG(x, ';') FILTER (WHERE a) FROM t"))!.aggregate,
    ).toMatchObject({ name: 'LISTAGG', separator: { value: ';' } });
    expect(
      aggregateFilterParts(firstItem('SELECT FIRST_VALUE(x) FILTER (WHERE a) FROM t'))!.aggregate,
    ).toMatchObject({ type: 'function' });
  });

  it('is not found in nodes without FILTER; withAggregateFilter rebuilds it', () => {
    const plain = firstItem('SELECT SUM(x) FROM t');
    expect(aggregateFilterParts(plain)).toBeUndefined();
    const filtered = firstItem('SELECT SUM(x) FILTER (WHERE x > 1) FROM t');
    const parts = aggregateFilterParts(filtered)!;
    expect(canonical(withAggregateFilter(parts.aggregate, parts.condition))).toBe(canonical(filtered));
    // Two filters on one aggregate are two different calls to the planner.
    expect(canonical(firstItem('SELECT SUM(x) FILTER (WHERE x > 2) FROM t'))).not.toBe(canonical(filtered));
  });
});

describe('bindAggregateFilter', () => {
  const positions: Positions = {
    at: () => ({ file: 'job.sql', line: 1, col: 1 }),
    identifier: () => ({ file: 'job.sql', line: 1, col: 1 }),
    offsetOf: () => undefined,
    start: { file: 'job.sql', line: 1, col: 1 },
  };
  const COLUMNS = [col(0, 'amount', T.int()), col(1, 'memo', T.string())];
  // The aggregate's argument binder: input columns, no aggregates.
  const binder = new ExprBinder({
    positions,
    clause: 'an aggregate function',
    column: (name) => {
      const c = COLUMNS.find((x) => x.name === name);
      if (!c) throw new SqlError(positions.start, `unknown column '${name}'`);
      return c;
    },
  });

  it('binds the condition over the input row and returns the aggregate without it', () => {
    const bound = bindAggregateFilter(
      firstItem('SELECT SUM(amount) FILTER (WHERE amount > 100) FROM t'),
      binder,
      positions,
    );
    expect(bound.aggregate).toMatchObject({ type: 'aggr_func', name: 'SUM' });
    expect(bound.filter).toEqual(call('>', [COLUMNS[0]!, lit(100, T.int(false))], T.boolean()));
  });

  it('passes an aggregate without FILTER through', () => {
    const node = firstItem('SELECT COUNT(*) FROM t');
    expect(bindAggregateFilter(node, binder, positions)).toEqual({ aggregate: node });
  });

  it('refuses a condition that is not BOOLEAN, and FILTER on what is not an aggregate', () => {
    expect(() =>
      bindAggregateFilter(firstItem('SELECT COUNT(*) FILTER (WHERE amount + 1) FROM t'), binder, positions),
    ).toThrow(/FILTER \(WHERE \.\.\.\) of COUNT needs a condition \(BOOLEAN\), got INT/);
    expect(() =>
      bindAggregateFilter(
        firstItem('SELECT UPPER(memo) FILTER (WHERE amount > 1) FROM t'),
        binder,
        positions,
      ),
    ).toThrow(/applies to an aggregate function only/);
    expect(() =>
      bindAggregateFilter(
        firstItem('SELECT SUM(amount) FILTER (WHERE COUNT(*) > 1) FROM t'),
        binder,
        positions,
      ),
    ).toThrow(/not allowed in an aggregate function/);
  });
});
