// The parser boundary (engine/sql/from-parser.ts): node-sql-parser's irregular output becomes our
// typed nodes (engine/sql/nodes.ts) once, and a node type the planner does not know is refused at
// its position.
import { describe, expect, it } from 'vitest';
import { parseSqlFile } from '../../engine/sql/parse.js';
import type { SelectStatement } from '../../engine/sql/ast.js';
import { SqlError } from '../../engine/errors.js';
import { children, collectNodes, mapColumnRefs, someNode, type SqlExpr } from '../../engine/sql/nodes.js';

const select = (sql: string) => (parseSqlFile(sql, 'q.sql')[0] as SelectStatement).select;
const item = (sql: string, i = 0): SqlExpr => select(`SELECT ${sql} FROM t`).columns[i]!.expr;

describe('from-parser: one shape for what node-sql-parser spells several ways', () => {
  it('a function: its name as a string, its arguments as an array, bare when written without parentheses', () => {
    expect(item('LOWER(city)')).toMatchObject({
      type: 'function',
      name: 'LOWER',
      args: [{ type: 'column_ref', table: null, column: 'city' }],
      bare: false,
      distinct: false,
    });
    expect(item('CURRENT_TIMESTAMP')).toMatchObject({ type: 'function', args: [], bare: true });
    expect(item('CURRENT_TIMESTAMP()')).toMatchObject({ type: 'function', args: [], bare: false });
  });

  it('an aggregate: one argument, DISTINCT as a boolean, LISTAGG separator as a node', () => {
    expect(item('COUNT(*)')).toMatchObject({ type: 'aggr_func', name: 'COUNT', arg: { type: 'star' } });
    expect(item('COUNT(DISTINCT b)')).toMatchObject({ arg: { column: 'b' }, distinct: true });
    expect(item("LISTAGG(s, ';')")).toMatchObject({
      name: 'LISTAGG',
      arg: { column: 's' },
      separator: { type: 'single_quote_string', value: ';' },
    });
  });

  it("LIKE's ESCAPE belongs to the LIKE; quoted and qualified columns are plain names", () => {
    expect(item("x LIKE 'a!%' ESCAPE '!'")).toMatchObject({
      type: 'binary_expr',
      operator: 'LIKE',
      right: { value: 'a!%' },
      escape: { value: '!' },
    });
    expect(item('`q`')).toEqual({ type: 'column_ref', table: null, column: 'q' });
    expect(item('t.a')).toEqual({ type: 'column_ref', table: 't', column: 'a' });
  });

  it('sub-queries, UNION chains, WITH and FROM items are typed nodes', () => {
    const sel = select(
      'WITH c AS (SELECT a FROM t) SELECT DISTINCT a FROM c JOIN u ON c.a = u.b WHERE a IN (SELECT b FROM w) UNION ALL SELECT a FROM (SELECT a FROM t) AS q',
    );
    expect(sel.distinct).toBe(true);
    expect(sel.with?.map((w) => [w.name, w.stmt.type, w.columns])).toEqual([['c', 'select', null]]);
    expect(sel.from?.map((f) => [f.table, f.as, f.join ?? null])).toEqual([
      ['c', null, null],
      ['u', null, 'JOIN'],
    ]);
    expect(sel.where).toMatchObject({
      operator: 'IN',
      right: { type: 'expr_list', value: [{ type: 'subquery', ast: { type: 'select' } }] },
    });
    expect(sel.setOp).toBe('union all');
    expect(sel.next?.from?.[0]).toMatchObject({ table: null, as: 'q', expr: { type: 'subquery' } });
    expect(sel.orderby).toBe(false);
    expect(sel.limit).toEqual([]);
  });

  it('DDL expressions are converted too', () => {
    const [create] = parseSqlFile(
      "CREATE TABLE t (s STRING, ts AS TO_TIMESTAMP(s), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'print')",
      'q.sql',
    );
    if (create?.kind !== 'create-table') throw new Error('expected CREATE TABLE');
    expect(create.columns[1]).toMatchObject({ expr: { type: 'function', name: 'TO_TIMESTAMP' } });
    expect(create.watermark?.expr).toMatchObject({
      type: 'binary_expr',
      operator: '-',
      right: { type: 'interval', unit: expect.stringMatching(/^second$/i), expr: { value: '5' } },
    });
  });
});

describe('from-parser: what it refuses', () => {
  const error = (sql: string): string => {
    try {
      parseSqlFile(sql, 'q.sql');
    } catch (e) {
      expect(e).toBeInstanceOf(SqlError);
      return (e as SqlError).message;
    }
    return '(no error)';
  };

  it('a node type the planner does not know, at its place', () => {
    expect(error('SELECT a,\n  @x FROM t')).toMatch(/^q\.sql:2:4: unsupported expression \(var\)/);
    expect(error('SELECT a FROM t WHERE b = :p')).toMatch(/^q\.sql:1:\d+: unsupported expression \(param\)/);
  });
});

describe('walking the typed tree', () => {
  const e = item("CASE WHEN a > 1 THEN UPPER(b) ELSE c || 'x' END");

  it('children, someNode and collectNodes see every column of a CASE', () => {
    expect(children(e)).toHaveLength(2);
    const names = collectNodes(e, (n): n is SqlExpr & { type: 'column_ref' } => n.type === 'column_ref').map(
      (c) => c.column,
    );
    expect(names).toEqual(['a', 'b', 'c']);
    expect(someNode(e, (n) => n.type === 'function' && n.name === 'UPPER')).toBe(true);
    expect(someNode(e, (n) => n.type === 'aggr_func')).toBe(false);
  });

  it('mapColumnRefs rebuilds the tree with each column replaced, leaving the original as it was', () => {
    const qualified = mapColumnRefs(e, (c) => ({ ...c, table: 'x' }));
    const tables = (n: SqlExpr) =>
      collectNodes(n, (m): m is SqlExpr & { type: 'column_ref' } => m.type === 'column_ref').map(
        (c) => c.table,
      );
    expect(tables(qualified)).toEqual(['x', 'x', 'x']);
    expect(tables(e)).toEqual([null, null, null]);
  });
});
