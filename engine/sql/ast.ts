// What the SQL front pass (engine/sql/parse.ts) hands to the planner: one object per statement.
//
// DDL (CREATE TABLE with WATERMARK, computed and metadata columns, PRIMARY KEY NOT ENFORCED) and
// SET are parsed by our own small parser; queries are parsed by node-sql-parser's `flinksql`
// dialect after the window table-valued functions (TUMBLE/HOP/CUMULATE/SESSION) have been cut out
// and replaced by same-length placeholder table names, so every offset node-sql-parser reports
// still points at the right character of the file.

import type { SourcePos } from '../errors.js';
import type { SqlType } from '../types.js';
import type { TemporalClause } from './temporal-clause.js';
import type { SelectNode, SqlExpr } from './nodes.js';

/** Maps offsets of one parsed text back to the file, and finds where names are written. */
export interface Positions {
  /** The file position of `offset` in the text node-sql-parser parsed for this statement/expression. */
  at(offset: number): SourcePos;
  /**
   * Where identifier `name` is first written in this statement (case-insensitive, as a whole word,
   * outside strings and comments), at or after `fromOffset` when given; the statement's start if
   * it is not written at all.
   */
  identifier(name: string, fromOffset?: number): SourcePos;
  /** Like identifier, but the offset in the parsed text; undefined when not written. */
  offsetOf(name: string, fromOffset?: number): number | undefined;
  /** The statement's first character. */
  readonly start: SourcePos;
}

export type Statement =
  | SetStatement
  | CreateTableStatement
  | CreateViewStatement
  | InsertStatement
  | SelectStatement
  | ExplainStatement;

export interface SetStatement {
  readonly kind: 'set';
  readonly key: string;
  readonly value: string;
  readonly pos: SourcePos;
}

export interface CreateTableStatement {
  readonly kind: 'create-table';
  readonly name: string;
  readonly pos: SourcePos;
  readonly namePos: SourcePos;
  readonly columns: readonly ColumnDecl[];
  readonly watermark?: WatermarkDecl;
  readonly primaryKey?: { readonly columns: readonly string[]; readonly pos: SourcePos };
  /** In the order written. Keys and values are the unquoted strings. */
  readonly options: readonly { readonly key: string; readonly value: string; readonly pos: SourcePos }[];
}

/** `CREATE [TEMPORARY] VIEW [IF NOT EXISTS] name [(a, b)] AS SELECT ...` */
export interface CreateViewStatement {
  readonly kind: 'create-view';
  readonly name: string;
  readonly pos: SourcePos;
  readonly namePos: SourcePos;
  /** Column names given after the view's name, renaming the query's columns in order. */
  readonly columns?: readonly { readonly name: string; readonly pos: SourcePos }[];
  readonly query: SelectStatement;
}

export type ColumnDecl = PhysicalColumnDecl | ComputedColumnDecl | MetadataColumnDecl;

export interface PhysicalColumnDecl {
  readonly kind: 'physical';
  readonly name: string;
  readonly type: SqlType;
  readonly pos: SourcePos;
}

/** `ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z')` */
export interface ComputedColumnDecl {
  readonly kind: 'computed';
  readonly name: string;
  readonly expr: SqlExpr;
  /** Positions for offsets inside `expr`. */
  readonly positions: Positions;
  readonly pos: SourcePos;
}

/** `city STRING METADATA FROM 'topic' VIRTUAL`; `key` defaults to the column name. */
export interface MetadataColumnDecl {
  readonly kind: 'metadata';
  readonly name: string;
  readonly type: SqlType;
  readonly key: string;
  readonly virtual: boolean;
  readonly pos: SourcePos;
}

/** `WATERMARK FOR ts AS ts - INTERVAL '5' SECOND` */
export interface WatermarkDecl {
  readonly column: string;
  readonly columnPos: SourcePos;
  readonly expr: SqlExpr;
  readonly positions: Positions;
  readonly pos: SourcePos;
}

/** A window table-valued function cut out of a query: `TABLE(HOP(TABLE t, DESCRIPTOR(ts), ...))`. */
export interface WindowTvf {
  /** The placeholder table name that stands in its place in `query` (e.g. `__window_0`). */
  readonly placeholder: string;
  readonly kind: 'TUMBLE' | 'HOP' | 'CUMULATE' | 'SESSION';
  /** The table the window is applied to. */
  readonly table: string;
  readonly tablePos: SourcePos;
  /** The DESCRIPTOR column. */
  readonly timeColumn: string;
  readonly timeColumnPos: SourcePos;
  /** SESSION(TABLE t PARTITION BY a, b, ...). Empty otherwise. */
  readonly partitionBy: readonly string[];
  /** TUMBLE: size. HOP: slide. CUMULATE: step. SESSION: gap. Milliseconds. */
  readonly firstMs: number;
  /** HOP and CUMULATE: size. Otherwise undefined. */
  readonly sizeMs?: number;
  /** TUMBLE/HOP/CUMULATE optional offset argument, ms (0 when not written). */
  readonly offsetMs: number;
  readonly pos: SourcePos;
}

// Window function calls, cut out of a query by engine/sql/over-clause.ts.

/** An expression of PARTITION BY / ORDER BY, parsed on its own (its own offsets). */
export interface WindowExpr {
  readonly node: SqlExpr;
  readonly positions: Positions;
  readonly pos: SourcePos;
}

export type FrameBound =
  | { readonly kind: 'unbounded-preceding' | 'unbounded-following' | 'current-row'; readonly pos: SourcePos }
  /** `n PRECEDING` (rows) or `INTERVAL '1' HOUR PRECEDING` (ms); likewise FOLLOWING. */
  | {
      readonly kind: 'preceding' | 'following';
      readonly rows?: number;
      readonly ms?: number;
      readonly pos: SourcePos;
    };

export interface WindowFrame {
  readonly unit: 'ROWS' | 'RANGE';
  readonly lower: FrameBound;
  readonly upper: FrameBound;
  readonly pos: SourcePos;
}

/** What is written inside `OVER (...)` or `WINDOW w AS (...)`. */
export interface OverSpec {
  readonly partitionBy: readonly WindowExpr[];
  readonly orderBy: readonly {
    readonly expr: WindowExpr;
    readonly descending: boolean;
    readonly nullsFirst: boolean | null;
  }[];
  /** null: not written (RANGE UNBOUNDED PRECEDING to the current row when there is an ORDER BY, as in SQL). */
  readonly frame: WindowFrame | null;
  /** The named window's name (`OVER w`), for messages. */
  readonly name?: string;
  readonly pos: SourcePos;
}

/** One `f(...) OVER ...`: its marker in the parsed text and its window. */
export interface OverCall {
  /** The marker function wrapped around the call (`__o0`). */
  readonly marker: string;
  readonly spec: OverSpec;
  /** The function name as written, and where it is. */
  readonly functionName: string;
  readonly pos: SourcePos;
}

export interface QueryParts {
  /** The query (placeholders where the window TVFs were), converted from node-sql-parser's `select`. */
  readonly select: SelectNode;
  readonly windows: readonly WindowTvf[];
  /** `FOR SYSTEM_TIME AS OF` clauses cut out of the query (temporal joins). */
  readonly temporal?: readonly TemporalClause[];
  /** Window function calls (`f(...) OVER ...`) cut out of the query, each marked in `select` (over-clause.ts). */
  readonly over?: readonly OverCall[];
  /** `MATCH_RECOGNIZE (...)` clauses cut out of the query, each standing as its FROM item's alias (match-recognize.ts). */
  readonly match?: readonly MatchRecognizeClause[];
  readonly positions: Positions;
}

/** `INSERT INTO sink [(a, b)] SELECT ...` */
export interface InsertStatement extends QueryParts {
  readonly kind: 'insert';
  readonly sink: string;
  readonly sinkPos: SourcePos;
  readonly columns?: readonly string[];
  readonly pos: SourcePos;
}

/** A bare `SELECT ...`: the job prints its rows (like the Flink SQL client shows them). */
export interface SelectStatement extends QueryParts {
  readonly kind: 'select';
  readonly pos: SourcePos;
}

export interface ExplainStatement {
  readonly kind: 'explain';
  readonly statement: InsertStatement | SelectStatement;
  readonly pos: SourcePos;
}

// ---- MATCH_RECOGNIZE, as the front pass (match-recognize.ts) reads it ----

/** A quantifier as written: `*` is {0, -1}, `+` {1, -1}, `?` {0, 1}; max -1 means no upper bound. */
export interface PatternQuantifier {
  readonly min: number;
  readonly max: number;
  /** false for the reluctant forms (`*?`, `+?`, `{n,m}?`). */
  readonly greedy: boolean;
  readonly text: string;
  readonly pos: SourcePos;
}

/** One variable of PATTERN (...) with its quantifier (null: exactly one row). */
export interface PatternTerm {
  readonly variable: string;
  readonly quantifier: PatternQuantifier | null;
  readonly pos: SourcePos;
}

export type AfterMatchSkip =
  | { readonly kind: 'past-last-row' | 'to-next-row'; readonly pos: SourcePos }
  | { readonly kind: 'to-first' | 'to-last'; readonly variable: string; readonly pos: SourcePos };

/** An expression of MEASURES or DEFINE, parsed on its own (its own offsets). */
export interface MatchExpression {
  readonly node: SqlExpr;
  readonly positions: Positions;
  readonly pos: SourcePos;
}

export interface MatchRecognizeClause {
  /** The name standing in the query's text where the clause was: the FROM item's alias there. */
  readonly placeholder: string;
  /** The alias written after the clause, if any. */
  readonly alias: string | null;
  readonly partitionBy: readonly WindowExpr[];
  readonly orderBy: readonly { readonly expr: WindowExpr; readonly descending: boolean }[];
  readonly measures: readonly (MatchExpression & { readonly name: string; readonly namePos: SourcePos })[];
  /** `ALL ROWS PER MATCH` written (Flink refuses it). */
  readonly allRows: SourcePos | null;
  readonly after: AfterMatchSkip;
  readonly pattern: readonly PatternTerm[];
  readonly patternPos: SourcePos;
  /** `WITHIN INTERVAL ...` in milliseconds, null when not written. */
  readonly withinMs: number | null;
  readonly define: readonly (MatchExpression & {
    readonly variable: string;
    readonly variablePos: SourcePos;
  })[];
  /** MATCH_RECOGNIZE itself. */
  readonly pos: SourcePos;
}
