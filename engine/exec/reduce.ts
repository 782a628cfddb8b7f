// Flink's planner reduces every constant sub-expression to a literal before the job runs (Calcite's
// ReduceExpressionsRule with Flink's ExpressionReducer, then RexSimplify), and that is visible in
// the rows, so the compiler does the same first (engine/exec/compile.ts):
// - a folded DOUBLE/FLOAT becomes a literal through BigDecimal, which has no negative zero:
//   (0.0E0 / -0.25) is 0.0, while CAST((0.0E0 / -0.25) AS STRING), folded as text, is '-0.0';
// - a constant whose type is NOT NULL but whose value is null (a DECIMAL that overflows its
//   precision) is the type's default of Flink's generated code: -1 for whole numbers, -1.0 for
//   DOUBLE/FLOAT, FALSE, '' (CAST(CAST(123456 AS DECIMAL(3, 0)) AS INT) is -1); a DECIMAL or
//   timestamp has no such default and is left to run;
// - x + 0 and 0 + x, with a zero literal after folding, are x itself (RexSimplify's
//   simplifyArithmetic), cast to the sum's type: d + 0 keeps d's -0.0 where Java's -0.0 + 0 is 0.0.
// Functions that read the clock (CURRENT_TIMESTAMP, NOW(), PROCTIME(), ...) are not constants: Flink
// evaluates them for every record in streaming mode.

import type { SqlType } from '../types.js';
import { isApproxNumeric } from '../types.js';
import type { Expr } from '../plan/expr.js';

/** Functions whose value changes from call to call: never folded. */
const NON_DETERMINISTIC = new Set<string>([
  'CURRENT_TIMESTAMP',
  'CURRENT_DATE',
  'CURRENT_TIME',
  'NOW',
  'LOCALTIMESTAMP',
  'LOCALTIME',
  'PROCTIME',
  'RAND',
  'RAND_INTEGER',
  'UUID',
]);

/** The value Flink's generated code holds for a null of a NOT NULL type (CodeGenUtils.primitiveDefaultValue). */
function defaultValue(t: SqlType): { value: unknown } | undefined {
  switch (t.name) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DATE':
    case 'TIME':
      return { value: -1 };
    case 'BOOLEAN':
      return { value: false };
    case 'STRING':
      return { value: '' };
    default:
      return undefined;
  }
}

function isZeroLiteral(e: Expr): boolean {
  if (e.kind !== 'literal' || e.value === null || e.value === undefined) return false;
  const v = e.value;
  // Numbers and DECIMAL's unscaled bigint (zero at any scale); not an INTERVAL or a timestamp.
  if (!['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL'].includes(e.type.name))
    return false;
  return v === 0 || v === 0n;
}

function sameType(a: SqlType, b: SqlType): boolean {
  return (
    a.name === b.name &&
    (a.name !== 'DECIMAL' || ((a.scale ?? 0) === (b.scale ?? 0) && a.precision === b.precision))
  );
}

/**
 * `e` with its constant sub-expressions folded as Flink folds them. `evaluate` runs a constant
 * expression (no column) once; when it throws, the expression is left to fail at run time as before.
 */
export function reduceConstants(e: Expr, evaluate: (e: Expr) => unknown): Expr {
  const r = reduce(e, evaluate);
  return r.constant ? fold(r.expr, evaluate, true) : r.expr;
}

/**
 * `e` with its maximal constant sub-expressions folded; a constant `e` itself is returned as it is
 * (flagged), so that only the largest constant around it is evaluated, once.
 */
function reduce(e: Expr, evaluate: (e: Expr) => unknown): { expr: Expr; constant: boolean } {
  const kid = (x: { expr: Expr; constant: boolean }): Expr =>
    x.constant ? fold(x.expr, evaluate, false) : x.expr;
  switch (e.kind) {
    case 'column':
      return { expr: e, constant: false };
    case 'literal':
      return { expr: e, constant: true };
    case 'cast': {
      const arg = reduce(e.arg, evaluate);
      return arg.constant ? { expr: e, constant: true } : { expr: { ...e, arg: arg.expr }, constant: false };
    }
    case 'case': {
      const whens = e.whens.map((w) => ({ when: reduce(w.when, evaluate), then: reduce(w.then, evaluate) }));
      const otherwise = e.otherwise === null ? null : reduce(e.otherwise, evaluate);
      const constant =
        whens.every((w) => w.when.constant && w.then.constant) && (otherwise === null || otherwise.constant);
      if (constant) return { expr: e, constant: true };
      // As RexSimplify: a branch whose condition folds to FALSE or NULL goes, one that folds to TRUE
      // ends the CASE; a value left alone has the CASE's type (CASE WHEN TRUE THEN c ELSE s END is c
      // as a nullable value: an overflowing constant c is NULL there, not its default).
      const asCase = (x: { expr: Expr; constant: boolean }): Expr => {
        const typed: Expr =
          sameType(x.expr.type, e.type) && x.expr.type.nullable === e.type.nullable
            ? x.expr
            : { kind: 'cast', arg: x.expr, type: e.type };
        return x.constant ? fold(typed, evaluate, false) : typed;
      };
      const kept: { when: Expr; then: Expr }[] = [];
      let rest: Expr | null = otherwise === null ? null : kid(otherwise);
      for (const w of whens) {
        const when = kid(w.when);
        if (when.kind === 'literal') {
          if (when.value !== true) continue;
          if (kept.length === 0) return { expr: asCase(w.then), constant: false };
          rest = kid(w.then);
          break;
        }
        kept.push({ when, then: kid(w.then) });
      }
      if (kept.length === 0)
        return {
          expr: otherwise === null ? { kind: 'literal', value: null, type: e.type } : asCase(otherwise),
          constant: false,
        };
      return { expr: { ...e, whens: kept, otherwise: rest }, constant: false };
    }
    case 'call': {
      const args = e.args.map((a) => reduce(a, evaluate));
      const deterministic =
        !NON_DETERMINISTIC.has(e.fn) && !(e.fn === 'UNIX_TIMESTAMP' && e.args.length === 0);
      if (deterministic && args.every((a) => a.constant)) return { expr: e, constant: true };
      const reduced = args.map(kid);
      if (e.fn === '+' && reduced.length === 2) {
        const zero = isZeroLiteral(reduced[0]!) ? 0 : isZeroLiteral(reduced[1]!) ? 1 : -1;
        if (zero >= 0) {
          const other = reduced[1 - zero]!;
          const expr: Expr = sameType(other.type, e.type)
            ? other
            : { kind: 'cast', arg: other, type: e.type };
          return { expr, constant: false };
        }
      }
      return { expr: { ...e, args: reduced }, constant: false };
    }
  }
}

/**
 * A constant expression as the literal Flink's reducer makes of it, or itself when it is kept (its
 * evaluation fails, or it is a null of a NOT NULL type with no default).
 */
function fold(e: Expr, evaluate: (e: Expr) => unknown, root: boolean): Expr {
  if (e.kind === 'literal') return e;
  let value: unknown;
  try {
    value = evaluate(e);
  } catch {
    return e;
  }
  if (value === null || value === undefined) {
    if (e.type.nullable) return { kind: 'literal', value: null, type: e.type };
    // A DECIMAL made a DOUBLE inside an expression is, in Flink, no cast node of its own but part of
    // the operator's generated code (POWER, a comparison with a FLOAT): the null goes on as null.
    // The planner's implicit casts look like this one, so only a whole expression gets the default.
    if (!root && e.kind === 'cast' && e.arg.type.name === 'DECIMAL' && isApproxNumeric(e.type)) return e;
    const d = defaultValue(e.type);
    return d ? { kind: 'literal', value: d.value, type: e.type } : e;
  }
  // Through BigDecimal: no negative zero (NaN and the infinities stay as they are).
  if (isApproxNumeric(e.type) && value === 0) value = 0;
  return { kind: 'literal', value, type: e.type };
}
