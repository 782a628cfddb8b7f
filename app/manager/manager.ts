// `fintrans-sql up`'s job manager: runs every .sql file of a directory as a job in its own child
// process and keeps the set in step with the directory. A new or changed file is validated (parsed,
// planned, options checked) before it is swapped in: one that does not validate is reported and the
// running version keeps running; a valid change stops the job (checkpoint) and starts the new
// version, which resumes from that checkpoint when the state still fits. A deleted file's job is
// stopped cleanly. The directory is watched with fs.watch (debounced) and rescanned every second
// as well, since fs.watch can miss events (editors that rename, network file systems).

import { readFileSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import { basename, join } from 'node:path';
import { parseSqlFile } from '../../engine/sql/parse.js';
import { planJob } from '../../engine/plan/planner.js';
import { buildJob } from '../../engine/runtime/build.js';
import { FintransError } from '../../engine/errors.js';
import { displayPath, upManualReason } from '../job-files.js';
import { redact, secrets } from '../../engine/secrets.js';
import { JobSupervisor, heartbeatFromEnv, stopTimeoutFromEnv, type HeartbeatOptions } from './supervisor.js';
import type { TestHooks } from '../test-hooks.js';

export interface ManagerOptions {
  readonly dir: string;
  readonly cwd: string;
  readonly settings: ReadonlyMap<string, string>;
  readonly fresh: boolean;
  /** Where lifecycle lines go (stderr). */
  readonly log: (line: string) => void;
  readonly rescanMs?: number;
  /** When a silent job process is flagged unresponsive and killed; default from FINTRANS_UP_HEARTBEAT_TIMEOUT / _GRACE (10 s / 20 s). */
  readonly heartbeat?: HeartbeatOptions;
  /** Test hooks for each job's process (app/test-hooks.ts); absent in normal use. */
  readonly testHooks?: TestHooks;
}

export interface ManagerEvent {
  readonly at: number;
  readonly job: string;
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
}

const DEBOUNCE_MS = 150;
const KEEP_EVENTS = 200;

export class JobManager {
  readonly jobs = new Map<string, JobSupervisor>();
  /** Each job's add/change/remove in progress (see track()). */
  private readonly busy = new Map<string, Promise<void>>();
  readonly events: ManagerEvent[] = [];
  private readonly listeners = new Set<() => void>();
  private watcher: FSWatcher | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> = Promise.resolve();
  private closed = false;
  private listError: string | undefined;
  /** Jobs whose header keeps them out of 'up', with the reason last logged (logged once, not every scan). */
  private readonly manualNoted = new Map<string, string>();

  private readonly heartbeat: HeartbeatOptions;
  private readonly stopTimeoutMs: number;

  constructor(private readonly opts: ManagerOptions) {
    this.heartbeat = opts.heartbeat ?? heartbeatFromEnv();
    this.stopTimeoutMs = stopTimeoutFromEnv();
  }

  /** Something changed (status, figures, events): for the live dashboard. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  log(job: string, level: ManagerEvent['level'], message: string): void {
    const ev = { at: Date.now(), job, level, message: redact(message) };
    this.events.push(ev);
    if (this.events.length > KEEP_EVENTS) this.events.splice(0, this.events.length - KEEP_EVENTS);
    this.opts.log(`${new Date(ev.at).toISOString()} ${job}: ${ev.message}`);
    this.changed();
  }

  async start(): Promise<void> {
    await this.scan();
    try {
      this.watcher = watch(this.opts.dir, () => {
        clearTimeout(this.debounceTimer);
        this.debounceTimer = setTimeout(() => void this.scan(), DEBOUNCE_MS);
      });
      this.watcher.on('error', () => {
        // The polling rescan below carries on.
      });
    } catch {
      // Polling only.
    }
    const every = this.opts.rescanMs ?? 1000;
    const tick = () => {
      this.rescanTimer = setTimeout(() => void this.scan().finally(() => !this.closed && tick()), every);
    };
    tick();
  }

  /** Brings the running jobs in step with the directory. Scans run one at a time. */
  scan(): Promise<void> {
    this.scanning = this.scanning
      .then(() => (this.closed ? undefined : this.reconcile()))
      .catch((e: unknown) => this.log('up', 'error', `scanning ${this.opts.dir}: ${(e as Error).message}`));
    return this.scanning;
  }

  private async reconcile(): Promise<void> {
    let names: string[];
    try {
      names = readdirSync(this.opts.dir)
        .filter((f) => f.endsWith('.sql'))
        .sort();
    } catch (e) {
      const message = `cannot read ${this.opts.dir}: ${(e as Error).message}`;
      if (message !== this.listError) this.log('up', 'error', message);
      this.listError = message;
      return;
    }
    if (this.listError) this.log('up', 'info', `${this.opts.dir} is readable again`);
    this.listError = undefined;
    const seen = new Set<string>();
    for (const name of names) {
      const file = join(this.opts.dir, name);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue; // deleted between listing and reading
      }
      secrets.sqlText(text);
      const id = basename(name, '.sql');
      const manual = upManualReason(text);
      if (manual !== undefined) {
        // Not seen: one that was running before its header said so is stopped like a deleted file.
        if (this.manualNoted.get(id) !== manual)
          this.log(
            id,
            'info',
            `not started by up (-- up: manual): ${manual}; run it with 'fintrans-sql run ${displayPath(file, this.opts.cwd)}'`,
          );
        this.manualNoted.set(id, manual);
        continue;
      }
      this.manualNoted.delete(id);
      seen.add(id);
      // A job still stopping or restarting from an earlier change is looked at again next scan.
      if (this.busy.has(id)) continue;
      const sup = this.jobs.get(id);
      if (!sup) this.track(id, this.add(id, file, text));
      else if (text !== sup.text && text !== sup.rejected?.text) this.track(id, this.change(sup, text));
      else if (text === sup.text && sup.rejected) {
        sup.rejected = undefined;
        this.log(id, 'info', 'the file is back to the running version');
      }
    }
    for (const [id, sup] of this.jobs)
      if (!seen.has(id) && !this.busy.has(id)) this.track(id, this.remove(sup));
  }

  /**
   * Runs a job's add/change/remove without holding up the scan: one job taking 30 s to stop must
   * not delay the others. At most one operation per job at a time.
   */
  private track(id: string, work: Promise<void>): void {
    const done = work
      .catch((e: unknown) => this.log(id, 'error', (e as Error).message))
      .finally(() => {
        if (this.busy.get(id) === done) this.busy.delete(id);
      });
    this.busy.set(id, done);
  }

  /** Parses, plans and builds the text (nothing opened): the error message if it does not validate. */
  private validate(file: string, text: string): string | undefined {
    const display = displayPath(file, this.opts.cwd);
    try {
      buildJob(planJob(parseSqlFile(text, display), display, this.opts.settings), { cwd: this.opts.cwd });
      return undefined;
    } catch (e) {
      return redact(
        e instanceof FintransError && e.userError
          ? e.message
          : `internal error (a bug in fintrans-sql): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
    }
  }

  private async add(id: string, file: string, text: string): Promise<void> {
    const sup = new JobSupervisor(
      id,
      file,
      displayPath(file, this.opts.cwd),
      {
        cwd: this.opts.cwd,
        settings: this.opts.settings,
        fresh: this.opts.fresh,
        testHooks: this.opts.testHooks,
      },
      {
        log: (job, level, message) => this.log(job, level, message),
        changed: () => this.changed(),
      },
      this.heartbeat,
      this.stopTimeoutMs,
    );
    this.jobs.set(id, sup);
    const error = this.validate(file, text);
    if (error) {
      sup.status = 'invalid';
      sup.rejected = { text, error, at: Date.now() };
      this.log(id, 'error', `does not validate, not started:\n${indent(error)}`);
      return;
    }
    sup.text = text;
    if (this.closed) return;
    this.log(id, 'info', `new job ${sup.display}`);
    sup.start();
  }

  private async change(sup: JobSupervisor, text: string): Promise<void> {
    const error = this.validate(sup.file, text);
    if (error) {
      sup.rejected = { text, error, at: Date.now() };
      if (sup.text === undefined) {
        sup.status = 'invalid';
        this.log(sup.id, 'error', `does not validate, not started:\n${indent(error)}`);
      } else
        this.log(
          sup.id,
          'error',
          `the edited file does not validate; the previous version keeps running:\n${indent(error)}`,
        );
      return;
    }
    sup.rejected = undefined;
    const wasRunning = sup.text !== undefined;
    this.log(
      sup.id,
      'info',
      wasRunning
        ? 'file changed: stopping the running version (checkpoint), starting the new one'
        : 'file now validates: starting',
    );
    await sup.stop();
    sup.text = text;
    sup.error = undefined;
    if (!this.closed) sup.start();
  }

  private async remove(sup: JobSupervisor): Promise<void> {
    this.jobs.delete(sup.id);
    this.log(sup.id, 'info', 'file deleted: stopping the job');
    await sup.stop();
    this.changed();
  }

  /**
   * Stops watching and stops every job cleanly (each takes a checkpoint), in parallel, at once:
   * also while an edit is still swapping a job, and with no restart of any job from here on.
   * Returns the jobs that did not stop cleanly (killed after the stop timeout, or crashed on the way out).
   */
  async shutdown(): Promise<string[]> {
    this.closed = true;
    this.watcher?.close();
    clearTimeout(this.debounceTimer);
    clearTimeout(this.rescanTimer);
    const stopping = new Map([...this.jobs.values()].map((s) => [s, s.shutdown()]));
    await this.scanning;
    await Promise.all(this.busy.values());
    // Jobs a scan added meanwhile were never started; shutdown() just retires them.
    for (const s of this.jobs.values()) if (!stopping.has(s)) stopping.set(s, s.shutdown());
    const unclean: string[] = [];
    for (const [s, clean] of stopping) if (!(await clean)) unclean.push(s.id);
    return unclean.sort();
  }

  /** Second Ctrl-C: kill every job's process now. */
  kill(): void {
    for (const s of this.jobs.values()) s.kill();
  }
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => '  ' + l)
    .join('\n');
}
