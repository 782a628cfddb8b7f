import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../engine/errors.js';
import type {
  CreateTableStatement,
  ExplainStatement,
  InsertStatement,
  SelectStatement,
  SetStatement,
  Statement,
} from '../../engine/sql/ast.js';
import { parseSqlFile } from '../../engine/sql/parse.js';
import { aggregateFilterParts } from '../../engine/sql/aggregate-filter.js';

/** The converted nodes (engine/sql/nodes.ts) read without narrowing, to check their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
const loose = (x: unknown): Loose => x;

const FILE = 'jobs/aml.sql';

// Line numbers matter: the tests below check positions against them.
const JOB = `-- Anti-money-laundering job; comments may hold ; too
/* block comment
   spanning lines; with 'quotes' */
SET 'pipeline.name' = 'aml; nightly';
set table.exec.mini-batch.enabled = true;

CREATE TEMPORARY TABLE IF NOT EXISTS transactions (
  tx_id STRING NOT NULL,
  account_id VARCHAR(32),
  amount DECIMAL(18, 2),
  fee DEC,
  tx_time STRING COMMENT 'as sent by the bank',
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  city STRING METADATA FROM 'topic',
  part INT METADATA VIRTUAL,
  seen TIMESTAMP(3) WITH LOCAL TIME ZONE,
  \`at\` TIMESTAMP,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,
  PRIMARY KEY (tx_id) NOT ENFORCED
) COMMENT 'raw feed' WITH (
  'connector' = 'kafka',
  'csv.field-delimiter' = ';',
  'scan.startup.mode' = 'earliest offset',
  'note' = 'it''s fine'
);

INSERT INTO alerts
SELECT account_id, window_start, SUM(amount) AS total
FROM TABLE(
  TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
WHERE LOWER(city) LIKE 'tx%'
GROUP BY account_id, window_start, window_end;

INSERT INTO hop_sink (account_id, cnt)
SELECT h.account_id, COUNT(DISTINCT c.city)
FROM TABLE(HOP(TABLE transactions, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '10' MINUTES)) AS h
JOIN TABLE(CUMULATE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '1' HOUR, INTERVAL '1' DAYS, INTERVAL '-30' MINUTES)) AS c
  ON h.account_id = c.account_id
JOIN TABLE(SESSION(TABLE transactions PARTITION BY account_id, city, DESCRIPTOR(ts), INTERVAL '500' MILLISECOND)) s
  ON s.account_id = h.account_id
GROUP BY h.account_id;

INSERT INTO legacy
SELECT account_id, TUMBLE_START(ts, INTERVAL '1' HOUR), COUNT(*)
FROM transactions
GROUP BY account_id, TUMBLE(ts, INTERVAL '1' HOUR);

EXPLAIN PLAN FOR INSERT INTO alerts SELECT account_id FROM transactions;

  SELECT tx_id, amount FROM transactions WHERE amount > 10000
`;

function parseJob(): Statement[] {
  return parseSqlFile(JOB, FILE);
}

const at = (line: number, col: number) => ({ file: FILE, line, col });

describe('parseSqlFile on a realistic job', () => {
  const statements = parseJob();

  it('splits statements on ; outside strings and comments, the last one without ;', () => {
    expect(statements.map((s) => s.kind)).toEqual([
      'set',
      'set',
      'create-table',
      'insert',
      'insert',
      'insert',
      'explain',
      'select',
    ]);
  });

  it('reads SET with quoted and unquoted keys', () => {
    const [a, b] = statements as [SetStatement, SetStatement];
    expect(a).toEqual({ kind: 'set', key: 'pipeline.name', value: 'aml; nightly', pos: at(4, 1) });
    expect(b).toEqual({ kind: 'set', key: 'table.exec.mini-batch.enabled', value: 'true', pos: at(5, 1) });
  });

  it('reads CREATE TABLE columns, types, watermark, key and options', () => {
    const t = statements[2] as CreateTableStatement;
    expect(t.name).toBe('transactions');
    expect(t.pos).toEqual(at(7, 1));
    expect(t.namePos).toEqual(at(7, 38));
    expect(t.columns.map((c) => [c.kind, c.name])).toEqual([
      ['physical', 'tx_id'],
      ['physical', 'account_id'],
      ['physical', 'amount'],
      ['physical', 'fee'],
      ['physical', 'tx_time'],
      ['computed', 'ts'],
      ['metadata', 'city'],
      ['metadata', 'part'],
      ['physical', 'seen'],
      ['physical', 'at'],
    ]);
    const types = Object.fromEntries(
      t.columns.flatMap((c) => (c.kind === 'computed' ? [] : [[c.name, c.type]])),
    );
    expect(types).toEqual({
      tx_id: { name: 'STRING', nullable: false },
      account_id: { name: 'STRING', precision: 32, nullable: true },
      amount: { name: 'DECIMAL', precision: 18, scale: 2, nullable: true },
      fee: { name: 'DECIMAL', precision: 10, scale: 0, nullable: true },
      tx_time: { name: 'STRING', nullable: true },
      city: { name: 'STRING', nullable: true },
      part: { name: 'INT', nullable: true },
      seen: { name: 'TIMESTAMP_LTZ', precision: 3, nullable: true },
      at: { name: 'TIMESTAMP', precision: 6, nullable: true },
    });
    expect(t.columns[6]).toMatchObject({ kind: 'metadata', key: 'topic', virtual: false, pos: at(14, 3) });
    expect(t.columns[7]).toMatchObject({ kind: 'metadata', key: 'part', virtual: true });
    expect(t.primaryKey).toEqual({ columns: ['tx_id'], pos: at(19, 3) });
    expect(t.options).toEqual([
      { key: 'connector', value: 'kafka', pos: at(21, 3) },
      { key: 'csv.field-delimiter', value: ';', pos: at(22, 3) },
      { key: 'scan.startup.mode', value: 'earliest offset', pos: at(23, 3) },
      { key: 'note', value: "it's fine", pos: at(24, 3) },
    ]);
  });

  it('parses the computed column expression with node-sql-parser and maps its offsets to the file', () => {
    const t = statements[2] as CreateTableStatement;
    const ts = t.columns[5]!;
    if (ts.kind !== 'computed') throw new Error('ts should be computed');
    expect(ts.pos).toEqual(at(13, 3));
    const expr = loose(ts.expr);
    expect(expr.type).toBe('function');
    expect(expr.name).toBe('TO_TIMESTAMP');
    expect(expr.args.map((a: { type: string }) => a.type)).toEqual(['column_ref', 'single_quote_string']);
    expect(expr.args[1].value).toBe('EEEE, dd-MMM-yy HH:mm:ss z');
    expect(ts.positions.at(expr.loc.start.offset)).toEqual(at(13, 9));
    expect(ts.positions.identifier('TX_TIME')).toEqual(at(13, 22));
    expect(ts.positions.start).toEqual(at(13, 9));
  });

  it('parses the watermark', () => {
    const wm = (statements[2] as CreateTableStatement).watermark!;
    expect(wm.column).toBe('ts');
    expect(wm.pos).toEqual(at(18, 3));
    expect(wm.columnPos).toEqual(at(18, 17));
    expect(wm.expr).toMatchObject({
      type: 'binary_expr',
      operator: '-',
      left: { type: 'column_ref', column: 'ts' },
      right: { type: 'interval', expr: { value: '5' }, unit: 'second' },
    });
    expect(wm.positions.identifier('ts')).toEqual(at(18, 23));
  });

  it('cuts out TUMBLE and hands the placeholder query to node-sql-parser', () => {
    const ins = statements[3] as InsertStatement;
    expect(ins.sink).toBe('alerts');
    expect(ins.pos).toEqual(at(27, 1));
    expect(ins.sinkPos).toEqual(at(27, 13));
    expect(ins.columns).toBeUndefined();
    expect(ins.windows).toEqual([
      {
        placeholder: '__window_0',
        kind: 'TUMBLE',
        table: 'transactions',
        tablePos: at(30, 16),
        timeColumn: 'ts',
        timeColumnPos: at(30, 41),
        partitionBy: [],
        firstMs: 600_000,
        offsetMs: 0,
        pos: at(29, 6),
      },
    ]);
    expect(ins.select.type).toBe('select');
    expect(ins.select.from).toEqual([{ table: '__window_0', expr: null, as: null }]);
    expect(ins.select.where).toMatchObject({
      type: 'binary_expr',
      operator: 'LIKE',
      left: { type: 'function', args: [{ column: 'city' }] },
    });
    // Offsets after the cut-out span are unchanged: LOWER's loc (function nodes carry one) maps to line 31.
    const lower = loose(ins.select.where).left;
    expect(ins.positions.at(lower.loc.start.offset)).toEqual(at(31, 7));
    expect(ins.positions.identifier('city')).toEqual(at(31, 13));
    expect(ins.positions.identifier('window_end')).toEqual(at(32, 36));
    expect(ins.positions.identifier('no_such_column')).toEqual(at(27, 1));
  });

  it('finds identifiers at or after an offset, case-insensitively and as whole words', () => {
    const ins = statements[3] as InsertStatement;
    const first = ins.positions.identifier('ACCOUNT_ID');
    expect(first).toEqual(at(28, 8));
    const groupByOffset =
      JOB.indexOf('GROUP BY account_id, window_start') - JOB.indexOf('INSERT INTO alerts\nSELECT');
    expect(ins.positions.identifier('account_id', groupByOffset)).toEqual(at(32, 10));
    // `ts` inside the cut-out TUMBLE is still found; `amount` inside SUM(amount) too.
    expect(ins.positions.identifier('ts')).toEqual(at(30, 41));
    expect(ins.positions.identifier('amount')).toEqual(at(28, 38));
    // Whole words only: `account` is not found inside `account_id`; nor inside the string 'tx%'.
    expect(ins.positions.identifier('account')).toEqual(ins.positions.start);
    expect(ins.positions.identifier('tx')).toEqual(ins.positions.start);
  });

  it('reads HOP, CUMULATE with offset, and SESSION with PARTITION BY in one query', () => {
    const ins = statements[4] as InsertStatement;
    expect(ins.sink).toBe('hop_sink');
    expect(ins.columns).toEqual(['account_id', 'cnt']);
    expect(
      ins.windows.map((w) => [w.placeholder, w.kind, w.firstMs, w.sizeMs, w.offsetMs, w.partitionBy]),
    ).toEqual([
      ['__window_0', 'HOP', 60_000, 600_000, 0, []],
      ['__window_1', 'CUMULATE', 3_600_000, 86_400_000, -1_800_000, []],
      ['__window_2', 'SESSION', 500, undefined, 0, ['account_id', 'city']],
    ]);
    expect(ins.windows[2]!.pos).toEqual(at(39, 6));
    expect(ins.select.from!.map((f) => [f.table, f.as])).toEqual([
      ['__window_0', 'h'],
      ['__window_1', 'c'],
      ['__window_2', 's'],
    ]);
    expect(ins.select.columns[1]!.expr).toMatchObject({
      type: 'aggr_func',
      name: 'COUNT',
      distinct: true,
    });
    expect(ins.positions.identifier('s', JOB.indexOf('ON s.') - JOB.indexOf('INSERT INTO hop_sink'))).toEqual(
      at(40, 6),
    );
  });

  it('leaves legacy GROUP BY TUMBLE(...) to node-sql-parser', () => {
    const ins = statements[5] as InsertStatement;
    expect(ins.windows).toEqual([]);
    const tumble = loose(ins.select.groupby!.columns[1]);
    expect(tumble).toMatchObject({ type: 'function', name: 'TUMBLE' });
    expect(tumble.args[1]).toMatchObject({ type: 'interval', expr: { value: '1' }, unit: 'hour' });
    expect(ins.positions.at(tumble.loc.start.offset)).toEqual(at(46, 22));
  });

  it('reads EXPLAIN PLAN FOR and a bare SELECT', () => {
    const ex = statements[6] as ExplainStatement;
    expect(ex.pos).toEqual(at(48, 1));
    expect(ex.statement.kind).toBe('insert');
    expect(ex.statement.pos).toEqual(at(48, 18));
    expect((ex.statement as InsertStatement).sink).toBe('alerts');
    expect(ex.statement.positions.identifier('account_id')).toEqual(at(48, 44));

    const sel = statements[7] as SelectStatement;
    expect(sel.pos).toEqual(at(50, 3));
    expect(sel.select.where).toMatchObject({
      type: 'binary_expr',
      operator: '>',
      right: { type: 'number', value: 10000 },
    });
    expect(sel.positions.identifier('amount', 0)).toEqual(at(50, 17));
    expect(sel.positions.at(0)).toEqual(at(50, 3));
  });
});

describe('parseSqlFile details', () => {
  it('keeps line numbers right when a multi-line window TVF is replaced', () => {
    const sql =
      "SELECT\n  a\nFROM TABLE(TUMBLE(\n  TABLE t,\n  DESCRIPTOR(ts),\n  INTERVAL '1' SECOND))\nWHERE b = 1 AND FOO(c) > 0";
    const [st] = parseSqlFile(sql, 'q.sql') as [SelectStatement];
    const foo = loose(st.select.where).right.left;
    expect(foo.type).toBe('function');
    expect(st.positions.at(foo.loc.start.offset)).toEqual({ file: 'q.sql', line: 7, col: 17 });
    expect(st.windows[0]).toMatchObject({ kind: 'TUMBLE', firstMs: 1000, tablePos: { line: 4, col: 9 } });
  });

  it('counts columns in characters, not UTF-16 units', () => {
    const sql = "SELECT '😀😀', FOO(a) FROM t";
    const [st] = parseSqlFile(sql, 'u.sql') as [SelectStatement];
    expect(st.positions.at(st.select.columns[1]!.expr.loc!.start.offset)).toEqual({
      file: 'u.sql',
      line: 1,
      col: 14,
    });
  });

  it('ignores empty statements and Flink statement-set wrappers', () => {
    const sql =
      ';;\nBEGIN STATEMENT SET;\nINSERT INTO a SELECT x FROM t;\nEND;\nEXECUTE STATEMENT SET BEGIN INSERT INTO b SELECT x FROM t; END;';
    expect(parseSqlFile(sql, 'x.sql').map((s) => (s.kind === 'insert' ? s.sink : s.kind))).toEqual([
      'a',
      'b',
    ]);
  });

  it('reports syntax errors inside DDL expressions at their place in the file', () => {
    const sql = "CREATE TABLE t (\n  a STRING,\n  b AS UPPER(a) FORM,\n  c INT\n) WITH ('connector' = 'x')";
    expect(() => parseSqlFile(sql, 'd.sql')).toThrow("d.sql:3:17: unexpected 'FORM' after the expression");
  });

  it('rejects INTERVAL ... MILLISECOND outside window TVFs (node-sql-parser would misread it)', () => {
    expect(() => parseSqlFile("SELECT ts - INTERVAL '500' MILLISECOND FROM t", 'm.sql')).toThrow(
      "m.sql:1:28: INTERVAL ... MILLISECOND is only supported inside window functions (TUMBLE, HOP, CUMULATE, SESSION)\n  hint: write the interval in seconds, e.g. INTERVAL '0.5' SECOND",
    );
    expect(() =>
      parseSqlFile(
        "CREATE TABLE t (ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' MILLISECOND) WITH ('connector' = 'x')",
        'm.sql',
      ),
    ).toThrow('m.sql:1:72: INTERVAL ... MILLISECOND is only supported');
  });

  it('throws SqlError with the position', () => {
    let err: unknown;
    try {
      parseSqlFile('SELECT a\nFROM t WHER a = 1', 'p.sql');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).pos).toEqual({ file: 'p.sql', line: 2, col: 8 });
    expect((err as SqlError).hint).toBe('did you mean WHERE?');
  });

  it("reports other syntax errors readably, without node-sql-parser's expectation list", () => {
    expect(() => parseSqlFile('SELECT a, b,\nFROM t', 'x.sql')).toThrow(
      "x.sql:1:12: syntax error near ','\n  hint: remove the comma before FROM",
    );
    expect(() => parseSqlFile('SELECT a b c FROM t', 'x.sql')).toThrow(
      "x.sql:1:12: syntax error near 'c'\n  hint: is a comma missing before 'c'?",
    );
    expect(() => parseSqlFile('SELECT a FROM t GROUP a', 'x.sql')).toThrow(
      "x.sql:1:23: syntax error near 'a'\n  hint: expected BY here",
    );
    expect(() => parseSqlFile('SELECT a FROM t WHERE (a = 1', 'x.sql')).toThrow(
      "x.sql:1:29: syntax error: the statement ends too early after '1'\n  hint: a ')' is missing",
    );
  });
});

describe('CREATE TABLE details', () => {
  const create = (body: string): CreateTableStatement =>
    parseSqlFile(`CREATE TABLE t (${body}) WITH ('connector' = 'x')`, 't.sql')[0] as CreateTableStatement;

  it('maps type spellings to SqlType', () => {
    const t = create(
      'a INTEGER, b DOUBLE PRECISION, c NUMERIC(5), d CHAR, e TIMESTAMP_LTZ(3), f TIMESTAMP(0) WITHOUT TIME ZONE, g BIGINT NOT NULL, h FLOAT NULL, i TINYINT, j SMALLINT, k BOOLEAN',
    );
    expect(t.columns.map((c) => (c.kind === 'computed' ? undefined : c.type))).toEqual([
      { name: 'INT', nullable: true },
      { name: 'DOUBLE', nullable: true },
      { name: 'DECIMAL', precision: 5, scale: 0, nullable: true },
      { name: 'STRING', precision: 1, nullable: true },
      { name: 'TIMESTAMP_LTZ', precision: 3, nullable: true },
      { name: 'TIMESTAMP', precision: 0, nullable: true },
      { name: 'BIGINT', nullable: false },
      { name: 'FLOAT', nullable: true },
      { name: 'TINYINT', nullable: true },
      { name: 'SMALLINT', nullable: true },
      { name: 'BOOLEAN', nullable: true },
    ]);
  });

  it('accepts a column-level PRIMARY KEY and CONSTRAINT names', () => {
    expect(create('id STRING PRIMARY KEY NOT ENFORCED, v INT').primaryKey).toEqual({
      columns: ['id'],
      pos: { file: 't.sql', line: 1, col: 27 },
    });
    expect(
      create('a STRING, b INT, CONSTRAINT pk PRIMARY KEY (a, b) NOT ENFORCED').primaryKey?.columns,
    ).toEqual(['a', 'b']);
  });

  it('rejects what Flink would reject, with a hint', () => {
    expect(() => create('a DECIMAL(40, 2)')).toThrow(
      't.sql:1:19: DECIMAL precision must be between 1 and 38, not 40',
    );
    expect(() => create('a STRING, a INT')).toThrow("t.sql:1:27: column 'a' is declared twice in table t");
    expect(() => create('a STRING, WATERMARK FOR b AS b')).toThrow(
      "WATERMARK FOR column 'b' is not a column of table t",
    );
    expect(() => create("a STRING, 'x'")).toThrow('expected a column name');
    expect(() => parseSqlFile("CREATE TABLE t (a STRING) WITH (connector = 'x')", 't.sql')).toThrow(
      "t.sql:1:33: option keys must be in single quotes\n  hint: write 'connector' = '...'",
    );
    expect(() => parseSqlFile('CREATE TABLE t (a STRING)', 't.sql')).toThrow(
      'expected WITH (...) options after the columns of table t',
    );
  });
});

describe('window TVF checks', () => {
  const query = (tvf: string) => `SELECT * FROM TABLE(${tvf})`;
  it('requires HOP and CUMULATE sizes to be whole multiples', () => {
    expect(() =>
      parseSqlFile(
        query("HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '3' MINUTE, INTERVAL '10' MINUTES)"),
        'w.sql',
      ),
    ).toThrow('the HOP size must be a whole multiple of its slide');
  });
  it('rejects PARTITION BY outside SESSION, and extra intervals', () => {
    expect(() =>
      parseSqlFile(query("TUMBLE(TABLE t PARTITION BY a, DESCRIPTOR(ts), INTERVAL '1' MINUTE)"), 'w.sql'),
    ).toThrow('w.sql:1:36: PARTITION BY is only supported in SESSION windows, not in TUMBLE');
    expect(() =>
      parseSqlFile(
        query("SESSION(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '1' MINUTE)"),
        'w.sql',
      ),
    ).toThrow('too many intervals: SESSION takes gap');
  });
  it('accepts a TUMBLE offset and millisecond units', () => {
    const [st] = parseSqlFile(
      query("TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '250' MILLISECONDS, INTERVAL '100' MILLISECOND)"),
      'w.sql',
    ) as [SelectStatement];
    expect(st.windows[0]).toMatchObject({ kind: 'TUMBLE', firstMs: 250, offsetMs: 100 });
    expect(st.windows[0]!.sizeMs).toBeUndefined();
  });
});

describe('parse error fixtures', () => {
  const dir = 'test/fixtures/errors';
  const fixtures = readdirSync(dir).filter((f) => f.startsWith('parse-') && f.endsWith('.sql'));

  it('has the fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
  });

  for (const name of fixtures) {
    it(name, () => {
      const file = `${dir}/${name}`;
      const expected = readFileSync(file.replace(/\.sql$/, '.expected.txt'), 'utf8').replace(/\n$/, '');
      let message: string | undefined;
      try {
        parseSqlFile(readFileSync(file, 'utf8'), file);
      } catch (e) {
        expect(e).toBeInstanceOf(SqlError);
        message = (e as SqlError).message;
      }
      expect(message).toBe(expected);
    });
  }
});

describe('AND / OR precedence (node-sql-parser folds chains wrongly; engine/sql/boolean-chains.ts)', () => {
  /** The tree of a boolean node, fully parenthesized; names and NOT as written. */
  const tree = (n: SqlNodeLike): string => {
    if (n.type === 'binary_expr') return `(${tree(n.left!)} ${n.operator} ${tree(n.right!)})`;
    // A unary plus (node-sql-parser's way to read WHEN followed by '(', see parser-text.ts) changes nothing.
    if (n.type === 'unary_expr') return n.operator === '+' ? tree(n.expr!) : `(NOT ${tree(n.expr!)})`;
    return String(n.column);
  };
  interface SqlNodeLike {
    type: string;
    operator?: string;
    left?: SqlNodeLike;
    right?: SqlNodeLike;
    expr?: SqlNodeLike;
    column?: string;
  }
  const where = (cond: string): string =>
    tree(loose((parseSqlFile(`SELECT a FROM t WHERE ${cond}`, 'p.sql')[0] as SelectStatement).select.where));
  const having = (cond: string): string =>
    tree(
      loose(
        (parseSqlFile(`SELECT a FROM t GROUP BY a HAVING ${cond}`, 'p.sql')[0] as SelectStatement).select
          .having,
      ),
    );
  const column = (cond: string): string =>
    tree(
      loose((parseSqlFile(`SELECT ${cond} FROM t`, 'p.sql')[0] as SelectStatement).select.columns[0]!.expr),
    );
  const caseWhen = (cond: string): string =>
    tree(
      loose(
        (parseSqlFile(`SELECT CASE WHEN ${cond} THEN 1 END FROM t`, 'p.sql')[0] as SelectStatement).select,
      ).columns[0].expr.args[0].cond,
    );

  const cases: [string, string][] = [
    ['a OR b AND c', '(a OR (b AND c))'],
    ['a AND b OR c', '((a AND b) OR c)'],
    ['NOT a AND b OR c', '(((NOT a) AND b) OR c)'],
    ['a AND b OR c AND d', '((a AND b) OR (c AND d))'],
    ['a OR NOT b AND c', '(a OR ((NOT b) AND c))'],
    ['(a OR b) AND c', '((a OR b) AND c)'],
    ['a AND (b OR c)', '(a AND (b OR c))'],
  ];
  it.each(cases)('%s is %s in WHERE, HAVING, the SELECT list and CASE WHEN alike', (cond, expected) => {
    expect(where(cond)).toBe(expected);
    expect(having(cond)).toBe(expected);
    expect(column(cond)).toBe(expected);
    expect(caseWhen(cond)).toBe(expected);
  });

  it('keeps predicates whole: comparisons, IS NULL, BETWEEN ... AND inside a chain', () => {
    const w = loose(
      parseSqlFile(
        `SELECT a FROM t WHERE x = 1 OR y BETWEEN 1 AND 2 AND z IS NULL`,
        'p.sql',
      )[0] as SelectStatement,
    ).select.where;
    expect(w.operator).toBe('OR');
    expect(w.left.operator).toBe('=');
    expect(w.right.operator).toBe('AND');
    expect(w.right.left.operator).toBe('BETWEEN');
    expect(w.right.right.operator).toBe('IS');
  });

  it('nests a 1000-term OR chain about log2(1000) deep', () => {
    const depth = (n: SqlNodeLike): number =>
      n.type === 'binary_expr' && n.operator === 'OR' ? 1 + Math.max(depth(n.left!), depth(n.right!)) : 0;
    const terms = Array.from({ length: 1000 }, (_, k) => `a = ${k}`).join(' OR ');
    const w = loose(
      (parseSqlFile(`SELECT a FROM t WHERE ${terms}`, 'p.sql')[0] as SelectStatement).select.where,
    );
    expect(depth(w)).toBe(10);
  });
});

describe('string literals (Flink: a backslash is an ordinary character; engine/sql/string-literals.ts)', () => {
  const values = (sql: string): unknown[] =>
    (parseSqlFile(sql, 'p.sql')[0] as SelectStatement).select.columns.map((c) => loose(c.expr).value);

  it("keeps backslashes as written; only '' escapes a quote (unescaped later by the binder)", () => {
    expect(values(String.raw`SELECT 'C:\new\table', '\', '\n', 'it''s' FROM t`)).toEqual([
      String.raw`C:\new\table`,
      '\\',
      '\\n',
      "it''s",
    ]);
  });

  it('keeps backslashes in DDL expressions and WHERE, at unchanged offsets', () => {
    const [create, select] = parseSqlFile(
      String.raw`CREATE TABLE t (s STRING, x AS s || '\t') WITH ('connector' = 'print');
SELECT s FROM t WHERE s = 'a\b' AND q > 1`,
      'p.sql',
    ) as [CreateTableStatement, SelectStatement];
    expect((create.columns[1] as { expr: { right: { value: string } } }).expr.right.value).toBe('\\t');
    expect(loose(select.select.where).left.right.value).toBe('a\\b');
    expect(select.positions.identifier('q')).toEqual({ file: 'p.sql', line: 2, col: 37 });
  });

  it("decodes U&'...' Unicode literals, with UESCAPE", () => {
    expect(
      values(
        String.raw`SELECT U&'\0041\00e9', U&'\+01F600', U&'a\\b', U&'!0041!!' UESCAPE '!', U&'\0027' FROM t`,
      ),
    ).toEqual(['Aé', '😀', 'a\\b', 'A!', "''"]);
  });

  it('refuses a bad Unicode escape at its place', () => {
    expect(() =>
      parseSqlFile(
        String.raw`SELECT 1,
  U&'\00G1' FROM t`,
        'p.sql',
      ),
    ).toThrow(
      "p.sql:2:3: bad Unicode escape in U&'\\00G1': \\ must be followed by 4 hex digits, + and 6 hex digits, or another \\",
    );
  });
});

describe('BETWEEN SYMMETRIC (marked for node-sql-parser; engine/sql/between-symmetric.ts)', () => {
  const where = (sql: string) => parseSqlFile(sql, 'p.sql')[0] as SelectStatement;

  it('marks the low bound and keeps every later offset', () => {
    const sql = 'SELECT a FROM t WHERE a BETWEEN SYMMETRIC ABS(b) AND 5 AND UPPER(s) = 1';
    const st = where(sql);
    const between = loose(st.select.where).left;
    expect(between.operator).toBe('BETWEEN');
    expect(between.right.value[0].name).toBe('__sym');
    const low = between.right.value[0].args[0];
    expect(st.positions.at(low.loc.start.offset)).toEqual({
      file: 'p.sql',
      line: 1,
      col: sql.indexOf('ABS') + 1,
    });
    expect(st.positions.at(loose(st.select.where).right.left.loc.start.offset)).toEqual({
      file: 'p.sql',
      line: 1,
      col: sql.indexOf('UPPER') + 1,
    });
  });

  it('drops ASYMMETRIC (the default) and leaves plain BETWEEN alone', () => {
    expect(
      loose(where('SELECT a FROM t WHERE a BETWEEN ASYMMETRIC 1 AND 5').select.where).right.value[0].value,
    ).toBe(1);
    expect(
      loose(where('SELECT a FROM t WHERE a NOT BETWEEN 1 AND 5').select.where).right.value[0].value,
    ).toBe(1);
  });
});

describe('Flink SQL node-sql-parser cannot read (engine/sql/parser-text.ts, translateParserError)', () => {
  it('reads SELECT ALL as SELECT', () => {
    const st = parseSqlFile('SELECT ALL a, b FROM t', 'p.sql')[0] as SelectStatement;
    expect(st.select.columns.map((c) => loose(c.expr).column)).toEqual(['a', 'b']);
  });

  it('reads an aggregate FILTER (WHERE ...) as one node (engine/sql/aggregate-filter.ts)', () => {
    const st = parseSqlFile(
      'SELECT a, COUNT(*) FILTER (WHERE b > 1) FROM t GROUP BY a',
      'p.sql',
    )[0] as SelectStatement;
    const parts = aggregateFilterParts(st.select.columns[1]!.expr);
    expect(parts?.aggregate).toMatchObject({ type: 'aggr_func', name: 'COUNT' });
    expect(parts?.condition).toMatchObject({ type: 'binary_expr', operator: '>' });
  });
});
