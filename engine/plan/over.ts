// The planner rule for window function calls in a SELECT list (`f(...) OVER w`): one OVER
// aggregate node (aggregates over a frame ending at each row, ordered by the rowtime) or, for
// ROW_NUMBER(), a rank node that a WHERE on the row number above it turns into a Top-N or a
// deduplication (engine/plan/top-n.ts). What Flink refuses here is refused with its reasons:
// one window per SELECT, ordered by a single ascending time attribute, ending at the current row.

import { SqlError, type SourcePos } from '../errors.js';
import type { OverCall, OverSpec, Positions, WindowExpr } from '../sql/ast.js';
import {
  aggregateCallNode,
  collectNodes,
  type ColumnRefNode,
  type FunctionNode,
  type SqlExpr,
} from '../sql/nodes.js';
import { overCallOf } from '../sql/over-clause.js';
import { T, typeToString, withNullable, type Field, type SqlType } from '../types.js';
import { ExprBinder, canonical, functionArgs, functionName, type BindEnv } from './bind.js';
import { coerce } from './typing.js';
import { col, type AggregateCall, type Expr } from './expr.js';
import type { OverAggregateNode, PlanNode, RankNode, SortKey } from './logical.js';

/** What the OVER rule needs from the query planner for one SELECT block. */
export interface OverContext {
  readonly calls: readonly OverCall[];
  readonly positions: Positions;
  /** The block's rows (FROM and WHERE applied). */
  readonly input: PlanNode;
  /** Name resolution over the input's columns, for a clause. */
  readonly env: (clause: string) => BindEnv;
  /** Binds an aggregate call node (its function, arguments and result type). */
  readonly aggregateCall: (node: SqlExpr, argBinder: ExprBinder) => AggregateCall;
  /** The FROM relation, in words, for messages. */
  readonly inputName: string;
}

export interface PlannedOver {
  readonly node: PlanNode;
  readonly outputs: { expr: Expr; name: string; node: SqlExpr }[];
}

const RANKING = new Set(['ROW_NUMBER', 'RANK', 'DENSE_RANK']);
const NOT_SUPPORTED = new Set(['NTILE', 'PERCENT_RANK', 'CUME_DIST', 'NTH_VALUE']);

/** One window as the calls of a SELECT use it, with the aggregates computed over it. */
interface WindowUse {
  readonly spec: OverSpec;
  /** PARTITION BY, ORDER BY and the frame Calcite gives it (ROW_NUMBER's is always ROWS UNBOUNDED PRECEDING). */
  readonly identity: string;
  readonly firstCall: OverCall;
  readonly rowNumber: boolean;
}

/** Plans the SELECT list of a block whose items call window functions. */
export function planOverSelect(
  ctx: OverContext,
  items: readonly { node: SqlExpr; name: string }[],
): PlannedOver {
  const uses: OverCall[] = [];
  for (const it of items) collectCalls(it.node, ctx.calls, uses);
  const windows = new Map<string, WindowUse>();
  for (const call of uses) {
    const fn = callFunction(call);
    const rowNumber = RANKING.has(fn);
    if ((rowNumber || fn === 'LAG') && call.spec.frame) {
      throw new SqlError(
        call.spec.frame.pos,
        `ROWS/RANGE is not allowed with ${fn}() (as in Flink: ROW/RANGE not allowed with RANK, DENSE_RANK or ROW_NUMBER functions)`,
        `remove the frame: ${fn}() OVER (PARTITION BY ... ORDER BY ...)`,
      );
    }
    const identity = windowIdentity(call.spec, rowNumber);
    if (!windows.has(identity))
      windows.set(identity, { spec: call.spec, identity, firstCall: call, rowNumber });
  }
  if (windows.size > 1) {
    const second = [...windows.values()][1]!.firstCall;
    throw new SqlError(
      second.pos,
      `every OVER aggregate of one SELECT must use the same window (Flink: Over Agg: Unsupported use of OVER windows. All aggregates must be computed on the same window)`,
      `compute the other window in a sub-query or view and select from it: SELECT ..., SUM(amount) OVER w2 FROM (SELECT ..., SUM(amount) OVER w1 AS s1 FROM t)`,
    );
  }
  const window = [...windows.values()][0]!;
  for (const call of uses) {
    const fn = callFunction(call);
    if (fn === 'RANK' || fn === 'DENSE_RANK')
      throw new SqlError(
        call.pos,
        `${fn}() on streaming table is not supported currently (as in Flink)`,
        `use ROW_NUMBER(): WHERE rn <= N keeps the top N rows`,
      );
  }
  // ROW_NUMBER() alone may become a Top-N; next to aggregates of its window it counts rows.
  if (uses.every((c) => c.functionName === 'ROW_NUMBER')) return planRowNumber(ctx, items, window);
  return planAggregates(ctx, items, window);
}

function collectCalls(node: SqlExpr, calls: readonly OverCall[], out: OverCall[]): void {
  for (const n of collectNodes(node, (x): x is FunctionNode => overCallOf(x, calls) !== undefined))
    out.push(overCallOf(n, calls)!.call);
}

/** The function a call names, checked to be one an OVER window can compute. */
function callFunction(call: OverCall): string {
  const fn = call.functionName;
  if (fn === 'LEAD')
    throw new SqlError(
      call.pos,
      `LEAD() OVER ... is not supported on a stream (as in Flink: LEAD Function is not supported in stream mode)`,
      `use LAG() over the opposite order`,
    );
  if (NOT_SUPPORTED.has(fn))
    throw new SqlError(
      call.pos,
      `${fn}() OVER ... is not supported yet`,
      `use an aggregate (SUM, COUNT, MIN, MAX, AVG, FIRST_VALUE, LAST_VALUE) or ROW_NUMBER() over the window`,
    );
  return fn;
}

function windowIdentity(spec: OverSpec, rowNumber: boolean): string {
  const frame = rowNumber
    ? 'ROWS UNBOUNDED'
    : spec.frame
      ? `${spec.frame.unit} ${boundText(spec.frame.lower)} ${boundText(spec.frame.upper)}`
      : 'RANGE UNBOUNDED';
  return JSON.stringify([
    spec.partitionBy.map((e) => canonical(e.node)),
    spec.orderBy.map((o) => [canonical(o.expr.node), o.descending, o.nullsFirst]),
    // Written out, UNBOUNDED PRECEDING AND CURRENT ROW is the same frame.
    frame.replace(/^(ROWS|RANGE) unbounded-preceding current-row$/, '$1 UNBOUNDED'),
  ]);
}

function boundText(b: NonNullable<OverSpec['frame']>['lower']): string {
  return 'rows' in b || 'ms' in b
    ? `${b.kind} ${'rows' in b ? b.rows : ''}${'ms' in b ? `${b.ms}ms` : ''}`
    : b.kind;
}

/** A binder for a window's PARTITION BY / ORDER BY expression (its own text positions). */
function bindWindowExpr(ctx: OverContext, e: WindowExpr, clause: string): Expr {
  const env = ctx.env(clause);
  return new ExprBinder({ ...env, positions: e.positions }).bind(e.node);
}

/** The rowtime column a window is ordered by, as Flink requires it of OVER aggregates. */
function orderTime(ctx: OverContext, spec: OverSpec, pos: SourcePos): number {
  if (spec.orderBy.length !== 1) {
    throw new SqlError(
      spec.orderBy[1]?.expr.pos ?? pos,
      `an OVER window must be ORDER BY one time attribute (as in Flink: The window can only be ordered by a single time column)`,
      `write ORDER BY ts, the WATERMARK column of the table`,
    );
  }
  const o = spec.orderBy[0]!;
  const e = bindWindowExpr(ctx, o.expr, 'ORDER BY');
  if (o.descending) {
    throw new SqlError(
      o.expr.pos,
      `an OVER window must be ordered by its time ascending (as in Flink: The window can only be ordered in ASCENDING mode)`,
      `write ORDER BY ${e.kind === 'column' ? e.name : 'ts'} (ASC)`,
    );
  }
  if (e.kind === 'column' && ctx.input.schema[e.index]?.proctime) {
    throw new SqlError(
      o.expr.pos,
      `OVER aggregates on processing time are not supported yet`,
      `order the window by an event-time attribute (the WATERMARK column of the table)`,
    );
  }
  if (e.kind !== 'column' || !ctx.input.schema[e.index]?.rowtime) {
    throw new SqlError(
      o.expr.pos,
      `an OVER window must be ordered by a time attribute (as in Flink: OVER windows' ordering in stream mode must be defined on a time attribute)`,
      `ORDER BY the WATERMARK column of the table (or window_time of a window aggregate), selected unchanged into ${ctx.inputName}`,
    );
  }
  return e.index;
}

function checkInsertOnly(ctx: OverContext, pos: SourcePos, what: string): void {
  if (!ctx.input.updating) return;
  throw new SqlError(
    pos,
    `${what} cannot read an updating input: the rows of ${ctx.inputName} are updated (a running GROUP BY, an outer join, a Top-N ...); Flink refuses it too (OverAggregate doesn't support consuming update changes)`,
    `read insert-only rows: aggregate over a window (FROM TABLE(TUMBLE(...)) GROUP BY window_start, window_end, ...) instead of a running GROUP BY`,
  );
}

/** Aggregates over one window: an OverAggregateNode and the SELECT list over its output. */
function planAggregates(
  ctx: OverContext,
  items: readonly { node: SqlExpr; name: string }[],
  window: WindowUse,
): PlannedOver {
  const spec = window.spec;
  const pos = window.firstCall.pos;
  // Flink checks the changelog first, then the ordering, then the frame.
  checkInsertOnly(ctx, pos, 'an OVER aggregate');
  const timeIndex = orderTime(ctx, spec, spec.pos);
  // A window first met through ROW_NUMBER() has no frame written: Calcite's is ROWS UNBOUNDED PRECEDING.
  const frame: OverAggregateNode['frame'] = window.rowNumber
    ? { rows: true, preceding: null }
    : overFrame(spec);
  const partitionKeys = spec.partitionBy.map((e) => bindWindowExpr(ctx, e, 'PARTITION BY'));
  const input = ctx.input;

  // Bound twice: first to learn every aggregate the calls need, then with their final columns.
  const aggregates: AggregateCall[] = [];
  const canon: string[] = [];
  let layoutDone = false;
  const aggregateColumn = (c: AggregateCall, key: string): Expr => {
    let i = canon.indexOf(key);
    if (i < 0) {
      if (layoutDone) throw new Error(`internal: OVER aggregate ${key} appeared in the second pass`);
      aggregates.push(c);
      canon.push(key);
      i = aggregates.length - 1;
    }
    return col(input.schema.length + i, `w0$o${i}`, c.type);
  };

  // LAG(value, offset, default) calls: output after the aggregates.
  const lags: NonNullable<OverAggregateNode['lags']>[number][] = [];
  const lagCanon: string[] = [];
  const lagColumn = (inner: SqlExpr, call: OverCall): Expr => {
    const key = canonical(inner);
    let i = lagCanon.indexOf(key);
    if (i < 0) {
      if (layoutDone) throw new Error(`internal: LAG ${key} appeared in the second pass`);
      lags.push(bindLag(inner, call, argBinder));
      lagCanon.push(key);
      i = lags.length - 1;
    }
    return col(input.schema.length + (layoutDone ? aggregates.length : 0) + i, `w0$l${i}`, lags[i]!.type);
  };

  const base = ctx.env('the SELECT list');
  const argEnv = ctx.env('an aggregate function');
  const argBinder = new ExprBinder(argEnv);
  const callEnv: BindEnv = {
    ...argEnv,
    aggregate: (node) => bindAggregate(ctx, node, argBinder, aggregateColumn),
  };
  const selectEnv: BindEnv = {
    ...base,
    substitute: (node) => {
      const found = overCallOf(node, ctx.calls);
      if (!found) return undefined;
      if (found.call.functionName === 'LAG') return lagColumn(found.inner, found.call);
      if (found.call.functionName === 'ROW_NUMBER') {
        checkNoArguments(found.inner, found.call);
        return aggregateColumn(
          { fn: 'COUNT_STAR', args: [], distinct: false, type: T.bigint(false) },
          'ROW_NUMBER()',
        );
      }
      return bindCall(found.call, found.inner, callEnv);
    },
    aggregate: (node) => {
      throw new SqlError(
        aggregatePos(node, ctx),
        `aggregate function ${aggName(node)} without OVER in a SELECT with OVER windows`,
        `give it the window too (${aggName(node)}(...) OVER w), or aggregate in a sub-query first`,
      );
    },
  };
  const binder = new ExprBinder(selectEnv);
  for (const it of items) binder.bind(it.node);
  layoutDone = true;
  const outputs = items.map((it) => ({ expr: binder.bind(it.node), name: it.name, node: it.node }));

  const aggFields: Field[] = [
    ...aggregates.map((a, i) => ({ name: `w0$o${i}`, type: a.type })),
    ...lags.map((l, i) => ({ name: `w0$l${i}`, type: l.type })),
  ];
  const node: OverAggregateNode = {
    kind: 'over-aggregate',
    inputs: [input],
    partitionKeys,
    timeIndex,
    frame,
    aggregates,
    ...(lags.length > 0 ? { lags } : {}),
    schema: [...input.schema, ...aggFields],
    updating: false,
  };
  return { node, outputs };
}

/** LAG(value [, offset [, default]]): the offset a whole number literal, the default of the value's type. */
function bindLag(
  inner: SqlExpr,
  call: OverCall,
  binder: ExprBinder,
): NonNullable<OverAggregateNode['lags']>[number] {
  const args = functionArgs(inner);
  if (args.length < 1 || args.length > 3)
    throw new SqlError(
      call.pos,
      `LAG takes 1 to 3 arguments, got ${args.length}`,
      `write LAG(amount), LAG(amount, 2) or LAG(amount, 1, 0)`,
    );
  const value = binder.bind(args[0]!);
  let offset = 1;
  if (args.length > 1) {
    const o = args[1];
    const v = o?.type === 'number' ? Number(o.value) : NaN;
    if (!Number.isInteger(v) || v < 0)
      throw new SqlError(
        call.pos,
        `LAG's offset must be a whole number ≥ 0 written as a literal`,
        `write LAG(amount, 2)`,
      );
    offset = v;
  }
  let defaultValue: Expr | null = null;
  if (args.length > 2) {
    const d = binder.bind(args[2]!);
    // Flink casts nothing here: the default must have the value's type.
    const same =
      d.type.name === value.type.name &&
      (d.type.name !== 'DECIMAL' ||
        (d.type.precision === value.type.precision && d.type.scale === value.type.scale));
    if (d.type.name !== 'NULL' && !same) {
      throw new SqlError(
        call.pos,
        `LAG's default must have the value's type (as in Flink: Please explicitly cast default value ${typeToString(d.type)} to ${typeToString(value.type)})`,
        `write LAG(x, 1, CAST(... AS ${typeToString(withNullable(value.type, true))}))`,
      );
    }
    defaultValue = d.type.name === 'NULL' ? null : d;
  }
  // A NOT NULL default makes the result NOT NULL: Flink then reads a NULL value `offset` rows back
  // as its type's placeholder (-1, -1.0, false, ''), not as NULL nor as the default.
  const notNull = defaultValue !== null && !defaultValue.type.nullable;
  const type = withNullable(value.type, !notNull);
  return {
    value,
    offset,
    defaultValue: defaultValue && coerce(defaultValue, type),
    type,
    nullAs: notNull ? placeholderOf(type) : null,
  };
}

/** What Flink's generated code holds for a NULL read as NOT NULL (CodeGenUtils.primitiveDefaultValue). */
function placeholderOf(t: SqlType): unknown {
  switch (t.name) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
      return -1;
    case 'BOOLEAN':
      return false;
    case 'STRING':
      return '';
    default:
      return null;
  }
}

function aggName(node: SqlExpr): string {
  return functionName(node);
}

function aggregatePos(node: SqlExpr, ctx: OverContext): SourcePos {
  return node.loc?.start ? ctx.positions.at(node.loc.start.offset) : ctx.positions.identifier(aggName(node));
}

/** The inside of `f(...) OVER w`: an aggregate, bound through env.aggregate (statistics included). */
function bindCall(call: OverCall, inner: SqlExpr, env: BindEnv): Expr {
  const isAggregate =
    inner.type === 'aggr_func' ||
    (inner.type === 'function' &&
      /^(COUNT|SUM|AVG|MIN|MAX|FIRST_VALUE|LAST_VALUE|LISTAGG|STDDEV_POP|STDDEV_SAMP|VAR_POP|VAR_SAMP)$/.test(
        functionName(inner),
      ));
  if (!isAggregate) {
    throw new SqlError(
      call.pos,
      `${call.functionName}(...) is not an aggregate function: OVER needs one`,
      `write e.g. SUM(amount) OVER w, COUNT(*) OVER w`,
    );
  }
  return new ExprBinder(env).bind(inner);
}

/**
 * One aggregate over the window. SUM is CASE WHEN COUNT(x) > 0 THEN $SUM0(x) END in one state
 * (over-aggregates.ts); AVG(x) is CAST(SUM(x) / COUNT(x) AS <AVG's type>), as Calcite rewrites it
 * for windows, so both follow Flink's arithmetic.
 */
function bindAggregate(
  ctx: OverContext,
  node: SqlExpr,
  argBinder: ExprBinder,
  column: (c: AggregateCall, key: string) => Expr,
): Expr {
  const name = aggName(node);
  if (name === 'AVG') {
    const avg = ctx.aggregateCall(node, argBinder);
    const arg = node.type === 'aggr_func' ? node.arg : (functionArgs(node)[0] ?? null);
    const distinct = (node.type === 'aggr_func' || node.type === 'function') && node.distinct;
    const sum = bindAggregate(ctx, aggregateCallNode('SUM', arg, distinct), argBinder, column);
    const count = bindAggregate(ctx, aggregateCallNode('COUNT', arg, distinct), argBinder, column);
    // Stand-ins for the two results, recognized by identity.
    const left: ColumnRefNode = { type: 'column_ref', table: null, column: '$sum' };
    const right: ColumnRefNode = { type: 'column_ref', table: null, column: '$count' };
    const quotient = new ExprBinder({
      positions: ctx.positions,
      clause: 'AVG',
      column: () => {
        throw new Error('internal: AVG over a window has no columns of its own');
      },
      substitute: (n) => (n === left ? sum : n === right ? count : undefined),
    }).bind({ type: 'binary_expr', operator: '/', left, right });
    return { kind: 'cast', arg: quotient, type: withNullable(avg.type, true) };
  }
  const c = ctx.aggregateCall(node, argBinder);
  return column(c, canonical(node));
}

function overFrame(spec: OverSpec): OverAggregateNode['frame'] {
  const f = spec.frame;
  if (!f) return { rows: false, preceding: null };
  // Flink runs a frame from UNBOUNDED PRECEDING or n PRECEDING to CURRENT ROW, nothing else (not
  // even CURRENT ROW to CURRENT ROW, which it reports with the same words).
  const preceding = f.lower.kind === 'unbounded-preceding' || f.lower.kind === 'preceding';
  if (f.upper.kind !== 'current-row' || !preceding) {
    const at = f.upper.kind !== 'current-row' ? f.upper.pos : f.lower.pos;
    throw new SqlError(
      at,
      `an OVER window must run from UNBOUNDED PRECEDING or n PRECEDING to the current row (as in Flink: OVER RANGE FOLLOWING windows are not supported yet)`,
      f.lower.kind === 'current-row'
        ? `write ${f.unit} BETWEEN ${f.unit === 'ROWS' ? '0' : "INTERVAL '0' SECOND"} PRECEDING AND CURRENT ROW`
        : `write ${f.unit} BETWEEN ... PRECEDING AND CURRENT ROW`,
    );
  }
  const rows = f.unit === 'ROWS';
  if (f.lower.kind === 'unbounded-preceding') return { rows, preceding: null };
  const lower = f.lower as { rows?: number; ms?: number };
  return { rows, preceding: lower.rows ?? lower.ms ?? 0 };
}

function checkNoArguments(inner: SqlExpr, call: OverCall): void {
  if ((inner.type === 'aggr_func' && inner.arg) || functionArgs(inner).length > 0) {
    throw new SqlError(
      call.pos,
      `${call.functionName}() takes no arguments`,
      `write ${call.functionName}() OVER (...)`,
    );
  }
}

/** ROW_NUMBER() OVER (...): a rank node, limited by a WHERE on its row number above it (top-n.ts). */
function planRowNumber(
  ctx: OverContext,
  items: readonly { node: SqlExpr; name: string }[],
  window: WindowUse,
): PlannedOver {
  const spec = window.spec;
  const input = ctx.input;
  const partitionKeys = spec.partitionBy.map((e) => bindWindowExpr(ctx, e, 'PARTITION BY'));
  if (spec.orderBy.length === 0) {
    throw new SqlError(
      spec.pos,
      `ROW_NUMBER() needs ORDER BY in its window (as in Flink: The window can only be ordered by a single time column)`,
      `write ROW_NUMBER() OVER (PARTITION BY ... ORDER BY amount DESC)`,
    );
  }
  const orderBy: SortKey[] = spec.orderBy.map((o) => ({
    expr: bindWindowExpr(ctx, o.expr, 'ORDER BY'),
    descending: o.descending,
    // SQL's default (Calcite's, as Flink plans it): NULLs first ascending, last descending.
    nullsFirst: o.nullsFirst ?? !o.descending,
  }));
  const rowNumber = col(input.schema.length, 'w0$o0', T.bigint(false));
  const env: BindEnv = {
    ...ctx.env('the SELECT list'),
    substitute: (node) => {
      const found = overCallOf(node, ctx.calls);
      if (!found) return undefined;
      checkNoArguments(found.inner, found.call);
      return rowNumber;
    },
    aggregate: (node) => {
      throw new SqlError(
        aggregatePos(node, ctx),
        `aggregate function ${aggName(node)} without OVER next to ROW_NUMBER()`,
        `aggregate in a sub-query first, then number its rows`,
      );
    },
  };
  const binder = new ExprBinder(env);
  const outputs = items.map((it) => ({ expr: binder.bind(it.node), name: it.name, node: it.node }));
  const node: RankNode = {
    kind: 'rank',
    inputs: [input],
    partitionKeys,
    orderBy,
    range: null,
    outputRankNumber: true,
    schema: [...input.schema, { name: 'w0$o0', type: T.bigint(false) }],
    updating: input.updating,
    pos: window.firstCall.pos,
  };
  return { node, outputs };
}
