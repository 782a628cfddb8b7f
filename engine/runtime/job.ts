// Runs a built job: opens sources and sinks, pulls batches round-robin from the sources, hands
// the rows each batch produced to the sink writers (flushing when they back up), and shuts down
// cleanly at the end of bounded input, when idle long enough, or when asked to stop.

import { drainLookups, type BuiltJob } from './build.js';
import type { SourceRunner } from './source-runner.js';
import type { CheckpointStore } from '../state/checkpoints.js';
import { saveCheckpoint, snapshotJob } from './job-checkpoints.js';

export interface RunOptions {
  /** Records per source poll. */
  readonly batchSize?: number;
  /** Unbounded sources: treat this long without new records as the end of input (ms). */
  readonly untilIdleMs?: number;
  /** Called about once a second (and at the end) with the job's progress. */
  readonly onProgress?: (job: BuiltJob, final: boolean) => void;
  /** Stop requested (Ctrl-C): flush and close without firing open windows. */
  readonly signal?: AbortSignal;
  /** Periodic checkpoints (and one at a requested stop); cleared when the input is complete. */
  readonly checkpoints?: { readonly store: CheckpointStore; readonly intervalMs: number };
  /** Test hook: crash at a two-phase checkpoint (set by the app from FINTRANS_TEST_CRASH: app/test-hooks.ts). */
  readonly crashAt?: CrashAt;
}

/**
 * Fault injection for the crash tests (test/kafka/crash.test.ts): kills the process (SIGKILL, as a
 * crash) at the `checkpoint`-th two-phase checkpoint with rows to commit, at `point`
 * ('before-commit': saved as pending, sinks not committed; 'after-commit': sinks committed, not
 * yet confirmed). Absent, this costs one comparison per checkpoint.
 */
export interface CrashAt {
  readonly point: 'before-commit' | 'after-commit';
  readonly checkpoint: number;
}

export interface RunResult {
  readonly stopped: boolean;
  /** What the checkpoints of this run cost (absent when checkpoints are off). */
  readonly checkpoints?: CheckpointStats;
}

/** Checkpoints taken by one run: how many, how long each took (snapshot + write + commits), how big the last one was. */
export interface CheckpointStats {
  count: number;
  totalMs: number;
  maxMs: number;
  /** Bytes of operator, source and sink state written by the last checkpoint. */
  lastBytes: number;
}

/**
 * Rows a sink may hold before they are written. Rows waiting longer live through young-generation
 * collections and are copied into the old one: at 50 000, a high-cardinality window job's output
 * (a fired window emits tens of thousands of rows) waited a window or two and was promoted whole.
 * 8192 rows are still written in large batches.
 */
const FLUSH_PENDING_ROWS = 8192;
/** How long a source waiting for its broker keeps --until-idle from ending the run. */
const WAIT_FOR_BROKER_MS = 60_000;
const IDLE_SLEEP_MS = 50;

export async function runJob(job: BuiltJob, opts: RunOptions = {}): Promise<RunResult> {
  const batchSize = opts.batchSize ?? 4096;
  let lastProgress = Date.now();
  let lastActivity = Date.now();
  let lastCheckpoint = Date.now();
  let waitingSince = 0;
  let stopped = false;
  const stats: CheckpointStats = { count: 0, totalMs: 0, maxMs: 0, lastBytes: 0 };
  const crash = crashHook(opts.crashAt);
  // Opened inside the try: when one source fails to open, the ones already open (consumers
  // holding group membership) and the sinks are still closed, so the process can exit.
  const opened: SourceRunner[] = [];
  const openedLookups: BuiltJob['lookups'][number][] = [];
  try {
    for (const s of job.sources) {
      await s.reader.open();
      opened.push(s);
    }
    // Tables of lookup joins are asked from the first row on: they open with the sources.
    for (const l of job.lookups) {
      await l.reader.open();
      openedLookups.push(l);
    }
    // Sinks open once every source did: a source that cannot open leaves earlier output untouched.
    for (const s of job.sinks) await s.writer.prepare?.();
    let active: SourceRunner[] = [...job.sources];
    while (active.length > 0) {
      if (opts.signal?.aborted) {
        stopped = true;
        break;
      }
      let busy = false;
      let waiting = false;
      for (const s of active) {
        const r = await s.step(batchSize);
        if (r === 'batch') busy = true;
        else if (r === 'waiting') waiting = true;
      }
      active = active.filter((s) => !s.finished);
      await handOver(job, false, !opts.checkpoints);
      const now = Date.now();
      // A broker that is away is not the end of the input, for a while: then --until-idle may end it.
      if (!waiting || busy) waitingSince = 0;
      else if (waitingSince === 0) waitingSince = now;
      const waitedLongEnough = waitingSince === 0 || now - waitingSince >= WAIT_FOR_BROKER_MS;
      if (busy) lastActivity = now;
      else if (active.length > 0) {
        if (opts.untilIdleMs !== undefined && waitedLongEnough && now - lastActivity >= opts.untilIdleMs) {
          // Idle long enough: this run's input is complete, as with Flink's bounded scan mode.
          for (const s of active) s.end();
          active = [];
          await handOver(job, false, !opts.checkpoints);
        } else await sleep(IDLE_SLEEP_MS);
      }
      if (opts.checkpoints && active.length > 0 && now - lastCheckpoint >= opts.checkpoints.intervalMs) {
        await checkpoint(job, opts.checkpoints.store, stats, crash);
        lastCheckpoint = Date.now();
      }
      if (opts.onProgress && now - lastProgress >= 1000) {
        lastProgress = now;
        opts.onProgress(job, false);
      }
    }
    if (stopped && opts.checkpoints) {
      // Stopped on request: keep everything (open windows too) for the next run to resume.
      await checkpoint(job, opts.checkpoints.store, stats, crash);
    } else if (opts.checkpoints && job.sinks.some((s) => s.writer.commit)) {
      // Two-phase sinks commit the last rows with a checkpoint of the finished job, so a crash
      // before the clear resumes with nothing left to do instead of writing the rows again.
      await handOver(job, true);
      await checkpoint(job, opts.checkpoints.store, stats, crash);
      opts.checkpoints.store.clear();
    } else {
      await handOver(job, true, !opts.checkpoints);
      for (const s of job.sources) await s.reader.commit?.();
      // The input is complete and every window has fired: nothing is left to resume.
      opts.checkpoints?.store.clear();
    }
  } finally {
    for (const sink of job.sinks) await sink.writer.close();
    for (const s of opened) await s.reader.close();
    for (const l of openedLookups) await l.reader.close();
  }
  opts.onProgress?.(job, true);
  return opts.checkpoints ? { stopped, checkpoints: stats } : { stopped };
}

/**
 * Moves the rows collected by sink operators into their writers; flushes when many are pending or
 * at the end. Without checkpoints (`commitEachFlush`), two-phase sinks commit every flush.
 */
async function handOver(job: BuiltJob, final: boolean, commitEachFlush = false): Promise<void> {
  // Rows held by lookup joins go on first: a checkpoint or the end never leaves any behind.
  await drainLookups(job);
  for (const sink of job.sinks) {
    for (const op of sink.operators) {
      const { rows, kinds } = op.drain();
      if (rows.length > 0) sink.writer.write(rows, kinds);
    }
    if (final || sink.writer.pending >= FLUSH_PENDING_ROWS) {
      await sink.writer.flush();
      if (commitEachFlush) await sink.writer.commit?.();
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Flushes every sink, then records sources, operators and sinks atomically, then commits source
 * offsets. With two-phase sinks the record is saved as pending, the sinks commit, and then it is
 * confirmed (see resolvePendingCheckpoint for a crash in between).
 */
async function checkpoint(
  job: BuiltJob,
  store: CheckpointStore,
  stats: CheckpointStats,
  crash: ((point: CrashAt['point']) => void) | undefined,
): Promise<void> {
  await handOver(job, true);
  // Timed from here: the sinks' flush above is work the job does anyway, the rest is the checkpoint's.
  const started = performance.now();
  await saveCheckpoint(job, store, snapshotJob(job), crash);
  for (const s of job.sources) await s.reader.commit?.();
  const ms = performance.now() - started;
  stats.count++;
  stats.totalMs += ms;
  stats.maxMs = Math.max(stats.maxMs, ms);
  stats.lastBytes = store.lastSavedBytes;
}

/** The crash hook of one run: counts the two-phase checkpoints with rows to commit, kills at `crashAt`. */
function crashHook(crashAt: CrashAt | undefined): ((point: CrashAt['point']) => void) | undefined {
  if (crashAt === undefined) return undefined;
  let countdown = crashAt.checkpoint;
  return (point) => {
    if (crashAt.point === point && --countdown === 0) process.kill(process.pid, 'SIGKILL');
  };
}
