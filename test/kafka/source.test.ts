// The Kafka source's event time against a real broker, through the CLI: the watermark is the
// minimum over partitions, an idle partition stops holding it back after
// 'scan.watermark.idle-timeout', and when every partition is idle windows still close. Also
// partitions and topics added while a job runs, a broker outage that must not stall the job, and
// records crossing intact from the reader thread (values, tombstones, metadata).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { Kafka } from 'kafkajs';
import { kafkaForTests, type KafkaRig } from '../rig/kafka.js';
import { CLI, ROOT, runCli, type CliResult } from '../e2e/cli.js';
import { createTopics, produce, testKafka } from './helpers.js';

let rig: KafkaRig | null = null;
let kafka: Kafka;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  rig = await kafkaForTests();
  if (rig) kafka = testKafka('source-test', rig.bootstrap);
}, 300_000);

afterAll(async () => {
  await rig?.stop();
});

function needsKafka(ctx: TestContext): void {
  if (!rig) ctx.skip();
}

const T0 = Date.parse('2024-01-01T00:00:00Z');
/** '2024-01-01 00:00:12.500' for 12.5 s after T0. */
function ts(sec: number): string {
  return new Date(T0 + Math.round(sec * 1000)).toISOString().replace('T', ' ').replace('Z', '');
}

interface Rec {
  readonly partition: number;
  readonly sec: number;
  readonly amount: number;
}

let nextId = 0;
function recs(partition: number, secs: number[]): Rec[] {
  return secs.map((sec) => ({ partition, sec, amount: 1 + (nextId++ % 7) }));
}

function range(from: number, to: number, step = 1): number[] {
  const out: number[] = [];
  for (let x = from; x <= to + 1e-9; x += step) out.push(Math.round(x * 1000) / 1000);
  return out;
}

/** Writes `id,amount,ts` lines to the given partitions, in order. */
function produceRecs(topic: string, records: readonly Rec[]): Promise<void> {
  return produce(
    kafka,
    topic,
    records.map((r, i) => ({ partition: r.partition, value: `${i},${r.amount},${ts(r.sec)}` })),
  );
}

function produceLines(topic: string, partition: number, lines: string[]): Promise<void> {
  return produce(
    kafka,
    topic,
    lines.map((value) => ({ partition, value })),
  );
}

/** TUMBLE windows of `sizeSec` over `records`, for the windows whose end is at most `untilSec`: start,end,count,sum. */
function expectedWindows(records: readonly Rec[], sizeSec: number, untilSec: number): string[] {
  const byStart = new Map<number, { n: number; sum: number }>();
  for (const r of records) {
    const start = Math.floor(r.sec / sizeSec) * sizeSec;
    const w = byStart.get(start) ?? { n: 0, sum: 0 };
    w.n++;
    w.sum += r.amount;
    byStart.set(start, w);
  }
  return [...byStart.entries()]
    .filter(([start]) => start + sizeSec <= untilSec)
    .sort((a, b) => a[0] - b[0])
    .map(([start, w]) => `${ts(start)},${ts(start + sizeSec)},${w.n},${w.sum}`);
}

function workdir(job: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fintrans-ksrc-'));
  mkdirSync(join(dir, 'output'));
  writeFileSync(join(dir, 'job.sql'), job);
  return dir;
}

function windowJob(topic: string, idle: string, sizeSec: number): string {
  return `CREATE TABLE src (id INT, amount INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
    'connector' = 'kafka', 'topic' = '${topic}', 'properties.group.id' = 'g-${topic}',
    'scan.startup.mode' = 'earliest-offset', 'format' = 'csv', 'scan.watermark.idle-timeout' = '${idle}');
  CREATE TABLE res (window_start TIMESTAMP(3), window_end TIMESTAMP(3), n BIGINT, total BIGINT)
    WITH ('connector' = 'filesystem', 'path' = 'output/out.csv', 'format' = 'csv');
  INSERT INTO res SELECT window_start, window_end, COUNT(*), SUM(amount)
    FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '${sizeSec}' SECOND)) GROUP BY window_start, window_end;\n`;
}

interface Progress {
  readonly in: number;
  readonly out: number;
  readonly watermark: string;
  readonly late: number;
}

/** The CLI in the background, its progress lines parsed as they come. */
class Job {
  readonly done: Promise<CliResult>;
  private stdout = '';
  private stderrText = '';
  private readonly child;
  constructor(args: string[], cwd: string) {
    this.child = spawn(process.execPath, [CLI, ...args, '--brokers', rig!.bootstrap], {
      cwd,
      env: { ...process.env, FINTRANS_HOME: '' },
    });
    this.child.stdout.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr.on('data', (d: Buffer) => (this.stderrText += d.toString()));
    this.done = new Promise((resolve) =>
      this.child.on('close', (code) =>
        resolve({ code: code ?? -1, stdout: this.stdout, stderr: this.stderrText }),
      ),
    );
  }
  get stderr(): string {
    return this.stderrText;
  }
  progress(): Progress[] {
    const out: Progress[] = [];
    for (const m of this.stderrText.matchAll(
      / in (\d+) \(\S+\)\s+out (\d+) \(\S+\)\s+watermark (.+?)\s{2}open windows \d+\s+late (\d+)/g,
    )) {
      out.push({ in: Number(m[1]), out: Number(m[2]), watermark: m[3]!, late: Number(m[4]) });
    }
    return out;
  }
  /** Waits for a progress line that satisfies `ok` (the job prints one about every second). */
  async waitFor(what: string, ok: (p: Progress) => boolean, timeoutMs = 60_000): Promise<Progress> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.done.then(() => (exited = true));
    for (;;) {
      const hit = this.progress().find(ok);
      if (hit) return hit;
      if (exited || Date.now() > deadline)
        throw new Error(
          `no progress line with ${what}${exited ? ' (the job exited)' : ''}:\n${this.stderrText}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  /** Ctrl-C: the job flushes what its windows emitted and stops without firing open windows. */
  async interrupt(): Promise<CliResult> {
    this.child.kill('SIGINT');
    return this.done;
  }
}

function outputRows(dir: string): string[] {
  const lines = readFileSync(join(dir, 'output/out.csv'), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  expect(lines[0]).toBe('window_start,window_end,n,total');
  return lines.slice(1);
}

describe('Kafka source: per-partition watermarks and idleness against a real broker', () => {
  it('the watermark is the minimum over partitions: windows fire only when the slowest partition passes', async (ctx) => {
    needsKafka(ctx);
    await createTopics(kafka, 3, 'wm-uneven');
    const dir = workdir(windowJob('wm-uneven', 'off', 10));
    // Partitions 0 and 1 are far ahead of partition 2.
    const first = [...recs(0, range(1, 35)), ...recs(1, range(0.5, 34.5)), ...recs(2, range(1, 5))];
    await produceRecs('wm-uneven', first);
    const job = new Job(['run', 'job.sql'], dir);
    const before = await job.waitFor(`in ${first.length}`, (p) => p.in === first.length);
    // Partition 2 is at 5 s: watermark 4 s, no window [0, 10) closed yet, whatever the others say.
    await new Promise((r) => setTimeout(r, 1500));
    const still = job.progress().at(-1)!;
    expect(before.out).toBe(0);
    expect(still).toMatchObject({ in: first.length, out: 0, watermark: ts(4), late: 0 });
    // Partition 2 moves to 25 s: the watermark (24 s) passes [0, 10) and [10, 20).
    const second = recs(2, range(6, 25));
    await produceRecs('wm-uneven', second);
    const after = await job.waitFor(
      '2 windows out',
      (p) => p.in === first.length + second.length && p.out === 2,
    );
    expect(after).toMatchObject({ watermark: ts(24), late: 0 });
    const r = await job.interrupt();
    expect(r.code, r.stderr).toBe(130);
    expect(outputRows(dir)).toEqual(expectedWindows([...first, ...second], 10, 20));
    expect(r.stderr).not.toContain('late record');
  }, 120_000);

  it('a partition without records for the idle timeout no longer holds the watermark back', async (ctx) => {
    needsKafka(ctx);
    await createTopics(kafka, 3, 'wm-idle-one');
    const dir = workdir(windowJob('wm-idle-one', '1 s', 10));
    const first = [...recs(0, range(1, 12)), ...recs(1, range(1, 12)), ...recs(2, range(1, 12))];
    await produceRecs('wm-idle-one', first);
    const job = new Job(['run', 'job.sql'], dir);
    await job.waitFor(`in ${first.length}`, (p) => p.in === first.length);
    // Partitions 0 and 1 go on (a record every 250 ms, 1 s of event time each); partition 2 stays silent.
    const flow: Rec[] = [];
    for (const sec of range(13, 31)) {
      const step = [...recs(0, [sec]), ...recs(1, [sec])];
      flow.push(...step);
      await produceRecs('wm-idle-one', step);
      await new Promise((r) => setTimeout(r, 250));
    }
    const total = first.length + flow.length;
    // Windows closed while records were still flowing (partition 2's 12 s would have held them all back).
    const midway = job.progress().filter((p) => p.in > first.length && p.in < total);
    expect(
      midway.some((p) => p.out >= 2),
      job.stderr,
    ).toBe(true);
    // At the end the watermark is partitions 0 and 1's (30 s): [0,10), [10,20), [20,30) closed, with
    // partition 2's records in them. ([30, 40) closes only some 9 s after everything went idle.)
    await job.waitFor('3 windows out', (p) => p.in === total && p.out === 3);
    const r = await job.interrupt();
    expect(r.code, r.stderr).toBe(130);
    expect(outputRows(dir)).toEqual(expectedWindows([...first, ...flow], 10, 30));
    expect(r.stderr).not.toContain('late record');
  }, 120_000);

  it('all partitions idle: windows close after the idle timeout, then records behind the watermark are late', async (ctx) => {
    needsKafka(ctx);
    await createTopics(kafka, 3, 'wm-idle-all');
    const dir = workdir(windowJob('wm-idle-all', '1 s', 2));
    // Up to 7.5 s of event time, unevenly: partition 2 only to 3 s.
    const records = [
      ...recs(0, range(0, 7.5, 0.5)),
      ...recs(1, range(0.25, 7.25, 0.5)),
      ...recs(2, range(0, 3, 0.5)),
    ];
    await produceRecs('wm-idle-all', records);
    const job = new Job(['run', 'job.sql'], dir);
    await job.waitFor(`in ${records.length}`, (p) => p.in === records.length);
    // Without idleness the watermark would stay at 2 s (partition 2's 3 s - 1 s). Idle for 1 s,
    // it jumps to the largest event time (7.5 s) and then follows processing time: [6, 8) closes too.
    const closed = await job.waitFor('4 windows out', (p) => p.out === 4);
    expect(closed.late).toBe(0);
    // A record for [4, 6) now is late: counted, not in any window.
    const late = recs(1, [5]);
    await produceRecs('wm-idle-all', late);
    await job.waitFor('1 late record', (p) => p.late === 1);
    const r = await job.interrupt();
    expect(r.code, r.stderr).toBe(130);
    expect(outputRows(dir)).toEqual(expectedWindows(records, 2, 8));
    expect(r.stderr).toContain('1 late record');
    expect(r.stderr).toContain(`ts=${ts(5)}`);
  }, 120_000);
});

describe('Kafka source: partitions and topics added while a job runs', () => {
  it('new partitions of a topic and new topics matching topic-pattern are read from their start', async (ctx) => {
    needsKafka(ctx);
    await createTopics(kafka, 1, 'np-a');
    const dir =
      workdir(`CREATE TABLE src (line STRING, topic STRING METADATA VIRTUAL, part INT METADATA FROM 'partition' VIRTUAL) WITH (
        'connector' = 'kafka', 'topic-pattern' = 'np-.*', 'properties.group.id' = 'g-np',
        'scan.startup.mode' = 'earliest-offset', 'format' = 'raw', 'scan.topic-partition-discovery.interval' = '500 ms');
      CREATE TABLE res (topic STRING, part INT, line STRING) WITH ('connector' = 'filesystem', 'path' = 'output/lines.csv', 'format' = 'csv');
      INSERT INTO res SELECT topic, part, line FROM src;\n`);
    const expected: string[] = [];
    const write = async (topic: string, partition: number, n: number) => {
      const lines = Array.from({ length: n }, (_, i) => `${topic}-${partition}-${i}`);
      await produceLines(topic, partition, lines);
      expected.push(...lines.map((l) => `${topic},${partition},${l}`));
    };
    await write('np-a', 0, 100);
    const job = new Job(['run', 'job.sql', '--until-idle', '8s'], dir);
    await job.waitFor('in 100', (p) => p.in === 100);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createPartitions({ topicPartitions: [{ topic: 'np-a', count: 3 }] });
    } finally {
      await admin.disconnect();
    }
    await write('np-a', 1, 40);
    await write('np-a', 2, 60);
    await createTopics(kafka, 2, 'np-b');
    await write('np-b', 0, 30);
    await write('np-b', 1, 20);
    const r = await job.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`read ${expected.length} records from 'src'`);
    const rows = readFileSync(join(dir, 'output/lines.csv'), 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .slice(1);
    expect(rows.sort()).toEqual(expected.sort());
  }, 120_000);
});

describe('Kafka source: records cross from the reader thread intact', () => {
  const job = (
    topic: string,
  ) => `CREATE TABLE src (line STRING, k STRING METADATA FROM 'key' VIRTUAL, off BIGINT METADATA FROM 'offset' VIRTUAL,
        ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL) WITH (
        'connector' = 'kafka', 'topic' = '${topic}', 'properties.group.id' = 'g-${topic}',
        'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'format' = 'raw');
      CREATE TABLE res (off BIGINT, k STRING, ts TIMESTAMP_LTZ(3), line STRING, n INT) WITH ('connector' = 'filesystem', 'path' = 'output/out.csv', 'format' = 'csv');
      INSERT INTO res SELECT off, k, ts, line, CHAR_LENGTH(line) FROM src;\n`;

  it("UTF-8 and empty values, per-record key/offset/timestamp, with a batch size below the thread's pieces", async (ctx) => {
    needsKafka(ctx);
    await createTopics(kafka, 1, 'xthread');
    // 6000 records: the thread packs them in pieces of up to 4096, the job asks for 1000 at a time.
    const value = (i: number): string => (i === 20 ? '' : i % 1000 === 10 ? `Zürich ${i} €` : `v${i}`);
    await produce(
      kafka,
      'xthread',
      Array.from({ length: 6000 }, (_, i) => ({
        key: i % 2 === 0 ? `k${i}` : null,
        value: value(i),
        timestamp: String(T0 + i),
      })),
    );
    const dir = workdir(job('xthread'));
    const r = runCli(['run', 'job.sql', '--batch-size', '1000', '--quiet', '--brokers', rig!.bootstrap], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("read 6000 records from 'src'");
    const rows = readFileSync(join(dir, 'output/out.csv'), 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .slice(1);
    // The CSV sink writes '' and NULL alike; the length tells them (and UTF-8 from Latin-1) apart.
    const expected = Array.from(
      { length: 6000 },
      (_, i) => `${i},${i % 2 === 0 ? `k${i}` : ''},${ts(i / 1000)},${value(i)},${[...value(i)].length}`,
    );
    expect(rows).toEqual(expected);
  }, 120_000);

  it('a tombstone (no value) reaches the job as one, at its offset', async (ctx) => {
    needsKafka(ctx);
    await createTopics(kafka, 1, 'xthread-tomb');
    await produce(kafka, 'xthread-tomb', [{ value: 'a' }, { value: 'b' }, { value: null }, { value: 'c' }]);
    const r = runCli(
      ['run', 'job.sql', '--quiet', '--brokers', rig!.bootstrap],
      workdir(job('xthread-tomb')),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bad record in table 'src' at xthread-tomb/0@2: the record has no value");
  }, 60_000);
});

describe("Kafka source: the generator's formats through a broker", () => {
  // connector.test.ts checks that all four formats are read completely and that RFC 850 payloads
  // (laundering.sql) find exactly the planted cases. Here: the content of the other three.
  function cliOk(args: string[], cwd: string, brokers: boolean): CliResult {
    const r = runCli(brokers ? [...args, '--brokers', rig!.bootstrap] : args, cwd);
    if (r.code !== 0)
      throw new Error(`fintrans-sql ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
    return r;
  }
  function jobsDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-kfmt-'));
    cpSync(join(ROOT, 'jobs'), join(dir, 'jobs'), { recursive: true });
    mkdirSync(join(dir, 'output'));
    return dir;
  }
  function csvRows(path: string): Record<string, string>[] {
    const [header, ...rows] = readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    const cols = header!.split(',');
    return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i] ?? `c${i}`, v])));
  }

  it('RFC 3339 payloads: laundering with their time pattern finds exactly the planted cases', async (ctx) => {
    needsKafka(ctx);
    await createTopics(kafka, 3, 'fmt3339-tx');
    const dir = jobsDir();
    cliOk(
      [
        'generate',
        '--format',
        'dcos-rfc3339',
        '--to',
        'fmt3339-tx',
        '--count',
        '10000',
        '--plant',
        '5',
        '--truth',
        'output/truth.csv',
      ],
      dir,
      true,
    );
    let job = readFileSync(join(dir, 'jobs/laundering.sql'), 'utf8');
    for (const [from, to] of <[string, string][]>[
      ["'topic' = 'transactions'", "'topic' = 'fmt3339-tx'"],
      ["'properties.group.id' = 'laundering'", "'properties.group.id' = 'fmt3339'"],
      [
        "TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z')",
        "TO_TIMESTAMP(tx_time, 'yyyy-MM-dd''T''HH:mm:ssX')",
      ],
    ]) {
      expect(job).toContain(from);
      job = job.split(from).join(to);
    }
    writeFileSync(join(dir, 'jobs/laundering_3339.sql'), job);
    const r = cliOk(
      ['run', 'jobs/laundering_3339.sql', '--from-beginning', '--until-idle', '2s', '--quiet'],
      dir,
      true,
    );
    expect(r.stderr).toContain(`read 10000 records from 'transactions'`);
    expect(r.stderr).not.toContain('late record');
    const key = (row: Record<string, string>) =>
      `${row.sender} -> ${row.receiver} in window starting ${row.window_start}`;
    const expected = csvRows(join(dir, 'output/truth.csv'))
      .filter((t) => t.expected_alert === 'true')
      .map(key)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(csvRows(join(dir, 'output/laundering.csv')).map(key).sort()).toEqual(expected);
  }, 120_000);

  it('PyFlink JSON and space-separated fintrans payloads give the same results through Kafka as through the embedded store', async (ctx) => {
    needsKafka(ctx);
    const cities = ['London', 'NYC', 'SF', 'Moscow', 'Tokyo'];
    await createTopics(kafka, 3, 'transactions-data');
    for (const c of cities) await createTopics(kafka, 2, c);
    const viaKafka = jobsDir();
    const embedded = jobsDir();
    for (const [dir, brokers] of [
      [viaKafka, true],
      [embedded, false],
    ] as const) {
      cliOk(
        ['generate', '--format', 'json', '--to', 'transactions-data', '--count', '4000', '--seed', '11'],
        dir,
        brokers,
      );
      cliOk(
        ['generate', '--format', 'fintrans', '--to', 'cities', '--count', '4000', '--seed', '12'],
        dir,
        brokers,
      );
      mkdirSync(join(dir, 'fmt'));
      cpSync(join(dir, 'jobs/city_volume.sql'), join(dir, 'fmt/city_volume.sql'));
      // spending_pattern.sql's table, with an aggregate over every field that does not depend on
      // the order partitions are interleaved in (its LAST_VALUE and float SUMs do).
      const shipped = readFileSync(join(dir, 'jobs/spending_pattern.sql'), 'utf8');
      const ddl = /CREATE TABLE transactions_data[\s\S]*?\);/.exec(shipped)![0];
      writeFileSync(
        join(dir, 'fmt/json_fields.sql'),
        `${ddl}
        CREATE TABLE json_fields (customer STRING, window_start TIMESTAMP(3), n BIGINT, types BIGINT, max_online DOUBLE, max_in_store DOUBLE,
          min_lat DOUBLE, max_lon DOUBLE, last_time TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = 'output/json_fields.csv', 'format' = 'csv');
        INSERT INTO json_fields SELECT customer, window_start, COUNT(*), COUNT(DISTINCT transaction_type), MAX(online_payment_amount),
          MAX(in_store_payment_amount), MIN(lat), MAX(lon), MAX(transaction_datetime)
        FROM TABLE(TUMBLE(TABLE transactions_data, DESCRIPTOR(transaction_datetime), INTERVAL '1' HOUR)) GROUP BY customer, window_start, window_end;\n`,
      );
      const r = cliOk(['run', 'fmt', '--from-beginning', '--until-idle', '2s', '--quiet'], dir, brokers);
      expect(r.stderr).not.toContain('late record');
    }
    for (const file of ['output/json_fields.csv', 'output/city_volume.csv']) {
      const sorted = (dir: string) =>
        readFileSync(join(dir, file), 'utf8')
          .split('\n')
          .filter((l) => l.length > 0)
          .sort();
      const rows = sorted(viaKafka);
      expect(rows.length, file).toBeGreaterThan(5);
      expect(rows, file).toEqual(sorted(embedded));
    }
    const volume = csvRows(join(viaKafka, 'output/city_volume.csv'));
    expect(volume.reduce((s, row) => s + Number(row.transfers), 0)).toBe(4000);
    const fields = csvRows(join(viaKafka, 'output/json_fields.csv'));
    expect(fields.reduce((s, row) => s + Number(row.n), 0)).toBe(4000);
    for (const row of fields) {
      expect(row.customer).toMatch(/^\S+ \S+/);
      for (const c of ['max_online', 'max_in_store', 'min_lat', 'max_lon'])
        expect(Number.isFinite(Number(row[c])) && row[c] !== '', c).toBe(true);
      expect(row.last_time).toMatch(/^2017-07-2\d /);
    }
  }, 180_000);
});

describe('Kafka source: a broker outage', () => {
  // Last: it stops the broker under this file's other tests.
  it('does not stall the job: progress goes on while the consumer reconnects, nothing is lost', async (ctx) => {
    needsKafka(ctx);
    await createTopics(kafka, 3, 'outage');
    const dir =
      workdir(`CREATE TABLE src (line STRING) WITH ('connector' = 'kafka', 'topic' = 'outage', 'properties.group.id' = 'g-outage', 'scan.startup.mode' = 'earliest-offset', 'format' = 'raw');
      CREATE TABLE res (line STRING) WITH ('connector' = 'filesystem', 'path' = 'output/lines.csv', 'format' = 'csv');
      INSERT INTO res SELECT line FROM src;\n`);
    const first = Array.from({ length: 300 }, (_, i) => `a-${i}`);
    for (let p = 0; p < 3; p++)
      await produceLines(
        'outage',
        p,
        first.filter((_, i) => i % 3 === p),
      );
    const job = new Job(['run', 'job.sql', '--until-idle', '5s'], dir);
    await job.waitFor('in 300', (p) => p.in === 300);
    await rig!.kill();
    const linesBefore = job.progress().length;
    await new Promise((r) => setTimeout(r, 12_000));
    // On a pipe an unchanged progress line is repeated every 10 s: seeing it proves the loop is not
    // blocked in a poll while the broker is away, and 5 s of --until-idle did not end the job
    // (records may still be on their way).
    const during = job.progress().length - linesBefore;
    expect(during, job.stderr).toBeGreaterThanOrEqual(1);
    await rig!.restart();
    const second = Array.from({ length: 300 }, (_, i) => `b-${i}`);
    for (let p = 0; p < 3; p++)
      await produceLines(
        'outage',
        p,
        second.filter((_, i) => i % 3 === p),
      );
    const r = await job.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`read 600 records from 'src'`);
    const rows = readFileSync(join(dir, 'output/lines.csv'), 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .slice(1);
    expect(rows.sort()).toEqual([...first, ...second].sort());
  }, 180_000);
});
