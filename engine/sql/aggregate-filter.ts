// `agg(...) FILTER (WHERE condition)`, which node-sql-parser cannot read, handed to it as
// `agg(...) #>>   (      condition)`: FILTER becomes the operator #>> padded to its length and
// WHERE becomes spaces, so every offset stays where it was. node-sql-parser binds #>> (a JSON
// operator of its grammar) tighter than any other operator, so the aggregate and its condition
// become one node, `{ type: 'binary_expr', operator: '#>>', left: <aggregate>, right: <condition> }`,
// wherever the aggregate stands in an expression; engine/plan/aggregate-filter.ts reads it back.
// Flink SQL has no '#', so a '#' the user wrote is refused here: the operator only ever comes
// from this pass.

import { SqlError } from '../errors.js';
import type { SqlExpr } from './nodes.js';
import { isKeyword, isName, isOp, type LineIndex, type Token } from './tokenize.js';

/** The operator that joins an aggregate node to its FILTER condition node. */
export const AGGREGATE_FILTER_OPERATOR = '#>>';

/** An aggregate written with FILTER (WHERE ...): the aggregate's own node and the condition's. */
export interface AggregateFilterParts {
  readonly aggregate: SqlExpr;
  readonly condition: SqlExpr;
}

/** `node` taken apart when it is `agg(...) FILTER (WHERE condition)` as marked here, else undefined. */
export function aggregateFilterParts(node: SqlExpr): AggregateFilterParts | undefined {
  if (node.type !== 'binary_expr' || node.operator !== AGGREGATE_FILTER_OPERATOR) return undefined;
  return { aggregate: node.left, condition: node.right };
}

/**
 * `aggregate` with FILTER (WHERE condition) again, for the aggregates an aggregate is made of
 * (STDDEV_POP(x) FILTER (WHERE c) binds as SUM and COUNT calls that each keep the filter).
 */
export function withAggregateFilter(aggregate: SqlExpr, condition: SqlExpr): SqlExpr {
  return { type: 'binary_expr', operator: AGGREGATE_FILTER_OPERATOR, left: aggregate, right: condition };
}

/** `text` (the parser text of the file `tokens` came from) with every `name(...) FILTER (WHERE` rewritten. */
export function markAggregateFilters(text: string, tokens: readonly Token[], lines: LineIndex): string {
  const pieces: string[] = [];
  let copiedUpTo = 0;
  for (let k = 0; k < tokens.length; k++) {
    if (isOp(tokens[k], '#'))
      throw new SqlError(lines.pos(tokens[k]!.start), `unexpected '#': Flink SQL has no such operator`);
    if (!isFilterClause(tokens, k)) continue;
    const filter = tokens[k]!;
    const where = tokens[k + 2]!;
    pieces.push(
      text.slice(copiedUpTo, filter.start),
      AGGREGATE_FILTER_OPERATOR.padEnd(filter.end - filter.start, ' '),
      text.slice(filter.end, where.start),
      ' '.repeat(where.end - where.start),
    );
    copiedUpTo = where.end;
  }
  pieces.push(text.slice(copiedUpTo));
  return pieces.join('');
}

/** Whether token k starts `FILTER ( WHERE` right after the closing parenthesis of a function call. */
function isFilterClause(tokens: readonly Token[], k: number): boolean {
  if (!isKeyword(tokens[k], 'FILTER') || !isOp(tokens[k + 1], '(') || !isKeyword(tokens[k + 2], 'WHERE'))
    return false;
  const open = openingParenthesis(tokens, k - 1);
  return open !== undefined && isName(tokens[open - 1]);
}

/** The index of the `(` that the `)` at `close` closes, or undefined when token `close` is no `)`. */
function openingParenthesis(tokens: readonly Token[], close: number): number | undefined {
  if (!isOp(tokens[close], ')')) return undefined;
  let depth = 0;
  for (let k = close; k >= 0; k--) {
    if (isOp(tokens[k], ')')) depth++;
    else if (isOp(tokens[k], '(') && --depth === 0) return k;
  }
  return undefined;
}
