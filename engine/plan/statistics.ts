// STDDEV_POP, STDDEV_SAMP, VAR_POP, VAR_SAMP as Flink computes them: Calcite's
// AggregateReduceFunctionsRule rewrites each into SUM(x * x), SUM(x) and COUNT(x) and arithmetic
// in the argument's type, so that is what is bound here:
//
//   VAR_POP(x)     = (SUM(x * x) - SUM(x) * SUM(x) / COUNT(x)) / COUNT(x)
//   VAR_SAMP(x)    = (SUM(x * x) - SUM(x) * SUM(x) / COUNT(x)) / CASE WHEN COUNT(x) = 1 THEN NULL ELSE COUNT(x) - 1 END
//   STDDEV_*(x)    = POWER(VAR_*(x), 0.5)
//
// cast back to the argument's type. For whole numbers that means Flink's integer results: the
// squares and sums wrap like Java's int/long, the divisions truncate, STDDEV_POP(INT) is an INT.
// The three aggregates are ordinary ones, so windows, HOP slices and checkpoints need nothing new.

import { SqlError, type SourcePos } from '../errors.js';
import { aggregateCallNode, type SqlExpr } from '../sql/nodes.js';
import { T, isIntegral, withNullable, type SqlType } from '../types.js';
import { call, type Expr } from './expr.js';
import { arithmeticType, describeType } from './typing.js';
import { withAggregateFilter } from '../sql/aggregate-filter.js';

export const STATISTICS: ReadonlySet<string> = new Set(['STDDEV_POP', 'STDDEV_SAMP', 'VAR_POP', 'VAR_SAMP']);

/** An aggregate call node, made here (the planner binds and dedups it). */
function aggregateNode(name: 'SUM' | 'COUNT', arg: SqlExpr): SqlExpr {
  return aggregateCallNode(name, arg);
}

/** `a op b` in Flink's result type; integral operands keep their own width (no widening before the operation). */
function arithmetic(op: '+' | '-' | '*' | '/', a: Expr, b: Expr): Expr {
  const t = arithmeticType(op, a.type, b.type)!;
  if (t.name !== 'DOUBLE') return call(op, [a, b], t);
  return call(op, [toDouble(a), toDouble(b)], t);
}

function toDouble(e: Expr): Expr {
  return e.type.name === 'DOUBLE' ? e : { kind: 'cast', arg: e, type: T.double(e.type.nullable) };
}

const literal = (value: unknown, type: SqlType): Expr => ({ kind: 'literal', value, type });

/**
 * Binds STDDEV_POP(x) ... (`name` in STATISTICS); `aggregate` binds an aggregate call node to a
 * reference to its result. `filter`: the condition of STDDEV_POP(x) FILTER (WHERE condition).
 */
export function bindStatistic(
  name: string,
  node: SqlExpr,
  aggregate: (node: SqlExpr) => Expr,
  pos: SourcePos,
  filter?: SqlExpr,
): Expr {
  const argNodes =
    node.type === 'function' ? node.args : node.type === 'aggr_func' && node.arg ? [node.arg] : [];
  if (argNodes.length !== 1 || ((node.type === 'function' || node.type === 'aggr_func') && node.distinct)) {
    throw new SqlError(pos, `${name} takes one argument`, `write ${name}(amount)`);
  }
  const x = argNodes[0]!;
  // FILTER goes to COUNT(x) and SUM(x) but not to SUM(x * x): Flink 1.20's reduction (Calcite's
  // AggregateReduceFunctionsRule) sums the squares of all rows (conformance case aggregate_filter).
  const filtered = (part: SqlExpr): SqlExpr => (filter ? withAggregateFilter(part, filter) : part);
  // COUNT first: a mistake inside x (an unknown column ...) is reported by its own message; SUM
  // can then only fail on x's type, which is reported as this function's.
  const count = aggregate(filtered(aggregateNode('COUNT', x)));
  const wrongType = (got: string): SqlError =>
    new SqlError(
      pos,
      `${name} needs a whole number or a DOUBLE, got ${got}`,
      `write ${name}(CAST(x AS DOUBLE))`,
    );
  let sum: Expr;
  try {
    sum = aggregate(filtered(aggregateNode('SUM', x)));
  } catch (err) {
    if (err instanceof SqlError) throw wrongType('a value that is not a number');
    throw err;
  }
  const t = sum.type;
  if (!isIntegral(t) && t.name !== 'DOUBLE')
    throw wrongType(t.name === 'DECIMAL' ? 'a DECIMAL' : describeType(t));
  const sumOfSquares = aggregate(
    aggregateNode('SUM', { type: 'binary_expr', operator: '*', left: x, right: x }),
  );
  const diff = arithmetic('-', sumOfSquares, arithmetic('/', arithmetic('*', sum, sum), count));
  const one = literal(1, T.int(false));
  const denominator: Expr = name.endsWith('_POP')
    ? count
    : {
        kind: 'case',
        whens: [{ when: call('=', [count, one], T.boolean(false)), then: literal(null, T.bigint(true)) }],
        otherwise: arithmetic('-', count, one),
        type: T.bigint(true),
      };
  const variance = arithmetic('/', diff, denominator);
  const value = name.startsWith('STDDEV')
    ? call('POWER', [toDouble(variance), literal(0.5, T.double(false))], T.double(true))
    : variance;
  const resultType = withNullable(t, true);
  return value.type.name === resultType.name ? value : { kind: 'cast', arg: value, type: resultType };
}
