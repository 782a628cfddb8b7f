// `fintrans-sql up`'s heartbeat: a job whose process stops reporting (here made to busy-loop by
// the worker's test hook FINTRANS_TEST_BLOCK_AFTER_RECORDS) is shown 'unresponsive' on the status
// API and /metrics, then killed and restarted with the usual backoff, resuming from its checkpoint;
// one that reports again within the grace period is running again, same process.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TopicStore } from '../../connectors/embedded/topic-store.js';
import { DEFAULT_HEARTBEAT, heartbeatFromEnv } from '../../app/manager/supervisor.js';
import { UpProcess, alive } from './up-process.js';

const K_SQL = `
SET 'execution.checkpointing.interval' = '100ms';
CREATE TABLE payments (id BIGINT, amount BIGINT) WITH ('connector' = 'kafka', 'topic' = 'payments', 'properties.group.id' = 'k', 'format' = 'csv');
CREATE TABLE k_out (id BIGINT, amount BIGINT) WITH ('connector' = 'filesystem', 'path' = 'output/k.csv', 'format' = 'csv');
INSERT INTO k_out SELECT id, amount FROM payments;
`;

let dir: string | undefined;
let up: UpProcess | undefined;
afterEach(async () => {
  await up?.stop();
  up = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function setup(records: number): string {
  const d = mkdtempSync(join(tmpdir(), 'fintrans-heartbeat-'));
  dir = d;
  mkdirSync(join(d, 'jobs'));
  writeFileSync(join(d, 'jobs', 'k.sql'), K_SQL);
  const store = TopicStore.open(join(d, '.fintrans'));
  store.ensureTopic('payments', 1);
  store.append(
    'payments',
    Array.from({ length: records }, (_, id) => ({ key: null, value: `${id},${id % 10}`, timestamp: id })),
  );
  store.close();
  return d;
}

function kRows(): string[] {
  const path = join(dir!, 'output', 'k.csv');
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').slice(1).filter(Boolean) : [];
}

describe('heartbeat settings', () => {
  it('reads FINTRANS_UP_HEARTBEAT_TIMEOUT / _GRACE as durations, off switches the check off', () => {
    expect(heartbeatFromEnv({})).toEqual(DEFAULT_HEARTBEAT);
    expect(DEFAULT_HEARTBEAT).toEqual({ timeoutMs: 10_000, graceMs: 20_000 });
    expect(
      heartbeatFromEnv({ FINTRANS_UP_HEARTBEAT_TIMEOUT: '3s', FINTRANS_UP_HEARTBEAT_GRACE: '500 ms' }),
    ).toEqual({ timeoutMs: 3000, graceMs: 500 });
    expect(heartbeatFromEnv({ FINTRANS_UP_HEARTBEAT_TIMEOUT: 'off' }).timeoutMs).toBe(0);
    expect(() => heartbeatFromEnv({ FINTRANS_UP_HEARTBEAT_GRACE: 'soon' })).toThrow(
      /FINTRANS_UP_HEARTBEAT_GRACE='soon' is not a duration/,
    );
  });
});

describe('fintrans-sql up: heartbeat', () => {
  it('flags a job whose process stops reporting, then kills and restarts it with backoff', async () => {
    up = await UpProcess.start(setup(50), ['jobs'], {
      FINTRANS_UP_HEARTBEAT_TIMEOUT: '1500ms',
      FINTRANS_UP_HEARTBEAT_GRACE: '2s',
      FINTRANS_TEST_BLOCK_AFTER_RECORDS: '50',
    });
    const u = up;
    // The 50 records are read (and checkpointed), then the process busy-loops.
    const first = await u.waitJob('k', (j) => j.status === 'unresponsive', 'unresponsive');
    expect(first.restarts).toBe(0);
    expect(first.pid).not.toBeNull();
    expect(alive(first.pid!)).toBe(true);
    expect(first.silentMs).toBeGreaterThanOrEqual(1500);
    expect(first.killAt).toBeGreaterThan(Date.now() - 1000);
    const m = await u.metrics();
    expect(m.get('fintrans_job_status{job="k",status="unresponsive"}')).toBe(1);
    expect(m.get('fintrans_job_status{job="k",status="running"}')).toBe(0);
    expect(m.get('fintrans_job_unresponsive{job="k"}')).toBe(1);
    expect(m.get('fintrans_job_up{job="k"}')).toBe(0);
    expect(m.get('fintrans_job_last_report_age_seconds{job="k"}')).toBeGreaterThanOrEqual(1.5);
    expect(u.stderr).toMatch(
      new RegExp(
        `k: unresponsive: its process \\(pid ${first.pid}\\) sent no figures for \\d+(\\.\\d)? s .*killed and restarted in 2 s unless it recovers`,
      ),
    );

    // Killed after the grace period, restarted after the 1 s backoff, resuming from its checkpoint.
    const back = await u.waitJob(
      'k',
      (j) => j.status === 'running' && j.pid !== first.pid && j.restarts === 1,
      'killed and restarted',
      20_000,
    );
    expect(alive(first.pid!)).toBe(false);
    expect(back.unresponsiveKills).toBe(1);
    expect(back.error).toMatch(
      /^unresponsive: its process \(pid \d+\) sent no figures for \d+(\.\d)? s; killed$/,
    );
    expect(back.resumedFrom).not.toBeNull();
    expect(u.stderr).toMatch(
      /k: failed: unresponsive: its process \(pid \d+\) sent no figures for [\d.]+ s; killed\n\s*restarting in 1 s \(restart 1\)/,
    );
    const m2 = await u.metrics();
    expect(m2.get('fintrans_job_restarts_total{job="k"}')).toBe(1);
    expect(m2.get('fintrans_job_unresponsive_kills_total{job="k"}')).toBe(1);
    expect(m2.get('fintrans_job_unresponsive{job="k"}')).toBe(0);
    // Every record in the output once: the restarted run did not read the 50 again.
    await u.until(() => kRows().length >= 50, 10_000, '50 rows in output/k.csv');
    expect(kRows()).toEqual(Array.from({ length: 50 }, (_, i) => `${i},${i % 10}`));
    // The new process reports: it stays running past the timeout.
    await new Promise((r) => setTimeout(r, 2500));
    const later = (await u.job('k'))!;
    expect(later).toMatchObject({ status: 'running', pid: back.pid, restarts: 1 });
    expect(later.silentMs!).toBeLessThan(1500);
  }, 60_000);

  it('a process that reports again within the grace period is running again, not killed', async () => {
    up = await UpProcess.start(setup(20), ['jobs'], {
      FINTRANS_UP_HEARTBEAT_TIMEOUT: '1s',
      FINTRANS_UP_HEARTBEAT_GRACE: '20s',
      FINTRANS_TEST_BLOCK_AFTER_RECORDS: '20',
      FINTRANS_TEST_BLOCK_MS: '3000',
    });
    const u = up;
    const stuck = await u.waitJob('k', (j) => j.status === 'unresponsive', 'unresponsive');
    const again = await u.waitJob('k', (j) => j.status === 'running', 'running again', 20_000);
    expect(again.pid).toBe(stuck.pid);
    expect(again.restarts).toBe(0);
    expect(again.unresponsiveKills).toBe(0);
    expect(u.stderr).toMatch(/k: responsive again after \d+(\.\d)? s without figures/);
    expect(alive(stuck.pid!)).toBe(true);
  }, 60_000);
});
