// The planner rule that makes ROW_NUMBER() a Top-N or a deduplication, as Flink's rank rules do:
// a WHERE over a query whose rows are numbered (`WHERE rn <= 3`, `rn = 1`, `rn BETWEEN 2 AND 5`)
// limits the rank node below it to those row numbers (the rest of the WHERE stays a filter). With
// the row number kept to one value (`rn = 1`) or not read above, the node does not output it
// (Flink's RankNumberColumnRemoveRule: fewer updates), and `rn = 1` ordered by a time attribute
// is a deduplication (keep the first row per key, or the last with DESC).

import { SqlError, type SourcePos } from '../errors.js';
import { someNode, type SelectNode, type SqlExpr } from '../sql/nodes.js';
import { T } from '../types.js';
import { columnName } from './bind.js';
import { call, lit, type Expr } from './expr.js';
import { compileScalar } from '../exec/compile.js';
import type { DeduplicateNode, PlanNode, RankNode } from './logical.js';

/**
 * `node` filtered by `predicate` (a WHERE over it): a limited rank node with the rest of the
 * predicate as a filter above it when the predicate bounds the row number of a rank node below,
 * else undefined (an ordinary filter). `reads(name)` says whether the rest of the query reads a
 * column of `node` by that name (or all of them, `*`).
 */
export function limitRank(
  node: PlanNode,
  predicate: Expr,
  reads: (name: string) => boolean,
  pos: SourcePos,
): PlanNode | undefined {
  // Down through projections and filters to the rank node, following the column the row number is.
  const chain: PlanNode[] = [];
  let n = node;
  while ((n.kind === 'project' || n.kind === 'filter') && n.inputs.length === 1) {
    chain.push(n);
    n = n.inputs[0]!;
  }
  if (n.kind !== 'rank' || n.range !== null) return undefined;
  const rank = n;
  const rnIndex = rank.schema.length - 1;
  const columnAtRank = (index: number): number | undefined => {
    let i = index;
    for (const c of chain) {
      if (c.kind === 'project') {
        const e = c.exprs[i];
        if (!e || e.kind !== 'column') return undefined;
        i = e.index;
      }
    }
    return i;
  };
  const isRowNumber = (e: Expr): boolean => {
    const inner = e.kind === 'cast' ? e.arg : e;
    return inner.kind === 'column' && columnAtRank(inner.index) === rnIndex;
  };

  let start = 1;
  let end = Infinity;
  let bounded = false;
  const rest: Expr[] = [];
  for (const c of conjuncts(predicate)) {
    const bounds = rowNumberBounds(c, isRowNumber);
    for (const bound of bounds ?? []) {
      bounded = true;
      if (bound.op === '<=') end = Math.min(end, bound.value);
      else if (bound.op === '<') end = Math.min(end, bound.value - 1);
      else if (bound.op === '>=') start = Math.max(start, bound.value);
      else if (bound.op === '>') start = Math.max(start, bound.value + 1);
      else {
        start = Math.max(start, bound.value);
        end = Math.min(end, bound.value);
      }
    }
    if (bounds) continue;
    // Any other condition on the row number (rn <> 2, MOD(rn, 2) = 0): no Top-N, as in Flink,
    // whose rank rule then leaves the ROW_NUMBER() an OVER aggregate (refused unless in time order).
    if (usesColumn(c, isRowNumber)) return undefined;
    rest.push(c);
  }
  if (!bounded) return undefined;
  if (end === Infinity) {
    throw new SqlError(
      pos,
      `Top-N needs an upper bound on the row number (as in Flink: Rank end is not specified. Currently rank only support TopN, which means the rank end must be specified)`,
      `add rn <= N to the WHERE`,
    );
  }
  if (end < start || end < 1) {
    throw new SqlError(
      pos,
      `the WHERE keeps no row numbers (from ${start} to ${end})`,
      `write WHERE rn <= N with N ≥ 1`,
    );
  }

  const rnName = node.schema.findIndex((_, i) => columnOfNode(chain, i, rnIndex));
  const outputRankNumber = start !== end && rnName >= 0 && reads(node.schema[rnName]!.name);
  const input = rank.inputs[0]!;
  const order =
    rank.orderBy.length === 1 && rank.orderBy[0]!.expr.kind === 'column'
      ? input.schema[rank.orderBy[0]!.expr.index]
      : undefined;
  const time = order?.rowtime || order?.proctime ? rank.orderBy[0]! : undefined;
  // Partitioned by a window's start and end: ranked per window, once, when it fires (insert-only).
  const window = windowOf(rank);
  let bottom: PlanNode;
  if (start === 1 && end === 1 && time && time.expr.kind === 'column') {
    if (window && order?.proctime)
      throw new SqlError(
        pos,
        `window deduplication is on event time only (as in Flink)`,
        `ORDER BY the window's time attribute (ts or window_time)`,
      );
    const dedup: DeduplicateNode = {
      kind: 'deduplicate',
      inputs: [input],
      keys: rank.partitionKeys,
      timeIndex: time.expr.index,
      keepLast: time.descending,
      ...(order?.proctime ? { proctime: true as const } : {}),
      ...(window ? { window: { endIndex: window.endIndex } } : {}),
      schema: input.schema,
      // Keeping the first row by arrival never takes it back (ProcTimeDeduplicateKeepFirstRowFunction).
      updating: !window && !(order?.proctime && !time.descending),
      pos: rank.pos,
    };
    bottom = dedup;
  } else {
    const limited: RankNode = {
      ...rank,
      range: { start, end },
      outputRankNumber,
      ...(window ? { window: { endIndex: window.endIndex } } : {}),
      schema: outputRankNumber ? rank.schema : input.schema,
      updating: !window,
    };
    bottom = limited;
  }
  // The row number is a constant when kept to one value; not read above otherwise.
  const constant = lit(start, T.bigint(false));
  let rebuilt: PlanNode = bottom;
  let replace = !outputRankNumber;
  for (let k = chain.length - 1; k >= 0; k--) {
    const c = chain[k]!;
    if (c.kind === 'project') {
      const exprs = replace ? c.exprs.map((e) => replaceColumn(e, rnIndex, constant)) : c.exprs;
      rebuilt = { ...c, inputs: [rebuilt], exprs, updating: rebuilt.updating };
      replace = false;
    } else if (c.kind === 'filter') {
      const predicate = replace ? replaceColumn(c.predicate, rnIndex, constant) : c.predicate;
      rebuilt = { ...c, inputs: [rebuilt], predicate, schema: rebuilt.schema, updating: rebuilt.updating };
    }
  }
  if (rest.length === 0) return rebuilt;
  const restPredicate = rest.reduce((a, b) =>
    call('AND', [a, b], T.boolean(a.type.nullable || b.type.nullable)),
  );
  return {
    kind: 'filter',
    inputs: [rebuilt],
    predicate: restPredicate,
    schema: rebuilt.schema,
    updating: rebuilt.updating,
  };
}

/**
 * The window a rank node's partition is: PARTITION BY window_start and window_end of one window
 * aggregate's or window TVF's rows (and maybe other keys): the window end's column, undefined when
 * it is not a window.
 */
function windowOf(rank: RankNode): { endIndex: number } | undefined {
  const input = rank.inputs[0]!;
  if (input.updating) return undefined;
  let start: { key: number; origin: PlanNode } | undefined;
  let end: { key: number; origin: PlanNode; index: number } | undefined;
  rank.partitionKeys.forEach((k, i) => {
    if (k.kind !== 'column') return;
    const o = windowColumnOrigin(input, k.index);
    if (o?.which === 'start') start ??= { key: i, origin: o.node };
    if (o?.which === 'end') end ??= { key: i, origin: o.node, index: k.index };
  });
  if (!start || !end || start.origin !== end.origin) return undefined;
  return { endIndex: end.index };
}

/** Where column `index` of `node` comes from, if it is the window_start or window_end of a window aggregate or window TVF. */
function windowColumnOrigin(
  node: PlanNode,
  index: number,
): { which: 'start' | 'end'; node: PlanNode } | undefined {
  switch (node.kind) {
    case 'project': {
      const e = node.exprs[index];
      return e?.kind === 'column' ? windowColumnOrigin(node.inputs[0]!, e.index) : undefined;
    }
    case 'filter':
      return windowColumnOrigin(node.inputs[0]!, index);
    case 'window-aggregate':
      return index === node.keys.length
        ? { which: 'start', node }
        : index === node.keys.length + 1
          ? { which: 'end', node }
          : undefined;
    case 'window-table': {
      const w = node.inputs[0]!.schema.length;
      return index === w ? { which: 'start', node } : index === w + 1 ? { which: 'end', node } : undefined;
    }
    default:
      return undefined;
  }
}

/** Whether column `index` of the chain's top node is the rank's row number. */
function columnOfNode(chain: readonly PlanNode[], index: number, rnIndex: number): boolean {
  let i = index;
  for (const c of chain) {
    if (c.kind === 'project') {
      const e = c.exprs[i];
      if (!e || e.kind !== 'column') return false;
      i = e.index;
    }
  }
  return i === rnIndex;
}

function conjuncts(e: Expr): Expr[] {
  if (e.kind === 'call' && e.fn === 'AND') return e.args.flatMap(conjuncts);
  return [e];
}

type BoundOp = '<=' | '<' | '>=' | '>' | '=';
const FLIPPED: Readonly<Record<BoundOp, BoundOp>> = { '<=': '>=', '<': '>', '>=': '<=', '>': '<', '=': '=' };

/** `rn <op> <whole number>` (either way round) or `rn BETWEEN a AND b`: the bounds it sets, else undefined. */
function rowNumberBounds(
  e: Expr,
  isRowNumber: (e: Expr) => boolean,
): { op: BoundOp; value: number }[] | undefined {
  if (e.kind !== 'call') return undefined;
  // A whole-number constant: a literal, or an expression of literals (Calcite folds `rn <= 2 + 1`).
  const value = (x: Expr): number | undefined => {
    if (usesColumn(x, (e) => e.kind === 'column') || x.type.name === 'DECIMAL') return undefined;
    const v = compileScalar(x)([]);
    return typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'bigint' ? Number(v) : undefined;
  };
  if (e.fn === 'BETWEEN' && e.args.length === 3 && isRowNumber(e.args[0]!)) {
    const lo = value(e.args[1]!);
    const hi = value(e.args[2]!);
    return lo !== undefined && hi !== undefined
      ? [
          { op: '>=', value: lo },
          { op: '<=', value: hi },
        ]
      : undefined;
  }
  if (!(e.fn in FLIPPED) || e.args.length !== 2) return undefined;
  const [a, b] = e.args as [Expr, Expr];
  const op = e.fn as BoundOp;
  if (isRowNumber(a) && value(b) !== undefined) return [{ op, value: value(b)! }];
  if (isRowNumber(b) && value(a) !== undefined) return [{ op: FLIPPED[op], value: value(a)! }];
  return undefined;
}

function usesColumn(e: Expr, test: (e: Expr) => boolean): boolean {
  if (test(e)) return true;
  switch (e.kind) {
    case 'call':
      return e.args.some((a) => usesColumn(a, test));
    case 'case':
      return (
        e.whens.some((w) => usesColumn(w.when, test) || usesColumn(w.then, test)) ||
        (e.otherwise !== null && usesColumn(e.otherwise, test))
      );
    case 'cast':
      return usesColumn(e.arg, test);
    default:
      return false;
  }
}

function replaceColumn(e: Expr, index: number, by: Expr): Expr {
  switch (e.kind) {
    case 'column':
      return e.index === index ? by : e;
    case 'call':
      return { ...e, args: e.args.map((a) => replaceColumn(a, index, by)) };
    case 'case':
      return {
        ...e,
        whens: e.whens.map((w) => ({
          when: replaceColumn(w.when, index, by),
          then: replaceColumn(w.then, index, by),
        })),
        otherwise: e.otherwise && replaceColumn(e.otherwise, index, by),
      };
    case 'cast':
      return { ...e, arg: replaceColumn(e.arg, index, by) };
    default:
      return e;
  }
}

/** Whether the clauses of a SELECT block read a column by name (a `*` reads every one). */
export function blockReads(sel: SelectNode, name: string): boolean {
  const lower = name.toLowerCase();
  const reads = (node: SqlExpr | null): boolean =>
    someNode(node, (n) => {
      if (n.type !== 'column_ref') return false;
      const c = columnName(n);
      return c === '*' || c.toLowerCase() === lower;
    });
  return (
    sel.columns.some((c) => reads(c.expr)) || (sel.groupby?.columns ?? []).some(reads) || reads(sel.having)
  );
}
