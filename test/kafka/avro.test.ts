// Avro on topics, end to end through the CLI (issue 20): a job writes and reads 'avro' values on
// the embedded store; and an Avro topic in the Confluent wire format → a laundering job (windowed
// sums per pair) → an upsert-kafka topic (Avro values registered in the registry) → read back,
// with the producers' schema changing in the middle of the topic (a field added with a default,
// a field removed) and a record that is not Avro (stops the job with its place, or is skipped and
// counted with 'avro-confluent.ignore-parse-errors').
//
// The registry here is a minimal one speaking the Confluent API inside the test (see
// test/unit/format-avro.test.ts): an Apicurio Registry could not be started on this machine. Its
// Maven Central artifact (io.apicurio:apicurio-registry-app) is a thin Quarkus application jar that
// needs a Quarkus build (quarkus-maven-plugin) before it runs, and none of its versions resolved
// here: 3.3.3 and 2.6.13.Final depend on apicurio-registry-schema-util-provider versions the
// registry does not serve, 2.4.2.Final on org.everit.json.schema (not on Maven Central) and, for the
// Quarkus build, apicurio-common-app-components-config-index-deployment 0.1.18.Final (not served).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TopicStore } from '../../connectors/embedded/topic-store.js';
import { runCli, type CliResult } from '../e2e/cli.js';
import { cliAsync } from '../cli-helpers.js';
import { MiniRegistry } from './mini-registry.js';

function run(args: string[], cwd: string): { stdout: string; stderr: string } {
  const r = runCli(args, cwd);
  if (r.code !== 0)
    throw new Error(`fintrans-sql ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  return r;
}

/** The CLI without blocking this process: the registry in this test must answer it. */
async function runAsync(args: string[], cwd: string): Promise<CliResult> {
  return cliAsync(args, cwd).done;
}

async function runOk(args: string[], cwd: string): Promise<CliResult> {
  const r = await runAsync(args, cwd);
  if (r.code !== 0)
    throw new Error(`fintrans-sql ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  return r;
}

describe("'avro' values on the embedded topic store", () => {
  it('a job writes Avro records and another reads them back, every value exact', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-avro-'));
    writeFileSync(
      join(dir, 'in.csv'),
      [
        '1;Zoë;1234567890123456789;12.50;2017-07-23 01:06:47.123',
        '2;;-5;-0.01;2017-07-23 01:07:00',
        '3;x;;;',
      ].join('\n') + '\n',
    );
    const cols = 'id INT, name STRING, big BIGINT, amount DECIMAL(10, 2), at TIMESTAMP(3)';
    writeFileSync(
      join(dir, 'write.sql'),
      `CREATE TABLE src (${cols}) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE TABLE topic (${cols}) WITH ('connector' = 'kafka', 'topic' = 'rows', 'format' = 'avro');
INSERT INTO topic SELECT * FROM src;
`,
    );
    writeFileSync(
      join(dir, 'read.sql'),
      `CREATE TABLE topic (${cols}) WITH ('connector' = 'kafka', 'topic' = 'rows', 'format' = 'avro', 'scan.startup.mode' = 'earliest-offset');
CREATE TABLE back (${cols}) WITH ('connector' = 'filesystem', 'path' = 'back.csv', 'format' = 'csv');
INSERT INTO back SELECT * FROM topic;
`,
    );
    run(['run', 'write.sql'], dir);
    const store = TopicStore.open(join(dir, '.fintrans'));
    const stored = store.read('rows', 0, 0, 10);
    store.close();
    expect(stored.every((r) => Buffer.isBuffer(r.value))).toBe(true);
    run(['run', 'read.sql', '--until-idle', '1s'], dir);
    expect(readFileSync(join(dir, 'back.csv'), 'utf8')).toBe(
      [
        'id,name,big,amount,at',
        '1,Zoë,1234567890123456789,12.50,2017-07-23 01:06:47.123',
        '2,,-5,-0.01,2017-07-23 01:07:00.000',
        '3,x,,,',
        '',
      ].join('\n'),
    );
  });
});

const V1 = {
  type: 'record',
  name: 'Transaction',
  namespace: 'bank.payments',
  fields: [
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'sender', type: 'long' },
    { name: 'receiver', type: 'long' },
    { name: 'amount', type: 'long' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};
/** The producers' next version: 'note' removed, 'channel' added with a default. */
const V2 = {
  ...V1,
  fields: [
    ...V1.fields.filter((f) => f.name !== 'note'),
    { name: 'channel', type: 'string', default: 'web' },
  ],
};

describe('Avro (Confluent wire format) → laundering job → upsert-kafka → read back, with a schema change mid-stream', () => {
  const registry = new MiniRegistry();
  beforeAll(() => registry.start());
  afterAll(() => registry.stop());

  function wire(id: number, datum: Buffer): Buffer {
    const prefix = Buffer.alloc(5);
    prefix.writeInt32BE(id, 1);
    return Buffer.concat([prefix, datum]);
  }

  function setup(extra = ''): string {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-avro-cf-'));
    const v1 = registry.register('transactions-value', JSON.stringify(V1));
    const v2 = registry.register('transactions-value', JSON.stringify(V2));
    const t1 = avro.Type.forSchema(V1 as avro.Schema);
    const t2 = avro.Type.forSchema(V2 as avro.Schema);
    const base = Date.UTC(2017, 6, 23, 1, 0, 0);
    const records: Buffer[] = [];
    // Pair 1→2 moves 12 000 in window [01:00, 01:10) in small payments, half of them written with
    // each schema; pair 3→4 moves 900; pair 5→6 moves 11 000 in [01:10, 01:20).
    for (let i = 0; i < 12; i++) {
      const rec = { ts: base + i * 30_000, sender: 1, receiver: 2, amount: 1000 };
      records.push(
        i < 6
          ? wire(v1, t1.toBuffer({ ...rec, note: 'split' }))
          : wire(v2, t2.toBuffer({ ...rec, channel: 'app' })),
      );
      if (i % 4 === 0)
        records.push(
          wire(
            v1,
            t1.toBuffer({ ts: base + i * 30_000 + 1, sender: 3, receiver: 4, amount: 300, note: null }),
          ),
        );
    }
    for (let i = 0; i < 11; i++)
      records.push(
        wire(
          v2,
          t2.toBuffer({
            ts: base + 600_000 + i * 40_000,
            sender: 5,
            receiver: 6,
            amount: 1000,
            channel: 'web',
          }),
        ),
      );
    // The watermark passes the second window's end.
    records.push(
      wire(v2, t2.toBuffer({ ts: base + 1_500_000, sender: 7, receiver: 8, amount: 1, channel: 'web' })),
    );
    const store = TopicStore.open(join(dir, '.fintrans'));
    store.createTopic('transactions', 1);
    store.append(
      'transactions',
      records.map((value, i) => ({ key: null, value, timestamp: i })),
    );
    store.close();
    writeFileSync(
      join(dir, 'job.sql'),
      `CREATE TABLE transactions (
  ts TIMESTAMP(3), sender BIGINT, receiver BIGINT, amount BIGINT, channel STRING,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'transactions', 'format' = 'avro-confluent',
        'avro-confluent.url' = '${registry.url}', 'scan.startup.mode' = 'earliest-offset'${extra});
CREATE TABLE alerts (sender BIGINT, receiver BIGINT, window_start TIMESTAMP(3), total BIGINT, payments BIGINT,
  PRIMARY KEY (sender, receiver, window_start) NOT ENFORCED
) WITH ('connector' = 'upsert-kafka', 'topic' = 'alerts', 'key.format' = 'json',
        'value.format' = 'avro-confluent', 'value.avro-confluent.url' = '${registry.url}');
INSERT INTO alerts
SELECT sender, receiver, window_start, SUM(amount), COUNT(*)
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, receiver, window_start, window_end
HAVING SUM(amount) > 10000;
`,
    );
    writeFileSync(
      join(dir, 'read.sql'),
      `CREATE TABLE alerts (sender BIGINT, receiver BIGINT, window_start TIMESTAMP(3), total BIGINT, payments BIGINT,
  PRIMARY KEY (sender, receiver, window_start) NOT ENFORCED
) WITH ('connector' = 'upsert-kafka', 'topic' = 'alerts', 'key.format' = 'json',
        'value.format' = 'avro-confluent', 'value.avro-confluent.url' = '${registry.url}');
SELECT * FROM alerts;
`,
    );
    return dir;
  }

  it('finds both pairs across the schema change; the alerts topic holds Avro values registered under alerts-value', async () => {
    const dir = setup();
    const r = await runOk(['run', 'job.sql', '--until-idle', '1s'], dir);
    expect(r.stderr).toContain("read 27 records from 'transactions'");
    expect(registry.subjects.get('alerts-value')?.length).toBe(1);
    const store = TopicStore.open(join(dir, '.fintrans'));
    const alerts = store.read('alerts', 0, 0, 10);
    store.close();
    expect(alerts.map((a) => a.key)).toEqual([
      '{"sender":1,"receiver":2,"window_start":"2017-07-23 01:00:00.000"}',
      '{"sender":5,"receiver":6,"window_start":"2017-07-23 01:10:00.000"}',
    ]);
    expect(alerts.every((a) => Buffer.isBuffer(a.value) && a.value[0] === 0)).toBe(true);
    const back = await runOk(['run', 'read.sql', '--until-idle', '1s'], dir);
    expect(back.stdout.trim().split('\n')).toEqual([
      '+I[1, 2, 2017-07-23 01:00:00.000, 12000, 12]',
      '+I[5, 6, 2017-07-23 01:10:00.000, 11000, 11]',
    ]);
  });

  it('a record that is not Avro stops the job with its place; skipped and counted with ignore-parse-errors', async () => {
    for (const ignore of [false, true]) {
      const dir = setup(ignore ? ", 'avro-confluent.ignore-parse-errors' = 'true'" : '');
      const store = TopicStore.open(join(dir, '.fintrans'));
      store.append('transactions', [{ key: null, value: Buffer.from([0, 0, 0, 0, 99, 1]), timestamp: 0 }]);
      store.close();
      const r = await runAsync(['run', 'job.sql', '--until-idle', '1s'], dir);
      if (!ignore) {
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain('transactions/0@27');
        expect(r.stderr).toContain('writer schema id 99');
      } else {
        expect(r.code).toBe(0);
        expect(r.stderr).toContain("read 27 records from 'transactions', skipped 1 bad");
        expect(r.stderr).toContain('bad record transactions/0@27: writer schema id 99');
      }
    }
  });
});
