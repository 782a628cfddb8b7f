// Our own query and expression nodes: what the planner (engine/plan/*) reads. node-sql-parser's
// output is untyped and irregular (a column written one way or another, a function's name as a
// list of parts, a sub-query wrapped in `{ ast }`, LISTAGG's separator as a token list), so it is
// converted once, in engine/sql/from-parser.ts, into these types; a shape the converter does not
// know is refused there with its position. The `type` names are node-sql-parser's, so the front
// passes' markers (`__o0(...)` OVER calls, `#>>` FILTER, `__GSETS_(...)`) stay recognizable.
//
// Nodes are plain data (the planner compares GROUP BY items by their JSON, bind.ts canonical).

/** node-sql-parser's location of a node in the text it parsed (functions and EXTRACT have one). */
export interface Loc {
  readonly start: { readonly offset: number; readonly line: number; readonly column: number };
  readonly end: { readonly offset: number; readonly line: number; readonly column: number };
}

interface NodeBase {
  readonly loc?: Loc;
  /** Written inside parentheses (boolean-chains.ts keeps `(a OR b) AND c` apart). */
  readonly parentheses?: boolean;
}

/** `a`, `t.a`, `*` and `t.*` (column '*'). */
export interface ColumnRefNode extends NodeBase {
  readonly type: 'column_ref';
  readonly table: string | null;
  readonly column: string;
}

/** A number as written: a number, or its text when node-sql-parser kept it (decimals, long digits). */
export interface NumberNode extends NodeBase {
  readonly type: 'number';
  readonly value: number | string;
}

/** An integer beyond 2^53 or an exponent form: node-sql-parser keeps the text. */
export interface BigintNode extends NodeBase {
  readonly type: 'bigint';
  readonly value: string;
}

export interface StringNode extends NodeBase {
  readonly type: 'single_quote_string' | 'double_quote_string' | 'string';
  readonly value: string;
}

export interface BoolNode extends NodeBase {
  readonly type: 'bool';
  readonly value: boolean;
}

export interface NullNode extends NodeBase {
  readonly type: 'null';
  readonly value: null;
}

/** `TIMESTAMP '...'`, `DATE '...'`, `TIME '...'`: the text between the quotes. */
export interface TemporalLiteralNode extends NodeBase {
  readonly type: 'timestamp' | 'date' | 'time';
  readonly value: string;
}

/** `INTERVAL '10' MINUTE`: `expr` is the quoted amount (or a number), `unit` as written. */
export interface IntervalNode extends NodeBase {
  readonly type: 'interval';
  readonly expr: SqlExpr;
  readonly unit: string;
}

/** `NOT x`, `-x`, `+x`, `NOT EXISTS (...)`. */
export interface UnaryNode extends NodeBase {
  readonly type: 'unary_expr';
  readonly operator: string;
  readonly expr: SqlExpr;
}

/**
 * `a op b`, with op as node-sql-parser spells it ('=', 'AND', 'IS NOT', 'NOT LIKE', 'BETWEEN' with
 * an expr_list of two bounds on the right, 'IN' with an expr_list, '#>>' for FILTER).
 */
export interface BinaryNode extends NodeBase {
  readonly type: 'binary_expr';
  readonly operator: string;
  readonly left: SqlExpr;
  readonly right: SqlExpr;
  /** LIKE's `ESCAPE 'c'`. */
  readonly escape?: SqlExpr;
}

export interface WhenArm {
  readonly type: 'when';
  readonly cond: SqlExpr;
  readonly result: SqlExpr;
}

export interface ElseArm {
  readonly type: 'else';
  readonly result: SqlExpr;
}

/** `CASE [expr] WHEN ... THEN ... [ELSE ...] END`. */
export interface CaseNode extends NodeBase {
  readonly type: 'case';
  readonly expr: SqlExpr | null;
  readonly args: readonly (WhenArm | ElseArm)[];
}

/** A CAST target as written: `DECIMAL(10, 2)` is { dataType: 'DECIMAL', length: 10, scale: 2 }. */
export interface CastTarget {
  readonly dataType: string;
  readonly length?: number;
  readonly scale?: number;
}

export interface CastNode extends NodeBase {
  readonly type: 'cast';
  readonly expr: SqlExpr;
  readonly target: readonly CastTarget[];
}

/** `EXTRACT(field FROM source)`. */
export interface ExtractNode extends NodeBase {
  readonly type: 'extract';
  readonly field: string;
  readonly source: SqlExpr;
}

/**
 * A call of COUNT, SUM, AVG, MIN, MAX, LISTAGG ... as node-sql-parser reads aggregates
 * (`aggr_func`): one argument (`*` is a star node), DISTINCT, LISTAGG's separator.
 */
export interface AggregateNode extends NodeBase {
  readonly type: 'aggr_func';
  /** As node-sql-parser gives it (upper case). */
  readonly name: string;
  /** null: written without an argument. */
  readonly arg: SqlExpr | null;
  readonly distinct: boolean;
  /** LISTAGG(x, ';'): the separator. */
  readonly separator: SqlExpr | null;
}

/** Any other call `f(a, b)` (scalar functions, aggregates node-sql-parser does not know, the front passes' markers). */
export interface FunctionNode extends NodeBase {
  readonly type: 'function';
  /** As written (parts of a dotted name joined by '.'). */
  readonly name: string;
  readonly args: readonly SqlExpr[];
  /** Written without parentheses (CURRENT_TIMESTAMP). */
  readonly bare: boolean;
  /** `f(DISTINCT x)`. */
  readonly distinct: boolean;
}

/** A list `(a, b, c)`: IN's values, BETWEEN's bounds, a grouping set. */
export interface ExprListNode extends NodeBase {
  readonly type: 'expr_list';
  readonly value: readonly SqlExpr[];
}

/** `*` as an argument (COUNT(*)). */
export interface StarNode extends NodeBase {
  readonly type: 'star';
}

/** A keyword standing as an argument: TRIM(BOTH 'x' FROM s), SUBSTRING(s FROM 1 FOR 2). */
export interface KeywordNode extends NodeBase {
  readonly type: 'origin';
  readonly value: string;
}

/** `(SELECT ...)` inside an expression or FROM. */
export interface SubqueryNode extends NodeBase {
  readonly type: 'subquery';
  readonly ast: SelectNode;
}

export type SqlExpr =
  | ColumnRefNode
  | NumberNode
  | BigintNode
  | StringNode
  | BoolNode
  | NullNode
  | TemporalLiteralNode
  | IntervalNode
  | UnaryNode
  | BinaryNode
  | CaseNode
  | CastNode
  | ExtractNode
  | AggregateNode
  | FunctionNode
  | ExprListNode
  | StarNode
  | KeywordNode
  | SubqueryNode;

/** One item of a SELECT list. */
export interface SelectItem {
  readonly expr: SqlExpr;
  readonly as: string | null;
}

/** A FROM item: a table (or a placeholder standing for a window TVF) or a sub-query; joined items carry their join. */
export interface FromItem {
  /** The table's name; null for a sub-query. */
  readonly table: string | null;
  /** A sub-query (or something else written in its place). */
  readonly expr: SqlExpr | null;
  readonly as: string | null;
  /** 'JOIN', 'LEFT JOIN', ... as written; absent on the first item and after a comma. */
  readonly join?: string;
  readonly on?: SqlExpr | null;
  readonly using?: readonly string[] | null;
}

/** `WITH name AS (query)`. */
export interface WithItem {
  readonly name: string;
  readonly stmt: SelectNode;
  /** `WITH name (a, b) AS ...`: written column names (refused by the planner). */
  readonly columns: readonly string[] | null;
}

/** One SELECT block; `next` chains the blocks of UNION [ALL] / INTERSECT / EXCEPT. */
export interface SelectNode extends NodeBase {
  readonly type: 'select';
  readonly with: readonly WithItem[] | null;
  readonly distinct: boolean;
  readonly columns: readonly SelectItem[];
  readonly from: readonly FromItem[] | null;
  readonly where: SqlExpr | null;
  readonly groupby: { readonly columns: readonly SqlExpr[] } | null;
  readonly having: SqlExpr | null;
  /** ORDER BY written (refused on a stream). */
  readonly orderby: boolean;
  /** LIMIT's values (refused on a stream); empty when not written. */
  readonly limit: readonly SqlExpr[];
  /** The set operation between this block and `next` ('union all', 'union', 'intersect', ...). */
  readonly setOp?: string;
  readonly next?: SelectNode;
}

/** Every node a tree holds (expressions, CASE arms, SELECT blocks), for walks that look at all of them. */
export type AnyNode = SqlExpr | WhenArm | ElseArm | SelectNode;

/** The direct children of a node, in the order written. */
export function children(node: AnyNode): AnyNode[] {
  switch (node.type) {
    case 'interval':
    case 'unary_expr':
    case 'cast':
      return [node.expr];
    case 'binary_expr':
      return node.escape ? [node.left, node.right, node.escape] : [node.left, node.right];
    case 'case':
      return [...(node.expr ? [node.expr] : []), ...node.args];
    case 'when':
      return [node.cond, node.result];
    case 'else':
      return [node.result];
    case 'extract':
      return [node.source];
    case 'aggr_func':
      return [...(node.arg ? [node.arg] : []), ...(node.separator ? [node.separator] : [])];
    case 'function':
      return [...node.args];
    case 'expr_list':
      return [...node.value];
    case 'subquery':
      return [node.ast];
    case 'select':
      return [
        ...(node.with ?? []).map((w) => w.stmt),
        ...node.columns.map((c) => c.expr),
        ...(node.from ?? []).flatMap((f) => [...(f.expr ? [f.expr] : []), ...(f.on ? [f.on] : [])]),
        ...(node.where ? [node.where] : []),
        ...(node.groupby?.columns ?? []),
        ...(node.having ? [node.having] : []),
        ...node.limit,
        ...(node.next ? [node.next] : []),
      ];
    default:
      return [];
  }
}

/** Whether `test` holds for `node` or a node inside it; `enter` (default: all) says which nodes to look inside. */
export function someNode(
  node: AnyNode | null | undefined,
  test: (n: AnyNode) => boolean,
  enter: (n: AnyNode) => boolean = () => true,
): boolean {
  if (!node) return false;
  if (test(node)) return true;
  return enter(node) && children(node).some((c) => someNode(c, test, enter));
}

/** The nodes inside `node` (itself included) for which `test` holds, not looking inside those nor where `enter` says no. */
export function collectNodes<N extends AnyNode>(
  node: AnyNode | null | undefined,
  test: (n: AnyNode) => n is N,
  enter: (n: AnyNode) => boolean = () => true,
): N[] {
  if (!node) return [];
  if (test(node)) return [node];
  if (!enter(node)) return [];
  return children(node).flatMap((c) => collectNodes(c, test, enter));
}

/** An aggregate call made by the planner (STDDEV_POP as SUM and COUNT, AVG over a window): equal, by canonical JSON, to one written so. */
export function aggregateCallNode(name: string, arg: SqlExpr | null, distinct = false): AggregateNode {
  return { type: 'aggr_func', name, arg, distinct, separator: null };
}

/** `node` with each column reference replaced by `f(column)` (sub-queries are left as they are). */
export function mapColumnRefs(node: SqlExpr, f: (c: ColumnRefNode) => SqlExpr): SqlExpr {
  const m = (n: SqlExpr): SqlExpr => mapColumnRefs(n, f);
  switch (node.type) {
    case 'column_ref':
      return f(node);
    case 'interval':
    case 'unary_expr':
    case 'cast':
      return { ...node, expr: m(node.expr) };
    case 'binary_expr':
      return {
        ...node,
        left: m(node.left),
        right: m(node.right),
        ...(node.escape ? { escape: m(node.escape) } : {}),
      };
    case 'case':
      return {
        ...node,
        expr: node.expr ? m(node.expr) : null,
        args: node.args.map((a) =>
          a.type === 'when' ? { ...a, cond: m(a.cond), result: m(a.result) } : { ...a, result: m(a.result) },
        ),
      };
    case 'extract':
      return { ...node, source: m(node.source) };
    case 'aggr_func':
      return {
        ...node,
        arg: node.arg ? m(node.arg) : null,
        separator: node.separator ? m(node.separator) : null,
      };
    case 'function':
      return { ...node, args: node.args.map(m) };
    case 'expr_list':
      return { ...node, value: node.value.map(m) };
    default:
      return node;
  }
}
