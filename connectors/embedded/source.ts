// A 'kafka' table read from the embedded topic store: every partition of its topics is a split,
// read round-robin; positions are offsets; commit() stores them as the group's committed offsets.

import { resolve } from 'node:path';
import type { KafkaTableOptions } from '../kafka/options.js';
import type { PollResult, SourceReader, SplitInfo } from '../api.js';
import { TopicStore, defaultStoreDir } from './topic-store.js';

interface PartitionSplit {
  readonly topic: string;
  readonly partition: number;
  next: number;
  /** Bounded mode: the end offset captured at start. */
  stopAt: number;
  ended: boolean;
}

export class EmbeddedTopicSource implements SourceReader {
  readonly bounded: boolean;
  splits: SplitInfo[] = [];
  private parts: PartitionSplit[] = [];
  private store?: TopicStore;
  private turn = 0;
  private seekTo?: Record<string, number>;

  constructor(
    private readonly opts: KafkaTableOptions,
    private readonly cwd: string,
  ) {
    this.bounded = opts.boundedLatest;
  }

  static storeDir(opts: KafkaTableOptions, cwd: string): string {
    return opts.embeddedDir ? resolve(cwd, opts.embeddedDir) : defaultStoreDir(cwd);
  }

  async open(): Promise<void> {
    const store = TopicStore.open(EmbeddedTopicSource.storeDir(this.opts, this.cwd));
    this.store = store;
    const topics = this.opts.topicPattern
      ? store.topics().map((t) => t.name).filter((n) => this.opts.topicPattern!.test(n))
      : this.opts.topics;
    for (const topic of topics) {
      // A job may start before its producer: create the topic like Kafka's auto-create would.
      const n = store.ensureTopic(topic, 1);
      for (let p = 0; p < n; p++) {
        const name = `${topic}/${p}`;
        this.parts.push({ topic, partition: p, next: this.startOffset(topic, p, name), stopAt: store.endOffset(topic, p), ended: false });
        this.splits.push({ name, positionSeparator: '@', metadata: new Map<string, unknown>([['topic', topic], ['partition', p]]) });
      }
    }
  }

  private startOffset(topic: string, partition: number, name: string): number {
    const store = this.store!;
    const restored = this.seekTo?.[name];
    if (restored !== undefined) return restored;
    switch (this.opts.startupMode) {
      case 'earliest-offset':
        return 0;
      case 'latest-offset':
        return store.endOffset(topic, partition);
      case 'timestamp':
        return store.offsetForTimestamp(topic, partition, this.opts.startupTimestampMs!);
      case 'specific-offsets':
        return this.opts.specificOffsets?.get(partition) ?? 0;
      case 'group-offsets':
        return store.committedOffset(this.opts.groupId, topic, partition) ?? 0;
    }
  }

  async poll(maxRecords: number): Promise<PollResult> {
    const n = this.parts.length;
    if (n === 0) return this.bounded ? { kind: 'end' } : { kind: 'idle' };
    for (let tries = 0; tries < n; tries++) {
      const idx = this.turn;
      this.turn = (this.turn + 1) % n;
      const p = this.parts[idx]!;
      if (p.ended) continue;
      if (this.bounded && p.next >= p.stopAt) {
        p.ended = true;
        return { kind: 'split-end', split: idx };
      }
      const limit = this.bounded ? Math.min(maxRecords, p.stopAt - p.next) : maxRecords;
      const records = this.store!.read(p.topic, p.partition, p.next, limit);
      if (records.length === 0) continue;
      const values = new Array<string>(records.length);
      const positions = new Array<number>(records.length);
      const offsets = new Array<number>(records.length);
      const timestamps = new Array<number>(records.length);
      const keys = new Array<string | null>(records.length);
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        values[i] = r.value;
        positions[i] = r.offset;
        offsets[i] = r.offset;
        timestamps[i] = r.timestamp;
        keys[i] = r.key;
      }
      p.next = records[records.length - 1]!.offset + 1;
      const metadata = new Map<string, readonly unknown[]>([
        ['offset', offsets],
        ['timestamp', timestamps],
        ['key', keys],
      ]);
      return { kind: 'batch', batch: { split: idx, values, positions, metadata } };
    }
    if (this.parts.every((p) => p.ended)) return { kind: 'end' };
    return { kind: 'idle' };
  }

  positions(): Record<string, number> {
    const out: Record<string, number> = {};
    this.parts.forEach((p, i) => (out[this.splits[i]!.name] = p.next));
    return out;
  }

  seek(positions: Record<string, number>): void {
    this.seekTo = positions;
  }

  async commit(): Promise<void> {
    this.store?.commitOffsets(
      this.opts.groupId,
      this.parts.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.next })),
    );
  }

  async close(): Promise<void> {
    this.store?.close();
    this.store = undefined;
  }
}
