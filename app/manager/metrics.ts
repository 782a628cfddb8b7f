// /metrics: the dashboard's figures per job in the Prometheus text exposition format (0.0.4).
// Counters count the current run of a job (its child process); they restart from 0 when the job
// restarts, which Prometheus' rate() treats as a counter reset.

import type { JobView, StatusView } from './status.js';

const STATUSES = [
  'starting',
  'running',
  'unresponsive',
  'finished',
  'failed',
  'stopping',
  'stopped',
  'invalid',
] as const;

function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function num(v: number): string {
  return Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
}

interface Family {
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly help: string;
  readonly samples: (job: JobView) => [labels: Record<string, string>, value: number][];
}

const one =
  (f: (j: JobView) => number | null) =>
  (j: JobView): [Record<string, string>, number][] => {
    const v = f(j);
    return v === null ? [] : [[{}, v]];
  };

export const FAMILIES: readonly Family[] = [
  {
    name: 'fintrans_job_up',
    type: 'gauge',
    help: '1 while the job runs (starting or running); 0 when it is unresponsive, finished, failed or stopped.',
    samples: one((j) => (j.status === 'running' || j.status === 'starting' ? 1 : 0)),
  },
  {
    name: 'fintrans_job_status',
    type: 'gauge',
    help: "1 for the job's current status.",
    samples: (j) => STATUSES.map((s) => [{ status: s }, j.status === s ? 1 : 0]),
  },
  {
    name: 'fintrans_job_unresponsive',
    type: 'gauge',
    help: "1 while the job's process has sent no figures for the heartbeat timeout (it is killed and restarted after the grace period).",
    samples: one((j) => (j.status === 'unresponsive' ? 1 : 0)),
  },
  {
    name: 'fintrans_job_last_report_age_seconds',
    type: 'gauge',
    help: "Seconds since the job's process last reported (twice a second when healthy); absent when no process runs.",
    samples: one((j) => (j.silentMs === null ? null : j.silentMs / 1000)),
  },
  {
    name: 'fintrans_job_unresponsive_kills_total',
    type: 'counter',
    help: 'Processes of the job killed (and restarted) for being unresponsive since up started.',
    samples: one((j) => j.unresponsiveKills),
  },
  {
    name: 'fintrans_job_restarts_total',
    type: 'counter',
    help: 'Restarts after a failure since up started.',
    samples: one((j) => j.restarts),
  },
  {
    name: 'fintrans_job_start_time_seconds',
    type: 'gauge',
    help: "When the job's current run started (Unix seconds).",
    samples: one((j) => (j.startedAt === null ? null : j.startedAt / 1000)),
  },
  {
    name: 'fintrans_job_invalid_edit',
    type: 'gauge',
    help: ' 1 when the file holds an edit that does not validate (the previous version keeps running).',
    samples: one((j) => (j.rejected ? 1 : 0)),
  },
  {
    name: 'fintrans_records_in_total',
    type: 'counter',
    help: "Records read from the job's sources in this run.",
    samples: one((j) => j.recordsIn),
  },
  {
    name: 'fintrans_records_out_total',
    type: 'counter',
    help: "Rows the job's queries produced in this run.",
    samples: one((j) => j.recordsOut),
  },
  {
    name: 'fintrans_records_in_per_second',
    type: 'gauge',
    help: 'Records read per second over the last 3 seconds.',
    samples: one((j) => j.inPerSec),
  },
  {
    name: 'fintrans_records_out_per_second',
    type: 'gauge',
    help: 'Rows produced per second over the last 3 seconds.',
    samples: one((j) => j.outPerSec),
  },
  {
    name: 'fintrans_watermark_seconds',
    type: 'gauge',
    help: "The job's watermark (minimum over its sources), Unix seconds; absent before the first record.",
    samples: one((j) =>
      j.watermark === null ? (j.watermarkText === 'end of input' ? Infinity : null) : j.watermark / 1000,
    ),
  },
  {
    name: 'fintrans_watermark_lag_seconds',
    type: 'gauge',
    help: 'Wall clock minus the watermark.',
    samples: one((j) => (j.watermarkLagMs === null ? null : j.watermarkLagMs / 1000)),
  },
  {
    name: 'fintrans_open_windows',
    type: 'gauge',
    help: 'Windows holding state right now.',
    samples: one((j) => j.openWindows),
  },
  {
    name: 'fintrans_late_records_total',
    type: 'counter',
    help: 'Records behind the watermark for all their windows (dropped from results, or written to the late sink).',
    samples: one((j) => j.late),
  },
  {
    name: 'fintrans_bad_records_total',
    type: 'counter',
    help: 'Records that did not decode and were skipped (ignore-parse-errors).',
    samples: one((j) => j.bad),
  },
  {
    name: 'fintrans_source_records_in_total',
    type: 'counter',
    help: 'Records read per source table in this run.',
    samples: (j) => j.sources.map((s) => [{ table: s.table }, s.recordsIn]),
  },
  {
    name: 'fintrans_sink_rows_total',
    type: 'counter',
    help: 'Rows handed to each sink table in this run.',
    samples: (j) => j.sinks.map((s) => [{ sink: s.name }, s.rows]),
  },
  {
    name: 'fintrans_sink_rows_written_total',
    type: 'counter',
    help: 'Rows each sink table has written out (flushed) in this run; sinks flush at checkpoints and when rows pile up.',
    samples: (j) => j.sinks.map((s) => [{ sink: s.name }, s.rowsWritten]),
  },
];

export function renderMetrics(view: StatusView): string {
  const out: string[] = [];
  for (const f of FAMILIES) {
    out.push(`# HELP ${f.name} ${f.help.trim()}`, `# TYPE ${f.name} ${f.type}`);
    for (const j of view.jobs) {
      for (const [labels, value] of f.samples(j)) {
        const ls = Object.entries({ job: j.id, ...labels })
          .map(([k, v]) => `${k}="${label(v)}"`)
          .join(',');
        out.push(`${f.name}{${ls}} ${num(value)}`);
      }
    }
  }
  return out.join('\n') + '\n';
}
