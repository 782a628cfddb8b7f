// fintrans-sql generate / tail: the CLI side of topics. Both talk to the embedded topic store
// (the default) so a generator in one process and a job in another meet there, or to Kafka with
// --brokers / KAFKA_BROKERS.

import { runGenerate, GENERATE_HELP, type TopicWriter } from './generate.js';
import type { GeneratedRecord } from '../../generator/generate.js';
import { TopicStore } from '../../connectors/embedded/topic-store.js';
import { defaultStoreDir } from '../../engine/home.js';
import { ConnectorError } from '../../engine/errors.js';
import {
  KafkaPropertyError,
  kafkaClientSettings,
  type KafkaClientSettings,
} from '../../connectors/kafka/client.js';
import { openKafkaTopicWriter, tailKafkaTopic } from '../../connectors/kafka/topic-io.js';
import { parseFlags, UsageError } from './args.js';
import { registryDecoder, tableDecoder, type TailDecoder } from './tail-decode.js';
import type { ExtraCommand } from './command.js';

/**
 * The Kafka flags generate and tail share: --brokers (or KAFKA_BROKERS) and --property key=value,
 * repeatable, with the Java client's names as a job's 'properties.*' (SASL, SSL), like
 * kafka-console-producer's --producer-property.
 */
function kafkaFlagsFrom(
  argv: string[],
  command: string,
): { brokers?: string; properties: Map<string, string>; rest: string[] } {
  const rest: string[] = [];
  const properties = new Map<string, string>();
  let brokers = process.env.KAFKA_BROKERS || undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--brokers') brokers = argv[++i];
    else if (a.startsWith('--brokers=')) brokers = a.slice('--brokers='.length);
    else if (a === '--property' || a.startsWith('--property=')) {
      const kv = a === '--property' ? argv[++i] : a.slice('--property='.length);
      const eq = kv?.indexOf('=') ?? -1;
      if (!kv || eq <= 0)
        throw new UsageError(
          `${command}: --property needs key=value, e.g. --property security.protocol=SASL_SSL`,
        );
      properties.set(kv.slice(0, eq).replace(/^properties\./, ''), kv.slice(eq + 1));
    } else rest.push(a);
  }
  if (properties.size > 0 && brokers === undefined)
    throw new UsageError(`${command}: --property is for Kafka: give --brokers too`);
  return { brokers, properties, rest };
}

/** Client settings for --brokers, or undefined for the embedded store. */
function kafkaSettings(
  brokers: string | undefined,
  properties: ReadonlyMap<string, string>,
  command: string,
): KafkaClientSettings | undefined {
  if (brokers === undefined) return undefined;
  try {
    return kafkaClientSettings(brokers, properties, process.cwd(), `fintrans-sql-${command}`);
  } catch (e) {
    if (e instanceof KafkaPropertyError) throw new UsageError(`${command}: ${e.message}`);
    throw e;
  }
}

/** Sends generated records to Kafka, each batch acknowledged before the next is generated. */
async function kafkaTopicWriter(settings: KafkaClientSettings, topic: string | null): Promise<TopicWriter> {
  const writer = await openKafkaTopicWriter(settings);
  return {
    write: (records: GeneratedRecord[]) => writer.write(records, topic),
    close: () => writer.close(),
  };
}

/** Opens the embedded store and appends generated records per topic, one transaction per batch. */
function embeddedTopicWriter(cwd: string, topic: string | null): TopicWriter {
  const store = TopicStore.open(defaultStoreDir(cwd));
  const partitions = Number(process.env.FINTRANS_PARTITIONS ?? '1');
  return {
    async write(records: GeneratedRecord[]) {
      const byTopic = new Map<string, GeneratedRecord[]>();
      for (const r of records) {
        const t = topic ?? r.topic;
        let list = byTopic.get(t);
        if (!list) byTopic.set(t, (list = []));
        list.push(r);
      }
      store.transaction(() => {
        for (const [t, list] of byTopic) {
          store.ensureTopic(t, partitions);
          store.append(
            t,
            list.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp })),
          );
        }
      });
    },
    async close() {
      store.close();
    },
  };
}

const generateCommand: ExtraCommand = {
  name: 'generate',
  usage: 'generate [options]',
  summary: 'write transactions (seed formats, planted laundering) to a topic, file or stdout',
  async run(argv) {
    const { brokers, properties, rest } = kafkaFlagsFrom(argv, 'generate');
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(GENERATE_HELP + '\n');
      return 0;
    }
    const kafka = kafkaSettings(brokers, properties, 'generate');
    const cwd = process.cwd();
    return runGenerate(rest, {
      stdout: process.stdout,
      stderr: process.stderr,
      cwd,
      async openTopic(topic) {
        return kafka ? kafkaTopicWriter(kafka, topic) : embeddedTopicWriter(cwd, topic);
      },
    });
  },
};

export const TAIL_HELP = `Usage: fintrans-sql tail <topic> [--follow] [--prefix <text>] [--from-end] [--registry <url> | --table <file.sql>] [--brokers <h:p,...>] [--property k=v]

Prints the records a job wrote to a topic, one per line (the seeds' viewer). Without --follow it
prints what is there and exits; with --follow it keeps waiting for more (Ctrl-C to stop).
--from-end starts at the end of the topic instead of its first record: with --follow, only records
written from now on (as kafka-console-consumer without --from-beginning).
Reads the embedded topic store, or Kafka with --brokers (or KAFKA_BROKERS); on Kafka it joins no
existing consumer group and commits nothing. --property key=value (repeatable) passes a Kafka
client property, as 'properties.*' does in a job (e.g. security.protocol=SASL_SSL).

Records that are not text (Avro) are printed one JSON object per line:
  --registry URL    values in the Confluent wire format, decoded with their writer's schema from
                    that schema registry (Avro's JSON encoding, as kafka-avro-console-consumer)
  --table FILE.sql  values decoded as a job reads them: by the format and options of the CREATE
                    TABLE in FILE.sql with that 'topic' (or its only table): {"column": value, ...}

Examples:
  fintrans-sql tail fraud
  fintrans-sql tail fraud --follow --prefix 'Detected Fraud: '
  fintrans-sql tail fraud --brokers localhost:9092
  fintrans-sql tail transactions --registry http://localhost:8081
  fintrans-sql tail transactions --table jobs/my_avro_job.sql
  fintrans-sql tail fraud --brokers kafka:9094 --property security.protocol=SSL --property ssl.ca.location=ca.pem`;

const TAIL_FLAGS = {
  help: { type: 'boolean', short: 'h' },
  follow: { type: 'boolean', short: 'f' },
  prefix: { type: 'string' },
  'from-end': { type: 'boolean' },
  registry: { type: 'string' },
  table: { type: 'string' },
} as const;

const tailCommand: ExtraCommand = {
  name: 'tail',
  usage: 'tail <topic>',
  summary: "print what a job writes to a topic (e.g. 'fraud')",
  async run(argv) {
    const { brokers, properties, rest } = kafkaFlagsFrom(argv, 'tail');
    const { values, positionals } = parseFlags(rest, TAIL_FLAGS, 'tail');
    if (values.help) {
      process.stdout.write(TAIL_HELP + '\n');
      return 0;
    }
    if (positionals.length !== 1)
      throw new UsageError(`tail: give one topic name\n  see 'fintrans-sql tail --help'`);
    const topic = positionals[0]!;
    if (values.registry !== undefined && values.table !== undefined)
      throw new UsageError(`tail: give --registry or --table, not both`);
    const decoder =
      values.registry !== undefined
        ? registryDecoder(values.registry)
        : values.table !== undefined
          ? tableDecoder(values.table, topic)
          : undefined;
    const kafka = kafkaSettings(brokers, properties, 'tail');
    if (kafka)
      return tailKafka(
        kafka,
        topic,
        values.prefix ?? '',
        values.follow ?? false,
        values['from-end'] ?? false,
        decoder,
      );
    const store = TopicStore.open(defaultStoreDir(process.cwd()));
    const prefix = values.prefix ?? '';
    let stop = false;
    const onSig = () => (stop = true);
    process.on('SIGINT', onSig);
    try {
      const n = store.partitionCount(topic);
      if (n === undefined && !values.follow) {
        const known = store.topics().map((t) => t.name);
        throw new ConnectorError(
          `topic '${topic}' does not exist in the embedded store${known.length ? ` (topics: ${known.join(', ')})` : ''}`,
        );
      }
      const next: number[] = [];
      while (!stop) {
        const parts = store.partitionCount(topic) ?? 0;
        while (next.length < parts) next.push(values['from-end'] ? store.endOffset(topic, next.length) : 0);
        let got = 0;
        for (let p = 0; p < parts; p++) {
          const recs = store.read(topic, p, next[p]!, 1000);
          if (recs.length === 0) continue;
          got += recs.length;
          next[p] = recs[recs.length - 1]!.offset + 1;
          const lines = decoder
            ? await decoder.decode(
                recs.map((r) => (typeof r.value === 'string' ? Buffer.from(r.value) : r.value)),
              )
            : recs.map((r) => r.value);
          process.stdout.write(lines.map((l) => prefix + l).join('\n') + '\n');
        }
        if (got === 0) {
          if (!values.follow) break;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    } finally {
      process.off('SIGINT', onSig);
      store.close();
    }
    return 0;
  },
};

async function tailKafka(
  settings: KafkaClientSettings,
  topic: string,
  prefix: string,
  follow: boolean,
  fromEnd: boolean,
  decoder?: TailDecoder,
): Promise<number> {
  const stop = new AbortController();
  const onSig = () => stop.abort();
  process.on('SIGINT', onSig);
  try {
    await tailKafkaTopic(settings, topic, {
      follow,
      fromEnd,
      signal: stop.signal,
      print: (values) => process.stdout.write(values.map((v) => prefix + v).join('\n') + '\n'),
      printRaw: decoder
        ? async (values) => {
            const lines = await decoder.decode(values);
            process.stdout.write(lines.map((v) => prefix + v).join('\n') + '\n');
          }
        : undefined,
    });
  } finally {
    process.off('SIGINT', onSig);
  }
  return 0;
}

export const topicCommands: ExtraCommand[] = [generateCommand, tailCommand];
