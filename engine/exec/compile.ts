// Compiles typed expression trees (engine/plan/expr.ts) into plain JS functions, once per job.
//
// Code generation rules, so that no data can ever become code:
// - The generated source contains only fixed operator text written here, row indices (`r[3]`),
//   temporaries (`t0`), constant slots (`k[0]`) and helper names (`f.upper`). Every literal value,
//   compiled pattern and parameterised helper is bound through the constant array `k`.
// - SQL null: a nullable operand is stored in a temporary and tested once (`(t0 = r[1]) == null ?
//   null : ...`); operands that cannot be null are used directly, without a test. `== null` also
//   catches an undefined slot, so a short row reads as nulls.

import type { Row, SqlType } from '../types.js';
import { T, isApproxNumeric, isIntegral, typeToString } from '../types.js';
import type { CallExpr, CaseExpr, CastExpr, Expr } from '../plan/expr.js';
import { InternalError, SqlError } from '../errors.js';
import * as fns from './functions.js';
import {
  castFunction,
  checkLikeEscape,
  compileLike,
  decDiv,
  decFloor,
  decCeil,
  decMod,
  decRound,
  makeDynamicFormatter,
  makeDynamicLike,
  makeDynamicParser,
  pow10,
} from './functions.js';
import { TimestampPatternError, compileTimestampFormatter } from '../time/java-pattern.js';
import { compileLenientParser } from '../time/simple-date-format.js';
import { DEFAULT_TO_TIMESTAMP_PATTERN } from '../time/sql-timestamp.js';
import { decimalToNumber, rescaleDecimal } from '../values.js';
import { trimCharacters } from './trim.js';
import { LIBRARY, isLibraryFunction, type LibraryEntry, type LibraryFunction } from './library.js';
import { reduceConstants } from './reduce.js';
import type { Long } from '../int64.js';

/** A compiled value for one SQL value per row. */
export function compileScalar(expr: Expr): (row: Row) => unknown {
  return compileReduced(reduced(expr));
}

function compileReduced(expr: Expr): (row: Row) => unknown {
  const gen = new CodeGen();
  const code = gen.expr(expr);
  return gen.build(`return ${code.src};`) as (row: Row) => unknown;
}

/** Constant sub-expressions folded first, as Flink's planner folds them (engine/exec/reduce.ts). */
function reduced(expr: Expr): Expr {
  return reduceConstants(expr, (constant) => compileReduced(constant)([]));
}

/** A WHERE / HAVING test: true only when the SQL value is TRUE (null and false both reject). */
export function compilePredicate(expr: Expr): (row: Row) => boolean {
  const gen = new CodeGen();
  const code = gen.expr(reduced(expr));
  return gen.build(`return ${code.src} === true;`) as (row: Row) => boolean;
}

/** The whole output row of a projection, built by one function in one array literal. */
export function compileProjection(exprs: readonly Expr[]): (row: Row) => Row {
  const gen = new CodeGen();
  const parts = exprs.map((e) => gen.expr(reduced(e)).src);
  return gen.build(`return [${parts.join(', ')}];`) as (row: Row) => Row;
}

/** The generated function body for one expression, for tests and debugging. */
export function generatedSource(expr: Expr): string {
  const gen = new CodeGen();
  const code = gen.expr(reduced(expr));
  return gen.source(`return ${code.src};`);
}

// ---------------------------------------------------------------------------------------------

/** Generated JS for one node: `src` is atomic or fully parenthesised; `nullable` = may be null. */
interface Code {
  readonly src: string;
  readonly nullable: boolean;
}

type Family =
  'int' | 'approx' | 'decimal' | 'string' | 'boolean' | 'time' | 'date' | 'interval' | 'null' | 'other';

function family(t: SqlType): Family {
  if (isIntegral(t)) return 'int';
  if (isApproxNumeric(t)) return 'approx';
  switch (t.name) {
    case 'DECIMAL':
      return 'decimal';
    case 'STRING':
      return 'string';
    case 'BOOLEAN':
      return 'boolean';
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return 'time';
    // Day numbers and milliseconds of the day: compared as numbers, never mixed with timestamps.
    case 'DATE':
    case 'TIME':
      return 'date';
    case 'INTERVAL':
      return 'interval';
    case 'NULL':
      return 'null';
    default:
      return 'other';
  }
}

/** Families held as JS numbers that mix freely in arithmetic and comparisons. */
function isNumberFamily(f: Family): boolean {
  return f === 'int' || f === 'approx' || f === 'time' || f === 'date' || f === 'interval';
}

const NULL_CODE: Code = { src: 'null', nullable: true };

/** CASE branches compiled into one function; more go into further functions (see caseWhen). */
const CASE_CHUNK = 256;

const COMPARE_OPS: Record<string, string> = {
  '=': '===',
  '<>': '!==',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

function scaleOf(t: SqlType): number {
  return t.scale ?? 0;
}

function mismatch(e: CallExpr): InternalError {
  return new InternalError(
    `operands of '${e.fn}' have incompatible types (${e.args.map((a) => typeToString(a.type)).join(', ')}); ` +
      'the planner must insert casts so that both sides are of one type family',
  );
}

/**
 * `l op r` for two non-null integral refs with an integral result of type `t`, as Java computes it
 * for the result's primitive type: BIGINT through engine/int64.ts (numbers while safe, then
 * 64-bit), INT wrapped to 32 bits, SMALLINT / TINYINT to 16 / 8 (Flink casts the result to them).
 */
function integralArithmetic(op: string, t: SqlType, l: string, r: string): string {
  if (t.name === 'BIGINT') {
    const fn =
      op === '+'
        ? 'longAdd'
        : op === '-'
          ? 'longSub'
          : op === '*'
            ? 'longMul'
            : op === '/'
              ? 'longDiv'
              : 'longMod';
    return `f.${fn}(${l}, ${r})`;
  }
  if (op === '/')
    return t.name === 'INT'
      ? `f.intDivInt(${l}, ${r})`
      : `f.intDivNarrow(${l}, ${r}, ${t.name === 'SMALLINT' ? 16 : 24})`;
  if (op === '%') return `f.intMod(${l}, ${r})`;
  return integralResult(t, op === '*' ? `Math.imul(${l}, ${r})` : `(${l} ${op} ${r})`, '');
}

/** An int-valued expression wrapped to the integral type `t`; `long` is the BIGINT form. */
function integralResult(t: SqlType, int: string, long: string): string {
  switch (t.name) {
    case 'BIGINT':
      return long;
    case 'INT':
      return `(${int} | 0)`;
    case 'SMALLINT':
      return `((${int} << 16) >> 16)`;
    default:
      return `((${int} << 24) >> 24)`;
  }
}

/** A bad literal pattern is the user's mistake: report it as a SqlError (the planner adds the position). */
function withPatternErrors<T>(compile: () => T): T {
  try {
    return compile();
  } catch (err) {
    if (err instanceof TimestampPatternError) {
      throw new SqlError(
        undefined,
        err.message,
        "use Java DateTimeFormatter letters, e.g. 'yyyy-MM-dd HH:mm:ss', and quote literal text: 'yyyy-MM-dd''T''HH:mm:ss'",
      );
    }
    throw err;
  }
}

class CodeGen {
  private readonly consts: unknown[] = [];
  private temps = 0;

  build(body: string): unknown {
    const factory = new Function('k', 'f', this.source(body)) as (k: unknown[], f: typeof fns) => unknown;
    return factory(this.consts, fns);
  }

  source(body: string): string {
    const prologue =
      this.temps > 0 ? `let ${Array.from({ length: this.temps }, (_, i) => `t${i}`).join(', ')};\n` : '';
    return `return function compiled(r) {\n${prologue}${body}\n};`;
  }

  /** A slot in the constant array; the value never appears in the source. */
  private constant(value: unknown): string {
    this.consts.push(value);
    return `k[${this.consts.length - 1}]`;
  }

  private temp(): string {
    return `t${this.temps++}`;
  }

  /**
   * Null propagation: evaluates the nullable args into temporaries and yields null if any is null;
   * otherwise `body` gets one reference per arg. With `reuse`, every arg gets a temporary so the
   * body may read it more than once.
   */
  private guard(
    args: readonly Code[],
    body: (refs: string[]) => string,
    bodyNullable = false,
    reuse = false,
  ): Code {
    const checks: string[] = [];
    const assigns: string[] = [];
    const refs: string[] = [];
    for (const a of args) {
      if (a.src === 'null') return NULL_CODE;
      if (a.nullable) {
        const t = this.temp();
        checks.push(`(${t} = ${a.src}) == null`);
        refs.push(t);
      } else if (reuse && !/^(?:(?:r|k)\[\d+\]|t\d+)$/.test(a.src)) {
        const t = this.temp();
        assigns.push(`${t} = ${a.src}`);
        refs.push(t);
      } else {
        refs.push(a.src);
      }
    }
    const b = body(refs);
    const inner = assigns.length ? `(${assigns.join(', ')}, ${b})` : b;
    if (checks.length === 0) return { src: inner, nullable: bodyNullable };
    return { src: `(${checks.join(' || ')} ? null : ${inner})`, nullable: true };
  }

  /** Calls a constant function on non-null refs: `k[3](t0, t1)`. */
  private callConst(fn: unknown, refs: readonly string[]): string {
    return `${this.constant(fn)}(${refs.join(', ')})`;
  }

  /** `ref` (a non-null value of type `from`) converted to `to`; the result may be null if `nullable`. */
  private convert(ref: string, from: SqlType, to: SqlType): { src: string; nullable: boolean } {
    const fn = castFunction(from, to);
    return fn ? { src: this.callConst(fn, [ref]), nullable: true } : { src: ref, nullable: false };
  }

  /** A non-null unscaled decimal ref moved from scale `from` to scale `to` (half up when shrinking). */
  private rescaled(ref: string, from: number, to: number): string {
    if (from === to) return ref;
    if (to > from) return `(${ref} * ${this.constant(pow10(to - from))})`;
    return this.callConst((u: bigint) => rescaleDecimal(u, from, to), [ref]);
  }

  /** A non-null numeric ref as a JS number (DECIMAL converted, a BIGINT's bigint too). */
  private asNumber(ref: string, t: SqlType): string {
    if (t.name === 'BIGINT') return `f.longToDouble(${ref})`;
    if (family(t) !== 'decimal') return ref;
    const scale = scaleOf(t);
    return this.callConst((u: bigint) => decimalToNumber(u, scale), [ref]);
  }

  expr(e: Expr): Code {
    switch (e.kind) {
      case 'column':
        if (!Number.isSafeInteger(e.index) || e.index < 0)
          throw new InternalError(`bad column index ${String(e.index)} for '${e.name}'`);
        return { src: `r[${e.index}]`, nullable: e.type.nullable || e.type.name === 'NULL' };
      case 'literal':
        return e.value === null || e.value === undefined
          ? NULL_CODE
          : { src: this.constant(e.value), nullable: false };
      case 'cast':
        return this.cast(e);
      case 'case':
        return this.caseWhen(e);
      case 'call':
        return this.call(e);
    }
  }

  private cast(e: CastExpr): Code {
    const arg = this.expr(e.arg);
    if (e.type.name === 'STRING' && e.type.precision !== undefined) {
      // CAST(x AS VARCHAR(n)) / CHAR(n): the text, cut to n code points. Only an explicit CAST cuts.
      const toText = castFunction(e.arg.type, { name: 'STRING', nullable: false });
      const cut = fns.truncateText(e.type.precision);
      return this.guard(
        [arg],
        ([x]) => this.callConst(toText ? (v: unknown) => cut(toText(v) as string) : cut, [x!]),
        true,
      );
    }
    const fn = castFunction(e.arg.type, e.type);
    if (!fn) return arg;
    return this.guard([arg], ([x]) => this.callConst(fn, [x!]), true);
  }

  private caseWhen(e: CaseExpr): Code {
    const whens = e.whens.slice(0, CASE_CHUNK);
    let nullable = e.otherwise === null;
    let src: string;
    if (e.whens.length > CASE_CHUNK) {
      // The branches after the first CASE_CHUNK are a CASE of their own, in a function of its own,
      // so that no generated source nests deeper than V8's parser can follow (3000-branch CASEs).
      src = this.callConst(compileReduced({ ...e, whens: e.whens.slice(CASE_CHUNK) }), ['r']);
      nullable = true;
    } else {
      src = e.otherwise === null ? 'null' : this.valueAs(e.otherwise, e.type, (n) => (nullable ||= n));
    }
    for (let i = whens.length - 1; i >= 0; i--) {
      const { when, then } = whens[i]!;
      const w = this.expr(when).src;
      const t = this.valueAs(then, e.type, (n) => (nullable ||= n));
      src = `(${w} === true ? ${t} : ${src})`;
    }
    return { src, nullable };
  }

  /** Code for `e` converted to `type` (a CASE branch, a COALESCE arg), reporting nullability. */
  private valueAs(e: Expr, type: SqlType, nullable: (n: boolean) => void): string {
    const code = this.expr(e);
    if (castFunction(e.type, type) === null) {
      nullable(code.nullable);
      return code.src;
    }
    const c = this.guard([code], ([x]) => this.convert(x!, e.type, type).src, true);
    nullable(c.nullable);
    return c.src;
  }

  private call(e: CallExpr): Code {
    const a = e.args;
    switch (e.fn) {
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
      case 'MOD':
        return this.arithmetic(e);
      case 'NEG':
        return this.negate(e);
      case '=':
      case '<>':
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const [x, y] = [this.expr(a[0]!), this.expr(a[1]!)];
        return this.guard([x, y], ([l, r]) => this.compare(e, e.fn, l!, a[0]!.type, r!, a[1]!.type));
      }
      case 'AND':
        return this.logic(
          a.map((x) => this.expr(x)),
          false,
        );
      case 'OR':
        return this.logic(
          a.map((x) => this.expr(x)),
          true,
        );
      case 'NOT':
        return this.guard([this.expr(a[0]!)], ([x]) => `(!${x})`);
      case 'IS_NULL':
        return { src: `(${this.expr(a[0]!).src} == null)`, nullable: false };
      case 'IS_NOT_NULL':
        return { src: `(${this.expr(a[0]!).src} != null)`, nullable: false };
      case 'IS_TRUE':
        return { src: `(${this.expr(a[0]!).src} === true)`, nullable: false };
      case 'IS_FALSE':
        return { src: `(${this.expr(a[0]!).src} === false)`, nullable: false };
      case 'LIKE':
        return this.like(e);
      case 'IN':
        return this.inList(e);
      case 'BETWEEN':
        return this.between(e);
      case 'CONCAT':
        return this.concat(e);
      case 'UPPER':
        return this.guard([this.expr(a[0]!)], ([x]) => `f.upper(${x})`);
      case 'LOWER':
        return this.guard([this.expr(a[0]!)], ([x]) => `f.lower(${x})`);
      case 'TRIM':
      case 'LTRIM':
      case 'RTRIM':
        return this.trim(e);
      case 'CHAR_LENGTH':
        return this.guard([this.expr(a[0]!)], ([x]) => `f.charLength(${x})`);
      case 'SUBSTRING':
        return this.guard(
          a.map((x) => this.expr(x)),
          (refs) => `f.substring(${refs.map((ref, i) => this.asNumber(ref, a[i]!.type)).join(', ')})`,
          true,
        );
      case 'ABS':
        return this.abs(e);
      case 'ROUND':
        return this.round(e);
      case 'FLOOR':
      case 'CEIL':
        return this.floorCeil(e);
      case 'POWER':
        return this.guard(
          [this.expr(a[0]!), this.expr(a[1]!)],
          // Java's Math.pow (HotSpot's, correctly rounded), not V8's: engine/exec/java-pow.ts
          ([x, y]) => `f.javaPow(${this.asNumber(x!, a[0]!.type)}, ${this.asNumber(y!, a[1]!.type)})`,
        );
      case 'COALESCE':
        return this.coalesce(e);
      case 'TO_TIMESTAMP':
        return this.toTimestamp(e);
      case 'TO_TIMESTAMP_LTZ':
        return this.toTimestampLtz(e);
      case 'DATE_FORMAT':
        return this.dateFormat(e);
      case 'UNIX_TIMESTAMP':
        return this.unixTimestamp(e);
      default:
        if (isLibraryFunction(e.fn)) return this.library(e);
        throw new InternalError(`no code generator for function '${String((e as CallExpr).fn)}'`);
    }
  }

  /** A call of an engine/exec/library.ts helper, made once here; strict helpers only see non-null args. */
  private library(e: CallExpr): Code {
    const entry: LibraryEntry = LIBRARY[e.fn as LibraryFunction];
    const helper = entry.make(e.args);
    const codes = e.args.map((a) => this.expr(a));
    if (!entry.strict)
      return {
        src: this.callConst(
          helper,
          codes.map((c) => c.src),
        ),
        nullable: true,
      };
    return this.guard(codes, (refs) => this.callConst(helper, refs), true);
  }

  // --- arithmetic and comparison -------------------------------------------------------------

  private arithmetic(e: CallExpr): Code {
    const [ea, eb] = e.args as [Expr, Expr];
    const fa = family(ea.type);
    const fb = family(eb.type);
    const x = this.expr(ea);
    const y = this.expr(eb);
    if (x.src === 'null' || y.src === 'null') return NULL_CODE;
    const op = e.fn === 'MOD' ? '%' : e.fn;

    if (fa === 'decimal' || fb === 'decimal') {
      if (fa !== fb) throw mismatch(e);
      const sa = scaleOf(ea.type);
      const sb = scaleOf(eb.type);
      const rs = family(e.type) === 'decimal' ? scaleOf(e.type) : Math.max(sa, sb);
      const m = Math.max(sa, sb);
      // As Flink: a result beyond the result type's precision is null (DecimalData.fromBigDecimal).
      const limit =
        family(e.type) === 'decimal' && e.type.precision !== undefined ? pow10(e.type.precision) : undefined;
      const fits = (src: string): string =>
        limit === undefined
          ? src
          : this.callConst((u: bigint | null) => (u === null || u >= limit || u <= -limit ? null : u), [src]);
      switch (op) {
        case '+':
        case '-':
          // Exact at the wider scale, then one rounding to the result scale.
          return this.guard(
            [x, y],
            ([l, r]) =>
              fits(this.rescaled(`(${this.rescaled(l!, sa, m)} ${op} ${this.rescaled(r!, sb, m)})`, m, rs)),
            limit !== undefined,
          );
        case '*':
          return this.guard(
            [x, y],
            ([l, r]) => fits(this.rescaled(`(${l} * ${r})`, sa + sb, rs)),
            limit !== undefined,
          );
        case '/':
          return this.guard(
            [x, y],
            (refs) => fits(this.callConst((p: bigint, q: bigint) => decDiv(p, sa, q, sb, rs), refs)),
            true,
          );
        case '%': {
          const ma = pow10(m - sa);
          const mb = pow10(m - sb);
          const mod = (p: bigint, q: bigint): bigint | null => {
            const res = decMod(p * ma, q * mb);
            return res === null ? null : rescaleDecimal(res, m, rs);
          };
          return this.guard([x, y], (refs) => this.callConst(mod, refs), true);
        }
      }
    }

    if ((isNumberFamily(fa) || fa === 'null') && (isNumberFamily(fb) || fb === 'null')) {
      const integral =
        (fa === 'int' || fa === 'null') && (fb === 'int' || fb === 'null') && family(e.type) === 'int';
      // A BIGINT operand: the remainder is computed as a long; it fits the (narrower) divisor's type.
      const longRemainder =
        op === '%' && e.type.name !== 'BIGINT' && (ea.type.name === 'BIGINT' || eb.type.name === 'BIGINT');
      if (integral && longRemainder) return this.guard([x, y], ([l, r]) => `f.longMod(${l}, ${r})`, true);
      if (integral)
        return this.guard(
          [x, y],
          ([l, r]) => integralArithmetic(op, e.type, l!, r!),
          op === '/' || op === '%',
        );
      return this.guard([x, y], ([l, r]) => `(${l} ${op} ${r})`);
    }
    throw mismatch(e);
  }

  private negate(e: CallExpr): Code {
    const arg = e.args[0]!;
    const x = this.expr(arg);
    if (family(arg.type) === 'decimal') {
      const rs = family(e.type) === 'decimal' ? scaleOf(e.type) : scaleOf(arg.type);
      return this.guard([x], ([v]) => this.rescaled(`(-${v})`, scaleOf(arg.type), rs));
    }
    if (family(e.type) === 'int')
      return this.guard([x], ([v]) => integralResult(e.type, `(-${v})`, `f.longNeg(${v})`));
    return this.guard([x], ([v]) => `(-${v})`);
  }

  /** A comparison of two non-null refs of one family (decimal scales aligned). */
  private compare(e: CallExpr, fn: string, l: string, lt: SqlType, r: string, rt: SqlType): string {
    const op = COMPARE_OPS[fn]!;
    const fl = family(lt);
    const fr = family(rt);
    if (fl === 'decimal' || fr === 'decimal') {
      if (fl !== fr) throw mismatch(e);
      const m = Math.max(scaleOf(lt), scaleOf(rt));
      return `(${this.rescaled(l, scaleOf(lt), m)} ${op} ${this.rescaled(r, scaleOf(rt), m)})`;
    }
    const comparable =
      (isNumberFamily(fl) && isNumberFamily(fr)) || fl === fr || fl === 'null' || fr === 'null';
    if (!comparable) throw mismatch(e);
    // Strings: JS's `<` compares UTF-16 units, as Flink's comparisons do (String.compareTo on the
    // values of a row); MIN/MAX order by code points instead, as Flink's do (see aggregates.ts).
    return `(${l} ${op} ${r})`;
  }

  /** Three-valued AND (orTruth = false) or OR (orTruth = true) over any number of operands. */
  private logic(parts: readonly Code[], orTruth: boolean): Code {
    const decisive = orTruth ? 'true' : 'false';
    if (parts.every((p) => !p.nullable))
      return { src: `(${parts.map((p) => p.src).join(orTruth ? ' || ' : ' && ')})`, nullable: false };
    // Any decisive operand decides; otherwise any null makes the result null.
    const tests: string[] = [];
    const nullTests: string[] = [];
    for (const p of parts) {
      if (p.nullable) {
        const t = this.temp();
        tests.push(`(${t} = ${p.src}) === ${decisive}`);
        nullTests.push(`${t} == null`);
      } else {
        tests.push(`${p.src} === ${decisive}`);
      }
    }
    return {
      src: `(${tests.join(' || ')} ? ${decisive} : ${nullTests.join(' || ')} ? null : ${orTruth ? 'false' : 'true'})`,
      nullable: true,
    };
  }

  /** TRIM/LTRIM/RTRIM(s): spaces; with a second argument, any of its characters (trim.ts). */
  private trim(e: CallExpr): Code {
    const args = e.args.map((a) => this.expr(a));
    if (args.length === 1) {
      const fn = e.fn === 'TRIM' ? 'trimBoth' : e.fn === 'LTRIM' ? 'trimLeft' : 'trimRight';
      return this.guard(args, ([x]) => `f.${fn}(${x})`);
    }
    const leading = e.fn !== 'RTRIM';
    const trailing = e.fn !== 'LTRIM';
    return this.guard(args, ([x, chars]) =>
      this.callConst((s: string, c: string) => trimCharacters(s, c, leading, trailing), [x!, chars!]),
    );
  }

  // --- predicates ----------------------------------------------------------------------------

  private like(e: CallExpr): Code {
    const [value, pattern, escapeArg] = e.args as [Expr, Expr, Expr | undefined];
    const v = this.expr(value);
    if (escapeArg && escapeArg.kind !== 'literal')
      throw new InternalError('LIKE ... ESCAPE must be a literal (the planner checks)');
    if (escapeArg && escapeArg.value === null) return NULL_CODE;
    const escape = escapeArg ? String(escapeArg.value) : undefined;
    if (pattern.kind === 'literal') {
      if (pattern.value === null || pattern.value === undefined) return NULL_CODE;
      // Flink's LIKE with the literal pattern '' (no ESCAPE) is TRUE for any text, '' or not: its
      // generated code takes a shortcut there (measured against Flink 1.20.3 by the fuzzer).
      if (pattern.value === '' && escape === undefined) return this.guard([v], () => 'true');
      const matcher = compileLike(String(pattern.value), escape);
      return this.guard([v], ([x]) => this.callConst(matcher, [x!]));
    }
    if (escape !== undefined) checkLikeEscape(escape);
    return this.guard([v, this.expr(pattern)], (refs) => this.callConst(makeDynamicLike(escape), refs));
  }

  private inList(e: CallExpr): Code {
    const [value, ...items] = e.args as [Expr, ...Expr[]];
    const v = this.expr(value);
    const vt = value.type;
    if (items.every((i) => i.kind === 'literal')) {
      // One Set built now; decimals keyed at one common scale so 1.5 matches 1.50.
      const isDec = family(vt) === 'decimal';
      const m = isDec ? Math.max(scaleOf(vt), ...items.map((i) => scaleOf(i.type))) : 0;
      let hasNull = false;
      const set = new Set<unknown>();
      for (const item of items) {
        const iv = (item as { value: unknown }).value;
        if (iv === null || iv === undefined) hasNull = true;
        else set.add(isDec ? rescaleDecimal(iv as bigint, scaleOf(item.type), m) : iv);
      }
      const k = this.constant(set);
      const code = this.guard(
        [v],
        ([x]) =>
          `(${k}.has(${isDec ? this.rescaled(x!, scaleOf(vt), m) : x}) ? true : ${hasNull ? 'null' : 'false'})`,
      );
      return hasNull ? { src: code.src, nullable: true } : code;
    }
    // x IN (a, b) = x = a OR x = b, with SQL's null rules.
    return this.guard(
      [v],
      ([x]) => {
        const hits: string[] = [];
        const nullTests: string[] = [];
        for (const item of items) {
          const c = this.expr(item);
          if (c.src === 'null') {
            nullTests.push('true');
          } else if (c.nullable) {
            const t = this.temp();
            hits.push(`((${t} = ${c.src}) != null && ${this.compare(e, '=', x!, vt, t, item.type)})`);
            nullTests.push(`${t} == null`);
          } else {
            hits.push(this.compare(e, '=', x!, vt, c.src, item.type));
          }
        }
        const miss = nullTests.length ? `(${nullTests.join(' || ')} ? null : false)` : 'false';
        return hits.length ? `(${hits.join(' || ')} ? true : ${miss})` : miss;
      },
      true,
      true,
    );
  }

  private between(e: CallExpr): Code {
    const [value, low, high] = e.args as [Expr, Expr, Expr];
    // value >= low AND value <= high, reading value once.
    return this.guard(
      [this.expr(value)],
      ([x]) => {
        const lo = this.guard([this.expr(low)], ([l]) => this.compare(e, '>=', x!, value.type, l!, low.type));
        const hi = this.guard([this.expr(high)], ([h]) =>
          this.compare(e, '<=', x!, value.type, h!, high.type),
        );
        return this.logic([lo, hi], false).src;
      },
      true,
      true,
    );
  }

  // --- strings and numbers -------------------------------------------------------------------

  private concat(e: CallExpr): Code {
    const codes = e.args.map((a) => this.expr(a));
    return this.guard(
      codes,
      (refs) =>
        `(${refs
          .map((ref, i) => {
            const t = e.args[i]!.type;
            // Non-string args (the planner normally casts them) are printed like CAST(x AS STRING).
            return t.name === 'STRING' || t.name === 'NULL'
              ? ref
              : this.convert(ref, t, { name: 'STRING', nullable: false }).src;
          })
          .join(' + ')})`,
    );
  }

  private abs(e: CallExpr): Code {
    const arg = e.args[0]!;
    if (family(arg.type) === 'decimal') {
      const rs = family(e.type) === 'decimal' ? scaleOf(e.type) : scaleOf(arg.type);
      return this.guard([this.expr(arg)], ([x]) => this.rescaled(`f.decAbs(${x})`, scaleOf(arg.type), rs));
    }
    if (family(e.type) === 'int')
      return this.guard([this.expr(arg)], ([x]) =>
        integralResult(e.type, `Math.abs(${x})`, `f.longAbs(${x})`),
      );
    return this.guard([this.expr(arg)], ([x]) => `Math.abs(${x})`);
  }

  private round(e: CallExpr): Code {
    const arg = e.args[0]!;
    const digits: Code = e.args[1] ? this.expr(e.args[1]) : { src: this.constant(0), nullable: false };
    const digitsType = e.args[1]?.type;
    const fam = family(arg.type);
    return this.guard([this.expr(arg), digits], ([x, d]) => {
      const dn = digitsType ? this.asNumber(d!, digitsType) : d!;
      if (fam === 'decimal') {
        const sa = scaleOf(arg.type);
        const rs = family(e.type) === 'decimal' ? scaleOf(e.type) : sa;
        return this.callConst((u: bigint, n: number) => decRound(u, sa, Math.trunc(n), rs), [x!, dn]);
      }
      if (fam === 'int') {
        // Flink rounds in BigDecimal and narrows back as intValue()/shortValue()/byteValue() do (low
        // bits): ROUND(2147483647, -1) is an INT, -2147483646.
        const narrow = castFunction(T.bigint(), e.type);
        return narrow
          ? this.callConst((v: Long, n: number) => narrow(fns.intRound(v, n)), [x!, dn])
          : `f.intRound(${x}, ${dn})`;
      }
      return `f.doubleRound(${x}, ${dn})`;
    });
  }

  private floorCeil(e: CallExpr): Code {
    const arg = e.args[0]!;
    const fam = family(arg.type);
    const x = this.expr(arg);
    if (fam === 'int') return x;
    if (fam === 'decimal') {
      const sa = scaleOf(arg.type);
      const rs = family(e.type) === 'decimal' ? scaleOf(e.type) : 0;
      const op = e.fn === 'FLOOR' ? decFloor : decCeil;
      return this.guard([x], ([v]) => this.callConst((u: bigint) => rescaleDecimal(op(u, sa), 0, rs), [v!]));
    }
    return this.guard([x], ([v]) => `Math.${e.fn === 'FLOOR' ? 'floor' : 'ceil'}(${v})`);
  }

  private coalesce(e: CallExpr): Code {
    let src = 'null';
    let nullable = true;
    // Built from the last arg backwards; an arg that cannot be null ends the chain.
    for (let i = e.args.length - 1; i >= 0; i--) {
      const arg = e.args[i]!;
      const code = this.expr(arg);
      if (code.src === 'null') continue;
      const fn = castFunction(arg.type, e.type);
      if (!code.nullable) {
        src = fn ? this.callConst(fn, [code.src]) : code.src;
        nullable = fn !== null;
        continue;
      }
      const t = this.temp();
      src = `((${t} = ${code.src}) != null ? ${fn ? this.callConst(fn, [t]) : t} : ${src})`;
    }
    return { src, nullable };
  }

  // --- time ----------------------------------------------------------------------------------

  /** A literal STRING pattern argument: its text, null for a NULL literal, undefined if not literal. */
  private literalPattern(arg: Expr | undefined): string | null | undefined {
    if (!arg || arg.kind !== 'literal') return undefined;
    return arg.value === null || arg.value === undefined ? null : String(arg.value);
  }

  /**
   * Epoch ms from a STRING arg as TO_TIMESTAMP reads it: java.time with the SMART resolver and
   * Flink's fallbacks, with an optional Java pattern arg (compiled once when literal).
   */
  private parseTime(text: Code, patternArg: Expr | undefined): Code {
    if (!patternArg) return this.guard([text], ([s]) => `f.parseDefaultTimestamp(${s})`, true);
    const pattern = this.literalPattern(patternArg);
    if (pattern === null) return NULL_CODE;
    if (pattern !== undefined) {
      const parser = withPatternErrors(() => fns.compileToTimestamp(pattern));
      return this.guard([text], ([s]) => this.callConst(parser, [s!]), true);
    }
    return this.guard(
      [text, this.expr(patternArg)],
      (refs) => this.callConst(makeDynamicParser(), refs),
      true,
    );
  }

  private toTimestamp(e: CallExpr): Code {
    const arg = e.args[0]!;
    if (family(arg.type) === 'time') return this.expr(arg);
    return this.parseTime(this.expr(arg), e.args[1]);
  }

  private toTimestampLtz(e: CallExpr): Code {
    const [n, p] = e.args as [Expr, Expr | undefined];
    const num = this.expr(n);
    const precisionLit = p === undefined ? 3 : p.kind === 'literal' ? p.value : undefined;
    if (precisionLit === null) return NULL_CODE;
    if (precisionLit !== undefined) {
      const precision = Number(precisionLit);
      if (precision !== 0 && precision !== 3) {
        throw new SqlError(
          undefined,
          `TO_TIMESTAMP_LTZ precision must be 0 (the number counts seconds) or 3 (milliseconds), not ${String(precisionLit)}`,
          'write TO_TIMESTAMP_LTZ(epoch_seconds, 0) or TO_TIMESTAMP_LTZ(epoch_millis, 3)',
        );
      }
      const toMs = precision === 3 ? (x: number) => Math.floor(x) : (x: number) => Math.floor(x * 1000);
      return this.guard([num], ([x]) => this.callConst(toMs, [this.asNumber(x!, n.type)]));
    }
    return this.guard(
      [num, this.expr(p!)],
      ([x, q]) => `f.toTimestampLtz(${this.asNumber(x!, n.type)}, ${this.asNumber(q!, p!.type)})`,
      true,
    );
  }

  private dateFormat(e: CallExpr): Code {
    const [ts, patternArg] = e.args as [Expr, Expr];
    let time = this.expr(ts);
    if (family(ts.type) === 'string') time = this.guard([time], ([s]) => `f.parseTimestamp(${s})`, true);
    const pattern = this.literalPattern(patternArg);
    if (pattern === null) return NULL_CODE;
    if (pattern !== undefined) {
      const formatter = withPatternErrors(() => compileTimestampFormatter(pattern));
      return this.guard([time], ([ms]) => this.callConst(formatter, [ms!]));
    }
    return this.guard([time, this.expr(patternArg)], (refs) => this.callConst(makeDynamicFormatter(), refs));
  }

  /**
   * UNIX_TIMESTAMP(s [, pattern]): seconds of the text read as SimpleDateFormat reads it (lenient,
   * engine/time/simple-date-format.ts). Text that does not parse is Long.MIN_VALUE in Flink, not
   * NULL; only a NULL argument gives NULL.
   */
  private unixTimestamp(e: CallExpr): Code {
    if (e.args.length === 0) return { src: 'f.nowSeconds()', nullable: false };
    const text = this.expr(e.args[0]!);
    const pattern = e.args[1] ? this.literalPattern(e.args[1]) : DEFAULT_TO_TIMESTAMP_PATTERN;
    if (pattern === null) return NULL_CODE;
    if (pattern !== undefined) {
      const parser = withPatternErrors(() => compileLenientParser(pattern));
      return this.guard([text], ([s]) => this.callConst((t: string) => fns.unixSeconds(parser(t)), [s!]));
    }
    const dynamic = fns.makeDynamicLenientParser();
    return this.guard([text, this.expr(e.args[1]!)], (refs) =>
      this.callConst((t: string, p: string) => fns.unixSeconds(dynamic(t, p)), refs),
    );
  }
}
