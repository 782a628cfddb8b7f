// fintrans-sql run: plan, build and run one job or every job of a directory, with a live progress
// line on a terminal (plain log lines otherwise) and a final summary of what went where.

import { buildJob, type BuiltJob } from '../../engine/runtime/build.js';
import { runJob, type CheckpointStats } from '../../engine/runtime/job.js';
import { describeWatermark } from '../../engine/runtime/source-runner.js';
import { parseDurationFlag, parseFlags, parseSetFlags, UsageError } from './args.js';
import { displayPath, jobFiles, planFile } from '../job-files.js';
import { explainPipelines } from '../../engine/plan/explain.js';
import { resolve } from 'node:path';
import { redact } from '../../engine/secrets.js';
import { CheckpointStore } from '../../engine/state/checkpoints.js';
import { openJobCheckpoints, restoreFromSavepoint } from '../../engine/runtime/job-checkpoints.js';
import { restoreAtParallelism, runParallel } from '../../engine/runtime/parallel/coordinator.js';
import {
  chooseParallelism,
  MAX_PARALLELISM,
  PARALLELISM_SETTING,
} from '../../engine/runtime/parallel/plan.js';
import { testHooksFromEnv } from '../test-hooks.js';
import {
  reportSavepoint,
  savepointStateFile,
  takeSavepointRequest,
  writeSavepoint,
} from '../../engine/state/savepoints.js';

export const RUN_HELP = `Usage: fintrans-sql run <file.sql | dir> [options]

Runs a Flink SQL job. Bounded sources (files) end the job; unbounded ones (topics) run until
Ctrl-C — which flushes, closes and commits — or until idle with --until-idle.

Options:
  --brokers <h:p,...>      Kafka bootstrap servers for 'kafka' tables without
                           'properties.bootstrap.servers' (also KAFKA_BROKERS); without
                           either, 'kafka' tables use the embedded topic store
  --set <key=value>        a job setting, like SET 'key' = 'value'; (repeatable, wins over the file)
  --from-beginning         read topics from the earliest offset
  --until-idle <duration>  end the run once no new records arrived for this long (e.g. 5s)
  --fresh                  ignore (and delete) the job's checkpoint: start over
  --savepoint <dir>        when stopped (Ctrl-C, SIGTERM), also write a savepoint under <dir>
  --from-savepoint <path>  start from a savepoint (also SET 'execution.savepoint.path'); the job
                           may have changed: state goes to the operators it still fits
  --allow-non-restored-state
                           drop savepoint state no operator of the changed job takes (also SET
                           'execution.savepoint.ignore-unclaimed-state' = 'true')
  --parallelism <n|auto>   run the job in n worker threads, key-partitioned as Flink's hash
                           exchange (also SET 'parallelism.default'); 'auto': one per core,
                           or 1 when the job cannot be split. Default 1
  --quiet                  no progress output, only errors and the summary
  -h, --help               this help

Examples:
  fintrans-sql run jobs/laundering.sql
  fintrans-sql run jobs/ --until-idle 5s
  fintrans-sql run jobs/laundering_sliding.sql --brokers localhost:9092 --from-beginning`;

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  set: { type: 'string', multiple: true },
  brokers: { type: 'string' },
  'from-beginning': { type: 'boolean' },
  'until-idle': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  fresh: { type: 'boolean' },
  savepoint: { type: 'string' },
  'from-savepoint': { type: 'string' },
  'allow-non-restored-state': { type: 'boolean' },
  'batch-size': { type: 'string' },
  parallelism: { type: 'string' },
} as const;

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, 'run');
  if (values.help) {
    process.stdout.write(RUN_HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError(`run: give one .sql file or a directory of them\n  see 'fintrans-sql run --help'`);
  const cwd = process.cwd();
  const settings = parseSetFlags(values.set, 'run');
  const brokers = values.brokers ?? process.env.KAFKA_BROKERS;
  if (brokers !== undefined) {
    if (!/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/.test(brokers))
      throw new UsageError(`run: --brokers needs host:port[,host:port...], got '${brokers}'`);
    settings.set('kafka.brokers', brokers);
  }
  if (values['from-beginning']) settings.set('kafka.from-beginning', 'true');
  if (values.parallelism !== undefined) {
    if (!/^(auto|[1-9]\d*)$/i.test(values.parallelism) || Number(values.parallelism) > MAX_PARALLELISM)
      throw new UsageError(
        `run: --parallelism needs a whole number from 1 to ${MAX_PARALLELISM} or 'auto', got '${values.parallelism}'`,
      );
    settings.set(PARALLELISM_SETTING, values.parallelism);
  }
  const untilIdleMs = parseDurationFlag(values['until-idle'], '--until-idle', 'run');
  let batchSize: number | undefined;
  if (values['batch-size'] !== undefined) {
    batchSize = Number(values['batch-size']);
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new UsageError(`run: --batch-size needs a positive whole number`);
  }
  const quiet = values.quiet ?? false;

  const files = jobFiles(positionals[0]!, cwd);
  // Plan and build everything first: a mistake in any file stops the run before anything is read.
  const jobs = files.map((f) =>
    buildJob(planFile(f, cwd, settings), {
      cwd,
      notify: (m) => process.stderr.write(redact(`${displayPath(f, cwd)}: ${m}\n`)),
    }),
  );

  // Refused before anything is read: a job asked to run in parallel that cannot be split.
  const parallelism = new Map(jobs.map((job) => [job, chooseParallelism(job.plan)] as const));
  for (const [job, p] of parallelism) {
    if (p.notice && !quiet) process.stderr.write(`${displayPath(job.plan.file, cwd)}: ${p.notice}\n`);
    if (p.n > 1 && (values.savepoint !== undefined || values['from-savepoint'] !== undefined))
      throw new UsageError(
        `run: savepoints are taken and restored at parallelism 1 only; run ${displayPath(job.plan.file, cwd)} without --parallelism to use them`,
      );
  }

  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping: flushing sinks and closing (Ctrl-C again to force)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const results = await Promise.all(
      jobs.map((job) => {
        if (job.plan.explain.length > 0) process.stdout.write(explainPipelines(job.plan.explain) + '\n');
        if (job.plan.pipelines.length === 0) return Promise.resolve({ stopped: false });
        const progress = quiet ? undefined : progressReporter(jobs.length > 1 ? job.plan.file : undefined);
        const fromSavepoint = values['from-savepoint'] ?? job.plan.settings.get('execution.savepoint.path');
        const allowNonRestored =
          values['allow-non-restored-state'] ??
          job.plan.settings.get('execution.savepoint.ignore-unclaimed-state') === 'true';
        const how = {
          fresh: values.fresh ?? false,
          fromBeginning: values['from-beginning'] ?? false,
          quiet,
          fromSavepoint,
          allowNonRestored,
        };
        const n = parallelism.get(job)!.n;
        return openCheckpoints(job, cwd, how, n).then((checkpoints) => {
          if (values.savepoint !== undefined && !checkpoints)
            throw new UsageError(
              `run: --savepoint needs checkpoints, but ${displayPath(job.plan.file, cwd)} turns them off ('execution.checkpointing.interval' = 'off')`,
            );
          const runOpts = {
            untilIdleMs,
            batchSize,
            signal: controller.signal,
            onProgress: progress,
            checkpoints,
            crashAt: testHooksFromEnv().crashAt,
          };
          const started = Date.now();
          return (n > 1 ? runParallel(job, n, { ...runOpts, cwd }) : runJob(job, runOpts))
            .then((r) => {
              if (checkpoints) savepointOnStop(job, cwd, checkpoints, r.stopped, values.savepoint);
              process.stderr.write(redact(summary(job, cwd, r.checkpoints, Date.now() - started)));
              return r;
            })
            .finally(() => checkpoints?.store.close());
        });
      }),
    );
    return results.some((r) => r.stopped) ? 130 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function progressReporter(label: string | undefined): (job: BuiltJob, final: boolean) => void {
  const tty = process.stderr.isTTY === true;
  let lastIn = 0;
  let lastOut = 0;
  let lastAt = Date.now();
  // Not a terminal (a log file, a pipe): a line only when something changed, else one every 10 s,
  // so an idle job does not fill its log with the same line every second.
  let lastState = '';
  const quietMs = 10_000;
  return (job, final) => {
    const now = Date.now();
    const inN = job.sources.reduce((n, s) => n + s.stats.recordsIn, 0);
    const outN = job.sinks.reduce((n, s) => n + s.operators.reduce((m, o) => m + o.rowsOut, 0), 0);
    const bad = job.sources.reduce((n, s) => n + s.stats.badRecords, 0);
    const wm = job.sources.map((s) => describeWatermark(s.stats.watermark)).join(' / ');
    if (final) {
      if (tty) process.stderr.write('\r\x1b[K');
      return;
    }
    const state = `${inN} ${outN} ${wm} ${job.openWindows()} ${job.late.count} ${bad}`;
    if (!tty && state === lastState && now - lastAt < quietMs) return;
    const secs = Math.max(0.001, (now - lastAt) / 1000);
    const line =
      `${label ? label + ': ' : ''}in ${inN} (${Math.round((inN - lastIn) / secs)}/s)  out ${outN} (${Math.round((outN - lastOut) / secs)}/s)  ` +
      `watermark ${wm}  open windows ${job.openWindows()}  late ${job.late.count}  bad ${bad}`;
    lastIn = inN;
    lastOut = outN;
    lastAt = now;
    lastState = state;
    process.stderr.write(tty ? `\r\x1b[K${line}` : `${new Date().toISOString()} ${line}\n`);
  };
}

function summary(
  job: BuiltJob,
  cwd: string,
  checkpoints: CheckpointStats | undefined,
  elapsedMs: number,
): string {
  const lines: string[] = [];
  const name = displayPath(job.plan.file, cwd);
  for (const s of job.sources) {
    const st = s.stats;
    lines.push(
      `${name}: read ${st.recordsIn} record${st.recordsIn === 1 ? '' : 's'} from '${st.table}'${st.badRecords ? `, skipped ${st.badRecords} bad` : ''}`,
    );
    for (const b of st.badSamples) lines.push(`  bad record ${b}`);
  }
  if (job.late.count > 0) {
    lines.push(
      `${name}: ${job.late.count} late record${job.late.count === 1 ? '' : 's'} (behind the watermark for all their windows) ${job.plan.lateSink ? `written to '${job.plan.lateSink.name}'` : `dropped — SET 'fintrans.late-records.sink' = '<table>' to keep them`}`,
    );
    for (const l of job.late.samples) lines.push(`  late ${l}`);
  }
  for (const l of job.lookups) lines.push(`${name}: ${l.reader.describe()}`);
  for (const s of job.sinks) lines.push(`${name}: wrote ${s.writer.describe()}`);
  if (checkpoints && checkpoints.count > 0) {
    const c = checkpoints;
    lines.push(
      `${name}: checkpoints: ${c.count}, avg ${Math.round(c.totalMs / c.count)} ms, max ${Math.round(c.maxMs)} ms, last ${(c.lastBytes / 1e6).toFixed(c.lastBytes < 1e5 ? 3 : 1)} MB`,
    );
  }
  // Last, as issue 21 asks: how long the run took and how fast it read.
  const records = job.sources.reduce((n, src) => n + src.stats.recordsIn, 0);
  const secs = elapsedMs / 1000;
  lines.push(
    `${name}: done in ${secs.toFixed(1)} s, ${records} record${records === 1 ? '' : 's'} read (${Math.round(records / Math.max(secs, 0.001))} records/s)`,
  );
  return lines.join('\n') + '\n';
}

/**
 * The job's checkpoint store (SET 'execution.checkpointing.interval', default 10 s; 'off' disables),
 * after resuming from its latest checkpoint, if there is one and --fresh was not given. Says where
 * a run without a checkpoint starts reading, and refuses --from-beginning over a checkpoint (which
 * decides where each source resumes).
 */
async function openCheckpoints(
  job: BuiltJob,
  cwd: string,
  how: {
    fresh: boolean;
    fromBeginning: boolean;
    quiet: boolean;
    fromSavepoint?: string;
    allowNonRestored: boolean;
  },
  parallelism: number,
): Promise<OpenCheckpoints | undefined> {
  const name = displayPath(job.plan.file, cwd);
  const say = (m: string) => {
    if (!how.quiet) process.stderr.write(`${name}: ${m}\n`);
  };
  const opened = await openJobCheckpoints(job, cwd, how.fresh);
  if (!opened) {
    if (how.fromSavepoint !== undefined)
      throw new UsageError(
        `run: a savepoint is restored into the job's checkpoints, but ${name} turns them off ('execution.checkpointing.interval' = 'off')`,
      );
    sayStart(job, say, 'checkpoints are off');
    return undefined;
  }
  const { store, path, intervalMs, settled, notices } = opened;
  try {
    if (how.fromSavepoint !== undefined) {
      // Flink: an explicit savepoint wins over the job's own checkpoint, which is replaced.
      const file = savepointStateFile(how.fromSavepoint, cwd);
      const cp = CheckpointStore.readSavepoint(file, displayPath(file, cwd));
      for (const n of restoreFromSavepoint(
        job,
        cp,
        displayPath(how.fromSavepoint, cwd),
        how.allowNonRestored,
      ))
        say(n);
      store.clear();
      say(
        `restored from savepoint ${displayPath(how.fromSavepoint, cwd)} (taken ${new Date(cp.takenAt).toISOString()})`,
      );
      return { store, path, intervalMs };
    }
    for (const n of notices) process.stderr.write(`${name}: ${n}\n`);
    if (settled) {
      const outcome =
        settled.outcome === 'confirmed'
          ? 'its sinks had committed: it stands'
          : 'its sinks had not committed: discarded';
      say(`checkpoint ${settled.id} was being committed when the job stopped; ${outcome}`);
    }
    const cp = store.latest();
    if (!cp) {
      sayStart(job, say, how.fresh ? 'starting over (--fresh)' : 'no checkpoint: starting fresh');
      return { store, path, intervalMs };
    }
    const when = new Date(cp.takenAt).toISOString();
    if (how.fromBeginning) {
      throw new UsageError(
        `run: ${name} has a checkpoint (${cp.id}, ${when}, in ${displayPath(path, cwd)}) and resumes where it left off, so --from-beginning would be ignored\n` +
          `  hint: add --fresh to start over from the earliest offsets (earlier output is kept aside, not overwritten), or leave out --from-beginning to resume`,
      );
    }
    restoreAtParallelism(job, cp, displayPath(path, cwd), parallelism);
    say(`resuming from checkpoint ${cp.id} of ${when} (${displayPath(path, cwd)})`);
    return { store, path, intervalMs };
  } catch (e) {
    store.close();
    throw e;
  }
}

interface OpenCheckpoints {
  readonly store: CheckpointStore;
  readonly path: string;
  readonly intervalMs: number;
}

/**
 * After a run: if it was stopped (not finished) and a savepoint was asked for (--savepoint, or
 * `fintrans-sql stop --savepoint` from another process), writes the checkpoint taken at the stop
 * as a savepoint and says where.
 */
function savepointOnStop(
  job: BuiltJob,
  cwd: string,
  cps: OpenCheckpoints,
  stopped: boolean,
  flagDir: string | undefined,
): void {
  const requested = takeSavepointRequest(cps.path);
  const dir = flagDir ?? requested;
  if (dir === undefined) return;
  const name = displayPath(job.plan.file, cwd);
  if (!stopped) {
    process.stderr.write(
      `${name}: the job finished (its input is complete), so there is no state to keep: no savepoint written\n`,
    );
    return;
  }
  const at = writeSavepoint(cps.store, resolve(cwd, dir), job.plan.file);
  if (requested !== undefined) reportSavepoint(cps.path, at);
  process.stderr.write(
    `${name}: savepoint written: ${displayPath(at, cwd)} (resume with: fintrans-sql run ${name} --from-savepoint ${displayPath(at, cwd)})\n`,
  );
}

/** Where each source of a job without a checkpoint starts reading (files: their first line, not said). */
function sayStart(job: BuiltJob, say: (m: string) => void, why: string): void {
  const starts = job.sources
    .filter((s) => s.reader.startsAt)
    .map((s) => `'${s.table.name}' reads from ${s.reader.startsAt!()}`);
  if (starts.length > 0) say(`${why}; ${starts.join('; ')}`);
}
