// `generate --format avro` and `tail` on Avro topics (issue 20), from the outside: the CLI writes
// the generator's transfers (planted laundering cases and all) as Avro values, plain (the schema
// Flink derives for the table) or in the Confluent wire format with --registry; the laundering
// job reads them with 'format' = 'avro' / 'avro-confluent' and finds exactly the planted cases of
// the truth file; `tail --registry` prints the values in Avro's JSON encoding and `tail --table`
// as the table's rows. On the embedded store, and on the real broker of the test rig.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { cliAsync } from '../cli-helpers.js';
import type { CliResult } from '../e2e/cli.js';
import { kafkaForTests, type KafkaRig } from '../rig/kafka.js';
import { MiniRegistry } from './mini-registry.js';

/** The CLI without blocking this process: the registry in this test must answer it. */
async function cli(args: string[], cwd: string): Promise<CliResult> {
  const r = await cliAsync(args, cwd).done;
  if (r.code !== 0)
    throw new Error(`fintrans-sql ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  return r;
}

function laundering(dir: string, format: string): string {
  writeFileSync(
    join(dir, 'job.sql'),
    `CREATE TABLE transactions (tx_time TIMESTAMP(3), sender BIGINT, receiver BIGINT, amount BIGINT,
  WATERMARK FOR tx_time AS tx_time - INTERVAL '5' SECOND)
WITH ('connector' = 'kafka', 'topic' = 'transactions', 'scan.startup.mode' = 'earliest-offset', ${format});
CREATE TABLE alerts (sender BIGINT, receiver BIGINT, window_start TIMESTAMP(3), total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'alerts.csv', 'format' = 'csv');
INSERT INTO alerts SELECT sender, receiver, window_start, SUM(amount)
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(tx_time), INTERVAL '10' MINUTES))
GROUP BY sender, receiver, window_start, window_end HAVING SUM(amount) > 10000;
`,
  );
  return 'job.sql';
}

/** The truth file's expected alerts as `sender,receiver,window_start`. */
function expectedAlerts(dir: string): string[] {
  const [header, ...rows] = readFileSync(join(dir, 'truth.csv'), 'utf8').trim().split('\n');
  const cols = header!.split(',');
  const at = (r: string[], c: string) => r[cols.indexOf(c)]!;
  return rows
    .map((l) => l.split(','))
    .filter((r) => at(r, 'expected_alert') === 'true')
    .map((r) => `${at(r, 'sender')},${at(r, 'receiver')},${at(r, 'window_start')}`)
    .sort();
}

function foundAlerts(dir: string): string[] {
  return readFileSync(join(dir, 'alerts.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').slice(0, 3).join(','))
    .sort();
}

const GENERATE = [
  'generate',
  '--format',
  'avro',
  '--count',
  '30000',
  '--plant',
  '6',
  '--truth',
  'truth.csv',
  '--to',
  'transactions',
];

function checkAlerts(dir: string): void {
  const expected = expectedAlerts(dir);
  expect(expected.length).toBeGreaterThanOrEqual(4);
  expect(foundAlerts(dir)).toEqual(expected);
}

describe('generate --format avro and tail, on the embedded store', () => {
  const registry = new MiniRegistry();
  beforeAll(() => registry.start());
  afterAll(() => registry.stop());

  it("plain Avro values: 'format' = 'avro' reads them and finds the planted cases; tail --table shows rows", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-avro-gen-'));
    const g = await cli(GENERATE, dir);
    expect(g.stderr).toMatch(
      /generated 30000 records \(avro\) → topic transactions \(Avro, the schema Flink derives/,
    );
    await cli(['run', laundering(dir, "'format' = 'avro'"), '--until-idle', '2s', '--quiet'], dir);
    checkAlerts(dir);

    const t = await cli(['tail', 'transactions', '--table', 'job.sql'], dir);
    const lines = t.stdout.trim().split('\n');
    expect(lines).toHaveLength(30000);
    expect(JSON.parse(lines[0]!)).toEqual({
      tx_time: '2017-07-23 00:00:00.000',
      sender: expect.any(Number),
      receiver: expect.any(Number),
      amount: expect.any(Number),
    });
  });

  it('with --registry: the Confluent wire format, registered under transactions-value; tail --registry decodes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-avro-gen-cf-'));
    const g = await cli([...GENERATE, '--registry', registry.url], dir);
    const id = registry.subjects.get('transactions-value')!.at(-1)!;
    expect(g.stderr).toContain(
      `Avro in the Confluent wire format, schema id ${id} under subject 'transactions-value'`,
    );
    expect(JSON.parse(registry.schemas[id - 1]!)).toMatchObject({ name: 'Transaction', namespace: 'bank' });
    await cli(
      [
        'run',
        laundering(dir, `'format' = 'avro-confluent', 'avro-confluent.url' = '${registry.url}'`),
        '--until-idle',
        '2s',
        '--quiet',
      ],
      dir,
    );
    checkAlerts(dir);

    const t = await cli(['tail', 'transactions', '--registry', registry.url], dir);
    const lines = t.stdout.trim().split('\n');
    expect(lines).toHaveLength(30000);
    // Avro's JSON encoding of the producer's record (its fields are not unions).
    expect(JSON.parse(lines[0]!)).toEqual({
      tx_time: Date.UTC(2017, 6, 23),
      sender: expect.any(Number),
      receiver: expect.any(Number),
      amount: expect.any(Number),
    });
    const byTable = await cli(['tail', 'transactions', '--table', 'job.sql'], dir);
    expect(
      byTable.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).sender),
    ).toEqual(lines.map((l) => JSON.parse(l).sender));
  });

  it('refuses --format avro without a topic, and --registry without --format avro', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-avro-gen-bad-'));
    const a = await cliAsync(['generate', '--format', 'avro', '--count', '10'], dir).done;
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('--format avro writes Avro values to a topic: give --to <topic>');
    const b = await cliAsync(['generate', '--count', '10', '--registry', registry.url, '--to', 't'], dir)
      .done;
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('--registry is for --format avro');
    // A port nothing listens on: the registry is down.
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const down = await cliAsync(
      [
        'generate',
        '--format',
        'avro',
        '--count',
        '10',
        '--to',
        't',
        '--registry',
        `http://127.0.0.1:${port}`,
      ],
      dir,
    ).done;
    expect(down.code).not.toBe(0);
    expect(down.stderr).toContain(`schema registry http://127.0.0.1:${port} unreachable: ECONNREFUSED`);
  });
});

describe('generate --format avro --registry and tail --registry on a real Kafka broker', () => {
  const registry = new MiniRegistry();
  let rig: KafkaRig | null = null;
  beforeAll(async () => {
    await registry.start();
    rig = await kafkaForTests();
  }, 180_000);
  afterAll(async () => {
    await rig?.stop();
    await registry.stop();
  });

  it('the laundering job on the broker finds the planted cases; tail --registry reads the topic', async (ctx: TestContext) => {
    if (!rig) ctx.skip();
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-avro-gen-broker-'));
    const brokers = ['--brokers', rig!.bootstrap];
    await cli([...GENERATE, '--registry', registry.url, ...brokers], dir);
    await cli(
      [
        'run',
        laundering(dir, `'format' = 'avro-confluent', 'avro-confluent.url' = '${registry.url}'`),
        '--until-idle',
        '3s',
        '--quiet',
        ...brokers,
      ],
      dir,
    );
    checkAlerts(dir);
    const t = await cli(['tail', 'transactions', '--registry', registry.url, ...brokers], dir);
    expect(t.stdout.trim().split('\n')).toHaveLength(30000);
    expect(Object.keys(JSON.parse(t.stdout.split('\n')[0]!))).toEqual([
      'tx_time',
      'sender',
      'receiver',
      'amount',
    ]);
  }, 180_000);
});
