// Plain HTTP to an Elasticsearch / OpenSearch node with Node's fetch: no client library. The
// official clients differ between Elasticsearch 7, 8 and OpenSearch; the _bulk API they wrap is
// the same on all three, so one small client serves them all.

/** A request that did not get a usable answer. `retriable`: the same request may succeed later. */
export class EsTransportError extends Error {
  constructor(
    message: string,
    readonly retriable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'EsTransportError';
  }
}

export interface EsClientSettings {
  readonly hosts: readonly string[];
  readonly authorization?: string;
  readonly requestTimeoutMs: number;
  readonly pathPrefix: string;
}

export class EsClient {
  /** The host to try first: the last one that answered, or the next one after a failure. */
  private current = 0;

  constructor(private readonly settings: EsClientSettings) {}

  get hostsText(): string {
    return this.settings.hosts.join(';');
  }

  /** POST /_bulk; resolves to the parsed response body on HTTP 200. */
  async bulk(body: string): Promise<unknown> {
    return this.request('POST', '/_bulk', body, 'application/x-ndjson');
  }

  /**
   * One request to the current host. Connection failures and timeouts move on to the next host
   * (when there are several) and are retriable, like 429 and 502/503/504 answers.
   */
  async request(
    method: string,
    path: string,
    body?: string,
    contentType = 'application/json',
  ): Promise<unknown> {
    const host = this.settings.hosts[this.current % this.settings.hosts.length]!;
    const url = `${host}${this.settings.pathPrefix}${path}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = contentType;
    if (this.settings.authorization) headers.authorization = this.settings.authorization;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(this.settings.requestTimeoutMs),
      });
      text = await res.text();
    } catch (e) {
      this.current++;
      throw new EsTransportError(
        `${method} ${url}: ${networkErrorText(e, this.settings.requestTimeoutMs)}`,
        true,
      );
    }
    if (res.status === 200 || res.status === 201) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new EsTransportError(
          `${method} ${url}: the answer is not JSON: ${text.slice(0, 200)}`,
          false,
          res.status,
        );
      }
    }
    const retriable = res.status === 429 || res.status === 502 || res.status === 503 || res.status === 504;
    if (retriable) this.current++;
    const hint =
      res.status === 401 || res.status === 403
        ? ` — check 'username' / 'password'`
        : res.status === 413
          ? ` — the bulk request is too large for the node: lower 'sink.bulk-flush.max-size' or 'sink.bulk-flush.max-actions'`
          : '';
    throw new EsTransportError(
      `${method} ${url}: HTTP ${res.status} ${errorSummary(text)}${hint}`,
      retriable,
      res.status,
    );
  }
}

function networkErrorText(e: unknown, timeoutMs: number): string {
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'))
    return `no answer within ${timeoutMs} ms ('connection.request-timeout')`;
  const cause = (e as { cause?: { code?: string; message?: string } } | null)?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return e instanceof Error ? e.message : String(e);
}

/** The error type and reason of an Elasticsearch error body, or its start. */
function errorSummary(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { type?: string; reason?: string } | string };
    if (typeof body.error === 'string') return body.error;
    if (body.error?.type) return `${body.error.type}: ${body.error.reason ?? ''}`;
  } catch {
    /* not JSON */
  }
  return text.slice(0, 300);
}
