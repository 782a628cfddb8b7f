// What the crash-and-recover tests (test/e2e/crash.test.ts, test/kafka/crash.test.ts) share: a
// CLI run killed with SIGKILL at a chosen moment, the kill/restart loop, and the
// job text they run (the same transactions table and windowed queries, over different sources).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from './e2e/cli.js';

export { mulberry32 } from './prng.js';

/** A CSV file's header, then its rows sorted. */
export function sortedLines(path: string): string[] {
  const [header, ...rows] = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  return [header!, ...rows.sort()];
}

export interface Run {
  /** 0, or null when killed. */
  readonly code: number | null;
  readonly wallMs: number;
  readonly stderr: string;
}

/**
 * Starts the CLI with `args` and kills it `afterMs` after the start, or (`afterCheckpointMs`) that
 * long after it saved its first checkpoint (the checkpoint database .fintrans/checkpoints/job.db's
 * WAL changes; 60 s after the start at the latest), unless it finished first. Rejects if it fails.
 */
export function runAndKill(
  args: string[],
  cwd: string,
  when: { afterMs: number } | { afterCheckpointMs: number },
  env: Record<string, string> = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const wal = join(cwd, '.fintrans/checkpoints/job.db-wal');
    const walAtStart = existsSync(wal) ? statSync(wal).mtimeMs : -1;
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, FINTRANS_HOME: '', ...env },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const kill = () => child.kill('SIGKILL');
    let timer = setTimeout(kill, 'afterMs' in when ? when.afterMs : 60_000);
    const poll =
      'afterCheckpointMs' in when
        ? setInterval(() => {
            if (existsSync(wal) && statSync(wal).mtimeMs !== walAtStart) {
              clearInterval(poll);
              clearTimeout(timer);
              timer = setTimeout(kill, when.afterCheckpointMs);
            }
          }, 5)
        : undefined;
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      const wallMs = Date.now() - started;
      if (signal === 'SIGKILL') resolve({ code: null, wallMs, stderr });
      else if (code === 0) resolve({ code: 0, wallMs, stderr });
      else reject(new Error(`job failed with code ${code}:\n${stderr}`));
    });
  });
}

/**
 * Calls `runOnce(0)`, `runOnce(1)`, ... until `kills` runs were killed or one finished (code 0);
 * returns how many were killed. The caller then runs the job once more to its end.
 */
export async function killRepeatedly(kills: number, runOnce: (run: number) => Promise<Run>): Promise<number> {
  let killed = 0;
  for (let run = 0; killed < kills; run++) {
    const r = await runOnce(run);
    if (r.code === 0) break; // finished before the kill: the run is complete
    killed++;
  }
  return killed;
}

/** The body of `CREATE TABLE transactions (...)` for the generator's CSV (';'-separated). */
export const TRANSACTIONS_COLUMNS = `
  tx_time STRING, sender BIGINT, receiver BIGINT, amount BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
`;

/** `transactions` read from a topic from its earliest offset, in group 'crash'. */
export const transactionsFromTopic = (topic: string): string => `
CREATE TABLE transactions (${TRANSACTIONS_COLUMNS}) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.group.id' = 'crash', 'scan.startup.mode' = 'earliest-offset',
        'format' = 'csv', 'csv.field-delimiter' = ';');`;

/** A pair_counts CSV sink (out/pairs.csv) and its query: many rows per window, so kills often land while a window's output is being written. */
export const PAIR_COUNTS = `
CREATE TABLE pair_counts (sender BIGINT, receiver BIGINT, window_start TIMESTAMP(3), n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/pairs.csv', 'format' = 'csv');
INSERT INTO pair_counts
SELECT sender / 100, receiver / 100, window_start, COUNT(*)
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender / 100, receiver / 100, window_start, window_end;`;
