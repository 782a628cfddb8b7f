// Type rules: which type an operation yields and which casts make its operands one family
// (the contract in expr.ts). Flink's rules where they matter for results (INT + INT is INT,
// SUM(BIGINT) is BIGINT, AVG of integers truncates, DECIMAL scales).

import { SqlError, type SourcePos } from '../errors.js';
import {
  T,
  isApproxNumeric,
  isIntegral,
  isNumeric,
  isTimestamp,
  typeToString,
  withNullable,
  type SqlType,
} from '../types.js';
import { numberToDecimal, rescaleDecimal, decimalToNumber } from '../values.js';
import type { Expr } from './expr.js';

export function decimalView(t: SqlType): { p: number; s: number } {
  if (t.name === 'DECIMAL') return { p: t.precision ?? 10, s: t.scale ?? 0 };
  if (t.name === 'BIGINT') return { p: 19, s: 0 };
  if (t.name === 'INT') return { p: 10, s: 0 };
  if (t.name === 'SMALLINT') return { p: 5, s: 0 };
  return { p: 3, s: 0 };
}

const MAX_PRECISION = 38;

/** The type of `a <op> b` for arithmetic, or undefined when the operands are not numbers. */
export function arithmeticType(op: '+' | '-' | '*' | '/' | '%', a: SqlType, b: SqlType): SqlType | undefined {
  const nullable = a.nullable || b.nullable || op === '/' || op === '%';
  if (a.name === 'NULL' || b.name === 'NULL') {
    const other = a.name === 'NULL' ? b : a;
    return other.name === 'NULL' ? T.null() : withNullable(other, true);
  }
  if (!isNumeric(a) || !isNumeric(b)) return undefined;
  if (isApproxNumeric(a) || isApproxNumeric(b)) return T.double(nullable);
  if (a.name === 'DECIMAL' || b.name === 'DECIMAL') {
    const x = decimalView(a);
    const y = decimalView(b);
    let p: number;
    let s: number;
    if (op === '+' || op === '-') {
      s = Math.max(x.s, y.s);
      p = Math.max(x.p - x.s, y.p - y.s) + s + 1;
    } else if (op === '*') {
      s = x.s + y.s;
      p = x.p + y.p;
    } else if (op === '/') {
      s = Math.max(6, x.s + y.p + 1);
      p = x.p - x.s + y.s + s;
    } else {
      s = Math.max(x.s, y.s);
      p = Math.min(x.p - x.s, y.p - y.s) + s;
    }
    if (p > MAX_PRECISION) {
      s = Math.max(Math.min(s, 6), s - (p - MAX_PRECISION));
      p = MAX_PRECISION;
    }
    return T.decimal(p, s, nullable);
  }
  // Flink (Calcite): the wider operand type, so TINYINT + TINYINT is TINYINT and wraps like Java's
  // byte; `%` / MOD has the divisor's type (the remainder always fits it).
  if (op === '%') return { name: b.name, nullable };
  return {
    name: INTEGRAL_WIDTH.indexOf(a.name) >= INTEGRAL_WIDTH.indexOf(b.name) ? a.name : b.name,
    nullable,
  };
}

const INTEGRAL_WIDTH = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT'];

/**
 * The family both operands of a comparison are brought to, or undefined if they cannot be
 * compared. Integral operands need no cast (both are JS numbers).
 */
export function comparisonTarget(a: SqlType, b: SqlType): SqlType | 'same' | undefined {
  if (a.name === 'NULL' || b.name === 'NULL') return 'same';
  if (isNumeric(a) && isNumeric(b)) {
    if (isIntegral(a) && isIntegral(b)) return 'same';
    if (isApproxNumeric(a) || isApproxNumeric(b)) return T.double();
    const x = decimalView(a);
    const y = decimalView(b);
    const s = Math.max(x.s, y.s);
    return T.decimal(Math.min(MAX_PRECISION, Math.max(x.p - x.s, y.p - y.s) + s), s);
  }
  if (a.name === 'STRING' && b.name === 'STRING') return 'same';
  if (a.name === 'BOOLEAN' && b.name === 'BOOLEAN') return 'same';
  if (isTimestamp(a) && isTimestamp(b)) return 'same';
  if (isTimestamp(a) && b.name === 'STRING') return T.timestamp();
  if (a.name === 'STRING' && isTimestamp(b)) return T.timestamp();
  // A DATE or TIME meets text as itself (Calcite casts the text), a DATE meets a TIMESTAMP as a TIMESTAMP.
  if (isDateOrTime(a) && (b.name === a.name || b.name === 'STRING')) return b.name === a.name ? 'same' : a;
  if (isDateOrTime(b) && a.name === 'STRING') return b;
  if ((a.name === 'DATE' && isTimestamp(b)) || (isTimestamp(a) && b.name === 'DATE')) return T.timestamp();
  return undefined;
}

/** DATE or TIME: day numbers and milliseconds of the day (engine/types.ts). */
export function isDateOrTime(t: SqlType): boolean {
  return t.name === 'DATE' || t.name === 'TIME';
}

/** Calcite's precision of an integral type: the digits of its largest value. */
const INTEGRAL_PRECISION: Readonly<Record<string, number>> = { TINYINT: 3, SMALLINT: 5, INT: 10, BIGINT: 19 };

/**
 * The type both `a` and `b` fit, as Calcite's leastRestrictive finds it (an IN list, ...): the
 * wider integral type; a DECIMAL keeping the most whole digits and the most fraction digits (38 at
 * most); an approximate type with an integral one stays as it is, with a DECIMAL it is DOUBLE;
 * undefined when there is none.
 */
export function leastRestrictive(a: SqlType, b: SqlType): SqlType | undefined {
  const nullable = a.nullable || b.nullable;
  if (a.name === 'NULL') return withNullable(b, true);
  if (b.name === 'NULL') return withNullable(a, true);
  if (isNumeric(a) && isNumeric(b)) {
    if (isApproxNumeric(a) || isApproxNumeric(b)) {
      if (a.name === 'DECIMAL' || b.name === 'DECIMAL' || a.name === 'DOUBLE' || b.name === 'DOUBLE')
        return T.double(nullable);
      return { name: 'FLOAT', nullable };
    }
    if (a.name !== 'DECIMAL' && b.name !== 'DECIMAL')
      return withNullable(INTEGRAL_PRECISION[a.name]! >= INTEGRAL_PRECISION[b.name]! ? a : b, nullable);
    const x = decimalView(a);
    const y = decimalView(b);
    const whole = Math.min(Math.max(x.p - x.s, y.p - y.s), MAX_PRECISION);
    const scale = Math.min(Math.max(x.s, y.s), MAX_PRECISION - whole);
    return T.decimal(whole + scale, scale, nullable);
  }
  if (a.name !== b.name) return undefined;
  if (isTimestamp(a)) return { ...a, precision: Math.max(a.precision ?? 3, b.precision ?? 3), nullable };
  if (a.name === 'TIME') return { ...a, precision: Math.max(a.precision ?? 0, b.precision ?? 0), nullable };
  return withNullable(a, nullable);
}

/**
 * The type Calcite's validator brings a value and the items of its IN list to before comparing
 * (TypeCoercionImpl.inOperationCoercion: a timestamp and text meet as the timestamp, numbers only
 * when neither is a DECIMAL), or undefined when it leaves them as they are.
 */
export function inListCoercion(value: SqlType, list: SqlType): SqlType | undefined {
  if ((isTimestamp(value) || isDateOrTime(value)) && list.name === 'STRING') return value;
  if (value.name === 'STRING' && (isTimestamp(list) || isDateOrTime(list))) return list;
  if (isNumeric(value) && isNumeric(list) && (value.name === 'DECIMAL' || list.name === 'DECIMAL'))
    return undefined;
  return leastRestrictive(value, list);
}

/** Whether a value of `from` may be written into a column of `to` (INSERT, CASE branches) with a cast. */
export function assignable(from: SqlType, to: SqlType): boolean {
  if (from.name === 'NULL') return true;
  if (from.name === to.name) return true;
  if (isNumeric(from) && isNumeric(to)) return true;
  if (isTimestamp(from) && isTimestamp(to)) return true;
  if (to.name === 'STRING') return true;
  return false;
}

/** Whether a CAST from `from` to `to` is supported. */
export function castable(from: SqlType, to: SqlType): boolean {
  if (assignable(from, to)) return true;
  if (from.name === 'STRING')
    return isNumeric(to) || to.name === 'BOOLEAN' || isTimestamp(to) || isDateOrTime(to);
  if (from.name === 'BOOLEAN') return isNumeric(to); // Flink: TRUE is 1, FALSE is 0
  // A TIMESTAMP's date or time of day; a DATE at midnight; a TIME on 1970-01-01.
  if (isTimestamp(from)) return isDateOrTime(to);
  if (isDateOrTime(from)) return isTimestamp(to);
  return false;
}

function sameType(a: SqlType, b: SqlType): boolean {
  return a.name === b.name && (a.name !== 'DECIMAL' || (a.scale ?? 0) === (b.scale ?? 0));
}

/**
 * `expr` as type `to` (keeping expr's nullability): the expression itself when no conversion is
 * needed, a folded literal when it is a constant, otherwise a cast node.
 */
export function coerce(expr: Expr, to: SqlType): Expr {
  const target = withNullable(to, expr.type.nullable);
  if (sameType(expr.type, to)) return expr;
  // A column or literal holds the same value in any wider integral type; a computed value must be
  // computed in its own type (INT arithmetic wraps at 32 bits) and then converted, as Java does,
  // and a narrower type keeps the low bits (a cast).
  const widening =
    isIntegral(expr.type) &&
    isIntegral(to) &&
    INTEGRAL_PRECISION[to.name]! >= INTEGRAL_PRECISION[expr.type.name]!;
  if (widening && (expr.kind === 'column' || expr.kind === 'literal'))
    return { ...expr, type: target } as Expr;
  if (isTimestamp(expr.type) && isTimestamp(to)) return { ...expr, type: target } as Expr;
  if (expr.kind === 'literal') {
    const v = expr.value;
    if (v === null) return { kind: 'literal', value: null, type: withNullable(to, true) };
    const folded = foldLiteral(v, expr.type, to);
    if (folded !== undefined) return { kind: 'literal', value: folded, type: target };
  }
  return { kind: 'cast', arg: expr, type: target };
}

function foldLiteral(v: unknown, from: SqlType, to: SqlType): unknown {
  if (to.name === 'DOUBLE' || to.name === 'FLOAT') {
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint' && from.name === 'DECIMAL') return decimalToNumber(v, from.scale ?? 0);
  }
  if (to.name === 'DECIMAL') {
    const s = to.scale ?? 0;
    if (typeof v === 'number' && isIntegral(from)) return BigInt(v) * 10n ** BigInt(s);
    if (typeof v === 'bigint' && from.name === 'DECIMAL') return rescaleDecimal(v, from.scale ?? 0, s);
    if (typeof v === 'number') return numberToDecimal(v, s) ?? undefined;
  }
  return undefined;
}

/** A type error at `pos` with the types spelled out. */
export function typeError(pos: SourcePos | undefined, problem: string, hint?: string): SqlError {
  return new SqlError(pos, problem, hint);
}

export function describeType(t: SqlType): string {
  return typeToString(withNullable(t, true));
}
