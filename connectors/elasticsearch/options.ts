// The 'elasticsearch-7' / 'elasticsearch-8' / 'elasticsearch' sink's WITH options, with Flink's
// names, read and checked once at plan time (a bad option stops the job before it reads anything).

import { OptionError } from '../../engine/errors.js';
import type { OptionBag } from '../../engine/options.js';
import type { ConnectorContext } from '../api.js';
import { compileIndexName, type IndexName } from './index-name.js';

export type BackoffStrategy = 'DISABLED' | 'CONSTANT' | 'EXPONENTIAL';
export type FailureHandler = 'fail' | 'ignore' | 'retry-rejected';

export interface EsSinkOptions {
  /** Base URLs without a trailing '/', e.g. 'http://127.0.0.1:9200'. Tried in turn. */
  readonly hosts: readonly string[];
  readonly index: IndexName;
  readonly keyDelimiter: string;
  /** 'Basic …' header value, when 'username' and 'password' are set. */
  readonly authorization?: string;
  readonly maxActions: number;
  readonly maxSizeBytes: number;
  /** 0 = no timed flush. */
  readonly intervalMs: number;
  readonly backoff: {
    readonly strategy: BackoffStrategy;
    readonly maxRetries: number;
    readonly delayMs: number;
  };
  readonly failureHandler: FailureHandler;
  /** A request without an answer for this long is abandoned and retried (a node that hangs). */
  readonly requestTimeoutMs: number;
  /** Prepended to every request path ('connection.path-prefix'), e.g. '/es'. */
  readonly pathPrefix: string;
}

/** Flink's defaults, except the backoff: on by default here, so a node restart does not fail the job. */
export const ES_DEFAULTS = {
  keyDelimiter: '_',
  maxActions: 1000,
  maxSize: '2mb',
  intervalMs: 1000,
  backoffStrategy: 'EXPONENTIAL' as BackoffStrategy,
  backoffMaxRetries: 10,
  backoffDelayMs: 100,
  requestTimeoutMs: 30_000,
};

export function readEsOptions(ctx: ConnectorContext, connectorName: string): EsSinkOptions {
  const o: OptionBag = ctx.options;
  const where = `${connectorName} table '${ctx.table}'`;
  const bad = (key: string, problem: string, hint?: string): OptionError =>
    new OptionError(ctx.tablePos, `option '${key}' of ${where}: ${problem}`, hint);

  const hostsText = o.optionalString('hosts');
  if (hostsText === undefined || hostsText.trim() === '') {
    throw new OptionError(
      ctx.tablePos,
      `${where} needs option 'hosts'`,
      `add 'hosts' = 'http://localhost:9200' (several: 'http://a:9200;http://b:9200')`,
    );
  }
  const hosts = hostsText
    .split(';')
    .map((h) => h.trim())
    .filter((h) => h.length > 0)
    .map((h) => {
      let url: URL;
      try {
        url = new URL(h);
      } catch {
        throw bad('hosts', `'${h}' is not a URL`, `write 'http://host:9200' (scheme, host and port)`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw bad('hosts', `'${h}' is not an http(s) URL`, `write 'http://host:9200'`);
      }
      return h.replace(/\/+$/, '');
    });

  const indexText = o.optionalString('index');
  if (indexText === undefined || indexText.trim() === '') {
    throw new OptionError(
      ctx.tablePos,
      `${where} needs option 'index'`,
      `add 'index' = 'alerts' (or a dynamic one: 'alerts-{window_end|yyyy-MM-dd}')`,
    );
  }
  const index = compileIndexName(indexText, ctx.physical, (problem, hint) => bad('index', problem, hint));

  const keyDelimiter = o.string('document-id.key-delimiter', ES_DEFAULTS.keyDelimiter);

  const username = o.optionalString('username');
  const password = o.optionalString('password');
  if ((username === undefined) !== (password === undefined)) {
    throw new OptionError(
      ctx.tablePos,
      `${where}: 'username' and 'password' go together`,
      `set both, or neither`,
    );
  }
  const authorization =
    username !== undefined ? `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` : undefined;

  const maxActions = o.int('sink.bulk-flush.max-actions', ES_DEFAULTS.maxActions);
  if (maxActions < 1)
    throw bad(
      'sink.bulk-flush.max-actions',
      `must be at least 1 (Flink's '0' = "no limit by count" is not supported)`,
      `write e.g. '1000'`,
    );
  const sizeText = o.string('sink.bulk-flush.max-size', ES_DEFAULTS.maxSize);
  const maxSizeBytes = parseMemorySize(sizeText);
  if (maxSizeBytes === null || maxSizeBytes < 1)
    throw bad(
      'sink.bulk-flush.max-size',
      `'${sizeText}' is not a memory size`,
      `write e.g. '2mb', '512kb' or '1048576'`,
    );
  const intervalMs = o.durationMs('sink.bulk-flush.interval', ES_DEFAULTS.intervalMs);

  const strategyText = o
    .string('sink.bulk-flush.backoff.strategy', ES_DEFAULTS.backoffStrategy)
    .toUpperCase();
  if (strategyText !== 'DISABLED' && strategyText !== 'CONSTANT' && strategyText !== 'EXPONENTIAL') {
    throw bad(
      'sink.bulk-flush.backoff.strategy',
      `'${strategyText}' is not one of 'DISABLED', 'CONSTANT', 'EXPONENTIAL'`,
    );
  }
  const maxRetries = o.int('sink.bulk-flush.backoff.max-retries', ES_DEFAULTS.backoffMaxRetries);
  if (maxRetries < 0) throw bad('sink.bulk-flush.backoff.max-retries', `must not be negative`);
  const delayMs = o.durationMs('sink.bulk-flush.backoff.delay', ES_DEFAULTS.backoffDelayMs);

  const failureHandler = o.oneOf('failure-handler', ['fail', 'ignore', 'retry-rejected'] as const, 'fail');
  const requestTimeoutMs = o.durationMs('connection.request-timeout', ES_DEFAULTS.requestTimeoutMs);
  const prefixText = o.string('connection.path-prefix', '');
  const pathPrefix = prefixText === '' ? '' : `/${prefixText.replace(/^\/+|\/+$/g, '')}`;

  // Documents are JSON, as in Flink; 'format' defaults to 'json' and nothing else is supported.
  const format = o.optionalString('format');
  if (format !== undefined && format !== 'json') {
    throw bad(
      'format',
      `'${format}' is not supported: documents are JSON`,
      `remove 'format' or write 'format' = 'json'`,
    );
  }
  // Flink options with no effect on one machine (one writer, no client-side sniffing).
  o.accept(
    'sink.parallelism',
    'sink.delivery-guarantee',
    'connection.timeout',
    'socket.timeout',
    'document-type',
  );

  return {
    hosts,
    index,
    keyDelimiter,
    authorization,
    maxActions,
    maxSizeBytes,
    intervalMs,
    backoff: { strategy: strategyText, maxRetries, delayMs },
    failureHandler,
    requestTimeoutMs,
    pathPrefix,
  };
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  bytes: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  kibibytes: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  mebibytes: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  gibibytes: 1024 ** 3,
};

/** Flink's MemorySize syntax: '2mb', '512 kb', '1048576' (bytes) -> bytes, or null. */
export function parseMemorySize(text: string): number | null {
  const m = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return null;
  const factor = SIZE_UNITS[m[2]!.toLowerCase()];
  return factor === undefined ? null : Number(m[1]) * factor;
}
