// A job at parallelism N (SET 'parallelism.default' = 'N', run --parallelism N): N worker threads
// (worker.ts) run it, key-partitioned as Flink's hash exchange; this main thread coordinates.
//
// - Source: the main thread reads the table's records (any connector) and hands each batch, as one
//   chunk (a byte range of a file cut on line boundaries, a run of a partition's records), to every
//   worker; each decodes it and keeps the rows whose keys it owns (worker.ts says why every worker
//   decodes every record). Each event of the run (a chunk, a split's end, a barrier, the end) has a
//   sequence number, and every worker processes them in that order, so each keyed operator sees its
//   keys' rows in the order of a single reader, with that reader's watermark (min over its running
//   splits of each split's largest watermark so far): results, late records included, are those of
//   parallelism 1.
// - Sinks: one output per sink, written here. The rows each worker's sinks received while it
//   processed an event are written in the order (event, worker): the defined merge order. A file
//   sink's rows come encoded by the workers (SinkWriter.encode / writeEncoded).
// - Checkpoints stop the world: no new chunk goes out, a barrier event is sent to every worker;
//   each processes everything before it, snapshots its keyed state and answers; then the sinks are
//   flushed and source positions, sink positions and every worker's state are saved in one SQLite
//   transaction (the checkpoint store), as at parallelism 1 (two-phase sinks the same way).
// - A checkpoint taken at parallelism N resumes at parallelism N only (state is split by key).

import { Worker } from 'node:worker_threads';
import { resolve } from 'node:path';
import { ConnectorError, FintransError } from '../../errors.js';
import { planFingerprint, type Checkpoint, type CheckpointStore } from '../../state/checkpoints.js';
import type { BuiltJob } from '../build.js';
import type { CheckpointStats, CrashAt, RunOptions, RunResult } from '../job.js';
import { restoreJob, saveCheckpoint } from '../job-checkpoints.js';
import { packBatch, shareBatch } from './batch-transfer.js';
import { unpackRow } from './pack.js';
import type {
  FromWorker,
  Segment,
  TaggedSample,
  ToWorker,
  WorkerInit,
  WorkerState,
  WorkerStats,
} from './protocol.js';

const FLUSH_PENDING_ROWS = 50_000;
const IDLE_SLEEP_MS = 50;
/**
 * Records per chunk. With every worker decoding every chunk, 16 384 took the same CPU as 4096 and
 * 5–25 % less wall time on bench (a) and (i) at parallelism 2 (fewer events for the workers to
 * wait on each other); when rows were exchanged, 16 384 had doubled the workers' garbage collection.
 */
const CHUNK_RECORDS = 16_384;
/** Events handed out and not yet processed by every worker, per worker: bounds memory and keeps workers level. */
const AHEAD_PER_WORKER = 16;

/** A worker failed: its error as the worker saw it (a bad record, a bad option, or a bug). */
class WorkerError extends FintransError {
  constructor(
    message: string,
    readonly userError: boolean,
  ) {
    super(message);
  }
}

/** Worker states to resume from, set by restoreAtParallelism for the next runParallel of the job. */
const restoredParts = new WeakMap<BuiltJob, { workers: string[]; late: number }>();

/** The parallelism a checkpoint was taken at. */
export function checkpointParallelism(cp: Checkpoint): number {
  for (const s of Object.values(cp.sources)) {
    const p = (s.watermarks as { parallelism?: unknown } | null)?.parallelism;
    if (typeof p === 'number') return p;
  }
  return 1;
}

/**
 * Puts a built job back where a checkpoint left it, at parallelism `n` (1: restoreJob). A checkpoint
 * of another parallelism is refused: its keyed state is split by worker.
 */
export function restoreAtParallelism(job: BuiltJob, cp: Checkpoint, path: string, n: number): void {
  const taken = checkpointParallelism(cp);
  if (taken !== n)
    throw new ConnectorError(
      `${job.plan.file}: the checkpoint in ${path} was taken at parallelism ${taken}, and its keyed state is split over that many workers\n` +
        `  hint: resume it with --parallelism ${taken} (or SET 'parallelism.default' = '${taken}'), or start over with --fresh`,
    );
  if (n === 1) {
    restoreJob(job, cp, path);
    return;
  }
  if (cp.fingerprint !== planFingerprint(job.plan) || cp.operators.length !== job.stateful.length)
    throw new ConnectorError(
      `${job.plan.file}: the checkpoint in ${path} was taken by a different version of this job (its tables or queries changed), so its state does not fit\n` +
        `  hint: run with --fresh to start over from the sources' start positions, or restore the previous job text`,
    );
  const source = job.sources[0]!;
  const saved = cp.sources[source.table.name]!;
  source.reader.seek(saved.positions);
  const marks = saved.watermarks as { workers: { splits: WorkerState['splits']; wm: number | null }[] };
  const workers: string[] = [];
  for (let w = 0; w < n; w++)
    workers.push(
      JSON.stringify({
        operators: cp.operators.map((o) => (o as { parts: unknown[] }).parts[w]),
        splits: marks.workers[w]!.splits,
        wm: marks.workers[w]!.wm,
      }),
    );
  for (const s of job.sinks) {
    const pos = cp.sinks[s.name];
    if (pos !== undefined && s.writer.restore) s.writer.restore(pos);
  }
  job.late.count = cp.late;
  restoredParts.set(job, { workers, late: cp.late });
}

interface WorkerHandle {
  readonly worker: Worker;
  done: number;
  stats: WorkerStats | null;
  segments: Segment[];
  snapshots: Map<number, string>;
}

/** Runs a built job (planned at the coordinator: sources and sinks are its) in `n` worker threads. */
export async function runParallel(
  job: BuiltJob,
  n: number,
  opts: RunOptions & { readonly cwd: string },
): Promise<RunResult> {
  const restored = restoredParts.get(job);
  restoredParts.delete(job);
  const baseLate = restored?.late ?? 0;
  const source = job.sources[0]!;
  const reader = source.reader;
  const stats: CheckpointStats = { count: 0, totalMs: 0, maxMs: 0, lastBytes: 0 };
  const crash = crashHook(opts.crashAt);
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  /** Waits for the next message of any worker (or a failure). */
  const nextMessage = () =>
    new Promise<void>((r) => {
      wake = r;
    });
  const until = async (cond: () => boolean): Promise<void> => {
    for (;;) {
      if (failure !== null) throw failure;
      if (cond()) return;
      await nextMessage();
    }
  };

  const handles: WorkerHandle[] = [];
  let ready = 0;
  for (let i = 0; i < n; i++) {
    const init: WorkerInit = {
      index: i,
      parallelism: n,
      path: resolve(opts.cwd, job.plan.file),
      file: job.plan.file,
      cwd: opts.cwd,
      settings: [...job.plan.settings],
      fingerprint: planFingerprint(job.plan),
      ...(restored ? { restore: restored.workers[i] } : {}),
    };
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
    const h: WorkerHandle = { worker, done: -1, stats: null, segments: [], snapshots: new Map() };
    handles.push(h);
    worker.on('message', (m: FromWorker) => {
      switch (m.t) {
        case 'ready':
          ready++;
          break;
        case 'out':
          for (const s of m.segments) h.segments.push(s);
          h.done = m.done;
          takeStats(h, m.stats);
          break;
        case 'snapshot':
          h.snapshots.set(m.seq, m.state);
          break;
        case 'error':
          failure ??= new WorkerError(m.message, m.userError);
          break;
      }
      notify();
    });
    worker.on('error', (e) => {
      failure ??= e;
      notify();
    });
    worker.on('exit', (code) => {
      if (code !== 0) failure ??= new Error(`worker ${i} of ${job.plan.file} stopped (exit code ${code})`);
      notify();
    });
  }

  let seq = 0;
  const broadcast = (m: ToWorker) => {
    for (const h of handles) h.worker.postMessage(m);
  };
  const minDone = () => handles.reduce((m, h) => Math.min(m, h.done), Infinity);
  const sinkOps = job.sinks.map((s) => s.operators[0]);

  /** Moves the rows of every event all workers have processed into the sink writers, in (event, worker) order. */
  const writeReady = () => {
    const upTo = minDone();
    const ready: { seg: Segment; w: number; i: number }[] = [];
    handles.forEach((h, w) => {
      const keep: Segment[] = [];
      h.segments.forEach((seg, i) => (seg.seq <= upTo ? ready.push({ seg, w, i }) : keep.push(seg)));
      h.segments = keep;
    });
    ready.sort((a, b) => a.seg.seq - b.seg.seq || a.w - b.w || a.i - b.i);
    for (const { seg } of ready) {
      const op = sinkOps[seg.sink];
      if (seg.bytes) {
        job.sinks[seg.sink]!.writer.writeEncoded!(seg.bytes, seg.count!);
        if (op) op.rowsOut += seg.count!;
        continue;
      }
      const packed = seg.packed;
      const rows = seg.rows ?? Array.from({ length: packed!.n }, (_, i) => unpackRow(packed!, i));
      job.sinks[seg.sink]!.writer.write(rows, seg.kinds);
      if (op) op.rowsOut += rows.length;
    }
  };
  // Late rows by event, until every worker is past the event: one row late for several windows counts once.
  const lateByEvent = new Map<number, Set<number>>();
  let lateCounted = 0;
  const badSamples: TaggedSample[] = [];
  const lateSamples: TaggedSample[] = [];
  const firstSamples = (all: TaggedSample[], out: string[]) => {
    all.sort((a, b) => a.seq - b.seq || a.idx - b.idx);
    const texts = [...new Set(all.map((s) => s.text))].slice(0, 3);
    out.splice(0, out.length, ...texts);
  };
  const takeStats = (h: WorkerHandle, st: WorkerStats) => {
    h.stats = st;
    badSamples.push(...st.badSamples);
    lateSamples.push(...st.lateSamples);
    for (let i = 0; i < st.lateRows.length; i += 2) {
      const seqOf = st.lateRows[i]!;
      let set = lateByEvent.get(seqOf);
      if (!set) lateByEvent.set(seqOf, (set = new Set()));
      set.add(st.lateRows[i + 1]!);
    }
  };
  const updateStats = () => {
    let recordsIn = 0;
    let bad = 0;
    let open = 0;
    let watermark = Infinity;
    for (const h of handles) {
      if (!h.stats) {
        watermark = -Infinity;
        continue;
      }
      watermark = Math.min(watermark, h.stats.watermark);
      recordsIn += h.stats.recordsIn;
      bad += h.stats.badRecords;
      open += h.stats.openWindows;
    }
    const upTo = minDone();
    let late = lateCounted;
    for (const [s, set] of lateByEvent) {
      late += set.size;
      if (s <= upTo) {
        lateCounted += set.size;
        lateByEvent.delete(s);
      }
    }
    source.stats.recordsIn = recordsIn;
    if (watermark > source.stats.watermark) source.stats.watermark = watermark;
    source.stats.badRecords = bad;
    firstSamples(badSamples, source.stats.badSamples);
    badSamples.splice(3);
    job.late.count = baseLate + late;
    firstSamples(lateSamples, job.late.samples as string[]);
    lateSamples.splice(3);
    (job as { openWindows: () => number }).openWindows = () => open;
  };
  const flushSinks = async (final: boolean, commitEachFlush: boolean) => {
    writeReady();
    for (const sink of job.sinks) {
      if (final || sink.writer.pending >= FLUSH_PENDING_ROWS) {
        await sink.writer.flush();
        if (commitEachFlush) await sink.writer.commit?.();
      }
    }
  };

  const checkpoint = async (store: CheckpointStore) => {
    const barrier = seq++;
    broadcast({ t: 'barrier', seq: barrier });
    await until(() => minDone() >= barrier && handles.every((h) => h.snapshots.has(barrier)));
    await flushSinks(true, false);
    const started = performance.now();
    const states = handles.map((h) => {
      const s = JSON.parse(h.snapshots.get(barrier)!) as WorkerState & { wm: number | null };
      h.snapshots.delete(barrier);
      return s;
    });
    updateStats();
    const sinks: Record<string, unknown> = {};
    for (const s of job.sinks) if (s.writer.position) sinks[s.name] = s.writer.position();
    const snap: Omit<Checkpoint, 'id' | 'takenAt'> = {
      fingerprint: planFingerprint(job.plan),
      sources: {
        [source.table.name]: {
          positions: reader.positions(),
          watermarks: { parallelism: n, workers: states.map((s) => ({ splits: s.splits, wm: s.wm })) },
        },
      },
      operators: job.stateful.map((_, i) => ({ parallelism: n, parts: states.map((s) => s.operators[i]) })),
      operatorIds: job.stateIds,
      sinks,
      late: job.late.count,
    };
    await saveCheckpoint(job, store, snap, crash);
    await reader.commit?.();
    const ms = performance.now() - started;
    stats.count++;
    stats.totalMs += ms;
    stats.maxMs = Math.max(stats.maxMs, ms);
    stats.lastBytes = store.lastSavedBytes;
  };

  let stopped = false;
  let opened = false;
  try {
    await until(() => ready === n);
    await reader.open();
    opened = true;
    for (const s of job.sinks) await s.writer.prepare?.();
    let knownSplits = 0;
    let lastActivity = Date.now();
    let lastCheckpoint = Date.now();
    let lastProgress = Date.now();
    const batchSize = opts.batchSize ?? CHUNK_RECORDS;
    for (;;) {
      if (failure !== null) throw failure;
      if (opts.signal?.aborted) {
        stopped = true;
        break;
      }
      await until(() => seq - minDone() <= AHEAD_PER_WORKER * n);
      if (reader.splits.length > knownSplits) {
        knownSplits = reader.splits.length;
        broadcast({ t: 'splits', seq: seq++, names: reader.splits.map((s) => s.name) });
      }
      const r = await reader.poll(batchSize);
      const now = Date.now();
      if (r.kind === 'end') break;
      if (r.kind === 'batch' || r.kind === 'split-end') {
        lastActivity = now;
        if (reader.splits.length > knownSplits) {
          knownSplits = reader.splits.length;
          broadcast({ t: 'splits', seq: seq++, names: reader.splits.map((s) => s.name) });
        }
      }
      if (r.kind === 'batch') {
        // Every worker decodes every chunk (each its own copy of the bytes) and keeps its keys' rows.
        const info = reader.splits[r.batch.split]!;
        const at = seq++;
        const shared = shareBatch(r.batch);
        for (const h of handles) {
          if (shared !== null) {
            h.worker.postMessage({ t: 'chunk', seq: at, split: r.batch.split, info, batch: shared });
            continue;
          }
          const { batch, transfer } = packBatch(r.batch);
          const m: ToWorker = { t: 'chunk', seq: at, split: r.batch.split, info, batch };
          h.worker.postMessage(m, transfer);
        }
      } else if (r.kind === 'split-end') {
        broadcast({ t: 'split-end', seq: seq++, split: r.split });
      } else if (opts.untilIdleMs !== undefined && !r.waiting && now - lastActivity >= opts.untilIdleMs) {
        break;
      } else {
        await flushSinks(false, !opts.checkpoints);
        await new Promise((res) => setTimeout(res, IDLE_SLEEP_MS));
      }
      await flushSinks(false, !opts.checkpoints);
      if (opts.checkpoints && Date.now() - lastCheckpoint >= opts.checkpoints.intervalMs) {
        await checkpoint(opts.checkpoints.store);
        lastCheckpoint = Date.now();
      }
      if (opts.onProgress && Date.now() - lastProgress >= 1000) {
        lastProgress = Date.now();
        updateStats();
        opts.onProgress(job, false);
      }
    }
    if (stopped) {
      // Stopped on request: keep everything (open windows too) for the next run to resume.
      if (opts.checkpoints) await checkpoint(opts.checkpoints.store);
    } else {
      const end = seq++;
      broadcast({ t: 'end', seq: end });
      await until(() => minDone() >= end);
      updateStats();
      source.stats.watermark = Infinity;
      if (opts.checkpoints && job.sinks.some((s) => s.writer.commit)) {
        await checkpoint(opts.checkpoints.store);
        opts.checkpoints.store.clear();
      } else {
        await flushSinks(true, !opts.checkpoints);
        await reader.commit?.();
        opts.checkpoints?.store.clear();
      }
    }
    updateStats();
    if (process.env.FINTRANS_PARALLEL_DEBUG !== undefined) {
      const elu = (x: { active: number; idle: number }) =>
        `${Math.round(x.active)} ms busy, ${Math.round(x.idle)} ms idle`;
      process.stderr.write(`parallel: main ${elu(performance.eventLoopUtilization())}\n`);
      // CPU per thread (Linux): what each thread really used, whatever the machine's load.
      try {
        const { readdirSync, readFileSync } = await import('node:fs');
        const rows = readdirSync('/proc/self/task').map((t) => {
          const f = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
          const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
          return {
            name: f.slice(f.indexOf('(') + 1, f.lastIndexOf(')')),
            cpu: (Number(rest[11]) + Number(rest[12])) * 10,
          };
        });
        rows.sort((a, b) => b.cpu - a.cpu);
        process.stderr.write(
          `parallel: cpu ms by thread: ${rows
            .slice(0, 8)
            .map((r) => `${r.name} ${r.cpu}`)
            .join(', ')}\n`,
        );
      } catch {
        // not Linux
      }
      handles.forEach((h, i) =>
        process.stderr.write(
          `parallel: worker ${i} ${elu((h.stats as unknown as { busy: { active: number; idle: number } }).busy)}\n`,
        ),
      );
    }
  } finally {
    for (const h of handles) {
      h.worker.removeAllListeners('exit');
      await h.worker.terminate();
    }
    for (const sink of job.sinks) await sink.writer.close();
    if (opened) await reader.close();
  }
  opts.onProgress?.(job, true);
  return opts.checkpoints ? { stopped, checkpoints: stats } : { stopped };
}

/** The crash hook of one run (as in job.ts): kills at the `checkpoint`-th two-phase checkpoint with rows to commit. */
function crashHook(crashAt: CrashAt | undefined): ((point: CrashAt['point']) => void) | undefined {
  if (crashAt === undefined) return undefined;
  let countdown = crashAt.checkpoint;
  return (point) => {
    if (crashAt.point === point && --countdown === 0) process.kill(process.pid, 'SIGKILL');
  };
}
