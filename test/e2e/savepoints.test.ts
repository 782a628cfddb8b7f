// Savepoints (issue 14), from the outside: `stop --savepoint` against a running job, a changed job
// started from the savepoint (state goes where it still fits), a change that does not fit refused
// with the operator named, --allow-non-restored-state, SET 'execution.savepoint.path'.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from './cli.js';
import { cliAsync } from '../cli-helpers.js';
import { TRANSACTIONS_COLUMNS } from '../crash-loop.js';

const job = (
  opts: { sink?: string; where?: string; having?: string; aggregate?: string; extra?: string } = {},
) => `SET 'execution.checkpointing.interval' = '100ms';
${opts.extra ?? ''}
CREATE TABLE transactions (${TRANSACTIONS_COLUMNS}) WITH ('connector' = 'kafka', 'topic' = 'transactions', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE TABLE alerts (sender BIGINT, receiver BIGINT, window_start TIMESTAMP(3), total BIGINT)
WITH ('connector' = 'filesystem', 'path' = '${opts.sink ?? 'out/alerts.csv'}', 'format' = 'csv');
INSERT INTO alerts
SELECT sender, receiver, window_start, ${opts.aggregate ?? 'SUM(amount)'}
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
${opts.where ? `WHERE ${opts.where}` : ''}
GROUP BY sender, receiver, window_start, window_end HAVING ${opts.having ?? 'SUM(amount) > 10000'};
`;

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fintrans-savepoint-'));
  writeFileSync(join(dir, 'job.sql'), job());
  const g = runCli(['generate', '--count', '20000', '--plant', '12', '--to', 'transactions'], dir);
  expect(g.code, g.stderr).toBe(0);
  return dir;
}

const rows = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).slice(1);

/** Runs job.sql in the background until it read its input, then `stop --savepoint sps`; returns the savepoint path. */
async function runAndStopWithSavepoint(dir: string): Promise<string> {
  const child = spawn(process.execPath, [CLI, 'run', 'job.sql', '--quiet'], {
    cwd: dir,
    env: { ...process.env, FINTRANS_HOME: '' },
  });
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  await new Promise((r) => setTimeout(r, 2500));
  // Not runCli: a blocked event loop would leave the stopped run a zombie, still 'alive' to stop.
  const stop = await cliAsync(['stop', 'job.sql', '--savepoint', 'sps'], dir).done;
  expect(stop.code, stop.stderr).toBe(0);
  expect(await exited).toBe(130);
  const at = stop.stdout.trim();
  expect(at).toMatch(/^sps\/savepoint-job-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/);
  expect(stop.stderr).toBe(
    `job.sql: asked process ${child.pid} to stop with a savepoint\njob.sql: stopped; savepoint written: ${at}\n`,
  );
  expect(existsSync(join(dir, at, 'state.db'))).toBe(true);
  return at;
}

describe('savepoints', () => {
  it('stop --savepoint, then an edited job (added filter, changed HAVING bound kept, other sink) starts from it: no row lost or repeated', async () => {
    const ref = workdir();
    const whole = runCli(['run', 'job.sql', '--until-idle', '1s', '--quiet'], ref);
    expect(whole.code, whole.stderr).toBe(0);
    const want = rows(join(ref, 'out/alerts.csv')).sort();
    expect(want).toHaveLength(12);

    const dir = workdir();
    const at = await runAndStopWithSavepoint(dir);
    const before = rows(join(dir, 'out/alerts.csv'));
    expect(before.length).toBeLessThan(want.length); // the last window was still open at the stop

    writeFileSync(join(dir, 'edited.sql'), job({ sink: 'out/after.csv', where: 'amount >= 0' }));
    const resumed = runCli(['run', 'edited.sql', '--from-savepoint', at, '--until-idle', '1s'], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(
      new RegExp(`edited\\.sql: restored from savepoint ${at} \\(taken \\S+\\)\\n`),
    );
    expect([...before, ...rows(join(dir, 'out/after.csv'))].sort()).toEqual(want);
  });

  it('a changed aggregate does not fit: refused with the operator named; --allow-non-restored-state starts it empty', async () => {
    const dir = workdir();
    const at = await runAndStopWithSavepoint(dir);
    writeFileSync(
      join(dir, 'changed.sql'),
      job({ aggregate: 'MAX(amount)', having: 'MAX(amount) > 9000', sink: 'out/changed.csv' }),
    );
    const r = runCli(['run', 'changed.sql', '--from-savepoint', at, '--until-idle', '1s'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: the savepoint ${at} holds state that no operator of this job takes:\n` +
        "  - the TUMBLE window aggregate over 'transactions' (2 group keys, 1 aggregate) of the INSERT at job.sql:10:1 (its window, group keys or aggregates changed, or it was removed)\n" +
        "  - the late-record filter of the TUMBLE window aggregate over 'transactions' (2 group keys, 1 aggregate) of the INSERT at job.sql:10:1 (its window, group keys or aggregates changed, or it was removed)\n" +
        "  hint: add --allow-non-restored-state to drop that state (Flink's flag), or restore the job text it was taken with\n",
    );
    expect(existsSync(join(dir, 'out/changed.csv'))).toBe(false);

    const allowed = runCli(
      ['run', 'changed.sql', '--from-savepoint', at, '--allow-non-restored-state', '--until-idle', '1s'],
      dir,
    );
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toContain(
      "changed.sql: the TUMBLE window aggregate over 'transactions' (2 group keys, 1 aggregate) of the INSERT at changed.sql:10:1 has no state in the savepoint: it starts empty\n",
    );
    expect(allowed.stderr).toContain(
      "changed.sql: dropped the savepoint's state of the TUMBLE window aggregate over 'transactions' (2 group keys, 1 aggregate) of the INSERT at job.sql:10:1 (--allow-non-restored-state)\n",
    );
  });

  it("SET 'execution.savepoint.path' restores as --from-savepoint does", async () => {
    const dir = workdir();
    const at = await runAndStopWithSavepoint(dir);
    writeFileSync(
      join(dir, 'set.sql'),
      job({ sink: 'out/set.csv', extra: `SET 'execution.savepoint.path' = '${at}';` }),
    );
    const r = runCli(['run', 'set.sql', '--until-idle', '1s'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`set.sql: restored from savepoint ${at}`);
  });

  it('stop of a job that is not running says so', () => {
    const dir = workdir();
    const r = runCli(['stop', 'job.sql', '--savepoint', 'sps'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'fintrans-sql: stop: job.sql is not running (nothing holds .fintrans/checkpoints/job.db)\n',
    );
  });
});
