// Runs `fintrans-sql up` from dist/ as a user would (a child process in a temp directory), and
// reads its status JSON API and /metrics.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI } from '../e2e/cli.js';

export interface JobView {
  id: string;
  file: string;
  status: string;
  pid: number | null;
  restarts: number;
  unresponsiveKills: number;
  silentMs: number | null;
  killAt: number | null;
  nextRestartAt: number | null;
  error: string | null;
  rejected: { error: string } | null;
  resumedFrom: { id: number } | null;
  notices: { at: number; message: string }[];
  recordsIn: number;
  recordsOut: number;
  watermark: number | null;
  watermarkText: string;
  openWindows: number;
  late: number;
  bad: number;
  sinks: {
    name: string;
    rows: number;
    rowsWritten: number;
    columns: string[];
    latest: (string | null)[][];
  }[];
  chart: { series: { name: string; points: [number, number][] }[] } | null;
}

export interface Status {
  jobs: JobView[];
  events: { job: string; level: string; message: string }[];
}

export class UpProcess {
  stderr = '';
  stdout = '';
  url = '';
  readonly exited: Promise<number | null>;

  private constructor(readonly proc: ChildProcess) {
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  }

  static async start(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<UpProcess> {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
    const noUi = args.includes('--no-ui');
    const proc = spawn(process.execPath, [CLI, 'up', ...args, ...(noUi ? [] : ['--port', '0'])], {
      cwd,
      env: { ...process.env, FINTRANS_HOME: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const up = new UpProcess(proc);
    if (noUi) {
      await up.until(() => /^watching /m.test(up.stderr), 30_000, "up's first line");
      return up;
    }
    await up.until(() => /dashboard (http:\/\/\S+\/)/.test(up.stderr), 30_000, 'the dashboard URL on stderr');
    up.url = /dashboard (http:\/\/\S+\/)/.exec(up.stderr)![1]!;
    return up;
  }

  async status(): Promise<Status> {
    const r = await fetch(this.url + 'api/status');
    if (!r.ok) throw new Error(`/api/status: HTTP ${r.status}`);
    return (await r.json()) as Status;
  }

  async job(id: string): Promise<JobView | undefined> {
    return (await this.status()).jobs.find((j) => j.id === id);
  }

  /** /metrics parsed: `name{labels}` → value. */
  async metrics(): Promise<Map<string, number>> {
    const r = await fetch(this.url + 'metrics');
    if (!r.ok) throw new Error(`/metrics: HTTP ${r.status}`);
    const out = new Map<string, number>();
    for (const line of (await r.text()).split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const m = /^(\S+) (\S+)$/.exec(line);
      if (!m) throw new Error(`/metrics: not a sample line: ${line}`);
      out.set(m[1]!, m[2] === '+Inf' ? Infinity : Number(m[2]));
    }
    return out;
  }

  /** Polls until check() holds (async allowed); fails with what was awaited and up's log. */
  async until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const end = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < end) {
      try {
        if (await check()) return;
      } catch (e) {
        last = e;
      }
      if (this.proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `waited ${timeoutMs} ms for ${what}${last ? ` (last error: ${String(last)})` : ''}\n--- up's stderr ---\n${this.stderr}`,
    );
  }

  async waitJob(
    id: string,
    pred: (j: JobView) => boolean,
    what: string,
    timeoutMs = 30_000,
  ): Promise<JobView> {
    let found: JobView | undefined;
    await this.until(
      async () => {
        found = await this.job(id);
        return found !== undefined && pred(found);
      },
      timeoutMs,
      `job ${id}: ${what} (last seen: ${JSON.stringify(found && { ...found, sinks: undefined, chart: undefined })})`,
    );
    return found!;
  }

  /** SIGTERM and wait for the exit code. */
  async stop(): Promise<number | null> {
    if (this.proc.exitCode === null) this.proc.kill('SIGTERM');
    return this.exited;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
