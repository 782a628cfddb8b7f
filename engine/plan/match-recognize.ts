// MATCH_RECOGNIZE (engine/sql/match-recognize.ts) over one FROM item → a match-recognize node.
//
// The pattern becomes Flink's CEP pattern the way Flink's CommonExecMatch translates it (each
// variable strictly after the one before, quantifiers consecutive, greedy unless reluctant), with
// Flink's refusals in Flink's order. MEASURES and DEFINE expressions are bound over *slots*: every
// navigation (A.price, LAST(A.price, 1), FIRST(price), PREV(price)) and every aggregate over a
// variable (SUM(A.amount)) is one slot that the operator fills from the rows of the (partial)
// match, and the expression reads the slots as the columns of a row. The navigation follows what
// Calcite's validator rewrites it to for Flink: in DEFINE of X, `price` and `X.price` are the row
// being tested, `A.price` is LAST(A.price, 0), PREV(price, n) is LAST(price, n), PREV(X.price, n)
// with n > 0 is a physical offset Flink refuses.

import { SqlError, type SourcePos } from '../errors.js';
import type { Positions } from '../sql/ast.js';
import { collectNodes, mapColumnRefs, type ColumnRefNode, type SqlExpr } from '../sql/nodes.js';
import type { MatchRecognizeClause, PatternTerm } from '../sql/ast.js';
import { T, isTimestamp, withNullable, type Field } from '../types.js';
import {
  ExprBinder,
  canonical,
  columnName,
  functionArgs,
  functionName,
  nodePos,
  type BindEnv,
} from './bind.js';
import { col, type AggregateCall, type Expr } from './expr.js';
import type {
  MatchFormulas,
  MatchRecognizeNode,
  MatchSkip,
  MatchSlot,
  MatchVariable,
  PlanNode,
  SortKey,
} from './logical.js';
import { describeType } from './typing.js';

/** All rows of the match, in order (the default pattern variable). */
export const ALL_ROWS = '*';

/** PATTERN, AFTER MATCH SKIP and WITHIN in words, for EXPLAIN. */
export function describePattern(node: {
  readonly pattern: readonly MatchVariable[];
  readonly after: MatchSkip;
  readonly withinMs: number | null;
}): string {
  const a = node.after;
  const skip =
    'variable' in a
      ? `SKIP TO ${a.kind === 'to-first' ? 'FIRST' : 'LAST'} ${a.variable}`
      : a.kind === 'past-last-row'
        ? 'SKIP PAST LAST ROW'
        : 'SKIP TO NEXT ROW';
  return `PATTERN (${node.pattern.map((v) => v.written).join(' ')})${node.withinMs !== null ? ` WITHIN ${node.withinMs} ms` : ''}, AFTER MATCH ${skip}`;
}

/** What planning a MATCH_RECOGNIZE needs from the query planner. */
export interface MatchContext {
  readonly input: PlanNode;
  /** For messages: "table 'transfers'". */
  readonly inputName: string;
  /** QueryPlanner's aggregate call binding (types as in a GROUP BY). */
  readonly aggregateCall: (node: SqlExpr, argBinder: ExprBinder) => AggregateCall;
}

export function planMatchRecognize(ctx: MatchContext, clause: MatchRecognizeClause): MatchRecognizeNode {
  const input = ctx.input;
  const schema = input.schema;
  const columnIndex = (node: SqlExpr, positions: Positions, what: string): number => {
    if (node?.type !== 'column_ref')
      throw new SqlError(
        nodePos(node, positions),
        `${what} must be a column of ${ctx.inputName}`,
        `write ${what} account`,
      );
    const name = columnName(node);
    const i = schema.findIndex((f) => f.name === name);
    if (i < 0)
      throw new SqlError(
        nodePos(node, positions),
        `unknown column '${name}' in ${ctx.inputName}`,
        `columns are: ${schema.map((f) => f.name).join(', ')}`,
      );
    return i;
  };

  if (input.updating) {
    throw new SqlError(
      clause.pos,
      `MATCH_RECOGNIZE cannot read an updating input (as in Flink: Match doesn't support consuming update changes)`,
      `match over an insert-only input: a table, or a query without a running GROUP BY`,
    );
  }
  const partitionKeys = clause.partitionBy.map((p) => columnIndex(p.node, p.positions, 'PARTITION BY'));
  // The ORDER BY's first key is the time attribute, ascending (StreamExecMatch.checkOrderKeys).
  const firstOrder = clause.orderBy[0];
  if (!firstOrder)
    throw new SqlError(
      clause.pos,
      `MATCH_RECOGNIZE needs ORDER BY its time attribute (as in Flink: You must specify either rowtime or proctime for order by.)`,
      `add ORDER BY ts (the table's WATERMARK column)`,
    );
  const timeIndex = columnIndex(firstOrder.expr.node, firstOrder.expr.positions, 'ORDER BY');
  const timeField = schema[timeIndex]!;
  if (timeField.proctime) {
    throw new SqlError(
      firstOrder.expr.pos,
      `MATCH_RECOGNIZE ordered by processing time is not supported by fintrans-sql: its matches would depend on when rows arrive`,
      `order by the event time attribute (the table's WATERMARK column)`,
    );
  }
  if (!timeField.rowtime) {
    throw new SqlError(
      firstOrder.expr.pos,
      `MATCH_RECOGNIZE must be ordered by a time attribute first, and '${timeField.name}' is not one (as in Flink: You must specify either rowtime or proctime for order by as the first one.)`,
      `order by the WATERMARK column of the table first: ORDER BY ts`,
    );
  }
  if (firstOrder.descending)
    throw new SqlError(
      firstOrder.expr.pos,
      `MATCH_RECOGNIZE must be ordered by its time ascending (as in Flink: Primary sort order of a streaming table must be ascending on time.)`,
      `write ORDER BY ${timeField.name} (ASC)`,
    );
  const rowBinder = new ExprBinder(inputEnv(schema, clause.pos, 'ORDER BY'));
  const orderBy: SortKey[] = clause.orderBy
    .slice(1)
    .map((o) => ({ expr: rowBinder.bind(o.expr.node), descending: o.descending, nullsFirst: !o.descending }));

  const variables = clause.pattern.map((t) => t.variable);
  const seen = new Set<string>();
  for (const t of clause.pattern) {
    if (seen.has(t.variable))
      throw new SqlError(
        t.pos,
        `pattern variable '${t.variable}' appears twice (as in Flink: Pattern variables must be unique. That might change in the future.)`,
        `give each occurrence its own variable and DEFINE`,
      );
    seen.add(t.variable);
  }
  const defined = new Map<string, number>();
  clause.define.forEach((d, i) => {
    if (!seen.has(d.variable))
      throw new SqlError(
        d.variablePos,
        `DEFINE '${d.variable}' names no variable of PATTERN (${variables.join(' ')})`,
        `define the variables written in PATTERN`,
      );
    if (defined.has(d.variable))
      throw new SqlError(
        d.variablePos,
        `'${d.variable}' is defined twice`,
        `write one condition per variable (join them with AND)`,
      );
    defined.set(d.variable, i);
  });

  const binding = { schema, variables, aggregateCall: ctx.aggregateCall };
  const conditions = clause.define.map((d) => {
    const f = bindFormulas(binding, [d], d.variable);
    const e = f.exprs[0]!;
    if (e.type.name !== 'BOOLEAN' && e.type.name !== 'NULL')
      throw new SqlError(
        d.pos,
        `DEFINE ${d.variable} needs a condition (BOOLEAN), got ${describeType(e.type)}`,
        `write DEFINE ${d.variable} AS ${d.variable}.amount > 100`,
      );
    return f;
  });
  const measures = bindFormulas(binding, clause.measures, null);
  const pattern = translatePattern(clause.pattern, defined);
  const after = skipStrategy(clause, variables);
  checkPattern(clause, pattern);

  const rowtimeType = timeField.type;
  const fields: Field[] = [
    ...partitionKeys.map((k) => ({ name: schema[k]!.name, type: schema[k]!.type })),
    ...clause.measures.map((m, i) => {
      const e = measures.exprs[i]!;
      const isRowtime = e.kind === 'column' && measures.slots[e.index]!.kind === 'match-rowtime';
      return {
        name: m.name,
        type: isRowtime ? withNullable(rowtimeType, false) : e.type,
        ...(isRowtime ? { rowtime: true as const } : {}),
      };
    }),
  ];
  const names = new Set<string>();
  for (const [i, f] of fields.entries()) {
    if (names.has(f.name)) {
      const m = clause.measures[i - partitionKeys.length];
      throw new SqlError(
        m?.namePos ?? clause.pos,
        `column '${f.name}' appears twice in the output of MATCH_RECOGNIZE (its PARTITION BY columns, then its MEASURES)`,
        `name the measure otherwise`,
      );
    }
    names.add(f.name);
  }
  return {
    kind: 'match-recognize',
    inputs: [input],
    schema: fields,
    updating: false,
    partitionKeys,
    timeIndex,
    orderBy,
    pattern,
    after,
    withinMs: clause.withinMs,
    conditions,
    measures,
    pos: clause.pos,
  };
}

/** Columns of the input row by name (partition and order keys, aggregate arguments). */
function inputEnv(schema: readonly Field[], pos: SourcePos, clause: string, positions?: Positions): BindEnv {
  return {
    positions: positions ?? { at: () => pos, identifier: () => pos, offsetOf: () => undefined, start: pos },
    clause,
    column: (name, _qualifier, node) => {
      const i = schema.findIndex((f) => f.name === name);
      if (i < 0)
        throw new SqlError(
          positions ? nodePos(node, positions) : pos,
          `unknown column '${name}'`,
          `columns are: ${schema.map((f) => f.name).join(', ')}`,
        );
      return col(i, name, schema[i]!.type);
    },
  };
}

interface Binding {
  readonly schema: readonly Field[];
  readonly variables: readonly string[];
  readonly aggregateCall: (node: SqlExpr, argBinder: ExprBinder) => AggregateCall;
}

/** Where a column reference points: the navigation it is inside of. */
interface Navigation {
  readonly first: boolean;
  readonly offset: number;
  /** Inside PREV: a reference to the defined variable itself is a physical offset. */
  readonly prev: boolean;
  readonly written: boolean;
}

const PLAIN: Navigation = { first: false, offset: 0, prev: false, written: false };

/**
 * Binds expressions over one shared set of slots. `defining`: the variable of a DEFINE (its
 * expression tests a row for it), null for MEASURES.
 */
function bindFormulas(
  b: Binding,
  items: readonly { node: SqlExpr; positions: Positions; pos: SourcePos }[],
  defining: string | null,
): MatchFormulas {
  const slots: MatchSlot[] = [];
  const keys: string[] = [];
  const slot = (key: string, make: () => MatchSlot): Expr => {
    let i = keys.indexOf(key);
    if (i < 0) {
      slots.push(make());
      keys.push(key);
      i = slots.length - 1;
    }
    return col(i, `slot$${i}`, slots[i]!.type);
  };
  const where = defining === null ? 'MEASURES' : `DEFINE ${defining}`;
  const exprs = items.map((item) => {
    const positions = item.positions;
    const err = (node: SqlExpr, problem: string, hint?: string): SqlError =>
      new SqlError(nodePos(node, positions), problem, hint);
    const variableOf = (qualifier: string | null, node: SqlExpr): string => {
      if (qualifier === null) return ALL_ROWS;
      if (!b.variables.includes(qualifier))
        throw err(
          node,
          `'${qualifier}' is not a pattern variable`,
          `qualify columns with a variable of PATTERN (${b.variables.join(' ')}), or write the column alone for all rows of the match`,
        );
      return qualifier;
    };
    const envFor = (nav: Navigation): BindEnv => ({
      positions,
      clause: where,
      column: (name, qualifier, node) => {
        const variable = variableOf(qualifier, node);
        const index = b.schema.findIndex((f) => f.name === name);
        if (index < 0)
          throw err(
            node,
            `unknown column '${name}'`,
            `columns are: ${b.schema.map((f) => f.name).join(', ')}`,
          );
        if (nav.prev && nav.offset > 0 && variable === defining) {
          throw err(
            node,
            `PREV(${variable}.${name}, ${nav.offset}) is a physical offset (as in Flink: Flink does not support physical offsets within partition.)`,
            `refer to earlier rows of ${variable} with LAST(${variable}.${name}, ${nav.offset})`,
          );
        }
        const type = withNullable(b.schema[index]!.type, true);
        return slot(`row|${variable}|${nav.first}|${nav.offset}|${index}`, () => ({
          kind: 'row',
          variable,
          first: nav.first,
          offset: nav.offset,
          column: index,
          type,
        }));
      },
      substitute: (node) => navigation(node, nav),
      aggregate: (node) => {
        if (nav.written)
          throw err(
            node,
            `an aggregate cannot stand inside FIRST/LAST/PREV`,
            `write the aggregate on its own`,
          );
        return aggregate(node);
      },
    });
    const navigation = (node: SqlExpr, outer: Navigation): Expr | undefined => {
      if (node.type !== 'function') return undefined;
      const fn = functionName(node);
      const args = functionArgs(node);
      switch (fn) {
        case 'FIRST':
        case 'LAST':
        case 'PREV':
        case 'NEXT': {
          if (outer.written)
            throw err(
              node,
              `${fn} cannot stand inside another FIRST/LAST/PREV/NEXT`,
              `navigate once: LAST(A.price, 1)`,
            );
          if (args.length < 1 || args.length > 2)
            throw err(
              node,
              `${fn} takes a value and an optional offset`,
              `write ${fn}(A.price) or ${fn}(A.price, 1)`,
            );
          const offsetNode = args[1];
          const offset =
            offsetNode === undefined
              ? fn === 'PREV' || fn === 'NEXT'
                ? 1
                : 0
              : offsetNode.type === 'number' && Number.isInteger(Number(offsetNode.value))
                ? Number(offsetNode.value)
                : -1;
          if (offset < 0)
            throw err(
              node,
              `the offset of ${fn} must be a whole number literal, 0 or more`,
              `write ${fn}(A.price, 1)`,
            );
          if (fn === 'PREV' || fn === 'NEXT') {
            if (defining === null)
              throw err(
                node,
                `${fn} cannot be used in MEASURES (as in Flink: Cannot use PREV/NEXT in MEASURE)`,
                `use LAST(A.price, 1) for the row before the last one of A`,
              );
            if (fn === 'NEXT' && offset > 0)
              throw err(
                node,
                `NEXT is a physical offset (as in Flink: Flink does not support physical offsets within partition.)`,
                `the rows after the current one are not known yet while it is tested`,
              );
          }
          const nav: Navigation = {
            first: fn === 'FIRST',
            offset: fn === 'NEXT' ? 0 : offset,
            prev: fn === 'PREV',
            written: true,
          };
          const value = args[0]!;
          checkOneVariable(value, fn, err);
          return new ExprBinder(envFor(nav)).bind(value);
        }
        case 'MATCH_ROWTIME': {
          if (defining !== null)
            throw err(
              node,
              `MATCH_ROWTIME() can only be used in MEASURES`,
              `select it in MEASURES: MATCH_ROWTIME() AS match_time`,
            );
          if (args.length > 1)
            throw err(node, `MATCH_ROWTIME takes no argument or the time attribute`, `write MATCH_ROWTIME()`);
          if (args[0]) {
            const t = new ExprBinder(envFor(PLAIN)).bind(args[0]);
            if (!isTimestamp(t.type))
              throw err(node, `MATCH_ROWTIME's argument must be the time attribute`, `write MATCH_ROWTIME()`);
          }
          return slot('match-rowtime', () => ({ kind: 'match-rowtime', type: T.timestamp(3, false) }));
        }
        case 'MATCH_PROCTIME':
          throw err(
            node,
            `MATCH_PROCTIME() is not supported by fintrans-sql: processing time would make the output depend on when rows arrive`,
            `use MATCH_ROWTIME() for the event time of the match`,
          );
        case 'CLASSIFIER':
        case 'MATCH_NUMBER':
          throw err(
            node,
            `${fn}() is not supported (as in Flink)`,
            `use FIRST/LAST of the variables, or aggregates such as COUNT(A.amount)`,
          );
        default:
          return undefined;
      }
    };
    const aggregate = (node: SqlExpr): Expr => {
      const name = functionName(node);
      if ((node.type === 'aggr_func' || node.type === 'function') && node.distinct)
        throw err(
          node,
          `DISTINCT aggregates are not supported in MATCH_RECOGNIZE (as in Flink: distinct aggregations are not supported)`,
          `aggregate without DISTINCT`,
        );
      const qualifiers = new Set(columnRefs(node).map((c) => c.table ?? null));
      if (qualifiers.size > 1) {
        throw err(
          node,
          `${name} mixes pattern variables (as in Flink: an aggregate is applied to the rows of one pattern variable)`,
          `aggregate over one variable: SUM(A.amount), or over all rows: SUM(amount)`,
        );
      }
      const qualifier = qualifiers.size === 1 ? [...qualifiers][0]! : null;
      const variable = variableOf(qualifier, node);
      const call = b.aggregateCall(
        stripQualifiers(node),
        new ExprBinder(inputEnv(b.schema, item.pos, `${name}(...) in ${where}`, positions)),
      );
      return slot(`agg|${variable}|${canonical(stripQualifiers(node))}`, () => ({
        kind: 'aggregate',
        variable,
        call,
        type: call.type,
      }));
    };
    return new ExprBinder(envFor(PLAIN)).bind(item.node);
  });
  return { slots, exprs };
}

/** FIRST/LAST(A.price * A.tax): one variable (Flink: LAST(A.price * B.tax) is not allowed). */
function checkOneVariable(
  node: SqlExpr,
  fn: string,
  err: (node: SqlExpr, problem: string, hint?: string) => SqlError,
): void {
  const qualifiers = new Set(columnRefs(node).map((c) => c.table ?? null));
  if (qualifiers.size > 1)
    throw err(
      node,
      `${fn}(...) must refer to one pattern variable`,
      `write ${fn}(A.price) * ${fn}(A.tax), each over one variable`,
    );
}

function columnRefs(node: SqlExpr): ColumnRefNode[] {
  return collectNodes(node, (n): n is ColumnRefNode => n.type === 'column_ref');
}

/** The aggregate with its arguments' variable qualifiers dropped: they are evaluated on each row of the variable. */
function stripQualifiers(node: SqlExpr): SqlExpr {
  return mapColumnRefs(node, (c) => ({ ...c, table: null }));
}

/**
 * The quantifiers as CommonExecMatch.applyQuantifier gives them to Flink's Pattern: `*` is
 * oneOrMore().optional(), `+` oneOrMore(), `?` optional(), `{n,m}` times(n, m) (optional when n is
 * 0), `{n,}` timesOrMore(n); all consecutive; greedy() unless reluctant, optional or `{n}`.
 */
function translatePattern(
  terms: readonly PatternTerm[],
  defined: ReadonlyMap<string, number>,
): MatchVariable[] {
  const out: MatchVariable[] = [];
  for (const t of terms) {
    const q = t.quantifier;
    const condition = defined.get(t.variable) ?? null;
    if (!q) {
      out.push({
        name: t.variable,
        quantifier: 'single',
        from: 1,
        to: 1,
        optional: false,
        greedy: false,
        condition,
        written: t.variable,
      });
      continue;
    }
    if (q.min < 0)
      throw new SqlError(
        q.pos,
        `${t.variable}${q.text} has no lower bound (as in Flink: The from should be a positive number greater than 0.)`,
        `write ${t.variable}{0,${q.max}}${q.greedy ? '' : '?'}`,
      );
    const isOptional = q.min === 0 && q.max === 1;
    let v: Omit<MatchVariable, 'greedy' | 'written'>;
    if (q.min === 0 && q.max === -1)
      v = { name: t.variable, quantifier: 'looping', from: 1, to: 1, optional: true, condition };
    else if (q.max === -1)
      v = { name: t.variable, quantifier: 'looping', from: q.min, to: q.min, optional: false, condition };
    else if (isOptional)
      v = { name: t.variable, quantifier: 'single', from: 1, to: 1, optional: true, condition };
    else {
      if (q.max === 0)
        throw new SqlError(
          q.pos,
          `${t.variable}${q.text} matches no row (as in Flink: The to should be a number greater than or equal to from: 1.)`,
          `remove ${t.variable} from the pattern`,
        );
      v = {
        name: t.variable,
        quantifier: 'times',
        from: Math.max(1, q.min),
        to: q.max,
        optional: q.min === 0,
        condition,
      };
    }
    if (!q.greedy && isOptional)
      throw new SqlError(
        q.pos,
        `the reluctant optional quantifier ${t.variable}${q.text} is not supported (as in Flink: Reluctant optional variables are not supported yet.)`,
        `write ${t.variable}? (greedy)`,
      );
    const greedy = q.greedy && !(isOptional || q.min === q.max);
    // Pattern.optional() refuses to follow a greedy variable (times(0, m) sets it without that check).
    const previous = out[out.length - 1];
    const viaOptionalCall = (q.min === 0 && q.max === -1) || isOptional;
    if (viaOptionalCall && previous?.greedy) {
      throw new SqlError(
        q.pos,
        `${t.variable}${q.text} cannot follow the greedy ${previous.name} (as in Flink: Optional pattern cannot be preceded by greedy pattern)`,
        `make ${previous.name} reluctant (${previous.name}+?) or ${t.variable} required`,
      );
    }
    out.push({ ...v, greedy, written: t.variable + q.text });
  }
  return out;
}

/** Flink's checks of the translated pattern, in CommonExecMatch's order. */
function checkPattern(clause: MatchRecognizeClause, pattern: readonly MatchVariable[]): void {
  if (pattern.every((v) => v.optional)) {
    throw new SqlError(
      clause.patternPos,
      `this pattern can match no rows at all (as in Flink: Patterns that can produce empty matches are not supported. There must be at least one non-optional state.)`,
      `make at least one variable required (no *, ? or {0,m})`,
    );
  }
  const last = pattern[pattern.length - 1]!;
  if (last.greedy) {
    const term = clause.pattern[clause.pattern.length - 1]!;
    throw new SqlError(
      term.quantifier?.pos ?? term.pos,
      `the last variable of the pattern cannot have a greedy quantifier (as in Flink: Greedy quantifiers are not allowed as the last element of a Pattern yet. Finish your pattern with either a simple variable or reluctant quantifier.)`,
      `make it reluctant (${term.variable}${term.quantifier?.text ?? ''}?) or end the pattern with a variable whose DEFINE is the negated condition`,
    );
  }
  if (clause.allRows)
    throw new SqlError(
      clause.allRows,
      `ALL ROWS PER MATCH is not supported (as in Flink: All rows per match mode is not supported yet.)`,
      `write ONE ROW PER MATCH and select the rows' values in MEASURES`,
    );
}

function skipStrategy(clause: MatchRecognizeClause, variables: readonly string[]): MatchSkip {
  const a = clause.after;
  if (!('variable' in a)) return { kind: a.kind };
  if (!variables.includes(a.variable)) {
    throw new SqlError(
      a.pos,
      `AFTER MATCH SKIP TO ${a.kind === 'to-first' ? 'FIRST' : 'LAST'} ${a.variable}: '${a.variable}' is no variable of PATTERN (${variables.join(' ')})`,
      `skip to a variable of the pattern`,
    );
  }
  return { kind: a.kind, variable: a.variable };
}
