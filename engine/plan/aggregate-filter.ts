// Aggregates with `FILTER (WHERE condition)` (issue 15): the front pass (engine/sql/aggregate-filter.ts)
// hands them to the planner as one node, the aggregate joined to its condition (see
// aggregateFilterParts there). Here the condition is bound to AggregateCall.filter: a BOOLEAN
// over the aggregate's input row.

import { SqlError } from '../errors.js';
import type { Positions } from '../sql/ast.js';
import type { SqlExpr } from '../sql/nodes.js';
import { aggregateFilterParts } from '../sql/aggregate-filter.js';
import { functionName, isAggregateNode, nodePos, type ExprBinder } from './bind.js';
import type { Expr } from './expr.js';
import { describeType } from './typing.js';

/** An aggregate node without its FILTER, and the bound filter when it had one. */
export interface BoundAggregateFilter {
  readonly aggregate: SqlExpr;
  readonly filter?: Expr;
}

/**
 * Splits an aggregate node as the planner binds an aggregate call: the aggregate itself (to bind
 * as before) and its FILTER condition bound by `binder`, the binder of the aggregate's arguments
 * (the input row's columns; aggregates are not allowed in it, as in Flink). The condition must be
 * a BOOLEAN (or NULL: no row passes).
 */
export function bindAggregateFilter(
  node: SqlExpr,
  binder: ExprBinder,
  positions: Positions,
): BoundAggregateFilter {
  const parts = aggregateFilterParts(node);
  if (!parts) return { aggregate: node };
  const { aggregate, condition } = parts;
  if (!isAggregateNode(aggregate) || aggregateFilterParts(aggregate)) {
    throw new SqlError(
      nodePos(aggregate, positions),
      `FILTER (WHERE ...) applies to an aggregate function only`,
      `write e.g. COUNT(*) FILTER (WHERE amount > 100)`,
    );
  }
  const filter = binder.bind(condition);
  if (filter.type.name !== 'BOOLEAN' && filter.type.name !== 'NULL') {
    const name = functionName(aggregate);
    throw new SqlError(
      nodePos(condition, positions),
      `FILTER (WHERE ...) of ${name} needs a condition (BOOLEAN), got ${describeType(filter.type)}`,
      `write e.g. ${name}(...) FILTER (WHERE amount > 100)`,
    );
  }
  return { aggregate, filter };
}
