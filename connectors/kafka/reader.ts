// Reads a 'kafka' table from real Kafka with a kafkajs consumer in the table's group. It runs in the
// table's reader thread (reader-thread.ts), so kafkajs' fetching and decoding use a core of their
// own; KafkaTopicSource (source.ts) is its side in the job's thread. Every partition of its topics
// is a split. kafkajs fetches in the background (consumer.run/eachBatch); each batch is packed at
// once (PackedBatch) into a bounded queue per partition; ready()/poll() take from those queues
// round-robin, so event time advances evenly across partitions. A full queue holds kafkajs' batch
// handler, and with it the next fetch, until it drains (backpressure).
//
// Where reading starts is decided here, not by kafkajs: start offsets are computed at open()
// (startup mode, or the positions given to seek()) and re-applied with consumer.seek() after every
// group join, and records below the position already queued are dropped. So a rebalance or a
// broker restart neither re-delivers nor skips records, although nothing is committed until the
// runtime calls commit() (after the rows are safely in the sinks); offsets are never auto-committed.
//
// Nothing here blocks the job loop for long: poll() waits at most WAIT_SLICE_MS and says 'idle'
// with `waiting` while the broker is away, commits run in the background, and partitions added to
// the topics (or topics created that match 'topic-pattern') are found by a background metadata
// check every 'scan.topic-partition-discovery.interval', then read from their earliest offset by
// a replacement consumer (kafkajs subscribes to a fixed topic list).

import type { Admin, Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { ConnectorError } from '../../engine/errors.js';
import type { PollResultOf, SplitInfo } from '../api.js';
import { createKafka, kafkaErrorText, type KafkaClient, type KafkaClientSettings } from './client.js';
import type { KafkaTableOptions } from './options.js';

/**
 * Records queued per partition before its fetching waits, and the level at which it goes on.
 * Queued records are packed (a few bytes each beside their values), so the queue can hold several
 * fetches: kafkajs keeps fetching while the job works through the last ones.
 */
const QUEUE_HIGH = 100_000;
const QUEUE_LOW = 50_000;
/** Records per packed piece: the job's default batch size (a poll asking for fewer gets part of one). */
const PIECE_RECORDS = 4096;
/** While a batch handler waits for its queue to drain, it sends a heartbeat this often. */
const BACKPRESSURE_HEARTBEAT_MS = 1_000;
/** How long open() waits for the group to hand out partitions. */
const JOIN_TIMEOUT_MS = 60_000;
/**
 * When records are known to exist (the broker's high watermark is beyond what was fetched) but
 * none arrive, poll() reports 'idle' with `waiting` (it never blocks for long) for up to this long
 * before a plain 'idle' (aborted transactions leave offsets that never arrive). While the broker
 * does not answer at all, it stays `waiting`: the job loop bounds what that means for --until-idle.
 */
const STALL_WAIT_MS = 60_000;
const WAIT_SLICE_MS = 200;

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  /** Next offset to hand out (what positions() reports and commit() commits). */
  next: number;
  /** Next offset expected from the consumer: records below it are duplicates (re-fetch after a rejoin). */
  fetched: number;
  /** The end of what the consumer fetched, control records included. */
  fetchedTo: number;
  /** The broker's high watermark as last seen (end offset). */
  highWatermark: number;
  /** Bounded mode: the end offset captured at open(). */
  stopAt: number;
  ended: boolean;
  assigned: boolean;
  paused: boolean;
  /** Index into splits. */
  readonly split: number;
  /**
   * Fetched records not yet handed out, packed as they arrive: kafkajs' message objects die young
   * (cheap to collect) instead of waiting in the queue.
   */
  pieces: PackedBatch[];
  queued: number;
  /** Set while the batch handler waits for this queue to drain (backpressure). */
  drained?: () => void;
}

/**
 * A batch as it crosses to the job's thread: the values' bytes back to back in one buffer
 * (transferred, not copied), so the reader thread does not make a string per record.
 */
export interface PackedBatch {
  readonly split: number;
  readonly bytes: Uint8Array;
  /** Byte length of each value; -1: no value (tombstone). */
  readonly lengths: Int32Array;
  readonly offsets: Float64Array;
  /** Only when the table reads them (METADATA columns). */
  readonly timestamps?: Float64Array;
  readonly keys?: (string | null)[];
  /** Keys' bytes back to back and their lengths (-1: no key), when the key has a format (upsert-kafka). */
  readonly keyBytes?: Uint8Array;
  readonly keyLengths?: Int32Array;
}

export type ReaderPollResult = PollResultOf<PackedBatch>;

/** Not a METADATA column: what a connector asks for when it decodes the message keys itself (upsert-kafka). */
export const KEY_BYTES = '#key-bytes';

export class KafkaTopicReader {
  readonly bounded: boolean;
  splits: SplitInfo[] = [];
  private parts: PartitionState[] = [];
  private byTopic = new Map<string, PartitionState[]>();
  private turn = 0;
  private seekTo?: Record<string, number>;
  private consumer?: Consumer;
  private client?: KafkaClient;
  private failure?: ConnectorError;
  /** Resolved when a batch arrives (or on failure/close), for poll()'s stall wait. */
  private wake?: () => void;
  /** A stall wait timed out; do not wait again until something arrives. */
  private stalled = false;
  /** Since when poll() has been reporting records on their way (0: it is not). */
  private waitingSince = 0;
  /** The consumer is being replaced (new partitions or topics): records are on their way. */
  private rejoining = false;
  /** A partition discovery in progress, and when the last one started. */
  private discovering?: Promise<void>;
  private lastDiscovery = 0;
  /** Resolved by close(): ends waits for a group join. */
  private closedSignal!: () => void;
  private readonly closedPromise = new Promise<void>((r) => (this.closedSignal = r));
  /** Background offset commit in flight, offsets still to commit, and why the last attempt failed. */
  private committing?: Promise<void>;
  private commitWanted?: { topic: string; partition: number; offset: string }[];
  private commitError?: unknown;
  private closed = false;
  /** When the last fetch response arrived (empty ones included): the broker is there. */
  private lastFetchResponse = 0;
  private readonly livenessMs: number;
  private readonly wantTimestamps: boolean;
  private readonly wantKeys: boolean;
  /** The key has a format (upsert-kafka): keys are handed on as bytes. */
  private readonly wantKeyBytes: boolean;
  /** Called whenever fetched records are queued (the reader thread hands them on at once). */
  onData?: () => void;

  constructor(
    private readonly opts: KafkaTableOptions,
    private readonly settings: KafkaClientSettings,
    /** Who is reading, for messages: `table 'tx' (Kafka host:9092, group 'g')`. */
    private readonly reader: string,
    metadataKeys: readonly string[],
  ) {
    this.bounded = opts.boundedLatest;
    this.wantTimestamps = metadataKeys.includes('timestamp');
    this.wantKeys = metadataKeys.includes('key');
    this.wantKeyBytes = metadataKeys.includes(KEY_BYTES);
    // An empty fetch returns after fetch.max.wait.ms: a few of those missing means the broker is away.
    this.livenessMs = 2 * settings.consumer.maxWaitTimeInMs + 500;
  }

  private where(): string {
    return this.reader;
  }

  async open(): Promise<void> {
    const client = createKafka(this.settings);
    this.client = client;
    const kafka = client.kafka;
    // The admin client is only needed to plan the splits; an idle one left open would hold a
    // connection (and reconnect to a restarted broker) for nothing.
    const admin = kafka.admin({ retry: this.settings.kafka.retry });
    try {
      await admin.connect();
      const topics = await this.resolveTopics(admin);
      await this.createSplits(admin, topics);
    } catch (e) {
      if (e instanceof ConnectorError) throw e;
      throw new ConnectorError(
        `${this.where()}: cannot read topic metadata and offsets: ${kafkaErrorText(e)}`,
        { cause: e, retriable: true },
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    this.lastDiscovery = Date.now();
    if (this.parts.length === 0) return;
    await this.startConsumer(kafka);
  }

  private async resolveTopics(admin: Admin): Promise<string[]> {
    const existing = await admin.listTopics();
    if (this.opts.topicPattern) {
      return existing.filter((t) => !t.startsWith('__') && this.opts.topicPattern!.test(t)).sort();
    }
    const missing = this.opts.topics.filter((t) => !existing.includes(t));
    if (missing.length > 0) {
      // A job may start before its producer: create the topics as the broker's auto-create would.
      await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true });
    }
    return [...this.opts.topics];
  }

  private async createSplits(admin: Admin, topics: string[]): Promise<void> {
    const meta = await admin.fetchTopicMetadata({ topics });
    const committed =
      this.opts.startupMode === 'group-offsets'
        ? await admin.fetchOffsets({ groupId: this.opts.groupId, topics })
        : [];
    for (const topic of topics) {
      const partitions = (meta.topics.find((t) => t.name === topic)?.partitions ?? [])
        .map((p) => p.partitionId)
        .sort((a, b) => a - b);
      const ends = await admin.fetchTopicOffsets(topic);
      const byTimestamp =
        this.opts.startupMode === 'timestamp'
          ? await admin.fetchTopicOffsetsByTimestamp(topic, this.opts.startupTimestampMs)
          : [];
      const group = committed.find((c) => c.topic === topic)?.partitions ?? [];
      const list: PartitionState[] = [];
      for (const partition of partitions) {
        const end = ends.find((e) => e.partition === partition);
        const low = Number(end?.low ?? 0);
        const high = Number(end?.high ?? 0);
        const name = `${topic}/${partition}`;
        let start = this.seekTo?.[name];
        if (start === undefined) {
          switch (this.opts.startupMode) {
            case 'earliest-offset':
              start = low;
              break;
            case 'latest-offset':
              start = high;
              break;
            case 'timestamp': {
              const o = Number(byTimestamp.find((b) => b.partition === partition)?.offset ?? -1);
              start = o < 0 ? high : o;
              break;
            }
            case 'specific-offsets':
              start = this.opts.specificOffsets?.get(partition) ?? low;
              break;
            case 'group-offsets': {
              // No committed offset yet: start at the beginning, like 'auto.offset.reset' = 'earliest'.
              const o = Number(group.find((g) => g.partition === partition)?.offset ?? -1);
              start = o < 0 ? low : o;
              break;
            }
          }
        }
        list[partition] = this.addPartition(topic, partition, start, low, high);
      }
      this.byTopic.set(topic, list);
    }
  }

  /** A new split; `byTopic` lists are indexed by partition id. */
  private addPartition(
    topic: string,
    partition: number,
    start: number,
    low: number,
    high: number,
  ): PartitionState {
    // Out of the partition's range (retention deleted it, or a stale checkpoint): clamp.
    start = Math.min(Math.max(start, low), high);
    const state: PartitionState = {
      topic,
      partition,
      next: start,
      fetched: start,
      fetchedTo: start,
      highWatermark: high,
      stopAt: high,
      ended: false,
      assigned: false,
      paused: false,
      split: this.parts.length,
      pieces: [],
      queued: 0,
    };
    this.parts.push(state);
    this.splits.push({
      name: `${topic}/${partition}`,
      positionSeparator: '@',
      metadata: new Map<string, unknown>([
        ['topic', topic],
        ['partition', partition],
      ]),
    });
    return state;
  }

  /** Starts a partition discovery in the background when one is due (unbounded scans only). */
  private maybeDiscover(): void {
    if (
      this.bounded ||
      this.opts.partitionDiscoveryMs <= 0 ||
      this.discovering ||
      this.closed ||
      !this.client
    )
      return;
    const now = Date.now();
    if (now - this.lastDiscovery < this.opts.partitionDiscoveryMs) return;
    this.lastDiscovery = now;
    this.discovering = this.discover()
      .catch((e) => {
        // Metadata not readable right now (broker away): try again at the next interval. A
        // consumer that could not be restarted, though, fails the job.
        if (e instanceof ConnectorError) {
          this.failure = e;
          this.wake?.();
        }
      })
      .finally(() => (this.discovering = undefined));
  }

  /**
   * Looks for partitions added to the topics (and, with 'topic-pattern', topics created since);
   * new ones become splits read from their earliest offset, as in Flink, and the consumer is
   * replaced so the group hands them out (kafkajs subscribes to a fixed topic list).
   */
  private async discover(): Promise<void> {
    const admin = this.client!.kafka.admin({ retry: { retries: 0 } });
    const added: PartitionState[] = [];
    try {
      await admin.connect();
      const topics = this.opts.topicPattern
        ? (await admin.listTopics())
            .filter((t) => !t.startsWith('__') && this.opts.topicPattern!.test(t))
            .sort()
        : [...this.opts.topics];
      if (topics.length === 0) return;
      const meta = await admin.fetchTopicMetadata({ topics });
      for (const topic of topics) {
        const known = this.byTopic.get(topic) ?? [];
        const ids = (meta.topics.find((t) => t.name === topic)?.partitions ?? [])
          .map((p) => p.partitionId)
          .sort((a, b) => a - b);
        const fresh = ids.filter((id) => known[id] === undefined);
        if (fresh.length === 0) continue;
        const ends = await admin.fetchTopicOffsets(topic);
        if (this.closed) return;
        for (const partition of fresh) {
          if (known[partition] !== undefined) continue;
          const end = ends.find((e) => e.partition === partition);
          const low = Number(end?.low ?? 0);
          const start = this.seekTo?.[`${topic}/${partition}`] ?? low;
          const state = this.addPartition(topic, partition, start, low, Number(end?.high ?? 0));
          known[partition] = state;
          added.push(state);
        }
        this.byTopic.set(topic, known);
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (added.length === 0 || this.closed) return;
    await this.replaceConsumer();
  }

  /** A new consumer for the current topic list; the group join seeks every partition to where this reader is. */
  private async replaceConsumer(): Promise<void> {
    this.rejoining = true;
    try {
      const old = this.consumer;
      this.consumer = undefined;
      const stopping = old?.disconnect();
      this.releaseWaiting();
      await stopping?.catch(() => undefined);
      // The new consumer fetches everything it is given: backpressure pauses start over.
      for (const p of this.parts) {
        p.assigned = false;
        p.paused = false;
      }
      if (this.closed) return;
      await this.startConsumer(this.client!.kafka);
    } finally {
      this.rejoining = false;
    }
  }

  private async startConsumer(kafka: KafkaClient['kafka']): Promise<void> {
    const c = this.settings.consumer;
    const consumer = kafka.consumer({
      groupId: this.opts.groupId,
      retry: this.settings.kafka.retry,
      sessionTimeout: c.sessionTimeout,
      heartbeatInterval: c.heartbeatInterval,
      maxBytesPerPartition: c.maxBytesPerPartition,
      maxBytes: c.maxBytes,
      maxWaitTimeInMs: c.maxWaitTimeInMs,
      minBytes: c.minBytes,
      readUncommitted: c.readUncommitted,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    let joined!: () => void;
    const firstJoin = new Promise<void>((r) => (joined = r));
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      // Every (re)join starts kafkajs at the committed offsets; continue where this reader is instead.
      for (const p of this.parts) p.assigned = false;
      for (const [topic, partitions] of Object.entries(e.payload.memberAssignment)) {
        for (const partition of partitions) {
          const p = this.byTopic.get(topic)?.[partition];
          if (!p) continue;
          p.assigned = true;
          consumer.seek({ topic, partition, offset: String(p.fetched) });
        }
      }
      this.lastFetchResponse = Date.now();
      this.rejoining = false;
      this.releaseWaiting();
      joined();
    });
    consumer.on(consumer.events.REQUEST, (e) => {
      if (e.payload.apiName === 'Fetch') this.lastFetchResponse = Date.now();
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      // Also reported for batches of only control records, which never reach eachBatch.
      const p = this.byTopic.get(e.payload.topic)?.[e.payload.partition];
      if (!p) return;
      const last = Number(e.payload.lastOffset);
      if (last + 1 > p.fetchedTo) p.fetchedTo = last + 1;
      const hw = Number(e.payload.highWatermark);
      if (hw > p.highWatermark) p.highWatermark = hw;
    });
    consumer.on(consumer.events.CRASH, (e) => {
      if (e.payload.restart) return; // kafkajs reconnects and rejoins by itself
      this.failure = new ConnectorError(
        `${this.where()}: the consumer stopped: ${kafkaErrorText(e.payload.error)}`,
        { cause: e.payload.error, retriable: true },
      );
      this.wake?.();
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...this.byTopic.keys()] });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.onBatch(payload),
      });
    } catch (e) {
      throw new ConnectorError(`${this.where()}: cannot start the consumer: ${kafkaErrorText(e)}`, {
        cause: e,
        retriable: true,
      });
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), JOIN_TIMEOUT_MS)));
    const outcome = await Promise.race([
      firstJoin,
      timeout,
      this.closedPromise.then(() => 'closed' as const),
    ]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      throw new ConnectorError(
        `${this.where()}: no partitions assigned after ${JOIN_TIMEOUT_MS / 1000} s (is the group coordinator reachable?)`,
        { retriable: true },
      );
    }
  }

  private async onBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const p = this.byTopic.get(batch.topic)?.[batch.partition];
    if (!p || this.closed) return;
    const messages = batch.messages;
    let from = 0;
    // Drop what is already queued or handed out (a re-fetch after a rejoin).
    while (from < messages.length && Number(messages[from]!.offset) < p.fetched) from++;
    let to = messages.length;
    if (this.bounded) while (to > from && Number(messages[to - 1]!.offset) >= p.stopAt) to--;
    if (to > from) {
      for (let at = from; at < to; at += PIECE_RECORDS)
        p.pieces.push(this.pack(messages, at, Math.min(to, at + PIECE_RECORDS), p.split));
      p.queued += to - from;
      p.fetched = Number(messages[to - 1]!.offset) + 1;
    }
    const hw = Number(batch.highWatermark);
    if (hw > p.highWatermark) p.highWatermark = hw;
    // As END_BATCH_PROCESS does (control records included), but now: that event comes only once this handler returns.
    const last = Number(batch.lastOffset());
    if (last + 1 > p.fetchedTo) p.fetchedTo = last + 1;
    // Moves kafkajs' fetch position on; this is not a commit (autoCommit is off).
    resolveOffset(batch.lastOffset());
    this.stalled = false;
    this.wake?.();
    if (to > from) this.onData?.();
    // Backpressure: hold this batch's handler until the queue drains. kafkajs fetches again only
    // when the handlers of the last fetch returned, so this stops fetching without pause(): with
    // every partition paused, kafkajs sleeps fetch.max.wait.ms before it looks again, which left
    // the job waiting for records.
    if (p.queued >= QUEUE_HIGH)
      await this.hold(p, () => p.queued < QUEUE_HIGH, heartbeat, isRunning, isStale);
    if (this.bounded && fetchedAll(p)) {
      // Everything this partition is read for is here: fetch only the others from now on.
      if (!p.paused && this.consumer) {
        p.paused = true;
        this.consumer.pause([{ topic: p.topic, partitions: [p.partition] }]);
      }
      // And when that was the last one, no fetch is wanted at all: hold the handler until the
      // consumer stops, or kafkajs starts another fetch (the broker answers it after
      // fetch.max.wait.ms) and disconnect() at the end waits for it.
      if (this.parts.every((q) => q.ended || fetchedAll(q)))
        await this.hold(p, () => false, heartbeat, isRunning, isStale);
    }
  }

  /**
   * Waits in a batch handler until `done()` (checked whenever the queue drains, see drain()), the
   * consumer stops or is replaced, or a rejoin moved the partition. Heartbeats go on meanwhile,
   * so the group keeps this member.
   */
  private async hold(
    p: PartitionState,
    done: () => boolean,
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
    isStale: () => boolean,
  ): Promise<void> {
    const consumer = this.consumer;
    while (!done() && consumer !== undefined && this.consumer === consumer && isRunning() && !isStale()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(release, BACKPRESSURE_HEARTBEAT_MS);
        function release(): void {
          clearTimeout(timer);
          resolve();
        }
        p.drained = release;
      });
      p.drained = undefined;
      await heartbeat().catch(() => undefined);
    }
  }

  /** What is ready now without waiting: the next batch or split end, or null. */
  ready(maxRecords: number): ReaderPollResult | null {
    if (this.failure) throw this.failure;
    this.maybeDiscover();
    const r = this.take(maxRecords);
    if (r !== null) this.waitingSince = 0;
    return r;
  }

  async poll(maxRecords: number): Promise<ReaderPollResult> {
    let r = this.ready(maxRecords);
    if (r !== null) return r;
    if (this.parts.every((p) => p.ended)) return { kind: this.bounded ? 'end' : 'idle' };
    // 'idle' tells --until-idle the input may be over: only say so when a recent fetch found
    // nothing, not while the broker is away or records are known to be on their way.
    // A broker that does not answer is always 'waiting' (so its partitions do not turn idle and the
    // backlog late); how long that may keep --until-idle from ending the run is the job loop's call.
    const responding = this.brokerResponding();
    if ((this.stalled && responding) || (!this.hasBacklog() && responding && !this.rejoining)) {
      this.waitingSince = 0;
      return { kind: 'idle' };
    }
    const now = Date.now();
    if (this.waitingSince === 0) this.waitingSince = now;
    else if (now - this.waitingSince >= STALL_WAIT_MS && responding) {
      this.stalled = true;
      this.waitingSince = 0;
      return { kind: 'idle' };
    }
    // Wait a little for the records (no busy loop), but never block the job: it keeps stepping
    // its other sources, checkpointing and reporting while the consumer reconnects.
    await this.waitForData(WAIT_SLICE_MS);
    if (this.failure) throw this.failure;
    r = this.ready(maxRecords);
    if (r !== null) return r;
    return { kind: 'idle', waiting: true };
  }

  /** The next batch or split end, round-robin over partitions; null when every queue is empty. */
  private take(maxRecords: number): ReaderPollResult | null {
    const n = this.parts.length;
    for (let tries = 0; tries < n; tries++) {
      const idx = this.turn;
      this.turn = (this.turn + 1) % n;
      const p = this.parts[idx]!;
      if (p.ended) continue;
      if (p.queued === 0) {
        // Past control records (transaction markers) there is nothing to hand out: move on.
        const upTo = this.bounded ? Math.min(p.fetchedTo, p.stopAt) : p.fetchedTo;
        if (upTo > p.next) {
          p.next = upTo;
          if (p.fetched < upTo) p.fetched = upTo;
        }
        if (this.bounded && p.next >= p.stopAt) {
          p.ended = true;
          // Nothing more is wanted from this partition: stop fetching it.
          if (p.assigned && !p.paused) this.consumer?.pause([{ topic: p.topic, partitions: [p.partition] }]);
          p.paused = true;
          return { kind: 'split-end', split: idx };
        }
        continue;
      }
      return { kind: 'batch', batch: this.takePiece(p, maxRecords) };
    }
    return null;
  }

  private takePiece(p: PartitionState, maxRecords: number): PackedBatch {
    let piece = p.pieces[0]!;
    if (piece.lengths.length <= maxRecords) p.pieces.shift();
    else [piece, p.pieces[0]] = splitPiece(piece, maxRecords);
    const n = piece.lengths.length;
    p.queued -= n;
    p.next = piece.offsets[n - 1]! + 1;
    if (p.drained && p.queued <= QUEUE_LOW) p.drained();
    return piece;
  }

  /** messages[from, to) as one piece: the values' bytes back to back, their lengths and offsets. */
  private pack(messages: readonly KafkaMessage[], from: number, to: number, split: number): PackedBatch {
    const count = to - from;
    const offsets = new Float64Array(count);
    const lengths = new Int32Array(count);
    // Offsets rise: when the first and last are count - 1 apart, they are consecutive and need not
    // each be parsed from their decimal text.
    const first = Number(messages[from]!.offset);
    const consecutive = Number(messages[to - 1]!.offset) - first === count - 1;
    let total = 0;
    for (let i = 0; i < count; i++) {
      const m = messages[from + i]!;
      const length = m.value === null ? -1 : m.value.length;
      lengths[i] = length;
      if (length > 0) total += length;
      offsets[i] = consecutive ? first + i : Number(m.offset);
    }
    // Its own memory (not Node's shared pool), so it can be transferred to the job's thread.
    const bytes = Buffer.allocUnsafeSlow(total);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const v = messages[from + i]!.value;
      if (v !== null && v.length > 0) {
        bytes.set(v, at);
        at += v.length;
      }
    }
    const slice = this.wantTimestamps || this.wantKeys ? messages.slice(from, to) : [];
    return {
      split,
      bytes,
      lengths,
      offsets,
      timestamps: this.wantTimestamps ? Float64Array.from(slice, (m) => Number(m.timestamp)) : undefined,
      keys: this.wantKeys
        ? slice.map((m) => (m.key === null || m.key === undefined ? null : m.key.toString('utf8')))
        : undefined,
      ...(this.wantKeyBytes ? packKeys(messages, from, to) : {}),
    };
  }

  /** Records exist on the broker beyond what this reader fetched, for a partition it reads. */
  private hasBacklog(): boolean {
    for (const p of this.parts) {
      if (p.ended || !p.assigned) continue;
      const end = this.bounded ? Math.min(p.highWatermark, p.stopAt) : p.highWatermark;
      if (Math.max(p.fetchedTo, p.fetched) < end) return true;
    }
    return false;
  }

  /** A fetch response arrived recently (an empty fetch returns after fetch.max.wait.ms). */
  private brokerResponding(): boolean {
    return Date.now() - this.lastFetchResponse <= this.livenessMs;
  }

  /** Waits for the next batch, at most `ms`. */
  private waitForData(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  positions(): Record<string, number> {
    const out: Record<string, number> = {};
    this.parts.forEach((p, i) => (out[this.splits[i]!.name] = p.next));
    return out;
  }

  seek(positions: Record<string, number>): void {
    this.seekTo = positions;
  }

  /**
   * Commits `positions` (what the job has safely processed, which is behind what this reader
   * handed out) in the background: the job loop must not wait for a broker that is away (kafkajs
   * retries for about 30 s). Offsets a failed commit did not store are committed with the next
   * one; close() waits for the last and reports it if it cannot be stored.
   */
  commit(positions: Readonly<Record<string, number>>): void {
    if (!this.consumer) return;
    const offsets = this.parts.flatMap((p, i) => {
      const at = positions[this.splits[i]!.name];
      return p.assigned && at !== undefined
        ? [{ topic: p.topic, partition: p.partition, offset: String(at) }]
        : [];
    });
    if (offsets.length === 0) return;
    this.commitWanted = offsets;
    this.committing ??= this.commitPending().finally(() => (this.committing = undefined));
  }

  /** Commits the latest wanted offsets until none are left; keeps them when the broker refuses. */
  private async commitPending(): Promise<void> {
    while (this.commitWanted && this.consumer) {
      const offsets = this.commitWanted;
      this.commitWanted = undefined;
      try {
        await this.consumer.commitOffsets(offsets);
        this.commitError = undefined;
      } catch (e) {
        this.commitWanted ??= offsets;
        this.commitError = e;
        return;
      }
    }
  }

  /** Lets batch handlers waiting for their queue to drain look again (closing, rejoining). */
  private releaseWaiting(): void {
    for (const p of this.parts) p.drained?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closedSignal();
    this.wake?.();
    // A consumer being replaced right now (new partitions) stops at its close checks.
    await this.discovering;
    let failure: ConnectorError | undefined;
    await this.committing;
    if (this.commitWanted && this.consumer) {
      const offsets = this.commitWanted;
      await this.commitPending();
      if (this.commitWanted) {
        failure = new ConnectorError(
          `${this.where()}: cannot commit offsets ${offsets.map((o) => `${o.topic}/${o.partition}@${o.offset}`).join(', ')}: ${kafkaErrorText(this.commitError)}`,
          {
            cause: this.commitError,
            retriable: true,
          },
        );
      }
    }
    const consumer = this.consumer;
    this.consumer = undefined;
    // disconnect() stops kafkajs' fetch loop at once; then held batch handlers may return.
    const stopping = consumer?.disconnect();
    this.releaseWaiting();
    await stopping?.catch(() => undefined);
    this.client?.destroyLeftoverSockets();
    this.client = undefined;
    if (failure) throw failure;
  }
}

/** Bounded mode: everything up to the end offset captured at open() was fetched. */
function fetchedAll(p: PartitionState): boolean {
  return Math.max(p.fetched, p.fetchedTo) >= p.stopAt;
}

/** The first `n` records of a piece, and the rest; copies, since each is transferred on its own. */
function splitPiece(piece: PackedBatch, n: number): [PackedBatch, PackedBatch] {
  let bytes = 0;
  for (let i = 0; i < n; i++) if (piece.lengths[i]! > 0) bytes += piece.lengths[i]!;
  const part = (from: number, to: number, byteFrom: number, byteTo: number): PackedBatch => ({
    split: piece.split,
    bytes: new Uint8Array(piece.bytes.subarray(byteFrom, byteTo)), // a copy (Buffer's slice() would share)
    lengths: piece.lengths.slice(from, to),
    offsets: piece.offsets.slice(from, to),
    timestamps: piece.timestamps?.slice(from, to),
    keys: piece.keys?.slice(from, to),
    ...(piece.keyLengths ? splitKeys(piece, from, to) : {}),
  });
  const count = piece.lengths.length;
  return [part(0, n, 0, bytes), part(n, count, bytes, piece.bytes.length)];
}

/** Keys of messages[from, to) back to back, as the values are packed. */
function packKeys(
  messages: readonly KafkaMessage[],
  from: number,
  to: number,
): { keyBytes: Uint8Array; keyLengths: Int32Array } {
  const keyLengths = new Int32Array(to - from);
  let total = 0;
  for (let i = from; i < to; i++) {
    const k = messages[i]!.key;
    keyLengths[i - from] = k === null || k === undefined ? -1 : k.length;
    if (k) total += k.length;
  }
  const keyBytes = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (let i = from; i < to; i++) {
    const k = messages[i]!.key;
    if (k) {
      keyBytes.set(k, at);
      at += k.length;
    }
  }
  return { keyBytes, keyLengths };
}

function splitKeys(
  piece: PackedBatch,
  from: number,
  to: number,
): { keyBytes: Uint8Array; keyLengths: Int32Array } {
  const lengths = piece.keyLengths!;
  let byteFrom = 0;
  for (let i = 0; i < from; i++) if (lengths[i]! > 0) byteFrom += lengths[i]!;
  let byteTo = byteFrom;
  for (let i = from; i < to; i++) if (lengths[i]! > 0) byteTo += lengths[i]!;
  return {
    keyBytes: new Uint8Array(piece.keyBytes!.subarray(byteFrom, byteTo)),
    keyLengths: lengths.slice(from, to),
  };
}
