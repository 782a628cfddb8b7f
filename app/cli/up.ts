// fintrans-sql up: runs every job of a directory, each in its own process, keeps them in step with
// the directory (add, change, delete), restarts failed ones, and serves a live dashboard and
// Prometheus metrics on localhost.

import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConnectorError } from '../../engine/errors.js';
import { parseFlags, parseSetFlags, UsageError } from './args.js';
import { displayPath } from '../job-files.js';
import { JobManager } from '../manager/manager.js';
import { startServer, type DashboardServer } from '../manager/server.js';
import { generateToken, isLoopback } from '../manager/access.js';
import type { SseLimits } from '../manager/sse.js';
import { OptionError } from '../../engine/errors.js';
import { parseDurationOrOffMs } from '../../engine/options.js';
import { testHooksFromEnv } from '../test-hooks.js';

const TOKEN_ENV = 'FINTRANS_UP_TOKEN';

/** FINTRANS_UP_SSE_MAX_CLIENTS (default 32) and FINTRANS_UP_SSE_STALL (default 30s): see manager/sse.ts. */
function sseLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): SseLimits {
  const max = env.FINTRANS_UP_SSE_MAX_CLIENTS?.trim() || '32';
  if (!/^[1-9]\d*$/.test(max))
    throw new OptionError(undefined, `FINTRANS_UP_SSE_MAX_CLIENTS='${max}' is not a positive whole number`);
  const stall = env.FINTRANS_UP_SSE_STALL?.trim() || '30s';
  const stallMs = parseDurationOrOffMs(stall);
  if (stallMs === null || stallMs === 0)
    throw new OptionError(
      undefined,
      `FINTRANS_UP_SSE_STALL='${stall}' is not a duration`,
      `write e.g. '30s'`,
    );
  return { maxClients: Number(max), stallMs };
}

export const UP_HELP = `Usage: fintrans-sql up [dir] [options]

Runs every .sql job in the directory (default jobs/), each in its own process, and watches it:
a new file starts a job, an edited file restarts its job from its checkpoint (or from the start
when the edit changed the job's state, which is reported), a deleted file stops its job. An edit
that does not validate is reported and the running version keeps running. A job that fails is
restarted with backoff (1 s, 2 s, 4 s ... 30 s). Ctrl-C / SIGTERM stops every job cleanly, each
with a checkpoint, as 'run' does.

A dashboard (jobs, rates, watermarks, latest rows of each sink, a per-city volume chart) is
served at http://127.0.0.1:8080/, its data at /api/status (JSON) and /api/events (SSE), and the
same figures for Prometheus at /metrics.

Options:
  --port <n>          dashboard port (default 8080; 0 = any free port)
  --host <addr>       address to listen on (default 127.0.0.1; 0.0.0.0 exposes it to the network)
  --no-ui             no web server: no dashboard, no /metrics
  --token <t>         require this token on every dashboard request; off localhost one is
                      required, and generated and printed when not given. FINTRANS_UP_TOKEN
                      does the same without showing the token to other users in 'ps'
  --brokers <h:p,...> Kafka bootstrap servers for 'kafka' tables (also KAFKA_BROKERS); without
                      them 'kafka' tables use the embedded topic store
  --set <key=value>   a setting for every job, like SET 'key' = 'value'; (repeatable)
  --from-beginning    read topics from the earliest offset
  --fresh             ignore (and delete) the jobs' checkpoints when they first start
  -h, --help          this help

Examples:
  fintrans-sql up
  fintrans-sql up jobs/ --port 9000
  fintrans-sql up jobs/ --brokers localhost:9092 --no-ui`;

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  port: { type: 'string' },
  host: { type: 'string' },
  token: { type: 'string' },
  'no-ui': { type: 'boolean' },
  set: { type: 'string', multiple: true },
  brokers: { type: 'string' },
  'from-beginning': { type: 'boolean' },
  fresh: { type: 'boolean' },
} as const;

export async function upCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, 'up');
  if (values.help) {
    process.stdout.write(UP_HELP + '\n');
    return 0;
  }
  if (positionals.length > 1)
    throw new UsageError(`up: give at most one directory of .sql files\n  see 'fintrans-sql up --help'`);
  const cwd = process.cwd();
  const dirArg = positionals[0] ?? 'jobs';
  const dir = resolve(cwd, dirArg);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new ConnectorError(
      `no such directory: ${dirArg}\n  hint: fintrans-sql up <dir> runs every .sql file of a directory (default jobs/)`,
    );
  }
  if (!isDir)
    throw new ConnectorError(
      `${dirArg} is not a directory\n  hint: to run one job use 'fintrans-sql run ${dirArg}'`,
    );

  const settings = parseSetFlags(values.set, 'up');
  const brokers = values.brokers ?? process.env.KAFKA_BROKERS;
  if (brokers !== undefined) {
    if (!/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/.test(brokers))
      throw new UsageError(`up: --brokers needs host:port[,host:port...], got '${brokers}'`);
    settings.set('kafka.brokers', brokers);
  }
  if (values['from-beginning']) settings.set('kafka.from-beginning', 'true');
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`up: --port needs a port number (0-65535), got '${values.port}'`);
  const host = values.host ?? '127.0.0.1';
  const given = values.token ?? (process.env[TOKEN_ENV] || undefined);
  if (given !== undefined && !/^[A-Za-z0-9._~-]{16,}$/.test(given))
    throw new UsageError(`up: the token needs at least 16 letters, digits, '.', '_', '~' or '-'`);
  const token = given ?? (isLoopback(host) ? undefined : generateToken());

  const log = (line: string) => process.stderr.write(line + '\n');
  const manager = new JobManager({
    dir,
    cwd,
    settings,
    fresh: values.fresh ?? false,
    log,
    testHooks: testHooksFromEnv(),
  });
  let server: DashboardServer | undefined;
  if (!values['no-ui'])
    server = await startServer(manager, {
      dir: displayPath(dir, cwd),
      host,
      port,
      token,
      sse: sseLimitsFromEnv(),
    });

  let stopping = false;
  let resolveStop!: () => void;
  const stopRequested = new Promise<void>((r) => (resolveStop = r));
  const onSignal = () => {
    if (stopping) {
      process.stderr.write('forced: killing every job\n');
      manager.kill();
      process.exit(130);
    }
    stopping = true;
    process.stderr.write('\nstopping every job: flushing, checkpointing, closing (Ctrl-C again to force)\n');
    resolveStop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (server && !isLoopback(host)) {
      process.stderr.write(
        `warning: the dashboard listens on ${host}: anyone who can reach this machine can connect to it; every request needs the token` +
          `${given === undefined ? ' (generated; choose one with --token or FINTRANS_UP_TOKEN)' : ''}\n`,
      );
    }
    const tokenQuery = token === undefined ? '' : `?token=${token}`;
    process.stderr.write(
      `watching ${displayPath(dir, cwd)} for .sql jobs${server ? `; dashboard ${server.url}${tokenQuery} (metrics ${server.url}metrics)` : ''}\n`,
    );
    await manager.start();
    if (manager.jobs.size === 0)
      process.stderr.write(`no .sql files in ${displayPath(dir, cwd)} yet: waiting for some\n`);
    await stopRequested;
    const unclean = await manager.shutdown();
    await server?.close();
    if (unclean.length > 0) {
      process.stderr.write(
        `not every job stopped cleanly: ${unclean.join(', ')} (see above); each resumes from its last checkpoint on the next start\n`,
      );
      return 1;
    }
    process.stderr.write('all jobs stopped\n');
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
