// Clients for the two REST APIs of a Flink session cluster: the SQL Gateway's (sessions and
// statements, /v2) and the JobManager's (jobs: list, status, cancel). Errors are ConnectorErrors
// that say which URL failed and, for a statement Flink refused, Flink's own message.

import { ConnectorError, FintransError } from '../../engine/errors.js';

const REQUEST_TIMEOUT_MS = 30_000;

/** A statement the gateway (or the cluster behind it) refused: Flink's message, and its stack. */
export class FlinkStatementError extends FintransError {
  readonly userError = true;
  constructor(
    /** The most telling lines of Flink's exception chain (see flinkCause). */
    readonly flinkMessage: string,
    /** Flink's whole server-side error text. */
    readonly detail: string,
  ) {
    super(flinkMessage);
  }
}

/** A base URL without a trailing slash; 'localhost:8083' gets 'http://'. */
export function baseUrl(url: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(url) ? url : `http://${url}`;
  return withScheme.replace(/\/+$/, '');
}

async function request(
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    throw new ConnectorError(`cannot reach ${url}: ${cause}`, { retriable: true });
  }
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/** `errors` of a Flink REST error body joined, or the body as text. */
function errorsOf(json: unknown): string {
  const errors = (json as { errors?: unknown[] } | undefined)?.errors;
  return Array.isArray(errors) ? errors.map(String).join('\n') : JSON.stringify(json);
}

/**
 * The lines of Flink's exception chain that say what is wrong: the outermost cause that is not the
 * gateway's own wrapper ("Failed to execute the operation ...") and the root cause, without stack frames.
 */
export function flinkCause(detail: string): string {
  const causes: string[] = [];
  for (const line of detail.split('\n')) {
    const m =
      /^(?:Caused by: |<Exception on server side:\s*)?([a-zA-Z_$][\w.$]*(?:Exception|Error)):? ?(.*)$/.exec(
        line.trim(),
      );
    if (m) causes.push(`${m[1]}${m[2] ? `: ${m[2]}` : ''}`);
  }
  const telling = causes.filter(
    (c) =>
      !/^org\.apache\.flink\.table\.gateway\./.test(c) &&
      !/^java\.util\.concurrent\./.test(c) &&
      // The restart strategy's wrapper around a failed job's cause.
      !/Recovery is suppressed by/.test(c),
  );
  if (telling.length === 0) return causes.at(-1) ?? detail.split('\n')[0] ?? detail;
  const first = telling[0]!;
  const root = telling.at(-1)!;
  return first === root || first.includes(root.replace(/^[\w.$]+: /, '')) ? first : `${first}\n${root}`;
}

export interface StatementResult {
  /** The job a statement started (INSERT, EXECUTE STATEMENT SET). */
  jobId?: string;
  /** Result rows as the gateway's JSON row format gives their fields. */
  rows: unknown[][];
}

/** A session on a Flink SQL Gateway (REST API v2: Flink 1.17 and later). */
export class GatewaySession {
  private constructor(
    readonly gateway: string,
    readonly handle: string,
  ) {}

  static async open(gatewayUrl: string, name: string): Promise<GatewaySession> {
    const gateway = baseUrl(gatewayUrl);
    const r = await request('POST', `${gateway}/v2/sessions`, { sessionName: name });
    const handle = (r.json as { sessionHandle?: string } | undefined)?.sessionHandle;
    if (r.status !== 200 || !handle)
      throw new ConnectorError(
        `${gateway} did not open a SQL Gateway session (HTTP ${r.status}): ${errorsOf(r.json).split('\n')[0]}\n  hint: --flink wants the SQL Gateway's REST endpoint (sql-gateway.endpoint.rest.port, 8083 by default)`,
      );
    return new GatewaySession(gateway, handle);
  }

  /** The Flink version the gateway reports. */
  static async version(gatewayUrl: string): Promise<string> {
    const r = await request('GET', `${baseUrl(gatewayUrl)}/v1/info`);
    return (r.json as { version?: string } | undefined)?.version ?? 'unknown';
  }

  /** The session's configuration (the cluster's config.yaml plus the session's SETs). */
  async properties(): Promise<Record<string, string>> {
    const r = await request('GET', `${this.gateway}/v2/sessions/${this.handle}`);
    if (r.status !== 200)
      throw new ConnectorError(`${this.gateway}: session lookup failed (HTTP ${r.status})`);
    return (r.json as { properties?: Record<string, string> }).properties ?? {};
  }

  /** The JobManager REST URL of the cluster this gateway submits to. */
  async jobManagerUrl(): Promise<string> {
    const p = await this.properties();
    const host = p['rest.address'] ?? new URL(this.gateway).hostname;
    return `http://${host}:${p['rest.port'] ?? '8081'}`;
  }

  /** Runs one statement to its end (a job's submission for an INSERT); throws FlinkStatementError. */
  async execute(statement: string, timeoutMs = 120_000): Promise<StatementResult> {
    const base = `${this.gateway}/v2/sessions/${this.handle}`;
    const r = await request('POST', `${base}/statements`, { statement });
    const op = (r.json as { operationHandle?: string } | undefined)?.operationHandle;
    if (r.status !== 200 || !op) {
      const detail = errorsOf(r.json);
      throw new FlinkStatementError(flinkCause(detail), detail);
    }
    const rows: unknown[][] = [];
    let jobId: string | undefined;
    let next: string | undefined = `/v2/sessions/${this.handle}/operations/${op}/result/0?rowFormat=JSON`;
    const deadline = Date.now() + timeoutMs;
    while (next) {
      const res = await request('GET', `${this.gateway}${next}`);
      if (res.status !== 200) {
        const detail = errorsOf(res.json);
        throw new FlinkStatementError(flinkCause(detail), detail);
      }
      const body = res.json as {
        resultType?: string;
        jobID?: string;
        results?: { data?: { fields?: unknown[] }[] };
        nextResultUri?: string;
      };
      jobId ??= body.jobID;
      for (const d of body.results?.data ?? []) rows.push(d.fields ?? []);
      if (body.resultType === 'EOS') break;
      // A DDL or SET has one page; an INSERT's page holds its job id once submitted.
      if (
        body.resultType === 'PAYLOAD' &&
        (jobId !== undefined || !/^INSERT|^EXECUTE/i.test(statement.trim()))
      )
        break;
      if (Date.now() > deadline)
        throw new ConnectorError(`${this.gateway}: no result for the statement after ${timeoutMs / 1000} s`);
      if (body.resultType === 'NOT_READY') await new Promise((done) => setTimeout(done, 200));
      next = body.nextResultUri;
    }
    await request('DELETE', `${base}/operations/${op}/close`).catch(() => undefined);
    return { ...(jobId ? { jobId } : {}), rows };
  }

  async close(): Promise<void> {
    await request('DELETE', `${this.gateway}/v2/sessions/${this.handle}`).catch(() => undefined);
  }
}

export interface JobOverview {
  jid: string;
  name: string;
  state: string;
  'start-time': number;
  'end-time': number;
  duration: number;
}

export interface JobDetail extends JobOverview {
  vertices?: { name: string; status: string; parallelism: number; metrics?: Record<string, number> }[];
}

/** The JobManager's REST API: the jobs of a session cluster. */
export class JobManagerClient {
  readonly url: string;
  constructor(url: string) {
    this.url = baseUrl(url);
  }

  async jobs(): Promise<JobOverview[]> {
    const r = await this.get('/jobs/overview');
    return (r as { jobs?: JobOverview[] }).jobs ?? [];
  }

  async job(id: string): Promise<JobDetail> {
    return (await this.get(`/jobs/${encodeURIComponent(id)}`, id)) as JobDetail;
  }

  /** The root exception of a failed job, if any. */
  async rootException(id: string): Promise<string | undefined> {
    const r = (await this.get(`/jobs/${encodeURIComponent(id)}/exceptions`, id)) as {
      'root-exception'?: string;
      exceptionHistory?: { entries?: { stacktrace?: string }[] };
    };
    const text = r['root-exception'] ?? r.exceptionHistory?.entries?.[0]?.stacktrace;
    return text ? flinkCause(text) : undefined;
  }

  async cancel(id: string): Promise<void> {
    const r = await request('PATCH', `${this.url}/jobs/${encodeURIComponent(id)}?mode=cancel`);
    if (r.status === 404) throw new ConnectorError(`no job ${id} on the cluster at ${this.url}`);
    if (r.status !== 202 && r.status !== 200)
      throw new ConnectorError(
        `cancelling job ${id} at ${this.url} failed (HTTP ${r.status}): ${errorsOf(r.json)}`,
      );
  }

  private async get(path: string, jobId?: string): Promise<unknown> {
    const r = await request('GET', `${this.url}${path}`);
    if (r.status === 404 && jobId)
      throw new ConnectorError(
        `no job ${jobId} on the cluster at ${this.url}\n  hint: 'fintrans-sql flink jobs' lists them`,
      );
    if (r.status === 400 && jobId)
      throw new ConnectorError(
        `'${jobId}' is not a Flink job id (32 hex digits)\n  hint: 'fintrans-sql flink jobs' lists them`,
      );
    if (r.status !== 200)
      throw new ConnectorError(`${this.url}${path}: HTTP ${r.status}: ${errorsOf(r.json).split('\n')[0]}`);
    return r.json;
  }
}
