// `fintrans-sql deploy` (a job file to a Flink session cluster, through its SQL Gateway) and
// `fintrans-sql flink jobs|status|cancel` (the cluster's jobs, through the JobManager's REST API).

import type { ExtraCommand } from '../cli/command.js';
import { parseFlags, parseSetFlags, UsageError } from '../cli/args.js';
import { jobFiles } from '../job-files.js';
import { formatPos } from '../../engine/errors.js';
import { translateJobFile, type DeployPlan } from './translate.js';
import { FlinkStatementError, GatewaySession, JobManagerClient, type JobDetail } from './rest.js';

export const DEPLOY_HELP = `Usage: fintrans-sql deploy <file.sql> --flink <SQL Gateway URL> [options]

Submits a job to a Flink session cluster through its SQL Gateway (REST API v2), as one Flink job.
What exists only in fintrans-sql is translated first, and each translation is listed:
  - 'kafka' tables on the embedded topic store → the Kafka given by --brokers
  - a single-file CSV/JSON sink → Flink's filesystem sink writing part files into a directory
  - relative file paths → absolute ones; fintrans-only SET keys ('fintrans.*') dropped
Anything that cannot be translated (a bare SELECT, an upsert CSV file) is refused with the reason.

Options:
  --flink <url>            the SQL Gateway's REST endpoint, e.g. http://localhost:8083
  --brokers <h:p,...>      Kafka bootstrap servers the cluster reaches (also KAFKA_BROKERS)
  --from-beginning         read topics from the earliest offset
  --set <key=value>        a job setting, like SET 'key' = 'value'; (repeatable, wins over the file)
  --dry-run                list the translations and the statements; submit nothing
  -h, --help               this help

Example:
  fintrans-sql deploy jobs/laundering.sql --flink http://localhost:8083 --brokers localhost:9092`;

export const FLINK_HELP = `Usage: fintrans-sql flink <jobs | status <job id> | cancel <job id>> (--flink <url> | --jobmanager <url>)

The jobs of a Flink session cluster, through its JobManager's REST API:
  jobs            list the jobs: id, state, name, started, duration
  status <id>     one job: state, its tasks, and the error of a failed job
  cancel <id>     cancel a running job and wait until it is cancelled

Options:
  --flink <url>       the SQL Gateway (the JobManager is found from its configuration)
  --jobmanager <url>  the JobManager's REST API, e.g. http://localhost:8081

Example:
  fintrans-sql flink jobs --flink http://localhost:8083`;

const DEPLOY_FLAGS = {
  help: { type: 'boolean', short: 'h' },
  flink: { type: 'string' },
  brokers: { type: 'string' },
  'from-beginning': { type: 'boolean' },
  set: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
} as const;

export async function deploy(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, DEPLOY_FLAGS, 'deploy');
  if (values.help) {
    process.stdout.write(DEPLOY_HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError(`deploy: give one .sql file\n  see 'fintrans-sql deploy --help'`);
  if (values.flink === undefined && !values['dry-run'])
    throw new UsageError(
      `deploy: --flink <SQL Gateway URL> is missing (e.g. --flink http://localhost:8083; 'npm run flink' starts a local cluster)`,
    );
  const brokers = values.brokers ?? process.env.KAFKA_BROKERS;
  if (brokers !== undefined && !/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/.test(brokers))
    throw new UsageError(`deploy: --brokers needs host:port[,host:port...], got '${brokers}'`);
  const cwd = process.cwd();
  const files = jobFiles(positionals[0]!, cwd);
  if (files.length !== 1) throw new UsageError(`deploy: give one .sql file, not a directory`);
  const plan = translateJobFile(files[0]!, {
    cwd,
    ...(brokers !== undefined ? { brokers } : {}),
    fromBeginning: values['from-beginning'] ?? false,
    settings: parseSetFlags(values.set, 'deploy'),
  });
  printTranslations(plan);
  if (values['dry-run']) {
    process.stdout.write(`\nStatements (not submitted: --dry-run):\n\n`);
    for (const s of plan.statements) process.stdout.write(`${s.sql};\n\n`);
    return 0;
  }

  const gateway = values.flink!;
  const version = await GatewaySession.version(gateway);
  process.stdout.write(`\nSubmitting ${plan.file} to Flink ${version} through ${gateway}\n`);
  const session = await GatewaySession.open(gateway, `fintrans-sql deploy ${plan.file}`);
  let jobId: string | undefined;
  try {
    for (const s of plan.statements) {
      try {
        const r = await session.execute(s.sql);
        jobId ??= r.jobId;
      } catch (e) {
        if (!(e instanceof FlinkStatementError)) throw e;
        const where = s.pos ? `${formatPos(s.pos)}: ` : '';
        process.stderr.write(
          `error: ${where}Flink refused the statement:\n  ${firstLine(s.sql)}\n` +
            `${indent(mapFlinkPositions(e.flinkMessage, s.pos))}\n`,
        );
        return 1;
      }
    }
    const jm = await session.jobManagerUrl();
    if (jobId === undefined) {
      process.stdout.write(`No job was started (the file has no INSERT).\n`);
      return 0;
    }
    // A job can be accepted and fail a moment later (a missing input, a broker it cannot reach):
    // wait for its tasks to run, and show Flink's error when it fails instead.
    const state = await settledState(new JobManagerClient(jm), jobId);
    if (state === 'FAILED') {
      const why = await new JobManagerClient(jm).rootException(jobId);
      process.stderr.write(
        `error: job ${jobId} ('${plan.jobName}') was submitted and FAILED on the cluster:\n${indent(why ?? '(Flink gave no exception)')}\n`,
      );
      return 1;
    }
    process.stdout.write(
      [
        `Job ${jobId} ('${plan.jobName}') submitted${state === 'RUNNING' ? ', running' : `, ${state}`}.`,
        ...[...plan.sinkDirs].map(([t, d]) => `  table '${t}' → part files in ${d}/`),
        `  status:  fintrans-sql flink status ${jobId} --flink ${gateway}`,
        `  cancel:  fintrans-sql flink cancel ${jobId} --flink ${gateway}`,
        `  web UI:  ${jm}/#/job/running/${jobId}/overview`,
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    await session.close();
  }
}

/** The job's state once its tasks run, it ended, or 20 s passed (then whatever it is). */
async function settledState(jm: JobManagerClient, jobId: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const job = await jm.job(jobId);
    const tasksRunning = (job.vertices ?? []).every((v) => v.status === 'RUNNING' || v.status === 'FINISHED');
    if (['FAILED', 'FINISHED', 'CANCELED'].includes(job.state) || (job.state === 'RUNNING' && tasksRunning))
      return job.state;
    if (Date.now() > deadline) return job.state;
    await new Promise((done) => setTimeout(done, 300));
  }
}

function printTranslations(plan: DeployPlan): void {
  if (plan.translations.length === 0) {
    process.stdout.write(`${plan.file}: nothing to translate; the statements go to Flink as written\n`);
    return;
  }
  process.stdout.write(
    `${plan.file}: translated for Flink (${plan.translations.length}):\n${plan.translations.map((t) => `  - ${t}`).join('\n')}\n`,
  );
}

/** Flink's "line 2, column 8" counts from the statement's first character; say where that is in the file. */
export function mapFlinkPositions(
  message: string,
  start: { file: string; line: number; col: number } | undefined,
): string {
  if (!start) return message;
  return message.replace(/\b([Ll])ine (\d+), column (\d+)/g, (_m, l: string, line: string, col: string) => {
    const n = Number(line);
    const c = Number(col);
    const fileLine = start.line + n - 1;
    const fileCol = n === 1 ? start.col + c - 1 : c;
    return `${l}ine ${n}, column ${c} (${start.file}:${fileLine}:${fileCol})`;
  });
}

function firstLine(sql: string): string {
  const line = sql.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('--')) ?? sql;
  return line.length > 100 ? `${line.slice(0, 100)}...` : line;
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

const FLINK_FLAGS = {
  help: { type: 'boolean', short: 'h' },
  flink: { type: 'string' },
  jobmanager: { type: 'string' },
} as const;

export async function flink(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLINK_FLAGS, 'flink');
  if (values.help) {
    process.stdout.write(FLINK_HELP + '\n');
    return 0;
  }
  const [sub, id, ...extra] = positionals;
  if (sub === undefined || !['jobs', 'status', 'cancel'].includes(sub))
    throw new UsageError(
      `flink: say what to do: jobs, status <job id> or cancel <job id>${sub ? ` (not '${sub}')` : ''}\n  see 'fintrans-sql flink --help'`,
    );
  if (sub !== 'jobs' && id === undefined)
    throw new UsageError(`flink ${sub}: give the job id ('fintrans-sql flink jobs' lists them)`);
  if (extra.length > 0 || (sub === 'jobs' && id !== undefined))
    throw new UsageError(`flink ${sub}: unexpected argument '${extra[0] ?? id}'`);
  const jm = await jobManagerOf(values.flink, values.jobmanager);
  switch (sub) {
    case 'jobs': {
      const jobs = await jm.jobs();
      if (jobs.length === 0) {
        process.stdout.write(`no jobs on ${jm.url}\n`);
        return 0;
      }
      jobs.sort((a, b) => b['start-time'] - a['start-time']);
      process.stdout.write(
        `${'JOB ID'.padEnd(32)}  ${'STATE'.padEnd(10)}  ${'STARTED (UTC)'.padEnd(19)}  ${'DURATION'.padStart(9)}  NAME\n`,
      );
      for (const j of jobs)
        process.stdout.write(
          `${j.jid}  ${j.state.padEnd(10)}  ${new Date(j['start-time']).toISOString().slice(0, 19).replace('T', ' ')}  ${duration(j.duration).padStart(9)}  ${j.name}\n`,
        );
      return 0;
    }
    case 'status': {
      const job = await jm.job(id!);
      printStatus(job);
      if (job.state === 'FAILED') {
        const why = await jm.rootException(id!);
        if (why) process.stdout.write(`error:\n${indent(why)}\n`);
      }
      return job.state === 'FAILED' ? 1 : 0;
    }
    case 'cancel': {
      const before = await jm.job(id!);
      if (['CANCELED', 'FINISHED', 'FAILED'].includes(before.state)) {
        process.stderr.write(`error: job ${id} is already ${before.state}; nothing to cancel\n`);
        return 1;
      }
      await jm.cancel(id!);
      const deadline = Date.now() + 60_000;
      let state = before.state;
      while (Date.now() < deadline) {
        state = (await jm.job(id!)).state;
        if (state === 'CANCELED' || state === 'FAILED' || state === 'FINISHED') break;
        await new Promise((done) => setTimeout(done, 300));
      }
      process.stdout.write(`job ${id} ('${before.name}'): ${state}\n`);
      return state === 'CANCELED' ? 0 : 1;
    }
  }
  return 2;
}

async function jobManagerOf(
  gateway: string | undefined,
  jobmanager: string | undefined,
): Promise<JobManagerClient> {
  if (jobmanager !== undefined) return new JobManagerClient(jobmanager);
  if (gateway === undefined)
    throw new UsageError(`flink: give --flink <SQL Gateway URL> or --jobmanager <JobManager REST URL>`);
  const session = await GatewaySession.open(gateway, 'fintrans-sql flink');
  try {
    return new JobManagerClient(await session.jobManagerUrl());
  } finally {
    await session.close();
  }
}

function printStatus(job: JobDetail): void {
  process.stdout.write(
    `job ${job.jid} ('${job.name}'): ${job.state}, started ${new Date(job['start-time']).toISOString()}, running for ${duration(job.duration)}\n`,
  );
  for (const v of job.vertices ?? []) {
    const m = v.metrics ?? {};
    process.stdout.write(
      `  ${v.status.padEnd(9)} x${v.parallelism}  ${v.name.length > 90 ? v.name.slice(0, 90) + '...' : v.name}  (records in ${m['read-records'] ?? 0}, out ${m['write-records'] ?? 0})\n`,
    );
  }
}

function duration(ms: number): string {
  if (ms < 0) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export const deployCommand: ExtraCommand = {
  name: 'deploy',
  usage: 'deploy <file.sql> --flink <url>',
  summary: 'submit a job to a Flink session cluster (SQL Gateway)',
  run: deploy,
};

export const flinkCommand: ExtraCommand = {
  name: 'flink',
  usage: 'flink jobs|status|cancel',
  summary: "a Flink cluster's jobs: list, status, cancel",
  run: flink,
};
