// A 'kafka' table read from a broker. The reading itself (kafkajs consumer, group, offsets,
// backpressure, discovery: reader.ts) runs in a thread of its own (reader-thread.ts): decoding
// fetch responses costs kafkajs about as much CPU as the whole query, and on its own thread it runs
// alongside the query instead of before it. This class is the job's side: it takes the batches the
// thread hands on as record bytes (each value a range of the batch's one buffer: no copy), and
// remembers the positions of what the job has taken, which are what checkpoints and commits use.

import { Worker } from 'node:worker_threads';
import { ConnectorError } from '../../engine/errors.js';
import type { PollResult, RawBatch, RecordBytes, SourceReader, SplitInfo } from '../api.js';
import { describeStartup, type KafkaTableOptions } from './options.js';
import type { PackedBatch, ReaderPollResult } from './reader.js';

/** What the reader thread is started with (structured-cloned): the client settings are made there. */
export interface ReaderInit {
  readonly options: KafkaTableOptions;
  readonly brokers: string;
  readonly properties: ReadonlyMap<string, string>;
  readonly cwd: string;
  readonly clientId: string;
  /** Who is reading, for messages: `table 'tx' (Kafka host:9092, group 'g')`. */
  readonly where: string;
  readonly metadataKeys: readonly string[];
}

export type ToReader =
  | { readonly type: 'open'; readonly id: number; readonly seek?: Record<string, number> }
  | { readonly type: 'poll'; readonly id: number; readonly maxRecords: number }
  /** The job took a batch the thread pushed: room for one more. */
  | { readonly type: 'ack' }
  | { readonly type: 'commit'; readonly positions: Record<string, number> }
  | { readonly type: 'close'; readonly id: number };

export interface ReaderFailure {
  readonly message: string;
  readonly stack?: string;
  readonly retriable: boolean;
  /** A ConnectorError (the broker, the topic, the group), not a bug. */
  readonly connector: boolean;
}

/** `id` 0: pushed by the thread; otherwise the answer to that request. */
export type FromReader =
  | {
      readonly type: 'opened';
      readonly id: number;
      readonly splits: SplitInfo[];
      readonly positions: Record<string, number>;
    }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly result: ReaderPollResult;
      readonly positions: Record<string, number>;
      readonly splits?: SplitInfo[];
    }
  | {
      readonly type: 'failed';
      readonly id: number;
      readonly error: ReaderFailure;
      readonly splits?: SplitInfo[];
    }
  | { readonly type: 'closed'; readonly id: number; readonly error?: ReaderFailure };

/**
 * The reader thread's young generation (V8's default is 48 MB on this size of machine): room for
 * the fetches kafkajs has decoded and not handed on yet, so they die young instead of being promoted
 * (with the default, GC took ~30 % of the thread when the job's thread kept the other core busy).
 */
const READER_YOUNG_GENERATION_MB = 64;

type Result = Extract<FromReader, { type: 'result' | 'failed' }>;
/** A request to the thread, before request() gives it its id. */
type Request<R = Extract<ToReader, { id: number }>> = R extends unknown ? Omit<R, 'id'> : never;

export class KafkaTopicSource implements SourceReader {
  readonly bounded: boolean;
  readonly splits: SplitInfo[] = [];
  private worker?: Worker;
  /** Results the job has not taken yet, in order; `pushed`: sent ahead by the thread (taking one gives it room for another). */
  private readonly queue: { readonly m: Result; readonly pushed: boolean }[] = [];
  private readonly waiting = new Map<number, (m: FromReader) => void>();
  private nextId = 1;
  /** Where the job stands: the positions that came with the last result it took. */
  private taken: Record<string, number> = {};
  private seekTo?: Record<string, number>;
  /** The thread died (a bug, or out of memory): every later call reports this. */
  private dead?: Error;

  constructor(private readonly init: ReaderInit) {
    this.bounded = init.options.boundedLatest;
  }

  startsAt(): string {
    return describeStartup(this.init.options);
  }

  async open(): Promise<void> {
    const worker = new Worker(readerThreadUrl(), {
      workerData: this.init,
      resourceLimits: { maxYoungGenerationSizeMb: READER_YOUNG_GENERATION_MB },
    });
    this.worker = worker;
    worker.on('message', (m: FromReader) => this.receive(m));
    worker.on('error', (e) =>
      this.died(
        new ConnectorError(`${this.init.where}: the Kafka reader thread failed: ${e.message}`, { cause: e }),
      ),
    );
    worker.on('exit', (code) =>
      this.died(new ConnectorError(`${this.init.where}: the Kafka reader thread exited (code ${code})`)),
    );
    try {
      const m = await this.request({ type: 'open', seek: this.seekTo });
      if (m.type === 'opened') {
        this.splits.push(...m.splits);
        this.taken = m.positions;
      }
    } catch (e) {
      // The job closes only what opened: stop the thread (and its consumer) here.
      this.worker = undefined;
      await worker.terminate();
      throw e;
    }
  }

  async poll(maxRecords: number): Promise<PollResult> {
    if (this.queue.length === 0) {
      const m = (await this.request({ type: 'poll', maxRecords })) as Result;
      if (this.queue.length === 0) return this.take(m);
      // Batches pushed while the request was on its way come first; an 'idle' behind them is stale.
      if (!(m.type === 'result' && m.result.kind === 'idle')) this.queue.push({ m, pushed: false });
    }
    const { m, pushed } = this.queue.shift()!;
    if (pushed) this.worker?.postMessage({ type: 'ack' } satisfies ToReader);
    return this.take(m);
  }

  private take(m: Result): PollResult {
    if (m.type === 'failed') throw rebuild(m.error);
    this.taken = m.positions;
    const r = m.result;
    return r.kind === 'batch' ? { kind: 'batch', batch: unpack(r.batch) } : r;
  }

  positions(): Record<string, number> {
    return { ...this.taken };
  }

  seek(positions: Record<string, number>): void {
    this.seekTo = positions;
  }

  /** Commits the positions of what the job took (the thread has read further). In the background, as before. */
  async commit(): Promise<void> {
    if (this.dead) return;
    this.worker?.postMessage({ type: 'commit', positions: this.taken } satisfies ToReader);
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    try {
      if (this.dead) return;
      const m = await this.request({ type: 'close' });
      if (m.type === 'closed' && m.error) throw rebuild(m.error);
    } finally {
      this.worker = undefined;
      await worker.terminate();
    }
  }

  private request(message: Request): Promise<FromReader> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<FromReader>((resolve, reject) => {
      this.waiting.set(id, (m) => (m.type === 'failed' ? reject(rebuild(m.error)) : resolve(m)));
      this.worker!.postMessage({ ...message, id });
    });
  }

  private receive(m: FromReader): void {
    if ((m.type === 'result' || m.type === 'failed') && m.splits) this.splits.push(...m.splits);
    if (m.id === 0) {
      this.queue.push({ m: m as Result, pushed: true });
      return;
    }
    const answer = this.waiting.get(m.id);
    this.waiting.delete(m.id);
    answer?.(m);
  }

  private died(e: Error): void {
    if (this.dead || !this.worker) return;
    this.dead = e;
    for (const answer of this.waiting.values())
      answer({ type: 'failed', id: -1, error: { message: e.message, retriable: true, connector: true } });
    this.waiting.clear();
  }
}

/** The compiled thread file; from the TypeScript sources (vitest), the one `npm run build` made. */
function readerThreadUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/connectors/kafka/reader-thread.js', import.meta.url)
    : new URL('./reader-thread.js', import.meta.url);
}

function rebuild(f: ReaderFailure): Error {
  if (f.connector) return new ConnectorError(f.message, { retriable: f.retriable });
  const e = new Error(f.message);
  if (f.stack) e.stack = f.stack;
  return e;
}

function unpack(b: PackedBatch): RawBatch {
  const bytes = Buffer.from(b.bytes.buffer, b.bytes.byteOffset, b.bytes.byteLength);
  const n = b.lengths.length;
  const metadata = new Map<string, ArrayLike<unknown>>([['offset', b.offsets]]);
  if (b.timestamps) metadata.set('timestamp', b.timestamps);
  if (b.keys) metadata.set('key', b.keys);
  return {
    split: b.split,
    count: n,
    values: ranges(bytes, b.lengths),
    keys: b.keyBytes ? unpackKeys(b.keyBytes, b.keyLengths!) : undefined,
    positions: b.offsets,
    metadata,
  };
}

/** Message keys' bytes as packed by the reader (lengths, -1: no key) as ranges. */
function unpackKeys(packed: Uint8Array, lengths: Int32Array): RecordBytes {
  return ranges(Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength), lengths);
}

/** Each record's range in bytes that hold the records back to back; a length of -1 (a tombstone, no key) has none. */
function ranges(bytes: Buffer, lengths: Int32Array): RecordBytes {
  const n = lengths.length;
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const length = lengths[i]!;
    if (length < 0) {
      starts[i] = -1;
      ends[i] = -1;
    } else {
      starts[i] = at;
      at += length;
      ends[i] = at;
    }
  }
  return { bytes, starts, ends };
}
