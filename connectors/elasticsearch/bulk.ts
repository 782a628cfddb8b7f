// The _bulk request body and the reading of its response, item by item. Pure functions: the same
// for Elasticsearch 7, 8 and OpenSearch (their _bulk API is the same; their official clients are not).

/** One document waiting to be written, or (`source` null) the removal of a keyed document. */
export interface BulkDoc {
  readonly index: string;
  /** The document id (PRIMARY KEY tables), or undefined: the node generates one (append). */
  readonly id: string | undefined;
  /** The document's JSON text, or null: a `delete` of document `id` (a -D of an upsert sink). */
  readonly source: string | null;
}

/** The NDJSON body: an `index` action line then the document line for each document, a lone `delete` line for each removal. */
export function bulkBody(docs: readonly BulkDoc[]): string {
  let body = '';
  for (const d of docs)
    body += d.source === null ? actionLine(d) + '\n' : actionLine(d) + '\n' + d.source + '\n';
  return body;
}

export function actionLine(d: BulkDoc): string {
  const action = d.source === null ? 'delete' : 'index';
  return d.id === undefined
    ? `{"${action}":{"_index":${JSON.stringify(d.index)}}}`
    : `{"${action}":{"_index":${JSON.stringify(d.index)},"_id":${JSON.stringify(d.id)}}}`;
}

/** Bytes one document adds to a bulk body (for 'sink.bulk-flush.max-size'). */
export function docBytes(d: BulkDoc): number {
  return d.source === null
    ? Buffer.byteLength(actionLine(d)) + 1
    : Buffer.byteLength(actionLine(d)) + Buffer.byteLength(d.source) + 2;
}

/**
 * Within one bulk request, an upsert or delete superseded by a later one with the same index and id
 * is left out: `index` replaces the whole document and `delete` removes it, so only the last action
 * matters, and sending one per id means a retried item can never overwrite a newer one. Appends are
 * all kept.
 */
export function lastVersionPerId(docs: readonly BulkDoc[]): BulkDoc[] {
  if (docs.length < 2 || docs[0]!.id === undefined) return [...docs];
  const lastAt = new Map<string, number>();
  docs.forEach((d, i) => {
    if (d.id !== undefined) lastAt.set(`${d.index}\u0000${d.id}`, i);
  });
  if (lastAt.size === docs.length) return [...docs];
  return docs.filter((d, i) => d.id === undefined || lastAt.get(`${d.index}\u0000${d.id}`) === i);
}

export interface ItemError {
  readonly status: number;
  readonly type: string;
  readonly reason: string;
  readonly index: string;
  readonly id: string | undefined;
}

export type ItemOutcome =
  | { readonly kind: 'ok' }
  /** Worth sending again after a pause: rejected by a busy node (429) or a shard not available (5xx). */
  | { readonly kind: 'retry'; readonly error: ItemError }
  /** Will fail again: a mapping conflict, a bad index name, a document too large... */
  | { readonly kind: 'failed'; readonly error: ItemError };

/**
 * Reads a _bulk response (already JSON-parsed) into one outcome per document sent, in order.
 * Throws an Error when the response is not a bulk response for `count` documents.
 */
export function bulkItemOutcomes(response: unknown, docs: readonly BulkDoc[]): ItemOutcome[] {
  const items = (response as { items?: unknown } | null)?.items;
  if (!Array.isArray(items) || items.length !== docs.length) {
    throw new Error(
      `unexpected _bulk response: expected ${docs.length} items, got ${Array.isArray(items) ? items.length : 'none'}`,
    );
  }
  return items.map((item, i): ItemOutcome => {
    // { "index": { "_index": …, "_id": …, "status": 201, "error"?: {…} } } (or "create", "update", "delete").
    const result =
      item && typeof item === 'object'
        ? (Object.values(item as Record<string, unknown>)[0] as Record<string, unknown> | undefined)
        : undefined;
    const status = typeof result?.status === 'number' ? result.status : 0;
    if (result && result.error === undefined && status >= 200 && status < 300) return { kind: 'ok' };
    // Deleting a document that is not there (never written, already deleted, or its index does
    // not exist) leaves what a delete should: no such document.
    if (status === 404 && docs[i]!.source === null) return { kind: 'ok' };
    const error = itemError(result, status, docs[i]!);
    return isRetriableStatus(status) ? { kind: 'retry', error } : { kind: 'failed', error };
  });
}

/** Statuses that can succeed when tried again later: too many requests, and the node's own 5xx. */
export function isRetriableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504 || status === 500;
}

function itemError(result: Record<string, unknown> | undefined, status: number, doc: BulkDoc): ItemError {
  const e = result?.error;
  let type = 'unknown';
  let reason = 'no reason given';
  if (typeof e === 'string') reason = e;
  else if (e && typeof e === 'object') {
    const o = e as { type?: unknown; reason?: unknown; caused_by?: { type?: unknown; reason?: unknown } };
    type = typeof o.type === 'string' ? o.type : type;
    reason = typeof o.reason === 'string' ? o.reason : reason;
    // "failed to parse field [x] …" comes with the detail of why in caused_by.
    const cause = o.caused_by;
    if (cause && typeof cause.reason === 'string')
      reason += ` (${typeof cause.type === 'string' ? cause.type + ': ' : ''}${cause.reason})`;
  }
  const index = typeof result?._index === 'string' ? result._index : doc.index;
  return { status, type, reason, index, id: doc.id };
}

/** The field a mapping error is about, when the error is one: "failed to parse field [total] …". */
export function mappingConflictField(error: ItemError): string | undefined {
  const mappingTypes =
    /mapper_parsing_exception|document_parsing_exception|illegal_argument_exception|strict_dynamic_mapping_exception/;
  if (!mappingTypes.test(error.type)) return undefined;
  const m =
    /failed to parse field \[([^\]]+)\]/.exec(error.reason) ??
    /mapper \[([^\]]+)\] cannot be changed/.exec(error.reason) ??
    /introduction of \[([^\]]+)\]/.exec(error.reason) ??
    /field \[([^\]]+)\]/.exec(error.reason);
  return m?.[1];
}
