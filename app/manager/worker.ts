// One job's child process under `fintrans-sql up`: plans and builds the job from the text the
// manager validated, resumes it from its checkpoint (or starts fresh when the checkpoint no longer
// fits, and says so), runs it, and reports its figures over the IPC channel twice a second. A job
// that crashes or spins takes only this process down; the manager restarts it.
//
// Stop: the manager's {type:'stop'}, SIGTERM, or the manager going away (IPC disconnect) — the
// job then flushes, checkpoints and closes like `run` on Ctrl-C. SIGINT is ignored: on a terminal
// Ctrl-C reaches the whole process group and the manager coordinates the shutdown.

import { buildJob, type BuiltJob } from '../../engine/runtime/build.js';
import { runJob } from '../../engine/runtime/job.js';
import { parseSqlFile } from '../../engine/sql/parse.js';
import { planJob } from '../../engine/plan/planner.js';
import { CheckpointStore } from '../../engine/state/checkpoints.js';
import { openJobCheckpoints, restoreJob } from '../../engine/runtime/job-checkpoints.js';
import { ConnectorError, FintransError, resourceErrorOf, truncate } from '../../engine/errors.js';
import { redact, secrets } from '../../engine/secrets.js';
import { valueToText } from '../../engine/values.js';
import type { Row } from '../../engine/types.js';
import { displayPath } from '../job-files.js';
import type { BlockHook } from '../test-hooks.js';
import type {
  ChartData,
  ChildMessage,
  JobStats,
  ParentMessage,
  SinkStats,
  WorkerConfig,
} from './protocol.js';

const LATEST_ROWS = 20;
const MAX_CELL_CHARS = 200;
const CHART_WINDOWS = 60;
const STATS_EVERY_MS = 500;

/**
 * Test hook, for the manager's heartbeat and shutdown tests only (config.testHooks.block, from
 * FINTRANS_TEST_BLOCK_*: app/test-hooks.ts): makes this process busy-loop (sending nothing) once
 * its job has read `afterRecords` records in this run, for `forMs` ms (absent: for ever), once per
 * process. Absent in normal use.
 */
function testBlockHook(hook: BlockHook | undefined): ((stats: JobStats) => void) | undefined {
  if (hook === undefined) return undefined;
  const records = hook.afterRecords;
  const forMs = hook.forMs === undefined ? Infinity : hook.forMs;
  let done = false;
  return (stats) => {
    if (done || stats.recordsIn < records) return;
    done = true;
    const until = Date.now() + forMs;
    while (Date.now() < until) {
      // Blocking on purpose: no timers, no IPC.
    }
  };
}

function send(msg: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

/** A cell as the dashboard shows it: long values (a LISTAGG of thousands of ids) cut, so the status every client receives stays small. */
function cellText(text: string | null): string | null {
  return text === null ? null : truncate(text, MAX_CELL_CHARS);
}

/** Watches what a sink receives: its last rows as text, and a per-city series for the chart. */
class SinkTap {
  readonly latest: (string | null)[][] = [];
  rows = 0;
  readonly columns: string[];
  private readonly toText: ((v: unknown) => string | null)[];
  private readonly chart?: {
    seriesIdx: number;
    timeIdx: number;
    valueIdx: number;
    seriesColumn: string;
    valueColumn: string;
    data: Map<string, Map<number, number>>;
    times: Set<number>;
  };

  constructor(
    readonly name: string,
    job: BuiltJob,
  ) {
    const table = job.plan.tables.get(name);
    const cols = table ? table.columns.filter((c) => c.kind === 'physical') : [];
    this.columns = cols.map((c) => c.name);
    this.toText = cols.map((c) => (v: unknown) => valueToText(v, c.type));
    const lower = this.columns.map((c) => c.toLowerCase());
    const seriesIdx = lower.indexOf('city');
    const timeIdx = lower.indexOf('window_start');
    const numeric = new Set([
      'TINYINT',
      'SMALLINT',
      'INT',
      'INTEGER',
      'BIGINT',
      'FLOAT',
      'DOUBLE',
      'DECIMAL',
    ]);
    let valueIdx = lower.indexOf('total');
    if (valueIdx < 0 || !numeric.has(cols[valueIdx]!.type.name))
      valueIdx = cols.findIndex((c) => numeric.has(c.type.name));
    if (seriesIdx >= 0 && timeIdx >= 0 && valueIdx >= 0) {
      this.chart = {
        seriesIdx,
        timeIdx,
        valueIdx,
        seriesColumn: this.columns[seriesIdx]!,
        valueColumn: this.columns[valueIdx]!,
        data: new Map(),
        times: new Set(),
      };
    }
  }

  see(rows: readonly Row[]): void {
    this.rows += rows.length;
    for (const row of rows.length > LATEST_ROWS ? rows.slice(rows.length - LATEST_ROWS) : rows) {
      this.latest.push(
        row.map((v, i) =>
          cellText(this.toText[i] ? this.toText[i]!(v) : v === null || v === undefined ? null : String(v)),
        ),
      );
    }
    if (this.latest.length > LATEST_ROWS) this.latest.splice(0, this.latest.length - LATEST_ROWS);
    const c = this.chart;
    if (!c) return;
    for (const row of rows) {
      const key = row[c.seriesIdx];
      const t = row[c.timeIdx];
      const v = row[c.valueIdx];
      if (key === null || key === undefined || typeof t !== 'number' || v === null || v === undefined)
        continue;
      let s = c.data.get(String(key));
      if (!s) c.data.set(String(key), (s = new Map()));
      // A running or updated window replaces its earlier value.
      s.set(t, Number(v));
      c.times.add(t);
    }
    if (c.times.size > CHART_WINDOWS) {
      const keep = [...c.times].sort((a, b) => a - b).slice(-CHART_WINDOWS);
      const oldest = keep[0]!;
      c.times.clear();
      for (const t of keep) c.times.add(t);
      for (const s of c.data.values()) for (const t of s.keys()) if (t < oldest) s.delete(t);
    }
  }

  chartData(): ChartData | undefined {
    const c = this.chart;
    if (!c) return undefined;
    const series = [...c.data.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, pts]) => ({
        name,
        points: [...pts.entries()].sort((a, b) => a[0] - b[0]) as [number, number][],
      }));
    return { sink: this.name, seriesColumn: c.seriesColumn, valueColumn: c.valueColumn, series };
  }
}

function wm(w: number): number | 'none' | 'end' {
  return w === -Infinity ? 'none' : w === Infinity ? 'end' : w;
}

function collect(job: BuiltJob, taps: SinkTap[]): JobStats {
  const sources = job.sources.map((s) => ({
    table: s.stats.table,
    recordsIn: s.stats.recordsIn,
    bad: s.stats.badRecords,
    watermark: wm(s.stats.watermark),
  }));
  const min = job.sources.length === 0 ? -Infinity : Math.min(...job.sources.map((s) => s.stats.watermark));
  const sinks: SinkStats[] = job.sinks.map((s, i) => ({
    name: s.name,
    rows: taps[i]!.rows,
    rowsWritten: s.writer.rowsWritten,
    columns: taps[i]!.columns,
    latest: taps[i]!.latest,
  }));
  return {
    at: Date.now(),
    recordsIn: sources.reduce((n, s) => n + s.recordsIn, 0),
    recordsOut: job.sinks.reduce((n, s) => n + s.operators.reduce((m, o) => m + o.rowsOut, 0), 0),
    late: job.late.count,
    bad: sources.reduce((n, s) => n + s.bad, 0),
    openWindows: job.openWindows(),
    watermark: wm(min),
    sources,
    sinks,
    chart: taps.map((t) => t.chartData()).find((c) => c !== undefined),
  };
}

/** extraSettings: added to the manager's (e.g. to read topics from the beginning). */
function build(config: WorkerConfig, extraSettings: readonly (readonly [string, string])[] = []): BuiltJob {
  const plan = planJob(
    parseSqlFile(config.text, config.display),
    config.display,
    new Map([...config.settings, ...extraSettings]),
  );
  return buildJob(plan, {
    cwd: config.cwd,
    notify: (message) => void send({ type: 'notice', message: redact(message) }),
  });
}

/** The manager's first message: the job to run (see WorkerConfig for why not argv). */
function receiveConfig(): Promise<WorkerConfig> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown) => {
      const msg = m as ParentMessage | null;
      if (msg?.type !== 'config') return;
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
      resolve(msg.config);
    };
    const onDisconnect = () =>
      reject(new ConnectorError('the job manager went away before giving this process its job'));
    process.on('message', onMessage);
    process.on('disconnect', onDisconnect);
  });
}

async function main(): Promise<number> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on('message', (m: unknown) => {
    if ((m as ParentMessage | null)?.type === 'stop') stop();
  });
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', () => {});
  const config = await receiveConfig();
  secrets.sqlText(config.text);

  let job = build(config);
  let store: CheckpointStore | undefined;
  let intervalMs = 0;
  let resumedFrom: { id: number; takenAt: number } | undefined;
  let freshReason: string | undefined;
  const opened = await openJobCheckpoints(job, config.cwd, config.fresh);
  if (opened) {
    const { path } = opened;
    store = opened.store;
    intervalMs = opened.intervalMs;
    const cp = store.latest();
    if (cp) {
      try {
        restoreJob(job, cp, displayPath(path, config.cwd));
        resumedFrom = { id: cp.id, takenAt: cp.takenAt };
      } catch (e) {
        if (!(e instanceof FintransError && e.userError)) throw e;
        // The edited job's state does not fit the old checkpoint: start over, and say so.
        freshReason = e.message.split('\n')[0]!;
        store.clear();
      }
    }
  }
  if (resumedFrom === undefined && (freshReason !== undefined || config.recompute)) {
    // Its state is gone, so it recomputes from the beginning of its sources: the consumer group's
    // position is where the old version got to. Close what the discarded build opened (settling a
    // pending checkpoint connects two-phase sinks to their broker); its errors no longer matter.
    await Promise.allSettled(job.sinks.map((s) => s.writer.close()));
    job = build(config, [['kafka.from-beginning', 'true']]);
  }

  const taps = job.sinks.map((s) => {
    const tap = new SinkTap(s.name, job);
    const writer = s.writer;
    const write = writer.write.bind(writer);
    writer.write = (rows, kinds) => {
      tap.see(rows);
      write(rows, kinds);
    };
    return tap;
  });
  const startsAt = resumedFrom
    ? undefined
    : job.sources
        .filter((s) => s.reader.startsAt)
        .map((s) => `'${s.table.name}' reads from ${s.reader.startsAt!()}`);
  await send({ type: 'started', resumedFrom, freshReason, startsAt });
  const block = testBlockHook(config.testHooks?.block);
  const timer = setInterval(() => {
    const stats = collect(job, taps);
    block?.(stats);
    void send({ type: 'stats', stats });
  }, STATS_EVERY_MS);
  try {
    const r = await runJob(job, {
      signal: controller.signal,
      checkpoints: store ? { store, intervalMs } : undefined,
      crashAt: config.testHooks?.crashAt,
    });
    clearInterval(timer);
    await send({ type: 'stats', stats: collect(job, taps) });
    const summary = redact(job.sinks.map((s) => `wrote ${s.writer.describe()}`).join('; '));
    await send({ type: 'done', stopped: r.stopped, summary });
    return 0;
  } finally {
    clearInterval(timer);
    store?.close();
  }
}

main().then(
  (code) => process.exit(code),
  async (e: unknown) => {
    // As the CLI reports it (main.ts): user errors and JavaScript's own limits as messages, bugs with their stack.
    const resource = resourceErrorOf(e);
    const message =
      e instanceof FintransError && e.userError
        ? e.message
        : resource !== undefined
          ? resource.message
          : `internal error (a bug in fintrans-sql): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    await send({ type: 'failed', message: redact(message) });
    process.exit(1);
  },
);
