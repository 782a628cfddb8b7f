// Binding: node-sql-parser expression nodes -> typed Expr (plan/expr.ts). Resolves names against
// a scope, checks and infers types, inserts casts, and reports mistakes at their file:line:col.

import { SqlError, didYouMean, type SourcePos } from '../errors.js';
import type { Positions } from '../sql/ast.js';
import type { BinaryNode, CaseNode, CastNode, FunctionNode, SqlExpr, UnaryNode } from '../sql/nodes.js';
import { T, isIntegral, isNumeric, isTimestamp, typeToString, withNullable, type SqlType } from '../types.js';
import { parseDecimal } from '../values.js';
import { call, type CallExpr, type Expr, type ScalarFunction } from './expr.js';
import { parseLong } from '../int64.js';
import {
  arithmeticType,
  assignable,
  castable,
  coerce,
  comparisonTarget,
  describeType,
  inListCoercion,
  isDateOrTime,
  leastRestrictive,
} from './typing.js';
import { sqlTypeFromCast } from './cast-type.js';
import { parseSqlTimestamp } from '../time/sql-timestamp.js';
import { parseDate, parseTime } from '../time/date-time.js';
import { SQL_INTERVAL_UNIT_MS } from '../time/units.js';
import { castFunction, checkLikeEscape, compileLike } from '../exec/functions.js';
import { compileScalar } from '../exec/compile.js';
import { symmetricLowBound } from '../sql/between-symmetric.js';
import { aggregateFilterParts, type AggregateFilterParts } from '../sql/aggregate-filter.js';
import { BUILTIN_FUNCTIONS, NILADIC_FUNCTIONS, bindBuiltin, bindDistinct, bindExtract } from './builtins.js';
import { STATISTICS, bindStatistic } from './statistics.js';

export interface BindEnv {
  readonly positions: Positions;
  /** Where the expression is, for messages: 'WHERE', 'the SELECT list', "computed column 'ts'". */
  readonly clause: string;
  /** Resolves a column reference; throws a SqlError with a hint when unknown. */
  column(name: string, qualifier: string | null, node: SqlExpr): Expr;
  /** Binds an aggregate call (returns a reference to its result), or undefined when aggregates are not allowed here. */
  aggregate?(node: SqlExpr): Expr;
  /** A replacement for a whole node (group keys and window functions after aggregation), checked first. */
  substitute?(node: SqlExpr): Expr | undefined;
}

/** `INTERVAL '10' MINUTE` node -> ms, or undefined when it is not such a node. */
export function intervalMs(node: SqlExpr | undefined): number | undefined {
  if (!node || node.type !== 'interval') return undefined;
  const unit = node.unit.toUpperCase();
  const factor = SQL_INTERVAL_UNIT_MS[unit];
  const raw = literalValue(node.expr);
  const n = typeof raw === 'number' ? raw : Number(String(raw ?? '').trim());
  if (factor === undefined || !Number.isFinite(n)) return undefined;
  return Math.round(n * factor);
}

/** A stable text form of a node, ignoring positions and parentheses, to match GROUP BY items. */
export function canonical(node: SqlExpr | readonly SqlExpr[]): string {
  return JSON.stringify(node, (key: string, value: unknown): unknown => {
    if (key === 'loc' || key === 'parentheses' || value === null || value === undefined) return undefined;
    if (key === 'value' && typeof value === 'string') return value;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const fields = value as Record<string, unknown>;
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(fields).sort()) sorted[k] = fields[k];
      return sorted;
    }
    if (typeof value === 'string' && (key === 'name' || key === 'column' || key === 'operator')) return value;
    return value;
  }).replace(/"name":"([^"]*)"/g, (_m, n: string) => `"name":"${n.toUpperCase()}"`);
}

/** A literal node's value (the text of a string or number as written), else undefined. */
export function literalValue(node: SqlExpr): string | number | boolean | null | undefined {
  switch (node.type) {
    case 'number':
    case 'bigint':
    case 'single_quote_string':
    case 'double_quote_string':
    case 'string':
    case 'bool':
    case 'null':
    case 'timestamp':
    case 'date':
    case 'time':
    case 'origin':
      return node.value;
    default:
      return undefined;
  }
}

/** A column reference's name; '' for any other node. */
export function columnName(node: SqlExpr): string {
  return node.type === 'column_ref' ? node.column : '';
}

/** A function or aggregate call's name in upper case; '' for any other node. */
export function functionName(node: SqlExpr): string {
  return node.type === 'function' || node.type === 'aggr_func' ? node.name.toUpperCase() : '';
}

/** A function call's arguments; [] for any other node. */
export function functionArgs(node: SqlExpr): readonly SqlExpr[] {
  return node.type === 'function' ? node.args : [];
}

/** The file position of a node: its own location when node-sql-parser gave one, else where its first name is written. */
export function nodePos(node: SqlExpr | undefined, positions: Positions): SourcePos {
  if (!node) return positions.start;
  if (node.loc?.start) return positions.at(node.loc.start.offset);
  if (node.type === 'column_ref') return positions.identifier(columnName(node));
  if (node.type === 'aggr_func') return positions.identifier(node.name);
  if (node.type === 'binary_expr') return nodePos(node.left, positions);
  if (node.type === 'unary_expr' || node.type === 'cast') return nodePos(node.expr, positions);
  return positions.start;
}

function unquote(s: string): string {
  return s.replace(/''/g, "'");
}

/** Flink's DECIMAL precision limit. */
const MAX_LITERAL_PRECISION = 38;

const AGGREGATES = new Set(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'FIRST_VALUE', 'LAST_VALUE', 'LISTAGG']);

export function isAggregateNode(node: SqlExpr): boolean {
  if (node.type === 'aggr_func' || aggregateFilterParts(node)) return true;
  return (
    node.type === 'function' && (AGGREGATES.has(functionName(node)) || STATISTICS.has(functionName(node)))
  );
}

export class ExprBinder {
  constructor(private readonly env: BindEnv) {}

  bind(node: SqlExpr): Expr {
    const env = this.env;
    const sub = env.substitute?.(node);
    if (sub) return sub;
    switch (node?.type) {
      case 'column_ref':
        if (columnName(node) === '*') throw this.err(node, `'*' is only allowed as SELECT * or COUNT(*)`);
        return env.column(columnName(node), node.table ?? null, node);
      case 'number':
      case 'bigint': // node-sql-parser's type for integer text beyond 2^53 and exponent forms (its value is the text)
        return this.numberLiteral(String(node.value), node);
      case 'single_quote_string':
      case 'double_quote_string':
      case 'string':
        return { kind: 'literal', value: unquote(String(node.value)), type: T.string(false) };
      case 'bool':
        return { kind: 'literal', value: Boolean(node.value), type: T.boolean(false) };
      case 'null':
        return { kind: 'literal', value: null, type: T.null() };
      case 'timestamp': {
        const ms = parseSqlTimestamp(String(node.value));
        if (ms === null)
          throw this.err(
            node,
            `'${node.value}' is not a valid TIMESTAMP literal`,
            `write TIMESTAMP '2017-07-23 01:06:47'`,
          );
        return {
          kind: 'literal',
          value: ms,
          type: T.timestamp(timestampLiteralPrecision(String(node.value)), false),
        };
      }
      case 'date': {
        const days = parseDate(String(node.value));
        if (days === null || !/^\s*\d{4}-\d{1,2}-\d{1,2}\s*$/.test(String(node.value)))
          throw this.err(node, `'${node.value}' is not a valid DATE literal`, `write DATE '2024-03-01'`);
        return { kind: 'literal', value: days, type: T.date(false) };
      }
      case 'time': {
        const text = String(node.value);
        const ms = parseTime(text);
        if (ms === null || !/^\s*\d{1,2}:\d{1,2}(:\d{1,2}(\.\d+)?)?\s*$/.test(text))
          throw this.err(node, `'${node.value}' is not a valid TIME literal`, `write TIME '10:00:00'`);
        return { kind: 'literal', value: ms, type: T.time(timestampLiteralPrecision(text), false) };
      }
      case 'interval': {
        const ms = intervalMs(node);
        const unit = node.unit.toUpperCase();
        const amount = literalValue(node.expr);
        // INTERVAL 'n' MONTH / YEAR: calendar months, added to a DATE or TIMESTAMP only.
        const months = /^(MONTH|YEAR)S?$/.test(unit) ? Number(String(amount ?? '').trim()) : NaN;
        if (ms === undefined && Number.isInteger(months))
          return {
            kind: 'literal',
            value: unit.startsWith('YEAR') ? months * 12 : months,
            type: T.intervalMonths(),
          };
        if (ms === undefined && /^(MONTH|YEAR|QUARTER|WEEK)S?$/.test(unit))
          throw new SqlError(
            this.env.positions.identifier('INTERVAL'),
            `INTERVAL '${amount}' ${unit} is not supported`,
            `write a whole number of months or years, e.g. INTERVAL '1' MONTH, or TIMESTAMPADD(${unit.replace(/S$/, '')}, n, value)`,
          );
        if (ms === undefined)
          throw this.err(
            node.expr,
            `unsupported interval`,
            `write e.g. INTERVAL '10' MINUTE (units: SECOND, MINUTE, HOUR, DAY)`,
          );
        return { kind: 'literal', value: ms, type: T.interval() };
      }
      case 'unary_expr':
        return this.unary(node);
      case 'binary_expr': {
        const filtered = aggregateFilterParts(node);
        return filtered ? this.filteredAggregate(node, filtered) : this.binary(node);
      }
      case 'case':
        return this.caseExpr(node);
      case 'cast':
        return this.cast(node);
      case 'extract':
        return bindExtract(node.field, this.bind(node.source), nodePos(node, env.positions));
      case 'aggr_func':
        return this.aggregate(node);
      case 'function':
        if (AGGREGATES.has(functionName(node))) return this.aggregate(node);
        // STDDEV_POP(x) ...: arithmetic over SUM and COUNT aggregates (statistics.ts).
        if (STATISTICS.has(functionName(node)) && env.aggregate)
          return bindStatistic(functionName(node), node, env.aggregate, nodePos(node, env.positions));
        if (STATISTICS.has(functionName(node))) return this.aggregate(node);
        return this.func(node);
      case 'expr_list':
        throw this.err(node, `a list of values is only allowed after IN`);
      case 'star':
        throw this.err(node, `'*' is only allowed as SELECT * or COUNT(*)`);
      case 'origin':
      case 'subquery':
        throw new SqlError(
          nodePos(node, env.positions),
          `unsupported expression in ${env.clause} (${node.type})`,
        );
    }
  }

  private err(node: SqlExpr, problem: string, hint?: string): SqlError {
    return new SqlError(nodePos(node, this.env.positions), problem, hint);
  }

  /** `agg(...) FILTER (WHERE c)`: the planner's aggregate binds it whole; STDDEV/VAR pass the filter on to their SUM and COUNT. */
  private filteredAggregate(node: BinaryNode, { aggregate, condition }: AggregateFilterParts): Expr {
    const name = functionName(aggregate);
    const bindAggregate = this.env.aggregate;
    if (STATISTICS.has(name) && bindAggregate)
      return bindStatistic(name, aggregate, bindAggregate, nodePos(aggregate, this.env.positions), condition);
    return this.aggregate(node);
  }

  private aggregate(node: SqlExpr): Expr {
    if (!this.env.aggregate) {
      const named = aggregateFilterParts(node)?.aggregate ?? node;
      throw this.err(
        named,
        `aggregate function ${functionName(named)} is not allowed in ${this.env.clause}`,
        this.env.clause === 'WHERE' ? 'filter aggregates with HAVING' : undefined,
      );
    }
    return this.env.aggregate(node);
  }

  /**
   * A number literal typed as Calcite types it (SqlNumericLiteral): a whole number is INT when it
   * fits, else BIGINT, else DECIMAL(digits, 0); one with a point is DECIMAL(digits as written,
   * fraction digits); one with an exponent is DOUBLE, never -0.0 (Calcite holds literals as
   * BigDecimal, which has no negative zero).
   */
  private numberLiteral(text: string, node: SqlExpr): Expr {
    if (/[eE]/.test(text)) return { kind: 'literal', value: Number(text) + 0, type: T.double(false) };
    const [whole = '', fraction = ''] = text.replace(/^-/, '').split('.');
    const precision = whole.length + fraction.length;
    if (precision > MAX_LITERAL_PRECISION)
      throw this.err(
        node,
        `the number ${text} has more than ${MAX_LITERAL_PRECISION} digits`,
        `a DECIMAL holds at most ${MAX_LITERAL_PRECISION} digits; for a DOUBLE write an exponent, e.g. 1.5E40`,
      );
    if (!text.includes('.')) {
      const n = parseLong(text);
      if (n !== null)
        return {
          kind: 'literal',
          value: n,
          type: typeof n === 'number' && n >= -2147483648 && n <= 2147483647 ? T.int(false) : T.bigint(false),
        };
    }
    const unscaled = parseDecimal(text, fraction.length);
    if (unscaled === null) throw this.err(node, `'${text}' is not a number`);
    return { kind: 'literal', value: unscaled, type: T.decimal(precision, fraction.length, false) };
  }

  /**
   * The text of a number literal node, with the signs written before it folded in: Calcite's parser
   * makes `-5`, `- 5` and `-(5)` one literal -5 (so -2147483648 is an INT), and drops a `+`.
   */
  private signedNumberText(node: SqlExpr): string | undefined {
    if (node.type === 'number' || node.type === 'bigint') return String(node.value);
    if (node.type !== 'unary_expr' || (node.operator !== '-' && node.operator !== '+')) return undefined;
    const inner = this.signedNumberText(node.expr);
    if (inner === undefined || node.operator === '+') return inner;
    return inner.startsWith('-') ? inner.slice(1) : `-${inner}`;
  }

  private unary(node: UnaryNode): Expr {
    const op = node.operator.toUpperCase();
    const literal = this.signedNumberText(node);
    if (literal !== undefined) return this.numberLiteral(literal, node);
    const arg = this.bind(node.expr);
    if (op === 'NOT' || op === '!')
      return call(
        'NOT',
        [this.boolOperand(arg, node.expr, 'NOT')],
        withNullable(T.boolean(), arg.type.nullable),
      );
    if (op === '-') {
      if (!isNumeric(arg.type)) throw this.err(node, `cannot negate a ${describeType(arg.type)}`);
      return call('NEG', [arg], arg.type);
    }
    if (op === '+') return arg;
    throw this.err(node, `unsupported operator ${op}`);
  }

  private boolOperand(e: Expr, node: SqlExpr, op: string): Expr {
    if (e.type.name !== 'BOOLEAN' && e.type.name !== 'NULL') {
      throw this.err(node, `${op} needs a BOOLEAN operand, got ${describeType(e.type)}`);
    }
    return e;
  }

  private binary(node: BinaryNode): Expr {
    const op = node.operator.toUpperCase();
    switch (op) {
      case 'AND':
      case 'OR': {
        const l = this.boolOperand(this.bind(node.left), node.left, op);
        const r = this.boolOperand(this.bind(node.right), node.right, op);
        return call(op, [l, r], T.boolean(l.type.nullable || r.type.nullable));
      }
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
        return this.arithmetic(op, node);
      case '||': {
        const l = this.toStringArg(this.bind(node.left));
        const r = this.toStringArg(this.bind(node.right));
        return call('CONCAT', [l, r], T.string(l.type.nullable || r.type.nullable));
      }
      case '=':
      case '!=':
      case '<>':
      case '<':
      case '<=':
      case '>':
      case '>=':
        return this.comparison(
          op === '!=' ? '<>' : (op as ScalarFunction),
          this.bind(node.left),
          this.bind(node.right),
          node,
        );
      case 'IS':
      case 'IS NOT': {
        const l = this.bind(node.left);
        const r = node.right;
        const neg = op === 'IS NOT';
        if (r.type === 'null') return call(neg ? 'IS_NOT_NULL' : 'IS_NULL', [l], T.boolean(false));
        if (r.type === 'bool') {
          this.boolOperand(l, node.left, op);
          const fn: ScalarFunction = (r.value === true) !== neg ? 'IS_TRUE' : 'IS_FALSE';
          if (!neg) return call(fn, [l], T.boolean(false));
          // IS NOT TRUE = NOT (IS TRUE), never null
          return call(
            'NOT',
            [call(r.value ? 'IS_TRUE' : 'IS_FALSE', [l], T.boolean(false))],
            T.boolean(false),
          );
        }
        throw this.err(
          node,
          `unsupported ${op} ${r.type}`,
          `write IS NULL, IS NOT NULL, IS TRUE or IS FALSE`,
        );
      }
      case 'IS DISTINCT FROM':
      case 'IS NOT DISTINCT FROM':
        return bindDistinct(
          this.bind(node.left),
          this.bind(node.right),
          op === 'IS NOT DISTINCT FROM',
          node,
          this,
        );
      case 'LIKE':
      case 'NOT LIKE': {
        const l = this.bind(node.left);
        const r = this.bind(node.right);
        if (l.type.name !== 'STRING' && l.type.name !== 'NULL')
          throw this.err(
            node.left,
            `LIKE needs a STRING, got ${describeType(l.type)}`,
            `use CAST(x AS STRING) LIKE '...'`,
          );
        const escape = node.escape ? this.likeEscape(node.escape, r, node) : undefined;
        const like = call(
          'LIKE',
          escape ? [l, r, escape] : [l, r],
          T.boolean(l.type.nullable || r.type.nullable || escape?.type.name === 'NULL'),
        );
        return op === 'LIKE' ? like : call('NOT', [like], like.type);
      }
      case 'IN':
      case 'NOT IN': {
        const l = this.bind(node.left);
        if (node.right.type !== 'expr_list')
          throw this.err(
            node.right,
            `IN needs a list of values`,
            `write x IN (1, 2, 3); subqueries are not supported`,
          );
        const inCall = this.inList(
          l,
          node.right.value.map((n) => this.bind(n)),
          node,
        );
        return op === 'IN' ? inCall : call('NOT', [inCall], inCall.type);
      }
      case 'BETWEEN':
      case 'NOT BETWEEN': {
        const l = this.bind(node.left);
        const bounds = node.right.type === 'expr_list' ? node.right.value : [];
        const [written, hiN] = bounds;
        if (!written || !hiN) throw this.err(node, `BETWEEN needs two bounds`, `write x BETWEEN a AND b`);
        const symmetricLow = symmetricLowBound(written);
        const lo = this.bind(symmetricLow ?? written);
        const hi = this.bind(hiN);
        let test = this.between(l, lo, hi, node);
        // BETWEEN SYMMETRIC a AND b is (BETWEEN a AND b) OR (BETWEEN b AND a), as Calcite expands it.
        if (symmetricLow) {
          const swapped = this.between(l, hi, lo, node);
          test = call('OR', [test, swapped], T.boolean(test.type.nullable || swapped.type.nullable));
        }
        return op === 'BETWEEN' ? test : call('NOT', [test], test.type);
      }
      default:
        throw this.err(node, `unsupported operator ${op}`);
    }
  }

  private arithmetic(op: '+' | '-' | '*' | '/' | '%', node: BinaryNode): Expr {
    const l = this.bind(node.left);
    const r = this.bind(node.right);
    // TIMESTAMP +/- INTERVAL
    if ((op === '+' || op === '-') && isTimestamp(l.type) && r.type.name === 'INTERVAL') {
      return call(op, [l, r], l.type);
    }
    if (op === '+' && l.type.name === 'INTERVAL' && isTimestamp(r.type)) return call('+', [r, l], r.type);
    // DATE / TIMESTAMP +/- INTERVAL 'n' MONTH: calendar months, the day clamped to the month's end.
    const dated = isDateOrTime(l.type) || isTimestamp(l.type) ? l : r;
    const monthsArg = dated === l ? r : l;
    if (
      (op === '+' || (op === '-' && dated === l)) &&
      monthsArg.type.name === 'INTERVAL_MONTHS' &&
      (dated.type.name === 'DATE' || isTimestamp(dated.type))
    ) {
      const n = op === '-' ? call('NEG', [monthsArg], T.int(false)) : { ...monthsArg, type: T.int(false) };
      const unit: Expr = { kind: 'literal', value: 'MONTH', type: T.string(false) };
      return dated.type.name === 'DATE'
        ? call('DATE_ADD_UNITS', [unit, n, dated], dated.type)
        : call('TIMESTAMPADD', [unit, n, dated], dated.type);
    }
    // DATE +/- INTERVAL (whole days) and TIME +/- INTERVAL (around the clock)
    const dateTime = isDateOrTime(l.type) ? l : op === '+' && isDateOrTime(r.type) ? r : undefined;
    const interval = dateTime === l ? r : l;
    if (dateTime && interval.type.name === 'INTERVAL') {
      const delta = op === '-' ? call('NEG', [interval], interval.type) : interval;
      const fn = dateTime.type.name === 'DATE' ? 'DATE_PLUS_INTERVAL' : 'TIME_PLUS_INTERVAL';
      return call(fn, [dateTime, delta], dateTime.type);
    }
    const type = arithmeticType(op, l.type, r.type);
    if (!type) {
      const hint =
        l.type.name === 'STRING' || r.type.name === 'STRING'
          ? op === '+'
            ? `to join strings write a || b`
            : `CAST the STRING to a number first`
          : undefined;
      throw this.err(node, `cannot apply ${op} to ${describeType(l.type)} and ${describeType(r.type)}`, hint);
    }
    // Java computes `a % b` in the wider operand type; the remainder then fits the divisor's type.
    if (op === '%' && isIntegral(l.type) && isIntegral(r.type)) return call(op, [l, r], type);
    const operandType = type.name === 'DECIMAL' ? null : type;
    const la = operandType ? coerce(l, operandType) : isIntegral(l.type) ? coerce(l, T.decimal(19, 0)) : l;
    const ra = operandType ? coerce(r, operandType) : isIntegral(r.type) ? coerce(r, T.decimal(19, 0)) : r;
    return call(op, [la, ra], type);
  }

  /**
   * `TRIM([BOTH | LEADING | TRAILING] [characters] FROM s)`, which node-sql-parser gives as the
   * argument list [mode?, characters?, from, s] with the keywords as `origin` nodes.
   */
  private trimFrom(node: FunctionNode, argNodes: readonly SqlExpr[]): Expr {
    const usage = `TRIM([BOTH | LEADING | TRAILING] ['x'] FROM s)`;
    const keyword = (a: SqlExpr | undefined): string => (a?.type === 'origin' ? a.value.toUpperCase() : '');
    let k = 0;
    const mode = ['BOTH', 'LEADING', 'TRAILING'].includes(keyword(argNodes[0]))
      ? keyword(argNodes[k++])
      : 'BOTH';
    const charsNode = keyword(argNodes[k]) === 'FROM' ? undefined : argNodes[k++];
    if (k === 0 && keyword(argNodes[0]) === 'FROM') {
      // Flink: "'FROM' without operands preceding it is illegal".
      throw this.err(
        node,
        `TRIM(FROM s) needs BOTH, LEADING, TRAILING or the characters to remove before FROM`,
        `write TRIM(s) or TRIM(BOTH FROM s)`,
      );
    }
    if (keyword(argNodes[k]) !== 'FROM' || k + 2 !== argNodes.length || argNodes[k + 1]?.type === 'origin') {
      throw this.err(node, `TRIM needs its text after FROM`, `write ${usage}`);
    }
    const s = this.bind(argNodes[k + 1]!);
    const args = [s];
    if (charsNode) args.push(this.bind(charsNode));
    for (const a of args)
      expectType('TRIM', a, isString, 'STRING arguments', nodePos(node, this.env.positions));
    const fn: ScalarFunction = mode === 'LEADING' ? 'LTRIM' : mode === 'TRAILING' ? 'RTRIM' : 'TRIM';
    return call(fn, args, T.string(args.some((a) => a.type.nullable)));
  }

  /** `ESCAPE 'c'`: a one-character STRING literal (or NULL); a literal pattern is checked against it here. */
  private likeEscape(escapeNode: SqlExpr, pattern: Expr, likeNode: SqlExpr): Expr {
    const e = this.bind(escapeNode);
    if (e.kind === 'literal' && e.value === null) return e;
    if (e.kind !== 'literal' || e.type.name !== 'STRING')
      throw this.err(
        likeNode,
        `LIKE ... ESCAPE needs a one-character string literal`,
        `write e.g. x LIKE '50!%' ESCAPE '!'`,
      );
    try {
      checkLikeEscape(String(e.value));
      if (pattern.kind === 'literal' && pattern.value !== null)
        compileLike(String(pattern.value), String(e.value));
    } catch (err) {
      if (err instanceof SqlError && !err.pos) throw this.err(likeNode, err.problem, err.hint);
      throw err;
    }
    return e;
  }

  /**
   * `value IN (items)` typed as Flink types it: the value's type and the items' common type meet
   * first (inListCoercion: numbers only when neither is a DECIMAL), then each item of another type
   * is cast to the value's type (Calcite's convertInToOr) by CAST's rules, so `ti IN (1.5, 0.1)`
   * tests a TINYINT against 1 and 0.
   */
  private inList(value: Expr, written: Expr[], node: SqlExpr): Expr {
    // Calcite turns the literals of an IN list into a search over the tested value's type, so a
    // wider whole-number literal is cast to it as Java casts (2147483647 IN a SMALLINT test is -1).
    const items = written.map((it) => narrowedInItem(it, value.type));
    let listType = items[0]!.type;
    for (const it of items.slice(1)) {
      const t = leastRestrictive(listType, it.type);
      if (t === undefined)
        throw this.err(
          node,
          `the values in IN (...) have different types: ${describeType(listType)} and ${describeType(it.type)}`,
          `CAST the values to one type`,
        );
      listType = t;
    }
    if (comparisonTarget(value.type, listType) === undefined) {
      throw this.err(
        node,
        `cannot compare ${describeType(value.type)} with ${describeType(listType)} in IN`,
        `CAST the values to one type`,
      );
    }
    const common = inListCoercion(value.type, listType);
    const v = common ? coerce(value, common) : value;
    const args = [
      v,
      ...items.map((it) =>
        it.type.name === 'NULL' || it.type.name === v.type.name ? it : coerce(it, v.type),
      ),
    ];
    return call('IN', args, T.boolean(args.some((a) => a.type.nullable || a.type.name === 'NULL')));
  }

  /** low <= l <= high: one BETWEEN call when the three share an operand family, else two comparisons. */
  private between(l: Expr, low: Expr, high: Expr, node: SqlExpr): Expr {
    const a = this.comparison('>=', l, low, node) as CallExpr;
    const b = this.comparison('<=', l, high, node) as CallExpr;
    const type = T.boolean(a.type.nullable || b.type.nullable);
    if (a.args[0]!.type.name !== b.args[0]!.type.name) return call('AND', [a, b], type);
    return call('BETWEEN', [a.args[0]!, a.args[1]!, b.args[1]!], type);
  }

  comparison(op: ScalarFunction, l: Expr, r: Expr, node: SqlExpr): Expr {
    const target = comparisonTarget(l.type, r.type);
    if (target === undefined) {
      throw this.err(
        node,
        `cannot compare ${describeType(l.type)} with ${describeType(r.type)}`,
        `CAST one side, e.g. CAST(x AS ${typeToString(withNullable(l.type, true))})`,
      );
    }
    const la = target === 'same' ? l : coerce(l, target);
    const ra = target === 'same' ? r : coerce(r, target);
    return call(op, [la, ra], T.boolean(l.type.nullable || r.type.nullable));
  }

  private toStringArg(e: Expr): Expr {
    return e.type.name === 'STRING' || e.type.name === 'NULL' ? e : coerce(e, T.string());
  }

  private caseExpr(node: CaseNode): Expr {
    const subject = node.expr ? this.bind(node.expr) : null;
    const whens: { when: Expr; then: Expr }[] = [];
    let otherwise: Expr | null = null;
    for (const arm of node.args) {
      if (arm.type === 'when') {
        let cond = this.bind(arm.cond);
        if (subject) cond = this.comparison('=', subject, cond, arm.cond);
        else this.boolOperand(cond, arm.cond, 'WHEN');
        whens.push({ when: cond, then: this.bind(arm.result) });
      } else {
        otherwise = this.bind(arm.result);
      }
    }
    const results = [...whens.map((w) => w.then), ...(otherwise ? [otherwise] : [])];
    const type = this.commonType(results, node, 'CASE branches');
    const nullable = otherwise === null || results.some((e) => e.type.nullable);
    const t = withNullable(type, nullable);
    return {
      kind: 'case',
      whens: whens.map((w) => ({ when: w.when, then: coerce(w.then, t) })),
      otherwise: otherwise ? coerce(otherwise, t) : null,
      type: t,
    };
  }

  /** The type several values (CASE branches, COALESCE args) share. */
  commonType(exprs: readonly Expr[], node: SqlExpr, what: string): SqlType {
    let t: SqlType = T.null();
    for (const e of exprs) {
      if (t.name === 'NULL') {
        t = e.type;
        continue;
      }
      if (e.type.name === 'NULL' || e.type.name === t.name) {
        if (t.name === 'DECIMAL' && e.type.name === 'DECIMAL') {
          const s = Math.max(t.scale ?? 0, e.type.scale ?? 0);
          t = T.decimal(Math.max(t.precision ?? 10, e.type.precision ?? 10), s);
        }
        // TIMESTAMP(0) and TIMESTAMP(3) branches meet in TIMESTAMP(3) (Calcite's leastRestrictive).
        if (isTimestamp(t) && e.type.name === t.name)
          t = { ...t, precision: Math.max(t.precision ?? 3, e.type.precision ?? 3) };
        continue;
      }
      if (isNumeric(t) && isNumeric(e.type)) {
        t = arithmeticType('+', t, e.type)!;
        continue;
      }
      if (isTimestamp(t) && isTimestamp(e.type)) continue;
      throw this.err(
        node,
        `${what} have different types: ${describeType(t)} and ${describeType(e.type)}`,
        `CAST them to one type`,
      );
    }
    return t;
  }

  private cast(node: CastNode): Expr {
    const arg = this.bind(node.expr);
    const target = sqlTypeFromCast(node.target?.[0], nodePos(node, this.env.positions));
    if (!castable(arg.type, target)) {
      throw this.err(node, `cannot CAST ${describeType(arg.type)} to ${describeType(target)}`);
    }
    if (arg.kind === 'literal' && arg.value === null)
      return { kind: 'literal', value: null, type: withNullable(target, true) };
    // A cast from STRING can fail (-> NULL), so the result is nullable.
    const nullable = arg.type.nullable || (arg.type.name === 'STRING' && target.name !== 'STRING');
    return { kind: 'cast', arg, type: withNullable(target, nullable) };
  }

  private func(node: FunctionNode): Expr {
    const name = functionName(node);
    let argNodes = node.args;
    // SUBSTRING(s FROM i [FOR n]) arrives as [s, FROM, i, FOR, n]: the same call as SUBSTRING(s, i [, n]).
    if (name === 'SUBSTRING' && argNodes.some((a) => a.type === 'origin')) {
      argNodes = argNodes.filter(
        (a, k) => !(k % 2 === 1 && a.type === 'origin' && /^(from|for)$/i.test(a.value)),
      );
    }
    if (name === 'TRIM' && argNodes.some((a) => a.type === 'origin')) return this.trimFrom(node, argNodes);
    // node-sql-parser reads `NOT (a = b)` as a call of a function NOT: it is the operator.
    if (name === 'NOT' && argNodes.length === 1)
      return this.unary({ type: 'unary_expr', operator: 'NOT', expr: argNodes[0]! });
    const pos = nodePos(node, this.env.positions);
    // CURRENT_TIMESTAMP() is not Flink SQL: its niladic functions are written bare.
    if (NILADIC_FUNCTIONS.has(name) && !node.bare)
      throw new SqlError(pos, `${name} takes no parentheses`, `write ${name}`);
    let args: Expr[];
    try {
      args = argNodes.map((a) => this.bind(a));
    } catch (err) {
      // MAXX(amount): the unknown name is the mistake to report, not the ungrouped column.
      if (err instanceof SqlError && !SCALAR_FUNCTIONS.has(name)) throw unknownFunction(name, pos);
      throw err;
    }
    const e = bindFunction(name, args, argNodes, pos, this);
    if (PATTERN_FUNCTIONS.has(name) && args[1]?.kind === 'literal') checkCompiles(e, pos);
    return e;
  }
}

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

function expectType(name: string, e: Expr, ok: (t: SqlType) => boolean, want: string, pos: SourcePos): void {
  if (e.type.name !== 'NULL' && !ok(e.type))
    throw new SqlError(pos, `${name} needs ${want}, got ${describeType(e.type)}`);
}

const isString = (t: SqlType) => t.name === 'STRING';

function bindFunction(
  name: string,
  args: Expr[],
  argNodes: readonly SqlExpr[],
  pos: SourcePos,
  binder: ExprBinder,
): Expr {
  const anyNull = args.some((a) => a.type.nullable);
  switch (name) {
    case 'UPPER':
    case 'LOWER':
    case 'TRIM':
    case 'LTRIM':
    case 'RTRIM':
      arity(name, args, 1, 1, pos, `${name}(s)`);
      expectType(name, args[0]!, isString, 'a STRING', pos);
      return call(name, args, T.string(anyNull));
    case 'CHAR_LENGTH':
    case 'CHARACTER_LENGTH':
      arity(name, args, 1, 1, pos, `CHAR_LENGTH(s)`);
      expectType(name, args[0]!, isString, 'a STRING', pos);
      return call('CHAR_LENGTH', args, T.int(anyNull));
    case 'SUBSTRING':
    case 'SUBSTR':
      arity(name, args, 2, 3, pos, `SUBSTRING(s, start [, length])`);
      expectType(name, args[0]!, isString, 'a STRING', pos);
      for (const a of args.slice(1)) expectType(name, a, isIntegral, 'whole-number positions', pos);
      return call('SUBSTRING', args, T.string(anyNull));
    case 'CONCAT':
      if (args.length === 0) throw new SqlError(pos, `CONCAT needs at least one argument`);
      return call(
        'CONCAT',
        args.map((a) => (a.type.name === 'STRING' || a.type.name === 'NULL' ? a : coerce(a, T.string()))),
        T.string(anyNull),
      );
    case 'ABS':
    case 'FLOOR':
    case 'CEIL':
    case 'CEILING': {
      const fn = name === 'CEILING' ? 'CEIL' : name;
      arity(name, args, 1, 1, pos, `${name}(x)`);
      expectType(name, args[0]!, isNumeric, 'a number', pos);
      const t = args[0]!.type;
      const rt =
        (fn === 'FLOOR' || fn === 'CEIL') && t.name === 'DECIMAL'
          ? T.decimal(t.precision ?? 10, 0, t.nullable)
          : t;
      return call(fn as ScalarFunction, args, rt);
    }
    case 'ROUND': {
      arity(name, args, 1, 2, pos, `ROUND(x [, digits])`);
      expectType(name, args[0]!, isNumeric, 'a number', pos);
      if (args[1]) {
        if (args[1].kind !== 'literal' || !isIntegral(args[1].type))
          throw new SqlError(pos, `ROUND's digits must be a whole-number literal`, `write ROUND(x, 2)`);
      }
      const t = args[0]!.type;
      const d = args[1] ? (args[1] as { value: number }).value : 0;
      const rt = t.name === 'DECIMAL' ? roundDecimalType(t.precision ?? 10, t.scale ?? 0, d, t.nullable) : t;
      return call('ROUND', args, rt);
    }
    case 'POWER':
      arity(name, args, 2, 2, pos, `POWER(x, y)`);
      for (const a of args) expectType(name, a, isNumeric, 'numbers', pos);
      return call(
        'POWER',
        args.map((a) => coerce(a, T.double())),
        T.double(anyNull),
      );
    case 'MOD': {
      arity(name, args, 2, 2, pos, `MOD(x, y)`);
      for (const a of args) expectType(name, a, isIntegral, 'whole numbers', pos);
      const t = arithmeticType('%', args[0]!.type, args[1]!.type)!;
      return call('MOD', args, t);
    }
    case 'COALESCE':
    case 'IFNULL': {
      if (args.length < 1) throw new SqlError(pos, `${name} needs at least one argument`);
      const t = binder.commonType(args, argNodes[0]!, `${name} arguments`);
      const nullable = args.every((a) => a.type.nullable);
      const rt = withNullable(t, nullable);
      return call(
        'COALESCE',
        args.map((a) => coerce(a, rt)),
        rt,
      );
    }
    case 'TO_TIMESTAMP':
      arity(name, args, 1, 2, pos, `TO_TIMESTAMP(text [, 'yyyy-MM-dd HH:mm:ss'])`);
      expectType(name, args[0]!, isString, 'a STRING', pos);
      if (args[1]) expectType(name, args[1], isString, 'a STRING pattern', pos);
      return call('TO_TIMESTAMP', args, T.timestamp(3, true));
    case 'TO_TIMESTAMP_LTZ': {
      arity(name, args, 1, 2, pos, `TO_TIMESTAMP_LTZ(epoch_millis, 3)`);
      expectType(
        name,
        args[0]!,
        (t) => isIntegral(t) || t.name === 'DECIMAL' || t.name === 'DOUBLE',
        'a number',
        pos,
      );
      const p = args[1];
      if (p && (p.kind !== 'literal' || (p.value !== 0 && p.value !== 3))) {
        throw new SqlError(
          pos,
          `TO_TIMESTAMP_LTZ's precision must be 0 (seconds) or 3 (milliseconds)`,
          `write TO_TIMESTAMP_LTZ(ms, 3)`,
        );
      }
      const a0 = args[0]!.type.name === 'DECIMAL' ? coerce(args[0]!, T.double()) : args[0]!;
      return call(
        'TO_TIMESTAMP_LTZ',
        p ? [a0, p] : [a0, { kind: 'literal', value: 3, type: T.int(false) }],
        T.timestampLtz(3, anyNull),
      );
    }
    case 'DATE_FORMAT':
      arity(name, args, 2, 2, pos, `DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm')`);
      expectType(name, args[0]!, (t) => isTimestamp(t) || isString(t), 'a TIMESTAMP', pos);
      expectType(name, args[1]!, isString, 'a STRING pattern', pos);
      return call('DATE_FORMAT', args, T.string(anyNull));
    case 'UNIX_TIMESTAMP':
      arity(name, args, 0, 2, pos, `UNIX_TIMESTAMP() or UNIX_TIMESTAMP(text [, pattern])`);
      for (const a of args) expectType(name, a, isString, 'STRING arguments', pos);
      return call('UNIX_TIMESTAMP', args, T.bigint(args.length > 0));
    case 'TUMBLE_START':
    case 'TUMBLE_END':
    case 'HOP_START':
    case 'HOP_END':
    case 'SESSION_START':
    case 'SESSION_END':
    case 'TUMBLE_ROWTIME':
    case 'HOP_ROWTIME':
    case 'SESSION_ROWTIME':
      throw new SqlError(
        pos,
        `${name} needs a matching ${name.split('_')[0]}(...) in GROUP BY`,
        `add GROUP BY ${name.split('_')[0]}(<time column>, INTERVAL ...), and use the same arguments here`,
      );
    case 'TUMBLE':
    case 'HOP':
    case 'SESSION':
    case 'CUMULATE':
      throw new SqlError(
        pos,
        `${name}(...) as a function is only allowed in GROUP BY`,
        `use FROM TABLE(${name}(TABLE t, DESCRIPTOR(ts), ...)) or GROUP BY ${name}(ts, ...)`,
      );
    default:
      return bindBuiltin(name, args, argNodes, pos, binder) ?? throwUnknown(name, pos);
  }
}

/** An IN-list item: a whole-number literal wider than the tested whole-number type, cast to it. */
function narrowedInItem(item: Expr, valueType: SqlType): Expr {
  if (item.kind !== 'literal' || item.value === null || !isIntegral(item.type) || !isIntegral(valueType))
    return item;
  if (INTEGRAL_ORDER.indexOf(item.type.name) <= INTEGRAL_ORDER.indexOf(valueType.name)) return item;
  const cast = castFunction(item.type, valueType);
  return {
    kind: 'literal',
    value: cast ? cast(item.value) : item.value,
    type: withNullable(valueType, false),
  };
}

const INTEGRAL_ORDER = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT'];

/**
 * A TIMESTAMP literal's precision is the fraction digits written, as Calcite types it
 * (TIMESTAMP '2016-02-29 00:00:00' is a TIMESTAMP(0)); values hold milliseconds, so at most 3.
 */
function timestampLiteralPrecision(text: string): number {
  const fraction = /\.(\d*)\s*$/.exec(text);
  return Math.min(3, fraction ? fraction[1]!.length : 0);
}

/**
 * ROUND(DECIMAL(p, s), digits)'s type as Flink's LogicalTypeMerging.findRoundDecimalType: rounding
 * may carry into one more integer digit (ROUND(9.95, 1) is 10.0), so the precision keeps room for it.
 */
function roundDecimalType(precision: number, scale: number, digits: number, nullable: boolean): SqlType {
  if (digits >= scale) return T.decimal(precision, scale, nullable);
  if (digits < 0) return T.decimal(Math.min(38, 1 + precision - scale), 0, nullable);
  return T.decimal(1 + precision - scale + digits, digits, nullable);
}

function throwUnknown(name: string, pos: SourcePos): never {
  throw unknownFunction(name, pos);
}

/** The names bindFunction knows (the window functions only to explain where they belong): add new ones here too. */
const SCALAR_FUNCTIONS: ReadonlySet<string> = new Set([
  'UPPER',
  'LOWER',
  'TRIM',
  'LTRIM',
  'RTRIM',
  'CHAR_LENGTH',
  'CHARACTER_LENGTH',
  'SUBSTRING',
  'SUBSTR',
  'CONCAT',
  'ABS',
  'FLOOR',
  'CEIL',
  'CEILING',
  'ROUND',
  'POWER',
  'MOD',
  'COALESCE',
  'IFNULL',
  'TO_TIMESTAMP',
  'TO_TIMESTAMP_LTZ',
  'DATE_FORMAT',
  'UNIX_TIMESTAMP',
  'TUMBLE_START',
  'TUMBLE_END',
  'HOP_START',
  'HOP_END',
  'SESSION_START',
  'SESSION_END',
  'TUMBLE_ROWTIME',
  'HOP_ROWTIME',
  'SESSION_ROWTIME',
  'TUMBLE',
  'HOP',
  'SESSION',
  'CUMULATE',
  ...BUILTIN_FUNCTIONS,
]);

/** Every function a query may call, sorted (the SQL shell's SHOW FUNCTIONS). */
export function functionNames(): string[] {
  return [...new Set([...SCALAR_FUNCTIONS, ...AGGREGATES, ...STATISTICS])].sort();
}

/** Functions whose second argument is a Java date-time pattern (checked here when it is a literal). */
const PATTERN_FUNCTIONS: ReadonlySet<string> = new Set(['TO_TIMESTAMP', 'DATE_FORMAT', 'UNIX_TIMESTAMP']);

/** Compiles `e` once at plan time so that a mistake in a literal (a pattern letter) gets its position. */
function checkCompiles(e: Expr, pos: SourcePos): void {
  try {
    compileScalar(e);
  } catch (err) {
    if (err instanceof SqlError && !err.pos) throw new SqlError(pos, err.problem, err.hint);
    throw err;
  }
}

function unknownFunction(name: string, pos: SourcePos): SqlError {
  const guess = didYouMean(name, [...SCALAR_FUNCTIONS, ...AGGREGATES, ...STATISTICS]);
  return new SqlError(
    pos,
    `unknown function ${name}`,
    guess ? `did you mean ${guess}?` : `see the README for the functions fintrans-sql supports`,
  );
}

export { assignable };
