// A 'jdbc' table as a sink, as Flink's JDBC sink writes PostgreSQL:
//
// - Without a PRIMARY KEY: append. Every row is an INSERT (many rows per statement); the sink
//   accepts insert-only input.
// - With a PRIMARY KEY: upsert. +I/+U become INSERT ... ON CONFLICT (key) DO UPDATE SET ... (the
//   key's new row), -D becomes DELETE ... WHERE key = ...; the runtime drops -U before it gets
//   here. The PostgreSQL table needs a primary key or unique index on exactly those columns (what
//   ON CONFLICT uses), checked when the job starts.
//
// Buffering: write() only buffers. A flush starts in the background when
// 'sink.buffer-flush.max-rows' rows are buffered or 'sink.buffer-flush.interval' has passed since
// the last one; flush() (checkpoints, the end of the job, backpressure) waits until everything
// buffered is in the database. Flushes are serial, so changes of one key reach PostgreSQL in order;
// within one flush only the last change of each key is sent (what PostgreSQL would end with), and
// the whole flush is one transaction.
//
// Failures: a flush that fails for a reason that may pass (the connection, the server restarting)
// is tried again ('sink.max-retries', after 1 s, 2 s, ...) on a new connection; a statement
// PostgreSQL refuses (a constraint, a value too long) fails the job at once. Rows are never
// dropped: until their flush commits they stay buffered (`pending` counts them), and a failed job
// resumes from its last checkpoint, which was taken after a flush that committed.
//
// Delivery: at-least-once. Rows written after the last checkpoint are written again when a job
// resumes: with a PRIMARY KEY that rewrites the same rows (idempotent upserts, so the table ends as
// if written once); without one, those rows are appended twice.

import { ConnectorError } from '../../engine/errors.js';
import {
  DELETE,
  INSERT,
  UPDATE_AFTER,
  UPDATE_BEFORE,
  type Row,
  type RowKind,
  type Schema,
} from '../../engine/types.js';
import type { ChangelogAcceptance, SinkWriter } from '../api.js';
import {
  backoffMs,
  failure,
  isRetriable,
  loadTableInfo,
  matchColumns,
  PgSession,
  quoteIdent,
  serverText,
  sleep,
} from './connection.js';
import type { JdbcOptions } from './options.js';
import { toText } from './pg-types.js';

/** PostgreSQL takes at most 65535 parameters per statement. */
const MAX_PARAMETERS = 65_535;

interface Change {
  readonly row: Row;
  /** true: upsert (or append) the row; false: delete its key. */
  readonly upsert: boolean;
}

export class JdbcSink implements SinkWriter {
  readonly accepts: ChangelogAcceptance;
  rowsWritten = 0;
  /** Flushes tried again after a failure, for the summary and tests. */
  retries = 0;
  private buffer: Change[] = [];
  private inFlight = 0;
  private sending: Promise<void> | null = null;
  /** A background flush's error, thrown by the next write() or flush(). */
  private failure: Error | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastFlushAt = Date.now();
  private session: PgSession | null = null;
  private readonly encoders: ((v: unknown) => string | null)[];
  private sqlName = '';
  private columnList = '';
  private upsertTail = '';
  private keyColumnList = '';

  constructor(
    private readonly o: JdbcOptions,
    /** "jdbc table 'alerts'", for messages. */
    private readonly title: string,
    private readonly physical: Schema,
    /** PRIMARY KEY columns (indexes into the row), when declared: upsert mode. */
    private readonly primaryKey: readonly number[] | undefined,
  ) {
    this.accepts = primaryKey && primaryKey.length > 0 ? 'upsert' : 'insert-only';
    this.encoders = physical.map((f) => toText(f.type));
  }

  get pending(): number {
    return this.buffer.length + this.inFlight;
  }

  /** Connects and checks the PostgreSQL table (columns, types, the key ON CONFLICT needs) before any row is written. */
  async prepare(): Promise<void> {
    try {
      await this.checkTable(await this.connect());
    } catch (e) {
      // A job that cannot start may not close its sinks: an open connection would keep the process alive.
      await this.session?.close();
      this.session = null;
      throw e;
    }
  }

  private async checkTable(s: PgSession): Promise<void> {
    const info = await loadTableInfo(s, this.o, this.title);
    const pgColumns = matchColumns(info, this.physical, 'write', this.title);
    this.sqlName = info.sqlName;
    this.columnList = pgColumns.map((c) => quoteIdent(c.name)).join(', ');
    if (this.accepts === 'upsert') {
      const keyNames = this.primaryKey!.map((i) => pgColumns[i]!.name);
      const sameSet = (k: readonly string[]) =>
        k.length === keyNames.length && keyNames.every((n) => k.includes(n));
      if (!info.uniqueKeys.some(sameSet)) {
        const declared = this.primaryKey!.map((i) => this.physical[i]!.name).join(', ');
        throw new ConnectorError(
          `${this.title}: PRIMARY KEY (${declared}) is not a primary key or unique index of PostgreSQL table ${info.sqlName}` +
            `${info.primaryKey ? ` (its primary key is (${info.primaryKey.join(', ')}))` : ' (it has no primary key)'}: upserts (INSERT ... ON CONFLICT) need one\n` +
            `  hint: ALTER TABLE ${info.sqlName} ADD PRIMARY KEY (${keyNames.join(', ')}), or declare the table's PRIMARY KEY as PostgreSQL's`,
        );
      }
      this.keyColumnList = keyNames.map(quoteIdent).join(', ');
      const others = pgColumns.filter((_, i) => !this.primaryKey!.includes(i)).map((c) => quoteIdent(c.name));
      this.upsertTail =
        others.length === 0
          ? ` ON CONFLICT (${this.keyColumnList}) DO NOTHING`
          : ` ON CONFLICT (${this.keyColumnList}) DO UPDATE SET ${others.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`;
    }
  }

  write(rows: readonly Row[], kinds?: readonly RowKind[]): void {
    if (this.failure) throw this.failure;
    for (let i = 0; i < rows.length; i++) {
      const kind = kinds?.[i] ?? INSERT;
      if (kind === INSERT || kind === UPDATE_AFTER) this.buffer.push({ row: rows[i]!, upsert: true });
      else if (kind === UPDATE_BEFORE && this.accepts === 'upsert') {
        // As Flink's JDBC sink: -U deletes the key, and the +U that usually follows upserts it again
        // (a flush sends only the last change per key). When no +U follows (a HAVING or WHERE the
        // new value fails), the row is gone, as on Flink.
        this.buffer.push({ row: rows[i]!, upsert: false });
      } else if (kind === DELETE) {
        if (this.accepts !== 'upsert')
          throw new ConnectorError(
            `${this.title}: a row was deleted (-D), but the table has no PRIMARY KEY to delete it by`,
          );
        this.buffer.push({ row: rows[i]!, upsert: false });
      }
      // UPDATE_BEFORE (-U) into an append table: insert-only input is checked at plan time.
    }
    if (this.o.sink.intervalMs > 0 && this.timer === null) this.startTimer();
    if (this.o.sink.maxRows > 0 && this.buffer.length >= this.o.sink.maxRows) this.flushInBackground();
  }

  async flush(): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.sending) {
        await this.sending;
        continue;
      }
      if (this.buffer.length === 0) return;
      this.flushInBackground();
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      // A failed job closes its sinks too: what failed stays failed, nothing more is sent.
      if (!this.failure) await this.flush();
    } finally {
      await this.session?.close();
      this.session = null;
    }
  }

  describe(): string {
    const what = this.accepts === 'upsert' ? 'row upserts/deletes' : 'rows';
    const retried =
      this.retries > 0
        ? `; ${this.retries} retr${this.retries === 1 ? 'y' : 'ies'} after database errors`
        : '';
    return `${this.rowsWritten} ${what} → PostgreSQL table ${this.sqlName || this.o.tableName} (${serverText(this.o)})${retried}`;
  }

  private startTimer(): void {
    const every = this.o.sink.intervalMs;
    this.timer = setInterval(
      () => {
        if (this.buffer.length > 0 && !this.sending && Date.now() - this.lastFlushAt >= every)
          this.flushInBackground();
      },
      Math.max(10, Math.min(every, 1000)),
    );
    this.timer.unref();
  }

  private flushInBackground(): void {
    if (this.sending || this.failure) return;
    const run = this.flushAll().catch((e: unknown) => {
      this.failure = e instanceof Error ? e : new Error(String(e));
    });
    this.sending = run.finally(() => {
      this.sending = null;
    });
  }

  /** Sends everything buffered: one transaction, retried as a whole. Only called by flushInBackground: one at a time. */
  private async flushAll(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    this.inFlight = batch.length;
    try {
      await this.sendWithRetries(batch);
    } catch (e) {
      // Not committed: the rows go back in front, so nothing counts as written that is not.
      this.buffer = batch.concat(this.buffer);
      throw e;
    } finally {
      this.inFlight = 0;
      this.lastFlushAt = Date.now();
    }
    this.rowsWritten += batch.length;
  }

  private async sendWithRetries(batch: readonly Change[]): Promise<void> {
    const max = this.o.sink.maxRetries;
    let staleReplaced = false;
    for (let attempt = 0; ; attempt++) {
      const reused = this.session !== null && !this.session.broken;
      try {
        await this.send(batch);
        return;
      } catch (e) {
        // The connection was found broken on first use (the server restarted while it sat idle):
        // replaced at once, without counting as a retry. Sent again like any retry (at-least-once).
        if (reused && this.session?.broken && !staleReplaced) {
          staleReplaced = true;
          attempt--;
          continue;
        }
        if (!isRetriable(e) || attempt >= max) {
          throw failure(
            this.o,
            this.title,
            `cannot write ${batch.length} row${batch.length === 1 ? '' : 's'} to ${this.sqlName}`,
            e,
            attempt,
          );
        }
        this.retries++;
        await sleep(backoffMs(attempt));
      }
    }
  }

  private async send(batch: readonly Change[]): Promise<void> {
    const s = await this.connect();
    const changes = this.accepts === 'upsert' ? lastChangePerKey(batch, this.primaryKey!) : batch;
    const upserts = changes.filter((c) => c.upsert).map((c) => c.row);
    const deletes = changes.filter((c) => !c.upsert).map((c) => c.row);
    try {
      await s.run('BEGIN');
      const width = this.physical.length;
      const rowsPerInsert = Math.max(1, Math.floor(MAX_PARAMETERS / width));
      for (let from = 0; from < upserts.length; from += rowsPerInsert) {
        const chunk = upserts.slice(from, from + rowsPerInsert);
        const params: (string | null)[] = [];
        const tuples = chunk.map((row) => {
          const start = params.length;
          for (let c = 0; c < width; c++) params.push(this.encoders[c]!(row[c]));
          return `(${Array.from({ length: width }, (_, c) => `$${start + c + 1}`).join(', ')})`;
        });
        await s.run(
          `INSERT INTO ${this.sqlName} (${this.columnList}) VALUES ${tuples.join(', ')}${this.upsertTail}`,
          params,
        );
      }
      const key = this.primaryKey ?? [];
      const rowsPerDelete = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, key.length)));
      for (let from = 0; from < deletes.length; from += rowsPerDelete) {
        const chunk = deletes.slice(from, from + rowsPerDelete);
        const params: (string | null)[] = [];
        const tuples = chunk.map((row) => {
          const start = params.length;
          for (const k of key) params.push(this.encoders[k]!(row[k]));
          return `(${key.map((_, j) => `$${start + j + 1}`).join(', ')})`;
        });
        await s.run(
          `DELETE FROM ${this.sqlName} WHERE (${this.keyColumnList}) IN (${tuples.join(', ')})`,
          params,
        );
      }
      await s.run('COMMIT');
    } catch (e) {
      if (!s.broken) await s.run('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  private async connect(): Promise<PgSession> {
    if (this.session && !this.session.broken) return this.session;
    await this.session?.close();
    this.session = null;
    this.session = await PgSession.connect(this.o, this.title);
    return this.session;
  }
}

/** The last change of each key, in the order keys last changed (what the table ends with; ON CONFLICT refuses a key twice in one statement). */
function lastChangePerKey(batch: readonly Change[], key: readonly number[]): Change[] {
  const last = new Map<string, Change>();
  for (const c of batch) {
    const k = key.map((i) => keyText(c.row[i])).join('\u0000');
    last.delete(k);
    last.set(k, c);
  }
  return [...last.values()];
}

function keyText(v: unknown): string {
  return v === null || v === undefined ? '\u0001' : String(v);
}
