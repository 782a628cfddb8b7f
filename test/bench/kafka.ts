// Bench case (d): laundering.sql reading a 3-partition topic of a real broker (the test rig's
// single-node KRaft Kafka, or KAFKA_BROKERS when set) and writing CSV, next to the raw consume rate
// of the same topic by the same kafkajs client doing nothing with the records
// (test/bench/kafka-raw.ts). The engine's rate is reported as a fraction of the raw rate. Then the
// same job with its alerts going to a topic, at-least-once and exactly-once. And the same
// transfers as Avro values (generate --format avro: one datum per message, the schema Flink
// derives for the table) read with 'format' = 'avro', next to the text values (issue 20).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startKafka, type KafkaRig } from '../rig/kafka.js';
import { assertSucceeded, runChild, type ChildRun } from './measure.js';
import { grouped, type ResultRow } from './report.js';

export interface KafkaCaseOptions {
  readonly records: number;
  readonly plant: number;
  readonly repeat: number;
  /** Empty directory for this case. */
  readonly dir: string;
  readonly node: string;
  readonly cli: string;
  /** dist/test/bench/kafka-raw.js */
  readonly rawReader: string;
  /** test/bench/jobs/laundering_file.sql: the job, whose source is swapped for the topic. */
  readonly fileJob: string;
  /** --set flags for the engine run. */
  readonly sets: readonly string[];
  readonly note: (line: string) => void;
  readonly fail: (line: string) => void;
}

const TOPIC_PARTITIONS = 3;

export async function kafkaCase(o: KafkaCaseOptions): Promise<ResultRow[]> {
  let rig: KafkaRig | null = null;
  let brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    try {
      rig = await startKafka();
      brokers = rig.bootstrap;
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      o.note(
        `(d) not run: no Kafka broker (set KAFKA_BROKERS, or install Java 17 + Maven for the test rig): ${why}`,
      );
      return [notRun(`n/a (no broker: ${why})`)];
    }
  }
  try {
    return await measure(o, brokers);
  } finally {
    await rig?.stop();
  }
}

function notRun(note: string): ResultRow {
  return {
    label: '(d) Kafka → CSV',
    records: null,
    inputBytes: null,
    wallMs: null,
    peakRssKb: null,
    cpuMs: null,
    throughput: true,
    note,
  };
}

async function measure(o: KafkaCaseOptions, brokers: string): Promise<ResultRow[]> {
  const topic = `bench-d-n${o.records}-${Date.now()}`;
  const kafka = new Kafka({ clientId: 'fintrans-bench', brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Retention off: the generator stamps records with 2017 event times.
    await admin.createTopics({
      topics: [
        { topic, numPartitions: TOPIC_PARTITIONS, configEntries: [{ name: 'retention.ms', value: '-1' }] },
      ],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
  // A broker's first transaction creates its transaction log (about a second, once per broker):
  // done here, unmeasured, so the exactly-once run measures transactions, not that.
  const warm = kafka.producer({
    transactionalId: `${topic}-warm-up`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await warm.connect();
  try {
    const t = await warm.transaction();
    await t.send({ topic, acks: -1, messages: [] }).catch(() => undefined);
    await t.abort();
  } finally {
    await warm.disconnect();
  }
  const started = performance.now();
  const gen = await runChild(
    o.node,
    [
      o.cli,
      'generate',
      '--to',
      topic,
      '--count',
      String(o.records),
      '--plant',
      String(o.plant),
      '--truth',
      'truth.csv',
      '--brokers',
      brokers,
    ],
    { cwd: o.dir },
  );
  assertSucceeded('(d) generate', gen);
  console.log(
    `  (d) ${grouped(o.records)} records produced into topic ${topic} (${TOPIC_PARTITIONS} partitions) at ${brokers} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  // The bench's laundering job with the file source swapped for the topic, bounded at the end offsets of now.
  const job = readFileSync(o.fileJob, 'utf8').replace(
    /'connector' = 'filesystem',\s*'path' = 'input\/transactions.csv',/,
    `'connector' = 'kafka', 'topic' = '${topic}', 'properties.group.id' = 'bench-d', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',`,
  );
  if (!job.includes(`'topic' = '${topic}'`))
    throw new Error(`(d): cannot swap the source of ${o.fileJob} for a topic`);
  writeFileSync(join(o.dir, 'laundering_kafka.sql'), job);

  const engineRuns: ChildRun[] = [];
  const rawRuns: ChildRun[] = [];
  let rawBytes = 0;
  for (let i = 0; i < o.repeat; i++) {
    const sets = o.sets.flatMap((s) => ['--set', s]);
    const engine = await runChild(
      o.node,
      [o.cli, 'run', 'laundering_kafka.sql', '--quiet', '--brokers', brokers, ...sets],
      { cwd: o.dir },
    );
    assertSucceeded('(d) engine', engine);
    engineRuns.push(engine);
    const raw = await runChild(o.node, [o.rawReader, brokers, topic], { cwd: o.dir, keepStdout: true });
    assertSucceeded('(d) raw consumer', raw);
    rawRuns.push(raw);
    const [count, bytes] = raw.stdout.trim().split(' ').map(Number);
    if (count !== o.records) o.fail(`(d) the raw consumer read ${count} records, the topic has ${o.records}`);
    rawBytes = bytes ?? 0;
  }
  const engine = median(engineRuns);
  const raw = median(rawRuns);
  const read = Number(/read (\d+) records? from/.exec(engine.stderr)?.[1] ?? NaN);
  if (read !== o.records)
    o.fail(
      `(d) the job read ${Number.isNaN(read) ? 'an unknown number of' : read} records, the topic has ${o.records}`,
    );

  // The alerts must be exactly the planted cases the generator's truth expects.
  const key = (r: Record<string, string>) => `${r.sender}->${r.receiver}@${r.window_start}`;
  const alerts = readCsv(join(o.dir, 'output/laundering.csv')).map(key).sort();
  const expected = readCsv(join(o.dir, 'truth.csv'))
    .filter((t) => t.expected_alert === 'true')
    .map(key)
    .sort();
  if (alerts.length === 0 || JSON.stringify(alerts) !== JSON.stringify(expected)) {
    o.fail(`(d) the alerts (${alerts.length}) are not the ${expected.length} the generator's truth expects`);
  } else o.note(`(d) alerts are exactly the ${alerts.length} planted cases of the generator's truth.`);

  // The same job writing its alerts to a topic: at-least-once, then exactly-once (transactions
  // committed with each checkpoint), to show what the transactions cost.
  const sinkRows: ResultRow[] = [];
  for (const guarantee of ['at-least-once', 'exactly-once'] as const) {
    const sinkJob = job.replace(
      /'connector' = 'filesystem',\s*'path' = 'output\/laundering.csv',\s*'format' = 'csv'/,
      `'connector' = 'kafka', 'topic' = '${topic}-alerts-${guarantee}', 'format' = 'csv', 'sink.delivery-guarantee' = '${guarantee}', 'sink.transactional-id-prefix' = '${topic}-bench'`,
    );
    if (!sinkJob.includes(`'sink.delivery-guarantee' = '${guarantee}'`))
      throw new Error(`(d): cannot swap the sink of ${o.fileJob} for a topic`);
    const file = `laundering_kafka_${guarantee}.sql`;
    writeFileSync(join(o.dir, file), sinkJob);
    const runs: ChildRun[] = [];
    for (let i = 0; i < o.repeat; i++) {
      const r = await runChild(
        o.node,
        [o.cli, 'run', file, '--quiet', '--brokers', brokers, ...o.sets.flatMap((x) => ['--set', x])],
        { cwd: o.dir },
      );
      assertSucceeded(`(d) engine → topic, ${guarantee}`, r);
      runs.push(r);
    }
    const r = median(runs);
    const wrote = Number(/wrote (\d+) records? → topic/.exec(r.stderr)?.[1] ?? NaN);
    if (wrote !== expected.length)
      o.fail(`(d) → topic, ${guarantee}: wrote ${wrote} alerts, the truth expects ${expected.length}`);
    sinkRows.push({
      label: `(d) Kafka → Kafka, ${guarantee}`,
      records: o.records,
      inputBytes: rawBytes,
      wallMs: r.wallMs,
      peakRssKb: r.peakRssKb,
      cpuMs: r.cpuMs,
      throughput: true,
      note: `${wrote} alerts to a topic`,
    });
  }
  o.note(
    `(d) Kafka → Kafka: exactly-once at ${((sinkRows[0]!.wallMs! / sinkRows[1]!.wallMs!) * 100).toFixed(0)} % of at-least-once's throughput.`,
  );

  const avroRow = await measureAvro(o, brokers, topic, expected);

  const fraction = raw.wallMs / engine.wallMs;
  o.note(
    `(d) Kafka → CSV: ${grouped(Math.round(o.records / (engine.wallMs / 1000)))} records/s = ${(fraction * 100).toFixed(0)} % of the raw consume rate ` +
      `(${grouped(Math.round(o.records / (raw.wallMs / 1000)))} records/s, same topic, same kafkajs client, no processing); both include connecting and joining the group.`,
  );
  return [
    {
      label: '(d) Kafka → CSV',
      records: o.records,
      inputBytes: rawBytes,
      wallMs: engine.wallMs,
      peakRssKb: engine.peakRssKb,
      cpuMs: engine.cpuMs,
      throughput: true,
      note: `${TOPIC_PARTITIONS} partitions; ${(fraction * 100).toFixed(0)} % of the raw consume rate`,
    },
    {
      label: '(d) raw kafkajs consume',
      records: o.records,
      inputBytes: rawBytes,
      wallMs: raw.wallMs,
      peakRssKb: raw.peakRssKb,
      cpuMs: raw.cpuMs,
      throughput: true,
      note: 'test/bench/kafka-raw.ts: count only',
    },
    avroRow,
    ...sinkRows,
  ];
}

/** (d) with Avro values: the same transfers (same seed and count) in a topic of their own, read as 'avro'. */
async function measureAvro(
  o: KafkaCaseOptions,
  brokers: string,
  textTopic: string,
  expected: string[],
): Promise<ResultRow> {
  const topic = `${textTopic}-avro`;
  const kafka = new Kafka({ clientId: 'fintrans-bench', brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [
        { topic, numPartitions: TOPIC_PARTITIONS, configEntries: [{ name: 'retention.ms', value: '-1' }] },
      ],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
  const gen = await runChild(
    o.node,
    [
      o.cli,
      'generate',
      '--format',
      'avro',
      '--to',
      topic,
      '--count',
      String(o.records),
      '--plant',
      String(o.plant),
      '--brokers',
      brokers,
    ],
    { cwd: o.dir },
  );
  assertSucceeded('(d) generate --format avro', gen);
  // The bench job with its source table declared for Avro values: the event time is a TIMESTAMP(3) field.
  const job = readFileSync(o.fileJob, 'utf8')
    .replace(
      /CREATE TABLE transactions \([\s\S]*?\n\);/,
      `CREATE TABLE transactions (
  tx_time  TIMESTAMP(3),
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  WATERMARK FOR tx_time AS tx_time - INTERVAL '5' SECOND
) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.group.id' = 'bench-d-avro', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'format' = 'avro');`,
    )
    .replace('DESCRIPTOR(ts)', 'DESCRIPTOR(tx_time)');
  if (!job.includes(`'topic' = '${topic}'`))
    throw new Error(`(d): cannot declare ${o.fileJob}'s source for Avro`);
  writeFileSync(join(o.dir, 'laundering_kafka_avro.sql'), job);
  const runs: ChildRun[] = [];
  for (let i = 0; i < o.repeat; i++) {
    const r = await runChild(
      o.node,
      [
        o.cli,
        'run',
        'laundering_kafka_avro.sql',
        '--quiet',
        '--brokers',
        brokers,
        ...o.sets.flatMap((x) => ['--set', x]),
      ],
      { cwd: o.dir },
    );
    assertSucceeded('(d) engine, Avro values', r);
    runs.push(r);
  }
  const r = median(runs);
  const read = Number(/read (\d+) records? from/.exec(r.stderr)?.[1] ?? NaN);
  if (read !== o.records) o.fail(`(d) Avro: the job read ${read} records, the topic has ${o.records}`);
  const key = (x: Record<string, string>) => `${x.sender}->${x.receiver}@${x.window_start}`;
  const alerts = readCsv(join(o.dir, 'output/laundering.csv')).map(key).sort();
  if (JSON.stringify(alerts) !== JSON.stringify(expected))
    o.fail(
      `(d) Avro: the alerts (${alerts.length}) are not the ${expected.length} the generator's truth expects`,
    );
  else
    o.note(
      `(d) Avro values: alerts are exactly the ${alerts.length} planted cases of the generator's truth.`,
    );
  o.note(
    `(d) Kafka Avro → CSV: ${grouped(Math.round(o.records / (r.wallMs / 1000)))} records/s (same transfers as text values in the row above).`,
  );
  return {
    label: '(d) Kafka Avro → CSV',
    records: o.records,
    inputBytes: null,
    wallMs: r.wallMs,
    peakRssKb: r.peakRssKb,
    cpuMs: r.cpuMs,
    throughput: true,
    note: `${TOPIC_PARTITIONS} partitions; 'format' = 'avro' values`,
  };
}

function median(runs: ChildRun[]): ChildRun {
  const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
  return {
    ...sorted[Math.floor((sorted.length - 1) / 2)]!,
    peakRssKb: Math.max(...runs.map((r) => r.peakRssKb)),
  };
}

function readCsv(path: string): Record<string, string>[] {
  const [header, ...rows] = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  const cols = header!.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i] ?? `c${i}`, v])));
}
