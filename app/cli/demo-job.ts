// One job of `fintrans-sql demo`, run in a worker thread so that the demo's jobs share the cores:
// plans the job file, runs it over the complete topic (a short idle time ends the run) and reports
// what its sinks wrote, or why it failed.

import { parentPort, workerData } from 'node:worker_threads';
import { buildJob } from '../../engine/runtime/build.js';
import { runJob } from '../../engine/runtime/job.js';
import { planFile } from '../job-files.js';

export interface DemoJobRequest {
  /** Absolute path of the job file. */
  readonly file: string;
  readonly cwd: string;
}

export type DemoJobResult = { readonly wrote: string[] } | { readonly error: string };

async function main(request: DemoJobRequest): Promise<DemoJobResult> {
  try {
    const job = buildJob(planFile(request.file, request.cwd, new Map([['kafka.from-beginning', 'true']])), {
      cwd: request.cwd,
    });
    await runJob(job, { untilIdleMs: 300 });
    return { wrote: job.sinks.map((s) => s.writer.describe()) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

if (parentPort !== null) {
  const port = parentPort;
  void main(workerData as DemoJobRequest).then((result) => port.postMessage(result));
}
