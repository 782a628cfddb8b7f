// The operators of window function nodes (OVER aggregation, Top-N, deduplication), for build.ts:
// which Flink function each node runs as, and what its checkpointed state means (for savepoints).

import { SqlError } from '../errors.js';
import type { DeduplicateNode, OverAggregateNode, PlanNode, RankNode } from '../plan/logical.js';
import type { AggregateCall, Expr } from '../plan/expr.js';
import type { Row } from '../types.js';
import { T } from '../types.js';
import { Aggregation } from '../exec/aggregation.js';
import { compileScalar } from '../exec/compile.js';
import { DeduplicateOperator } from '../exec/deduplicate.js';
import type { StateTtl } from '../exec/state-ttl.js';
import type { Operator } from '../exec/operator.js';
import { OverAggregateOperator } from '../exec/over-aggregate.js';
import { compileSortKey } from '../exec/sort-key.js';
import { TopNOperator } from '../exec/top-n.js';
import { rowIdentity } from '../exec/two-input.js';
import { WindowDeduplicateOperator, WindowRankOperator } from '../exec/window-rank.js';

export type WindowFunctionNode = OverAggregateNode | RankNode | DeduplicateNode;

export function isWindowFunction(node: PlanNode): node is WindowFunctionNode {
  return node.kind === 'over-aggregate' || node.kind === 'rank' || node.kind === 'deduplicate';
}

/** What building one of these operators needs from buildJob. */
export interface WindowFunctionBuild {
  /** Where the node's output rows go. */
  readonly output: Operator;
  /** The receiver of the rows the operator drops as late (rows of the node's input); asked only by operators that drop rows. */
  readonly late: () => (row: Row, watermark: number) => void;
  /** Registers the operator's state for checkpoints under the node's identity. */
  readonly stateful: (op: { snapshot(): unknown; restore(state: unknown): void }, kind: string) => void;
  /** The state TTL (SET 'table.exec.state.ttl'), for operators whose state Flink expires. */
  readonly ttl: () => StateTtl | null;
  /** Registers a window operator's open windows for progress. */
  readonly windows: (op: { readonly openWindows: number }) => void;
}

export function windowFunctionOperator(node: WindowFunctionNode, b: WindowFunctionBuild): Operator {
  const input = node.inputs[0]!;
  switch (node.kind) {
    case 'over-aggregate':
      return overAggregate(
        node.partitionKeys,
        node.timeIndex,
        node.frame,
        node.aggregates,
        b,
        node.lags ?? [],
      );
    case 'rank': {
      if (node.range === null) return unlimitedRank(node, input, b);
      const sortKey = compileSortKey(node.orderBy);
      const partition = compilePartitionKey(node.partitionKeys);
      if (node.window) {
        const op = new WindowRankOperator(
          partition,
          sortKey,
          node.range.start,
          node.range.end,
          node.outputRankNumber,
          node.window.endIndex,
          b.late(),
          b.output,
        );
        b.stateful(op, 'window-rank');
        b.windows(op);
        return op;
      }
      const op = new TopNOperator(
        partition,
        sortKey,
        node.range.start,
        node.range.end,
        node.outputRankNumber,
        input.updating,
        b.output,
        b.ttl(),
      );
      b.stateful(op, 'rank');
      return op;
    }
    case 'deduplicate': {
      const key = compilePartitionKey(node.keys);
      if (node.window) {
        const op = new WindowDeduplicateOperator(
          key,
          node.timeIndex,
          node.keepLast,
          node.window.endIndex,
          b.late(),
          b.output,
        );
        b.stateful(op, 'window-deduplicate');
        b.windows(op);
        return op;
      }
      const op = new DeduplicateOperator(
        key,
        node.proctime ? null : node.timeIndex,
        node.keepLast,
        b.output,
        b.ttl(),
      );
      b.stateful(op, 'deduplicate');
      return op;
    }
  }
}

function overAggregate(
  keys: readonly Expr[],
  timeIndex: number,
  frame: OverAggregateNode['frame'],
  aggregates: readonly AggregateCall[],
  b: WindowFunctionBuild,
  lags: NonNullable<OverAggregateNode['lags']> = [],
): Operator {
  // Bounded windows take rows back out (Flink's *WithRetract aggregate functions).
  const agg = new Aggregation([], aggregates, { retractable: true });
  const compiledLags = lags.map((l) => ({
    value: compileScalar(l.value),
    offset: l.offset,
    defaultValue: l.defaultValue ? compileScalar(l.defaultValue) : null,
    nullAs: l.nullAs,
  }));
  const op = new OverAggregateOperator(
    compilePartitionKey(keys),
    timeIndex,
    frame,
    agg,
    b.late(),
    b.output,
    compiledLags,
  );
  b.stateful(op, 'over-aggregate');
  return op;
}

/**
 * ROW_NUMBER() that no WHERE limits: ordered by the rowtime ascending, Flink numbers each
 * partition's rows in time order (an OVER aggregate counting rows, ROWS UNBOUNDED PRECEDING);
 * otherwise it refuses it, with these reasons.
 */
function unlimitedRank(node: RankNode, input: PlanNode, b: WindowFunctionBuild): Operator {
  const o = node.orderBy;
  const time =
    o.length === 1 && o[0]!.expr.kind === 'column' && input.schema[o[0]!.expr.index]?.rowtime
      ? o[0]!
      : undefined;
  if (o.length === 1 && o[0]!.expr.kind === 'column' && input.schema[o[0]!.expr.index]?.proctime) {
    throw new SqlError(
      node.pos,
      `ROW_NUMBER() on processing time without a WHERE on it (an OVER aggregate) is not supported yet`,
      `keep the first rows by arrival with WHERE rn = 1 (deduplication) or rn <= N`,
    );
  }
  if (!time) {
    throw new SqlError(
      node.pos,
      o.length === 1 && !(o[0]!.expr.kind === 'column' && input.schema[o[0]!.expr.index]?.rowtime)
        ? `ROW_NUMBER() without a WHERE on it must be ordered by a time attribute (as in Flink: OVER windows' ordering in stream mode must be defined on a time attribute)`
        : `ROW_NUMBER() without a WHERE on it must be ordered by one time attribute (as in Flink: The window can only be ordered by a single time column)`,
      `for a Top-N select from it with WHERE rn <= N: SELECT * FROM (SELECT ..., ROW_NUMBER() OVER (...) AS rn FROM t) WHERE rn <= 3`,
    );
  }
  if (time.descending) {
    throw new SqlError(
      node.pos,
      `ROW_NUMBER() without a WHERE on it must be ordered by its time ascending (as in Flink: The window can only be ordered in ASCENDING mode)`,
      `for the latest rows select from it with WHERE rn = 1 (deduplication) or rn <= N`,
    );
  }
  if (input.updating) {
    throw new SqlError(
      node.pos,
      `ROW_NUMBER() OVER (...) cannot read an updating input (as in Flink: OverAggregate doesn't support consuming update changes)`,
      `number the rows of an insert-only input`,
    );
  }
  const count: AggregateCall = { fn: 'COUNT_STAR', args: [], distinct: false, type: T.bigint(false) };
  return overAggregate(
    node.partitionKeys,
    (time.expr as { index: number }).index,
    { rows: true, preceding: null },
    [count],
    b,
  );
}

/** A Map key for a row's partition: the value of a single key, exact strings for several, 0 for none. */
export function compilePartitionKey(keys: readonly Expr[]): (row: Row) => unknown {
  const fns = keys.map((k) => compileScalar(k));
  if (fns.length === 0) return () => 0;
  if (fns.length === 1) {
    const f = fns[0]!;
    return (row) => {
      const v = f(row);
      return v === undefined ? null : v;
    };
  }
  return (row) => rowIdentity(fns.map((f) => f(row)));
}

/** What the state of a window function node means, for its savepoint identity. */
export function windowFunctionState(node: WindowFunctionNode): object {
  switch (node.kind) {
    case 'over-aggregate':
      return {
        keys: node.partitionKeys,
        time: node.timeIndex,
        frame: node.frame,
        aggregates: node.aggregates,
        lags: node.lags ?? [],
      };
    case 'rank':
      return {
        keys: node.partitionKeys,
        orderBy: node.orderBy,
        range: node.range,
        rowNumber: node.outputRankNumber,
        window: node.window ?? null,
      };
    case 'deduplicate':
      return {
        keys: node.keys,
        time: node.timeIndex,
        proctime: node.proctime ?? false,
        keepLast: node.keepLast,
        window: node.window ?? null,
      };
  }
}

/** The operator in words, for messages about its state. */
export function describeWindowFunction(node: WindowFunctionNode, tables: readonly string[]): string {
  const over = `'${tables.join("', '")}'`;
  switch (node.kind) {
    case 'over-aggregate':
      return `the OVER aggregate over ${over} (${node.partitionKeys.length} partition key${node.partitionKeys.length === 1 ? '' : 's'}, ${node.aggregates.length} aggregate${node.aggregates.length === 1 ? '' : 's'})`;
    case 'rank':
      return node.range === null
        ? `the ROW_NUMBER() over ${over}`
        : `the ${node.window ? 'window ' : ''}Top-${node.range.end} over ${over}`;
    case 'deduplicate':
      return `the ${node.window ? 'window ' : ''}deduplication (keep ${node.keepLast ? 'last' : 'first'}) over ${over}`;
  }
}
