// The one bridge from the logical plan to running parts: connectors' sources and sinks, and for
// each pipeline its chain of operators with compiled expressions. Building reads and validates all
// options, so `validate` and `explain` use it too without opening anything.

import { createHash } from 'node:crypto';
import { formatPos, printable, SqlError } from '../errors.js';
import { OptionBag } from '../options.js';
import {
  inputOf,
  type FilterNode,
  type GroupAggregateNode,
  type JobPlan,
  type JoinNode,
  type LookupJoinNode,
  type MatchRecognizeNode,
  type PlanNode,
  type Pipeline,
  type ScanNode,
  type TableDef,
  type UnionNode,
  type WindowAggregateNode,
} from '../plan/logical.js';
import { sourceTables } from '../plan/planner.js';
import { INSERT, type Row } from '../types.js';
import { DropUpdateBefore, UpdatesAsInserts } from '../exec/sink-changes.js';
import { UnionOperator } from '../exec/union.js';
import { RegularJoinOperator } from '../exec/regular-join.js';
import { IntervalJoinOperator } from '../exec/interval-join.js';
import { rowIdentity, type TwoInputOperator } from '../exec/two-input.js';
import { TemporalJoinOperator } from '../exec/temporal-join.js';
import { WindowJoinOperator } from '../exec/window-join.js';
import { SemiAntiJoinOperator } from '../exec/semi-join.js';
import { LookupJoinOperator } from '../exec/lookup-join.js';
import { StateTtl } from '../exec/state-ttl.js';
import { stateTtlMs } from '../plan/settings.js';
import { Aggregation } from '../exec/aggregation.js';
import { compilePredicate, compileProjection, compileScalar } from '../exec/compile.js';
import type { Expr } from '../plan/expr.js';
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
import { WindowTableOperator } from '../exec/window-table.js';
import type { ConnectorContext, LookupReader, SinkWriter, SourceReader } from '../../connectors/api.js';
import { printConnector } from '../../connectors/print/print.js';
import { SourceRunner, describeWatermark } from './source-runner.js';
import { valueToText } from '../values.js';
import {
  describeMatchRecognize,
  matchRecognizeOperator,
  matchRecognizeState,
} from './build-match-recognize.js';
import {
  describeWindowFunction,
  isWindowFunction,
  windowFunctionOperator,
  windowFunctionState,
  type WindowFunctionNode,
} from './build-window-functions.js';

export interface BuildOptions {
  readonly cwd: string;
  /** Where connectors tell the user something they must know (an earlier output kept aside). */
  readonly notify?: (message: string) => void;
  /** The processing-time clock of state TTL (Date.now; tests pass their own). */
  readonly clock?: () => number;
  /**
   * Parallel runs (engine/runtime/parallel): a worker puts its exchange in front of each keyed
   * operator (`head` receives the node's input rows), taps each source's rows, and reads the
   * chunks the coordinator hands it instead of the table's own reader (still made: options checked).
   */
  readonly parallel?: {
    readonly wrapInput: (node: PlanNode, head: Operator) => Operator;
    readonly wrapSource: (table: TableDef, out: Operator) => Operator;
    readonly reader: (table: TableDef, own: SourceReader) => SourceReader;
  };
  /**
   * Where a bare SELECT's rows go: by default the print connector (stdout, as Flink's print sink);
   * the SQL shell (app/shell) passes a writer that hands each change to its live result view.
   */
  readonly selectSink?: (ctx: ConnectorContext) => SinkWriter;
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
  readonly stateful: StatefulOperator[];
  /** Who each of `stateful` is, for savepoints: restoring a changed job matches state by uid. */
  readonly stateIds: readonly StateId[];
  readonly late: LateStats;
  /** Open windows right now, over all window operators. */
  openWindows(): number;
  /** The tables lookup joins ask (opened with the sources, closed at the end), and their operators. */
  readonly lookups: readonly {
    readonly table: string;
    readonly reader: LookupReader;
    readonly operator: LookupJoinOperator;
  }[];
}

/**
 * Passes on what lookup joins hold (see LookupJoinOperator): after each source batch, before a
 * checkpoint and at the end. Upstream joins first, so rows they pass on are drained too.
 */
export async function drainLookups(job: BuiltJob): Promise<void> {
  while (job.lookups.some((l) => l.operator.pending)) {
    for (let i = job.lookups.length - 1; i >= 0; i--) await job.lookups[i]!.operator.drain();
  }
}

/**
 * A stateful operator's identity across edits of its job. `uid` hashes what its state means (the
 * operator's kind, window, group keys and aggregates with their types, its source table), not where
 * it sits: an added filter, a changed HAVING or sink keep it; changed keys or aggregates do not. Two
 * operators of the same shape are told apart by their order (#1, #2).
 */
/** What checkpoints need of an operator with state. */
export interface StatefulOperator {
  snapshot(): unknown;
  restore(state: unknown): void;
}

export interface StateId {
  readonly uid: string;
  /** For messages: which operator, in words. */
  readonly what: string;
}

export const APPEND_UPDATES_SETTING = 'fintrans.sink.append-updates';

export function buildJob(plan: JobPlan, opts: BuildOptions): BuiltJob {
  const sinks = new Map<string, BuiltSink>();
  const stateful: StatefulOperator[] = [];
  const stateIds: StateId[] = [];
  const uidCounts = new Map<string, number>();
  const windowOps: { openWindows: number }[] = [];
  const late: LateStats = { count: 0, samples: [] };

  // The graph: every node reachable from an INSERT, who reads each node (and as which input), and
  // the first INSERT that reaches it (named in messages about its state).
  const consumers = new Map<PlanNode, { node: PlanNode; input: number }[]>();
  const owner = new Map<PlanNode, Pipeline>();
  const scans: ScanNode[] = [];
  const visit = (node: PlanNode, p: Pipeline): void => {
    if (owner.has(node)) return;
    owner.set(node, p);
    if (node.kind === 'scan') scans.push(node);
    node.inputs.forEach((input, i) => {
      const list = consumers.get(input) ?? [];
      list.push({ node, input: i });
      consumers.set(input, list);
      visit(input, p);
    });
  };
  for (const p of plan.pipelines) visit(p.root, p);

  const addStateful = (
    op: StatefulOperator,
    kind: string,
    node: WindowAggregateNode | GroupAggregateNode | JoinNode | WindowFunctionNode | MatchRecognizeNode,
  ) => {
    const tables = sourceTables(node).map((t) => t.name);
    const source = tables.length === 1 ? tables[0] : tables;
    const meaning: object =
      node.kind === 'match-recognize'
        ? matchRecognizeState(node)
        : isWindowFunction(node)
          ? windowFunctionState(node)
          : node.kind === 'join'
            ? {
                joinType: node.joinType,
                leftKeys: node.leftKeys,
                rightKeys: node.rightKeys,
                condition: node.condition,
                interval: node.interval ?? null,
                temporal: node.temporal ?? null,
                window: node.window ?? null,
              }
            : { keys: node.keys, aggregates: node.aggregates };
    const shape = JSON.stringify(
      { kind, window: node.kind === 'window-aggregate' ? node.window : null, ...meaning, source },
      (key, value) => (key === 'pos' ? undefined : typeof value === 'bigint' ? `${value}n` : value),
    );
    const hash = createHash('sha256').update(shape).digest('hex').slice(0, 16);
    const n = (uidCounts.get(hash) ?? 0) + 1;
    uidCounts.set(hash, n);
    const pipeline = owner.get(node)!;
    const described =
      node.kind === 'match-recognize'
        ? describeMatchRecognize(node, tables)
        : isWindowFunction(node)
          ? describeWindowFunction(node, tables)
          : node.kind === 'join'
            ? `the ${node.window ? 'window ' : node.temporal ? 'temporal ' : node.interval ? 'interval ' : ''}${node.joinType.toLowerCase()} join of '${tables.join("', '")}' (${node.leftKeys.length} key${node.leftKeys.length === 1 ? '' : 's'})`
            : `${kind === 'late-filter' ? 'the late-record filter of the ' : 'the '}${node.kind === 'window-aggregate' ? `${node.window.kind} window ` : 'running '}aggregate over '${tables.join("', '")}' (${node.keys.length} group key${node.keys.length === 1 ? '' : 's'}, ${node.aggregates.length} aggregate${node.aggregates.length === 1 ? '' : 's'})`;
    const what = `${described} of the INSERT at ${formatPos(pipeline.pos)}`;
    stateful.push(op);
    stateIds.push({ uid: `${hash}#${n}`, what });
  };

  const sinkFor = (
    table: TableDef | undefined,
    pipeline: Pipeline,
  ): { sink: BuiltSink; op: SinkOperator } => {
    // Each bare SELECT prints its own rows with its own columns.
    const name = table?.name ?? `<print ${formatPos(pipeline.pos)}>`;
    let s = sinks.get(name);
    if (!s) {
      const writer = table
        ? createSink(table, plan, opts)
        : opts.selectSink
          ? opts.selectSink(printContext(pipeline, plan, opts))
          : printConnector.createSink!(printContext(pipeline, plan, opts));
      s = { name, writer, operators: [] };
      sinks.set(name, s);
    }
    const op = new SinkOperator();
    s.operators.push(op);
    return { sink: s, op };
  };

  // A row late for several windows (one source row read by several INSERTs: FanOut hands the same
  // row object to each) is counted and written once.
  let lastLateRow: Row | null = null;
  let lateSinkOp: SinkOperator | undefined;

  // Late records go to the declared late sink (columns taken by name from the late row), or are only counted.
  const lateHandler = (input: PlanNode): ((row: Row, wm: number) => void) => {
    const source = tableBehind(input);
    if (!plan.lateSink) {
      return (row, wm) => {
        if (lastLateRow === row) return;
        lastLateRow = row;
        late.count++;
        if (late.samples.length < 3)
          late.samples.push(
            printable(
              `${source?.name ?? 'query'}: ${describeRow(input, source, row)} (watermark ${describeWatermark(wm)})`,
            ),
          );
      };
    }
    const lateTable = plan.lateSink;
    const cols = lateTable.columns.filter((c) => c.kind === 'physical');
    const idx = cols.map((c) => {
      const i = input.schema.findIndex((f) => f.name === c.name);
      if (i < 0) {
        throw new SqlError(
          lateTable.pos,
          `late-records table '${lateTable.name}' has column '${c.name}', which the rows of ${source ? `table '${source.name}'` : 'a windowed query'} do not have`,
          `give '${lateTable.name}' columns named like those of ${source ? `'${source.name}'` : "the window's input"}`,
        );
      }
      return i;
    });
    lateSinkOp ??= sinkFor(lateTable, owner.get(input)!).op;
    const op = lateSinkOp;
    return (row) => {
      if (lastLateRow === row) return;
      lastLateRow = row;
      late.count++;
      op.process(
        idx.map((i) => row[i]),
        INSERT,
      );
    };
  };

  // SET 'table.exec.state.ttl': running aggregates and regular joins forget state not written for that long.
  const ttlMs = stateTtlMs(plan.settings) ?? null;
  const stateTtl = (): StateTtl | null => (ttlMs === null ? null : new StateTtl(ttlMs, opts.clock));

  // Whether every source feeding `input` is idle without having read anything (SourceRunner.silent).
  const runners = new Map<string, SourceRunner>();
  const silentInput = (input: PlanNode): (() => boolean) => {
    const tables = sourceTables(input).map((t) => t.name);
    return () => tables.every((t) => runners.get(t)?.silent === true);
  };

  const unions = new Map<UnionNode, UnionOperator>();
  const heads = new Map<PlanNode, Operator>();
  const outputs = new Map<PlanNode, Operator>();
  const sinkOps = new Map<PlanNode, Operator[]>();

  // Where a node's output rows go: every node that reads it, and the sinks it feeds.
  const outputOf = (node: PlanNode): Operator => {
    let out = outputs.get(node);
    if (!out) {
      const targets = [
        ...(consumers.get(node) ?? []).map((c) => inputPort(c.node, c.input)),
        ...(sinkOps.get(node) ?? []),
      ];
      out = targets.length === 1 ? targets[0]! : new FanOut(targets);
      outputs.set(node, out);
    }
    return out;
  };

  // Where rows for a node's `input`-th input go: the node's own operator, or its port for that input.
  const inputPort = (node: PlanNode, input: number): Operator => {
    if (node.kind === 'union') return unionOf(node).inputs[input]!;
    if (node.kind === 'join') return joinOf(node).inputs[input]!;
    return headOf(node);
  };

  const joins = new Map<JoinNode, TwoInputOperator>();
  const joinOf = (node: JoinNode): TwoInputOperator => {
    let op = joins.get(node);
    if (!op) {
      const [left, right] = node.inputs as [PlanNode, PlanNode];
      const keyOf: [(row: Row) => unknown, (row: Row) => unknown] = [
        compileJoinKey(node.leftKeys),
        compileJoinKey(node.rightKeys),
      ];
      const condition = node.condition ? compilePredicate(node.condition) : null;
      const widths: [number, number] = [left.schema.length, right.schema.length];
      op =
        (node.joinType === 'SEMI' || node.joinType === 'ANTI') && !node.window
          ? new SemiAntiJoinOperator(
              node.joinType === 'ANTI',
              keyOf,
              condition,
              widths,
              outputOf(node),
              stateTtl(),
            )
          : node.window
            ? new WindowJoinOperator(
                node.joinType,
                [node.window.leftEndIndex, node.window.rightEndIndex],
                keyOf,
                condition,
                widths,
                outputOf(node),
              )
            : node.temporal
              ? new TemporalJoinOperator(
                  node.joinType === 'LEFT',
                  [node.temporal.leftTimeIndex, node.temporal.rightTimeIndex],
                  keyOf,
                  condition,
                  widths,
                  outputOf(node),
                )
              : node.interval
                ? new IntervalJoinOperator(
                    node.joinType,
                    node.interval,
                    keyOf,
                    condition,
                    widths,
                    outputOf(node),
                  )
                : new RegularJoinOperator(
                    node.joinType,
                    keyOf,
                    condition,
                    widths,
                    outputOf(node),
                    stateTtl(),
                  );
      if (op instanceof WindowJoinOperator) windowOps.push(op);
      op.setIdleness(silentInput(left), silentInput(right));
      addStateful(
        op,
        node.window
          ? 'window-join'
          : node.temporal
            ? 'temporal-join'
            : node.interval
              ? 'interval-join'
              : 'join',
        node,
      );
      joins.set(node, op);
    }
    return op;
  };

  const unionOf = (node: UnionNode): UnionOperator => {
    let u = unions.get(node);
    if (!u) {
      u = new UnionOperator(node.inputs.length, outputOf(node));
      u.idle = node.inputs.map(silentInput);
      unions.set(node, u);
    }
    return u;
  };

  // The operator that receives a (single-input) node's input rows.
  const headOf = (node: PlanNode): Operator => {
    let head = heads.get(node);
    if (!head) {
      head = operatorFor(node);
      if (opts.parallel) head = opts.parallel.wrapInput(node, head);
      heads.set(node, head);
    }
    return head;
  };

  const operatorFor = (node: PlanNode): Operator => {
    switch (node.kind) {
      case 'scan':
      case 'union':
      case 'join':
        throw new Error(`internal: ${node.kind} has no single input`);
      case 'lookup-join':
        return lookupJoin(node);
      case 'filter':
        return new FilterOperator(compilePredicate(node.predicate), outputOf(node));
      case 'project':
        return new ProjectOperator(compileProjection(node.exprs), outputOf(node));
      case 'group-aggregate': {
        const input = inputOf(node);
        const op = new GroupAggregateOperator(
          new Aggregation(node.keys, node.aggregates, input.updating ? { retractable: true } : undefined),
          input.updating,
          outputOf(node),
          stateTtl(),
        );
        addStateful(op, 'group-aggregate', node);
        return op;
      }
      case 'window-aggregate':
        return windowAggregate(node);
      case 'window-table':
        return new WindowTableOperator(
          new WindowAssigner(node.window),
          node.window.timeIndex,
          outputOf(node),
        );
      case 'over-aggregate':
      case 'rank':
      case 'deduplicate':
        return windowFunctionOperator(node, {
          output: outputOf(node),
          late: () => lateHandler(inputOf(node)),
          stateful: (op, kind) => addStateful(op, kind, node),
          ttl: stateTtl,
          windows: (op) => windowOps.push(op),
        });
      case 'match-recognize':
        return matchRecognizeOperator(node, {
          output: outputOf(node),
          late: () => lateHandler(inputOf(node)),
          stateful: (op, kind) => addStateful(op, kind, node),
        });
    }
  };

  // Built from the end back, so lookups is filled downstream first (drainLookups goes the other way).
  const lookups: { table: string; reader: LookupReader; operator: LookupJoinOperator }[] = [];
  const lookupJoin = (node: LookupJoinNode): Operator => {
    const table = node.table;
    const reader = table.connector.createLookup!(context(table, plan, opts), node.keyColumns);
    const keyFns = node.keys.map((k) => compileScalar(k));
    const keyOf = (row: Row): unknown[] | null => {
      const k = keyFns.map((f) => f(row));
      return k.some((v) => v === null || v === undefined) ? null : k;
    };
    // A looked-up row holds the physical columns; the table's row has every column (computed ones filled).
    const physicalAt = table.columns.map((c, i) => (c.kind === 'physical' ? i : -1)).filter((i) => i >= 0);
    const computed = table.columns
      .map((c, i) => (c.kind === 'computed' ? { index: i, fn: compileScalar(c.expr!) } : null))
      .filter((c) => c !== null);
    const tableRow = (physical: Row): Row => {
      const row: Row = new Array(table.columns.length).fill(null);
      physicalAt.forEach((at, p) => (row[at] = physical[p]));
      for (const c of computed) row[c.index] = c.fn(row);
      return row;
    };
    const input = inputOf(node);
    const op = new LookupJoinOperator(
      reader,
      node.joinType === 'LEFT',
      keyOf,
      tableRow,
      node.condition ? compilePredicate(node.condition) : null,
      [input.schema.length, table.columns.length],
      outputOf(node),
    );
    lookups.push({ table: table.name, reader, operator: op });
    return op;
  };

  const windowAggregate = (node: WindowAggregateNode): Operator => {
    // HAVING read only by this window's rows is applied by the window operator as it emits (WindowOutput).
    const readers = consumers.get(node) ?? [];
    const having =
      readers.length === 1 &&
      !sinkOps.has(node) &&
      readers[0]!.node.kind === 'filter' &&
      node.window.kind !== 'SESSION'
        ? (readers[0]!.node as FilterNode)
        : undefined;
    const next = having ? outputOf(having) : outputOf(node);
    const havingFn = having ? compilePredicate(having.predicate) : null;
    const agg = new Aggregation(node.keys, node.aggregates);
    const w = node.window;
    const assigner = new WindowAssigner(w);
    // HOP by slices when every aggregate can merge: one state per group and slice instead of
    // one per group and window (size / slide of them).
    const op =
      w.kind === 'SESSION'
        ? new SessionWindowOperator(w.sizeMs, w.timeIndex, agg, next)
        : w.kind === 'HOP' && agg.mergeable
          ? new SlicedWindowOperator(
              w.sizeMs,
              w.slideMs,
              w.offsetMs,
              w.timeIndex,
              agg,
              next,
              havingFn,
              w.legacy !== true,
            )
          : new WindowAggregateOperator(assigner, w.timeIndex, agg, next, havingFn);
    addStateful(op, op.constructor.name, node);
    windowOps.push(op);
    const input = inputOf(node);
    const lateFilter = new LateRecordFilter(assigner, w.timeIndex, lateHandler(input), op);
    addStateful(lateFilter, 'late-filter', node);
    return lateFilter;
  };

  // Thrown once every option was read: a misspelt option is the first thing to fix.
  let refusal: SqlError | undefined;
  const appendUpdates = /^true$/i.test(plan.settings.get(APPEND_UPDATES_SETTING)?.trim() ?? '');
  for (const p of plan.pipelines) {
    const { sink, op } = sinkFor(p.sink, p);
    let target: Operator = op;
    if (p.root.updating) {
      const accepts = sink.writer.accepts ?? 'insert-only';
      // Flink keeps the -U rows when a filter sits on the updates (FLINK-9528: with only +U, a
      // 'cnt < 10' after an aggregate would leave the key's old row); the sink then deletes the
      // key on a -U whose +U the filter dropped, as Flink's JDBC sink does.
      if (accepts === 'upsert') target = filtersUpdates(p.root) ? op : new DropUpdateBefore(op);
      else if (accepts === 'insert-only') {
        if (!appendUpdates) refusal ??= updatingIntoAppendSink(p, sink.name);
        target = new UpdatesAsInserts(op);
      }
    }
    const list = sinkOps.get(p.root) ?? [];
    list.push(target);
    sinkOps.set(p.root, list);
  }
  // Build from each INSERT's end back to its sources (operators are made before what feeds them).
  for (const p of plan.pipelines) outputOf(p.root);

  const sources: SourceRunner[] = [];
  for (const scan of scans) {
    const out = opts.parallel ? opts.parallel.wrapSource(scan.table, outputOf(scan)) : outputOf(scan);
    const runner = createSourceRunner(scan.table, out, plan, opts);
    runners.set(scan.table.name, runner);
    sources.push(runner);
  }
  // Tables only an EXPLAIN reads are not built: their options are not checked beyond the connector's.
  const built = new Set<TableDef>(
    [...sinks.keys()].map((n) => plan.tables.get(n)).filter((t): t is TableDef => t !== undefined),
  );
  for (const p of plan.pipelines) for (const t of sourceTables(p.root)) built.add(t);
  for (const t of plan.tables.values()) {
    if (!built.has(t)) t.options.skipUnused();
    t.options.finish();
  }
  if (refusal) throw refusal;

  return {
    plan,
    sources,
    sinks: [...sinks.values()],
    stateful,
    stateIds,
    late,
    openWindows: () => windowOps.reduce((n, o) => n + o.openWindows, 0),
    lookups,
  };
}

/** A join key of a row: one value, or an exact string of several; null when any is NULL (it meets nothing). */
function compileJoinKey(keys: readonly Expr[]): (row: Row) => unknown {
  const fns = keys.map((k) => compileScalar(k));
  if (fns.length === 0) return () => 0;
  if (fns.length === 1) {
    const f = fns[0]!;
    return (row) => {
      const v = f(row);
      return v === undefined ? null : v;
    };
  }
  return (row) => {
    const values = fns.map((f) => f(row));
    return values.some((v) => v === null || v === undefined) ? null : rowIdentity(values);
  };
}

/** Flink's refusal of an updating query into an append-only sink, with the ways out. */
function updatingIntoAppendSink(p: Pipeline, sinkName: string): SqlError {
  const producer = updatingProducer(p.root);
  const keys = upsertKeyNames(p.root)?.join(', ');
  return new SqlError(
    p.pos,
    `table '${sinkName}' only appends rows, but this query's result is updated as rows arrive (it comes from ${describeProducer(producer)}); Flink refuses this too`,
    `aggregate over a window (FROM TABLE(TUMBLE(...)) GROUP BY window_start, window_end, ...) for final rows; or declare PRIMARY KEY (${keys || '...'}) NOT ENFORCED on the sink (filesystem, elasticsearch and jdbc tables then apply updates by key); or SET '${APPEND_UPDATES_SETTING}' = 'true' to append each new value as a row`,
  );
}

/** The sink columns that hold the group keys of the running aggregate right below the sink's projection, if all do. */
function upsertKeyNames(root: PlanNode): string[] | undefined {
  if (root.kind !== 'project') return undefined;
  let below = inputOf(root);
  while (below.kind === 'filter') below = inputOf(below);
  if (below.kind !== 'group-aggregate') return undefined;
  const names = below.keys.map((_, i) => {
    const j = root.exprs.findIndex((e) => e.kind === 'column' && e.index === i);
    return j < 0 ? undefined : root.schema[j]!.name;
  });
  return names.every((n) => n !== undefined) ? (names as string[]) : undefined;
}

function describeProducer(node: PlanNode | undefined): string {
  if (node?.kind === 'join' && node.joinType === 'ANTI')
    return 'a NOT IN / NOT EXISTS sub-query: a row goes out while nothing matches it, and is taken back when something does';
  if (node?.kind === 'join' && node.joinType === 'SEMI')
    return 'an IN / EXISTS sub-query over an updating input';
  if (node?.kind === 'join')
    return node.joinType === 'INNER'
      ? 'a join of an updating input'
      : `a ${node.joinType} join without time bounds: a row's NULL-padded result is taken back when its partner arrives`;
  if (node?.kind === 'group-aggregate' && node.aggregates.length === 0)
    return 'a running DISTINCT without a window';
  if (node?.kind === 'rank')
    return 'a Top-N (ROW_NUMBER() ... WHERE rn <= N): rows leave and enter the top N as others arrive';
  if (node?.kind === 'deduplicate')
    return `a deduplication (ROW_NUMBER() ... WHERE rn = 1): the kept row is replaced when ${node.keepLast ? 'a later' : 'an earlier'} one arrives`;
  return 'a running GROUP BY without a window';
}

function updatingProducer(node: PlanNode): PlanNode | undefined {
  if (
    node.kind === 'group-aggregate' ||
    ((node.kind === 'rank' || node.kind === 'deduplicate') && !node.inputs[0]!.updating)
  )
    return node;
  if (node.kind === 'join' && node.inputs.every((i) => !i.updating)) return node;
  for (const i of node.inputs) {
    if (!i.updating) continue;
    const p = updatingProducer(i);
    if (p) return p;
  }
  return undefined;
}

/** The table whose rows `node` passes on unchanged (through filters), if any. */
function tableBehind(node: PlanNode): TableDef | undefined {
  if (node.kind === 'scan') return node.table;
  if (node.kind === 'filter') return tableBehind(inputOf(node));
  return undefined;
}

function context(table: TableDef, plan: JobPlan, opts: BuildOptions): ConnectorContext {
  return {
    table: table.name,
    tablePos: table.pos,
    options: table.options,
    physical: table.columns.filter((c) => c.kind === 'physical').map((c) => ({ name: c.name, type: c.type })),
    // Sinks see physical rows: the key's positions among the physical columns.
    primaryKey: table.primaryKey?.map((i) =>
      table.columns.filter((c) => c.kind === 'physical').indexOf(table.columns[i]!),
    ),
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
    throw new SqlError(
      table.pos,
      `connector '${table.connectorName}' of table '${table.name}' cannot be written to`,
      `INSERT INTO a table with a sink connector (filesystem, print, kafka, blackhole)`,
    );
  }
  return table.connector.createSink(context(table, plan, opts));
}

function createSourceRunner(
  table: TableDef,
  head: Operator,
  plan: JobPlan,
  opts: BuildOptions,
): SourceRunner {
  if (!table.connector.createSource) {
    throw new SqlError(
      table.pos,
      `connector '${table.connectorName}' of table '${table.name}' cannot be read from`,
      `SELECT FROM a table with a source connector (filesystem, kafka)`,
    );
  }
  const ctx = context(table, plan, opts);
  const own = table.connector.createSource(ctx);
  const reader = opts.parallel ? opts.parallel.reader(table, own) : own;
  // No format: the connector reads typed rows (jdbc, RawBatch.rows).
  const format = table.format;
  const decoder = format
    ? format.createDecoder(
        table.columns
          .map((c, i) => ({ name: c.name, type: c.type, rowIndex: i, kind: c.kind }))
          .filter((c) => c.kind === 'physical'),
        table.options,
      )
    : null;
  return new SourceRunner(table, reader, head, decoder, format?.ignoreParseErrors(table.options) ?? false, {
    settings: plan.settings,
  });
}

function describeRow(input: PlanNode, table: TableDef | undefined, row: Row): string {
  if (table) {
    return table.columns
      .filter((c) => c.kind === 'physical')
      .map((c) => `${c.name}=${valueToText(row[table.columns.indexOf(c)], c.type) ?? 'NULL'}`)
      .join(', ');
  }
  return input.schema.map((f, i) => `${f.name}=${valueToText(row[i], f.type) ?? 'NULL'}`).join(', ');
}

/** Whether a filter on updating rows sits between the rows' producer and the sink (through projections). */
function filtersUpdates(root: PlanNode): boolean {
  for (let n = root; ; n = n.inputs[0]!) {
    if (n.kind === 'filter') return n.inputs[0]!.updating;
    if (n.kind !== 'project') return false;
  }
}
