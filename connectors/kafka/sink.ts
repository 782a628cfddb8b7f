// A 'kafka' table written to a real Kafka topic with a kafkajs producer. write() only encodes and
// buffers (it is synchronous); flush() sends the buffer in chunks, each acknowledged by all
// in-sync replicas (acks -1), so when flush() resolves the rows are durable in Kafka. The runtime
// flushes when `pending` grows, which is the backpressure.
//
// 'sink.delivery-guarantee' = 'exactly-once' (KafkaTransactionalSink): the rows go into a Kafka
// transaction that is committed with each checkpoint, so `read_committed` consumers see every row
// once. The commit is two-phase with the checkpoint store: the runtime saves checkpoint N as
// *pending* (position() gives it a fresh random marker), then commit() commits the transaction
// together with a transactional offset commit of that marker (as the offset metadata) for the
// consumer group '<prefix>-checkpoints', then the checkpoint is confirmed. After a crash in between,
// committed() tells whether the transaction went through: it first re-initialises the producer
// with the same transactional.id — which fences the dead process's producer and lets the broker
// finish (commit or abort) its transaction — and then reads the group's marker. Committed: the
// pending checkpoint stands. Not committed: the transaction was aborted (its rows are invisible to
// read_committed readers), the checkpoint is discarded, and the job replays from the one before.

import { randomUUID } from 'node:crypto';
import type {
  CompressionTypes,
  ICustomPartitioner,
  Message,
  Producer,
  ProducerConfig,
  Transaction,
} from 'kafkajs';
import { ConnectorError } from '../../engine/errors.js';
import type { RecordEncoder } from '../../engine/formats/api.js';
import { INSERT, type Row, type RowKind, type Schema } from '../../engine/types.js';
import type { MessageMaker } from './messages.js';
import { valueToText } from '../../engine/values.js';
import type { ChangelogAcceptance, SinkWriter } from '../api.js';
import {
  brokersText,
  createKafka,
  kafkaErrorText,
  kafkajs,
  type KafkaClient,
  type KafkaClientSettings,
} from './client.js';
import type { KafkaTableOptions, SinkPartitioner } from './options.js';

/** Messages per produce request: large enough to amortise round trips, small enough to stay well under message.max.bytes. */
const SEND_CHUNK = 2_000;

/** The sink the table's options ask for: at-least-once (plain producer) or exactly-once (transactions). */
export function createKafkaTopicSink(
  opts: KafkaTableOptions,
  settings: KafkaClientSettings,
  schema: Schema,
  encoder: RecordEncoder,
  messages?: MessageMaker,
): SinkWriter {
  return opts.deliveryGuarantee === 'exactly-once'
    ? new KafkaTransactionalSink(opts, settings, schema, encoder, messages)
    : new KafkaTopicSink(opts, settings, schema, encoder, messages);
}

export class KafkaTopicSink implements SinkWriter {
  protected buffer: Message[] = [];
  protected producer?: Producer;
  protected client?: KafkaClient;
  private readonly keyIdx: number[];
  protected readonly topic: string;
  private readonly partitioner: SinkPartitioner;
  rowsWritten = 0;

  constructor(
    opts: KafkaTableOptions,
    protected readonly settings: KafkaClientSettings,
    private readonly schema: Schema,
    private readonly encoder: RecordEncoder,
    /** upsert-kafka: makes each message (key in its format, -D as a tombstone); the sink then takes updates. */
    private readonly messages?: MessageMaker,
  ) {
    this.accepts = messages ? 'upsert' : 'insert-only';
    this.topic = opts.topics[0]!;
    this.keyIdx = (opts.keyFields ?? []).map((k) => schema.findIndex((f) => f.name === k));
    this.partitioner = opts.sinkPartitioner;
  }

  get pending(): number {
    return this.buffer.length;
  }

  /** The formats' own preparation (avro-confluent registers its schema), once, before any write. */
  async prepare(): Promise<void> {
    await (this.messages ? this.messages.prepare() : this.encoder.prepare?.());
  }

  /** Append-only, as Flink's 'kafka' connector, unless messages are made by an upsert connector. */
  readonly accepts: ChangelogAcceptance;

  write(rows: readonly Row[], kinds?: readonly RowKind[]): void {
    if (this.messages) {
      for (let i = 0; i < rows.length; i++) {
        const m = this.messages.make(rows[i]!, kinds?.[i] ?? INSERT);
        if (m) this.buffer.push({ key: m.key, value: m.value });
      }
      return;
    }
    const keyIdx = this.keyIdx;
    for (const r of rows) {
      // Same key text as the embedded store: the key fields' text joined by ';'.
      const key =
        keyIdx.length === 0
          ? null
          : keyIdx.map((i) => valueToText(r[i], this.schema[i]!.type) ?? '').join(';');
      this.buffer.push({ key, value: this.encoder.encodeValue(r) });
    }
  }

  protected producerConfig(): ProducerConfig {
    return {
      createPartitioner: partitionerFor(this.partitioner),
      retry: this.settings.kafka.retry,
      allowAutoTopicCreation: true,
    };
  }

  protected async connect(): Promise<Producer> {
    if (this.producer) return this.producer;
    this.client ??= createKafka(this.settings);
    const producer = this.client.kafka.producer(this.producerConfig());
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
    const sender = await this.sender();
    const compression = this.compression();
    while (this.buffer.length > 0) {
      const chunk = this.buffer.length <= SEND_CHUNK ? this.buffer : this.buffer.slice(0, SEND_CHUNK);
      try {
        await sender.send({ topic: this.topic, acks: -1, compression, messages: chunk });
      } catch (e) {
        // The chunk stays buffered: nothing is counted as written that Kafka did not acknowledge.
        throw this.failure(
          `cannot write ${this.buffer.length} record${this.buffer.length === 1 ? '' : 's'}${this.sendingWhat}`,
          e,
        );
      }
      this.buffer = chunk === this.buffer ? [] : this.buffer.slice(chunk.length);
      this.sent(chunk.length);
    }
  }

  /** What flush() sends through: the producer here, the open transaction for exactly-once. */
  protected async sender(): Promise<Pick<Producer, 'send'>> {
    return this.connect();
  }

  /** Words after "cannot write N records" in a send error. */
  protected readonly sendingWhat: string = '';

  /** Rows the broker acknowledged (for exactly-once: in the open transaction, not yet committed). */
  protected sent(n: number): void {
    this.rowsWritten += n;
  }

  protected compression(): CompressionTypes {
    const { CompressionTypes } = kafkajs();
    return this.settings.producer.compressionGzip ? CompressionTypes.GZIP : CompressionTypes.None;
  }

  protected failure(what: string, e: unknown): ConnectorError {
    const text = kafkaErrorText(e);
    const hint = /UNKNOWN_TOPIC|does not host this topic-partition|not present in metadata/i.test(text)
      ? ` — create the topic first (or enable auto.create.topics.enable on the broker)`
      : /ECONNREFUSED|Connection|timeout|ENOTFOUND/i.test(text)
        ? ` — is Kafka running at ${brokersText(this.settings)}? (check --brokers / 'properties.bootstrap.servers')`
        : '';
    return new ConnectorError(
      `kafka sink: ${what} to topic '${this.topic}' at ${brokersText(this.settings)} after retries: ${text}${hint}`,
      {
        cause: e,
        retriable: true,
      },
    );
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

/** What the checkpoint keeps for a transactional sink: the marker its commit carries, null when nothing was written since the last one. */
interface TransactionMark {
  readonly marker: string | null;
}

/** Broker default for transaction.max.timeout.ms: a longer transaction timeout is refused. */
const MAX_TRANSACTION_TIMEOUT_MS = 900_000;

export class KafkaTransactionalSink extends KafkaTopicSink {
  private transaction?: Transaction;
  /** Rows sent in the open transaction (counted as written when it commits). */
  private inTransaction = 0;
  /** The marker position() handed to the pending checkpoint; commit() records it with the transaction. */
  private marker: string | null = null;
  private readonly transactionalId: string;
  private readonly markerGroup: string;
  private readonly transactionTimeout: number;

  constructor(
    opts: KafkaTableOptions,
    settings: KafkaClientSettings,
    schema: Schema,
    encoder: RecordEncoder,
    messages?: MessageMaker,
  ) {
    super(opts, settings, schema, encoder, messages);
    // One writer per sink table (no parallel subtasks), so one transactional.id: stable across
    // restarts, which is what lets a restarted job fence its dead predecessor.
    this.transactionalId = `${opts.transactionalIdPrefix}-0`;
    this.markerGroup = `${opts.transactionalIdPrefix}-checkpoints`;
    // A transaction stays open for a checkpoint interval; the broker aborts it after this timeout.
    // Short enough that a job that dies and is not restarted does not hold read_committed readers long.
    const interval = opts.checkpointIntervalMs ?? 0;
    this.transactionTimeout = Math.min(MAX_TRANSACTION_TIMEOUT_MS, Math.max(60_000, 3 * interval + 30_000));
  }

  protected override producerConfig(): ProducerConfig {
    return {
      ...super.producerConfig(),
      transactionalId: this.transactionalId,
      transactionTimeout: this.transactionTimeout,
      idempotent: true,
      maxInFlightRequests: 1,
    };
  }

  /** The open transaction, begun (and the producer initialised, which fences older producers with our id) when needed. */
  private async open(): Promise<Transaction> {
    if (this.transaction) return this.transaction;
    const producer = await this.connect();
    try {
      this.transaction = await producer.transaction();
    } catch (e) {
      throw this.failure(`cannot begin a transaction (transactional.id '${this.transactionalId}')`, e);
    }
    return this.transaction;
  }

  protected override sender(): Promise<Pick<Producer, 'send'>> {
    return this.open();
  }

  protected override readonly sendingWhat = ' in a transaction';

  protected override sent(n: number): void {
    this.inTransaction += n;
  }

  /** Called (after flush) for the checkpoint about to be saved as pending. */
  position(): TransactionMark {
    this.marker = this.inTransaction > 0 ? randomUUID() : null;
    return { marker: this.marker };
  }

  /** Nothing to take back: rows after the checkpoint were in a transaction that never committed. */
  restore(): void {}

  /** Commits the open transaction, with the pending checkpoint's marker when there is one. */
  async commit(): Promise<void> {
    const transaction = this.transaction;
    if (!transaction || this.inTransaction === 0) return;
    try {
      if (this.marker !== null) {
        await transaction.sendOffsets({
          consumerGroupId: this.markerGroup,
          topics: [
            {
              topic: this.topic,
              partitions: [
                { partition: 0, offset: '0', metadata: this.marker } as { partition: number; offset: string },
              ],
            },
          ],
        });
      }
      await transaction.commit();
    } catch (e) {
      throw this.failure(
        `cannot commit the transaction of ${this.inTransaction} record${this.inTransaction === 1 ? '' : 's'}`,
        e,
      );
    } finally {
      this.transaction = undefined;
    }
    this.rowsWritten += this.inTransaction;
    this.inTransaction = 0;
    this.marker = null;
  }

  /** Recovery: whether the transaction of the (pending) checkpoint that saved `position` was committed. */
  async committed(position: unknown): Promise<boolean> {
    const marker = (position as TransactionMark | undefined)?.marker ?? null;
    // Fence first: once our producer is initialised, the dead one's transaction is finished either way.
    await this.open();
    if (marker === null) return true;
    const admin = this.client!.kafka.admin({ retry: this.settings.kafka.retry });
    try {
      await admin.connect();
      const offsets = await admin.fetchOffsets({ groupId: this.markerGroup, topics: [this.topic] });
      const p = offsets.find((t) => t.topic === this.topic)?.partitions.find((x) => x.partition === 0);
      return p?.metadata === marker;
    } catch (e) {
      throw this.failure(`cannot read the checkpoint marker of consumer group '${this.markerGroup}'`, e);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  override async close(): Promise<void> {
    // Rows not covered by a checkpoint are dropped (aborted): the next run replays them.
    this.buffer = [];
    try {
      await this.transaction?.abort().catch(() => undefined);
    } finally {
      this.transaction = undefined;
      await super.close();
    }
  }

  override describe(): string {
    return `${super.describe()}, exactly-once`;
  }
}

/** 'sink.partitioner' as a kafkajs partitioner (see KafkaTableOptions.sinkPartitioner). */
function partitionerFor(kind: SinkPartitioner): ICustomPartitioner {
  if (kind === 'default') return kafkajs().Partitioners.DefaultPartitioner;
  return () => {
    let next = 0;
    return ({ partitionMetadata }) => {
      const ids = partitionMetadata.map((p) => p.partitionId).sort((a, b) => a - b);
      return kind === 'fixed' ? ids[0]! : ids[next++ % ids.length]!;
    };
  };
}
