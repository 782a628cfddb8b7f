// The parser boundary: node-sql-parser's untyped output → our nodes (nodes.ts), once per parsed
// text. Only the shapes the planner understands come through; any other node type is refused
// here, at its position, so the binder and planner never read an untyped object. `any` lives in
// this file only (the raw passes parse.ts runs before it, boolean-chains.ts, number-literals.ts and
// string-literals.ts, read the raw tree as `unknown`).

import { SqlError, type SourcePos } from '../errors.js';
import type { Positions } from './ast.js';
import type {
  AggregateNode,
  CastTarget,
  ElseArm,
  FromItem,
  Loc,
  SelectItem,
  SelectNode,
  SqlExpr,
  WhenArm,
  WithItem,
} from './nodes.js';

/** A node exactly as node-sql-parser produced it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RawNode = any;

/** node-sql-parser's `select` (a statement or a sub-query's `ast`) as our SelectNode. */
export function selectFromParser(raw: RawNode, positions: Positions): SelectNode {
  return new Converter(positions).select(raw);
}

/** One node-sql-parser expression as our SqlExpr. */
export function exprFromParser(raw: RawNode, positions: Positions): SqlExpr {
  return new Converter(positions).expr(raw);
}

const STRING_TYPES = new Set(['single_quote_string', 'double_quote_string', 'string']);
const TEMPORAL_TYPES = new Set(['timestamp', 'date', 'time']);

class Converter {
  constructor(private readonly positions: Positions) {}

  /** Where a raw node is: its own location when it has one, else where its first name is written. */
  private pos(raw: RawNode): SourcePos {
    if (typeof raw?.loc?.start?.offset === 'number') return this.positions.at(raw.loc.start.offset);
    if (raw?.type === 'column_ref') return this.positions.identifier(columnText(raw.column));
    if (raw?.left) return this.pos(raw.left);
    if (raw?.expr && typeof raw.expr === 'object') return this.pos(raw.expr);
    // `@x` (var) and `:p` (param) carry their name only.
    const name: unknown = raw?.name ?? raw?.value;
    if (typeof name === 'string' && /^\w+$/.test(name)) return this.positions.identifier(name);
    return this.positions.start;
  }

  private refuse(raw: RawNode, what: string): SqlError {
    return new SqlError(
      this.pos(raw),
      `unsupported expression (${what})`,
      'see the README ("SQL supported") for the expressions fintrans-sql reads',
    );
  }

  private base(raw: RawNode): { loc?: Loc; parentheses?: boolean } {
    return {
      ...(raw.loc ? { loc: raw.loc as Loc } : {}),
      ...(raw.parentheses ? { parentheses: true } : {}),
    };
  }

  expr(raw: RawNode): SqlExpr {
    if (!raw || typeof raw !== 'object') throw this.refuse(raw, String(raw));
    // A sub-query inside an expression: `{ ast, tableList, columnList }`.
    if (raw.ast && raw.type === undefined)
      return { type: 'subquery', ast: this.select(raw.ast), ...this.base(raw) };
    const type = String(raw.type);
    const b = this.base(raw);
    if (STRING_TYPES.has(type)) return { type: type as 'string', value: String(raw.value), ...b };
    if (TEMPORAL_TYPES.has(type)) return { type: type as 'date', value: String(raw.value), ...b };
    switch (type) {
      case 'column_ref':
        return { type, table: raw.table ?? null, column: columnText(raw.column), ...b };
      case 'number':
        return {
          type,
          value: typeof raw.value === 'number' ? raw.value : String(raw.value),
          ...b,
        };
      case 'bigint':
        return { type, value: String(raw.value), ...b };
      case 'bool':
        return { type, value: Boolean(raw.value), ...b };
      case 'null':
        return { type, value: null, ...b };
      case 'interval':
        return { type, expr: this.expr(raw.expr), unit: String(raw.unit ?? ''), ...b };
      case 'unary_expr':
        return { type, operator: String(raw.operator), expr: this.expr(raw.expr), ...b };
      case 'binary_expr': {
        // LIKE's ESCAPE arrives on the pattern node; it belongs to the LIKE.
        const escape = raw.right?.escape?.value;
        return {
          type,
          operator: String(raw.operator),
          left: this.expr(raw.left),
          right: this.expr(raw.right),
          ...(escape ? { escape: this.expr(escape) } : {}),
          ...b,
        };
      }
      case 'case':
        return {
          type,
          expr: raw.expr ? this.expr(raw.expr) : null,
          args: (raw.args as RawNode[]).map((arm): WhenArm | ElseArm =>
            arm.type === 'when'
              ? { type: 'when', cond: this.expr(arm.cond), result: this.expr(arm.result) }
              : { type: 'else', result: this.expr(arm.result) },
          ),
          ...b,
        };
      case 'cast':
        return {
          type,
          expr: this.expr(raw.expr),
          target: ((raw.target ?? []) as RawNode[]).map(castTarget),
          ...b,
        };
      case 'extract':
        return {
          type,
          field: String(raw.args?.field ?? ''),
          source: this.expr(raw.args?.source),
          ...b,
        };
      case 'aggr_func':
        return this.aggregate(raw);
      case 'function': {
        const parts = raw.name?.name;
        const name = Array.isArray(parts)
          ? parts.map((p: { value: unknown }) => String(p.value)).join('.')
          : String(raw.name ?? '');
        const list = raw.args;
        const args: RawNode[] = Array.isArray(list?.value) ? list.value : Array.isArray(list) ? list : [];
        return {
          type,
          name,
          args: args.map((a) => this.expr(a)),
          bare: !list,
          distinct: Boolean(list?.distinct),
          ...b,
        };
      }
      case 'expr_list':
        return { type, value: ((raw.value ?? []) as RawNode[]).map((v) => this.expr(v)), ...b };
      case 'star':
        return { type, ...b };
      case 'origin':
        return { type, value: String(raw.value), ...b };
      case 'select':
        return { type: 'subquery', ast: this.select(raw), ...b };
      default:
        throw this.refuse(raw, type);
    }
  }

  private aggregate(raw: RawNode): AggregateNode {
    const args = raw.args ?? {};
    // LISTAGG(x, ';'): the separator is a token list ending in the literal, or the literal itself.
    const sep = args.separator;
    const sepNode = !sep ? null : Array.isArray(sep) ? sep[sep.length - 1] : (sep.value ?? sep);
    return {
      type: 'aggr_func',
      name: String(raw.name),
      arg: args.expr ? this.expr(args.expr) : null,
      distinct: Boolean(args.distinct),
      separator: sepNode && typeof sepNode === 'object' ? this.expr(sepNode) : null,
      ...this.base(raw),
    };
  }

  select(raw: RawNode): SelectNode {
    if (raw?.type !== 'select') throw this.refuse(raw, String(raw?.type ?? 'not a query'));
    const groupby = raw.groupby?.columns ?? (Array.isArray(raw.groupby) ? raw.groupby : null);
    const limit = raw.limit?.value;
    return {
      type: 'select',
      with: Array.isArray(raw.with) ? raw.with.map((w: RawNode) => this.withItem(w)) : null,
      distinct: Boolean(raw.distinct),
      columns: ((raw.columns ?? []) as RawNode[]).map((c): SelectItem => ({
        expr: this.expr(c.expr ?? c),
        as: aliasText(c.as),
      })),
      from: Array.isArray(raw.from) ? raw.from.map((f: RawNode) => this.fromItem(f)) : null,
      where: raw.where ? this.expr(raw.where) : null,
      groupby: Array.isArray(groupby) ? { columns: groupby.map((g: RawNode) => this.expr(g)) } : null,
      having: raw.having ? this.expr(raw.having) : null,
      orderby: Array.isArray(raw.orderby) ? raw.orderby.length > 0 : Boolean(raw.orderby),
      limit: Array.isArray(limit) ? limit.map((v: RawNode) => this.expr(v)) : [],
      ...(raw._next ? { next: this.select(raw._next), setOp: String(raw.set_op ?? '') } : {}),
      ...this.base(raw),
    };
  }

  private withItem(raw: RawNode): WithItem {
    const columns = raw.columns;
    return {
      name: String(raw.name?.value ?? raw.name),
      stmt: this.select(raw.stmt?.ast ?? raw.stmt),
      columns:
        Array.isArray(columns) && columns.length > 0
          ? columns.map((c: RawNode) => columnText(c?.column ?? c))
          : null,
    };
  }

  private fromItem(raw: RawNode): FromItem {
    return {
      table: raw.expr ? null : String(raw.table),
      expr: raw.expr ? this.expr(raw.expr) : null,
      as: aliasText(raw.as),
      ...(raw.join ? { join: String(raw.join) } : {}),
      ...(raw.on !== undefined ? { on: raw.on ? this.expr(raw.on) : null } : {}),
      ...(raw.using ? { using: (raw.using as RawNode[]).map((u) => columnText(u)) } : {}),
    };
  }
}

/** A column as node-sql-parser writes it: a string, or `{ expr: { value } }` for quoted forms. */
function columnText(c: RawNode): string {
  if (typeof c === 'string') return c;
  if (c && typeof c === 'object') return String(c.expr?.value ?? c.value ?? '');
  return '';
}

function aliasText(as: RawNode): string | null {
  if (as === null || as === undefined) return null;
  return typeof as === 'string' ? as : String(as.value ?? as);
}

function castTarget(t: RawNode): CastTarget {
  return {
    dataType: String(t?.dataType ?? ''),
    ...(typeof t?.length === 'number' ? { length: t.length } : {}),
    ...(typeof t?.scale === 'number' ? { scale: t.scale } : {}),
  };
}
