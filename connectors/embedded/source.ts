// A 'kafka' table read from the embedded topic store: every partition of its topics is a split,
// read round-robin; positions are offsets; commit() stores them as the group's committed offsets.
//
// Discovery (unbounded scans): every 'scan.topic-partition-discovery.interval' the store is
// checked for partitions added to the topics and, with 'topic-pattern', for topics created since
// (by a generator or a job in another process). New ones become splits read from their earliest
// offset, as in Flink and as the broker-backed reader does. Splits only ever grow; positions() and
// the checkpoint key them by `topic/partition`, and a restored reader lays its splits out in the
// checkpoint's order first, so the per-split watermarks saved by the runtime (kept by index) line
// up again with the same partitions.

import { resolve } from 'node:path';
import { describeStartup, type KafkaTableOptions } from '../kafka/options.js';
import { packRecords, type PollResult, type SourceReader, type SplitInfo } from '../api.js';
import { TopicStore } from './topic-store.js';
import { defaultStoreDir } from '../../engine/home.js';

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
  /** Partitions known per topic (splits exist for 0..n-1). */
  private readonly known = new Map<string, number>();
  private lastDiscovery = 0;

  constructor(
    private readonly opts: KafkaTableOptions,
    private readonly cwd: string,
  ) {
    this.bounded = opts.boundedLatest;
  }

  startsAt(): string {
    return describeStartup(this.opts);
  }

  static storeDir(opts: KafkaTableOptions, cwd: string): string {
    return opts.embeddedDir ? resolve(cwd, opts.embeddedDir) : defaultStoreDir(cwd);
  }

  async open(): Promise<void> {
    const store = TopicStore.open(EmbeddedTopicSource.storeDir(this.opts, this.cwd));
    this.store = store;
    const topics = this.opts.topicPattern
      ? store
          .topics()
          .map((t) => t.name)
          .filter((n) => this.opts.topicPattern!.test(n))
      : this.opts.topics;
    const counts = new Map<string, number>();
    // A job may start before its producer: create the topic like Kafka's auto-create would.
    for (const topic of topics) counts.set(topic, store.ensureTopic(topic, 1));
    // Restored: the checkpoint's splits first, in its order (the runtime keeps per-split
    // watermarks by index), then whatever appeared since.
    for (const name of Object.keys(this.seekTo ?? {})) {
      const slash = name.lastIndexOf('/');
      const topic = name.slice(0, slash);
      const partition = Number(name.slice(slash + 1));
      const n = counts.get(topic);
      if (n === undefined || !Number.isInteger(partition) || partition < 0 || partition >= n) continue;
      this.addSplit(topic, partition, this.startOffset(topic, partition, name));
    }
    const have = new Set(this.splits.map((s) => s.name));
    for (const [topic, n] of counts) {
      for (let p = 0; p < n; p++) {
        const name = `${topic}/${p}`;
        if (!have.has(name)) this.addSplit(topic, p, this.startOffset(topic, p, name));
      }
      this.known.set(topic, n);
    }
    this.lastDiscovery = Date.now();
  }

  private addSplit(topic: string, partition: number, start: number): void {
    const name = `${topic}/${partition}`;
    this.parts.push({
      topic,
      partition,
      next: start,
      stopAt: this.store!.endOffset(topic, partition),
      ended: false,
    });
    this.splits.push({
      name,
      positionSeparator: '@',
      metadata: new Map<string, unknown>([
        ['topic', topic],
        ['partition', partition],
      ]),
    });
  }

  /**
   * Unbounded scans, when the discovery interval has passed: partitions added to the topics and
   * (with 'topic-pattern') topics created since become new splits, read from their earliest
   * offset (or from the checkpoint's position when one was restored for them).
   */
  private maybeDiscover(): void {
    const every = this.opts.partitionDiscoveryMs;
    if (this.bounded || every <= 0 || !this.store) return;
    const now = Date.now();
    if (now - this.lastDiscovery < every) return;
    this.lastDiscovery = now;
    this.discover();
  }

  /** One discovery pass (synchronous: the store is a local SQLite file). Returns how many splits were added. */
  discover(): number {
    const store = this.store!;
    const before = this.parts.length;
    const current = this.opts.topicPattern
      ? store.topics().filter((t) => this.opts.topicPattern!.test(t.name))
      : this.opts.topics.flatMap((name) => {
          const partitions = store.partitionCount(name);
          return partitions === undefined ? [] : [{ name, partitions }];
        });
    for (const { name: topic, partitions } of current) {
      const had = this.known.get(topic) ?? 0;
      for (let p = had; p < partitions; p++) this.addSplit(topic, p, this.seekTo?.[`${topic}/${p}`] ?? 0);
      if (partitions > had) this.known.set(topic, partitions);
    }
    return this.parts.length - before;
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
    this.maybeDiscover();
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
      const values = new Array<string | Buffer | null>(records.length);
      const positions = new Array<number>(records.length);
      const offsets = new Array<number>(records.length);
      const timestamps = new Array<number>(records.length);
      const keys = new Array<string | null>(records.length);
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        values[i] = isTombstone(r.value) ? null : r.value;
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
      return {
        kind: 'batch',
        batch: { split: idx, count: records.length, values: packRecords(values), positions, metadata },
      };
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

/** An empty BLOB is a tombstone (topic-store.ts TOMBSTONE); an empty text value is not. */
function isTombstone(v: string | Buffer): boolean {
  return typeof v !== 'string' && v.length === 0;
}
