// Helpers for the tests against the real test broker (test/rig/kafka.ts): a kafkajs client, topics
// made with retention off, producing, and reading a whole topic back (not through the code under test).
import { Kafka, logLevel, Partitioners, type Message } from 'kafkajs';

/** A quiet client that retries (a restarted broker takes a moment to answer). */
export function testKafka(clientId: string, bootstrap: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 15, maxRetryTime: 2_000 },
  });
}

/**
 * Makes topics with `partitions` partitions and retention off: the generator stamps records with
 * 2017 event times, and the broker's retention (7 days by record time) would otherwise delete them.
 */
export async function createTopics(kafka: Kafka, partitions: number, ...topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({
        topic,
        numPartitions: partitions,
        configEntries: [{ name: 'retention.ms', value: '-1' }],
      })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/** Sends values (or whole messages) in order, acks=all, 5000 a request. */
export async function produce(
  kafka: Kafka,
  topic: string,
  messages: readonly (string | Message)[],
): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 5000) {
      await producer.send({
        topic,
        acks: -1,
        messages: messages.slice(i, i + 5000).map((m) => (typeof m === 'string' ? { value: m } : m)),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Every record of a topic, read from the beginning to the end offsets of now; read_committed unless told. */
export async function readTopic(kafka: Kafka, topic: string, readUncommitted = false): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  let offsets: Awaited<ReturnType<typeof admin.fetchTopicOffsets>>;
  try {
    offsets = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const ends = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  const remaining = new Set(offsets.filter((o) => Number(o.high) > Number(o.low)).map((o) => o.partition));
  const out: string[] = [];
  if (remaining.size === 0) return out;
  const consumer = kafka.consumer({
    groupId: `test-reader-${Date.now()}-${Math.random()}`,
    readUncommitted,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`reading '${topic}' did not reach its end offsets in 60 s (read ${out.length})`)),
        60_000,
      );
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const end = ends.get(batch.partition)!;
          for (const m of batch.messages)
            if (Number(m.offset) < end) out.push(m.value?.toString('utf8') ?? '');
          // Transaction markers take offsets too: the batch's last offset (markers included) tells where it stands.
          if (
            Number(batch.lastOffset()) + 1 >= end &&
            remaining.delete(batch.partition) &&
            remaining.size === 0
          ) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** Every message of a one-partition topic with its key, a tombstone's value as null (upsert topics). */
export async function readMessages(
  kafka: Kafka,
  topic: string,
): Promise<{ key: string | null; value: string | null }[]> {
  const admin = kafka.admin();
  await admin.connect();
  let end: number;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    end = offsets.reduce((n, o) => n + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
  const out: { key: string | null; value: string | null }[] = [];
  if (end === 0) return out;
  const consumer = kafka.consumer({
    groupId: `test-messages-${Date.now()}-${Math.random()}`,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading '${topic}': ${out.length} of ${end} in 60 s`)),
        60_000,
      );
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          out.push({
            key: message.key?.toString('utf8') ?? null,
            value: message.value?.toString('utf8') ?? null,
          });
          if (out.length >= end) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}
