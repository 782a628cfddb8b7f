// fintrans-sql stop: stops a job running in another process (the one holding its checkpoint
// database), optionally with a savepoint, as `flink stop --savepointPath` does.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ExtraCommand } from './command.js';
import { parseFlags, parseSetFlags, UsageError } from './args.js';
import { displayPath, planFile } from '../job-files.js';
import {
  checkpointOwner,
  checkpointPath,
  CheckpointStore,
  JobRunningError,
} from '../../engine/state/checkpoints.js';
import { checkpointIntervalMs } from '../../engine/checkpointing.js';
import { readReportedSavepoint, requestSavepointOnStop } from '../../engine/state/savepoints.js';

export const STOP_HELP = `Usage: fintrans-sql stop <file.sql> [options]

Stops a job that 'fintrans-sql run' is running in another process: it flushes its sinks, takes a
checkpoint and exits, as Ctrl-C would. The next run resumes from that checkpoint.

Options:
  --savepoint <dir>    also write a savepoint under <dir> (printed); start a run, of this job or
                       of an edited one, from it with --from-savepoint <path>
  --set <key=value>    a job setting, as given to the run (e.g. execution.checkpointing.dir)
  -h, --help           this help

Example:
  fintrans-sql stop jobs/laundering.sql --savepoint savepoints/`;

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  savepoint: { type: 'string' },
  set: { type: 'string', multiple: true },
} as const;

/** How long the job may take to flush, checkpoint and write its savepoint. */
const STOP_TIMEOUT_MS = 120_000;

export const stopCommand: ExtraCommand = {
  name: 'stop',
  usage: 'stop <file.sql>',
  summary: 'stop a running job, optionally with a savepoint',
  async run(argv) {
    const { values, positionals } = parseFlags(argv, FLAGS, 'stop');
    if (values.help) {
      process.stdout.write(STOP_HELP + '\n');
      return 0;
    }
    if (positionals.length !== 1)
      throw new UsageError(`stop: give the job's .sql file\n  see 'fintrans-sql stop --help'`);
    const cwd = process.cwd();
    const file = resolve(cwd, positionals[0]!);
    const plan = planFile(file, cwd, parseSetFlags(values.set, 'stop'));
    const name = displayPath(file, cwd);
    if (checkpointIntervalMs(plan.settings) === null)
      throw new UsageError(
        `stop: ${name} runs without checkpoints, so there is nothing to stop it through; stop it with Ctrl-C`,
      );
    const db = checkpointPath(plan, cwd);
    const owner = existsSync(db) ? runningOwner(db) : undefined;
    if (!owner) throw new UsageError(`stop: ${name} is not running (nothing holds ${displayPath(db, cwd)})`);
    if (values.savepoint !== undefined) requestSavepointOnStop(db, resolve(cwd, values.savepoint));
    process.kill(owner, 'SIGTERM');
    process.stderr.write(
      `${name}: asked process ${owner} to stop${values.savepoint !== undefined ? ' with a savepoint' : ''}\n`,
    );
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (alive(owner)) {
      if (Date.now() > deadline)
        throw new UsageError(`stop: process ${owner} did not stop within ${STOP_TIMEOUT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    if (values.savepoint !== undefined) {
      const at = readReportedSavepoint(db);
      if (!at)
        throw new UsageError(
          `stop: ${name} stopped without writing a savepoint (it may have finished, or failed: see its output)`,
        );
      process.stdout.write(`${displayPath(at, cwd)}\n`);
      process.stderr.write(`${name}: stopped; savepoint written: ${displayPath(at, cwd)}\n`);
    } else process.stderr.write(`${name}: stopped\n`);
    return 0;
  },
};

/** The pid of the run holding the checkpoint database, or undefined when none does. */
function runningOwner(db: string): number | undefined {
  try {
    CheckpointStore.open(db).close();
    return undefined;
  } catch (e) {
    if (!(e instanceof JobRunningError)) throw e;
    const owner = checkpointOwner(db);
    if (!owner) throw new UsageError(`stop: ${db} is held by a process that did not say who it is`);
    return owner.pid;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
