// Runs one command in a child process and measures it from the outside: wall time (spawn to exit,
// taken by this process), peak RSS, CPU time, and when the child first printed a given marker.
//
// Peak RSS comes from GNU time (`/usr/bin/time -f … -o file`: the kernel's max RSS of the waited
// child, exact). Without it we poll /proc/<pid>/status VmHWM (the kernel's own high-water mark, so
// a poll only has to land before exit; growth in the last poll interval can be missed).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ChildRun {
  readonly exitCode: number;
  /** Spawn to exit, ms. */
  readonly wallMs: number;
  /** Peak resident set size, KiB (NaN when it could not be measured). */
  readonly peakRssKb: number;
  /** User + system CPU time, ms (NaN without GNU time). */
  readonly cpuMs: number;
  /** Spawn to the first stdout chunk containing `firstOutputMarker`, ms (NaN when never seen). */
  readonly firstOutputMs: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ChildOptions {
  readonly cwd: string;
  /** Text on stdout that counts as "the first output". */
  readonly firstOutputMarker?: string;
  /** Keep stdout text (off for commands that print a lot). */
  readonly keepStdout?: boolean;
}

export type RssMethod = 'gnu-time' | 'proc-vmhwm';

const GNU_TIME = '/usr/bin/time';
let rssMethod: RssMethod | undefined;

/** How peak RSS is measured here: GNU time when it works, else polling /proc. */
export function peakRssMethod(): RssMethod {
  if (rssMethod === undefined) {
    const probe = join(tmpdir(), `fintrans-bench-time-probe-${process.pid}`);
    const r = existsSync(GNU_TIME) ? spawnSync(GNU_TIME, ['-f', '%M', '-o', probe, 'true']) : null;
    const ok =
      r !== null && r.status === 0 && existsSync(probe) && /^\d+\s*$/.test(readFileSync(probe, 'utf8'));
    rmSync(probe, { force: true });
    rssMethod = ok ? 'gnu-time' : 'proc-vmhwm';
  }
  return rssMethod;
}

let runCounter = 0;

export function runChild(command: string, args: readonly string[], opts: ChildOptions): Promise<ChildRun> {
  const method = peakRssMethod();
  const timeFile = join(tmpdir(), `fintrans-bench-time-${process.pid}-${runCounter++}`);
  const [cmd, argv] =
    method === 'gnu-time'
      ? [GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, command, ...args]]
      : [command, [...args]];

  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, argv, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let firstOutputMs = NaN;
    let stdout = '';
    let stderr = '';
    let polledHwmKb = NaN;
    const marker = opts.firstOutputMarker;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (marker !== undefined && Number.isNaN(firstOutputMs) && chunk.includes(marker))
        firstOutputMs = performance.now() - started;
      if (opts.keepStdout) stdout += chunk;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 100_000) stderr += chunk;
    });
    const poller =
      method === 'proc-vmhwm'
        ? setInterval(() => {
            const kb = readVmHwmKb(child.pid);
            if (kb > (polledHwmKb || 0)) polledHwmKb = kb;
          }, 10)
        : undefined;
    child.on('error', (err) => {
      if (poller) clearInterval(poller);
      reject(new Error(`cannot start ${command}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - started;
      if (poller) clearInterval(poller);
      let peakRssKb = polledHwmKb;
      let cpuMs = NaN;
      if (method === 'gnu-time') {
        // GNU time writes "Command exited with non-zero status N" first when the child fails.
        const text = existsSync(timeFile) ? readFileSync(timeFile, 'utf8') : '';
        rmSync(timeFile, { force: true });
        const m = /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(text);
        if (m) {
          peakRssKb = Number(m[1]);
          cpuMs = (Number(m[2]) + Number(m[3])) * 1000;
        }
      }
      resolve({
        exitCode: code ?? (signal ? 128 : 1),
        wallMs,
        peakRssKb,
        cpuMs,
        firstOutputMs,
        stdout,
        stderr,
      });
    });
  });
}

function readVmHwmKb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN; // already exited
  }
}

/** Throws with the child's stderr when it failed: a bench number from a failed run means nothing. */
export function assertSucceeded(what: string, run: ChildRun): void {
  if (run.exitCode !== 0) {
    throw new Error(`${what} failed (exit ${run.exitCode}):\n${run.stderr.trim()}`);
  }
}
