// The 'upsert-kafka' connector (issue 20), through the CLI: a changelog (Debezium events of an
// accounts table) written to an upsert topic (the key in its format, -D as a tombstone, -U not
// written), then read back as a changelog (first value of a key +I, later ones -U/+U, a tombstone
// -D), on the embedded topic store and on the real test broker.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { Kafka } from 'kafkajs';
import { kafkaForTests, type KafkaRig } from '../rig/kafka.js';
import { runCli } from '../e2e/cli.js';
import { TopicStore } from '../../connectors/embedded/topic-store.js';
import { createTopics, readMessages, testKafka } from './helpers.js';

const EVENTS = [
  '{"before":null,"after":{"id":1,"tier":"low","credit_limit":1000},"op":"r"}',
  '{"before":null,"after":{"id":2,"tier":"high","credit_limit":5000},"op":"c"}',
  '{"before":{"id":1,"tier":"low","credit_limit":1000},"after":{"id":1,"tier":"medium","credit_limit":1500},"op":"u"}',
  '{"before":null,"after":{"id":3,"tier":"low","credit_limit":700},"op":"c"}',
  '{"before":{"id":2,"tier":"high","credit_limit":5000},"after":null,"op":"d"}',
  '',
];

const UPSERT_TABLE = (topic: string, extra = '') => `CREATE TABLE latest (
  id BIGINT, tier STRING, credit_limit INT, PRIMARY KEY (id) NOT ENFORCED
) WITH ('connector' = 'upsert-kafka', 'topic' = '${topic}', 'key.format' = 'json', 'value.format' = 'json',
        'value.fields-include' = 'EXCEPT_KEY'${extra});`;

function workdir(topic: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fintrans-upsert-'));
  writeFileSync(join(dir, 'cdc.json'), EVENTS.join('\n') + '\n');
  writeFileSync(
    join(dir, 'write.sql'),
    `CREATE TABLE accounts (id BIGINT, tier STRING, credit_limit INT, PRIMARY KEY (id) NOT ENFORCED)
WITH ('connector' = 'filesystem', 'path' = 'cdc.json', 'format' = 'debezium-json');
${UPSERT_TABLE(topic)}
INSERT INTO latest SELECT id, tier, credit_limit FROM accounts;
`,
  );
  writeFileSync(
    join(dir, 'read.sql'),
    `${UPSERT_TABLE(topic)}\nSELECT id, tier, credit_limit FROM latest;\n`,
  );
  return dir;
}

function run(args: string[], cwd: string): string {
  const r = runCli(args, cwd);
  if (r.code !== 0)
    throw new Error(`fintrans-sql ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

const READ_BACK = [
  '+I[1, low, 1000]',
  '+I[2, high, 5000]',
  '-U[1, low, 1000]',
  '+U[1, medium, 1500]',
  '+I[3, low, 700]',
  '-D[2, high, 5000]',
];

describe('upsert-kafka on the embedded topic store', () => {
  it('writes upserts and tombstones by key, and reads them back as a changelog', () => {
    const dir = workdir('latest');
    run(['run', 'write.sql'], dir);
    const store = TopicStore.open(join(dir, '.fintrans'));
    const records = store.read('latest', 0, 0, 100);
    store.close();
    expect(
      records.map((r) => [
        r.key,
        typeof r.value === 'string' ? r.value : r.value.length === 0 ? null : 'bytes',
      ]),
    ).toEqual([
      ['{"id":1}', '{"tier":"low","credit_limit":1000}'],
      ['{"id":2}', '{"tier":"high","credit_limit":5000}'],
      ['{"id":1}', '{"tier":"medium","credit_limit":1500}'],
      ['{"id":3}', '{"tier":"low","credit_limit":700}'],
      ['{"id":2}', null],
    ]);
    const out = run(['run', 'read.sql', '--until-idle', '1s'], dir);
    expect(out.trim().split('\n')).toEqual(READ_BACK);
  });

  it('a filter on the updates: a -U whose +U fails it is a tombstone, as Flink writes it', () => {
    const dir = workdir('small_limits');
    writeFileSync(
      join(dir, 'filtered.sql'),
      `CREATE TABLE accounts (id BIGINT, tier STRING, credit_limit INT, PRIMARY KEY (id) NOT ENFORCED)
WITH ('connector' = 'filesystem', 'path' = 'cdc.json', 'format' = 'debezium-json');
${UPSERT_TABLE('small_limits')}
INSERT INTO latest SELECT id, tier, credit_limit FROM accounts WHERE credit_limit < 1200;
`,
    );
    run(['run', 'filtered.sql'], dir);
    const store = TopicStore.open(join(dir, '.fintrans'));
    const records = store.read('small_limits', 0, 0, 100);
    store.close();
    // Account 1 is raised to 1500: its -U (1000) passes the filter, its +U does not, so the key
    // is deleted; account 2 never passes; account 3 stays.
    expect(
      records.map((r) => [
        r.key,
        typeof r.value === 'string' ? r.value : r.value.length === 0 ? null : 'bytes',
      ]),
    ).toEqual([
      ['{"id":1}', '{"tier":"low","credit_limit":1000}'],
      ['{"id":1}', null],
      ['{"id":3}', '{"tier":"low","credit_limit":700}'],
    ]);
  });

  it('refuses a table without a PRIMARY KEY, and a key prefix without EXCEPT_KEY, at plan time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-upsert-'));
    writeFileSync(
      join(dir, 'nokey.sql'),
      `CREATE TABLE t (id BIGINT, v STRING) WITH ('connector' = 'upsert-kafka', 'topic' = 't', 'key.format' = 'json', 'value.format' = 'json');\nSELECT * FROM t;\n`,
    );
    const r = runCli(['validate', 'nokey.sql'], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("upsert-kafka table 't' needs a PRIMARY KEY: it is the message key");
    writeFileSync(
      join(dir, 'prefix.sql'),
      `CREATE TABLE t (k_id BIGINT, v STRING, PRIMARY KEY (k_id) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = 't', 'key.format' = 'json', 'value.format' = 'json', 'key.fields-prefix' = 'k_');\nSELECT * FROM t;\n`,
    );
    const p = runCli(['validate', 'prefix.sql'], dir);
    expect(p.code).not.toBe(0);
    expect(p.stderr).toContain(
      "'key.fields-prefix' needs 'value.fields-include' = 'EXCEPT_KEY', as in Flink",
    );
  });
});

let rig: KafkaRig | null = null;
let kafka: Kafka;

describe('upsert-kafka against a real broker', () => {
  beforeAll(async () => {
    rig = await kafkaForTests();
    if (rig) kafka = testKafka('upsert-test', rig.bootstrap);
  }, 300_000);
  afterAll(async () => {
    await rig?.stop();
  });
  const needsKafka = (ctx: TestContext) => {
    if (!rig) ctx.skip();
  };

  it('writes the key in its format and -D as a tombstone; reads them back as a changelog', async (ctx) => {
    needsKafka(ctx);
    const topic = `latest-${Date.now()}`;
    await createTopics(kafka, 1, topic);
    const dir = workdir(topic);
    run(['run', 'write.sql', '--brokers', rig!.bootstrap], dir);
    expect(await readMessages(kafka, topic)).toEqual([
      { key: '{"id":1}', value: '{"tier":"low","credit_limit":1000}' },
      { key: '{"id":2}', value: '{"tier":"high","credit_limit":5000}' },
      { key: '{"id":1}', value: '{"tier":"medium","credit_limit":1500}' },
      { key: '{"id":3}', value: '{"tier":"low","credit_limit":700}' },
      { key: '{"id":2}', value: null },
    ]);
    const out = run(['run', 'read.sql', '--until-idle', '2s', '--brokers', rig!.bootstrap], dir);
    expect(out.trim().split('\n')).toEqual(READ_BACK);
  }, 120_000);
});
