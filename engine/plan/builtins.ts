// Binding of the built-in functions added for issue 15 (Flink's names, argument types and result
// types): IF, NULLIF and IS [NOT] DISTINCT FROM become CASE trees; the others are calls of
// engine/exec/library.ts helpers. Literal-only arguments (regex patterns, EXTRACT units) are
// checked here, so that a mistake is reported at its place before anything runs.

import { SqlError, type SourcePos } from '../errors.js';
import type { SqlExpr } from '../sql/nodes.js';
import { T, isIntegral, isTimestamp, withNullable, type SqlType } from '../types.js';
import { call, type CaseExpr, type Expr } from './expr.js';
import { coerce, describeType } from './typing.js';
import {
  EXTRACT_UNITS,
  TIMESTAMP_UNITS,
  type ExtractUnit,
  type TimestampUnit,
} from '../exec/functions-time.js';
import { timestampUnitCall } from '../sql/timestamp-units.js';
import { LOCALTIME_MARK, LOCALTIMESTAMP_MARK } from '../sql/parser-text.js';
import { compileJavaRegex, JavaRegexError } from '../exec/java-regex.js';
import { compileJsonPath, JsonPathError } from '../exec/functions-json.js';

/** What builtins need from the binder (engine/plan/bind.ts). */
export interface BuiltinBinder {
  comparison(op: '=', l: Expr, r: Expr, node: SqlExpr): Expr;
  commonType(exprs: readonly Expr[], node: SqlExpr, what: string): SqlType;
}

/** The names bound here (for "unknown function ... did you mean"). */
export const BUILTIN_FUNCTIONS: readonly string[] = [
  'IF',
  'NULLIF',
  'CONCAT_WS',
  'REPLACE',
  'LPAD',
  'RPAD',
  'POSITION',
  'INITCAP',
  'SPLIT_INDEX',
  'REGEXP',
  'REGEXP_EXTRACT',
  'REGEXP_REPLACE',
  'MD5',
  'SHA256',
  'YEAR',
  'QUARTER',
  'MONTH',
  'WEEK',
  'DAYOFYEAR',
  'DAYOFMONTH',
  'DAYOFWEEK',
  'HOUR',
  'MINUTE',
  'SECOND',
  'TIMESTAMPADD',
  'TIMESTAMPDIFF',
  'JSON_VALUE',
  'JSON_EXISTS',
  'JSON_QUERY',
  'CURRENT_TIMESTAMP',
  'LOCALTIMESTAMP',
  'NOW',
  'PROCTIME',
  'CURRENT_DATE',
  'CURRENT_TIME',
  'LOCALTIME',
  'TO_DATE',
];

/** The clock functions Flink SQL writes without parentheses (SQL's niladic functions). */
export const NILADIC_FUNCTIONS: ReadonlySet<string> = new Set([
  'CURRENT_TIMESTAMP',
  'LOCALTIMESTAMP',
  'CURRENT_DATE',
  'CURRENT_TIME',
  'LOCALTIME',
]);

/** YEAR(ts), HOUR(ts) ...: EXTRACT of one unit. */
const FIELD_FUNCTIONS: Record<string, ExtractUnit> = {
  YEAR: 'YEAR',
  QUARTER: 'QUARTER',
  MONTH: 'MONTH',
  WEEK: 'WEEK',
  DAYOFYEAR: 'DOY',
  DAYOFMONTH: 'DAY',
  DAYOFWEEK: 'DOW',
  HOUR: 'HOUR',
  MINUTE: 'MINUTE',
  SECOND: 'SECOND',
};

const isString = (t: SqlType) => t.name === 'STRING';

function arity(
  name: string,
  args: readonly Expr[],
  min: number,
  max: number,
  pos: SourcePos,
  usage: string,
): void {
  if (args.length < min || args.length > max) {
    throw new SqlError(
      pos,
      `${name} takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, got ${args.length}`,
      `write ${usage}`,
    );
  }
}

function expect(name: string, e: Expr, ok: (t: SqlType) => boolean, want: string, pos: SourcePos): void {
  if (e.type.name !== 'NULL' && !ok(e.type))
    throw new SqlError(pos, `${name} needs ${want}, got ${describeType(e.type)}`);
}

/** Whether any argument may be null. */
const anyNullable = (args: readonly Expr[]) => args.some((a) => a.type.nullable || a.type.name === 'NULL');

/**
 * Binds `name(args)` when it is one of BUILTIN_FUNCTIONS; undefined otherwise. `argNodes` are the
 * parsed arguments (POSITION's `IN` keyword already removed).
 */
export function bindBuiltin(
  name: string,
  args: Expr[],
  argNodes: readonly SqlExpr[],
  pos: SourcePos,
  binder: BuiltinBinder,
): Expr | undefined {
  switch (name) {
    // The wall clock, read per record (engine/exec/functions.ts nowMillis). The session time zone is
    // UTC, so the local and the zoned instants are the same milliseconds; only the type differs.
    case 'CURRENT_TIMESTAMP':
    case 'NOW':
    case 'PROCTIME':
      arity(name, args, 0, 0, pos, NILADIC_FUNCTIONS.has(name) ? name : `${name}()`);
      return call('CURRENT_TIMESTAMP', [], T.timestampLtz(3, false));
    case LOCALTIMESTAMP_MARK:
      return call('CURRENT_TIMESTAMP', [], T.timestamp(3, false));
    case 'CURRENT_DATE':
      arity(name, args, 0, 0, pos, name);
      return call('CURRENT_DATE', [], T.date(false));
    case 'CURRENT_TIME':
    case LOCALTIME_MARK:
      arity(name, args, 0, 0, pos, name);
      return call('CURRENT_TIME', [], T.time(0, false));
    case 'LOCALTIME':
      throw new SqlError(pos, `LOCALTIME takes no parentheses`, `write LOCALTIME`);
    case 'TO_DATE': {
      arity(name, args, 1, 2, pos, `TO_DATE(text [, 'yyyy-MM-dd'])`);
      expect(name, args[0]!, isString, 'a STRING', pos);
      if (args.length === 1) return { kind: 'cast', arg: args[0]!, type: T.date(true) };
      const pattern = args[1]!;
      if (pattern.kind !== 'literal' || pattern.type.name !== 'STRING')
        throw new SqlError(
          pos,
          `TO_DATE's pattern must be a string literal`,
          `write TO_DATE(text, 'yyyy-MM-dd'); a pattern computed per row is not supported`,
        );
      return call('TO_DATE_PATTERN', [args[0]!, pattern], T.date(true));
    }
    case 'IF': {
      arity(name, args, 3, 3, pos, `IF(condition, value_if_true, value_if_false)`);
      expect(name, args[0]!, (t) => t.name === 'BOOLEAN', 'a BOOLEAN condition', pos);
      const ifCase = caseOf([{ when: args[0]!, then: args[1]! }], args[2]!, binder, argNodes[1]!);
      return ifKeepsFirstPrecision(ifCase, args[1]!);
    }
    case 'NULLIF': {
      arity(name, args, 2, 2, pos, `NULLIF(value, value_meaning_null)`);
      const [a, b] = args as [Expr, Expr];
      const equal = binder.comparison('=', a, b, argNodes[0]!);
      const t = withNullable(a.type, true);
      return {
        kind: 'case',
        whens: [{ when: equal, then: { kind: 'literal', value: null, type: t } }],
        otherwise: coerce(a, t),
        type: t,
      };
    }
    case 'CONCAT_WS':
      if (args.length < 1)
        throw new SqlError(pos, `CONCAT_WS needs a separator`, `write CONCAT_WS('-', a, b)`);
      for (const a of args) expect(name, a, isString, 'STRING arguments', pos);
      return call('CONCAT_WS', args, T.string(args[0]!.type.nullable || args[0]!.type.name === 'NULL'));
    case 'REPLACE':
      return stringCall(name, args, ['s', 'search', 'replacement'], pos);
    case 'LPAD':
    case 'RPAD':
      arity(name, args, 3, 3, pos, `${name}(s, length, pad)`);
      expect(name, args[0]!, isString, 'a STRING', pos);
      expect(name, args[1]!, isIntegral, 'a whole-number length', pos);
      expect(name, args[2]!, isString, 'a STRING pad', pos);
      return call(name, args, T.string(true));
    case 'POSITION':
      arity(name, args, 2, 2, pos, `POSITION(needle IN s)`);
      for (const a of args) expect(name, a, isString, 'STRING arguments', pos);
      return call('POSITION', args, T.int(anyNullable(args)));
    case 'INITCAP':
    case 'MD5':
    case 'SHA256':
      return stringCall(name, args, ['s'], pos);
    case 'SPLIT_INDEX':
      arity(name, args, 3, 3, pos, `SPLIT_INDEX(s, separator, index)`);
      expect(name, args[0]!, isString, 'a STRING', pos);
      expect(name, args[1]!, isString, 'a STRING separator', pos);
      expect(name, args[2]!, isIntegral, 'a whole-number index', pos);
      return call('SPLIT_INDEX', args, T.string(true));
    case 'REGEXP':
      arity(name, args, 2, 2, pos, `REGEXP(s, 'pattern')`);
      expect(name, args[0]!, isString, 'a STRING', pos);
      return call('REGEXP', [args[0]!, regexPattern(name, args[1]!, pos)], T.boolean(anyNullable(args)));
    case 'REGEXP_EXTRACT': {
      arity(name, args, 2, 3, pos, `REGEXP_EXTRACT(s, 'pattern' [, group])`);
      expect(name, args[0]!, isString, 'a STRING', pos);
      if (args[2]) expect(name, args[2], isIntegral, 'a whole-number group', pos);
      const group = args[2] ?? { kind: 'literal', value: 0, type: T.int(false) };
      return call('REGEXP_EXTRACT', [args[0]!, regexPattern(name, args[1]!, pos), group], T.string(true));
    }
    case 'REGEXP_REPLACE':
      arity(name, args, 3, 3, pos, `REGEXP_REPLACE(s, 'pattern', replacement)`);
      expect(name, args[0]!, isString, 'a STRING', pos);
      expect(name, args[2]!, isString, 'a STRING replacement', pos);
      return call(
        'REGEXP_REPLACE',
        [args[0]!, regexPattern(name, args[1]!, pos), args[2]!],
        T.string(anyNullable(args)),
      );
    case 'JSON_VALUE':
    case 'JSON_EXISTS':
    case 'JSON_QUERY': {
      arity(name, args, 2, 2, pos, `${name}(json_text, '$.path')`);
      expect(name, args[0]!, isString, 'a STRING', pos);
      const type = name === 'JSON_EXISTS' ? T.boolean(anyNullable(args)) : T.string(true);
      return call(name, [args[0]!, jsonPath(name, args[1]!, pos)], type);
    }
  }
  const timestampCall = timestampUnitCall(name);
  if (timestampCall) return bindTimestampArithmetic(timestampCall.fn, timestampCall.unit, args, pos);
  if (name === 'TIMESTAMPADD' || name === 'TIMESTAMPDIFF') {
    throw new SqlError(
      pos,
      `${name} needs a unit first`,
      `write ${name}(DAY, ...); units: ${TIMESTAMP_UNITS.join(', ')}`,
    );
  }
  const unit = FIELD_FUNCTIONS[name];
  if (unit === undefined) return undefined;
  arity(name, args, 1, 1, pos, `${name}(ts)`);
  return extract(unit, args[0]!, pos);
}

/** EXTRACT(unit FROM ts) as node-sql-parser gives it: { field, source }. */
export function bindExtract(field: string, ts: Expr, pos: SourcePos): Expr {
  const unit = field.toUpperCase();
  if (!(EXTRACT_UNITS as readonly string[]).includes(unit)) {
    throw new SqlError(
      pos,
      `EXTRACT(${unit} FROM ...) is not supported`,
      `units: ${EXTRACT_UNITS.join(', ')}`,
    );
  }
  return extract(unit as ExtractUnit, ts, pos);
}

/** TIMESTAMPADD(unit, n, ts) -> ts's type; TIMESTAMPDIFF(unit, from, to) -> INT. */
function bindTimestampArithmetic(
  fn: 'TIMESTAMPADD' | 'TIMESTAMPDIFF',
  unit: string,
  args: Expr[],
  pos: SourcePos,
): Expr {
  if (!(TIMESTAMP_UNITS as readonly string[]).includes(unit)) {
    throw new SqlError(pos, `${fn}(${unit}, ...) is not supported`, `units: ${TIMESTAMP_UNITS.join(', ')}`);
  }
  const unitArg: Expr = { kind: 'literal', value: unit as TimestampUnit, type: T.string(false) };
  if (fn === 'TIMESTAMPADD') {
    arity(fn, args, 2, 2, pos, `TIMESTAMPADD(${unit}, n, ts)`);
    expect(fn, args[0]!, isIntegral, 'a whole-number count', pos);
    if (args[1]!.type.name === 'DATE') {
      // A DATE moves by whole days or months and stays a DATE, as in Flink.
      if (!DATE_UNITS.has(unit))
        throw new SqlError(
          pos,
          `TIMESTAMPADD(${unit}, n, date) is not supported`,
          `add days or months to a DATE (DAY, WEEK, MONTH, QUARTER, YEAR), or CAST the DATE AS TIMESTAMP(3) first`,
        );
      return call('DATE_ADD_UNITS', [unitArg, ...args], withNullable(T.date(), anyNullable(args)));
    }
    expect(fn, args[1]!, isTimestamp, 'a TIMESTAMP', pos);
    const t = args[1]!.type.name === 'NULL' ? T.timestamp(3, true) : args[1]!.type;
    return call('TIMESTAMPADD', [unitArg, ...args], withNullable(t, anyNullable(args)));
  }
  arity(fn, args, 2, 2, pos, `TIMESTAMPDIFF(${unit}, from, to)`);
  for (const a of args)
    expect(fn, a, (t) => isTimestamp(t) || t.name === 'DATE', 'TIMESTAMP or DATE arguments', pos);
  // A DATE counts from its midnight.
  const asTimestamp = (a: Expr): Expr =>
    a.type.name === 'DATE' ? { kind: 'cast', arg: a, type: T.timestamp(0, a.type.nullable) } : a;
  return call('TIMESTAMPDIFF', [unitArg, ...args.map(asTimestamp)], T.int(anyNullable(args)));
}

function extract(unit: ExtractUnit, ts: Expr, pos: SourcePos): Expr {
  expect(
    unit,
    ts,
    (t) => isTimestamp(t) || t.name === 'DATE' || t.name === 'TIME',
    'a TIMESTAMP, DATE or TIME',
    pos,
  );
  if (ts.type.name === 'TIME' && !TIME_UNITS.has(unit))
    throw new SqlError(
      pos,
      `${unit} of a TIME is not supported`,
      `a TIME has an HOUR, a MINUTE and a SECOND`,
    );
  if (ts.type.name === 'DATE' && TIME_UNITS.has(unit))
    throw new SqlError(pos, `${unit} of a DATE is not supported`, `CAST the DATE AS TIMESTAMP(3) first`);
  const fn = ts.type.name === 'DATE' ? 'EXTRACT_DATE' : ts.type.name === 'TIME' ? 'EXTRACT_TIME' : 'EXTRACT';
  return call(
    fn,
    [{ kind: 'literal', value: unit, type: T.string(false) }, ts],
    T.bigint(ts.type.nullable || ts.type.name === 'NULL'),
  );
}

/** The units of a time of day. */
const TIME_UNITS: ReadonlySet<string> = new Set(['HOUR', 'MINUTE', 'SECOND']);
/** The units a DATE moves by in TIMESTAMPADD. */
const DATE_UNITS: ReadonlySet<string> = new Set(['DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR']);

/** A call of STRING arguments (as many as `params` names) with a STRING result. */
function stringCall(
  name: 'REPLACE' | 'INITCAP' | 'MD5' | 'SHA256',
  args: Expr[],
  params: string[],
  pos: SourcePos,
): Expr {
  arity(name, args, params.length, params.length, pos, `${name}(${params.join(', ')})`);
  for (const a of args) expect(name, a, isString, 'STRING arguments', pos);
  return call(name, args, T.string(anyNullable(args)));
}

/** A regex pattern argument: a STRING literal that compiles as Java reads it (java-regex.ts). */
function regexPattern(name: string, e: Expr, pos: SourcePos): Expr {
  if (e.kind !== 'literal' || (e.type.name !== 'STRING' && e.type.name !== 'NULL')) {
    throw new SqlError(
      pos,
      `${name}'s pattern must be a string literal`,
      `write the pattern as a literal, e.g. '^[0-9]+$'; a pattern computed per row is not supported`,
    );
  }
  if (e.value === null)
    throw new SqlError(pos, `${name}'s pattern is NULL`, `write a pattern, e.g. '^[0-9]+$'`);
  try {
    compileJavaRegex(String(e.value));
  } catch (err) {
    if (err instanceof JavaRegexError)
      throw new SqlError(
        pos,
        err.message,
        `use the Java regex syntax JavaScript shares (README, "Regular expressions"); instead of (?i), match LOWER(s) against a lower-case pattern`,
      );
    throw err;
  }
  return e;
}

/** A JSON path argument: a STRING literal of the subset functions-json.ts reads. */
function jsonPath(name: string, e: Expr, pos: SourcePos): Expr {
  if (e.kind !== 'literal' || e.type.name !== 'STRING') {
    throw new SqlError(
      pos,
      `${name}'s path must be a string literal`,
      `write e.g. ${name}(payload, '$.account.id')`,
    );
  }
  try {
    compileJsonPath(String(e.value));
  } catch (err) {
    if (err instanceof JsonPathError)
      throw new SqlError(
        pos,
        err.message,
        `supported paths: $, $.name, $['name'], $.name[0] (no wildcards, filters, .., slices or lax/strict)`,
      );
    throw err;
  }
  return e;
}

/**
 * Flink's IF over two timestamps has the first branch's precision (unlike CASE, whose branches meet
 * in the larger one): IF(c, TIMESTAMP(0), TIMESTAMP(3)) is a TIMESTAMP(0), the second branch cut to it.
 */
function ifKeepsFirstPrecision(e: CaseExpr, first: Expr): CaseExpr {
  if (!isTimestamp(e.type) || !isTimestamp(first.type)) return e;
  const precision = first.type.precision ?? 3;
  if (precision === (e.type.precision ?? 3)) return e;
  const t: SqlType = { ...e.type, precision };
  const cut = (x: Expr): Expr =>
    isTimestamp(x.type) && (x.type.precision ?? 3) > precision
      ? { kind: 'cast', arg: x, type: withNullable(t, x.type.nullable) }
      : ({ ...x, type: withNullable(t, x.type.nullable) } as Expr);
  return {
    kind: 'case',
    whens: e.whens.map((w) => ({ when: w.when, then: cut(w.then) })),
    otherwise: e.otherwise && cut(e.otherwise),
    type: t,
  };
}

/** CASE WHEN ... THEN ... ELSE otherwise END over values of one common type. */
function caseOf(
  whens: { when: Expr; then: Expr }[],
  otherwise: Expr,
  binder: BuiltinBinder,
  node: SqlExpr,
): CaseExpr {
  const values = [...whens.map((w) => w.then), otherwise];
  const t = withNullable(
    binder.commonType(values, node, 'IF branches'),
    values.some((v) => v.type.nullable || v.type.name === 'NULL'),
  );
  return {
    kind: 'case',
    whens: whens.map((w) => ({ when: w.when, then: coerce(w.then, t) })),
    otherwise: coerce(otherwise, t),
    type: t,
  };
}

/**
 * `a IS [NOT] DISTINCT FROM b`: equality where two nulls are equal and a null differs from any
 * value; never null.
 */
export function bindDistinct(l: Expr, r: Expr, not: boolean, node: SqlExpr, binder: BuiltinBinder): Expr {
  const equal = binder.comparison('=', l, r, node);
  const bool = (v: boolean): Expr => ({ kind: 'literal', value: v, type: T.boolean(false) });
  const lNull = call('IS_NULL', [l], T.boolean(false));
  const rNull = call('IS_NULL', [r], T.boolean(false));
  const same: Expr = {
    kind: 'case',
    whens: [
      { when: lNull, then: rNull },
      { when: rNull, then: bool(false) },
    ],
    otherwise: equal,
    type: T.boolean(false),
  };
  return not ? same : call('NOT', [same], T.boolean(false));
}
