// The embedded topic store: a durable, single-machine log with Kafka's model (topics, partitions,
// dense offsets, record timestamps and keys, consumer-group committed positions), kept in one
// SQLite file so a generator in one process and a job in another talk through it exactly as they
// would through a broker. Used for 'connector' = 'kafka' tables when no broker is configured.
//
// Durability: WAL mode with synchronous=NORMAL. A committed append survives the process being
// killed at any point; only a power loss/OS crash can drop the last few commits (never corrupt).
// Concurrency: any number of processes may open the same store. Readers never block; writers take
// SQLite's write lock with BEGIN IMMEDIATE and wait up to BUSY_TIMEOUT_MS for each other. Offsets
// are assigned inside that write transaction, so concurrent appenders never reuse an offset.
//
// Keys are partitioned with murmur2 exactly as Kafka's default partitioner does
// (toPositive(murmur2(utf8(key))) % partitions), so a key lands on the same partition number
// here as it would on a real broker with the same partition count.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ConnectorError, FintransError } from '../../engine/errors.js';

/**
 * A record without a value (Kafka's tombstone, which upsert-kafka writes for a delete): stored as
 * an empty BLOB, since the value column is NOT NULL (an empty text value stays an empty string).
 */
export const TOMBSTONE: Buffer = Buffer.alloc(0);

export interface StoredRecord {
  offset: number;
  key: string | null;
  /** Text formats' records are stored as text (readable with sqlite3), binary ones (Avro) as bytes. */
  value: string | Buffer;
  timestamp: number;
}

export interface NewRecord {
  key: string | null;
  value: string | Buffer;
  timestamp: number;
  /** Explicit partition; otherwise chosen from the key (murmur2) or round-robin when the key is null. */
  partition?: number;
}

export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

/** Name of the store's SQLite file inside its directory. */
export const STORE_FILE = 'topics.db';

/** How long a writer waits for another process's write transaction before giving up. */
const BUSY_TIMEOUT_MS = 15_000;

/** Bumped when the schema changes incompatibly; a store with another version is refused. */
const SCHEMA_VERSION = 1;

/** Kafka's own limits on topic names, kept so a job that works here also works against a broker. */
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const MAX_PARTITIONS = 10_000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS topics (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL UNIQUE,
    partitions INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS records (
    topic_id INTEGER NOT NULL,
    part     INTEGER NOT NULL,
    off      INTEGER NOT NULL,
    ts       INTEGER NOT NULL,
    key      TEXT,
    value    TEXT    NOT NULL,
    PRIMARY KEY (topic_id, part, off)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS group_offsets (
    grp      TEXT    NOT NULL,
    topic_id INTEGER NOT NULL,
    part     INTEGER NOT NULL,
    off      INTEGER NOT NULL,
    PRIMARY KEY (grp, topic_id, part)
  ) WITHOUT ROWID;
`;

interface TopicRow {
  id: number;
  partitions: number;
}

export class TopicStore {
  private readonly db: Database.Database;
  private closed = false;

  private readonly selectTopic: Database.Statement<[string], TopicRow>;
  private readonly selectTopics: Database.Statement<[], { name: string; partitions: number }>;
  private readonly insertTopic: Database.Statement<[string, number]>;
  private readonly deleteTopicRow: Database.Statement<[number]>;
  private readonly deleteTopicRecords: Database.Statement<[number]>;
  private readonly deleteTopicOffsets: Database.Statement<[number]>;
  private readonly insertRecord: Database.Statement<
    [number, number, number, number, string | null, string | Buffer]
  >;
  private readonly selectRecords: Database.Statement<[number, number, number, number], StoredRecord>;
  private readonly selectEndOffset: Database.Statement<[number, number], { next: number }>;
  private readonly selectOffsetForTs: Database.Statement<[number, number, number], { off: number }>;
  private readonly upsertGroupOffset: Database.Statement<[string, number, number, number]>;
  private readonly selectGroupOffset: Database.Statement<[string, number, number], { off: number }>;

  private readonly appendTx: Database.Transaction<
    (topic: string, records: readonly NewRecord[]) => { partition: number; offset: number }[]
  >;
  private readonly commitTx: Database.Transaction<
    (group: string, offsets: readonly PartitionOffset[]) => void
  >;
  private readonly runTx: Database.Transaction<(fn: () => unknown) => unknown>;

  /** Next partition for key-less records without an explicit partition, per topic (like Kafka's round-robin partitioner). */
  private readonly roundRobin = new Map<string, number>();
  /** Reused UTF-8 buffer for hashing keys, so partitioning a record allocates nothing. */
  private keyBytes = Buffer.allocUnsafe(256);

  private constructor(
    /** The SQLite file, for messages. */
    readonly path: string,
    db: Database.Database,
  ) {
    this.db = db;
    this.selectTopic = db.prepare('SELECT id, partitions FROM topics WHERE name = ?');
    this.selectTopics = db.prepare('SELECT name, partitions FROM topics ORDER BY name');
    this.insertTopic = db.prepare('INSERT INTO topics (name, partitions) VALUES (?, ?)');
    this.deleteTopicRow = db.prepare('DELETE FROM topics WHERE id = ?');
    this.deleteTopicRecords = db.prepare('DELETE FROM records WHERE topic_id = ?');
    this.deleteTopicOffsets = db.prepare('DELETE FROM group_offsets WHERE topic_id = ?');
    this.insertRecord = db.prepare(
      'INSERT INTO records (topic_id, part, off, ts, key, value) VALUES (?, ?, ?, ?, ?, ?)',
    );
    // Aliased to StoredRecord's field names so rows come back as StoredRecords with no copying.
    this.selectRecords = db.prepare(
      'SELECT off AS offset, key, value, ts AS timestamp FROM records WHERE topic_id = ? AND part = ? AND off >= ? ORDER BY off LIMIT ?',
    );
    this.selectEndOffset = db.prepare(
      'SELECT COALESCE(MAX(off) + 1, 0) AS next FROM records WHERE topic_id = ? AND part = ?',
    );
    // Walks the partition in offset order and stops at the first match: timestamps need not be
    // monotonic (producers set them), and this is a once-per-startup lookup, so no extra index
    // (which would slow every append) is kept for it.
    this.selectOffsetForTs = db.prepare(
      'SELECT off FROM records WHERE topic_id = ? AND part = ? AND ts >= ? ORDER BY off LIMIT 1',
    );
    this.upsertGroupOffset = db.prepare(
      'INSERT INTO group_offsets (grp, topic_id, part, off) VALUES (?, ?, ?, ?) ON CONFLICT (grp, topic_id, part) DO UPDATE SET off = excluded.off',
    );
    this.selectGroupOffset = db.prepare(
      'SELECT off FROM group_offsets WHERE grp = ? AND topic_id = ? AND part = ?',
    );

    this.appendTx = db.transaction((topic: string, records: readonly NewRecord[]) =>
      this.appendInTransaction(topic, records),
    );
    this.commitTx = db.transaction((group: string, offsets: readonly PartitionOffset[]) => {
      for (const o of offsets) {
        const t = this.requireTopic(o.topic);
        this.checkPartition(o.topic, t, o.partition);
        if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
          throw new ConnectorError(
            `cannot commit offset ${o.offset} for ${o.topic}/${o.partition} (group '${group}'): offsets are integers >= 0`,
          );
        }
        this.upsertGroupOffset.run(group, t.id, o.partition, o.offset);
      }
    });
    this.runTx = db.transaction((fn: () => unknown) => fn());
  }

  /** Opens (creating if missing) the store in `dir`: `<dir>/topics.db`. */
  static open(dir: string): TopicStore {
    const path = join(dir, STORE_FILE);
    let db: Database.Database | undefined;
    try {
      mkdirSync(dir, { recursive: true });
      // `timeout` is SQLite's busy_timeout, in force before the first statement so even the
      // journal-mode switch and schema creation wait for another process opening the store.
      db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      const conn = db;
      conn
        .transaction(() => {
          const version = conn.pragma('user_version', { simple: true }) as number;
          if (version !== 0 && version !== SCHEMA_VERSION) {
            throw new ConnectorError(
              `embedded topic store ${path} has schema version ${version}, this fintrans-sql reads version ${SCHEMA_VERSION}\n` +
                `  hint: delete the directory ${dir} to start a fresh store, or set FINTRANS_HOME to another directory`,
            );
          }
          conn.exec(SCHEMA);
          if (version === 0) conn.pragma(`user_version = ${SCHEMA_VERSION}`);
        })
        .immediate();
      return new TopicStore(path, db);
    } catch (e) {
      db?.close();
      if (e instanceof FintransError) throw e;
      throw new ConnectorError(
        `cannot open the embedded topic store ${path}: ${(e as Error).message}\n` +
          `  hint: the directory must be writable and the file must be a fintrans-sql store; ` +
          `set FINTRANS_HOME to use another directory`,
        { cause: e, retriable: isBusy(e) },
      );
    }
  }

  /** Creates a topic. Does nothing if it exists with the same partition count; an error if the count differs. */
  createTopic(name: string, partitions: number): void {
    checkTopicName(name);
    checkPartitionCount(name, partitions);
    this.write(`create topic '${name}'`, () =>
      this.runTx.immediate(() => {
        const existing = this.selectTopic.get(name);
        if (existing === undefined) {
          this.insertTopic.run(name, partitions);
        } else if (existing.partitions !== partitions) {
          throw new ConnectorError(
            `topic '${name}' already exists in the embedded topic store with ${existing.partitions} partition(s), not ${partitions}\n` +
              `  hint: use ${existing.partitions} partition(s), a new topic name, or delete the topic first`,
          );
        }
      }),
    );
  }

  /** The topic's partition count, creating it with `defaultPartitions` if missing (Kafka's auto.create.topics). */
  ensureTopic(name: string, defaultPartitions: number): number {
    const existing = this.selectTopic.get(name);
    if (existing !== undefined) return existing.partitions;
    checkTopicName(name);
    checkPartitionCount(name, defaultPartitions);
    return this.write(
      `create topic '${name}'`,
      () =>
        this.runTx.immediate(() => {
          // Another process may have created it since the look-up above.
          const raced = this.selectTopic.get(name);
          if (raced !== undefined) return raced.partitions;
          this.insertTopic.run(name, defaultPartitions);
          return defaultPartitions;
        }) as number,
    );
  }

  /**
   * Grows a topic to `partitions` partitions (Kafka's createPartitions: counts only go up; the
   * existing partitions and their records stay). No-op if it already has that many. Running
   * embedded sources pick the new partitions up at their next discovery.
   */
  addPartitions(name: string, partitions: number): void {
    checkPartitionCount(name, partitions);
    this.write(`add partitions to topic '${name}'`, () =>
      this.runTx.immediate(() => {
        const t = this.requireTopic(name);
        if (partitions < t.partitions) {
          throw new ConnectorError(
            `topic '${name}' has ${t.partitions} partition(s): it cannot shrink to ${partitions}\n` +
              `  hint: partitions can only be added (as in Kafka); delete the topic to start over`,
          );
        }
        if (partitions > t.partitions)
          this.db.prepare('UPDATE topics SET partitions = ? WHERE id = ?').run(partitions, t.id);
      }),
    );
  }

  topics(): { name: string; partitions: number }[] {
    return this.selectTopics.all();
  }

  partitionCount(topic: string): number | undefined {
    return this.selectTopic.get(topic)?.partitions;
  }

  /**
   * Appends in ONE SQLite transaction (all or nothing) and returns each record's partition and
   * offset. Partition = record.partition ?? (key !== null ? murmur2(key) % n : round-robin per
   * store instance). Offsets are dense per partition starting at 0.
   */
  append(topic: string, records: readonly NewRecord[]): { partition: number; offset: number }[] {
    if (records.length === 0) return [];
    return this.write(`append to topic '${topic}'`, () => this.appendTx.immediate(topic, records));
  }

  private appendInTransaction(
    topic: string,
    records: readonly NewRecord[],
  ): { partition: number; offset: number }[] {
    const t = this.requireTopic(topic);
    const n = t.partitions;
    // Next offset per partition, looked up lazily inside the write transaction so no other
    // process can take the same offsets.
    const next = new Array<number>(n).fill(-1);
    let rr = this.roundRobin.get(topic) ?? 0;
    const placed = new Array<{ partition: number; offset: number }>(records.length);
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      let p: number;
      if (r.partition !== undefined) {
        p = r.partition;
        this.checkPartition(topic, t, p);
      } else if (r.key !== null) {
        p = this.partitionForKey(r.key, n);
      } else {
        p = rr;
        rr = rr + 1 === n ? 0 : rr + 1;
      }
      let off = next[p]!;
      if (off < 0) off = this.selectEndOffset.get(t.id, p)!.next;
      next[p] = off + 1;
      this.insertRecord.run(t.id, p, off, r.timestamp, r.key, r.value);
      placed[i] = { partition: p, offset: off };
    }
    this.roundRobin.set(topic, rr);
    return placed;
  }

  /** Up to `maxRecords` records of one partition from `fromOffset` on, in offset order. */
  read(topic: string, partition: number, fromOffset: number, maxRecords: number): StoredRecord[] {
    const t = this.requireTopic(topic);
    this.checkPartition(topic, t, partition);
    if (maxRecords <= 0) return [];
    return this.selectRecords.all(t.id, partition, Math.max(0, fromOffset), maxRecords);
  }

  /** The next offset to be written in the partition (Kafka's high watermark / log end offset). */
  endOffset(topic: string, partition: number): number {
    const t = this.requireTopic(topic);
    this.checkPartition(topic, t, partition);
    return this.selectEndOffset.get(t.id, partition)!.next;
  }

  /** The first offset whose record timestamp is >= `timestampMs`, or the end offset if there is none. */
  offsetForTimestamp(topic: string, partition: number, timestampMs: number): number {
    const t = this.requireTopic(topic);
    this.checkPartition(topic, t, partition);
    const row = this.selectOffsetForTs.get(t.id, partition, timestampMs);
    return row !== undefined ? row.off : this.selectEndOffset.get(t.id, partition)!.next;
  }

  /** Records the group's positions; `offset` is the next offset to read, as in Kafka. All or nothing. */
  commitOffsets(group: string, offsets: readonly PartitionOffset[]): void {
    if (offsets.length === 0) return;
    this.write(`commit offsets of group '${group}'`, () => this.commitTx.immediate(group, offsets));
  }

  /** The group's committed position (next offset to read), or undefined if it never committed one. */
  committedOffset(group: string, topic: string, partition: number): number | undefined {
    const t = this.selectTopic.get(topic);
    if (t === undefined) return undefined;
    return this.selectGroupOffset.get(group, t.id, partition)?.off;
  }

  /**
   * Runs `fn` in one write transaction: everything it does through this store (appends, commits)
   * becomes visible together or not at all, which is what exactly-once sinks build on (sink
   * writes + source offsets in one commit). Nested calls join the outer transaction. `fn` must be
   * synchronous. If it throws, nothing it did is kept and the error is rethrown.
   */
  transaction<T>(fn: () => T): T {
    return this.write('run a transaction', () => this.runTx.immediate(fn) as T);
  }

  /**
   * Removes the records at and after `offset` in one partition: how an exactly-once sink takes
   * back what it wrote after its last checkpoint before writing it again on recovery.
   */
  truncate(topic: string, partition: number, offset: number): void {
    const t = this.requireTopic(topic);
    this.checkPartition(topic, t, partition);
    this.write(`truncate topic '${topic}'`, () =>
      this.runTx.immediate(() =>
        this.db
          .prepare('DELETE FROM records WHERE topic_id = ? AND part = ? AND off >= ?')
          .run(t.id, partition, offset),
      ),
    );
  }

  /** Deletes the topic with its records and every group's committed offsets for it. No-op if missing. */
  deleteTopic(name: string): void {
    this.write(`delete topic '${name}'`, () =>
      this.runTx.immediate(() => {
        const t = this.selectTopic.get(name);
        if (t === undefined) return;
        this.deleteTopicRecords.run(t.id);
        this.deleteTopicOffsets.run(t.id);
        this.deleteTopicRow.run(t.id);
      }),
    );
    this.roundRobin.delete(name);
  }

  /** Closes the connection. Idempotent; the store must not be used afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private requireTopic(topic: string): TopicRow {
    const t = this.selectTopic.get(topic);
    if (t === undefined) {
      const known = this.selectTopics.all().map((r) => r.name);
      throw new ConnectorError(
        `topic '${topic}' does not exist in the embedded topic store ${this.path}\n` +
          `  hint: ${known.length > 0 ? `existing topics: ${known.join(', ')}; ` : ''}create it first (or let a producer auto-create it)`,
      );
    }
    return t;
  }

  private checkPartition(topic: string, t: TopicRow, partition: number): void {
    if (!Number.isInteger(partition) || partition < 0 || partition >= t.partitions) {
      throw new ConnectorError(
        `partition ${partition} does not exist in topic '${topic}', which has ${t.partitions} partition(s) (0..${t.partitions - 1})`,
      );
    }
  }

  /** Kafka's default partitioner: toPositive(murmur2(utf8 bytes of key)) % partitions. */
  private partitionForKey(key: string, partitions: number): number {
    // A UTF-16 code unit is at most 3 UTF-8 bytes.
    if (this.keyBytes.length < key.length * 3) this.keyBytes = Buffer.allocUnsafe(key.length * 3);
    const len = this.keyBytes.write(key, 0, 'utf8');
    return (murmur2(this.keyBytes, len) & 0x7fffffff) % partitions;
  }

  /** Runs a write and turns SQLite failures (lock timeouts, full disk) into ConnectorErrors. */
  private write<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof Database.SqliteError)) throw e;
      const busy = isBusy(e);
      throw new ConnectorError(
        `cannot ${doing} in the embedded topic store ${this.path}: ${e.message}` +
          (busy
            ? `\n  hint: another process held the store's write lock for more than ${BUSY_TIMEOUT_MS / 1000}s; try again`
            : ''),
        { cause: e, retriable: busy },
      );
    }
  }
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

function checkTopicName(name: string): void {
  if (!TOPIC_NAME.test(name) || name === '.' || name === '..') {
    throw new ConnectorError(
      `invalid topic name '${name}'\n  hint: topic names are 1-249 characters of letters, digits, '.', '_' and '-' (as in Kafka)`,
    );
  }
}

function checkPartitionCount(topic: string, partitions: number): void {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
    throw new ConnectorError(
      `topic '${topic}' cannot have ${partitions} partitions\n  hint: use a whole number from 1 to ${MAX_PARTITIONS}`,
    );
  }
}

/**
 * Kafka's murmur2 (the 32-bit MurmurHash2 variant with seed 0x9747b28c used by its default
 * partitioner) over data[0..length). Returns a signed 32-bit int like Java's.
 */
export function murmur2(data: Uint8Array, length: number = data.length): number {
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  switch (length & 3) {
    case 3:
      h ^= data[whole + 2]! << 16;
    // falls through
    case 2:
      h ^= data[whole + 1]! << 8;
    // falls through
    case 1:
      h ^= data[whole]!;
      h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}
