// Kafka for the CLI's generate and tail: a producer that appends generated records to topics, and
// a reader that prints a topic's records (what is there now, or following it).

import type { Message } from 'kafkajs';
import { ConnectorError } from '../../engine/errors.js';
import { brokersText, createKafka, kafkaErrorText, kafkajs, type KafkaClientSettings } from './client.js';

export interface TimedRecord {
  readonly key: string | null;
  /** Text, or bytes (Avro values). */
  readonly value: string | Buffer;
  /** Record timestamp, epoch ms (the generator's event time). */
  readonly timestamp: number;
}

export interface KafkaTopicWriter {
  /** Appends records, each to `topic` or to its own `topicOf` topic; resolves when all replicas acknowledged them. */
  write(records: readonly (TimedRecord & { readonly topic: string })[], topic: string | null): Promise<void>;
  close(): Promise<void>;
}

const SEND_CHUNK = 5_000;

export async function openKafkaTopicWriter(settings: KafkaClientSettings): Promise<KafkaTopicWriter> {
  const client = createKafka(settings);
  const { CompressionTypes, Partitioners } = kafkajs();
  const producer = client.kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: true,
  });
  const where = `Kafka at ${brokersText(settings)}`;
  try {
    await producer.connect();
  } catch (e) {
    throw new ConnectorError(`cannot connect to ${where}: ${kafkaErrorText(e)}`, { cause: e });
  }
  return {
    async write(records, topic) {
      for (let i = 0; i < records.length; i += SEND_CHUNK) {
        const byTopic = new Map<string, Message[]>();
        for (let j = i; j < Math.min(records.length, i + SEND_CHUNK); j++) {
          const r = records[j]!;
          const t = topic ?? r.topic;
          let list = byTopic.get(t);
          if (!list) byTopic.set(t, (list = []));
          list.push({ key: r.key, value: r.value, timestamp: String(r.timestamp) });
        }
        try {
          await producer.sendBatch({
            acks: -1,
            compression: CompressionTypes.None,
            topicMessages: [...byTopic].map(([t, messages]) => ({ topic: t, messages })),
          });
        } catch (e) {
          throw new ConnectorError(
            `cannot write to topic${byTopic.size > 1 ? 's' : ''} ${[...byTopic.keys()].map((t) => `'${t}'`).join(', ')} at ${where}: ${kafkaErrorText(e)}`,
            { cause: e },
          );
        }
      }
    },
    async close() {
      await producer.disconnect();
      client.destroyLeftoverSockets();
    },
  };
}

export interface TailOptions {
  readonly follow: boolean;
  readonly fromEnd: boolean;
  /** Called with each batch of record values, in offset order per partition. */
  readonly print: (values: string[]) => void;
  /** Instead of print: the values as bytes (null: no value), for values that are not text (Avro). */
  readonly printRaw?: (values: (Buffer | null)[]) => Promise<void>;
  readonly signal: AbortSignal;
}

/**
 * Prints a topic. Without `follow`, reads up to the end offsets seen at start and returns. Uses a
 * throwaway consumer group and never commits: tailing leaves no trace in the cluster's groups.
 */
export async function tailKafkaTopic(
  settings: KafkaClientSettings,
  topic: string,
  opts: TailOptions,
): Promise<void> {
  const client = createKafka(settings);
  const kafka = client.kafka;
  const admin = kafka.admin();
  const where = `Kafka at ${brokersText(settings)}`;
  let ends: Map<number, number>;
  /** Partitions that hold records (an empty one, or one emptied by retention, has nothing to wait for). */
  let nonEmpty: number[];
  try {
    await admin.connect();
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) {
      if (!opts.follow) {
        const known = topics.filter((t) => !t.startsWith('__')).sort();
        throw new ConnectorError(
          `topic '${topic}' does not exist on ${where}${known.length ? ` (topics: ${known.join(', ')})` : ''}`,
        );
      }
      await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
    nonEmpty = offsets.filter((o) => Number(o.high) > Number(o.low)).map((o) => o.partition);
  } catch (e) {
    if (e instanceof ConnectorError) throw e;
    throw new ConnectorError(`cannot read topic '${topic}' from ${where}: ${kafkaErrorText(e)}`, {
      cause: e,
    });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const remaining = new Set(opts.fromEnd ? [] : nonEmpty);
  if (!opts.follow && remaining.size === 0) return;

  const consumer = kafka.consumer({
    groupId: `fintrans-sql-tail-${process.pid}-${Date.now()}`,
    maxWaitTimeInMs: 200,
  });
  let finish!: () => void;
  let fail!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => ((finish = res), (fail = rej)));
  const onAbort = () => finish();
  opts.signal.addEventListener('abort', onAbort);
  consumer.on(consumer.events.CRASH, (e) => {
    if (!e.payload.restart)
      fail(
        new ConnectorError(`tail '${topic}' at ${where}: ${kafkaErrorText(e.payload.error)}`, {
          cause: e.payload.error,
        }),
      );
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: !opts.fromEnd });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = ends.get(batch.partition) ?? Infinity;
        const values: string[] = [];
        const raw: (Buffer | null)[] = [];
        for (const m of batch.messages) {
          if (!opts.follow && Number(m.offset) >= end) break;
          if (opts.printRaw) raw.push(m.value);
          else values.push(m.value === null ? '' : m.value.toString('utf8'));
        }
        if (values.length > 0) opts.print(values);
        if (raw.length > 0) await opts.printRaw!(raw);
        if (!opts.follow && Number(batch.lastOffset()) + 1 >= end) {
          remaining.delete(batch.partition);
          if (remaining.size === 0) finish();
        }
      },
    });
    await done;
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch(() => undefined);
    client.destroyLeftoverSockets();
  }
}
