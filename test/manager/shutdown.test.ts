// Ctrl-C / SIGTERM on `up` from the outside: once shutdown has begun no job is started or
// restarted (also while an edit is still swapping a job), and up exits non-zero, naming the job,
// when a job did not stop by itself and had to be killed.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TopicStore } from '../../connectors/embedded/topic-store.js';
import { UpProcess, alive } from './up-process.js';

const K_SQL = `
CREATE TABLE payments (id BIGINT, amount BIGINT) WITH ('connector' = 'kafka', 'topic' = 'payments', 'properties.group.id' = 'k', 'format' = 'csv');
CREATE TABLE k_out (id BIGINT, amount BIGINT) WITH ('connector' = 'filesystem', 'path' = 'output/k.csv', 'format' = 'csv');
INSERT INTO k_out SELECT id, amount FROM payments;
`;

// f fails on its second record, again and again: restarted with backoff.
const F_SQL = `
CREATE TABLE f_in (a INT, b INT) WITH ('connector' = 'filesystem', 'path' = 'data/f.csv', 'format' = 'csv');
CREATE TABLE f_out (a INT, b INT) WITH ('connector' = 'filesystem', 'path' = 'output/f.csv', 'format' = 'csv');
INSERT INTO f_out SELECT a, b FROM f_in;
`;

let dir: string | undefined;
let up: UpProcess | undefined;
afterEach(async () => {
  if (up && up.proc.exitCode === null) up.proc.kill('SIGKILL');
  up = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function setup(): string {
  const d = mkdtempSync(join(tmpdir(), 'fintrans-up-shutdown-'));
  dir = d;
  mkdirSync(join(d, 'jobs'));
  mkdirSync(join(d, 'data'));
  writeFileSync(join(d, 'jobs', 'k.sql'), K_SQL);
  const store = TopicStore.open(join(d, '.fintrans'));
  store.ensureTopic('payments', 1);
  store.append(
    'payments',
    Array.from({ length: 10 }, (_, id) => ({ key: null, value: `${id},${id}`, timestamp: id })),
  );
  store.close();
  return d;
}

/** k's process busy-loops once it has read a record (the worker's test hook), so it cannot stop by itself. */
const STUCK = { FINTRANS_TEST_BLOCK_AFTER_RECORDS: '1', FINTRANS_UP_HEARTBEAT_TIMEOUT: 'off' };

describe('fintrans-sql up: shutdown', () => {
  it('exits non-zero, naming the job, when a job had to be killed', async () => {
    up = await UpProcess.start(setup(), ['jobs'], { ...STUCK, FINTRANS_UP_STOP_TIMEOUT: '1s' });
    const k = await up.waitJob(
      'k',
      (j) => j.status === 'running' && (j.silentMs ?? 0) > 1000,
      'stuck (silent for 1 s)',
    );
    expect(await up.stop()).toBe(1);
    expect(alive(k.pid!)).toBe(false);
    expect(up.stderr).toMatch(/ k: did not stop within 1 s: killed\n/);
    expect(up.stderr).toMatch(/ k: stopped abnormally: exited with SIGKILL while stopping\n/);
    expect(up.stderr).toMatch(
      /\nnot every job stopped cleanly: k \(see above\); each resumes from its last checkpoint on the next start\n$/,
    );
    expect(up.stderr).not.toMatch(/all jobs stopped/);
  });

  it('restarts nothing once shutdown has begun, also while an edit is swapping a job', async () => {
    const d = setup();
    writeFileSync(join(d, 'data', 'f.csv'), '1,2\nthree,4\n');
    writeFileSync(join(d, 'jobs', 'f.sql'), F_SQL);
    up = await UpProcess.start(d, ['jobs'], { ...STUCK, FINTRANS_UP_STOP_TIMEOUT: '5s' });
    await up.waitJob('f', (j) => j.restarts >= 1, 'failed and restarted once');
    await up.waitJob(
      'k',
      (j) => j.status === 'running' && (j.silentMs ?? 0) > 1000,
      'stuck (silent for 1 s)',
    );
    // The edit stops k (which takes the full stop timeout: it is stuck); up is told to stop meanwhile.
    writeFileSync(join(d, 'jobs', 'k.sql'), K_SQL + '-- edited\n');
    await up.until(
      () => /k: file changed: stopping the running version/.test(up!.stderr),
      10_000,
      'the edit picked up',
    );
    // SIGTERM while f waits to be restarted: before this fix its timer restarted it during shutdown.
    await up.waitJob(
      'f',
      (j) => j.status === 'failed' && j.nextRestartAt !== null && j.nextRestartAt - Date.now() > 500,
      'waiting to restart',
    );
    up.proc.kill('SIGTERM');
    expect(await up.exited).toBe(1);
    const after = up.stderr.slice(up.stderr.indexOf('stopping every job'));
    expect(after, up.stderr).not.toMatch(/: started|restarting in|new job/);
    expect(after).toMatch(/\nnot every job stopped cleanly: k \(see above\)/);
  });
});
