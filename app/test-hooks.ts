// Test hooks, for tests that drive fintrans-sql as a user would (a child process). Production
// modules never read these variables: the engine (engine/runtime/job.ts, RunOptions.crashAt) and
// the job manager's worker (WorkerConfig.testHooks) take the hooks as options. Only the
// application's entry points read the environment, here, and pass them down: `fintrans-sql run`
// to runJob, `fintrans-sql up` through the manager to each job's process. Unset, nothing changes.
//
//   FINTRANS_TEST_CRASH=<point>:<n>          kill the process (SIGKILL, as a crash) at the n-th
//                                            two-phase checkpoint with rows to commit, at <point>:
//                                            'before-commit' or 'after-commit' (test/kafka/crash.test.ts)
//   FINTRANS_TEST_BLOCK_AFTER_RECORDS=N      under `up`: a job's process busy-loops, sending nothing,
//   FINTRANS_TEST_BLOCK_MS=ms                once its job has read N records, for ms (default: for
//                                            ever), once per process (test/manager: heartbeat, shutdown)

import type { CrashAt } from '../engine/runtime/job.js';

export interface TestHooks {
  readonly crashAt?: CrashAt;
  readonly block?: BlockHook;
}

export interface BlockHook {
  readonly afterRecords: number;
  /** Absent: for ever. */
  readonly forMs?: number;
}

export function testHooksFromEnv(env: NodeJS.ProcessEnv = process.env): TestHooks {
  const hooks: { crashAt?: CrashAt; block?: BlockHook } = {};
  const crash = /^(before-commit|after-commit):(\d+)$/.exec(env.FINTRANS_TEST_CRASH ?? '');
  if (crash) hooks.crashAt = { point: crash[1] as CrashAt['point'], checkpoint: Number(crash[2]) };
  const after = env.FINTRANS_TEST_BLOCK_AFTER_RECORDS;
  if (after !== undefined && after !== '') {
    const forMs = env.FINTRANS_TEST_BLOCK_MS;
    hooks.block =
      forMs === undefined
        ? { afterRecords: Number(after) }
        : { afterRecords: Number(after), forMs: Number(forMs) };
  }
  return hooks;
}
