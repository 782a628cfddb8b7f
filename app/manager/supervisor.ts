// One job under `fintrans-sql up`: its child process, its status, its latest figures, and its
// restarts. A failed run is restarted with exponential backoff (1 s, 2 s, 4 s … 30 s; reset after
// a minute of healthy running); a finished run (bounded input complete) is not.
//
// Heartbeat: a running job's process reports its figures twice a second. One that has sent
// nothing for `heartbeat.timeoutMs` (stuck in a blocking loop, swapping) is 'unresponsive'; if it
// is still silent `heartbeat.graceMs` later it is killed (SIGKILL) and restarted like a failed run,
// from its last checkpoint. A process that reports again in between is 'running' again.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { OptionError } from '../../engine/errors.js';
import { parseDurationMs, parseDurationOrOffMs } from '../../engine/options.js';
import type { ChildMessage, JobStats, ParentMessage, WorkerConfig } from './protocol.js';
import type { TestHooks } from '../test-hooks.js';
import { redact } from '../../engine/secrets.js';

export type JobStatus =
  'starting' | 'running' | 'unresponsive' | 'finished' | 'failed' | 'stopping' | 'stopped' | 'invalid';

/** When a running job's silent process is flagged and when it is killed; timeoutMs 0 = no check. */
export interface HeartbeatOptions {
  /** No figures for this long: 'unresponsive'. */
  readonly timeoutMs: number;
  /** Still silent this long after that: killed and restarted. */
  readonly graceMs: number;
}

export const HEARTBEAT_TIMEOUT_ENV = 'FINTRANS_UP_HEARTBEAT_TIMEOUT';
export const HEARTBEAT_GRACE_ENV = 'FINTRANS_UP_HEARTBEAT_GRACE';
export const DEFAULT_HEARTBEAT: HeartbeatOptions = { timeoutMs: 10_000, graceMs: 20_000 };

/** The heartbeat settings from FINTRANS_UP_HEARTBEAT_TIMEOUT / _GRACE (durations; timeout '0' or 'off' switches the check off). */
export function heartbeatFromEnv(env: NodeJS.ProcessEnv = process.env): HeartbeatOptions {
  const read = (name: string, fallback: number): number => {
    const text = env[name]?.trim();
    if (text === undefined || text === '') return fallback;
    const ms = parseDurationOrOffMs(text);
    if (ms === null)
      throw new OptionError(
        undefined,
        `${name}='${text}' is not a duration`,
        `write e.g. '10s', '1500 ms', or 'off'`,
      );
    return ms;
  };
  return {
    timeoutMs: read(HEARTBEAT_TIMEOUT_ENV, DEFAULT_HEARTBEAT.timeoutMs),
    graceMs: read(HEARTBEAT_GRACE_ENV, DEFAULT_HEARTBEAT.graceMs),
  };
}

export const STOP_TIMEOUT_ENV = 'FINTRANS_UP_STOP_TIMEOUT';
export const DEFAULT_STOP_TIMEOUT_MS = 30_000;

/** How long a job's process may take to stop (flush, checkpoint, close) before it is killed: FINTRANS_UP_STOP_TIMEOUT, default 30 s. */
export function stopTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[STOP_TIMEOUT_ENV]?.trim();
  if (text === undefined || text === '') return DEFAULT_STOP_TIMEOUT_MS;
  const ms = parseDurationMs(text);
  if (ms === null || ms === 0)
    throw new OptionError(undefined, `${STOP_TIMEOUT_ENV}='${text}' is not a duration`, `write e.g. '30s'`);
  return ms;
}

export interface SupervisorEvents {
  log(job: string, level: 'info' | 'warn' | 'error', message: string): void;
  changed(): void;
}

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30_000;
const HEALTHY_AFTER_MS = 60_000;
const RATE_WINDOW_MS = 3000;
const KEEP_NOTICES = 5;

export class JobSupervisor {
  status: JobStatus = 'stopped';
  /** The text of the version that runs (or last ran). */
  text: string | undefined;
  /** The text of a newer version that did not validate, and why: the running version is kept. */
  rejected: { text: string; error: string; at: number } | undefined;
  error: string | undefined;
  restarts = 0;
  startedAt: number | undefined;
  nextRestartAt: number | undefined;
  resumedFrom: { id: number; takenAt: number } | undefined;
  stats: JobStats | undefined;
  /** What the job's runs said the user must know about their data (an earlier output kept aside), newest last. */
  readonly notices: { at: number; message: string }[] = [];
  inPerSec = 0;
  outPerSec = 0;
  private samples: { at: number; inN: number; outN: number }[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private failuresInRow = 0;
  private firstStart = true;
  /** When the current process last sent anything (figures, started). */
  lastReportAt: number | undefined;
  /** Since when the running process has been silent past the heartbeat timeout. */
  unresponsiveSince: number | undefined;
  /** Processes killed for being unresponsive, since up started. */
  unresponsiveKills = 0;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** Why this supervisor killed the current process, reported when it exits. */
  private killedFor: string | undefined;
  /** The job started fresh after an edit and may not have checkpointed since: see WorkerConfig.recompute. */
  private recompute = false;
  /** up is shutting down: the job is never started (or restarted) again. */
  private retired = false;
  /** Whether the last process ended by itself with its final message (not killed, not crashed on the way out). */
  private exitedCleanly = true;

  constructor(
    readonly id: string,
    readonly file: string,
    readonly display: string,
    private readonly base: {
      cwd: string;
      settings: ReadonlyMap<string, string>;
      fresh: boolean;
      testHooks?: TestHooks;
    },
    private readonly events: SupervisorEvents,
    readonly heartbeat: HeartbeatOptions = DEFAULT_HEARTBEAT,
    private readonly stopTimeoutMs = DEFAULT_STOP_TIMEOUT_MS,
  ) {}

  /** When the unresponsive process will be killed, if it stays silent. */
  get killAt(): number | undefined {
    return this.unresponsiveSince === undefined ? undefined : this.unresponsiveSince + this.heartbeat.graceMs;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the current text in a new child process. */
  start(): void {
    if (this.text === undefined || this.child || this.retired) return;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.nextRestartAt = undefined;
    const config: WorkerConfig = {
      file: this.file,
      text: this.text,
      display: this.display,
      cwd: this.base.cwd,
      settings: [...this.base.settings],
      fresh: this.base.fresh && this.firstStart,
      recompute: this.recompute,
      testHooks: this.base.testHooks,
    };
    this.firstStart = false;
    this.status = 'starting';
    this.stats = undefined;
    this.samples = [];
    this.inPerSec = this.outPerSec = 0;
    this.resumedFrom = undefined;
    this.startedAt = Date.now();
    this.lastReportAt = this.startedAt;
    this.unresponsiveSince = undefined;
    this.killedFor = undefined;
    const child = fork(WORKER, [], {
      cwd: this.base.cwd,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    });
    this.child = child;
    child.send({ type: 'config', config } satisfies ParentMessage);
    let outcome: ChildMessage | undefined;
    child.on('message', (m: unknown) => {
      const msg = m as ChildMessage;
      this.heard();
      switch (msg.type) {
        case 'started':
          if (this.status === 'starting') this.status = 'running';
          this.resumedFrom = msg.resumedFrom;
          // Until the fresh run's first checkpoint, a restart must recompute from the beginning too.
          if (msg.freshReason) this.recompute = true;
          else if (msg.resumedFrom) this.recompute = false;
          if (msg.resumedFrom)
            this.events.log(
              this.id,
              'info',
              `resumed from checkpoint ${msg.resumedFrom.id} of ${new Date(msg.resumedFrom.takenAt).toISOString()}`,
            );
          else if (msg.freshReason)
            this.events.log(
              this.id,
              'warn',
              `started fresh: ${msg.freshReason}; it recomputes from the beginning of its sources${startsAtText(msg.startsAt)}`,
            );
          else this.events.log(this.id, 'info', `started (pid ${child.pid})${startsAtText(msg.startsAt)}`);
          break;
        case 'notice':
          this.notices.push({ at: Date.now(), message: msg.message });
          if (this.notices.length > KEEP_NOTICES) this.notices.splice(0, this.notices.length - KEEP_NOTICES);
          this.events.log(this.id, 'warn', msg.message);
          break;
        case 'stats':
          this.onStats(msg.stats);
          break;
        case 'done':
        case 'failed':
          outcome = msg;
          break;
      }
      this.events.changed();
    });
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        clearInterval(this.heartbeatTimer);
        this.heartbeatTimer = undefined;
        this.child = undefined;
        this.exited = undefined;
        this.onExit(outcome, code, signal);
        resolve();
      });
    });
    if (this.heartbeat.timeoutMs > 0) {
      clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = setInterval(
        () => this.checkHeartbeat(),
        Math.max(50, Math.min(500, this.heartbeat.timeoutMs / 4)),
      );
    }
    this.events.changed();
  }

  /** The process sent something: it is alive (again). */
  private heard(): void {
    const now = Date.now();
    if (this.status === 'unresponsive') {
      this.status = 'running';
      this.unresponsiveSince = undefined;
      this.events.log(
        this.id,
        'info',
        `responsive again after ${seconds(now - this.lastReportAt!)} without figures`,
      );
    }
    this.lastReportAt = now;
  }

  /**
   * Running and silent for the timeout: unresponsive; still silent after the grace period:
   * killed, and restarted by onExit like a failed run. Only while running: a process starting up
   * (restoring a checkpoint, connecting) reports nothing yet, and one stopping has stop()'s timeout.
   */
  private checkHeartbeat(): void {
    const child = this.child;
    if (!child || this.killedFor !== undefined || this.lastReportAt === undefined) return;
    const now = Date.now();
    const silent = now - this.lastReportAt;
    if (this.status === 'running' && silent >= this.heartbeat.timeoutMs) {
      this.status = 'unresponsive';
      this.unresponsiveSince = now;
      this.events.log(
        this.id,
        'warn',
        `unresponsive: its process (pid ${child.pid}) sent no figures for ${seconds(silent)} (stuck in a blocking loop?); ` +
          `it is killed and restarted in ${seconds(this.heartbeat.graceMs)} unless it recovers`,
      );
      this.events.changed();
    } else if (this.status === 'unresponsive' && now - this.unresponsiveSince! >= this.heartbeat.graceMs) {
      this.killedFor = `unresponsive: its process (pid ${child.pid}) sent no figures for ${seconds(silent)}; killed`;
      this.unresponsiveKills++;
      child.kill('SIGKILL');
    }
  }

  private onStats(stats: JobStats): void {
    this.stats = stats;
    this.samples.push({ at: stats.at, inN: stats.recordsIn, outN: stats.recordsOut });
    while (this.samples.length > 2 && stats.at - this.samples[0]!.at > RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const secs = (stats.at - first.at) / 1000;
    this.inPerSec = secs > 0 ? (stats.recordsIn - first.inN) / secs : 0;
    this.outPerSec = secs > 0 ? (stats.recordsOut - first.outN) / secs : 0;
  }

  private onExit(
    outcome: ChildMessage | undefined,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    this.inPerSec = this.outPerSec = 0;
    this.unresponsiveSince = undefined;
    this.exitedCleanly = outcome?.type === 'done';
    if (outcome?.type === 'done') {
      this.error = undefined;
      this.failuresInRow = 0;
      if (outcome.stopped) {
        this.status = 'stopped';
        this.events.log(this.id, 'info', `stopped (checkpoint taken); ${outcome.summary}`);
      } else {
        this.status = 'finished';
        this.events.log(this.id, 'info', `finished: input complete; ${outcome.summary}`);
      }
    } else if (this.status === 'stopping') {
      // Asked to stop, but it died on the way out.
      this.status = 'stopped';
      this.error =
        outcome?.type === 'failed'
          ? redact(outcome.message)
          : `exited with ${signal ?? `code ${code}`} while stopping`;
      this.events.log(this.id, 'error', `stopped abnormally: ${this.error}`);
    } else if (this.retired) {
      this.status = 'failed';
      this.error =
        this.killedFor ??
        (outcome?.type === 'failed'
          ? redact(outcome.message)
          : `the job's process exited with ${signal ?? `code ${code}`}`);
      this.events.log(this.id, 'error', `failed: ${this.error}\n  not restarted: up is shutting down`);
    } else {
      // The healthy stretch ends where the process went silent, not where it was killed.
      const healthyUntil = this.killedFor !== undefined ? this.lastReportAt : Date.now();
      if (
        this.startedAt !== undefined &&
        healthyUntil !== undefined &&
        healthyUntil - this.startedAt > HEALTHY_AFTER_MS
      )
        this.failuresInRow = 0;
      this.failuresInRow++;
      this.restarts++;
      this.status = 'failed';
      this.error =
        this.killedFor ??
        (outcome?.type === 'failed'
          ? redact(outcome.message)
          : `the job's process exited with ${signal ?? `code ${code}`}`);
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (this.failuresInRow - 1));
      this.nextRestartAt = Date.now() + delay;
      this.events.log(
        this.id,
        'error',
        `failed: ${this.error}\n  restarting in ${delay / 1000} s (restart ${this.restarts})`,
      );
      this.restartTimer = setTimeout(() => this.start(), delay);
    }
    this.events.changed();
  }

  /** up is shutting down: stops the job for good (no restart after this, even if it fails on the way out). True when it stopped cleanly. */
  shutdown(): Promise<boolean> {
    this.retired = true;
    return this.stop();
  }

  /**
   * Stops the job cleanly (flush, checkpoint, close); kills it if it does not stop within the stop
   * timeout. True when the process ended by itself with its final message (or none was running).
   */
  async stop(timeoutMs = this.stopTimeoutMs): Promise<boolean> {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.nextRestartAt = undefined;
    const child = this.child;
    const exited = this.exited;
    if (!child || !exited) {
      if (
        this.status === 'failed' ||
        this.status === 'starting' ||
        this.status === 'running' ||
        this.status === 'unresponsive'
      )
        this.status = 'stopped';
      return true;
    }
    this.status = 'stopping';
    this.unresponsiveSince = undefined;
    this.events.changed();
    if (child.connected) child.send({ type: 'stop' });
    else child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      this.events.log(this.id, 'error', `did not stop within ${timeoutMs / 1000} s: killed`);
      child.kill('SIGKILL');
    }, timeoutMs);
    await exited;
    clearTimeout(timer);
    return this.exitedCleanly;
  }

  /** Kills the job's process at once (second Ctrl-C). */
  kill(): void {
    clearTimeout(this.restartTimer);
    this.child?.kill('SIGKILL');
  }

  /** Restarting after a failure, a timer pending. */
  get waitingToRestart(): boolean {
    return this.restartTimer !== undefined;
  }
}

function startsAtText(startsAt: readonly string[] | undefined): string {
  return startsAt && startsAt.length > 0 ? `: ${startsAt.join('; ')}` : '';
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
