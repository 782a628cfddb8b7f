// One job under `fintrans-sql up`: its child process, its status, its latest figures, and its
// restarts. A failed run is restarted with exponential backoff (1 s, 2 s, 4 s … 30 s; reset after
// a minute of healthy running); a finished run (bounded input complete) is not.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, JobStats, WorkerConfig } from './protocol.js';

export type JobStatus = 'starting' | 'running' | 'finished' | 'failed' | 'stopping' | 'stopped' | 'invalid';

export interface SupervisorEvents {
  log(job: string, level: 'info' | 'warn' | 'error', message: string): void;
  changed(): void;
}

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30_000;
const HEALTHY_AFTER_MS = 60_000;
const RATE_WINDOW_MS = 3000;

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
  inPerSec = 0;
  outPerSec = 0;
  private samples: { at: number; inN: number; outN: number }[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private failuresInRow = 0;
  private firstStart = true;

  constructor(
    readonly id: string,
    readonly file: string,
    readonly display: string,
    private readonly base: { cwd: string; settings: ReadonlyMap<string, string>; fresh: boolean },
    private readonly events: SupervisorEvents,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the current text in a new child process. */
  start(): void {
    if (this.text === undefined || this.child) return;
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
    };
    this.firstStart = false;
    this.status = 'starting';
    this.stats = undefined;
    this.samples = [];
    this.inPerSec = this.outPerSec = 0;
    this.resumedFrom = undefined;
    this.startedAt = Date.now();
    const child = fork(WORKER, [JSON.stringify(config)], { cwd: this.base.cwd, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    this.child = child;
    let outcome: ChildMessage | undefined;
    child.on('message', (m: unknown) => {
      const msg = m as ChildMessage;
      switch (msg.type) {
        case 'started':
          if (this.status === 'starting') this.status = 'running';
          this.resumedFrom = msg.resumedFrom;
          if (msg.resumedFrom) this.events.log(this.id, 'info', `resumed from checkpoint ${msg.resumedFrom.id} of ${new Date(msg.resumedFrom.takenAt).toISOString()}`);
          else if (msg.freshReason) this.events.log(this.id, 'warn', `started fresh: ${msg.freshReason}`);
          else this.events.log(this.id, 'info', `started (pid ${child.pid})`);
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
        this.child = undefined;
        this.exited = undefined;
        this.onExit(outcome, code, signal);
        resolve();
      });
    });
    this.events.changed();
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

  private onExit(outcome: ChildMessage | undefined, code: number | null, signal: NodeJS.Signals | null): void {
    this.inPerSec = this.outPerSec = 0;
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
      this.error = outcome?.type === 'failed' ? outcome.message : `exited with ${signal ?? `code ${code}`} while stopping`;
      this.events.log(this.id, 'error', `stopped abnormally: ${this.error}`);
    } else {
      if (this.startedAt !== undefined && Date.now() - this.startedAt > HEALTHY_AFTER_MS) this.failuresInRow = 0;
      this.failuresInRow++;
      this.restarts++;
      this.status = 'failed';
      this.error = outcome?.type === 'failed' ? outcome.message : `the job's process exited with ${signal ?? `code ${code}`}`;
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (this.failuresInRow - 1));
      this.nextRestartAt = Date.now() + delay;
      this.events.log(this.id, 'error', `failed: ${this.error}\n  restarting in ${delay / 1000} s (restart ${this.restarts})`);
      this.restartTimer = setTimeout(() => this.start(), delay);
    }
    this.events.changed();
  }

  /** Stops the job cleanly (flush, checkpoint, close); kills it if it does not stop within timeoutMs. */
  async stop(timeoutMs = 30_000): Promise<void> {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.nextRestartAt = undefined;
    const child = this.child;
    const exited = this.exited;
    if (!child || !exited) {
      if (this.status === 'failed' || this.status === 'starting' || this.status === 'running') this.status = 'stopped';
      return;
    }
    this.status = 'stopping';
    this.events.changed();
    if (child.connected) child.send({ type: 'stop' });
    else child.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.events.log(this.id, 'error', `did not stop within ${timeoutMs / 1000} s: killed`);
      child.kill('SIGKILL');
    }, timeoutMs);
    await exited;
    clearTimeout(timer);
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
