// One query (the SELECT of an INSERT, a view or a CTE) → a node of the plan graph.
//
// A query is a tree of blocks: WITH names sub-queries for the blocks below it, UNION [ALL] joins
// blocks, and each block is FROM → WHERE → [window-|group-]aggregate → HAVING → SELECT →
// [DISTINCT]. FROM names a table, a view, a CTE or a window function over one of them, or is a
// sub-query: each becomes a Relation, a plan node with the names its columns are known by. Names
// resolve to shared nodes (Catalog.relation), so the graph reads a table and computes a view once.

import { expandForSets, groupingCall, readGroupingSets } from './grouping-sets.js';
import { SqlError, didYouMean, type SourcePos } from '../errors.js';
import type { Positions, QueryParts, WindowTvf } from '../sql/ast.js';
import {
  collectNodes,
  someNode,
  type AnyNode,
  type ColumnRefNode,
  type FromItem,
  type SelectNode,
  type SqlExpr,
  type WithItem,
} from '../sql/nodes.js';
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
import { bindAggregateFilter } from './aggregate-filter.js';
import { call, col, type AggregateCall, type AggregateFunction, type Expr } from './expr.js';
import type { JoinType, PlanNode, ScanNode, TableDef, WindowSpec } from './logical.js';
import { planJoin, planLookupJoin, planSemiJoin, planTemporalJoin, versionedViewKey } from './join.js';
import type { TemporalClause } from '../sql/temporal-clause.js';
import { comparisonTarget, coerce, describeType } from './typing.js';
import { containsOverCall } from '../sql/over-clause.js';
import { planOverSelect } from './over.js';
import { blockReads, limitRank } from './top-n.js';
import { planMatchRecognize } from './match-recognize.js';
import type { MatchRecognizeClause } from '../sql/ast.js';

/** A plan node as a FROM item sees it: its columns, and the names it answers to. */
export interface Relation {
  readonly node: PlanNode;
  /** The table, view or CTE name (or the sub-query's alias), for qualified names and messages. */
  readonly name: string;
  readonly what: 'table' | 'view' | 'query' | 'join';
  readonly alias: string | null;
  /** A declared table read directly: its columns and watermark explain why a column is not a time attribute. */
  readonly table?: TableDef;
}

/** What a query resolves names against: declared tables and views. */
export interface Catalog {
  /** A table or view by name, or undefined. */
  relation(name: string): Relation | undefined;
  /** Every name, for did-you-mean. */
  names(): Iterable<string>;
}

/** A planned query: its node and, per output column, its name and where it is written. */
export interface PlannedQuery {
  readonly node: PlanNode;
  readonly columns: readonly { readonly name: string; readonly node: SqlExpr }[];
}

interface ScopeField extends Field {
  readonly index: number;
  /** The names a qualified reference may use for it: its table, view or CTE name and alias. */
  readonly qualifiers: readonly string[];
}

function scopeOf(rel: Relation, offset = 0): ScopeField[] {
  const qualifiers = [rel.name, ...(rel.alias ? [rel.alias] : [])];
  return rel.node.schema.map((f, i) => ({ ...f, index: offset + i, qualifiers }));
}

type Ctes = ReadonlyMap<string, () => Relation>;

export const WINDOW_COLUMNS = ['window_start', 'window_end', 'window_time'] as const;

/** node-sql-parser's join words (spaces removed) → the join type. */
const JOIN_TYPES: Readonly<Record<string, JoinType>> = {
  JOIN: 'INNER',
  INNERJOIN: 'INNER',
  LEFTJOIN: 'LEFT',
  LEFTOUTERJOIN: 'LEFT',
  RIGHTJOIN: 'RIGHT',
  RIGHTOUTERJOIN: 'RIGHT',
  FULLJOIN: 'FULL',
  FULLOUTERJOIN: 'FULL',
};

export class QueryPlanner {
  private readonly positions: Positions;

  constructor(
    private readonly parts: QueryParts,
    private readonly catalog: Catalog,
    /** The statement's first character, for messages about the whole query. */
    private readonly pos: SourcePos,
  ) {
    this.positions = parts.positions;
  }

  plan(): PlannedQuery {
    return this.planTree(this.parts.select, new Map());
  }

  private err(node: SqlExpr, problem: string, hint?: string): SqlError {
    return new SqlError(nodePos(node, this.positions), problem, hint);
  }

  /** A SELECT with its WITH and set operations. */
  private planTree(sel: SelectNode, outer: Ctes): PlannedQuery {
    const ctes = sel.with ? this.withClause(sel.with, outer) : outer;
    if (sel.orderby)
      throw new SqlError(
        this.positions.identifier('ORDER'),
        `ORDER BY is not supported on a stream`,
        `sort the output file afterwards, or remove ORDER BY`,
      );
    if (sel.limit.length > 0)
      throw new SqlError(this.positions.identifier('LIMIT'), `LIMIT is not supported on a stream`);
    let result = this.planBlock(sel, ctes);
    // `a UNION ALL b UNION c`: each block carries the operator between it and the next.
    let block = sel;
    while (block.next) {
      const op = (block.setOp ?? '').toLowerCase().replace(/\s+/g, '');
      const next = block.next;
      if (op !== 'unionall' && op !== 'union') {
        throw new SqlError(
          this.positions.identifier(
            op.startsWith('intersect')
              ? 'INTERSECT'
              : op.startsWith('except') || op.startsWith('minus')
                ? 'EXCEPT'
                : 'UNION',
          ),
          `${op.toUpperCase()} is not supported yet`,
          `UNION ALL and UNION are`,
        );
      }
      const right = this.planBlock(next, ctes);
      result = this.union(result, right, next);
      if (op === 'union') result = this.distinct(result);
      block = next;
    }
    return result;
  }

  private withClause(items: readonly WithItem[], outer: Ctes): Ctes {
    const ctes = new Map(outer);
    for (const item of items) {
      const name = item.name;
      if (item.columns)
        throw new SqlError(
          this.positions.identifier(name),
          `WITH ${name} (columns) AS ... is not supported yet`,
          `name the columns inside the query: WITH ${name} AS (SELECT a AS x, ...)`,
        );
      const scope = new Map(ctes); // a CTE sees the ones before it
      let planned: Relation | undefined;
      ctes.set(name, () => {
        if (!planned) {
          const q = this.planTree(item.stmt, scope);
          planned = {
            node: renameColumns(
              q.node,
              q.columns.map((c) => c.name),
            ),
            name,
            what: 'view',
            alias: null,
          };
        }
        return planned;
      });
    }
    return ctes;
  }

  /** UNION ALL of two planned queries: the same number of columns, each of a common type. */
  private union(left: PlannedQuery, right: PlannedQuery, rightSel: SelectNode): PlannedQuery {
    const l = left.node.schema;
    const r = right.node.schema;
    if (l.length !== r.length) {
      throw new SqlError(
        rightSel.columns[0] ? nodePos(rightSel.columns[0].expr, this.positions) : this.positions.start,
        `UNION: the queries give ${l.length} and ${r.length} columns`,
        `select the same number of columns in every query of the UNION`,
      );
    }
    const types: SqlType[] = l.map((f, i) => {
      const g = r[i]!;
      const target = comparisonTarget(f.type, g.type);
      if (target === undefined) {
        throw new SqlError(
          nodePos(right.columns[i]?.node ?? rightSel.columns[0]?.expr, this.positions),
          `UNION: column ${i + 1} ('${f.name}') is ${describeType(f.type)} in one query and ${describeType(g.type)} in the other`,
          `CAST one of them so both have the same type`,
        );
      }
      const base = target === 'same' ? (f.type.name === 'NULL' ? g.type : f.type) : target;
      return withNullable(base, f.type.nullable || g.type.nullable);
    });
    const fit = (q: PlannedQuery): PlanNode => {
      const s = q.node.schema;
      if (
        s.every(
          (f, i) =>
            f.type.name === types[i]!.name && (f.type.name !== 'DECIMAL' || f.type.scale === types[i]!.scale),
        )
      )
        return q.node;
      const exprs = s.map((f, i) => coerce(col(i, f.name, f.type), types[i]!));
      return project(
        q.node,
        exprs,
        s.map((f, i) => ({
          name: f.name,
          type: exprs[i]!.type,
          ...(f.rowtime ? { rowtime: true as const } : {}),
        })),
      );
    };
    const inputs = [...flattenUnion(fit(left)), ...flattenUnion(fit(right))];
    const schema = l.map((f, i) => ({
      name: f.name,
      type: types[i]!,
      ...(inputs.every((n) => n.schema[i]!.rowtime) ? { rowtime: true as const } : {}),
    }));
    return {
      node: { kind: 'union', inputs, schema, updating: inputs.some((n) => n.updating) },
      columns: left.columns,
    };
  }

  /** Each distinct row once (SELECT DISTINCT, UNION): a group aggregate without aggregates, keyed by every column. */
  private distinct(q: PlannedQuery): PlannedQuery {
    const schema = q.node.schema.map(({ name, type }) => ({ name, type }));
    const keys = schema.map((f, i) => col(i, f.name, f.type));
    return {
      node: { kind: 'group-aggregate', inputs: [q.node], keys, aggregates: [], schema, updating: true },
      columns: q.columns,
    };
  }

  /** The relation a FROM item names. */
  private fromItem(from: FromItem, ctes: Ctes): { rel: Relation; tvf?: WindowTvf } {
    // `t MATCH_RECOGNIZE (...) AS m`: the clause's placeholder stands as the FROM item's alias.
    const match = this.parts.match?.find((m) => m.placeholder === from.as);
    if (match) return { rel: this.matchRecognize(this.fromItem({ ...from, as: null }, ctes).rel, match) };
    if (from.expr) {
      if (from.expr.type !== 'subquery')
        throw this.err(
          from.expr,
          `only a sub-query can stand in FROM here`,
          `write FROM (SELECT ...) AS name`,
        );
      const q = this.planTree(from.expr.ast, ctes);
      const alias = from.as;
      return {
        rel: {
          node: renameColumns(
            q.node,
            q.columns.map((c) => c.name),
          ),
          name: alias ?? '(sub-query)',
          what: 'query',
          alias,
        },
      };
    }
    const name = from.table ?? '';
    const tvf = this.parts.windows.find((w) => w.placeholder === name);
    const target = tvf ? tvf.table : name;
    const pos = tvf ? tvf.tablePos : this.positions.identifier(name);
    const rel = this.named(target, pos, ctes);
    return { rel: { ...rel, alias: from.as }, ...(tvf ? { tvf } : {}) };
  }

  private matchRecognize(rel: Relation, clause: MatchRecognizeClause): Relation {
    const inputName = rel.what === 'query' ? 'the sub-query' : `${rel.what} '${rel.name}'`;
    const node = planMatchRecognize(
      { input: rel.node, inputName, aggregateCall: (n, b) => this.aggregateCall(n, b) },
      clause,
    );
    return { node, name: clause.alias ?? 'MATCH_RECOGNIZE', what: 'query', alias: clause.alias };
  }

  /**
   * `x [NOT] IN (SELECT y ...)` and `[NOT] EXISTS (SELECT ... WHERE inner.a = outer.b ...)`: a semi
   * (anti) join of the rows so far with the sub-query, as Flink plans them. EXISTS may refer to the
   * outer query only in equalities `inner = outer.column` (qualified by the outer table's name or
   * alias); NOT IN keeps SQL's NULL rule (a NULL on either side means no row passes).
   */
  private semiJoin(
    left: PlanNode,
    fields: ScopeField[],
    rel: Relation,
    sq: SubqueryCondition,
    ctes: Ctes,
  ): PlanNode {
    const outerEnv = this.rowEnv(fields, rel, undefined, 'WHERE');
    const pos = nodePos(sq.node, this.positions);
    if (sq.kind === 'in' && sq.select.where && refersTo(sq.select.where, fields, sq.select)) {
      // A correlated IN (a window semi join's `a.k IN (SELECT b.k ... WHERE a.window_start =
      // b.window_start ...)`): the same as EXISTS with the IN's equality added to its WHERE.
      const value = sq.value!;
      const item = sq.select.columns[0];
      if (sq.negated || sq.select.columns.length !== 1 || !item || !refersOnlyTo(value, fields, sq.select))
        throw new SqlError(
          nodePos(value, this.positions),
          `${sq.negated ? 'NOT IN' : 'IN'} with a correlated sub-query is only supported as outer.column IN (SELECT inner_column ...)`,
          `write ${sq.negated ? 'NOT ' : ''}EXISTS (SELECT * FROM ... WHERE inner_column = outer.column AND ...)`,
        );
      const equal: SqlExpr = { type: 'binary_expr', operator: '=', left: item.expr, right: value };
      const where: SqlExpr = { type: 'binary_expr', operator: 'AND', left: sq.select.where, right: equal };
      return this.semiJoin(
        left,
        fields,
        rel,
        { kind: 'exists', negated: false, select: { ...sq.select, where }, node: sq.node },
        ctes,
      );
    }
    if (sq.kind === 'in') {
      const q = this.planTree(sq.select, ctes);
      if (q.node.schema.length !== 1)
        throw new SqlError(
          pos,
          `the sub-query of IN must select one column, it selects ${q.node.schema.length}`,
          `write x IN (SELECT y FROM ...)`,
        );
      const l = new ExprBinder(outerEnv).bind(sq.value!);
      const f = q.node.schema[0]!;
      const r: Expr = col(left.schema.length, f.name, f.type);
      const target = comparisonTarget(l.type, r.type);
      if (target === undefined)
        throw new SqlError(
          pos,
          `IN compares ${describeType(l.type)} with the sub-query's ${describeType(f.type)}`,
          `CAST one of them`,
        );
      const [a, b] = target === 'same' ? [l, r] : [coerce(l, target), coerce(r, target)];
      const equal = call('=', [a, b], T.boolean());
      // NOT IN: a row passes only if no sub-query value is equal to it or NULL, and it is not NULL itself (when there are any).
      const condition = sq.negated
        ? call(
            'OR',
            [
              call('OR', [equal, call('IS_NULL', [a], T.boolean(false))], T.boolean()),
              call('IS_NULL', [b], T.boolean(false)),
            ],
            T.boolean(),
          )
        : equal;
      return planSemiJoin(left, q.node, sq.negated, condition, pos);
    }
    // EXISTS: the sub-query's own FROM; its WHERE split into correlated equalities and the rest.
    const inner = sq.select;
    const outerNames = new Set(fields.flatMap((f) => f.qualifiers));
    const innerFrom = inner.from ?? [];
    const innerNames = new Set(innerFrom.flatMap((f) => [f.table, f.as].filter((n): n is string => !!n)));
    const refersOuter = (n: SqlExpr): boolean =>
      columnRefNodes(n).some((c) => c.table && outerNames.has(c.table) && !innerNames.has(c.table));
    const pairs: { inner: SqlExpr; outer: SqlExpr }[] = [];
    const keep: SqlExpr[] = [];
    for (const c of inner.where ? conjuncts(inner.where) : []) {
      if (!refersOuter(c)) {
        keep.push(c);
        continue;
      }
      const sides = c.type === 'binary_expr' && c.operator === '=' ? [c.left, c.right] : [];
      const outerSide = sides.find(
        (x) =>
          refersOuter(x) &&
          columnRefNodes(x).every((r) => r.table && outerNames.has(r.table) && !innerNames.has(r.table)),
      );
      const innerSide = sides.find((x) => x !== outerSide && !refersOuter(x));
      if (!outerSide || !innerSide) {
        throw this.err(
          c,
          `EXISTS may refer to the outer query only in equalities (inner_column = outer.column)`,
          `move other conditions on the outer columns out of the sub-query`,
        );
      }
      pairs.push({ inner: innerSide, outer: outerSide });
    }
    if (inner.next) throw this.err(sq.node, `UNION inside EXISTS is not supported yet`);
    const rewritten: SelectNode = {
      ...inner,
      columns:
        pairs.length > 0
          ? pairs.map((p, i) => ({ expr: p.inner, as: `k$${i}` }))
          : [{ expr: { type: 'number', value: 1 }, as: 'k$0' }],
      where: keep.reduce<SqlExpr | null>(
        (acc, c) => (acc ? { type: 'binary_expr', operator: 'AND', left: acc, right: c } : c),
        null,
      ),
      distinct: false,
    };
    const q = this.planTree(rewritten, ctes);
    const outerBinder = new ExprBinder(outerEnv);
    const equalities = pairs.map((p, i) => {
      const o = outerBinder.bind(p.outer);
      const f = q.node.schema[i]!;
      const r: Expr = col(left.schema.length + i, f.name, f.type);
      const target = comparisonTarget(o.type, r.type);
      if (target === undefined)
        throw this.err(
          p.outer,
          `EXISTS compares ${describeType(o.type)} with ${describeType(f.type)}`,
          `CAST one of them`,
        );
      return target === 'same'
        ? call('=', [o, r], T.boolean())
        : call('=', [coerce(o, target), coerce(r, target)], T.boolean());
    });
    const condition =
      equalities.length === 0
        ? { kind: 'literal' as const, value: true, type: T.boolean(false) }
        : equalities.reduce((a, b) => call('AND', [a, b], T.boolean()));
    return planSemiJoin(left, q.node, sq.negated, condition, pos);
  }

  /** FROM a JOIN b ON ... [JOIN c ON ...]: joined from left to right. */
  private joinedFrom(
    from: readonly FromItem[],
    ctes: Ctes,
  ): { rel: Relation; tvf?: undefined; scope: ScopeField[] } {
    const first = this.fromItem(from[0]!, ctes);
    if (first.tvf)
      throw new SqlError(
        first.tvf.pos,
        `a window function in a join is not supported yet`,
        `aggregate over the window in a view or sub-query first, then join its results`,
      );
    let node: PlanNode = first.rel.node;
    let fields = scopeOf(first.rel);
    const names = [first.rel.alias ?? first.rel.name];
    const usedClauses = new Set<TemporalClause>();
    for (const item of from.slice(1)) {
      const pos = this.positions.identifier(item.as ?? item.table ?? 'JOIN');
      const word = (item.join ?? '').toUpperCase().replace(/\s+/g, '');
      if (!item.join)
        throw new SqlError(
          pos,
          `a comma between tables (a cross join) is not supported`,
          `write JOIN ... ON <condition>`,
        );
      const joinType = JOIN_TYPES[word];
      if (!joinType)
        throw new SqlError(
          pos,
          `${item.join.toUpperCase()} is not supported`,
          `write [INNER] JOIN, LEFT [OUTER] JOIN, RIGHT [OUTER] JOIN or FULL [OUTER] JOIN with ON <condition>`,
        );
      if (item.using) throw new SqlError(pos, `JOIN ... USING is not supported yet`, `write ON a.x = b.x`);
      if (!item.on || item.on.type === 'expr_list')
        throw new SqlError(
          pos,
          `a join needs ON <condition>${item.on ? ' (a comma after it starts a cross join, which is not supported)' : ''}`,
          `write JOIN ... ON a.id = b.id`,
        );
      const right = this.fromItem(item, ctes);
      if (right.tvf)
        throw new SqlError(
          right.tvf.pos,
          `a window function in a join is not supported yet`,
          `aggregate over the window in a view or sub-query first, then join its results`,
        );
      names.push(right.rel.alias ?? right.rel.name);
      const all = [...fields, ...scopeOf(right.rel, fields.length)];
      const described: Relation = {
        node,
        name: `tables ${names.map((n) => `'${n}'`).join(', ')}`,
        what: 'join',
        alias: null,
      };
      const condition = new ExprBinder(this.rowEnv(all, described, undefined, 'ON')).bind(item.on);
      if (condition.type.name !== 'BOOLEAN' && condition.type.name !== 'NULL')
        throw this.err(item.on, `ON needs a condition (BOOLEAN), got ${describeType(condition.type)}`);
      const clause = this.parts.temporal?.find((c) => c.table === item.table && !usedClauses.has(c));
      if (clause) {
        usedClauses.add(clause);
        const time = fields.filter(
          (f) => f.name === clause.column && (!clause.qualifier || f.qualifiers.includes(clause.qualifier)),
        );
        if (time.length !== 1)
          throw unknownColumn(
            clause.column,
            fields.map((f) => f.name),
            described,
            clause.pos,
          );
        const table = right.rel.node.kind === 'scan' ? right.rel.node.table : undefined;
        if (time[0]!.proctime) {
          // Processing time: a lookup join, the right table asked for each row's key as it comes.
          if (!table)
            throw new SqlError(
              clause.pos,
              `a lookup join (FOR SYSTEM_TIME AS OF a PROCTIME() column) needs a table on its right side, not ${right.rel.what} '${right.rel.name}'`,
              `join the table itself`,
            );
          if (!table.connector.createLookup) {
            throw new SqlError(
              clause.pos,
              `table '${table.name}' (connector '${table.connectorName}') cannot be looked up`,
              `lookup joins read 'jdbc' and 'filesystem' tables; join a '${table.connectorName}' table by event time (FOR SYSTEM_TIME AS OF its WATERMARK column) instead`,
            );
          }
          node = planLookupJoin(
            node,
            right.rel.node as ScanNode,
            joinType,
            condition,
            nodePos(item.on, this.positions),
          );
          const joined = node;
          fields = joined.schema.map((f, k) => ({ ...f, index: k, qualifiers: all[k]!.qualifiers }));
          continue;
        }
        if (!time[0]!.rowtime) {
          throw new SqlError(
            clause.pos,
            `FOR SYSTEM_TIME AS OF '${clause.column}': '${clause.column}' is neither a time attribute (a WATERMARK column) nor a PROCTIME() column`,
            `write FOR SYSTEM_TIME AS OF o.ts (event time) or o.proc_time (a column declared proc_time AS PROCTIME())`,
          );
        }
        node = planTemporalJoin(
          node,
          right.rel.node,
          joinType,
          condition,
          time[0]!.index,
          // A table's PRIMARY KEY, or a versioned view's key (a deduplication keeping the last row).
          { name: right.rel.name, primaryKey: table?.primaryKey ?? versionedViewKey(right.rel.node) },
          nodePos(item.on, this.positions),
        );
      } else node = planJoin(node, right.rel.node, joinType, condition, nodePos(item.on, this.positions));
      const joined = node;
      fields = joined.schema.map((f, k) => ({ ...f, index: k, qualifiers: all[k]!.qualifiers }));
    }
    return {
      rel: { node, name: `tables ${names.map((n) => `'${n}'`).join(', ')}`, what: 'join', alias: null },
      scope: fields,
    };
  }

  private named(name: string, pos: SourcePos, ctes: Ctes): Relation {
    const cte = ctes.get(name);
    if (cte) return cte();
    const r = this.catalog.relation(name);
    if (r) return r;
    const guess = didYouMean(name, [...ctes.keys(), ...this.catalog.names()]);
    throw new SqlError(
      pos,
      `unknown table '${name}'`,
      guess
        ? `did you mean '${guess}'?`
        : `declare it first with CREATE TABLE ${name} (...) WITH (...) or CREATE VIEW ${name} AS SELECT ...`,
    );
  }

  /** One SELECT block without set operations. */
  private planBlock(sel: SelectNode, ctes: Ctes): PlannedQuery {
    if (sel.with && sel !== this.parts.select) ctes = this.withClause(sel.with, ctes);
    const from = sel.from;
    if (!from || from.length === 0)
      throw new SqlError(this.pos, `the query needs a FROM clause`, `write SELECT ... FROM <table>`);
    // Top-level IN / EXISTS sub-queries of WHERE are semi and anti joins; other sub-queries in expressions are refused.
    const { subqueries, rest: whereRest } = splitSubqueryConditions(sel.where);
    rejectSubqueryExpressions({ ...sel, where: whereRest }, this.positions);

    const from0 =
      from.length > 1 ? this.joinedFrom(from, ctes) : { ...this.fromItem(from[0]!, ctes), scope: undefined };
    const rel = from0.rel;
    let tvf = from0.tvf;
    let fields: ScopeField[] = from0.scope ?? scopeOf(rel);
    let node: PlanNode = rel.node;
    if (subqueries.length > 0 && tvf) {
      if (sel.groupby || sel.columns.some((c) => containsAggregate(c.expr)))
        throw new SqlError(
          tvf.pos,
          `IN / EXISTS sub-queries over a window function with GROUP BY are not supported yet`,
          `filter the rows in a view first, then window over it`,
        );
      // A window semi/anti join (Flink's): the window TVF's rows, then the sub-query (a window TVF
      // of the same window, correlated on window_start and window_end) joins them per window.
      const w = this.windowRows(node, fields, rel, tvf, [], 'use the results in an outer query');
      node = w.rows;
      fields = w.scope;
      tvf = undefined;
    }
    for (const sq of subqueries) node = this.semiJoin(node, fields, rel, sq, ctes);
    const rowBinder = new ExprBinder(this.rowEnv(fields, rel, tvf, 'WHERE'));
    const where = this.splitWhere(whereRest, tvf);
    if (where.rows) {
      const predicate = rowBinder.bind(where.rows);
      if (predicate.type.name !== 'BOOLEAN' && predicate.type.name !== 'NULL')
        throw this.err(where.rows, `WHERE needs a condition (BOOLEAN), got ${describeType(predicate.type)}`);
      // WHERE rn <= N over numbered rows is a Top-N (top-n.ts).
      node = limitRank(
        node,
        predicate,
        (name) => blockReads(sel, name),
        nodePos(where.rows, this.clausePositions('WHERE')),
      ) ?? { kind: 'filter', inputs: [node], predicate, schema: node.schema, updating: node.updating };
    }

    let groupItems: readonly SqlExpr[] = sel.groupby?.columns ?? [];
    const selectItems = this.selectItems(sel.columns, fields, tvf);
    if (
      containsOverCall(
        sel.columns.map((c) => c.expr),
        this.parts.over,
      )
    )
      return this.planOverBlock(sel, node, fields, rel, tvf, where.windows, groupItems, selectItems);
    const hasAggregates =
      selectItems.some((it) => containsAggregate(it.node)) || (sel.having && containsAggregate(sel.having));
    // SELECT DISTINCT a, b is GROUP BY a, b (as Flink plans it): each distinct row once; over a
    // window function that includes window_start, window_end it is a window aggregate. Over
    // grouped rows, the distinct rows are taken after the grouping (below).
    const distinctAfter = sel.distinct && (groupItems.length > 0 || Boolean(hasAggregates));
    if (sel.distinct && !distinctAfter) groupItems = selectItems.map((it) => it.node);
    let outputs: { expr: Expr; name: string; node: SqlExpr }[];
    let having: Expr | undefined;

    if (groupItems.length > 0 || hasAggregates) {
      const agg = this.planAggregate(
        node,
        fields,
        rel,
        tvf,
        groupItems,
        selectItems,
        sel.having,
        where.windows,
      );
      node = agg.node;
      outputs = agg.outputs;
      having = agg.having;
    } else if (tvf) {
      // A window TVF's rows without GROUP BY (Flink's WindowTableFunction): each row once per
      // window with window_start, window_end, window_time; a window join reads them (join.ts).
      if (sel.having)
        throw this.err(sel.having, `HAVING needs GROUP BY or an aggregate`, `use WHERE to filter rows`);
      const w = this.windowRows(node, fields, rel, tvf, where.windows, 'use the results in an outer query');
      node = w.rows;
      const b = new ExprBinder(this.rowEnv(w.scope, rel, undefined, 'the SELECT list'));
      outputs = selectItems.map((it) => ({ expr: b.bind(it.node), name: it.name, node: it.node }));
    } else {
      if (sel.having)
        throw this.err(sel.having, `HAVING needs GROUP BY or an aggregate`, `use WHERE to filter rows`);
      const b = new ExprBinder(this.rowEnv(fields, rel, tvf, 'the SELECT list'));
      outputs = selectItems.map((it) => ({ expr: b.bind(it.node), name: it.name, node: it.node }));
    }
    if (having)
      node = {
        kind: 'filter',
        inputs: [node],
        predicate: having,
        schema: node.schema,
        updating: node.updating,
      };
    const inputSchema = node.schema;
    node = project(
      node,
      outputs.map((o) => o.expr),
      outputs.map((o) => ({
        name: o.name,
        type: o.expr.type,
        ...(o.expr.kind === 'column' && inputSchema[o.expr.index]?.rowtime ? { rowtime: true as const } : {}),
        ...(o.expr.kind === 'column' && inputSchema[o.expr.index]?.proctime
          ? { proctime: true as const }
          : {}),
      })),
    );
    let result: PlannedQuery = { node, columns: outputs.map((o) => ({ name: o.name, node: o.node })) };
    if (distinctAfter) result = this.distinct(result);
    return result;
  }

  /**
   * A window TVF's rows: each input row once per TUMBLE / HOP / CUMULATE window with
   * window_start, window_end, window_time; WHERE terms on those filter these rows.
   */
  private windowRows(
    input: PlanNode,
    fields: ScopeField[],
    rel: Relation,
    tvf: WindowTvf,
    windowConditions: readonly SqlExpr[],
    what: string,
  ): { rows: PlanNode; scope: ScopeField[] } {
    const window = this.tvfWindow(tvf, rel);
    if (window.kind === 'SESSION')
      throw new SqlError(
        tvf.pos,
        `SESSION windows are only supported with GROUP BY window_start, window_end`,
        `aggregate over the sessions first, then ${what}`,
      );
    const wf: Field[] = WINDOW_COLUMNS.map((name) => ({
      name,
      type: T.timestamp(3, false) as SqlType,
      ...(name === 'window_time' ? { rowtime: true as const } : {}),
    }));
    let rows: PlanNode = {
      kind: 'window-table',
      inputs: [input],
      window,
      schema: [...input.schema, ...wf],
      updating: false,
    };
    const scope = [
      ...fields,
      ...wf.map((f, i) => ({
        ...f,
        index: input.schema.length + i,
        qualifiers: fields[0]?.qualifiers ?? [],
      })),
    ];
    for (const w of windowConditions) {
      const c = new ExprBinder(this.rowEnv(scope, rel, undefined, 'WHERE')).bind(w);
      rows = { kind: 'filter', inputs: [rows], predicate: c, schema: rows.schema, updating: false };
    }
    return { rows, scope };
  }

  /** A SELECT list that calls window functions (`f(...) OVER w`): over.ts plans them over the block's rows. */
  private planOverBlock(
    sel: SelectNode,
    input: PlanNode,
    fields: ScopeField[],
    rel: Relation,
    tvf: WindowTvf | undefined,
    windowConditions: readonly SqlExpr[],
    groupItems: readonly SqlExpr[],
    selectItems: { node: SqlExpr; name: string }[],
  ): PlannedQuery {
    if (groupItems.length > 0 || sel.having) {
      throw new SqlError(
        this.positions.identifier(groupItems.length > 0 ? 'GROUP' : 'HAVING'),
        `OVER windows and GROUP BY / HAVING in one SELECT are not supported`,
        `aggregate in a sub-query first, then compute the OVER window over its rows`,
      );
    }
    // Over a window TVF: its rows, each once per window with window_start, window_end, window_time
    // (window Top-N and deduplication partition by them); WHERE on those filters these rows.
    const { rows, scope } = tvf
      ? this.windowRows(input, fields, rel, tvf, windowConditions, 'number the results in an outer query')
      : { rows: input, scope: fields };
    const planned = planOverSelect(
      {
        calls: this.parts.over!,
        positions: this.positions,
        input: rows,
        env: (clause) => this.rowEnv(scope, rel, undefined, clause),
        aggregateCall: (n, b) => this.aggregateCall(n, b),
        inputName: rel.what === 'query' ? 'the sub-query' : `${rel.what} '${rel.name}'`,
      },
      selectItems,
    );
    const inputSchema = planned.node.schema;
    const node = project(
      planned.node,
      planned.outputs.map((o) => o.expr),
      planned.outputs.map((o) => {
        const f = o.expr.kind === 'column' ? inputSchema[o.expr.index] : undefined;
        return {
          name: o.name,
          type: o.expr.type,
          ...(f?.rowtime ? { rowtime: true as const } : {}),
          ...(f?.proctime ? { proctime: true as const } : {}),
        };
      }),
    );
    const result: PlannedQuery = {
      node,
      columns: planned.outputs.map((o) => ({ name: o.name, node: o.node })),
    };
    return sel.distinct ? this.distinct(result) : result;
  }

  /**
   * WHERE after a window TVF may test the window's columns: the conditions (top-level AND terms)
   * that use only window_start / window_end / window_time are the same for every row of a window,
   * so they filter its result rows instead; the rest filter the input rows. A condition mixing
   * both is refused.
   */
  private splitWhere(
    where: SqlExpr | null,
    tvf: WindowTvf | undefined,
  ): { rows?: SqlExpr; windows: SqlExpr[] } {
    if (!where) return { windows: [] };
    if (!tvf) return { rows: where, windows: [] };
    const rows: SqlExpr[] = [];
    const windows: SqlExpr[] = [];
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
        throw new SqlError(
          this.positions.identifier(windowNames[0]!, this.positions.offsetOf('WHERE')),
          `a SESSION window's ${windowNames[0]} is only known when the session closes: it cannot be tested in WHERE`,
          `test it in HAVING`,
        );
      } else if (containsAggregate(c)) {
        throw this.err(c, `aggregate functions are not allowed in WHERE`, 'filter aggregates with HAVING');
      } else windows.push(c);
    }
    const rowsNode = rows.reduce<SqlExpr | undefined>(
      (acc, c) => (acc ? { type: 'binary_expr', operator: 'AND', left: acc, right: c } : c),
      undefined,
    );
    return { ...(rowsNode ? { rows: rowsNode } : {}), windows };
  }

  /**
   * Positions for expressions of one clause: a name is looked up from the clause's keyword on
   * (WHERE, GROUP BY, HAVING), so an error in `WHERE memo LIKE ...` points into the WHERE, not at
   * the first `memo` of the SELECT list.
   */
  private clausePositions(clause: string): Positions {
    const base = this.positions;
    const keyword =
      clause === 'WHERE'
        ? 'WHERE'
        : clause === 'HAVING'
          ? 'HAVING'
          : clause === 'GROUP BY'
            ? 'GROUP'
            : undefined;
    const from = keyword ? base.offsetOf(keyword) : undefined;
    if (from === undefined) return base;
    const offsetOf = (name: string, fromOffset = 0): number | undefined =>
      base.offsetOf(name, Math.max(fromOffset, from)) ?? base.offsetOf(name, fromOffset);
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
  private selectItems(
    columns: SelectNode['columns'],
    scope: ScopeField[],
    tvf: WindowTvf | undefined,
  ): { node: SqlExpr; name: string }[] {
    const out: { node: SqlExpr; name: string }[] = [];
    columns.forEach((c, i) => {
      const e = c.expr;
      if (e.type === 'column_ref' && columnName(e) === '*') {
        // `*` or `t.*`; in a join each column is referred to by its table, so equal names stay apart.
        const joined = scope.some((f) => f.qualifiers !== scope[0]!.qualifiers);
        for (const f of scope) {
          if (e.table && !f.qualifiers.includes(e.table)) continue;
          out.push({
            node: {
              type: 'column_ref',
              table: joined ? (f.qualifiers[f.qualifiers.length - 1] ?? null) : null,
              column: f.name,
            },
            name: f.name,
          });
        }
        if (tvf)
          for (const w of WINDOW_COLUMNS)
            out.push({ node: { type: 'column_ref', table: null, column: w }, name: w });
        return;
      }
      const name = c.as ?? (e.type === 'column_ref' ? columnName(e) : `EXPR$${i}`);
      out.push({ node: e, name });
    });
    // Equal names get a number, as Flink (Calcite) makes them unique: id, id0, id1.
    const taken = new Set<string>();
    return out.map((it) => {
      let name = it.name;
      for (let k = 0; taken.has(name); k++) name = `${it.name}${k}`;
      taken.add(name);
      return { ...it, name };
    });
  }

  private rowEnv(scope: ScopeField[], rel: Relation, tvf: WindowTvf | undefined, clause: string): BindEnv {
    const positions = this.clausePositions(clause);
    return {
      positions,
      clause,
      column: (name, qualifier, node) => {
        const visible = qualifier ? scope.filter((s) => s.qualifiers.includes(qualifier)) : scope;
        if (qualifier && visible.length === 0) {
          const first = scope[0]!.qualifiers;
          throw new SqlError(
            nodePos(node, positions),
            `unknown table or alias '${qualifier}'`,
            `write ${first[first.length - 1]}.${name} or just ${name}`,
          );
        }
        const found = visible.filter((s) => s.name === name);
        if (found.length > 1) {
          const names = found.map((f) => f.qualifiers[f.qualifiers.length - 1]);
          throw new SqlError(
            nodePos(node, positions),
            `column '${name}' is ambiguous: ${names.map((n) => `'${n}'`).join(' and ')} both have it`,
            `write ${names[0]}.${name} or ${names[1]}.${name}`,
          );
        }
        const f = found[0];
        if (f) return col(f.index, f.name, f.type);
        if ((WINDOW_COLUMNS as readonly string[]).includes(name)) {
          throw new SqlError(
            nodePos(node, positions),
            tvf
              ? `${name} can only be used after GROUP BY window_start, window_end`
              : `column '${name}' exists only on a window function's output`,
            tvf
              ? `group by the window and select ${name}`
              : `select FROM TABLE(TUMBLE(TABLE ${rel.name}, DESCRIPTOR(ts), INTERVAL '10' MINUTES))`,
          );
        }
        throw unknownColumn(
          name,
          scope.map((s) => s.name),
          rel,
          nodePos(node, positions),
        );
      },
    };
  }

  private planAggregate(
    input: PlanNode,
    scope: ScopeField[],
    rel: Relation,
    tvf: WindowTvf | undefined,
    groupItems: readonly SqlExpr[],
    selectItems: { node: SqlExpr; name: string }[],
    havingNode: SqlExpr | null,
    windowConditions: readonly SqlExpr[],
  ): { node: PlanNode; outputs: { expr: Expr; name: string; node: SqlExpr }[]; having?: Expr } {
    const rowBinder = new ExprBinder(this.rowEnv(scope, rel, tvf, 'GROUP BY'));
    const groupingSets = readGroupingSets(groupItems, (n, m, h) => this.err(n, m, h));
    if (groupingSets) groupItems = groupingSets.plain;
    let window: WindowSpec | undefined;
    let legacy: { kind: string; argsCanon: string } | undefined;
    const keyExprs: Expr[] = [];
    const keyCanon: string[] = [];
    const keyNames: string[] = [];
    let sawStart = false;
    let sawEnd = false;

    for (const g of groupItems) {
      if (g.type === 'column_ref' && tvf && (WINDOW_COLUMNS as readonly string[]).includes(columnName(g))) {
        this.checkNotAmbiguous(columnName(g), rel, g);
        if (columnName(g) === 'window_start') sawStart = true;
        if (columnName(g) === 'window_end') sawEnd = true;
        continue;
      }
      const fname = g.type === 'function' ? functionName(g) : '';
      if (fname === 'TUMBLE' || fname === 'HOP' || fname === 'SESSION' || fname === 'CUMULATE') {
        if (tvf)
          throw this.err(
            g,
            `GROUP BY ${fname}(...) cannot be combined with a window table function`,
            `group by window_start, window_end`,
          );
        if (window) throw this.err(g, `only one group window is allowed in GROUP BY`);
        window = this.legacyWindow(g, fname, rel);
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
        const where =
          this.positions.offsetOf('GROUP') !== undefined ? this.positions.identifier('GROUP') : tvf.pos;
        throw new SqlError(
          where,
          `window aggregation must GROUP BY window_start, window_end`,
          `write GROUP BY window_start, window_end${keyNames.length ? ', ' + keyNames.join(', ') : ''}`,
        );
      }
      window = this.tvfWindow(tvf, rel);
    }
    // GROUPING SETS / ROLLUP / CUBE: the input once per set, the set keys and $e as further keys.
    const plainKeys = keyCanon.length;
    let setIndex: Expr | undefined;
    if (groupingSets) {
      const setKeys = groupingSets.keys.map((k) => {
        if (k?.type === 'column_ref' && (WINDOW_COLUMNS as readonly string[]).includes(columnName(k)))
          throw this.err(
            k,
            `${columnName(k)} inside a grouping set is not supported`,
            `group by window_start, window_end outside the sets`,
          );
        if (isAggregateNode(k)) throw this.err(k, `aggregate functions are not allowed in GROUP BY`);
        return rowBinder.bind(k);
      });
      const names = groupingSets.keys.map((k, j) =>
        k.type === 'column_ref' ? columnName(k) : `EXPR$${plainKeys + j}`,
      );
      input = expandForSets(input, setKeys, names, groupingSets.sets);
      const base = input.schema.length - setKeys.length - 1;
      setKeys.forEach((k, j) => {
        keyExprs.push(col(base + j, names[j]!, withNullable(k.type, true)));
        keyCanon.push(canonical(groupingSets.keys[j]!));
        keyNames.push(names[j]!);
      });
      setIndex = col(keyExprs.length, '$e', T.int(false));
      keyExprs.push(col(base + setKeys.length, '$e', T.int(false)));
      keyCanon.push('$e');
      keyNames.push('$e');
    }
    /** Per grouping set, whether a GROUP BY key is in it (plain keys are in every set). */
    const inSet = (node: SqlExpr): boolean[] | undefined => {
      const k = keyCanon.indexOf(canonical(node));
      if (k < 0 || keyNames[k] === '$e') return undefined;
      const sets = groupingSets?.sets ?? [[]];
      return sets.map((set) => k < plainKeys || set.includes(k - plainKeys));
    };

    if (window && input.updating) {
      throw new SqlError(
        tvf?.pos ?? this.positions.identifier('GROUP'),
        `a window aggregate cannot read an updating input: '${rel.name}' is the result of a running GROUP BY (its rows are updated), as in Flink`,
        `aggregate the input rows over the window instead, or use a window aggregate inside '${rel.name}'`,
      );
    }

    // Output row of the aggregate: keys, [window_start, window_end, window_time], aggregates.
    const aggregates: AggregateCall[] = [];
    const aggCanon: string[] = [];
    const aggBase = keyExprs.length + (window ? 3 : 0);
    const argBinder = new ExprBinder(this.rowEnv(scope, rel, tvf, 'an aggregate function'));
    const windowSlot = (i: number): Expr =>
      col(keyExprs.length + i, WINDOW_COLUMNS[i]!, T.timestamp(3, false));

    const env = (clause: string): BindEnv => {
      const positions = this.clausePositions(clause);
      return {
        positions,
        clause,
        substitute: (node) => {
          const k = keyCanon.indexOf(canonical(node));
          if (k >= 0) return col(k, keyNames[k]!, keyExprs[k]!.type);
          if (node.type === 'function' && /^GROUPING(_ID)?$/.test(functionName(node))) {
            const at = setIndex
              ? col(setIndex.kind === 'column' ? setIndex.index : 0, '$e', T.int(false))
              : undefined;
            return groupingCall(node, inSet, groupingSets?.sets.length ?? 1, at, nodePos(node, positions));
          }
          if (node.type === 'column_ref') {
            const name = columnName(node);
            const byName = keyNames.indexOf(name);
            if (byName >= 0 && keyExprs[byName]!.kind === 'column')
              return col(byName, name, keyExprs[byName]!.type);
            if (tvf && (WINDOW_COLUMNS as readonly string[]).includes(name)) {
              this.checkNotAmbiguous(name, rel, node);
              return windowSlot(WINDOW_COLUMNS.indexOf(name as (typeof WINDOW_COLUMNS)[number]));
            }
          }
          if (legacy && node.type === 'function') {
            const fname = functionName(node);
            const m = /^(TUMBLE|HOP|SESSION)_(START|END|ROWTIME)$/.exec(fname);
            if (m) {
              if (m[1] !== legacy.kind || canonical(functionArgs(node)) !== legacy.argsCanon) {
                throw this.err(
                  node,
                  `${fname}(...) must repeat the arguments of GROUP BY ${legacy.kind}(...)`,
                  `use the same time column and intervals as in GROUP BY`,
                );
              }
              return windowSlot(m[2] === 'START' ? 0 : m[2] === 'END' ? 1 : 2);
            }
          }
          return undefined;
        },
        column: (name, _q, node) => {
          if (scope.some((s) => s.name === name)) {
            throw new SqlError(
              nodePos(node, positions),
              `column '${name}' must be in GROUP BY or used inside an aggregate function`,
              `add ${name} to GROUP BY, or write e.g. LAST_VALUE(${name})`,
            );
          }
          if (!tvf && (WINDOW_COLUMNS as readonly string[]).includes(name)) {
            throw new SqlError(
              nodePos(node, positions),
              `column '${name}' exists only on a window function's output`,
              legacy ? `use ${legacy.kind}_START(...) / ${legacy.kind}_END(...)` : undefined,
            );
          }
          throw unknownColumn(
            name,
            [...scope.map((s) => s.name), ...(tvf ? WINDOW_COLUMNS : [])],
            rel,
            nodePos(node, positions),
          );
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
    const outputs = selectItems.map((it) => ({
      expr: selBinder.bind(it.node),
      name: it.name,
      node: it.node,
    }));
    let having: Expr | undefined;
    if (havingNode) {
      having = new ExprBinder(env('HAVING')).bind(havingNode);
      if (having.type.name !== 'BOOLEAN')
        throw this.err(havingNode, `HAVING needs a condition (BOOLEAN), got ${describeType(having.type)}`);
    }
    // WHERE conditions on window_start/window_end hold for all rows of a window or for none: they
    // filter the window's result rows (see splitWhere).
    for (const w of windowConditions) {
      const c = new ExprBinder(env('WHERE')).bind(w);
      if (c.type.name !== 'BOOLEAN' && c.type.name !== 'NULL')
        throw this.err(w, `WHERE needs a condition (BOOLEAN), got ${describeType(c.type)}`);
      having = having ? call('AND', [c, having], T.boolean(c.type.nullable || having.type.nullable)) : c;
    }

    const keyFields = keyExprs.map((e, i) => ({ name: keyNames[i]!, type: e.type }));
    const aggFields = aggregates.map((a, i) => ({ name: `agg$${i}`, type: a.type }));
    if (window) {
      // window_time is the window's time attribute: a window over this result groups on it (cascaded windows).
      const wf: Field[] = WINDOW_COLUMNS.map((name) => ({
        name,
        type: T.timestamp(3, false) as SqlType,
        ...(name === 'window_time' ? { rowtime: true as const } : {}),
      }));
      return {
        node: {
          kind: 'window-aggregate',
          inputs: [input],
          window,
          keys: keyExprs,
          aggregates,
          schema: [...keyFields, ...wf, ...aggFields],
          updating: false,
        },
        outputs,
        ...(having ? { having } : {}),
      };
    }
    return {
      node: {
        kind: 'group-aggregate',
        inputs: [input],
        keys: keyExprs,
        aggregates,
        schema: [...keyFields, ...aggFields],
        updating: true,
      },
      outputs,
      ...(having ? { having } : {}),
    };
  }

  /** An aggregate call node (with its FILTER, engine/plan/aggregate-filter.ts) as an AggregateCall. */
  private aggregateCall(node: SqlExpr, argBinder: ExprBinder): AggregateCall {
    const { aggregate, filter } = bindAggregateFilter(node, argBinder, this.positions);
    const unfiltered = this.unfilteredAggregateCall(aggregate, argBinder);
    return filter ? { ...unfiltered, filter } : unfiltered;
  }

  private unfilteredAggregateCall(node: SqlExpr, argBinder: ExprBinder): AggregateCall {
    const name = functionName(node);
    const pos = nodePos(node, this.positions);
    let argNodes: readonly SqlExpr[];
    let distinct = false;
    if (node.type === 'aggr_func') {
      distinct = node.distinct;
      argNodes = [...(node.arg ? [node.arg] : []), ...(node.separator ? [node.separator] : [])];
    } else {
      argNodes = functionArgs(node);
    }
    for (const a of argNodes) {
      if (containsAggregate(a)) throw new SqlError(pos, `aggregate functions cannot be nested`);
    }
    if (
      name === 'COUNT' &&
      argNodes.length === 1 &&
      (argNodes[0]!.type === 'star' || columnName(argNodes[0]!) === '*')
    ) {
      return { fn: 'COUNT_STAR', args: [], distinct: false, type: T.bigint(false) };
    }
    const args = argNodes.map((a) => argBinder.bind(a));
    const a0 = args[0];
    const want = (n: number, usage: string) => {
      if (args.length !== n)
        throw new SqlError(
          pos,
          `${name} takes ${n} argument${n > 1 ? 's' : ''}, got ${args.length}`,
          `write ${usage}`,
        );
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
          throw new SqlError(
            pos,
            `${name} needs a number, got ${describeType(t)}`,
            `CAST the argument, e.g. ${name}(CAST(x AS DOUBLE))`,
          );
        }
        if (t.name === 'DECIMAL')
          type = T.decimal(38, name === 'AVG' ? Math.max(6, t.scale ?? 0) : (t.scale ?? 0));
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
        if (args.length < 1 || args.length > 2)
          throw new SqlError(pos, `LISTAGG takes 1 or 2 arguments`, `write LISTAGG(x) or LISTAGG(x, ';')`);
        if (a0!.type.name !== 'STRING')
          throw new SqlError(
            pos,
            `LISTAGG needs a STRING, got ${describeType(a0!.type)}`,
            `write LISTAGG(CAST(x AS STRING))`,
          );
        if (args[1] && (args[1].kind !== 'literal' || args[1].type.name !== 'STRING'))
          throw new SqlError(pos, `LISTAGG's separator must be a string literal`, `write LISTAGG(x, ';')`);
        type = T.string();
        break;
      }
      default:
        throw new SqlError(pos, `unknown aggregate function ${name}`);
    }
    return { fn, args, distinct, type };
  }

  /**
   * A window function adds window_start, window_end and window_time to its input's columns; an
   * input that has a column of that name already makes the name ambiguous (Flink refuses it too).
   */
  private checkNotAmbiguous(name: string, rel: Relation, node: SqlExpr): void {
    if (!rel.node.schema.some((f) => f.name === name)) return;
    throw this.err(
      node,
      `column '${name}' is ambiguous: the window function adds one, and ${rel.what} '${rel.name}' has one too`,
      `rename it in '${rel.name}', e.g. SELECT ${name} AS inner_${name}, ... (for cascaded windows select window_time AS rowtime and window over rowtime)`,
    );
  }

  /** The index of `column`, which must be a time attribute of `rel` (windows need one). */
  private timeAttribute(rel: Relation, column: string, pos: SourcePos, fname: string): number {
    const schema = rel.node.schema;
    const idx = schema.findIndex((c) => c.name === column);
    if (idx < 0)
      throw unknownColumn(
        column,
        schema.map((c) => c.name),
        rel,
        pos,
      );
    if (schema[idx]!.rowtime) return idx;
    const t = rel.table;
    if (t && rel.node.kind === 'scan') {
      const c = t.columns[idx]!;
      throw new SqlError(
        pos,
        `${fname} needs a time attribute, but '${column}' of table '${t.name}' has no WATERMARK`,
        isTimestamp(c.type)
          ? `declare WATERMARK FOR ${column} AS ${column} - INTERVAL '5' SECOND in table '${t.name}'`
          : `'${column}' is ${typeToString(c.type)}: add a computed column ts AS TO_TIMESTAMP(${column}, '<pattern>') with WATERMARK FOR ts AS ts - INTERVAL '5' SECOND`,
      );
    }
    throw new SqlError(
      pos,
      `${fname} needs a time attribute, but '${column}' of ${rel.what} '${rel.name}' is not one`,
      `select the time attribute itself (the WATERMARK column of a table, or window_time of a window aggregate) unchanged into '${rel.name}'; an expression over it, or a column of a running GROUP BY, is no longer one`,
    );
  }

  private tvfWindow(tvf: WindowTvf, rel: Relation): WindowSpec {
    const index = this.timeAttribute(rel, tvf.timeColumn, tvf.timeColumnPos, tvf.kind);
    if (tvf.kind === 'SESSION' && tvf.partitionBy.length > 0) {
      // Session windows are kept per group key; PARTITION BY keys must be grouped on too.
      for (const p of tvf.partitionBy) {
        if (!rel.node.schema.some((c) => c.name === p))
          throw unknownColumn(
            p,
            rel.node.schema.map((c) => c.name),
            rel,
            tvf.pos,
          );
      }
    }
    return windowSpec(tvf.kind, tvf.firstMs, tvf.sizeMs, tvf.offsetMs, index, tvf.timeColumn, tvf.pos);
  }

  private legacyWindow(g: SqlExpr, fname: string, rel: Relation): WindowSpec {
    const args = functionArgs(g);
    const pos = nodePos(g, this.positions);
    const usage =
      fname === 'TUMBLE'
        ? `TUMBLE(ts, INTERVAL '10' MINUTE)`
        : fname === 'HOP'
          ? `HOP(ts, INTERVAL '2' MINUTE, INTERVAL '10' MINUTE)`
          : `SESSION(ts, INTERVAL '5' MINUTE)`;
    if (fname === 'CUMULATE')
      throw new SqlError(
        pos,
        `CUMULATE exists only as a window table function`,
        `write FROM TABLE(CUMULATE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '10' MINUTES))`,
      );
    const want = fname === 'HOP' ? 3 : 2;
    if (args.length !== want || args[0]?.type !== 'column_ref')
      throw new SqlError(pos, `${fname} needs ${want} arguments`, `write GROUP BY ${usage}`);
    const timeName = columnName(args[0]);
    const index = this.timeAttribute(
      rel,
      timeName,
      this.positions.identifier(timeName, g.loc?.start.offset),
      fname,
    );
    const intervals = args.slice(1).map((a) => {
      const ms = intervalMs(a);
      if (ms === undefined || ms <= 0)
        throw new SqlError(pos, `${fname} needs positive INTERVALs`, `write GROUP BY ${usage}`);
      return ms;
    });
    return {
      ...windowSpec(fname as WindowSpec['kind'], intervals[0]!, intervals[1], 0, index, timeName, pos),
      legacy: true,
    };
  }
}

/** A projection node; its output keeps the input's changelog mode. */
export function project(input: PlanNode, exprs: readonly Expr[], schema: readonly Field[]): PlanNode {
  return { kind: 'project', inputs: [input], exprs, schema, updating: input.updating };
}

/** The node with its columns named `names` (a sub-query's or view's column names): a projection only when a name changes. */
export function renameColumns(node: PlanNode, names: readonly string[]): PlanNode {
  if (node.schema.every((f, i) => f.name === names[i])) return node;
  if (node.kind === 'project')
    return { ...node, schema: node.schema.map((f, i) => ({ ...f, name: names[i] ?? f.name })) };
  return project(
    node,
    node.schema.map((f, i) => col(i, f.name, f.type)),
    node.schema.map((f, i) => ({ ...f, name: names[i] ?? f.name })),
  );
}

function flattenUnion(node: PlanNode): readonly PlanNode[] {
  return node.kind === 'union' ? node.inputs : [node];
}

function windowSpec(
  kind: WindowSpec['kind'],
  first: number,
  size: number | undefined,
  offset: number,
  timeIndex: number,
  timeName: string,
  pos: SourcePos,
): WindowSpec {
  switch (kind) {
    case 'TUMBLE':
      return { kind, sizeMs: first, slideMs: first, offsetMs: offset, timeIndex, timeName };
    case 'HOP':
      if (size === undefined || size < first)
        throw new SqlError(
          pos,
          `HOP needs slide and size with slide ≤ size`,
          `write HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '2' MINUTES, INTERVAL '10' MINUTES)`,
        );
      if (size % first !== 0)
        throw new SqlError(
          pos,
          `HOP's size must be a whole multiple of its slide`,
          `e.g. slide 2 minutes, size 10 minutes`,
        );
      return { kind, sizeMs: size, slideMs: first, offsetMs: offset, timeIndex, timeName };
    case 'CUMULATE':
      if (size === undefined || size < first || size % first !== 0)
        throw new SqlError(
          pos,
          `CUMULATE needs step and size, with size a whole multiple of step`,
          `write CUMULATE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTES, INTERVAL '10' MINUTES)`,
        );
      return { kind, sizeMs: size, slideMs: first, offsetMs: offset, timeIndex, timeName };
    case 'SESSION':
      return { kind, sizeMs: first, slideMs: 0, offsetMs: 0, timeIndex, timeName };
  }
}

export function unknownColumn(
  name: string,
  candidates: readonly string[],
  rel: Relation | string,
  pos: SourcePos,
): SqlError {
  const guess = didYouMean(name, candidates);
  const where =
    typeof rel === 'string'
      ? `table '${rel}'`
      : rel.what === 'query'
        ? rel.alias
          ? `sub-query '${rel.alias}'`
          : 'the sub-query'
        : rel.what === 'join'
          ? `the joined ${rel.name}`
          : `${rel.what} '${rel.name}'`;
  return new SqlError(
    pos,
    `unknown column '${name}' in ${where}`,
    guess ? `did you mean '${guess}'?` : `columns are: ${candidates.join(', ')}`,
  );
}

/** IN (SELECT ...) and EXISTS (SELECT ...) are joins: refused until joins exist, with what to write. */
function rejectSubqueryExpressions(sel: SelectNode, positions: Positions): void {
  const nested = (n: AnyNode): boolean => n.type === 'subquery' || (n.type === 'select' && n !== sel);
  const found = [...sel.columns.map((c) => c.expr), sel.where, sel.having].some((n) => someNode(n, nested));
  if (found) {
    throw new SqlError(
      positions.identifier('SELECT', (positions.offsetOf('SELECT') ?? 0) + 1),
      `sub-queries inside expressions (IN (SELECT ...), EXISTS (SELECT ...), scalar sub-queries) are not supported yet`,
      `they are joins; select from a sub-query in FROM instead, or list the values: x IN ('a', 'b')`,
    );
  }
}

/** A top-level IN / EXISTS sub-query condition of a WHERE. */
interface SubqueryCondition {
  readonly kind: 'in' | 'exists';
  readonly negated: boolean;
  /** IN: the tested value. */
  readonly value?: SqlExpr;
  readonly select: SelectNode;
  readonly node: SqlExpr;
}

/** The outer query's names (aliases) that a sub-query's own FROM does not hide. */
function outerOnlyNames(fields: readonly ScopeField[], inner: SelectNode): Set<string> {
  const innerNames = new Set(
    (inner.from ?? []).flatMap((f) => [f.table, f.as].filter((n): n is string => !!n)),
  );
  return new Set(fields.flatMap((f) => f.qualifiers).filter((n) => !innerNames.has(n)));
}

/** Whether `e` names a column of the outer query (qualified by its alias). */
function refersTo(e: SqlExpr, fields: readonly ScopeField[], inner: SelectNode): boolean {
  const outer = outerOnlyNames(fields, inner);
  return columnRefNodes(e).some((c) => !!c.table && outer.has(c.table));
}

/** Whether every column `e` names is the outer query's (qualified by its alias). */
function refersOnlyTo(e: SqlExpr, fields: readonly ScopeField[], inner: SelectNode): boolean {
  const outer = outerOnlyNames(fields, inner);
  const refs = columnRefNodes(e);
  return refs.length > 0 && refs.every((c) => !!c.table && outer.has(c.table));
}

/** Splits a WHERE into its top-level IN / EXISTS sub-query conditions and the rest (null when nothing is left). */
function splitSubqueryConditions(where: SqlExpr | null): {
  subqueries: SubqueryCondition[];
  rest: SqlExpr | null;
} {
  if (!where) return { subqueries: [], rest: null };
  const subqueries: SubqueryCondition[] = [];
  const rest: SqlExpr[] = [];
  for (const c of conjuncts(where)) {
    const sq = subqueryCondition(c);
    if (sq) subqueries.push(sq);
    else rest.push(c);
  }
  if (subqueries.length === 0) return { subqueries, rest: where };
  return {
    subqueries,
    rest: rest.reduce<SqlExpr | null>(
      (acc, c) => (acc ? { type: 'binary_expr', operator: 'AND', left: acc, right: c } : c),
      null,
    ),
  };
}

function subqueryCondition(c: SqlExpr): SubqueryCondition | undefined {
  if (c.type === 'binary_expr') {
    const op = c.operator.toUpperCase().replace(/\s+/g, '');
    if (op !== 'IN' && op !== 'NOTIN') return undefined;
    const list = c.right.type === 'expr_list' ? c.right.value : undefined;
    const sub = list?.length === 1 ? list[0] : undefined;
    if (sub?.type === 'subquery')
      return { kind: 'in', negated: op === 'NOTIN', value: c.left, select: sub.ast, node: c };
    return undefined;
  }
  if (c.type === 'function' && functionName(c) === 'EXISTS') {
    const sub = c.args[0];
    if (sub?.type === 'subquery') return { kind: 'exists', negated: false, select: sub.ast, node: c };
  }
  if (c.type === 'unary_expr') {
    const op = c.operator.toUpperCase().replace(/\s+/g, '');
    if (op === 'NOTEXISTS' && c.expr.type === 'subquery')
      return { kind: 'exists', negated: true, select: c.expr.ast, node: c };
    if (op === 'NOT') {
      const inner = subqueryCondition(c.expr);
      if (inner) return { ...inner, negated: !inner.negated, node: c };
    }
  }
  return undefined;
}

/** The column references inside a node (not inside a nested sub-query, which has its own names). */
function columnRefNodes(node: SqlExpr): ColumnRefNode[] {
  return collectNodes(
    node,
    (n): n is ColumnRefNode => n.type === 'column_ref',
    (n) => n.type !== 'subquery',
  );
}

/** The top-level AND terms of a condition. */
function conjuncts(node: SqlExpr): SqlExpr[] {
  if (node.type === 'binary_expr' && node.operator.toUpperCase() === 'AND')
    return [...conjuncts(node.left), ...conjuncts(node.right)];
  return [node];
}

/** The names of the columns a node refers to. */
function columnRefs(node: SqlExpr): string[] {
  return collectNodes(node, (n): n is ColumnRefNode => n.type === 'column_ref').map(columnName);
}

function containsAggregate(node: SqlExpr | null): boolean {
  return someNode(
    node,
    (n) => n.type !== 'when' && n.type !== 'else' && n.type !== 'select' && isAggregateNode(n),
  );
}
