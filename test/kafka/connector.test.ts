// The 'kafka' connector against a real broker, through the CLI as a user runs it: generate to
// Kafka, run jobs with --brokers, tail topics; group offsets across runs, bounded scans, a broker
// crash in the middle of a job, and the generator's four formats.
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { Kafka } from 'kafkajs';
import { kafkaForTests, type KafkaRig } from '../rig/kafka.js';
import { CLI, runCli, type CliResult } from '../e2e/cli.js';
import { cliAsync, jobCopy, workdirWithJobs } from '../cli-helpers.js';
import { createTopics, produce, testKafka } from './helpers.js';

let rig: KafkaRig | null = null;
let kafka: Kafka;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  rig = await kafkaForTests();
  if (rig) kafka = testKafka('connector-test', rig.bootstrap);
}, 300_000);

afterAll(async () => {
  await rig?.stop();
});

function needsKafka(ctx: TestContext): void {
  if (!rig) ctx.skip();
}

const workdir = (): string => workdirWithJobs('fintrans-kafka-', 'output');

function cli(args: string[], cwd: string): CliResult {
  const r = runCli([...args, '--brokers', rig!.bootstrap], cwd);
  if (r.code !== 0)
    throw new Error(`fintrans-sql ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  return r;
}

function readCsv(path: string): Record<string, string>[] {
  const [header, ...rows] = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  const cols = header!.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i] ?? `c${i}`, v])));
}

/** The demo's check: the alerts are exactly the truth's expected alerts (nothing missed, no decoy, nothing else). */
function expectAlertsMatchTruth(dir: string, alertsFile: string): number {
  const key = (r: Record<string, string>) =>
    `${r.sender} -> ${r.receiver} in window starting ${r.window_start}`;
  const alerts = readCsv(join(dir, alertsFile)).map(key).sort();
  const expected = readCsv(join(dir, 'output/truth.csv'))
    .filter((t) => t.expected_alert === 'true')
    .map(key)
    .sort();
  expect(expected.length).toBeGreaterThan(0);
  expect(alerts).toEqual(expected);
  return alerts.length;
}

function recordsRead(stderr: string, table: string): number {
  const m = new RegExp(`read (\\d+) records? from '${table}'`).exec(stderr);
  if (!m) throw new Error(`no 'read N records from '${table}'' in:\n${stderr}`);
  return Number(m[1]);
}

describe("'kafka' connector against a real broker", () => {
  let shared: string;

  it('generate → 3-partition topic → laundering.sql finds exactly the planted cases', async (ctx) => {
    needsKafka(ctx);
    shared = workdir();
    await createTopics(kafka, 3, 'transactions');
    cli(
      ['generate', '--to', 'transactions', '--count', '20000', '--plant', '6', '--truth', 'output/truth.csv'],
      shared,
    );
    const started = Date.now();
    const r = cli(['run', 'jobs/laundering.sql', '--from-beginning', '--until-idle', '2s'], shared);
    const secs = (Date.now() - started) / 1000;
    expect(recordsRead(r.stderr, 'transactions')).toBe(20000);
    expect(r.stderr).not.toContain('late record');
    const n = expectAlertsMatchTruth(shared, 'output/laundering.csv');
    const rates = [...r.stderr.matchAll(/in \d+ \((\d+)\/s\)/g)].map((m) => Number(m[1]));
    console.log(
      `test 1: ${n} alerts; 20000 records in ${secs.toFixed(1)} s wall (incl. connect, join, 2 s idle); progress rates/s: ${rates.join(', ')}`,
    );
  });

  it("a 'scan.bounded.mode' = 'latest-offset' job ends by itself", async (ctx) => {
    needsKafka(ctx);
    const job = jobCopy(shared, 'laundering.sql', 'bounded/laundering.sql', [
      [
        "'scan.startup.mode' = 'group-offsets',",
        "'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',",
      ],
      ["'properties.group.id' = 'laundering'", "'properties.group.id' = 'laundering-bounded'"],
      ['output/laundering.csv', 'output/bounded.csv'],
    ]);
    // No --until-idle: only the bounded scan can end this run.
    const r = cli(['run', job, '--quiet'], shared);
    expect(recordsRead(r.stderr, 'transactions')).toBe(20000);
    expectAlertsMatchTruth(shared, 'output/bounded.csv');
  });

  it("'sink.partitioner' fixed and round-robin place rows on the broker as asked, keys or not", async (ctx) => {
    needsKafka(ctx);
    const dir = workdir();
    writeFileSync(join(dir, 'in.csv'), Array.from({ length: 30 }, (_, i) => `7,${i}`).join('\n') + '\n');
    for (const [partitioner, expected] of [
      ['fixed', [30, 0, 0]],
      ['round-robin', [10, 10, 10]],
    ] as const) {
      const topic = `partitioner-${partitioner}`;
      await createTopics(kafka, 3, topic);
      writeFileSync(
        join(dir, `${topic}.sql`),
        `CREATE TABLE src (sender BIGINT, amount BIGINT) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
         CREATE TABLE dst (sender BIGINT, amount BIGINT) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'format' = 'csv',
           'key.fields' = 'sender', 'sink.partitioner' = '${partitioner}');
         INSERT INTO dst SELECT sender, amount FROM src;\n`,
      );
      cli(['run', `${topic}.sql`, '--quiet'], dir);
      const admin = kafka.admin();
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
      expect(offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high))).toEqual(expected);
    }
  });

  it('a job run again in the same group continues where it stopped: no loss, no duplicates', async (ctx) => {
    needsKafka(ctx);
    const dir = workdir();
    await createTopics(kafka, 3, 'resume-in', 'resume-out');
    writeFileSync(
      join(dir, 'copy.sql'),
      `CREATE TABLE src (line STRING) WITH ('connector' = 'kafka', 'topic' = 'resume-in', 'properties.group.id' = 'resume', 'format' = 'raw');
       CREATE TABLE dst (line STRING) WITH ('connector' = 'kafka', 'topic' = 'resume-out', 'format' = 'raw');
       INSERT INTO dst SELECT line FROM src;\n`,
    );
    const all = Array.from({ length: 12000 }, (_, i) => `record-${i}`);
    await produce(kafka, 'resume-in', all.slice(0, 6000));
    const first = cli(['run', 'copy.sql', '--until-idle', '1s', '--quiet'], dir);
    expect(recordsRead(first.stderr, 'src')).toBe(6000);
    await produce(kafka, 'resume-in', all.slice(6000));
    const second = cli(['run', 'copy.sql', '--until-idle', '1s', '--quiet'], dir);
    expect(recordsRead(second.stderr, 'src')).toBe(6000);
    const copied = cli(['tail', 'resume-out'], dir)
      .stdout.split('\n')
      .filter((l) => l.length > 0);
    expect(copied).toHaveLength(all.length);
    expect(new Set(copied)).toEqual(new Set(all));
  });

  it('laundering_sliding.sql writes alerts to topic fraud; tail prints them', async (ctx) => {
    needsKafka(ctx);
    const dir = workdir();
    await createTopics(kafka, 3, 'tx-rfc3339');
    const job = jobCopy(dir, 'laundering_sliding.sql', 'jobs/sliding.sql', [
      ["'topic' = 'transactions'", "'topic' = 'tx-rfc3339'"],
    ]);
    cli(
      ['generate', '--format', 'dcos-rfc3339', '--to', 'tx-rfc3339', '--count', '10000', '--plant', '4'],
      dir,
    );
    const r = cli(['run', job, '--from-beginning', '--until-idle', '1s', '--quiet'], dir);
    expect(recordsRead(r.stderr, 'transactions')).toBe(10000);
    const written = Number(/wrote (\d+) records? → topic 'fraud' \(Kafka /.exec(r.stderr)?.[1]);
    expect(written).toBeGreaterThan(0);
    const lines = cli(['tail', 'fraud', '--prefix', 'Detected Fraud: '], dir)
      .stdout.split('\n')
      .filter((l) => l.length > 0);
    expect(lines).toHaveLength(written);
    for (const l of lines)
      expect(l).toMatch(
        /^Detected Fraud: TransactionAggregate \{startTimestamp=2017-07-23 .*totalAmount=\d+: Transaction\{/,
      );
  });

  it('the four generator formats are read completely', async (ctx) => {
    needsKafka(ctx);
    const dir = workdir();
    const cities = ['London', 'NYC', 'SF', 'Moscow', 'Tokyo'];
    await createTopics(kafka, 2, 'fmt-dcos', 'fmt-rfc3339', 'transactions-data', ...cities);
    const n = 3000;
    cli(['generate', '--format', 'dcos', '--to', 'fmt-dcos', '--count', String(n)], dir);
    cli(['generate', '--format', 'dcos-rfc3339', '--to', 'fmt-rfc3339', '--count', String(n)], dir);
    cli(['generate', '--format', 'fintrans', '--to', 'cities', '--count', String(n)], dir);
    cli(['generate', '--format', 'json', '--to', 'transactions-data', '--count', String(n)], dir);
    jobCopy(dir, 'laundering.sql', 'formats/dcos.sql', [
      ["'topic' = 'transactions'", "'topic' = 'fmt-dcos'"],
    ]);
    jobCopy(dir, 'laundering_sliding.sql', 'formats/rfc3339.sql', [
      ["'topic' = 'transactions'", "'topic' = 'fmt-rfc3339'"],
      ["'topic' = 'fraud'", "'topic' = 'fmt-fraud'"],
    ]);
    cpSync(join(dir, 'jobs/city_volume.sql'), join(dir, 'formats/city_volume.sql'));
    cpSync(join(dir, 'jobs/spending_pattern.sql'), join(dir, 'formats/spending_pattern.sql'));
    const r = cli(['run', 'formats', '--from-beginning', '--until-idle', '1s', '--quiet'], dir);
    for (const [file, table] of [
      ['dcos', 'transactions'],
      ['rfc3339', 'transactions'],
      ['city_volume', 'city_transactions'],
      ['spending_pattern', 'transactions_data'],
    ]) {
      const line = r.stderr.split('\n').find((l) => l.startsWith(`formats/${file}.sql: read`)) ?? '';
      expect(line, r.stderr).toBe(`formats/${file}.sql: read ${n} records from '${table}'`);
    }
    // fintrans: the city is the topic and the time the record timestamp; every record lands in a minute window.
    const volume = readCsv(join(dir, 'output/city_volume.csv'));
    expect(volume.reduce((s, row) => s + Number(row.transfers), 0)).toBe(n);
    expect(new Set(volume.map((row) => row.city))).toEqual(new Set(cities));
    expect(volume.every((row) => row.window_start!.startsWith('2017-07-23'))).toBe(true);
  });

  it('a broker crash and restart in the middle of a job loses nothing and duplicates nothing', async (ctx) => {
    needsKafka(ctx);
    const dir = workdir();
    await createTopics(kafka, 3, 'tx-crash');
    cli(
      ['generate', '--count', '20000', '--plant', '6', '--truth', 'output/truth.csv', '--out', 'tx.txt'],
      dir,
    );
    const lines = readFileSync(join(dir, 'tx.txt'), 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    expect(lines).toHaveLength(20000);
    const job = jobCopy(dir, 'laundering.sql', 'jobs/crash.sql', [
      ["'topic' = 'transactions'", "'topic' = 'tx-crash'"],
    ]);
    await produce(kafka, 'tx-crash', lines.slice(0, 10000));
    const run = cliAsync(['run', job, '--until-idle', '5s', '--brokers', rig!.bootstrap], dir);
    // Wait until the job has read the first half, then crash the broker under it.
    while (!/ in 10000 /.test(run.stderr())) await new Promise((r) => setTimeout(r, 100));
    await rig!.kill();
    await rig!.restart();
    await produce(kafka, 'tx-crash', lines.slice(10000));
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(recordsRead(r.stderr, 'transactions')).toBe(20000);
    expectAlertsMatchTruth(dir, 'output/laundering.csv');
  }, 120_000);
});
