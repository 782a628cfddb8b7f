// The raw consume rate for bench case (d): reads a topic from the earliest offset to the end offsets
// of now with the engine's own kafkajs client setup (connectors/kafka/client.ts) and consumer
// settings, and does nothing with the records but count them and their bytes. The engine's Kafka
// rate is reported as a fraction of this one.
//   node dist/test/bench/kafka-raw.js <brokers> <topic>      prints "<records> <bytes>"
import { createKafka, kafkaClientSettings } from '../../connectors/kafka/client.js';

async function main(brokers: string, topic: string): Promise<void> {
  const settings = kafkaClientSettings(brokers, new Map(), process.cwd(), 'fintrans-bench-raw');
  const client = createKafka(settings);
  const admin = client.kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const ends = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  const remaining = new Set(offsets.filter((o) => Number(o.high) > Number(o.low)).map((o) => o.partition));
  const c = settings.consumer;
  // The consumer options connectors/kafka/source.ts uses.
  const consumer = client.kafka.consumer({
    groupId: `fintrans-bench-raw-${process.pid}-${Date.now()}`,
    retry: settings.kafka.retry,
    maxWaitTimeInMs: c.maxWaitTimeInMs,
    maxBytesPerPartition: c.maxBytesPerPartition,
    maxBytes: c.maxBytes,
    readUncommitted: c.readUncommitted,
    allowAutoTopicCreation: false,
  });
  let records = 0;
  let bytes = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    if (remaining.size > 0) {
      await new Promise<void>((resolve) => {
        void consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const end = ends.get(batch.partition)!;
            for (const m of batch.messages) {
              if (Number(m.offset) >= end) break;
              records++;
              bytes += m.value?.length ?? 0;
            }
            if (
              Number(batch.lastOffset()) + 1 >= end &&
              remaining.delete(batch.partition) &&
              remaining.size === 0
            )
              resolve();
          },
        });
      });
    }
  } finally {
    await consumer.disconnect();
    client.destroyLeftoverSockets();
  }
  process.stdout.write(`${records} ${bytes}\n`);
}

const [brokers, topic] = process.argv.slice(2);
if (!brokers || !topic) {
  process.stderr.write('usage: node dist/test/bench/kafka-raw.js <brokers> <topic>\n');
  process.exit(2);
}
main(brokers, topic).catch((e: unknown) => {
  process.stderr.write(`kafka-raw: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
