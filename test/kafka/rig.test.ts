// The Kafka test rig itself: a real broker that keeps keyed order per partition, keeps committed
// group offsets, and keeps its data across a restart.
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { Kafka, logLevel, Partitioners, type KafkaMessage } from 'kafkajs';
import { kafkaForTests, type KafkaRig } from '../rig/kafka.js';

const TOPIC = 'rig-transactions';
const PARTITIONS = 3;
const MESSAGES = 1000;
const ACCOUNTS = 37;

interface Received {
  partition: number;
  offset: bigint;
  key: string;
  value: string;
}

let rig: KafkaRig | null = null;
let kafka: Kafka;

beforeAll(async () => {
  rig = await kafkaForTests();
  if (rig) kafka = new Kafka({ clientId: 'rig-test', brokers: [rig.bootstrap], logLevel: logLevel.ERROR });
}, 300_000);

afterAll(async () => {
  await rig?.stop();
});

function needsKafka(ctx: TestContext): void {
  if (!rig) ctx.skip();
}

/** Message i belongs to account i % ACCOUNTS; its value carries the account's own sequence number. */
function keyedMessages(from: number, count: number): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (let i = from; i < from + count; i++) {
    const account = `acct-${i % ACCOUNTS}`;
    out.push({ key: account, value: `${account}#${Math.floor(i / ACCOUNTS)}` });
  }
  return out;
}

async function produce(messages: { key: string; value: string }[]): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    // Several sends, so ordering is checked across batches too.
    for (let i = 0; i < messages.length; i += 100) {
      await producer.send({ topic: TOPIC, acks: -1, messages: messages.slice(i, i + 100) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Consume with `groupId` until `expected` messages arrived, commit them, leave the group. */
async function consume(groupId: string, expected: number): Promise<Received[]> {
  const consumer = kafka.consumer({ groupId });
  const received: Received[] = [];
  const nextOffset = new Map<number, bigint>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`group ${groupId}: got ${received.length} of ${expected} messages in 60 s`)),
        60_000,
      );
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            received.push(toReceived(partition, message));
            nextOffset.set(partition, BigInt(message.offset) + 1n);
            if (received.length === expected) {
              clearTimeout(timer);
              await consumer.commitOffsets(
                [...nextOffset].map(([p, offset]) => ({
                  topic: TOPIC,
                  partition: p,
                  offset: offset.toString(),
                })),
              );
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

function toReceived(partition: number, message: KafkaMessage): Received {
  return {
    partition,
    offset: BigInt(message.offset),
    key: message.key?.toString('utf8') ?? '',
    value: message.value?.toString('utf8') ?? '',
  };
}

/** Per partition, offsets strictly increase; per key, sequence numbers are 0,1,2,... with no gap. */
function expectOrdered(received: Received[], firstSeq: Map<string, number> = new Map()): void {
  const lastOffset = new Map<number, bigint>();
  const nextSeq = new Map(firstSeq);
  const partitionOfKey = new Map<string, number>();
  for (const r of received) {
    const prev = lastOffset.get(r.partition);
    if (prev !== undefined) expect(r.offset).toBeGreaterThan(prev);
    lastOffset.set(r.partition, r.offset);

    const [account, seqText] = r.value.split('#');
    expect(account).toBe(r.key);
    expect(Number(seqText)).toBe(nextSeq.get(r.key) ?? 0);
    nextSeq.set(r.key, Number(seqText) + 1);

    // A key always lands on the same partition, which is what makes per-key order hold.
    expect(partitionOfKey.get(r.key) ?? r.partition).toBe(r.partition);
    partitionOfKey.set(r.key, r.partition);
  }
}

describe('Kafka test rig (real single-node broker)', () => {
  it('creates a 3-partition topic and round-trips 1000 keyed messages in per-partition order', async (ctx) => {
    needsKafka(ctx);
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(
        await admin.createTopics({
          topics: [{ topic: TOPIC, numPartitions: PARTITIONS }],
          waitForLeaders: true,
        }),
      ).toBe(true);
      const [meta] = (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics;
      expect(meta?.partitions).toHaveLength(PARTITIONS);
    } finally {
      await admin.disconnect();
    }

    await produce(keyedMessages(0, MESSAGES));
    const received = await consume('rig-group-a', MESSAGES);

    expect(received).toHaveLength(MESSAGES);
    expect(new Set(received.map((r) => r.value)).size).toBe(MESSAGES);
    expect(new Set(received.map((r) => r.partition))).toEqual(new Set([0, 1, 2]));
    expectOrdered(received);
  });

  it('keeps messages and committed group offsets across a broker restart', async (ctx) => {
    needsKafka(ctx);
    await rig!.restart();

    // A new group reads everything written before the restart.
    const replay = await consume('rig-group-b', MESSAGES);
    expect(replay).toHaveLength(MESSAGES);
    expectOrdered(replay);

    // The first group resumes after its committed offsets: it sees only what is produced now.
    const more = 100;
    await produce(keyedMessages(MESSAGES, more));
    const resumed = await consume('rig-group-a', more);
    expect(resumed).toHaveLength(more);
    expect(resumed.map((r) => r.value).sort()).toEqual(
      keyedMessages(MESSAGES, more)
        .map((m) => m.value)
        .sort(),
    );
    const firstSeq = new Map<string, number>();
    for (const m of keyedMessages(MESSAGES, more)) {
      if (!firstSeq.has(m.key)) firstSeq.set(m.key, Number(m.value.split('#')[1]));
    }
    expectOrdered(resumed, firstSeq);
  });

  it('keeps acknowledged messages when the broker is SIGKILLed and restarted', async (ctx) => {
    needsKafka(ctx);
    await rig!.kill();
    await rig!.restart();

    const all = await consume('rig-group-c', MESSAGES + 100);
    expect(all).toHaveLength(MESSAGES + 100);
    expect(new Set(all.map((r) => r.value))).toEqual(
      new Set(keyedMessages(0, MESSAGES + 100).map((m) => m.value)),
    );
    expectOrdered(all);
  });
});
