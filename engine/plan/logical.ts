// The logical plan: what a job computes, as plain data (schemas, typed expressions, window specs).
// Nothing here runs; engine/runtime/build.ts is the one bridge from this to running operators.

import type { SourcePos } from '../errors.js';
import type { OptionBag } from '../options.js';
import type { Field, Schema, SqlType } from '../types.js';
import type { AggregateCall, Expr } from './expr.js';
import type { ConnectorDefinition } from '../../connectors/api.js';
import type { FormatDefinition } from '../formats/api.js';

/** A column of a declared table, at its position in the table's row. */
export interface TableColumn extends Field {
  /** 'proctime': `AS PROCTIME()`, the wall-clock time the record was read (a processing-time attribute). */
  readonly kind: 'physical' | 'computed' | 'metadata' | 'proctime';
  /** Computed columns: the expression over the table row (may use physical and metadata columns). */
  readonly expr?: Expr;
  /** Metadata columns: the connector's metadata key ('topic', 'timestamp', ...). */
  readonly metadataKey?: string;
  readonly pos: SourcePos;
}

export interface WatermarkSpec {
  /** The rowtime column's index in the table row. */
  readonly rowtimeIndex: number;
  readonly rowtimeName: string;
  /** The watermark expression over the table row, e.g. ts - INTERVAL '5' SECOND. */
  readonly expr: Expr;
  /** Its text, for EXPLAIN. */
  readonly text: string;
}

/** A table from CREATE TABLE, with its connector and format resolved and options validated. */
export interface TableDef {
  readonly name: string;
  readonly pos: SourcePos;
  /** All columns in declaration order: the table row layout. */
  readonly columns: readonly TableColumn[];
  readonly watermark?: WatermarkSpec;
  /** Indexes into `columns` of the PRIMARY KEY columns. */
  readonly primaryKey?: readonly number[];
  readonly connector: ConnectorDefinition;
  readonly connectorName: string;
  readonly format?: FormatDefinition;
  readonly formatName?: string;
  /** The table's WITH options minus 'connector' (and format keys), for the connector to read. */
  readonly options: OptionBag;
}

export type WindowKind = 'TUMBLE' | 'HOP' | 'CUMULATE' | 'SESSION';

export interface WindowSpec {
  readonly kind: WindowKind;
  /** TUMBLE: size; HOP: size; CUMULATE: max size; SESSION: gap. */
  readonly sizeMs: number;
  /** HOP: slide; CUMULATE: step; TUMBLE: = size; SESSION: unused (0). */
  readonly slideMs: number;
  readonly offsetMs: number;
  /** Index of the time attribute in the input row. */
  readonly timeIndex: number;
  readonly timeName: string;
  /**
   * A legacy group window (GROUP BY TUMBLE(ts, ...)): Flink aggregates it in one phase, not in its
   * two-phase window aggregation (engine/exec/local-flush.ts).
   */
  readonly legacy?: true;
}

/**
 * A node of the plan graph. Nodes are shared: a table read by two INSERTs is one ScanNode, a view
 * used twice is planned once, so the running job reads each source once and computes each shared
 * sub-plan once. `schema` is the node's output row layout; `updating` says whether its output is
 * a changelog with updates and deletes (-U/+U/-D) or insert-only, as Flink's changelog mode
 * inference (FlinkChangelogModeInferenceProgram) decides it.
 */
export type PlanNode =
  | ScanNode
  | FilterNode
  | ProjectNode
  | WindowAggregateNode
  | GroupAggregateNode
  | UnionNode
  | JoinNode
  | LookupJoinNode
  | OverAggregateNode
  | RankNode
  | DeduplicateNode
  | WindowTableNode
  | MatchRecognizeNode;

interface NodeBase {
  readonly inputs: readonly PlanNode[];
  readonly schema: Schema;
  /** Whether the output holds -U/+U/-D rows (else only +I). */
  readonly updating: boolean;
}

export interface ScanNode extends NodeBase {
  readonly kind: 'scan';
  readonly table: TableDef;
}

export interface FilterNode extends NodeBase {
  readonly kind: 'filter';
  readonly predicate: Expr;
}

export interface ProjectNode extends NodeBase {
  readonly kind: 'project';
  readonly exprs: readonly Expr[];
}

/**
 * Windowed aggregation of an insert-only input. Output row: [...keys, window_start, window_end,
 * window_time, ...aggregates]; window_time is a time attribute (cascaded windows group on it).
 * Rows arrive without late ones (a LateRecordFilter sits in front at runtime).
 */
export interface WindowAggregateNode extends NodeBase {
  readonly kind: 'window-aggregate';
  readonly window: WindowSpec;
  readonly keys: readonly Expr[];
  readonly aggregates: readonly AggregateCall[];
}

/**
 * Running (non-windowed) aggregation. Output: [...keys, ...aggregates], updating: a group's first
 * row is +I, a change is -U old / +U new, a group emptied by retractions is -D.
 */
export interface GroupAggregateNode extends NodeBase {
  readonly kind: 'group-aggregate';
  readonly keys: readonly Expr[];
  readonly aggregates: readonly AggregateCall[];
}

/** UNION ALL: every row of every input, inputs already projected to one schema. */
export interface UnionNode extends NodeBase {
  readonly kind: 'union';
}

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'SEMI' | 'ANTI';

/**
 * A join of two inputs (inputs[0] left, inputs[1] right). Output row: [...left, ...right], the
 * side without a match NULL-padded in outer joins; SEMI / ANTI joins (IN, EXISTS) output the left
 * rows that have (have no) partner. Rows meet when their keys are equal (NULL keys
 * never do) and `condition` holds on the joined row.
 * - Regular join (no `interval`): every row is kept (Flink's StreamingJoinOperator); updating
 *   unless an inner join of insert-only inputs. Time attributes become plain timestamps.
 * - Interval join: left.time - right.time must lie in [lower, upper] (ms); rows are kept only
 *   while the other side's watermark can still bring a match (Flink's RowTimeIntervalJoin);
 *   insert-only; time attributes stay, and the output watermark is held back by the larger bound.
 */
export interface JoinNode extends NodeBase {
  readonly kind: 'join';
  readonly joinType: JoinType;
  /** Equal-key expressions over the left input row and over the right input row, pairwise. */
  readonly leftKeys: readonly Expr[];
  readonly rightKeys: readonly Expr[];
  /** The rest of the ON condition, over the joined row; null when the keys say it all. */
  readonly condition: Expr | null;
  readonly interval?: {
    readonly leftTimeIndex: number;
    readonly rightTimeIndex: number;
    readonly lower: number;
    readonly upper: number;
  };
  /**
   * Event-time temporal join (`JOIN r FOR SYSTEM_TIME AS OF l.ts`): each left row meets the version
   * of its key in the right (versioned) table valid at its time; insert-only; INNER or LEFT.
   */
  readonly temporal?: { readonly leftTimeIndex: number; readonly rightTimeIndex: number };
  /**
   * Window join: both inputs are results of the same kind of window and the ON condition equals
   * their window_start and window_end. Rows of a window are joined when the watermark passes its
   * end (Flink's WindowJoinOperator); insert-only, outer rows padded then. Indexes of window_end
   * in the left and right rows.
   */
  readonly window?: { readonly leftEndIndex: number; readonly rightEndIndex: number };
}

/**
 * OVER aggregation (`agg(x) OVER (PARTITION BY ... ORDER BY <rowtime> ROWS|RANGE ...)`): each input
 * row with the aggregates over the rows of its partition in the frame that ends at it, emitted in
 * event-time order once the watermark passes it (engine/plan/over.ts). Output: [...input,
 * ...aggregates]; insert-only; the input's time attributes stay time attributes.
 */
export interface OverAggregateNode extends NodeBase {
  readonly kind: 'over-aggregate';
  readonly partitionKeys: readonly Expr[];
  /** The rowtime column the window is ordered by (ascending). */
  readonly timeIndex: number;
  /** ROWS (a count of rows) or RANGE (ms) before the current row; preceding null: UNBOUNDED PRECEDING. */
  readonly frame: { readonly rows: boolean; readonly preceding: number | null };
  readonly aggregates: readonly AggregateCall[];
  /**
   * LAG(value, offset, default) calls, output after the aggregates: the value `offset` rows back
   * in the partition (peers of a RANGE window count as rows before each other, Flink's LagAggFunction),
   * else `default` (evaluated on the latest row); a NULL value reads as `nullAs` (Flink's placeholder
   * when a NOT NULL default makes the result NOT NULL). Only in UNBOUNDED PRECEDING windows, as in Flink.
   */
  readonly lags?: readonly {
    readonly value: Expr;
    readonly offset: number;
    readonly defaultValue: Expr | null;
    readonly type: SqlType;
    readonly nullAs: unknown;
  }[];
}

/** One ORDER BY key of a window function. */
export interface SortKey {
  readonly expr: Expr;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/**
 * ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) (engine/plan/over.ts), limited by a WHERE on the
 * row number above it to a Top-N (engine/plan/top-n.ts): the rows numbered range.start..range.end
 * per partition, updating (+I/-U/+U/-D as the ranking changes). Output: [...input, row number]
 * when outputRankNumber, else the input's columns. A rank node no WHERE limits (range null) is an
 * OVER aggregate counting rows when ordered by the rowtime, and refused otherwise, as in Flink.
 * With `window`, a window Top-N: ranked per window of a window aggregate's (or window TVF's) rows,
 * emitted once when the watermark passes the window's end; insert-only.
 */
export interface RankNode extends NodeBase {
  readonly kind: 'rank';
  readonly partitionKeys: readonly Expr[];
  readonly orderBy: readonly SortKey[];
  readonly range: { readonly start: number; readonly end: number } | null;
  readonly outputRankNumber: boolean;
  /** Window Top-N: the input's window_end column. */
  readonly window?: { readonly endIndex: number };
  /** Where ROW_NUMBER() is written, for messages. */
  readonly pos: SourcePos;
}

/**
 * Deduplication: `ROW_NUMBER() OVER (PARTITION BY k ORDER BY <time attribute> [DESC])` with `rn = 1`:
 * per key the first (ASC) or last (DESC) row by event time, or by arrival on processing time.
 * Output: the input's columns. Updating (Flink's RowTimeDeduplicateFunction replaces the kept row
 * as earlier or later rows arrive), except keeping the first row on processing time; with
 * `window`, per window, emitted when the watermark passes the window's end; insert-only.
 */
export interface DeduplicateNode extends NodeBase {
  readonly kind: 'deduplicate';
  readonly keys: readonly Expr[];
  readonly timeIndex: number;
  /** Ordered by a processing-time attribute: rows in arrival order; keeping the first is insert-only. */
  readonly proctime?: true;
  readonly keepLast: boolean;
  readonly window?: { readonly endIndex: number };
  readonly pos: SourcePos;
}

/**
 * A lookup join (`JOIN t FOR SYSTEM_TIME AS OF o.proc_time ON o.k = t.k`): each row of the one
 * input asks the table (its connector's LookupReader: jdbc, filesystem) for the rows whose key
 * columns equal its keys, as Flink's LookupJoin does; the table is not scanned. Output row:
 * [...input, ...table columns]; INNER or LEFT (NULL-padded); keeps the input's changelog mode.
 */
export interface LookupJoinNode extends NodeBase {
  readonly kind: 'lookup-join';
  readonly table: TableDef;
  readonly joinType: 'INNER' | 'LEFT';
  /** Key expressions over the input row, already of the key columns' types. */
  readonly keys: readonly Expr[];
  /** The table's key columns, as indexes into its physical columns (what the LookupReader is asked by). */
  readonly keyColumns: readonly number[];
  /** The rest of the ON condition, over [...input, ...table columns]; null when the keys say it all. */
  readonly condition: Expr | null;
}

/**
 * A window TVF's rows without GROUP BY (window Top-N and deduplication read them): each input row
 * once per TUMBLE / HOP / CUMULATE window it falls in. Output: [...input, window_start, window_end,
 * window_time]; window_time and the input's time attributes are time attributes; insert-only.
 */
export interface WindowTableNode extends NodeBase {
  readonly kind: 'window-table';
  readonly window: WindowSpec;
}

/**
 * A value read from the rows of a (partial) match. `row`: the column of one row of `variable`'s
 * rows (or all rows, `*`), counted from the first (`first`) or the last, null when there are not
 * that many; in DEFINE the row being tested is the last row of its own variable and of `*`.
 * `aggregate`: an aggregate over those rows. `match-rowtime`: the time the match was emitted at.
 */
export type MatchSlot =
  | {
      readonly kind: 'row';
      readonly variable: string;
      readonly first: boolean;
      readonly offset: number;
      readonly column: number;
      readonly type: SqlType;
    }
  | {
      readonly kind: 'aggregate';
      readonly variable: string;
      readonly call: AggregateCall;
      readonly type: SqlType;
    }
  | { readonly kind: 'match-rowtime'; readonly type: SqlType };

/** Expressions over slots: column i of `exprs` reads slot i. */
export interface MatchFormulas {
  readonly slots: readonly MatchSlot[];
  readonly exprs: readonly Expr[];
}

/** One variable of the pattern as Flink's CEP Pattern holds it. */
export interface MatchVariable {
  readonly name: string;
  /** LOOPING (`*`, `+`, `{n,}`), TIMES (`{n}`, `{n,m}`) or SINGLE. */
  readonly quantifier: 'single' | 'looping' | 'times';
  /** Times.from / Times.to (looping: to = from). */
  readonly from: number;
  readonly to: number;
  readonly optional: boolean;
  readonly greedy: boolean;
  /** Index into `conditions`, or null: no DEFINE (always true). */
  readonly condition: number | null;
  /** As written in PATTERN (`B+?`), for EXPLAIN. */
  readonly written: string;
}

export type MatchSkip =
  | { readonly kind: 'past-last-row' | 'to-next-row' }
  | { readonly kind: 'to-first' | 'to-last'; readonly variable: string };

/**
 * MATCH_RECOGNIZE (engine/plan/match-recognize.ts): per partition, rows in event-time order (held
 * until the watermark passes them) run through Flink's CEP automaton for `pattern`; each match
 * gives one row: [...partition keys, ...measures]. Insert-only; MATCH_ROWTIME() is its rowtime.
 */
export interface MatchRecognizeNode extends NodeBase {
  readonly kind: 'match-recognize';
  readonly partitionKeys: readonly number[];
  /** The rowtime the rows are ordered by; `orderBy`: the further ORDER BY keys (rows of one time). */
  readonly timeIndex: number;
  readonly orderBy: readonly SortKey[];
  readonly pattern: readonly MatchVariable[];
  readonly after: MatchSkip;
  readonly withinMs: number | null;
  /** One per DEFINE, each a single BOOLEAN expression over its slots. */
  readonly conditions: readonly MatchFormulas[];
  readonly measures: MatchFormulas;
  readonly pos: SourcePos;
}

/** A node's one input (every node kind but union and scan has exactly one). */
export function inputOf(node: PlanNode): PlanNode {
  const input = node.inputs[0];
  if (!input || node.inputs.length !== 1)
    throw new Error(`internal: ${node.kind} node has ${node.inputs.length} inputs`);
  return input;
}

/** One INSERT (or bare SELECT) of a job: the plan graph's node that feeds one sink. */
export interface Pipeline {
  readonly root: PlanNode;
  /** The sink table; a bare SELECT prints (sink undefined). */
  readonly sink?: TableDef;
  /** The statement's text position, for messages. */
  readonly pos: SourcePos;
}

export interface JobPlan {
  readonly file: string;
  readonly settings: ReadonlyMap<string, string>;
  readonly tables: ReadonlyMap<string, TableDef>;
  readonly pipelines: readonly Pipeline[];
  /** Table that receives late records (SET 'fintrans.late-records.sink' = '<table>'), if any. */
  readonly lateSink?: TableDef;
  /** Statements that were EXPLAIN: print these pipelines' plans instead of running them. */
  readonly explain: readonly Pipeline[];
}
