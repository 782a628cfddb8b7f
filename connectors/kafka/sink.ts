// A 'kafka' table written to a real Kafka topic with a kafkajs producer. write() only encodes and
// buffers (it is synchronous); flush() sends the buffer in chunks, each acknowledged by all
// in-sync replicas (acks -1), so when flush() resolves the rows are durable in Kafka. The runtime
// flushes when `pending` grows, which is the backpressure.

import { CompressionTypes, Partitioners, type Message, type Producer } from 'kafkajs';
import { ConnectorError } from '../../engine/errors.js';
import type { RecordEncoder } from '../../engine/formats/api.js';
import type { Row, Schema } from '../../engine/types.js';
import { valueToText } from '../../engine/values.js';
import type { SinkWriter } from '../api.js';
import { brokersText, createKafka, kafkaErrorText, type KafkaClient, type KafkaClientSettings } from './client.js';
import type { KafkaTableOptions } from './options.js';

/** Messages per produce request: large enough to amortise round trips, small enough to stay well under message.max.bytes. */
const SEND_CHUNK = 2_000;

export class KafkaTopicSink implements SinkWriter {
  private buffer: Message[] = [];
  private producer?: Producer;
  private client?: KafkaClient;
  private readonly keyIdx: number[];
  private readonly topic: string;
  rowsWritten = 0;

  constructor(
    opts: KafkaTableOptions,
    private readonly settings: KafkaClientSettings,
    private readonly schema: Schema,
    private readonly encoder: RecordEncoder,
  ) {
    this.topic = opts.topics[0]!;
    this.keyIdx = (opts.keyFields ?? []).map((k) => schema.findIndex((f) => f.name === k));
  }

  get pending(): number {
    return this.buffer.length;
  }

  write(rows: readonly Row[]): void {
    const keyIdx = this.keyIdx;
    for (const r of rows) {
      // Same key text as the embedded store: the key fields' text joined by ';'.
      const key = keyIdx.length === 0 ? null : keyIdx.map((i) => valueToText(r[i], this.schema[i]!.type) ?? '').join(';');
      this.buffer.push({ key, value: this.encoder.encodeValue(r) });
    }
  }

  private async connect(): Promise<Producer> {
    if (this.producer) return this.producer;
    this.client = createKafka(this.settings);
    const producer = this.client.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: this.settings.kafka.retry,
      allowAutoTopicCreation: true,
    });
    try {
      await producer.connect();
    } catch (e) {
      throw this.failure(`cannot connect`, e);
    }
    this.producer = producer;
    return producer;
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const producer = await this.connect();
    const compression = this.settings.producer.compressionGzip ? CompressionTypes.GZIP : CompressionTypes.None;
    while (this.buffer.length > 0) {
      const chunk = this.buffer.length <= SEND_CHUNK ? this.buffer : this.buffer.slice(0, SEND_CHUNK);
      try {
        await producer.send({ topic: this.topic, acks: -1, compression, messages: chunk });
      } catch (e) {
        // The chunk stays buffered: nothing is counted as written that Kafka did not acknowledge.
        throw this.failure(`cannot write ${this.buffer.length} record${this.buffer.length === 1 ? '' : 's'}`, e);
      }
      this.buffer = chunk === this.buffer ? [] : this.buffer.slice(chunk.length);
      this.rowsWritten += chunk.length;
    }
  }

  private failure(what: string, e: unknown): ConnectorError {
    const text = kafkaErrorText(e);
    const hint = /UNKNOWN_TOPIC|does not host this topic-partition|not present in metadata/i.test(text)
      ? ` — create the topic first (or enable auto.create.topics.enable on the broker)`
      : /ECONNREFUSED|Connection|timeout|ENOTFOUND/i.test(text)
        ? ` — is Kafka running at ${brokersText(this.settings)}? (check --brokers / 'properties.bootstrap.servers')`
        : '';
    return new ConnectorError(`kafka sink: ${what} to topic '${this.topic}' at ${brokersText(this.settings)} after retries: ${text}${hint}`, {
      cause: e,
      retriable: true,
    });
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.producer?.disconnect().catch(() => undefined);
      this.producer = undefined;
      this.client?.destroyLeftoverSockets();
      this.client = undefined;
    }
  }

  describe(): string {
    return `${this.rowsWritten} record${this.rowsWritten === 1 ? '' : 's'} → topic '${this.topic}' (Kafka ${brokersText(this.settings)})`;
  }
}
