// `fintrans-sql up` against a real running process (the CLI from dist/): jobs added, edited,
// broken, failing and deleted while it runs; its status API and /metrics checked against what the
// jobs actually read and wrote; clean shutdown and resume from the checkpoints it takes.

import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TopicStore } from '../../connectors/embedded/topic-store.js';
import { UpProcess, alive } from './up-process.js';

const T0 = Date.UTC(2024, 0, 1);
const A_LINES = 100;

// a: bounded, windowed: k = i % 3, one record every 10 s, amount i.
function aInput(): string {
  let s = '';
  for (let i = 0; i < A_LINES; i++)
    s += `${new Date(T0 + i * 10_000).toISOString().slice(0, 19).replace('T', ' ')},${i % 3},${i}\n`;
  return s;
}

/** What a.sql must write: per k and minute, the count and the sum — computed here from the input, independently. */
function aExpected(): string[] {
  const groups = new Map<string, { k: number; start: number; n: number; total: number }>();
  for (let i = 0; i < A_LINES; i++) {
    const t = T0 + i * 10_000;
    const start = t - (t % 60_000);
    const key = `${start}/${i % 3}`;
    const g = groups.get(key) ?? { k: i % 3, start, n: 0, total: 0 };
    g.n++;
    g.total += i;
    groups.set(key, g);
  }
  return [...groups.values()]
    .map(
      (g) => `${g.k},${new Date(g.start).toISOString().slice(0, 19).replace('T', ' ')}.000,${g.n},${g.total}`,
    )
    .sort();
}

const A_SQL = `
CREATE TABLE tx (t STRING, k INT, amount BIGINT, ts AS TO_TIMESTAMP(t), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'filesystem', 'path' = 'data/a.csv', 'format' = 'csv');
CREATE TABLE sums (k INT, window_start TIMESTAMP(3), n BIGINT, total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'output/a.csv', 'format' = 'csv');
INSERT INTO sums
SELECT k, window_start, COUNT(*), SUM(amount)
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY k, window_start, window_end;
`;

// k: unbounded, on the embedded topic store (the default for 'kafka' tables without brokers).
const K_SQL = (filter: string, comment = '') => `${comment}
SET 'execution.checkpointing.interval' = '300ms';
CREATE TABLE payments (id BIGINT, amount BIGINT) WITH ('connector' = 'kafka', 'topic' = 'payments', 'properties.group.id' = 'k', 'format' = 'csv');
CREATE TABLE k_out (id BIGINT, amount BIGINT) WITH ('connector' = 'filesystem', 'path' = 'output/k.csv', 'format' = 'csv');
INSERT INTO k_out SELECT id, amount FROM payments WHERE ${filter};
`;

const B_SQL = `
CREATE TABLE b_in (name STRING, v INT) WITH ('connector' = 'filesystem', 'path' = 'data/b.csv', 'format' = 'csv');
CREATE TABLE b_out (name STRING, v INT) WITH ('connector' = 'filesystem', 'path' = 'output/b.csv', 'format' = 'csv');
INSERT INTO b_out SELECT UPPER(name), v * 2 FROM b_in WHERE v > 2;
`;

// f: its input holds a record that does not decode, and the job does not skip bad records.
const F_SQL = `
CREATE TABLE f_in (a INT, b INT) WITH ('connector' = 'filesystem', 'path' = 'data/f.csv', 'format' = 'csv');
CREATE TABLE f_out (a INT, b INT) WITH ('connector' = 'filesystem', 'path' = 'output/f.csv', 'format' = 'csv');
INSERT INTO f_out SELECT a, b FROM f_in;
`;

function dataRows(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l !== '');
}

describe('fintrans-sql up', () => {
  let dir: string;
  let up: UpProcess;
  let nextId = 0;
  const append = (n: number) => {
    const store = TopicStore.open(join(dir, '.fintrans'));
    store.ensureTopic('payments', 1);
    const recs = Array.from({ length: n }, () => {
      const id = nextId++;
      return { key: null, value: `${id},${id % 10}`, timestamp: T0 + id };
    });
    store.append('payments', recs);
    store.close();
  };
  const kRows = () => dataRows(join(dir, 'output', 'k.csv'));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fintrans-up-'));
    mkdirSync(join(dir, 'jobs'));
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'a.csv'), aInput());
    writeFileSync(join(dir, 'data', 'b.csv'), 'x,1\ny,3\nz,5\n');
    writeFileSync(join(dir, 'data', 'f.csv'), '1,2\nthree,4\n5,6\n');
    writeFileSync(join(dir, 'jobs', 'a.sql'), A_SQL);
    writeFileSync(join(dir, 'jobs', 'k.sql'), K_SQL('amount >= 0'));
    append(50);
    up = await UpProcess.start(dir, ['jobs']);
  });

  afterAll(async () => {
    await up?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every job of the directory; status and /metrics match what the jobs read and wrote', async () => {
    const a = await up.waitJob('a', (j) => j.status === 'finished', 'finished');
    expect(dataRows(join(dir, 'output', 'a.csv')).sort()).toEqual(aExpected());
    expect(a.recordsIn).toBe(A_LINES);
    expect(a.recordsOut).toBe(aExpected().length);
    expect(a.watermarkText).toBe('end of input');
    expect(a.sinks[0]!.columns).toEqual(['k', 'window_start', 'n', 'total']);
    // The latest rows shown are the last ones written to the file.
    const written = dataRows(join(dir, 'output', 'a.csv'));
    expect(a.sinks[0]!.latest.map((r) => r.join(','))).toEqual(written.slice(-a.sinks[0]!.latest.length));

    await up.waitJob(
      'k',
      (j) => j.status === 'running' && j.recordsIn === 50,
      'running with the 50 records read',
    );
    append(30);
    await up.waitJob('k', (j) => j.recordsIn === 80, '80 records read');

    const m = await up.metrics();
    expect(m.get('fintrans_records_in_total{job="a"}')).toBe(A_LINES);
    expect(m.get('fintrans_records_out_total{job="a"}')).toBe(aExpected().length);
    expect(m.get('fintrans_sink_rows_written_total{job="a",sink="sums"}')).toBe(aExpected().length);
    expect(m.get('fintrans_source_records_in_total{job="a",table="tx"}')).toBe(A_LINES);
    expect(m.get('fintrans_job_status{job="a",status="finished"}')).toBe(1);
    expect(m.get('fintrans_records_in_total{job="k"}')).toBe(80);
    expect(m.get('fintrans_records_out_total{job="k"}')).toBe(80);
    expect(m.get('fintrans_sink_rows_total{job="k",sink="k_out"}')).toBe(80);
    expect(m.get('fintrans_sink_rows_total{job="a",sink="sums"}')).toBe(aExpected().length);
    expect(m.get('fintrans_job_up{job="k"}')).toBe(1);
    expect(m.get('fintrans_late_records_total{job="k"}')).toBe(0);
    expect(m.get('fintrans_bad_records_total{job="k"}')).toBe(0);
    expect(m.has('fintrans_open_windows{job="a"}')).toBe(true);
    expect(m.has('fintrans_watermark_seconds{job="k"}')).toBe(false); // no watermark declared
  });

  it('starts a job whose file is added while it runs', async () => {
    writeFileSync(join(dir, 'jobs', 'b.sql'), B_SQL);
    const b = await up.waitJob('b', (j) => j.status === 'finished', 'finished');
    expect(dataRows(join(dir, 'output', 'b.csv'))).toEqual(['Y,6', 'Z,10']);
    expect(b.recordsIn).toBe(3);
  });

  it('reports an edit that does not validate and keeps the running version', async () => {
    const before = (await up.job('k'))!;
    writeFileSync(
      join(dir, 'jobs', 'k.sql'),
      K_SQL('amount >= 0').replace('SELECT id, amount', 'SELECT id, amout'),
    );
    const k = await up.waitJob('k', (j) => j.rejected !== null, 'the edit rejected');
    expect(k.rejected!.error).toMatch(/jobs\/k\.sql:\d+:\d+: .*amout/);
    expect(k.status).toBe('running');
    expect(k.pid).toBe(before.pid);
    append(20);
    await up.waitJob('k', (j) => j.recordsIn === 100 && j.pid === before.pid, 'the old version reading on');
    expect(up.stderr).toMatch(/k: the edited file does not validate; the previous version keeps running/);
  });

  it('restarts an edited job from its checkpoint when its state still fits', async () => {
    const before = (await up.job('k'))!;
    // A comment changes the file, not the job: the checkpoint fits.
    writeFileSync(join(dir, 'jobs', 'k.sql'), K_SQL('amount >= 0', '-- reads payments'));
    const k = await up.waitJob(
      'k',
      (j) => j.status === 'running' && j.pid !== before.pid && j.resumedFrom !== null,
      'restarted from its checkpoint',
    );
    expect(k.rejected).toBeNull();
    expect(k.recordsIn).toBe(0); // resumed after the 100 records already read
    append(10);
    await up.waitJob('k', (j) => j.recordsIn === 10, 'the 10 new records read');
    // Exactly once across the restart: every record once in the output.
    await up.until(() => kRows().length >= 110, 20_000, '110 rows in output/k.csv');
    expect(kRows()).toEqual(Array.from({ length: 110 }, (_, i) => `${i},${i % 10}`));
    expect(up.stderr).toMatch(/k: resumed from checkpoint \d+/);
  });

  it('starts an edited job fresh when its checkpoint does not fit: from the beginning of its sources, the old output kept aside and shown', async () => {
    const before = (await up.job('k'))!;
    const oldRows = kRows();
    expect(oldRows).toHaveLength(110);
    writeFileSync(join(dir, 'jobs', 'k.sql'), K_SQL('amount >= 5'));
    await up.waitJob('k', (j) => j.status === 'running' && j.pid !== before.pid, 'restarted');
    await up.until(
      () =>
        /k: started fresh: .*different version of this job.*; it recomputes from the beginning of its sources: 'payments' reads from the earliest offset\n/.test(
          up.stderr,
        ),
      10_000,
      'the fresh start reported',
    );
    const ev = (await up.status()).events.find((e) => e.job === 'k' && e.message.startsWith('started fresh'));
    expect(ev?.level).toBe('warn');
    // All 110 records again, through the new filter (amount = id % 10).
    const expected = Array.from({ length: 110 }, (_, i) => i)
      .filter((i) => i % 10 >= 5)
      .map((i) => `${i},${i % 10}`);
    await up.until(
      () => kRows().length === expected.length,
      20_000,
      `${expected.length} rows in output/k.csv`,
    );
    expect(kRows()).toEqual(expected);
    // The earlier output is kept aside, whole, and the dashboard says where.
    const k = await up.waitJob('k', (j) => j.notices.length > 0, 'the kept-aside output shown');
    const aside =
      /^output\/k\.csv held the output of an earlier run: kept as (output\/k\.before-[\dT:Z-]+\.csv)$/.exec(
        k.notices[0]!.message,
      )?.[1];
    expect(aside, k.notices[0]!.message).toBeDefined();
    expect(dataRows(join(dir, aside!))).toEqual(oldRows);
    expect(up.stderr).toContain(`k: output/k.csv held the output of an earlier run: kept as ${aside}\n`);
  });

  it('restarts a failing job with backoff and reports it, while the others run on', async () => {
    const kBefore = (await up.job('k'))!;
    writeFileSync(join(dir, 'jobs', 'f.sql'), F_SQL);
    const f = await up.waitJob('f', (j) => j.restarts >= 2, 'restarted twice', 30_000);
    expect(f.error).toMatch(/bad record in table 'f_in' at .*f\.csv:2/);
    const m = await up.metrics();
    expect(m.get('fintrans_job_restarts_total{job="f"}')).toBeGreaterThanOrEqual(2);
    expect(up.stderr).toMatch(/f: failed: bad record in table 'f_in'[^]*?restarting in 1 s \(restart 1\)/);
    expect(up.stderr).toMatch(/restarting in 2 s \(restart 2\)/);
    const k = (await up.job('k'))!;
    expect(k.pid).toBe(kBefore.pid);
    expect(k.status).toBe('running');
    // Fixing the input and touching the file runs the job again, now to completion.
    writeFileSync(join(dir, 'data', 'f.csv'), '1,2\n3,4\n5,6\n');
    writeFileSync(join(dir, 'jobs', 'f.sql'), F_SQL + '\n-- input fixed\n');
    await up.waitJob('f', (j) => j.status === 'finished', 'finished after the fix');
    expect(dataRows(join(dir, 'output', 'f.csv'))).toEqual(['1,2', '3,4', '5,6']);
  });

  it('stops a job cleanly when its file is deleted, with a checkpoint to resume from', async () => {
    const k = (await up.job('k'))!;
    unlinkSync(join(dir, 'jobs', 'k.sql'));
    await up.until(async () => (await up.job('k')) === undefined, 20_000, 'k gone from the status');
    await up.until(() => !alive(k.pid!), 10_000, `k's process ${k.pid} gone`);
    expect(up.stderr).toMatch(/k: file deleted: stopping the job/);
    expect(up.stderr).toMatch(/k: stopped \(checkpoint taken\)/);
    const db = new Database(join(dir, '.fintrans', 'checkpoints', 'k.db'), { readonly: true });
    const n = (db.prepare('SELECT COUNT(*) AS n FROM checkpoints').get() as { n: number }).n;
    db.close();
    expect(n).toBeGreaterThan(0);
    const m = await up.metrics();
    expect([...m.keys()].some((key) => key.includes('job="k"'))).toBe(false);
  });

  it('stops every job with a checkpoint on SIGTERM; the next up resumes them', async () => {
    writeFileSync(join(dir, 'jobs', 'k.sql'), K_SQL('amount >= 5'));
    await up.waitJob('k', (j) => j.status === 'running' && j.resumedFrom !== null, 'back, resumed');
    const pid = (await up.job('k'))!.pid!;
    append(10);
    await up.waitJob('k', (j) => j.recordsIn === 10, 'reading');
    expect(await up.stop()).toBe(0);
    expect(alive(pid)).toBe(false);
    expect(up.stderr).toMatch(/k: stopped \(checkpoint taken\)/);
    expect(up.stderr).toMatch(/all jobs stopped/);

    up = await UpProcess.start(dir, ['jobs']);
    await up.waitJob(
      'k',
      (j) => j.status === 'running' && j.resumedFrom !== null,
      'resumed after the restart of up',
    );
    append(10);
    const k = await up.waitJob('k', (j) => j.recordsIn === 10, 'the 10 new records read, none again');
    expect(k.recordsOut).toBe(5); // ids 130..139, amount = id % 10 >= 5
  });
});

describe('fintrans-sql up --no-ui', () => {
  it('runs the jobs without a web server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-up-noui-'));
    try {
      mkdirSync(join(dir, 'jobs'));
      mkdirSync(join(dir, 'data'));
      writeFileSync(join(dir, 'data', 'b.csv'), 'x,1\ny,3\nz,5\n');
      writeFileSync(join(dir, 'jobs', 'b.sql'), B_SQL);
      const up = await UpProcess.start(dir, ['jobs', '--no-ui']);
      await up.until(
        () => /b: finished: input complete; wrote 2 rows → output\/b\.csv/.test(up.stderr),
        30_000,
        'b finished',
      );
      expect(dataRows(join(dir, 'output', 'b.csv'))).toEqual(['Y,6', 'Z,10']);
      expect(up.stderr).not.toMatch(/dashboard|http:/);
      expect(await up.stop()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
