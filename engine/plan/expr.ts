// The typed expression tree the planner produces and the compiler turns into JS functions.
// Plain data: nothing here runs. Column references are already bound to row positions, every node
// carries its SQL type, and implicit conversions are explicit `cast` nodes.
//
// Contract between planner and compiler (engine/exec/compile.ts):
// - Arithmetic (+ - * / %) and comparisons get operands of one family: all integral, all
//   approximate (FLOAT/DOUBLE), all DECIMAL (scales may differ; the compiler aligns them), all
//   STRING, all BOOLEAN, or all timestamps. The planner inserts casts to get there.
// - TIMESTAMP +/- INTERVAL is `+`/`-` with a timestamp and an INTERVAL operand (both milliseconds).
// - Functions are called by their upper-case SQL name; the planner has already checked arity and
//   argument types, and the result type is on the node.

import type { SqlType } from '../types.js';
import type { LibraryFunction } from '../exec/library.js';

export type Expr = ColumnExpr | LiteralExpr | CallExpr | CaseExpr | CastExpr;

export interface ColumnExpr {
  readonly kind: 'column';
  readonly index: number;
  readonly name: string;
  readonly type: SqlType;
}

export interface LiteralExpr {
  readonly kind: 'literal';
  /** Already in row representation (see engine/types.ts): bigint for DECIMAL, ms for timestamps. */
  readonly value: unknown;
  readonly type: SqlType;
}

export interface CallExpr {
  readonly kind: 'call';
  readonly fn: ScalarFunction;
  readonly args: readonly Expr[];
  readonly type: SqlType;
}

export interface CaseExpr {
  readonly kind: 'case';
  /** Searched CASE: the first `when` that is TRUE picks its `then`. Simple CASE is rewritten to this. */
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly otherwise: Expr | null;
  readonly type: SqlType;
}

export interface CastExpr {
  readonly kind: 'cast';
  readonly arg: Expr;
  /** The target type. A failed cast (CAST('x' AS INT)) yields null, as TRY_CAST does in Flink 1.x. */
  readonly type: SqlType;
}

export type ScalarFunction =
  // arithmetic; `NEG` is unary minus
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | 'NEG'
  // comparisons (SQL three-valued: any null operand gives null)
  | '='
  | '<>'
  | '<'
  | '<='
  | '>'
  | '>='
  // logic (three-valued AND/OR/NOT)
  | 'AND'
  | 'OR'
  | 'NOT'
  // predicates that never return null
  | 'IS_NULL'
  | 'IS_NOT_NULL'
  | 'IS_TRUE'
  | 'IS_FALSE'
  // args: [value, pattern] or [value, pattern, escape] (pattern with % and _ wildcards, literal or
  // not; escape a one-character STRING literal; without it no character escapes)
  | 'LIKE'
  // args: [value, item1, item2, ...]
  | 'IN'
  // args: [value, low, high] (inclusive)
  | 'BETWEEN'
  // strings
  | 'CONCAT' // `||` and CONCAT(a, b, ...): null if any arg is null
  | 'UPPER'
  | 'LOWER'
  | 'TRIM'
  | 'LTRIM'
  | 'RTRIM' // (s) spaces, or (s, characters) any of these characters
  | 'SUBSTRING' // (s, start1based [, length])
  | 'CHAR_LENGTH'
  // numbers
  | 'ABS'
  | 'ROUND' /* (x [, digits]) */
  | 'FLOOR'
  | 'CEIL'
  | 'POWER'
  | 'MOD'
  // null handling: first non-null arg
  | 'COALESCE'
  // time: TO_TIMESTAMP(s [, javaPattern]) -> TIMESTAMP(3); TO_TIMESTAMP_LTZ(epochNumber, 0|3) -> TIMESTAMP_LTZ(3)
  | 'TO_TIMESTAMP'
  | 'TO_TIMESTAMP_LTZ'
  // DATE_FORMAT(timestamp, javaPattern) -> STRING
  | 'DATE_FORMAT'
  // UNIX_TIMESTAMP() -> BIGINT seconds now; UNIX_TIMESTAMP(s [, pattern]) -> BIGINT seconds
  | 'UNIX_TIMESTAMP'
  // helpers of engine/exec/library.ts (CONCAT_WS, REGEXP, EXTRACT ...), bound in engine/plan/builtins.ts
  | LibraryFunction;

export type AggregateFunction =
  'COUNT_STAR' | 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX' | 'FIRST_VALUE' | 'LAST_VALUE' | 'LISTAGG';

/** One aggregate call in a GROUP BY, e.g. SUM(amount) or LISTAGG(CAST(amount AS STRING), ';'). */
export interface AggregateCall {
  readonly fn: AggregateFunction;
  /**
   * Evaluated on the aggregate's input row. COUNT_STAR: none. LISTAGG: [value] or [value, separator]
   * where the separator is a STRING literal. Others: [value].
   */
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  /** The type of the aggregate's result (Flink's rules: SUM(INT) is INT, AVG(BIGINT) is BIGINT ...). */
  readonly type: SqlType;
  /**
   * `FILTER (WHERE condition)`, evaluated on the aggregate's input row: only rows for which it is
   * TRUE reach the aggregate (added and taken back alike; DISTINCT sees only those). A BOOLEAN.
   */
  readonly filter?: Expr;
}

export function col(index: number, name: string, type: SqlType): ColumnExpr {
  return { kind: 'column', index, name, type };
}

export function lit(value: unknown, type: SqlType): LiteralExpr {
  return { kind: 'literal', value, type };
}

export function call(fn: ScalarFunction, args: readonly Expr[], type: SqlType): CallExpr {
  return { kind: 'call', fn, args, type };
}
