// The one bridge from the logical plan to running parts: connectors' sources and sinks, and for
// each pipeline its chain of operators with compiled expressions. Building reads and validates all
// options, so `validate` and `explain` use it too without opening anything.

import { createHash } from 'node:crypto';
import { formatPos, printable, SqlError } from '../errors.js';
import { OptionBag } from '../options.js';
import type { GroupAggregateNode, JobPlan, PlanNode, Pipeline, TableDef, WindowAggregateNode } from '../plan/logical.js';
import type { Row } from '../types.js';
import { Aggregation } from '../exec/aggregation.js';
import { compilePredicate, compileProjection } from '../exec/compile.js';
import { FilterOperator } from '../exec/filter.js';
import { GroupAggregateOperator } from '../exec/group-aggregate.js';
import { LateRecordFilter } from '../exec/late-filter.js';
import { FanOut, type Operator } from '../exec/operator.js';
import { ProjectOperator } from '../exec/project.js';
import { SessionWindowOperator } from '../exec/session-window.js';
import { SinkOperator } from '../exec/sink.js';
import { SlicedWindowOperator } from '../exec/sliced-window.js';
import { WindowAggregateOperator } from '../exec/window-aggregate.js';
import { WindowAssigner } from '../exec/window-assigner.js';
import type { ConnectorContext, SinkWriter } from '../../connectors/api.js';
import { printConnector } from '../../connectors/print/print.js';
import { SourceRunner, describeWatermark } from './source-runner.js';
import { valueToText } from '../values.js';

export interface BuildOptions {
  readonly cwd: string;
  /** Where connectors tell the user something they must know (an earlier output kept aside). */
  readonly notify?: (message: string) => void;
}

export interface BuiltSink {
  readonly name: string;
  readonly writer: SinkWriter;
  readonly operators: SinkOperator[];
}

export interface LateStats {
  count: number;
  readonly samples: string[];
}

export interface BuiltJob {
  readonly plan: JobPlan;
  readonly sources: SourceRunner[];
  readonly sinks: BuiltSink[];
  /** Every stateful operator, in a stable order, for checkpoints and progress. */
  readonly stateful: Operator[];
  /** Who each of `stateful` is, for savepoints: restoring a changed job matches state by uid. */
  readonly stateIds: readonly StateId[];
  readonly late: LateStats;
  /** Open windows right now, over all window operators. */
  openWindows(): number;
}

/**
 * A stateful operator's identity across edits of its job. `uid` hashes what its state means (the
 * operator's kind, window, group keys and aggregates with their types, its source table), not where
 * it sits: an added filter, a changed HAVING or sink keep it; changed keys or aggregates do not. Two
 * operators of the same shape are told apart by their order (#1, #2).
 */
export interface StateId {
  readonly uid: string;
  /** For messages: which operator, in words. */
  readonly what: string;
}

export function buildJob(plan: JobPlan, opts: BuildOptions): BuiltJob {
  const sinks = new Map<string, BuiltSink>();
  const stateful: Operator[] = [];
  const stateIds: StateId[] = [];
  const uidCounts = new Map<string, number>();
  const addStateful = (op: Operator, kind: string, node: WindowAggregateNode | GroupAggregateNode, pipeline: Pipeline) => {
    const shape = JSON.stringify({ kind, window: node.kind === 'window-aggregate' ? node.window : null, keys: node.keys, aggregates: node.aggregates, source: pipeline.source.name }, (key, value) =>
      key === 'pos' ? undefined : typeof value === 'bigint' ? `${value}n` : value,
    );
    const hash = createHash('sha256').update(shape).digest('hex').slice(0, 16);
    const n = (uidCounts.get(hash) ?? 0) + 1;
    uidCounts.set(hash, n);
    const windowText = node.kind === 'window-aggregate' ? `${node.window.kind} window ` : 'running ';
    const what = `${kind === 'late-filter' ? 'the late-record filter of the ' : 'the '}${windowText}aggregate over '${pipeline.source.name}' (${node.keys.length} group key${node.keys.length === 1 ? '' : 's'}, ${node.aggregates.length} aggregate${node.aggregates.length === 1 ? '' : 's'}) of the INSERT at ${formatPos(pipeline.pos)}`;
    stateful.push(op);
    stateIds.push({ uid: `${hash}#${n}`, what });
  };
  const windowOps: { openWindows: number }[] = [];
  const late: LateStats = { count: 0, samples: [] };

  const sinkFor = (table: TableDef | undefined, pipeline: Pipeline): BuiltSink => {
    const name = table?.name ?? '<print>';
    let s = sinks.get(name);
    if (!s) {
      const writer = table ? createSink(table, plan, opts) : printConnector.createSink!(printContext(pipeline, plan, opts));
      s = { name, writer, operators: [] };
      sinks.set(name, s);
    }
    const op = new SinkOperator();
    s.operators.push(op);
    return s;
  };

  // The source row last reported late, per source table. Several INSERTs reading one source share
  // each row object (FanOut hands the same row to every pipeline in turn), so a record late for
  // several of them is counted and written once.
  const lastLateRow = new Map<string, Row>();
  const firstReport = (source: TableDef, row: Row): boolean => {
    if (lastLateRow.get(source.name) === row) return false;
    lastLateRow.set(source.name, row);
    return true;
  };

  // Late records go to the declared late sink (columns taken by name from the source row), or are only counted.
  const lateHandler = (source: TableDef, pipeline: Pipeline): ((row: Row, wm: number) => void) => {
    if (!plan.lateSink) {
      return (row, wm) => {
        if (!firstReport(source, row)) return;
        late.count++;
        if (late.samples.length < 3) late.samples.push(printable(`${source.name}: ${describeRow(source, row)} (watermark ${describeWatermark(wm)})`));
      };
    }
    const lateTable = plan.lateSink;
    const cols = lateTable.columns.filter((c) => c.kind === 'physical');
    const idx = cols.map((c) => {
      const i = source.columns.findIndex((sc) => sc.name === c.name);
      if (i < 0) {
        throw new SqlError(lateTable.pos, `late-records table '${lateTable.name}' has column '${c.name}', which table '${source.name}' does not have`, `give '${lateTable.name}' columns named like those of '${source.name}'`);
      }
      return i;
    });
    const sink = sinkFor(lateTable, pipeline);
    const op = sink.operators[sink.operators.length - 1]!;
    return (row) => {
      if (!firstReport(source, row)) return;
      late.count++;
      op.process(idx.map((i) => row[i]));
    };
  };

  const chain = (node: PlanNode, next: Operator, pipeline: Pipeline): Operator => {
    switch (node.kind) {
      case 'scan':
        return next;
      case 'filter':
        // HAVING right after a TUMBLE/HOP/CUMULATE aggregate is applied by it as it emits (WindowOutput).
        if (node.input.kind === 'window-aggregate' && node.input.window.kind !== 'SESSION') {
          return windowAggregate(node.input, next, pipeline, compilePredicate(node.predicate));
        }
        return chain(node.input, new FilterOperator(compilePredicate(node.predicate), next), pipeline);
      case 'project':
        return chain(node.input, new ProjectOperator(compileProjection(node.exprs), next), pipeline);
      case 'group-aggregate': {
        const op = new GroupAggregateOperator(new Aggregation(node.keys, node.aggregates), next);
        addStateful(op, 'group-aggregate', node, pipeline);
        return chain(node.input, op, pipeline);
      }
      case 'window-aggregate':
        return windowAggregate(node, next, pipeline, null);
    }
  };

  const windowAggregate = (node: WindowAggregateNode, next: Operator, pipeline: Pipeline, having: ((row: Row) => boolean) | null): Operator => {
    const agg = new Aggregation(node.keys, node.aggregates);
    const w = node.window;
    const assigner = new WindowAssigner(w);
    // HOP by slices when every aggregate can merge: one state per group and slice instead of
    // one per group and window (size / slide of them).
    const op =
      w.kind === 'SESSION'
        ? new SessionWindowOperator(w.sizeMs, w.timeIndex, agg, having ? new FilterOperator(having, next) : next)
        : w.kind === 'HOP' && agg.mergeable
          ? new SlicedWindowOperator(w.sizeMs, w.slideMs, w.offsetMs, w.timeIndex, agg, next, having, w.legacy !== true)
          : new WindowAggregateOperator(assigner, w.timeIndex, agg, next, having);
    addStateful(op, op.constructor.name, node, pipeline);
    windowOps.push(op);
    const lateFilter = new LateRecordFilter(assigner, w.timeIndex, lateHandler(pipeline.source, pipeline), op);
    addStateful(lateFilter, 'late-filter', node, pipeline);
    return chain(node.input, lateFilter, pipeline);
  };

  const heads = new Map<string, Operator[]>();
  for (const p of plan.pipelines) {
    const sink = sinkFor(p.sink, p);
    const head = chain(p.root, sink.operators[sink.operators.length - 1]!, p);
    const list = heads.get(p.source.name) ?? [];
    list.push(head);
    heads.set(p.source.name, list);
  }

  const sources: SourceRunner[] = [];
  for (const [name, list] of heads) {
    const table = plan.tables.get(name)!;
    sources.push(createSourceRunner(table, list.length === 1 ? list[0]! : new FanOut(list), plan, opts));
  }
  for (const t of plan.tables.values()) t.options.finish();

  return {
    plan,
    sources,
    sinks: [...sinks.values()],
    stateful,
    stateIds,
    late,
    openWindows: () => windowOps.reduce((n, o) => n + o.openWindows, 0),
  };
}

function context(table: TableDef, plan: JobPlan, opts: BuildOptions): ConnectorContext {
  return {
    table: table.name,
    tablePos: table.pos,
    options: table.options,
    physical: table.columns.filter((c) => c.kind === 'physical').map((c) => ({ name: c.name, type: c.type })),
    primaryKey: table.primaryKey,
    metadataKeys: table.columns.filter((c) => c.kind === 'metadata').map((c) => c.metadataKey!),
    settings: plan.settings,
    cwd: opts.cwd,
    format: table.format,
    notify: opts.notify,
  };
}

function printContext(pipeline: Pipeline, plan: JobPlan, opts: BuildOptions): ConnectorContext {
  return {
    table: 'print',
    tablePos: pipeline.pos,
    options: OptionBag.of({}),
    physical: pipeline.root.schema,
    settings: plan.settings,
    cwd: opts.cwd,
  };
}

function createSink(table: TableDef, plan: JobPlan, opts: BuildOptions): SinkWriter {
  if (!table.connector.createSink) {
    throw new SqlError(table.pos, `connector '${table.connectorName}' of table '${table.name}' cannot be written to`, `INSERT INTO a table with a sink connector (filesystem, print, kafka, blackhole)`);
  }
  return table.connector.createSink(context(table, plan, opts));
}

function createSourceRunner(table: TableDef, head: Operator, plan: JobPlan, opts: BuildOptions): SourceRunner {
  if (!table.connector.createSource) {
    throw new SqlError(table.pos, `connector '${table.connectorName}' of table '${table.name}' cannot be read from`, `SELECT FROM a table with a source connector (filesystem, kafka)`);
  }
  const ctx = context(table, plan, opts);
  const reader = table.connector.createSource(ctx);
  const format = table.format!;
  const decoder = format.createDecoder(
    table.columns.map((c, i) => ({ name: c.name, type: c.type, rowIndex: i, kind: c.kind })).filter((c) => c.kind === 'physical'),
    table.options,
  );
  return new SourceRunner(table, reader, head, decoder, format.ignoreParseErrors(table.options), { settings: plan.settings });
}

function describeRow(table: TableDef, row: Row): string {
  return table.columns
    .filter((c) => c.kind === 'physical')
    .map((c) => `${c.name}=${valueToText(row[table.columns.indexOf(c)], c.type) ?? 'NULL'}`)
    .join(', ');
}
