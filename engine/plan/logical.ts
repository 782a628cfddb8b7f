// The logical plan: what a job computes, as plain data (schemas, typed expressions, window specs).
// Nothing here runs; engine/runtime/build.ts is the one bridge from this to running operators.

import type { SourcePos } from '../errors.js';
import type { OptionBag } from '../options.js';
import type { Field, Schema } from '../types.js';
import type { AggregateCall, Expr } from './expr.js';
import type { ConnectorDefinition } from '../../connectors/api.js';
import type { FormatDefinition } from '../formats/api.js';

/** A column of a declared table, at its position in the table's row. */
export interface TableColumn extends Field {
  readonly kind: 'physical' | 'computed' | 'metadata';
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

export type PlanNode = ScanNode | FilterNode | ProjectNode | WindowAggregateNode | GroupAggregateNode;

export interface ScanNode {
  readonly kind: 'scan';
  readonly table: TableDef;
  readonly schema: Schema;
}

export interface FilterNode {
  readonly kind: 'filter';
  readonly input: PlanNode;
  readonly predicate: Expr;
  readonly schema: Schema;
}

export interface ProjectNode {
  readonly kind: 'project';
  readonly input: PlanNode;
  readonly exprs: readonly Expr[];
  readonly schema: Schema;
}

/**
 * Windowed aggregation. Output row: [...keys, window_start, window_end, window_time, ...aggregates].
 * Rows arrive without late ones (a LateRecordFilter sits in front at runtime).
 */
export interface WindowAggregateNode {
  readonly kind: 'window-aggregate';
  readonly input: PlanNode;
  readonly window: WindowSpec;
  readonly keys: readonly Expr[];
  readonly aggregates: readonly AggregateCall[];
  readonly schema: Schema;
}

/** Running (non-windowed) aggregation: emits the group's new row on every input. Output: [...keys, ...aggregates]. */
export interface GroupAggregateNode {
  readonly kind: 'group-aggregate';
  readonly input: PlanNode;
  readonly keys: readonly Expr[];
  readonly aggregates: readonly AggregateCall[];
  readonly schema: Schema;
}

/** One INSERT (or bare SELECT) of a job: a chain of nodes from one source table into one sink. */
export interface Pipeline {
  readonly root: PlanNode;
  /** The sink table; a bare SELECT prints (sink undefined). */
  readonly sink?: TableDef;
  /** The statement's text position, for messages. */
  readonly pos: SourcePos;
  /** The source table the chain starts from. */
  readonly source: TableDef;
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
