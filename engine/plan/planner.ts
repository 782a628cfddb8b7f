// Statements -> JobPlan. Resolves tables, plans each INSERT/SELECT into a chain of logical nodes
// (scan -> filter -> [window-|group-]aggregate -> filter(HAVING) -> project -> sink).

import { SqlError, didYouMean, type SourcePos } from '../errors.js';
import type { InsertStatement, Positions, SelectStatement, SqlNode, Statement, WindowTvf } from '../sql/ast.js';
import { T, isTimestamp, typeToString, withNullable, type Field, type SqlType } from '../types.js';
import {
  ExprBinder,
  canonical,
  columnName,
  functionArgs,
  functionName,
  intervalMs,
  isAggregateNode,
  nodePos,
  type BindEnv,
} from './bind.js';
import { call, col, type AggregateCall, type AggregateFunction, type Expr } from './expr.js';
import type { JobPlan, PlanNode, Pipeline, TableDef, WindowSpec } from './logical.js';
import { checkSetting } from './settings.js';
import { buildTable } from './tables.js';
import { assignable, castable, coerce, describeType } from './typing.js';

export const LATE_SINK_SETTING = 'fintrans.late-records.sink';

export function planJob(statements: readonly Statement[], file: string, baseSettings: ReadonlyMap<string, string> = new Map()): JobPlan {
  const settings = new Map(baseSettings);
  const tables = new Map<string, TableDef>();
  const pipelines: Pipeline[] = [];
  const explain: Pipeline[] = [];
  const queries: { stmt: InsertStatement | SelectStatement; explain: boolean }[] = [];

  for (const s of statements) {
    switch (s.kind) {
      case 'set':
        checkSetting(s);
        // Settings from the command line (--set) win over the file's SET.
        if (!baseSettings.has(s.key)) settings.set(s.key, s.value);
        break;
      case 'create-table':
        if (tables.has(s.name)) throw new SqlError(s.namePos, `table '${s.name}' is declared twice`, `give the second table another name`);
        tables.set(s.name, buildTable(s));
        break;
      case 'insert':
      case 'select':
        queries.push({ stmt: s, explain: false });
        break;
      case 'explain':
        queries.push({ stmt: s.statement, explain: true });
        break;
    }
  }
  for (const q of queries) {
    const p = new QueryPlanner(q.stmt, tables).plan();
    (q.explain ? explain : pipelines).push(p);
  }
  if (pipelines.length === 0 && explain.length === 0) {
    throw new SqlError({ file, line: 1, col: 1 }, `the job has no INSERT INTO or SELECT statement`, `add e.g. INSERT INTO alerts SELECT ... FROM transactions`);
  }

  let lateSink: TableDef | undefined;
  const lateName = settings.get(LATE_SINK_SETTING);
  if (lateName) {
    lateSink = tables.get(lateName);
    if (!lateSink) {
      const guess = didYouMean(lateName, tables.keys());
      throw new SqlError({ file, line: 1, col: 1 }, `SET '${LATE_SINK_SETTING}' names table '${lateName}', which is not declared`, guess ? `did you mean '${guess}'?` : `declare CREATE TABLE ${lateName} (...) WITH (...) for late records`);
    }
  }
  const used = new Set([...pipelines, ...explain].flatMap((p) => [p.source, ...(p.sink ? [p.sink] : [])]));
  if (lateSink) used.add(lateSink);
  for (const t of tables.values()) if (!used.has(t)) t.options.skipUnused();
  return { file, settings, tables, pipelines, lateSink, explain };
}

interface ScopeField extends Field {
  readonly index: number;
}

const WINDOW_COLUMNS = ['window_start', 'window_end', 'window_time'] as const;

class QueryPlanner {
  private readonly positions: Positions;
  private readonly select: SqlNode;

  constructor(
    private readonly stmt: InsertStatement | SelectStatement,
    private readonly tables: ReadonlyMap<string, TableDef>,
  ) {
    this.positions = stmt.positions;
    this.select = stmt.select;
  }

  private err(node: SqlNode, problem: string, hint?: string): SqlError {
    return new SqlError(nodePos(node, this.positions), problem, hint);
  }

  private table(name: string, pos: SourcePos): TableDef {
    const t = this.tables.get(name);
    if (t) return t;
    const guess = didYouMean(name, this.tables.keys());
    throw new SqlError(pos, `unknown table '${name}'`, guess ? `did you mean '${guess}'?` : `declare it first with CREATE TABLE ${name} (...) WITH (...)`);
  }

  plan(): Pipeline {
    const sel = this.select;
    if (sel?.type !== 'select') throw new SqlError(this.stmt.pos, `expected a SELECT query`);
    if (sel.with) throw this.err(sel, `WITH (common table expressions) is not supported yet`, `declare the source table directly and select from it`);
    if (sel._next || sel.set_op) throw new SqlError(this.stmt.pos, `UNION and other set operations are not supported yet`, `write one INSERT per query`);
    if (sel.orderby) throw new SqlError(this.positions.identifier('ORDER'), `ORDER BY is not supported on a stream`, `sort the output file afterwards, or remove ORDER BY`);
    if (sel.limit && (sel.limit.value?.length ?? 0) > 0) throw new SqlError(this.positions.identifier('LIMIT'), `LIMIT is not supported on a stream`);
    const from = sel.from as SqlNode[] | null;
    if (!from || from.length === 0) throw new SqlError(this.stmt.pos, `the query needs a FROM clause`, `write SELECT ... FROM <table>`);
    if (from.length > 1 || from[0].join) throw new SqlError(this.positions.identifier(from[1]?.table ?? 'JOIN'), `joins are not supported yet`, `one source table per query`);
    if (from[0].expr) throw this.err(from[0].expr, `subqueries in FROM are not supported yet`, `select from a table or a window function: FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' MINUTES))`);

    const fromName: string = from[0].table;
    const tvf = this.stmt.windows.find((w) => w.placeholder === fromName);
    const source = tvf ? this.table(tvf.table, tvf.tablePos) : this.table(fromName, this.positions.identifier(fromName));
    const alias: string | null = from[0].as ?? null;
    const scope: ScopeField[] = source.columns.map((c, i) => ({ name: c.name, type: c.type, index: i }));

    let node: PlanNode = { kind: 'scan', table: source, schema: scope.map(({ name, type }) => ({ name, type })) };
    const rowBinder = new ExprBinder(this.rowEnv(scope, source, alias, tvf, 'WHERE'));
    const where = this.splitWhere(sel.where, tvf);
    if (where.rows) {
      const predicate = rowBinder.bind(where.rows);
      if (predicate.type.name !== 'BOOLEAN' && predicate.type.name !== 'NULL') throw this.err(where.rows, `WHERE needs a condition (BOOLEAN), got ${describeType(predicate.type)}`);
      node = { kind: 'filter', input: node, predicate, schema: node.schema };
    }

    let groupItems: SqlNode[] = sel.groupby?.columns ?? (Array.isArray(sel.groupby) ? sel.groupby : []);
    const selectItems = this.selectItems(sel.columns, scope, tvf);
    const hasAggregates = selectItems.some((it) => containsAggregate(it.node)) || (sel.having && containsAggregate(sel.having));
    // SELECT DISTINCT a, b is GROUP BY a, b (as Flink plans it): each distinct row once. Over
    // grouped rows, that GROUP BY comes after the grouping (distinctGroups below).
    const distinctGroups = Boolean(sel.distinct) && (groupItems.length > 0 || Boolean(hasAggregates));
    if (sel.distinct && !distinctGroups) {
      if (tvf) throw new SqlError(this.positions.identifier('DISTINCT'), `SELECT DISTINCT over a window function needs GROUP BY window_start, window_end`, `group by the window and your keys instead of DISTINCT`);
      groupItems = selectItems.map((it) => it.node);
    }
    let outputs: { expr: Expr; name: string; node: SqlNode }[];
    let having: Expr | undefined;

    if (groupItems.length > 0 || hasAggregates) {
      const agg = this.planAggregate(node, scope, source, alias, tvf, groupItems, selectItems, sel.having, where.windows);
      node = agg.node;
      outputs = agg.outputs;
      having = agg.having;
    } else {
      if (tvf) {
        throw new SqlError(tvf.pos, `a window function needs GROUP BY window_start, window_end`, `add GROUP BY window_start, window_end (and your keys) with aggregates such as SUM(amount)`);
      }
      if (sel.having) throw this.err(sel.having, `HAVING needs GROUP BY or an aggregate`, `use WHERE to filter rows`);
      const b = new ExprBinder(this.rowEnv(scope, source, alias, tvf, 'the SELECT list'));
      outputs = selectItems.map((it) => ({ expr: b.bind(it.node), name: it.name, node: it.node }));
    }
    if (having) node = { kind: 'filter', input: node, predicate: having, schema: node.schema };
    if (distinctGroups) {
      if (node.kind !== 'window-aggregate' && !(node.kind === 'filter' && node.input.kind === 'window-aggregate')) {
        // A running aggregate's rows are updates (a group's new total replaces its old one); the
        // distinct rows of such a stream need retractions, which running GROUP BY does not emit.
        throw new SqlError(
          this.positions.identifier('DISTINCT'),
          `SELECT DISTINCT over a running GROUP BY (without a window) is not supported yet`,
          `remove DISTINCT (each group is one row already), or group by a window: FROM TABLE(TUMBLE(...)) GROUP BY window_start, window_end, ...`,
        );
      }
      node = { kind: 'project', input: node, exprs: outputs.map((o) => o.expr), schema: outputs.map((o) => ({ name: o.name, type: o.expr.type })) };
      const keys = outputs.map((o, i) => col(i, o.name, o.expr.type));
      node = { kind: 'group-aggregate', input: node, keys, aggregates: [], schema: node.schema };
      outputs = outputs.map((o, i) => ({ ...o, expr: keys[i]! }));
    }

    const sink = this.stmt.kind === 'insert' ? this.table(this.stmt.sink, this.stmt.sinkPos) : undefined;
    const exprs = sink ? this.fitToSink(outputs, sink) : outputs.map((o) => o.expr);
    const names = sink ? sink.columns.filter((c) => c.kind === 'physical').map((c) => c.name) : outputs.map((o) => o.name);
    node = { kind: 'project', input: node, exprs, schema: exprs.map((e, i) => ({ name: names[i]!, type: e.type })) };
    return { root: node, sink, pos: this.stmt.pos, source };
  }

  /**
   * WHERE after a window TVF may test the window's columns: the conditions (top-level AND terms)
   * that use only window_start / window_end / window_time are the same for every row of a window,
   * so they filter its result rows instead; the rest filter the input rows. A condition mixing
   * both is refused.
   */
  private splitWhere(where: SqlNode | null, tvf: WindowTvf | undefined): { rows?: SqlNode; windows: SqlNode[] } {
    if (!where) return { windows: [] };
    if (!tvf) return { rows: where, windows: [] };
    const rows: SqlNode[] = [];
    const windows: SqlNode[] = [];
    for (const c of conjuncts(where)) {
      const names = columnRefs(c);
      const windowNames = names.filter((n) => (WINDOW_COLUMNS as readonly string[]).includes(n));
      if (windowNames.length === 0) rows.push(c);
      else if (windowNames.length < names.length) {
        const rowName = names.find((n) => !windowNames.includes(n))!;
        throw new SqlError(
          this.positions.identifier(rowName, this.positions.offsetOf('WHERE')),
          `a WHERE condition cannot mix ${windowNames[0]} with the rows' columns (${rowName})`,
          `test ${windowNames[0]} in a condition of its own (joined with AND), or use HAVING`,
        );
      } else if (tvf.kind === 'SESSION') {
        throw new SqlError(this.positions.identifier(windowNames[0]!, this.positions.offsetOf('WHERE')), `a SESSION window's ${windowNames[0]} is only known when the session closes: it cannot be tested in WHERE`, `test it in HAVING`);
      } else if (containsAggregate(c)) {
        throw this.err(c, `aggregate functions are not allowed in WHERE`, 'filter aggregates with HAVING');
      } else windows.push(c);
    }
    const rowsNode = rows.reduce<SqlNode | undefined>((acc, c) => (acc ? { type: 'binary_expr', operator: 'AND', left: acc, right: c } : c), undefined);
    return { ...(rowsNode ? { rows: rowsNode } : {}), windows };
  }

  /**
   * Positions for expressions of one clause: a name is looked up from the clause's keyword on
   * (WHERE, GROUP BY, HAVING), so an error in `WHERE memo LIKE ...` points into the WHERE, not at
   * the first `memo` of the SELECT list.
   */
  private clausePositions(clause: string): Positions {
    const base = this.positions;
    const keyword = clause === 'WHERE' ? 'WHERE' : clause === 'HAVING' ? 'HAVING' : clause === 'GROUP BY' ? 'GROUP' : undefined;
    const from = keyword ? base.offsetOf(keyword) : undefined;
    if (from === undefined) return base;
    const offsetOf = (name: string, fromOffset = 0): number | undefined => base.offsetOf(name, Math.max(fromOffset, from)) ?? base.offsetOf(name, fromOffset);
    return {
      start: base.start,
      at: (offset) => base.at(offset),
      offsetOf,
      identifier: (name, fromOffset) => {
        const o = offsetOf(name, fromOffset);
        return o === undefined ? base.start : base.at(o);
      },
    };
  }

  /** Expands SELECT * and names each item (alias, column name, or EXPR$i like Flink). */
  private selectItems(columns: SqlNode[], scope: ScopeField[], tvf: WindowTvf | undefined): { node: SqlNode; name: string }[] {
    const out: { node: SqlNode; name: string }[] = [];
    columns.forEach((c: SqlNode, i: number) => {
      const e = c.expr ?? c;
      if (e?.type === 'column_ref' && columnName(e) === '*') {
        for (const f of scope) out.push({ node: { type: 'column_ref', table: null, column: f.name }, name: f.name });
        if (tvf) for (const w of WINDOW_COLUMNS) out.push({ node: { type: 'column_ref', table: null, column: w }, name: w });
        return;
      }
      const name = c.as ? String(typeof c.as === 'string' ? c.as : c.as.value ?? c.as) : e?.type === 'column_ref' ? columnName(e) : `EXPR$${i}`;
      out.push({ node: e, name });
    });
    return out;
  }

  private rowEnv(scope: ScopeField[], source: TableDef, alias: string | null, tvf: WindowTvf | undefined, clause: string): BindEnv {
    const positions = this.clausePositions(clause);
    return {
      positions,
      clause,
      column: (name, qualifier, node) => {
        if (qualifier && qualifier !== source.name && qualifier !== alias) {
          throw new SqlError(nodePos(node, positions), `unknown table or alias '${qualifier}'`, `write ${alias ?? source.name}.${name} or just ${name}`);
        }
        const f = scope.find((s) => s.name === name);
        if (f) return col(f.index, f.name, f.type);
        if ((WINDOW_COLUMNS as readonly string[]).includes(name)) {
          throw new SqlError(
            nodePos(node, positions),
            tvf ? `${name} can only be used after GROUP BY window_start, window_end` : `column '${name}' exists only on a window function's output`,
            tvf ? `group by the window and select ${name}` : `select FROM TABLE(TUMBLE(TABLE ${source.name}, DESCRIPTOR(ts), INTERVAL '10' MINUTES))`,
          );
        }
        throw unknownColumn(name, scope.map((s) => s.name), source.name, nodePos(node, positions));
      },
    };
  }

  private planAggregate(
    input: PlanNode,
    scope: ScopeField[],
    source: TableDef,
    alias: string | null,
    tvf: WindowTvf | undefined,
    groupItems: SqlNode[],
    selectItems: { node: SqlNode; name: string }[],
    havingNode: SqlNode | null,
    windowConditions: readonly SqlNode[],
  ): { node: PlanNode; outputs: { expr: Expr; name: string; node: SqlNode }[]; having?: Expr } {
    const rowBinder = new ExprBinder(this.rowEnv(scope, source, alias, tvf, 'GROUP BY'));
    let window: WindowSpec | undefined;
    let legacy: { kind: string; argsCanon: string } | undefined;
    const keyExprs: Expr[] = [];
    const keyCanon: string[] = [];
    const keyNames: string[] = [];
    let sawStart = false;
    let sawEnd = false;

    for (const g of groupItems) {
      if (g.type === 'column_ref' && tvf && (WINDOW_COLUMNS as readonly string[]).includes(columnName(g))) {
        if (columnName(g) === 'window_start') sawStart = true;
        if (columnName(g) === 'window_end') sawEnd = true;
        continue;
      }
      const fname = g.type === 'function' ? functionName(g) : '';
      if (fname === 'TUMBLE' || fname === 'HOP' || fname === 'SESSION' || fname === 'CUMULATE') {
        if (tvf) throw this.err(g, `GROUP BY ${fname}(...) cannot be combined with a window table function`, `group by window_start, window_end`);
        if (window) throw this.err(g, `only one group window is allowed in GROUP BY`);
        window = this.legacyWindow(g, fname, source);
        legacy = { kind: fname, argsCanon: canonical(functionArgs(g)) };
        continue;
      }
      if (isAggregateNode(g)) throw this.err(g, `aggregate functions are not allowed in GROUP BY`);
      keyExprs.push(rowBinder.bind(g));
      keyCanon.push(canonical(g));
      keyNames.push(g.type === 'column_ref' ? columnName(g) : `EXPR$${keyNames.length}`);
    }
    if (tvf) {
      if (!sawStart || !sawEnd) {
        // Point at the GROUP BY that lacks them (the window function itself is fine).
        const where = groupItems.length > 0 ? this.positions.identifier('GROUP') : tvf.pos;
        throw new SqlError(where, `window aggregation must GROUP BY window_start, window_end`, `write GROUP BY window_start, window_end${keyNames.length ? ', ' + keyNames.join(', ') : ''}`);
      }
      window = this.tvfWindow(tvf, source);
    }

    // Output row of the aggregate: keys, [window_start, window_end, window_time], aggregates.
    const aggregates: AggregateCall[] = [];
    const aggCanon: string[] = [];
    const aggBase = keyExprs.length + (window ? 3 : 0);
    const argBinder = new ExprBinder(this.rowEnv(scope, source, alias, tvf, 'an aggregate function'));
    const windowSlot = (i: number): Expr => col(keyExprs.length + i, WINDOW_COLUMNS[i]!, i === 2 ? T.timestamp(3, false) : T.timestamp(3, false));

    const env = (clause: string): BindEnv => {
      const positions = this.clausePositions(clause);
      return {
        positions,
        clause,
        substitute: (node) => {
          const k = keyCanon.indexOf(canonical(node));
          if (k >= 0) return col(k, keyNames[k]!, keyExprs[k]!.type);
          if (node?.type === 'column_ref') {
            const name = columnName(node);
            const byName = keyNames.indexOf(name);
            if (byName >= 0 && keyExprs[byName]!.kind === 'column') return col(byName, name, keyExprs[byName]!.type);
            if (tvf && (WINDOW_COLUMNS as readonly string[]).includes(name)) return windowSlot(WINDOW_COLUMNS.indexOf(name as (typeof WINDOW_COLUMNS)[number]));
          }
          if (legacy && node?.type === 'function') {
            const fname = functionName(node);
            const m = /^(TUMBLE|HOP|SESSION)_(START|END|ROWTIME)$/.exec(fname);
            if (m) {
              if (m[1] !== legacy.kind || canonical(functionArgs(node)) !== legacy.argsCanon) {
                throw this.err(node, `${fname}(...) must repeat the arguments of GROUP BY ${legacy.kind}(...)`, `use the same time column and intervals as in GROUP BY`);
              }
              return windowSlot(m[2] === 'START' ? 0 : m[2] === 'END' ? 1 : 2);
            }
          }
          return undefined;
        },
        column: (name, _q, node) => {
          if (scope.some((s) => s.name === name)) {
            throw new SqlError(nodePos(node, positions), `column '${name}' must be in GROUP BY or used inside an aggregate function`, `add ${name} to GROUP BY, or write e.g. LAST_VALUE(${name})`);
          }
          if (!tvf && (WINDOW_COLUMNS as readonly string[]).includes(name)) {
            throw new SqlError(nodePos(node, positions), `column '${name}' exists only on a window function's output`, legacy ? `use ${legacy.kind}_START(...) / ${legacy.kind}_END(...)` : undefined);
          }
          throw unknownColumn(name, [...scope.map((s) => s.name), ...(tvf ? WINDOW_COLUMNS : [])], source.name, nodePos(node, positions));
        },
        aggregate: (node) => {
          const c = canonical(node);
          let i = aggCanon.indexOf(c);
          if (i < 0) {
            aggregates.push(this.aggregateCall(node, argBinder));
            aggCanon.push(c);
            i = aggregates.length - 1;
          }
          return col(aggBase + i, `agg$${i}`, aggregates[i]!.type);
        },
      };
    };

    const selBinder = new ExprBinder(env('the SELECT list'));
    const outputs = selectItems.map((it) => ({ expr: selBinder.bind(it.node), name: it.name, node: it.node }));
    let having: Expr | undefined;
    if (havingNode) {
      having = new ExprBinder(env('HAVING')).bind(havingNode);
      if (having.type.name !== 'BOOLEAN') throw this.err(havingNode, `HAVING needs a condition (BOOLEAN), got ${describeType(having.type)}`);
    }
    // WHERE conditions on window_start/window_end hold for all rows of a window or for none: they
    // filter the window's result rows (see splitWhere).
    for (const w of windowConditions) {
      const c = new ExprBinder(env('WHERE')).bind(w);
      if (c.type.name !== 'BOOLEAN' && c.type.name !== 'NULL') throw this.err(w, `WHERE needs a condition (BOOLEAN), got ${describeType(c.type)}`);
      having = having ? call('AND', [c, having], T.boolean(c.type.nullable || having.type.nullable)) : c;
    }

    const keyFields = keyExprs.map((e, i) => ({ name: keyNames[i]!, type: e.type }));
    const aggFields = aggregates.map((a, i) => ({ name: `agg$${i}`, type: a.type }));
    if (window) {
      const wf = WINDOW_COLUMNS.map((name) => ({ name, type: T.timestamp(3, false) as SqlType }));
      return {
        node: { kind: 'window-aggregate', input, window, keys: keyExprs, aggregates, schema: [...keyFields, ...wf, ...aggFields] },
        outputs,
        having,
      };
    }
    return { node: { kind: 'group-aggregate', input, keys: keyExprs, aggregates, schema: [...keyFields, ...aggFields] }, outputs, having };
  }

  private aggregateCall(node: SqlNode, argBinder: ExprBinder): AggregateCall {
    const name = node.type === 'aggr_func' ? String(node.name).toUpperCase() : functionName(node);
    const pos = nodePos(node, this.positions);
    let argNodes: SqlNode[];
    let distinct = false;
    if (node.type === 'aggr_func') {
      const e = node.args?.expr;
      distinct = !!node.args?.distinct;
      argNodes = e ? [e] : [];
      const sep = node.args?.separator;
      if (sep) {
        const lit = Array.isArray(sep) ? sep[sep.length - 1] : sep.value ?? sep;
        argNodes.push(lit);
      }
    } else {
      argNodes = functionArgs(node);
    }
    for (const a of argNodes) {
      if (containsAggregate(a)) throw new SqlError(pos, `aggregate functions cannot be nested`);
    }
    if (name === 'COUNT' && argNodes.length === 1 && (argNodes[0].type === 'star' || (argNodes[0].type === 'column_ref' && columnName(argNodes[0]) === '*'))) {
      return { fn: 'COUNT_STAR', args: [], distinct: false, type: T.bigint(false) };
    }
    const args = argNodes.map((a) => argBinder.bind(a));
    const a0 = args[0];
    const want = (n: number, usage: string) => {
      if (args.length !== n) throw new SqlError(pos, `${name} takes ${n} argument${n > 1 ? 's' : ''}, got ${args.length}`, `write ${usage}`);
    };
    let type: SqlType;
    const fn = name as AggregateFunction;
    switch (name) {
      case 'COUNT':
        want(1, 'COUNT(x), COUNT(*) or COUNT(DISTINCT x)');
        type = T.bigint(false);
        break;
      case 'SUM':
      case 'AVG': {
        want(1, `${name}(amount)`);
        const t = a0!.type;
        if (!['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL'].includes(t.name)) {
          throw new SqlError(pos, `${name} needs a number, got ${describeType(t)}`, `CAST the argument, e.g. ${name}(CAST(x AS DOUBLE))`);
        }
        if (t.name === 'DECIMAL') type = T.decimal(38, name === 'AVG' ? Math.max(6, t.scale ?? 0) : t.scale ?? 0);
        else if (t.name === 'FLOAT') type = T.double();
        else type = withNullable(t, true);
        break;
      }
      case 'MIN':
      case 'MAX':
      case 'FIRST_VALUE':
      case 'LAST_VALUE':
        want(1, `${name}(x)`);
        type = withNullable(a0!.type, true);
        break;
      case 'LISTAGG': {
        if (args.length < 1 || args.length > 2) throw new SqlError(pos, `LISTAGG takes 1 or 2 arguments`, `write LISTAGG(x) or LISTAGG(x, ';')`);
        if (a0!.type.name !== 'STRING') throw new SqlError(pos, `LISTAGG needs a STRING, got ${describeType(a0!.type)}`, `write LISTAGG(CAST(x AS STRING))`);
        if (args[1] && (args[1].kind !== 'literal' || args[1].type.name !== 'STRING')) throw new SqlError(pos, `LISTAGG's separator must be a string literal`, `write LISTAGG(x, ';')`);
        type = T.string();
        break;
      }
      default:
        throw new SqlError(pos, `unknown aggregate function ${name}`);
    }
    return { fn, args, distinct, type };
  }

  private checkTimeAttribute(source: TableDef, column: string, pos: SourcePos, fname: string): { index: number; type: SqlType } {
    const idx = source.columns.findIndex((c) => c.name === column);
    if (idx < 0) throw unknownColumn(column, source.columns.map((c) => c.name), source.name, pos);
    if (!source.watermark || source.watermark.rowtimeIndex !== idx) {
      const c = source.columns[idx]!;
      throw new SqlError(
        pos,
        `${fname} needs a time attribute, but '${column}' of table '${source.name}' has no WATERMARK`,
        isTimestamp(c.type)
          ? `declare WATERMARK FOR ${column} AS ${column} - INTERVAL '5' SECOND in table '${source.name}'`
          : `'${column}' is ${typeToString(c.type)}: add a computed column ts AS TO_TIMESTAMP(${column}, '<pattern>') with WATERMARK FOR ts AS ts - INTERVAL '5' SECOND`,
      );
    }
    return { index: idx, type: source.columns[idx]!.type };
  }

  private tvfWindow(tvf: WindowTvf, source: TableDef): WindowSpec {
    const { index } = this.checkTimeAttribute(source, tvf.timeColumn, tvf.timeColumnPos, tvf.kind);
    if (tvf.kind === 'SESSION' && tvf.partitionBy.length > 0) {
      // Session windows are kept per group key; PARTITION BY keys must be grouped on too.
      for (const p of tvf.partitionBy) {
        if (!source.columns.some((c) => c.name === p)) throw unknownColumn(p, source.columns.map((c) => c.name), source.name, tvf.pos);
      }
    }
    return windowSpec(tvf.kind, tvf.firstMs, tvf.sizeMs, tvf.offsetMs, index, tvf.timeColumn, tvf.pos);
  }

  private legacyWindow(g: SqlNode, fname: string, source: TableDef): WindowSpec {
    const args = functionArgs(g);
    const pos = nodePos(g, this.positions);
    const usage =
      fname === 'TUMBLE' ? `TUMBLE(ts, INTERVAL '10' MINUTE)` : fname === 'HOP' ? `HOP(ts, INTERVAL '2' MINUTE, INTERVAL '10' MINUTE)` : `SESSION(ts, INTERVAL '5' MINUTE)`;
    if (fname === 'CUMULATE') throw new SqlError(pos, `CUMULATE exists only as a window table function`, `write FROM TABLE(CUMULATE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '10' MINUTES))`);
    const want = fname === 'HOP' ? 3 : 2;
    if (args.length !== want || args[0]?.type !== 'column_ref') throw new SqlError(pos, `${fname} needs ${want} arguments`, `write GROUP BY ${usage}`);
    const timeName = columnName(args[0]);
    const { index } = this.checkTimeAttribute(source, timeName, this.positions.identifier(timeName, g.loc?.start.offset), fname);
    const intervals = args.slice(1).map((a: SqlNode) => {
      const ms = intervalMs(a);
      if (ms === undefined || ms <= 0) throw new SqlError(pos, `${fname} needs positive INTERVALs`, `write GROUP BY ${usage}`);
      return ms;
    });
    return { ...windowSpec(fname as WindowSpec['kind'], intervals[0]!, intervals[1], 0, index, timeName, pos), legacy: true };
  }

  /** Casts the query's outputs to the sink's column types, in the sink's column order. */
  private fitToSink(outputs: { expr: Expr; name: string; node: SqlNode }[], sink: TableDef): Expr[] {
    const sinkCols = sink.columns.filter((c) => c.kind === 'physical');
    const stmt = this.stmt as InsertStatement;
    let order: number[] = sinkCols.map((_, i) => i);
    if (stmt.columns && stmt.columns.length > 0) {
      order = stmt.columns.map((name) => {
        const i = sinkCols.findIndex((c) => c.name === name);
        if (i < 0) throw unknownColumn(name, sinkCols.map((c) => c.name), sink.name, this.positions.identifier(name));
        return i;
      });
      if (order.length !== sinkCols.length) {
        throw new SqlError(stmt.sinkPos, `INSERT INTO ${sink.name} (...) must list all ${sinkCols.length} columns of the sink`, `list ${sinkCols.map((c) => c.name).join(', ')}`);
      }
    }
    if (outputs.length !== sinkCols.length) {
      throw new SqlError(
        stmt.sinkPos,
        `INSERT INTO ${sink.name}: the query gives ${outputs.length} column${outputs.length === 1 ? '' : 's'} but the sink has ${sinkCols.length} (${sinkCols.map((c) => c.name).join(', ')})`,
        outputs.length < sinkCols.length ? `add the missing columns to the SELECT list, in the sink's order` : `remove columns from the SELECT list or add them to table '${sink.name}'`,
      );
    }
    const result: Expr[] = new Array(sinkCols.length);
    outputs.forEach((o, i) => {
      const target = sinkCols[order[i]!]!;
      if (!assignable(o.expr.type, target.type)) {
        throw new SqlError(
          nodePos(o.node, this.positions),
          `column '${target.name}' of '${sink.name}' is ${describeType(target.type)} but the query gives ${describeType(o.expr.type)}`,
          castable(o.expr.type, target.type)
            ? `CAST the value: CAST(... AS ${typeToString(withNullable(target.type, true))}), or declare '${target.name}' as ${typeToString(withNullable(o.expr.type, true))} in table '${sink.name}'`
            : `declare '${target.name}' as ${typeToString(withNullable(o.expr.type, true))} in table '${sink.name}', or select a ${describeType(target.type)} value for it`,
        );
      }
      result[order[i]!] = coerce(o.expr, target.type);
    });
    return result;
  }
}

function windowSpec(kind: WindowSpec['kind'], first: number, size: number | undefined, offset: number, timeIndex: number, timeName: string, pos: SourcePos): WindowSpec {
  switch (kind) {
    case 'TUMBLE':
      return { kind, sizeMs: first, slideMs: first, offsetMs: offset, timeIndex, timeName };
    case 'HOP':
      if (size === undefined || size < first) throw new SqlError(pos, `HOP needs slide and size with slide ≤ size`, `write HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '2' MINUTES, INTERVAL '10' MINUTES)`);
      if (size % first !== 0) throw new SqlError(pos, `HOP's size must be a whole multiple of its slide`, `e.g. slide 2 minutes, size 10 minutes`);
      return { kind, sizeMs: size, slideMs: first, offsetMs: offset, timeIndex, timeName };
    case 'CUMULATE':
      if (size === undefined || size < first || size % first !== 0) throw new SqlError(pos, `CUMULATE needs step and size, with size a whole multiple of step`, `write CUMULATE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTES, INTERVAL '10' MINUTES)`);
      return { kind, sizeMs: size, slideMs: first, offsetMs: offset, timeIndex, timeName };
    case 'SESSION':
      return { kind, sizeMs: first, slideMs: 0, offsetMs: 0, timeIndex, timeName };
  }
}

function unknownColumn(name: string, candidates: readonly string[], table: string, pos: SourcePos): SqlError {
  const guess = didYouMean(name, candidates);
  return new SqlError(pos, `unknown column '${name}' in table '${table}'`, guess ? `did you mean '${guess}'?` : `columns are: ${candidates.join(', ')}`);
}

/** The top-level AND terms of a condition. */
function conjuncts(node: SqlNode): SqlNode[] {
  if (node?.type === 'binary_expr' && String(node.operator).toUpperCase() === 'AND') return [...conjuncts(node.left), ...conjuncts(node.right)];
  return [node];
}

/** The names of the columns a node refers to. */
function columnRefs(node: SqlNode): string[] {
  if (!node || typeof node !== 'object') return [];
  if (node.type === 'column_ref') return [columnName(node)];
  const out: string[] = [];
  for (const k of Object.keys(node)) if (k !== 'loc') out.push(...columnRefs(node[k]));
  return out;
}

function containsAggregate(node: SqlNode): boolean {
  if (!node || typeof node !== 'object') return false;
  if (isAggregateNode(node)) return true;
  for (const k of Object.keys(node)) {
    if (k === 'loc') continue;
    const v = node[k];
    if (Array.isArray(v)) {
      if (v.some(containsAggregate)) return true;
    } else if (v && typeof v === 'object' && containsAggregate(v)) return true;
  }
  return false;
}
