// The front pass for window function calls (engine/sql/over-clause.ts): what it hands to
// node-sql-parser (a marker call in place of `f(...) OVER ...`, offsets kept) and what it keeps of
// each window; and the planner's refusals, with Flink's reasons, at the place they are about.

import { describe, expect, it } from 'vitest';
import { parseSqlFile } from '../../engine/sql/parse.js';
import type { SelectStatement } from '../../engine/sql/ast.js';
import { columnName } from '../../engine/plan/bind.js';
import { planJob } from '../../engine/plan/planner.js';
import { buildJob } from '../../engine/runtime/build.js';
import type { PlanNode } from '../../engine/plan/logical.js';

const TABLE = `CREATE TABLE t (account INT, amount INT, tss STRING, ts AS TO_TIMESTAMP(tss), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
WITH ('connector' = 'filesystem', 'path' = 't.csv', 'format' = 'csv');
`;

function select(sql: string): SelectStatement {
  return parseSqlFile(sql, 'p.sql')[0] as SelectStatement;
}

/** The error planning (and building, where Flink's checks happen on the physical plan) gives. */
function refusal(query: string): string {
  try {
    const plan = planJob(parseSqlFile(TABLE + query, 'p.sql'), 'p.sql');
    buildJob(plan, { cwd: '/tmp' });
  } catch (e) {
    return (e as Error).message;
  }
  return '(no error)';
}

describe('OVER front pass', () => {
  it('hands each call to node-sql-parser as a marker around it, keeping later offsets', () => {
    const sql =
      'SELECT SUM(amount) OVER (PARTITION BY account ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s, UPPER(x) FROM t';
    const st = select(sql);
    const c = st.select.columns[0]!.expr;
    if (c.type !== 'function') throw new Error('a marker function');
    expect(c.name).toBe('__o0');
    expect(c.args[0]).toMatchObject({ type: 'aggr_func', name: 'SUM' });
    const upper = st.select.columns[1]!.expr;
    expect(st.positions.at(upper.loc!.start.offset)).toEqual({
      file: 'p.sql',
      line: 1,
      col: sql.indexOf('UPPER') + 1,
    });
    const [call] = st.over!;
    expect(call!.functionName).toBe('SUM');
    expect(call!.spec.partitionBy.map((e) => columnName(e.node))).toEqual(['account']);
    expect(call!.spec.orderBy[0]!.descending).toBe(false);
    expect(call!.spec.frame).toMatchObject({
      unit: 'ROWS',
      lower: { kind: 'preceding', rows: 2 },
      upper: { kind: 'current-row' },
    });
  });

  it('resolves OVER w to its WINDOW clause and blanks the clause out', () => {
    const st = select(
      `SELECT COUNT(*) OVER w, MAX(amount) OVER w FROM t\nWHERE amount > 0\nWINDOW w AS (PARTITION BY account ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)`,
    );
    expect(st.over).toHaveLength(2);
    expect(st.over![0]!.spec).toBe(st.over![1]!.spec);
    expect(st.over![0]!.spec.frame).toMatchObject({
      unit: 'RANGE',
      lower: { kind: 'preceding', ms: 3_600_000 },
    });
    expect(st.select.where).toMatchObject({ type: 'binary_expr', operator: '>' });
  });

  it('reads ROW_NUMBER() with several sort keys and NULLS LAST', () => {
    const st = select(
      'SELECT * FROM (SELECT a, ROW_NUMBER() OVER (PARTITION BY k ORDER BY b DESC NULLS LAST, c) AS rn FROM t) WHERE rn <= 3',
    );
    const spec = st.over![0]!.spec;
    expect(spec.orderBy.map((o) => [columnName(o.expr.node), o.descending, o.nullsFirst])).toEqual([
      ['b', true, false],
      ['c', false, null],
    ]);
  });

  it('says what is wrong in a window specification, where', () => {
    expect(() => select('SELECT SUM(a) OVER w FROM t')).toThrow("p.sql:1:20: unknown window 'w'");
    expect(() => select('SELECT a FROM t WHERE SUM(a) OVER (ORDER BY ts) > 3')).toThrow(
      'p.sql:1:30: a window function (OVER) is not allowed in WHERE (as in Flink: Windowed aggregate expression is illegal in WHERE clause)',
    );
    expect(() =>
      select('SELECT x FROM (SELECT a, SUM(a) OVER (ORDER BY ts) AS x FROM t) WHERE x > 3'),
    ).not.toThrow();
    expect(() => select('SELECT SUM(a) FILTER (WHERE a > 1) OVER (ORDER BY ts) FROM t')).toThrow(
      'p.sql:1:15: an aggregate with FILTER (WHERE ...) cannot take OVER',
    );
    expect(() => select('SELECT SUM(a) OVER day FROM t WINDOW day AS (ORDER BY ts)')).toThrow(
      "p.sql:1:38: 'day' is a reserved word in Flink SQL",
    );
    expect(() => select('SELECT SUM(a) OVER (PARTITION BY k ORDER BY ts RANGE 5 PRECEDING) FROM t')).toThrow(
      'p.sql:1:54: RANGE 5 PRECEDING: a range over a time attribute is an INTERVAL',
    );
    expect(() => select("SELECT SUM(a) OVER (ORDER BY ts ROWS INTERVAL '1' HOUR PRECEDING) FROM t")).toThrow(
      'ROWS counts rows',
    );
    expect(() =>
      select('SELECT SUM(a) OVER (ORDER BY ts ROWS BETWEEN 2 PRECEDING CURRENT ROW) FROM t'),
    ).toThrow('expected AND in ROWS BETWEEN ... AND ...');
  });
});

describe('OVER and Top-N refusals (as Flink refuses them)', () => {
  it('one window per SELECT', () => {
    expect(
      refusal(
        'SELECT SUM(amount) OVER (ORDER BY ts), COUNT(*) OVER (PARTITION BY account ORDER BY ts) FROM t;',
      ),
    ).toMatch(/^p\.sql:3:40: every OVER aggregate of one SELECT must use the same window/);
  });

  it('ordered by one ascending time attribute', () => {
    expect(refusal('SELECT SUM(amount) OVER (ORDER BY ts DESC) FROM t;')).toMatch(
      /^p\.sql:3:35: .*The window can only be ordered in ASCENDING mode/,
    );
    expect(refusal('SELECT SUM(amount) OVER (PARTITION BY account ORDER BY amount) FROM t;')).toMatch(
      /^p\.sql:3:56: .*OVER windows' ordering in stream mode must be defined on a time attribute/,
    );
    expect(refusal('SELECT SUM(amount) OVER (PARTITION BY account) FROM t;')).toMatch(
      /The window can only be ordered by a single time column/,
    );
  });

  it('a frame from PRECEDING to CURRENT ROW', () => {
    expect(
      refusal('SELECT SUM(amount) OVER (ORDER BY ts ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM t;'),
    ).toMatch(/OVER RANGE FOLLOWING windows are not supported yet/);
    expect(
      refusal('SELECT SUM(amount) OVER (ORDER BY ts RANGE BETWEEN CURRENT ROW AND CURRENT ROW) FROM t;'),
    ).toMatch(/OVER RANGE FOLLOWING windows are not supported yet/);
  });

  it('no updating input', () => {
    expect(
      refusal(
        'SELECT SUM(n) OVER (ORDER BY ts) FROM (SELECT account, COUNT(*) AS n, MAX(ts) AS ts FROM t GROUP BY account);',
      ),
    ).toMatch(/cannot read an updating input.*OverAggregate doesn't support consuming update changes/s);
  });

  it('ROW_NUMBER only, with an upper bound; unlimited only in time order', () => {
    expect(
      refusal(
        'SELECT * FROM (SELECT account, RANK() OVER (PARTITION BY account ORDER BY amount) AS r FROM t) WHERE r <= 2;',
      ),
    ).toMatch(/RANK\(\) on streaming table is not supported currently/);
    expect(
      refusal(
        'SELECT * FROM (SELECT account, ROW_NUMBER() OVER (PARTITION BY account ORDER BY amount) AS r FROM t) WHERE r > 2;',
      ),
    ).toMatch(/Rank end is not specified/);
    expect(
      refusal('SELECT account, ROW_NUMBER() OVER (PARTITION BY account ORDER BY amount) AS r FROM t;'),
    ).toMatch(/OVER windows' ordering in stream mode must be defined on a time attribute/);
    expect(
      refusal(
        'SELECT * FROM (SELECT account, ROW_NUMBER() OVER (ORDER BY amount) AS r FROM t) WHERE r <> 2;',
      ),
    ).toMatch(/OVER windows' ordering in stream mode must be defined on a time attribute/);
    expect(
      refusal(
        'SELECT * FROM (SELECT account, ROW_NUMBER() OVER (ORDER BY amount) AS r FROM t) WHERE r <> 2 AND r <= 3;',
      ),
    ).toMatch(/OVER windows' ordering in stream mode must be defined on a time attribute/);
    expect(
      refusal(
        'SELECT account, ROW_NUMBER() OVER (ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS r FROM t;',
      ),
    ).toMatch(/ROWS\/RANGE is not allowed with ROW_NUMBER/);
  });

  it('LAG without a frame and with a default of its own type; no LEAD', () => {
    expect(
      refusal('SELECT LAG(amount) OVER (ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t;'),
    ).toMatch(/ROWS\/RANGE is not allowed with LAG/);
    expect(refusal('SELECT LAG(amount, 1, 0.5) OVER (ORDER BY ts) FROM t;')).toMatch(
      /Please explicitly cast default value DECIMAL\(2, 1\) NOT NULL to INT/,
    );
    expect(refusal('SELECT LEAD(amount) OVER (ORDER BY ts) FROM t;')).toMatch(
      /LEAD Function is not supported in stream mode/,
    );
  });
});

describe('the plan of a Top-N, a deduplication, a window Top-N', () => {
  /** The nodes from the pipeline's root down its first inputs, as kind[:detail]. */
  function chain(query: string): string[] {
    const plan = planJob(parseSqlFile(TABLE + query, 'p.sql'), 'p.sql');
    const out: string[] = [];
    for (let n: PlanNode | undefined = plan.pipelines[0]!.root; n; n = n.inputs[0]) {
      if (n.kind === 'rank')
        out.push(
          `rank:${n.range ? `${n.range.start}-${n.range.end}` : 'all'}${n.outputRankNumber ? '+rn' : ''}${n.window ? ':window' : ''}${n.updating ? ':updating' : ''}`,
        );
      else if (n.kind === 'deduplicate')
        out.push(
          `deduplicate:${n.keepLast ? 'last' : 'first'}${n.window ? ':window' : ''}${n.updating ? ':updating' : ''}`,
        );
      else out.push(n.kind);
    }
    return out;
  }

  it('keeps the row number only when it is read and not a constant', () => {
    expect(
      chain(
        'SELECT account, rn FROM (SELECT account, ROW_NUMBER() OVER (PARTITION BY account ORDER BY amount DESC) AS rn FROM t) WHERE rn <= 3;',
      ),
    ).toEqual(['project', 'project', 'rank:1-3+rn:updating', 'scan']);
    expect(
      chain(
        'SELECT account FROM (SELECT account, ROW_NUMBER() OVER (PARTITION BY account ORDER BY amount DESC) AS rn FROM t) WHERE rn <= 3 AND account > 0;',
      ),
    ).toEqual(['project', 'filter', 'project', 'rank:1-3:updating', 'scan']);
    expect(
      chain(
        'SELECT account, rn FROM (SELECT account, ROW_NUMBER() OVER (PARTITION BY account ORDER BY amount DESC) AS rn FROM t) WHERE rn = 2;',
      ),
    ).toEqual(['project', 'project', 'rank:2-2:updating', 'scan']);
  });

  it('rn = 1 on a time attribute is a deduplication; per window it is insert-only', () => {
    expect(
      chain(
        'SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY account ORDER BY ts DESC) AS rn FROM t) WHERE rn = 1;',
      ),
    ).toEqual(['project', 'project', 'deduplicate:last:updating', 'scan']);
    expect(
      chain(
        "SELECT account FROM (SELECT account, window_start, window_end, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, account ORDER BY ts) AS rn FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) WHERE rn = 1;",
      ),
    ).toEqual(['project', 'project', 'deduplicate:first:window', 'window-table', 'scan']);
    expect(
      chain(
        "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY n DESC) AS rn FROM (SELECT window_start, window_end, account, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, account)) WHERE rn <= 2;",
      ),
    ).toEqual(['project', 'project', 'rank:1-2+rn:window', 'project', 'window-aggregate', 'scan']);
  });
});
