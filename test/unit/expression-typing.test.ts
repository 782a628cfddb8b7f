// How expressions are read and typed before they run, as Flink (Calcite) reads and types them:
// number literals kept exact and typed by their value, AND/OR precedence in parenthesized chains. Each expression is parsed by the real parser and bound by
// the real binder over a small table, then evaluated by the expression compiler.
import { describe, expect, it } from 'vitest';
import { compileScalar } from '../../engine/exec/compile.js';
import { ExprBinder } from '../../engine/plan/bind.js';
import { col, type Expr } from '../../engine/plan/expr.js';
import type { SelectStatement } from '../../engine/sql/ast.js';
import { parseSqlFile } from '../../engine/sql/parse.js';
import { T, typeToString, type Row, type SqlType } from '../../engine/types.js';

const COLUMNS: Record<string, SqlType> = {
  i: T.int(),
  si: { name: 'SMALLINT', nullable: true },
  ti: { name: 'TINYINT', nullable: true },
  m: T.decimal(10, 2),
  d: T.double(),
  b: T.boolean(),
};
const NAMES = Object.keys(COLUMNS);

function bind(sql: string): Expr {
  const st = parseSqlFile(`SELECT ${sql} FROM t`, 'e.sql')[0] as SelectStatement;
  const binder = new ExprBinder({
    positions: st.positions,
    clause: 'the SELECT list',
    column: (name) => col(NAMES.indexOf(name), name, COLUMNS[name]!),
  });
  return binder.bind(st.select.columns[0]!.expr);
}

const typeOf = (sql: string): string => typeToString(bind(sql).type);
const value = (sql: string, row: Row = []): unknown => compileScalar(bind(sql))(row);
const row = (values: Record<string, unknown>): Row => NAMES.map((n) => values[n] ?? null);

describe('number literals, exact and typed by their value (Calcite SqlNumericLiteral)', () => {
  it('keeps every digit of long literals (node-sql-parser reads numbers through a double)', () => {
    expect(value('-9007199254740993')).toBe(-9007199254740993n);
    expect(value('9007199254740993 + 0')).toBe(9007199254740993n);
    expect(value('1234567890123456.789')).toBe(1234567890123456789n);
    expect(typeOf('1234567890123456.789')).toBe('DECIMAL(19, 3) NOT NULL');
    expect(value('-1234567890123456.789')).toBe(-1234567890123456789n);
    expect(value('12345678901234567890123.5')).toBe(123456789012345678901235n);
  });

  it('folds a minus written before a literal into it, as Calcite does: -2147483648 is an INT', () => {
    expect(typeOf('-2147483648')).toBe('INT NOT NULL');
    expect(typeOf('- 2147483648')).toBe('INT NOT NULL');
    expect(typeOf('-(2147483648)')).toBe('INT NOT NULL');
    expect(typeOf('2147483648')).toBe('BIGINT NOT NULL');
    expect(typeOf('-9223372036854775808')).toBe('BIGINT NOT NULL');
    expect(value('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(typeOf('9223372036854775808')).toBe('DECIMAL(19, 0) NOT NULL');
    expect(value('-(-(7))')).toBe(7);
    // INT + INT wraps: -2147483648 is an INT, so i + it is INT arithmetic.
    expect(value('i + -2147483648', row({ i: -1 }))).toBe(2147483647);
  });

  it("counts a DECIMAL literal's digits as written, leading zeros too", () => {
    expect(typeOf('0.005')).toBe('DECIMAL(4, 3) NOT NULL');
    expect(typeOf('-0.50')).toBe('DECIMAL(3, 2) NOT NULL');
    expect(typeOf('1.5E10')).toBe('DOUBLE NOT NULL');
  });

  it('has no negative zero in a DOUBLE literal (Calcite holds literals as BigDecimal)', () => {
    expect(Object.is(value('-0.0E0'), 0)).toBe(true);
    expect(Object.is(value('-(0.0E0)'), 0)).toBe(true);
    expect(Object.is(value('-d', row({ d: 0 })), -0)).toBe(true);
  });

  it('refuses a literal of more than 38 digits', () => {
    expect(() => bind('123456789012345678901234567890123456789')).toThrow(/more than 38 digits/);
  });
});

describe('AND / OR chains in parentheses (engine/sql/boolean-chains.ts)', () => {
  it('regroups a parenthesized chain by precedence too', () => {
    expect(value('(TRUE OR TRUE AND FALSE)')).toBe(true);
    expect(value('NOT ((TRUE OR TRUE AND FALSE) <> FALSE)')).toBe(false);
    expect(value('(b) OR (NOT b) AND (NOT b)', row({ b: true }))).toBe(true);
    expect(value('(FALSE AND (TRUE OR TRUE AND FALSE)) OR TRUE AND TRUE')).toBe(true);
  });
});
