// The manager's state as plain JSON: what /api/status returns, what the dashboard receives over
// SSE, and what /metrics is rendered from.

import { formatTimestamp } from '../../engine/values.js';
import type { JobManager, ManagerEvent } from './manager.js';
import type { ChartData, SinkStats } from './protocol.js';
import type { JobStatus } from './supervisor.js';

export interface JobView {
  readonly id: string;
  readonly file: string;
  readonly status: JobStatus;
  readonly pid: number | null;
  readonly startedAt: number | null;
  readonly restarts: number;
  /** Of those, restarts of a process killed for being unresponsive. */
  readonly unresponsiveKills: number;
  /** While the process runs: ms since it last reported (figures twice a second when healthy). */
  readonly silentMs: number | null;
  /** Unresponsive: when the process is killed if it stays silent (epoch ms). */
  readonly killAt: number | null;
  readonly nextRestartAt: number | null;
  readonly error: string | null;
  /** A newer version of the file that does not validate (the shown figures are the running version's). */
  readonly rejected: { readonly error: string; readonly at: number } | null;
  readonly resumedFrom: { readonly id: number; readonly takenAt: number } | null;
  /** What the user must know about the job's data, e.g. where an earlier output file was kept aside; newest last. */
  readonly notices: readonly { readonly at: number; readonly message: string }[];
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly inPerSec: number;
  readonly outPerSec: number;
  /** Epoch ms, or null before the first record / at the end of input (see watermarkText). */
  readonly watermark: number | null;
  readonly watermarkText: string;
  /** Wall clock minus watermark (ms), null without a finite watermark. */
  readonly watermarkLagMs: number | null;
  readonly openWindows: number;
  readonly late: number;
  readonly bad: number;
  readonly sources: readonly { readonly table: string; readonly recordsIn: number; readonly bad: number }[];
  readonly sinks: readonly SinkStats[];
  readonly chart: ChartData | null;
}

export interface StatusView {
  readonly at: number;
  readonly dir: string;
  readonly jobs: readonly JobView[];
  readonly events: readonly ManagerEvent[];
}

export function statusView(m: JobManager, dir: string): StatusView {
  const now = Date.now();
  const jobs = [...m.jobs.values()]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((s): JobView => {
      const st = s.stats;
      const w = st?.watermark ?? 'none';
      return {
        id: s.id,
        file: s.display,
        status: s.status,
        pid: s.pid ?? null,
        startedAt: s.startedAt ?? null,
        restarts: s.restarts,
        unresponsiveKills: s.unresponsiveKills,
        silentMs: s.pid !== undefined && s.lastReportAt !== undefined ? now - s.lastReportAt : null,
        killAt: s.killAt ?? null,
        nextRestartAt: s.nextRestartAt ?? null,
        error: s.error ?? null,
        rejected: s.rejected ? { error: s.rejected.error, at: s.rejected.at } : null,
        resumedFrom: s.resumedFrom ?? null,
        notices: s.notices,
        recordsIn: st?.recordsIn ?? 0,
        recordsOut: st?.recordsOut ?? 0,
        inPerSec: Math.round(s.inPerSec),
        outPerSec: Math.round(s.outPerSec),
        watermark: typeof w === 'number' ? w : null,
        watermarkText: w === 'none' ? 'none yet' : w === 'end' ? 'end of input' : formatTimestamp(w),
        watermarkLagMs: typeof w === 'number' ? now - w : null,
        openWindows: st?.openWindows ?? 0,
        late: st?.late ?? 0,
        bad: st?.bad ?? 0,
        sources: st?.sources.map((x) => ({ table: x.table, recordsIn: x.recordsIn, bad: x.bad })) ?? [],
        sinks: st?.sinks ?? [],
        chart: st?.chart ?? null,
      };
    });
  return { at: now, dir, jobs, events: m.events.slice(-50) };
}
