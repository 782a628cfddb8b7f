// The one interface every connector implements (filesystem, print, kafka, embedded, elasticsearch, jdbc).
// A connector is a definition object: its name, the metadata columns it can fill, and factories
// for a source and a sink. Options are read (and validated) when the factories run, which is at
// plan time, so a job with a bad option fails before it reads anything.

import type { OptionBag } from '../engine/options.js';
import type { Row, RowKind, Schema, SqlType } from '../engine/types.js';
import type { SourcePos } from '../engine/errors.js';
import type { FormatDefinition } from '../engine/formats/api.js';

/** What a connector gets to build a source or sink for one table. */
export interface ConnectorContext {
  /** The table's name as declared. */
  readonly table: string;
  readonly tablePos: SourcePos;
  /** The WITH options except 'connector'. Read what you need; leftovers are rejected after the format read its part. */
  readonly options: OptionBag;
  /** Physical columns (what the format decodes / encodes), in declaration order. */
  readonly physical: Schema;
  /** PRIMARY KEY columns (indexes into the sink row), when declared. */
  readonly primaryKey?: readonly number[];
  /** Job-level settings: SET statements and CLI --set/--brokers, e.g. 'kafka.brokers'. */
  readonly settings: ReadonlyMap<string, string>;
  /** Directory relative paths are resolved against (the CLI's working directory). */
  readonly cwd: string;
  /** The METADATA keys the table's columns read ('timestamp', 'key', ...): per-record ones nobody reads need not be made. */
  readonly metadataKeys?: readonly string[];
  /** The table's `format` (or `value.format`), resolved by the planner, for connectors that use one. */
  readonly format?: FormatDefinition;
  /** Tells the user something they must know about their data (e.g. an earlier output kept aside). */
  readonly notify?: (message: string) => void;
}

/** Records' bytes back to back: record i is bytes[starts[i], ends[i]); starts[i] < 0: no bytes (a tombstone). */
export interface RecordBytes {
  readonly bytes: Buffer;
  readonly starts: ArrayLike<number>;
  readonly ends: ArrayLike<number>;
}

/** A raw record batch from one split, column-wise so a batch costs a few arrays, not an object per record. */
export interface RawBatch {
  /** Index of the split (file, partition) the records come from, into SourceReader.splits. */
  readonly split: number;
  /** How many records. */
  readonly count: number;
  /**
   * The record values (a line of a file, a Kafka message value) as bytes, which the table's
   * format decodes. Absent with `rows` (typed records).
   */
  readonly values?: RecordBytes;
  /** Message keys' bytes (Kafka), for connectors whose key has a format of its own (upsert-kafka). */
  readonly keys?: RecordBytes;
  /** Position of each record inside its split, for error messages and checkpoints (line number, offset). */
  readonly positions: ArrayLike<number>;
  /** Per-record metadata for METADATA columns the connector fills per record ('timestamp', 'key', 'offset'). */
  readonly metadata?: ReadonlyMap<string, ArrayLike<unknown>>;
  /**
   * Typed records, for connectors that decode records themselves (jdbc's typed columns,
   * upsert-kafka's key and value formats): `rows[i]` holds record i's physical columns in
   * declaration order, already in the engine's row layout, and no format decodes them.
   */
  readonly rows?: readonly (readonly unknown[] | null)[];
  /** With `rows`: each row's kind (+I/-U/+U/-D), for changelog sources (upsert-kafka); absent: all +I. */
  readonly kinds?: ArrayLike<RowKind>;
  /**
   * With `rows`: why record i could not be decoded (rows[i] is then null), for the runner to stop
   * the job or skip and count it ('*.ignore-parse-errors'), and `raw[i]` the record as text to show.
   */
  readonly problems?: readonly (string | null)[];
  readonly raw?: readonly (string | null)[];
}

export interface SplitInfo {
  /** Human-readable, used in messages: `data/tx.csv`, `transactions/2`. */
  readonly name: string;
  /** Between the name and a position in messages: ':' for file lines (`tx.csv:17`), '@' for offsets. */
  readonly positionSeparator?: string;
  /** Metadata constant for the whole split ('topic', 'partition', 'file.path'). */
  readonly metadata?: ReadonlyMap<string, unknown>;
}

export type PollResult = PollResultOf<RawBatch>;

/** What a poll gives, for a batch type (RawBatch; the Kafka reader thread's packed batches). */
export type PollResultOf<Batch> =
  | { readonly kind: 'batch'; readonly batch: Batch }
  /** The split has no more records (a file fully read, a bounded partition at its end offset). */
  | { readonly kind: 'split-end'; readonly split: number }
  /**
   * Nothing right now (unbounded source); try again later. `waiting`: records are known to be on
   * their way (a broker reconnecting, a backlog not fetched yet), so this is not the end of input
   * for --until-idle and idle time does not count toward 'scan.watermark.idle-timeout'.
   */
  | { readonly kind: 'idle'; readonly waiting?: boolean }
  /** Every split has ended: the source is exhausted. */
  | { readonly kind: 'end' };

export interface SourceReader {
  /** Known splits; may grow for unbounded sources (new partitions). */
  readonly splits: readonly SplitInfo[];
  /** Whether this source ends by itself (a file) or runs until stopped (a topic). */
  readonly bounded: boolean;
  open(): Promise<void>;
  /** Next records, up to `maxRecords`. Readers should interleave splits so event time advances evenly. */
  poll(maxRecords: number): Promise<PollResult>;
  /** Where each split stands (next position to read), for checkpoints. */
  positions(): Record<string, number>;
  /** Where a run without a checkpoint starts reading, in words (e.g. "its consumer group's committed offsets"). */
  startsAt?(): string;
  /** Resume from positions returned by positions() (called before open()). */
  seek(positions: Record<string, number>): void;
  /** Called after the rows produced from everything read so far are safely in the sinks. */
  commit?(): Promise<void>;
  close(): Promise<void>;
}

export interface SinkWriter {
  /**
   * Called once when the job starts, after its sources opened and after restore(): check that the
   * sink can be written (fail now, not at the first flush) and prepare it. Never destroys what an
   * earlier run wrote.
   */
  prepare?(): Promise<void>;
  /**
   * What changes the sink can apply (decided from its options when it is created, which is at plan
   * time): 'insert-only' (default) appends rows and cannot take one back; 'upsert' applies +I/+U as
   * the new row of their PRIMARY KEY and -D as its removal (-U rows are not passed); 'all' takes
   * every kind as it comes (print shows them).
   */
  readonly accepts?: ChangelogAcceptance;
  /**
   * Buffers rows of the sink's schema. Synchronous: called from the operator chain. `kinds[i]` is
   * the RowKind of `rows[i]`; absent means every row is an insert (+I).
   */
  write(rows: readonly Row[], kinds?: readonly RowKind[]): void;
  /**
   * Sinks whose rows become bytes one after another, whatever came before (a file's text lines):
   * the bytes write(rows) would append for `rows`, or null when this sink cannot say (a container
   * file). Parallel runs encode in their workers and hand the bytes to writeEncoded.
   */
  encode?(rows: readonly Row[]): Uint8Array | null;
  /** Appends what encode() made of `rows` rows, in order with the rows written. */
  writeEncoded?(bytes: Uint8Array, rows: number): void;
  /** Rows buffered and not yet flushed; the runtime flushes when this grows large (backpressure). */
  readonly pending: number;
  flush(): Promise<void>;
  close(): Promise<void>;
  /**
   * Exactly-once sinks: where the sink stands after a flush (file length, topic end offsets), kept
   * in the checkpoint. On recovery, restore() is called before any write and takes back whatever
   * was written after that point, so replayed rows are not written twice. Sinks without these
   * methods are at-least-once.
   */
  position?(): unknown;
  restore?(position: unknown): void;
  /**
   * Two-phase (transactional) sinks: makes the rows flushed since the last commit visible. Called
   * after the checkpoint holding position() was saved as pending; the checkpoint is confirmed
   * once every such sink committed. Without a checkpoint store, called after every flush.
   */
  commit?(): Promise<void>;
  /**
   * Recovery, before restore(): whether the commit() that followed the pending checkpoint holding
   * `position` went through (it decides whether that checkpoint stands or is discarded).
   */
  committed?(position: unknown): Promise<boolean>;
  /** One line for the final summary: `12 rows → output/laundering.csv`. */
  describe(): string;
  readonly rowsWritten: number;
}

/** What changes a sink applies: see SinkWriter.accepts. */
export type ChangelogAcceptance = 'insert-only' | 'upsert' | 'all';

/**
 * Point lookups into a table, for lookup joins (`JOIN t FOR SYSTEM_TIME AS OF o.proc_time ON
 * o.k = t.k`): the join asks for the rows whose key columns equal the probe row's values, as
 * Flink's LookupTableSource does. Made by ConnectorDefinition.createLookup at plan time (options
 * checked then); open() before the first lookup, close() at the end.
 *
 * Keys are given in the order of the `keyColumns` passed to createLookup, each in the engine's
 * layout of that column's declared type (cast the probe side first: an INT key takes a number,
 * a DECIMAL(10, 2) key an unscaled bigint at scale 2). A NULL key matches nothing (SQL equality),
 * without asking the database. Rows come back as physical rows of the table (declaration order),
 * every row whose key columns equal the key (a key need not be unique); none is []. Rows may be
 * shared with a cache: never modify them.
 *
 * Failures the connector may retry (its 'lookup.max-retries') are retried inside; what is left is
 * a ConnectorError that fails the job, so a lookup never silently answers "no rows" for a database
 * it could not ask.
 */
export interface LookupReader {
  /** Connects and checks the table's columns against the declared ones; fails the job when it cannot. */
  open(): Promise<void>;
  lookup(key: readonly unknown[]): Promise<readonly Row[]>;
  /**
   * Several keys at once (one round trip for the ones not cached): `result[i]` answers `keys[i]`.
   * A join that gathers a batch of probe rows should call this rather than lookup() per row.
   */
  lookupMany(keys: readonly (readonly unknown[])[]): Promise<readonly (readonly Row[])[]>;
  /** Counters for summaries and tests. */
  readonly stats: LookupStats;
  /** One line for the final summary: `1200 lookups in 'accounts' (1100 cache hits)`. */
  describe(): string;
  close(): Promise<void>;
}

export interface LookupStats {
  /** Keys asked for (lookup() counts 1, lookupMany() one per key). */
  lookups: number;
  /** Keys answered from the cache (found or cached as missing). */
  cacheHits: number;
  /** Keys the database was asked for. */
  cacheMisses: number;
  /** Statements sent to the database. */
  queries: number;
  /** Statements sent again after a failure. */
  retries: number;
  /** Keys held in the cache now. */
  cachedKeys: number;
}

export interface ConnectorDefinition {
  readonly name: string;
  /** METADATA keys this connector fills, with their types (e.g. kafka: topic STRING, partition INT). */
  readonly metadata: ReadonlyMap<string, SqlType>;
  /** Whether this connector's sink needs/accepts a format option. */
  readonly usesFormat: boolean;
  /** Its source is a changelog whatever the format (upsert-kafka: upserts and deletes by key). */
  readonly changelog?: boolean;
  /** Returns undefined if the connector cannot be a source. */
  createSource?(ctx: ConnectorContext): SourceReader;
  createSink?(ctx: ConnectorContext): SinkWriter;
  /**
   * For connectors a lookup join can query (jdbc): point lookups by `keyColumns`, indexes into
   * ctx.physical (the join's equality columns on this table's side). See LookupReader.
   */
  createLookup?(ctx: ConnectorContext, keyColumns: readonly number[]): LookupReader;
}

/** Texts (or bytes; null: no value) as one buffer with each record's range: tests, small sources. */
export function packRecords(values: readonly (string | Uint8Array | null)[]): RecordBytes {
  const n = values.length;
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  let total = 0;
  for (const v of values) if (v !== null) total += typeof v === 'string' ? Buffer.byteLength(v) : v.length;
  const bytes = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v === null) {
      starts[i] = ends[i] = -1;
      continue;
    }
    starts[i] = at;
    if (typeof v === 'string') at += bytes.write(v, at, 'utf8');
    else {
      bytes.set(v, at);
      at += v.length;
    }
    ends[i] = at;
  }
  return { bytes, starts, ends };
}

/** The records of a batch as text (null: no value), for tests and messages. */
export function recordTexts(values: RecordBytes, count: number): (string | null)[] {
  const out: (string | null)[] = [];
  for (let i = 0; i < count; i++)
    out.push(
      values.starts[i]! < 0 ? null : values.bytes.toString('utf8', values.starts[i]!, values.ends[i]!),
    );
  return out;
}
