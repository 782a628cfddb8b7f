// A 'kafka' table written to the embedded topic store: each row becomes one record (value in the
// table's format, key from 'key.fields' / the PRIMARY KEY), appended in one transaction per flush.

import type { RecordEncoder } from '../../engine/formats/api.js';
import { INSERT, type Row, type RowKind, type Schema } from '../../engine/types.js';
import type { MessageMaker } from '../kafka/messages.js';
import { valueToText } from '../../engine/values.js';
import type { KafkaTableOptions } from '../kafka/options.js';
import type { ChangelogAcceptance, SinkWriter } from '../api.js';
import { TOMBSTONE, TopicStore, type NewRecord } from './topic-store.js';
import { EmbeddedTopicSource } from './source.js';

export class EmbeddedTopicSink implements SinkWriter {
  private buffer: NewRecord[] = [];
  private store?: TopicStore;
  private readonly keyIdx: number[];
  private nextPartition = 0;
  rowsWritten = 0;

  constructor(
    private readonly opts: KafkaTableOptions,
    private readonly cwd: string,
    private readonly schema: Schema,
    private readonly encoder: RecordEncoder,
    /** The format is binary (Avro): records are stored as bytes, else as text. */
    private readonly binary = false,
    /** upsert-kafka: makes each message (key in its format, -D as a tombstone); the sink then takes updates. */
    private readonly messages?: MessageMaker,
  ) {
    this.accepts = messages ? 'upsert' : 'insert-only';
    this.keyIdx = (opts.keyFields ?? []).map((k) => schema.findIndex((f) => f.name === k));
  }

  /**
   * Append-only, as Flink's 'kafka' connector: a topic is a log of records, none taken back, so an
   * updating query is refused at plan time ('upsert-kafka', which applies them by key, is issue 20).
   */
  readonly accepts: ChangelogAcceptance;

  get pending(): number {
    return this.buffer.length;
  }

  /** The formats' own preparation (avro-confluent registers its schema), once, before any write. */
  async prepare(): Promise<void> {
    await (this.messages ? this.messages.prepare() : this.encoder.prepare?.());
  }

  write(rows: readonly Row[], kinds?: readonly RowKind[]): void {
    const now = Date.now();
    if (this.messages) {
      for (let i = 0; i < rows.length; i++) {
        const m = this.messages.make(rows[i]!, kinds?.[i] ?? INSERT);
        if (!m) continue;
        const value = m.value === null ? TOMBSTONE : this.binary ? m.value : m.value.toString('utf8');
        this.buffer.push({ key: m.key === null ? null : m.key.toString('utf8'), value, timestamp: now });
      }
      return;
    }
    for (const r of rows) {
      const key =
        this.keyIdx.length === 0
          ? null
          : this.keyIdx.map((i) => valueToText(r[i], this.schema[i]!.type) ?? '').join(';');
      const bytes = this.encoder.encodeValue(r);
      this.buffer.push({ key, value: this.binary ? bytes : bytes.toString('utf8'), timestamp: now });
    }
  }

  private resumeAt?: Record<string, number>;

  private open(): TopicStore {
    if (!this.store) {
      const store = TopicStore.open(EmbeddedTopicSource.storeDir(this.opts, this.cwd));
      const topic = this.opts.topics[0]!;
      const n = store.ensureTopic(topic, 1);
      // Recovery: take back the records written after the checkpoint; replay writes them again.
      if (this.resumeAt) for (let p = 0; p < n; p++) store.truncate(topic, p, this.resumeAt[p] ?? 0);
      this.store = store;
    }
    return this.store;
  }

  position(): unknown {
    const store = this.open();
    const topic = this.opts.topics[0]!;
    const out: Record<string, number> = {};
    for (let p = 0; p < (store.partitionCount(topic) ?? 0); p++) out[p] = store.endOffset(topic, p);
    return out;
  }

  restore(position: unknown): void {
    this.resumeAt = position as Record<string, number>;
  }

  async flush(): Promise<void> {
    this.open();
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    const topic = this.opts.topics[0]!;
    // 'sink.partitioner' (see KafkaTableOptions.sinkPartitioner); 'default' is the store's own key hash.
    if (this.opts.sinkPartitioner !== 'default') {
      const n = this.store!.partitionCount(topic) ?? 1;
      for (const r of batch)
        r.partition = this.opts.sinkPartitioner === 'fixed' ? 0 : this.nextPartition++ % n;
    }
    this.store!.append(topic, batch);
    this.rowsWritten += batch.length;
  }

  async close(): Promise<void> {
    await this.flush();
    this.store?.close();
    this.store = undefined;
  }

  describe(): string {
    return `${this.rowsWritten} record${this.rowsWritten === 1 ? '' : 's'} → topic '${this.opts.topics[0]}' (embedded store)`;
  }
}
