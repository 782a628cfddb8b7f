// One worker thread of a parallel run (see coordinator.ts). It plans and builds the same job, then
// (1) decodes EVERY chunk of source records the coordinator broadcasts, runs it through the stateless
// steps up to each keyed operator and keeps the rows whose key it owns (a hash of the key, as Flink's
// hash exchange assigns key groups), with the chunk's watermark before each row; and (2) takes the
// events of the run in sequence order and feeds its keyed operators, with the watermark one task
// reading the source would have had at each row (each split's largest watermark so far, the
// minimum over running splits), so a keyed operator sees exactly the rows and watermarks it would
// see at parallelism 1. What reaches its sinks goes to the coordinator, tagged with the event it
// came from (rows of stateless INSERTs from worker 0 only), encoded by the sink's format when the
// sink can say (SinkWriter.encode) so the main thread only appends bytes.
//
// Why every worker decodes every record rather than each a share and the rows then exchanged: on
// the laundering jobs, packing, posting and unpacking every other row cost each worker more than
// decoding the records it did not own (the exchanged design ran at 0.6-0.8x parallelism 1 on
// 2 cores); decoding is the part that is repeated, the keyed work and the sink encoding split.

import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { buildJob, type BuiltJob } from '../build.js';
import { parseSqlFile } from '../../sql/parse.js';
import { planJob } from '../../plan/planner.js';
import { planFingerprint } from '../../state/checkpoints.js';
import { compileScalar } from '../../exec/compile.js';
import type { Operator } from '../../exec/operator.js';
import { FintransError } from '../../errors.js';
import { INSERT, type Row, type RowKind } from '../../types.js';
import type { PollResult, SourceReader, SplitInfo, RawBatch } from '../../../connectors/api.js';
import type { PlanNode, TableDef } from '../../plan/logical.js';
import { parallelPlan } from './plan.js';
import { keyOwner } from './hash.js';
import { unpackBatch } from './batch-transfer.js';
import { packRows } from './pack.js';
import type {
  EdgePart,
  FromWorker,
  PartMessage,
  Segment,
  TaggedSample,
  ToWorker,
  WorkerInit,
  WorkerState,
} from './protocol.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const N = init.parallelism;
const ME = init.index;
const DEBUG = process.env.FINTRANS_PARALLEL_DEBUG !== undefined;

function send(m: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(m, transfer);
}

/** Hands the runner the chunk the coordinator sent, once. */
class ChunkReader implements SourceReader {
  readonly splits: SplitInfo[] = [];
  readonly bounded = true;
  next: RawBatch | null = null;
  async open(): Promise<void> {}
  async poll(): Promise<PollResult> {
    const b = this.next;
    this.next = null;
    return b ? { kind: 'batch', batch: b } : { kind: 'idle' };
  }
  positions(): Record<string, number> {
    return {};
  }
  seek(): void {}
  async close(): Promise<void> {}
}

/** The chunk being decoded: its largest WATERMARK value so far and the records passed so far (WatermarkTap writes, the exchanges read). */
const chunk = { max: -Infinity, count: 0 };

/** Right after the source: keeps `chunk` up to date as each row passes. */
class WatermarkTap implements Operator {
  private readonly wmOf: ((row: Row) => unknown) | null;
  constructor(
    table: TableDef,
    private readonly next: Operator,
  ) {
    this.wmOf = table.watermark ? compileScalar(table.watermark.expr) : null;
  }
  process(row: Row, kind: RowKind): void {
    chunk.count++;
    this.next.process(row, kind);
    if (this.wmOf !== null) {
      const w = this.wmOf(row) as number;
      if (w > chunk.max) chunk.max = w;
    }
  }
  // Watermarks are the owners' to compute (see Owner); the source's own are those of this worker's chunks only.
  onWatermark(): void {}
  finish(): void {}
  snapshot(): unknown {
    return null;
  }
  restore(): void {}
}

/**
 * In front of a keyed operator: keeps the rows whose key this worker owns (every worker decodes
 * every record, see the top of this file), with the chunk's watermark before each and its index.
 */
class Exchange implements Operator {
  rows: Row[] = [];
  wms: number[] = [];
  idx: number[] = [];
  kinds: RowKind[] | null = null;
  /** The edge's watermark as the owner last gave it to `head`. */
  wm = -Infinity;
  constructor(
    readonly head: Operator,
    readonly width: number,
    private readonly owner: (row: Row) => number,
    private readonly tap: { max: number; count: number },
  ) {}
  reset(): void {
    this.rows = [];
    this.wms = [];
    this.idx = [];
    this.kinds = null;
  }
  process(row: Row, kind: RowKind): void {
    if (this.owner(row) !== ME) return;
    const rows = this.rows;
    if (kind !== INSERT && this.kinds === null) this.kinds = new Array<RowKind>(rows.length).fill(INSERT);
    rows.push(row);
    this.wms.push(this.tap.max);
    this.idx.push(this.tap.count - 1);
    this.kinds?.push(kind);
  }
  onWatermark(): void {}
  finish(): void {}
  snapshot(): unknown {
    return null;
  }
  restore(): void {}
}

let job: BuiltJob;
let reader: ChunkReader;
const edges: Exchange[] = [];
/** Events by sequence number, waiting for the ones before them. */
const pending = new Map<number, PartMessage | ToWorker>();
let nextSeq = 0;
let segments: Segment[] = [];
/** The buffers of `segments`' packed rows, transferred with them. */
let outTransfer: ArrayBuffer[] = [];
// The source's watermark as one reader would have it (see SourceRunner.advanceWatermark).
const splitMax: number[] = [];
const splitEnded: boolean[] = [];
const splitNames: string[] = [];
let restoredSplits: WorkerState['splits'] | null = null;
let decoding: Promise<void> = Promise.resolve();
let failed = false;

function fail(e: unknown): void {
  if (failed) return;
  failed = true;
  const userError = e instanceof FintransError && e.userError;
  const message = userError ? (e as Error).message : e instanceof Error ? (e.stack ?? e.message) : String(e);
  send({ t: 'error', message, userError });
}

function setup(): void {
  const text = readFileSync(init.path, 'utf8');
  const plan = planJob(parseSqlFile(text, init.file), init.file, new Map(init.settings));
  if (planFingerprint(plan) !== init.fingerprint)
    throw new Error(`${init.file} changed while the job started: the workers planned another job`);
  const pp = parallelPlan(plan);
  if (!pp.ok) throw new Error(`internal: a worker was started for a job that cannot run in parallel`);
  const keyed = new Map<PlanNode, readonly import('../../plan/expr.js').Expr[]>(
    pp.keyed.map((k) => [k.node, k.keys]),
  );
  reader = new ChunkReader();
  job = buildJob(plan, {
    cwd: init.cwd,
    parallel: {
      wrapInput: (node, head) => {
        const keys = keyed.get(node);
        if (!keys) return head;
        const fns = keys.map((k) => compileScalar(k));
        const e = new Exchange(head, node.inputs[0]!.schema.length, keyOwner(fns, N), chunk);
        edges.push(e);
        return e;
      },
      wrapSource: (table, out) => new WatermarkTap(table, out),
      reader: () => reader,
    },
  });
  lateCount = job.late;
  if (init.restore !== undefined) {
    const state = JSON.parse(init.restore) as WorkerState & { wm: number | null };
    job.stateful.forEach((o, i) => o.restore(state.operators[i]));
    restoredSplits = state.splits;
    const wm = state.wm === null ? -Infinity : state.wm;
    for (const e of edges) e.wm = wm;
  }
}

/** The watermark one reader would have now, with `local` as split `split`'s newest value (-1: none). */
function readerWatermark(split: number, local: number): number {
  let min = Infinity;
  let running = 0;
  for (let s = 0; s < splitMax.length; s++) {
    if (splitEnded[s]) continue;
    running++;
    const m = splitMax[s]!;
    const w = s === split && local > m ? local : m;
    if (w < min) min = w;
  }
  return running === 0 ? -Infinity : min;
}

let lateCount: { readonly count: number };
let lateRows: number[] = [];
let lateSamples: TaggedSample[] = [];
let badSamples: TaggedSample[] = [];
let lateSamplesSeen = 0;
let badSamplesSeen = 0;

/** A row was late: noted with where it was read, and its sample if the job's late handler kept one. */
function lateSeen(seq: number, idx: number): void {
  lateRows.push(seq, idx);
  const samples = job.late.samples;
  while (lateSamplesSeen < samples.length) lateSamples.push({ seq, idx, text: samples[lateSamplesSeen++]! });
}

function advanceEdges(): void {
  const w = readerWatermark(-1, -Infinity);
  for (const e of edges) {
    if (w > e.wm) {
      e.wm = w;
      e.head.onWatermark(w);
    }
  }
}

function processPart(p: PartMessage): void {
  const single = splitMax.length === 1 && !splitEnded[0];
  for (let e = 0; e < p.edges.length; e++) {
    const part = p.edges[e]!;
    const edge = edges[e]!;
    const head = edge.head;
    const wms = part.wms;
    const idx = part.idx;
    const kinds = (part as EdgePart & { kinds?: RowKind[] }).kinds;
    const n = wms.length;
    const rows = part.rows;
    for (let i = 0; i < n; i++) {
      const local = wms[i]!;
      const w = single ? (local > splitMax[0]! ? local : splitMax[0]!) : readerWatermark(p.split, local);
      if (w > edge.wm) {
        edge.wm = w;
        head.onWatermark(w);
      }
      const row = rows[i]!;
      const late = lateCount.count;
      head.process(row, kinds ? kinds[i]! : INSERT);
      if (lateCount.count !== late) lateSeen(p.seq, idx[i]!);
    }
  }
  if (p.chunkMax > (splitMax[p.split] ?? -Infinity)) splitMax[p.split] = p.chunkMax;
  advanceEdges();
}

function processEvent(ev: PartMessage | ToWorker): void {
  switch (ev.t) {
    case 'part':
      processPart(ev);
      break;
    case 'splits':
      for (let s = splitMax.length; s < ev.names.length; s++) {
        const name = ev.names[s]!;
        const saved = restoredSplits?.[name];
        splitNames.push(name);
        splitMax.push(saved?.max ?? -Infinity);
        splitEnded.push(saved?.ended ?? false);
      }
      break;
    case 'split-end':
      splitEnded[ev.split] = true;
      advanceEdges();
      break;
    case 'end':
      for (const e of edges) {
        e.wm = Infinity;
        e.head.onWatermark(Infinity);
        e.head.finish();
      }
      break;
    case 'barrier': {
      collect(ev.seq);
      const splits: Record<string, { max: number | null; ended: boolean }> = {};
      splitNames.forEach((name, s) => {
        splits[name] = { max: splitMax[s] === -Infinity ? null : splitMax[s]!, ended: splitEnded[s]! };
      });
      const wm = edges.length > 0 ? edges[0]!.wm : -Infinity;
      const state = JSON.stringify({
        operators: job.stateful.map((o) => o.snapshot()),
        splits,
        wm: wm === -Infinity ? null : wm,
      });
      flushOut(ev.seq);
      send({ t: 'snapshot', seq: ev.seq, state });
      return;
    }
    default:
      return;
  }
  collect(ev.seq);
}

/**
 * Events processed between two progress messages when nothing else asks for one: a message per
 * chunk woke the main thread for every chunk (and cost each worker a post); the coordinator keeps
 * AHEAD_PER_WORKER events per worker in flight, well above this.
 */
const REPORT_EVERY = 8;
let lastReported = -1;

function drainPending(): void {
  let last = -1;
  let control = false;
  for (;;) {
    const ev = pending.get(nextSeq);
    if (ev === undefined) break;
    pending.delete(nextSeq);
    if (ev.t !== 'part') control = true;
    processEvent(ev);
    last = nextSeq++;
  }
  if (last < 0) return;
  // Rows for the sinks, a control event (the coordinator may be waiting for it) or enough progress;
  // otherwise soon, so that the last chunks of a quiet stream are not held back.
  if (control || segments.length > 0 || last - lastReported >= REPORT_EVERY) flushOut(last);
  else
    reportSoon ??= setTimeout(() => {
      reportSoon = null;
      if (!failed && nextSeq - 1 > lastReported) flushOut(nextSeq - 1);
    }, REPORT_AFTER_MS);
}
const REPORT_AFTER_MS = 10;
let reportSoon: ReturnType<typeof setTimeout> | null = null;

/** What the sinks received, as segments of event `seq`. */
function collect(seq: number): void {
  job.sinks.forEach((sink, i) => {
    let rows: Row[] | null = null;
    let kinds: RowKind[] | undefined;
    for (const op of sink.operators) {
      const d = op.drain();
      if (d.rows.length === 0) continue;
      if (rows === null) {
        rows = d.rows;
        kinds = d.kinds;
        continue;
      }
      if (d.kinds || kinds) {
        kinds ??= new Array<RowKind>(rows.length).fill(INSERT);
        for (let j = 0; j < d.rows.length; j++) kinds.push(d.kinds ? d.kinds[j]! : INSERT);
      }
      for (const r of d.rows) rows.push(r);
    }
    if (rows === null) return;
    // A sink whose rows become bytes one after another (a file's lines) gets them encoded here, in
    // parallel, rather than on the main thread, which then only appends the bytes in merge order.
    const bytes = sink.writer.encode?.(rows);
    if (bytes) {
      const own = new Uint8Array(bytes.byteLength);
      own.set(bytes);
      outTransfer.push(own.buffer);
      segments.push({ seq, sink: i, bytes: own, count: rows.length });
      return;
    }
    const width = rows[0]!.length;
    const packed = rows.every((r) => r.length === width) ? packRows(rows, width, outTransfer) : undefined;
    const body = packed ? { packed } : { rows };
    segments.push(kinds ? { seq, sink: i, ...body, kinds } : { seq, sink: i, ...body });
  });
}

function flushOut(done: number): void {
  lastReported = done;
  const src = job.sources[0]!.stats;
  const transfer = outTransfer;
  outTransfer = [];
  send(
    {
      t: 'out',
      segments,
      done,
      stats: {
        // Every worker reads every record: worker 0 counts them.
        recordsIn: ME === 0 ? src.recordsIn : 0,
        badRecords: ME === 0 ? src.badRecords : 0,
        badSamples,
        lateRows,
        lateSamples,
        openWindows: job.openWindows(),
        watermark: edges.length > 0 ? edges[0]!.wm : readerWatermark(-1, -Infinity),
        ...(DEBUG ? { busy: performance.eventLoopUtilization() } : {}),
      },
    },
    transfer,
  );
  segments = [];
  badSamples = [];
  lateRows = [];
  lateSamples = [];
}

async function decode(m: Extract<ToWorker, { t: 'chunk' }>): Promise<void> {
  reader.splits[m.split] = m.info;
  reader.next = unpackBatch(m.batch);
  chunk.max = -Infinity;
  chunk.count = 0;
  for (const e of edges) e.reset();
  const runner = job.sources[0]!;
  await runner.step(Number.MAX_SAFE_INTEGER);
  // Bad records are told in the order of the run: tagged with their chunk (their text says where they are).
  while (ME === 0 && badSamplesSeen < runner.stats.badSamples.length)
    badSamples.push({ seq: m.seq, idx: badSamplesSeen, text: runner.stats.badSamples[badSamplesSeen++]! });
  // Stateless INSERTs reached their sinks while decoding: their rows belong to this chunk's event,
  // and to worker 0's output only (every worker decoded the same records).
  if (ME === 0) collect(m.seq);
  else for (const sink of job.sinks) for (const op of sink.operators) op.drain();
  const parts: EdgePart[] = edges.map((e) => ({
    rows: e.rows,
    width: e.width,
    wms: e.wms,
    idx: e.idx,
    ...(e.kinds ? { kinds: e.kinds } : {}),
  }));
  pending.set(m.seq, { t: 'part', seq: m.seq, split: m.split, chunkMax: chunk.max, edges: parts });
  for (const e of edges) e.reset();
  drainPending();
}

function onEvent(m: PartMessage | ToWorker): void {
  if (failed) return;
  try {
    if (m.t === 'close') {
      process.exit(0);
    }
    if (m.t === 'chunk') {
      decoding = decoding.then(() => (failed ? undefined : decode(m))).catch(fail);
      return;
    }
    pending.set(m.seq, m);
    drainPending();
  } catch (e) {
    fail(e);
  }
}

try {
  setup();
  port.on('message', onEvent);
  send({ t: 'ready' });
} catch (e) {
  fail(e);
}
