// An Elasticsearch / OpenSearch index as a sink, through the _bulk API.
//
// write() encodes rows into documents and buffers them (it is synchronous). A full bulk
// ('sink.bulk-flush.max-actions' / '.max-size') or the timer ('sink.bulk-flush.interval') starts a
// send in the background; flush() waits until everything buffered is acknowledged. Sends are
// serial, so versions of one document reach the node in order. `pending` counts buffered and
// in-flight rows: the runtime calls flush() when it grows (backpressure).
//
// With a PRIMARY KEY every row is an upsert with a deterministic _id (the key fields joined by
// 'document-id.key-delimiter'): running again, or replaying after a crash, overwrites the same
// documents instead of adding copies. The sink then applies an updating query as Flink's does
// (accepts 'upsert'): +I/+U index the key's document, -D deletes it (a `delete` action; deleting a
// document that is not there is no error). Without a key, rows are appended with ids the node
// generates, and the sink is append-only.
//
// Failures: a request that gets no answer, or 429/502/503/504, is sent again after a backoff
// ('sink.bulk-flush.backoff.*'), so a node that stops for a while loses nothing; so are single
// documents the node rejects as busy (429) or unavailable (5xx). Other per-document errors fail
// the job ('failure-handler' = 'fail', the default; a mapping conflict names the field and the
// index) or are counted and skipped ('ignore').

import { ConnectorError } from '../../engine/errors.js';
import type { RecordEncoder } from '../../engine/formats/api.js';
import { DELETE, UPDATE_BEFORE, type Row, type RowKind, type Schema } from '../../engine/types.js';
import { typeToString } from '../../engine/types.js';
import type { ChangelogAcceptance, SinkWriter } from '../api.js';
import {
  bulkBody,
  bulkItemOutcomes,
  docBytes,
  lastVersionPerId,
  mappingConflictField,
  type BulkDoc,
  type ItemError,
} from './bulk.js';
import { EsClient, EsTransportError } from './client.js';
import type { EsSinkOptions } from './options.js';

/** Longest single wait of the exponential backoff. */
const MAX_BACKOFF_MS = 10_000;
const SHOWN_IGNORED = 3;

/** A buffered document and its size in a bulk body, computed once. */
interface PendingDoc extends BulkDoc {
  readonly bytes: number;
}

export class ElasticsearchSink implements SinkWriter {
  private buffer: PendingDoc[] = [];
  private bufferBytes = 0;
  private inFlight = 0;
  /** The background send in progress, if any: sends are serial. */
  private sending: Promise<void> | null = null;
  /** A background send's error, thrown by the next write() or flush(). */
  private failure: Error | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastSendAt = Date.now();
  private readonly client: EsClient;
  rowsWritten = 0;
  /** Documents skipped under 'failure-handler' = 'ignore', and the first few reasons. */
  ignored = 0;
  readonly ignoredSamples: string[] = [];
  /** Requests and documents sent again after a backoff, for the summary and tests. */
  retries = 0;
  /** Of rowsWritten, the deletes (-D of an upsert sink). */
  deletes = 0;
  /** Upserts by PRIMARY KEY (every kind but -U, which the runtime drops), or appends only. */
  readonly accepts: ChangelogAcceptance;

  constructor(
    private readonly table: string,
    private readonly connectorName: string,
    private readonly o: EsSinkOptions,
    private readonly schema: Schema,
    private readonly encoder: RecordEncoder,
    private readonly documentId: ((row: Row) => string) | undefined,
  ) {
    this.client = new EsClient({
      hosts: o.hosts,
      authorization: o.authorization,
      requestTimeoutMs: o.requestTimeoutMs,
      pathPrefix: o.pathPrefix,
    });
    this.accepts = documentId ? 'upsert' : 'insert-only';
  }

  get pending(): number {
    return this.buffer.length + this.inFlight;
  }

  write(rows: readonly Row[], kinds?: readonly RowKind[]): void {
    if (this.failure) throw this.failure;
    const index = this.o.index;
    const id = this.documentId;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const kind = kinds?.[i];
      // Only keyed sinks are given other kinds than +I, and a -U only when a filter sits on the
      // updates (build.ts): it deletes the document, as Flink's Elasticsearch sink does; the +U that
      // passed the filter indexes it again.
      if (kind === UPDATE_BEFORE && id === undefined) continue;
      const remove = (kind === DELETE || kind === UPDATE_BEFORE) && id !== undefined;
      const doc = {
        index: index.nameFor(r),
        id: id ? id(r) : undefined,
        source: remove ? null : this.encoder.encodeValue(r).toString('utf8'),
        bytes: 0,
      };
      doc.bytes = docBytes(doc);
      this.buffer.push(doc);
      this.bufferBytes += doc.bytes;
    }
    if (this.o.intervalMs > 0 && this.timer === null) this.startTimer();
    if (this.buffer.length >= this.o.maxActions || this.bufferBytes >= this.o.maxSizeBytes)
      this.sendInBackground();
  }

  async flush(): Promise<void> {
    // Every send goes through sendInBackground, so there is never more than one at a time.
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.sending) {
        await this.sending;
        continue;
      }
      if (this.buffer.length === 0) return;
      this.sendInBackground();
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  describe(): string {
    const deletes = this.deletes > 0 ? ` and ${this.deletes} delete${this.deletes === 1 ? '' : 's'}` : '';
    const what = this.documentId
      ? `${this.rowsWritten - this.deletes} document upserts${deletes}`
      : `${this.rowsWritten} documents`;
    const ignored =
      this.ignored > 0
        ? `; ${this.ignored} rejected and ignored ('failure-handler' = 'ignore'), e.g. ${this.ignoredSamples.join(' | ')}`
        : '';
    const retried =
      this.retries > 0 ? `; ${this.retries} retr${this.retries === 1 ? 'y' : 'ies'} after node errors` : '';
    return `${what} → index '${this.o.index.text}' (${this.client.hostsText})${retried}${ignored}`;
  }

  private startTimer(): void {
    this.timer = setInterval(
      () => {
        if (this.buffer.length > 0 && !this.sending && Date.now() - this.lastSendAt >= this.o.intervalMs)
          this.sendInBackground();
      },
      Math.max(10, Math.min(this.o.intervalMs, 1000)),
    );
    this.timer.unref();
  }

  private sendInBackground(): void {
    if (this.sending || this.failure) return;
    const run = this.sendAll().catch((e: unknown) => {
      this.failure = e instanceof Error ? e : new Error(String(e));
    });
    this.sending = run.finally(() => {
      this.sending = null;
    });
  }

  /** Sends everything buffered, bulk by bulk. Only called by sendInBackground: one at a time. */
  private async sendAll(): Promise<void> {
    while (this.buffer.length > 0) {
      let n = 0;
      let bytes = 0;
      while (n < this.buffer.length && n < this.o.maxActions) {
        const b = this.buffer[n]!.bytes;
        if (n > 0 && bytes + b > this.o.maxSizeBytes) break;
        bytes += b;
        n++;
      }
      const batch = this.buffer.slice(0, n);
      this.buffer = this.buffer.slice(n);
      this.bufferBytes -= bytes;
      this.inFlight = n;
      let ignored: number;
      try {
        ignored = await this.sendBatch(batch);
      } catch (e) {
        // Not acknowledged: put the batch back, so nothing is counted as written that is not.
        this.buffer = batch.concat(this.buffer);
        this.bufferBytes += bytes;
        throw e;
      } finally {
        this.inFlight = 0;
        this.lastSendAt = Date.now();
      }
      this.rowsWritten += n - ignored;
      for (const d of batch) if (d.source === null) this.deletes++;
    }
  }

  /** One bulk, until every document is acknowledged (or ignored), retrying with backoff. Returns how many were ignored. */
  private async sendBatch(batch: readonly BulkDoc[]): Promise<number> {
    let todo = lastVersionPerId(batch);
    let ignored = 0;
    for (let attempt = 0; ; attempt++) {
      let response: unknown;
      try {
        response = await this.client.bulk(bulkBody(todo));
      } catch (e) {
        if (!(e instanceof EsTransportError)) throw e;
        if (!e.retriable || !this.mayRetry(attempt)) {
          throw new ConnectorError(
            `${this.connectorName} sink '${this.table}': cannot write ${todo.length} document${todo.length === 1 ? '' : 's'} to index '${this.o.index.text}'` +
              `${e.retriable ? ` after ${attempt} retr${attempt === 1 ? 'y' : 'ies'}` : ''}: ${e.message}` +
              (e.retriable
                ? `\n  hint: is the node running at ${this.client.hostsText}? ('hosts'; 'sink.bulk-flush.backoff.max-retries' sets how long to wait)`
                : ''),
            { cause: e, retriable: e.retriable },
          );
        }
        this.retries++;
        await sleep(this.backoffMs(attempt));
        continue;
      }
      const again: BulkDoc[] = [];
      let lastRetryError: ItemError | undefined;
      const outcomes = bulkItemOutcomes(response, todo);
      for (let i = 0; i < outcomes.length; i++) {
        const out = outcomes[i]!;
        if (out.kind === 'ok') continue;
        if (out.kind === 'retry') {
          again.push(todo[i]!);
          lastRetryError = out.error;
          continue;
        }
        if (this.o.failureHandler === 'ignore') {
          this.ignored++;
          ignored++;
          if (this.ignoredSamples.length < SHOWN_IGNORED)
            this.ignoredSamples.push(`${out.error.type}: ${out.error.reason}`);
          continue;
        }
        throw this.itemFailure(out.error, todo[i]!);
      }
      if (again.length === 0) return ignored;
      if (!this.mayRetry(attempt)) {
        throw new ConnectorError(
          `${this.connectorName} sink '${this.table}': index '${lastRetryError!.index}' still rejects ${again.length} document${again.length === 1 ? '' : 's'} after ${attempt} retr${attempt === 1 ? 'y' : 'ies'} ` +
            `(HTTP ${lastRetryError!.status} ${lastRetryError!.type}: ${lastRetryError!.reason})\n  hint: the node is overloaded; raise 'sink.bulk-flush.backoff.max-retries' or '.delay', or lower 'sink.bulk-flush.max-actions'`,
          { retriable: true },
        );
      }
      this.retries++;
      await sleep(this.backoffMs(attempt));
      todo = again;
    }
  }

  private itemFailure(error: ItemError, doc: BulkDoc): ConnectorError {
    const field = mappingConflictField(error);
    const where = `${this.connectorName} sink '${this.table}'`;
    const docText = doc.id === undefined ? 'a document' : `document '${doc.id}'`;
    if (field !== undefined) {
      const column = this.schema.find((c) => c.name === field);
      const columnText = column ? ` (the column is ${typeToString(column.type)})` : '';
      return new ConnectorError(
        `${where}: mapping conflict in index '${error.index}' on field '${field}'${columnText}: the index refuses ${docText}: ${error.type}: ${error.reason}\n` +
          `  hint: the index maps '${field}' to another type; write to a new index (or delete this one), or CAST the column to the mapped type`,
      );
    }
    return new ConnectorError(
      `${where}: index '${error.index}' refuses ${docText} (HTTP ${error.status} ${error.type}: ${error.reason})\n` +
        `  hint: set 'failure-handler' = 'ignore' to skip and count such documents`,
    );
  }

  private mayRetry(attempt: number): boolean {
    return this.o.backoff.strategy !== 'DISABLED' && attempt < this.o.backoff.maxRetries;
  }

  private backoffMs(attempt: number): number {
    const d = this.o.backoff.delayMs;
    return this.o.backoff.strategy === 'EXPONENTIAL' ? Math.min(d * 2 ** attempt, MAX_BACKOFF_MS) : d;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
