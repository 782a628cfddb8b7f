// A 'jdbc' table's WITH options, with Flink's names and defaults (flink-connector-jdbc), read and
// checked once at plan time: all of them, whether the table is scanned, looked up or written, as
// Flink validates them, so a typo in a sink option of a table that is only read still stops the job.

import { OptionError } from '../../engine/errors.js';
import { parseLong } from '../../engine/int64.js';
import type { OptionBag } from '../../engine/options.js';
import { secrets } from '../../engine/secrets.js';
import type { ConnectorContext } from '../api.js';
import { parsePostgresUrl, UrlProblem, URL_EXAMPLE, type PostgresAddress } from './url.js';

export const POSTGRES_DRIVER = 'org.postgresql.Driver';

export interface ScanPartitioning {
  readonly column: string;
  readonly num: number;
  readonly lower: bigint;
  readonly upper: bigint;
}

export interface LookupOptions {
  readonly cache: 'NONE' | 'PARTIAL';
  /** Most keys kept (Flink counts cache entries, one per key); undefined: no limit. */
  readonly maxRows?: number;
  readonly expireAfterWriteMs?: number;
  readonly expireAfterAccessMs?: number;
  readonly cacheMissingKey: boolean;
  readonly maxRetries: number;
}

export interface SinkOptions {
  /** Rows buffered before a flush starts; 0: no flush by count. */
  readonly maxRows: number;
  /** A flush starts this long after the last one when rows are buffered; 0: no timed flush. */
  readonly intervalMs: number;
  readonly maxRetries: number;
}

export interface JdbcOptions {
  /** 'url' as written, without parameters (they may hold a password): for messages. */
  readonly urlText: string;
  readonly address: PostgresAddress;
  /** 'table-name' as written: PostgreSQL resolves it as it would in a query (search_path, case folding, "quotes"). */
  readonly tableName: string;
  readonly user?: string;
  readonly password?: string;
  /** 'connection.max-retry-timeout': the longest a connection attempt may take. */
  readonly connectTimeoutMs: number;
  readonly scan: { readonly fetchSize: number; readonly partitioning?: ScanPartitioning };
  readonly lookup: LookupOptions;
  readonly sink: SinkOptions;
}

export const JDBC_DEFAULTS = {
  connectTimeoutMs: 60_000,
  lookupMaxRetries: 3,
  sinkMaxRows: 100,
  sinkIntervalMs: 1000,
  sinkMaxRetries: 3,
};

const PARTITION_KEYS = [
  'scan.partition.column',
  'scan.partition.num',
  'scan.partition.lower-bound',
  'scan.partition.upper-bound',
] as const;
const PARTIAL_CACHE_KEYS = [
  'lookup.partial-cache.max-rows',
  'lookup.partial-cache.expire-after-write',
  'lookup.partial-cache.expire-after-access',
  'lookup.partial-cache.cache-missing-key',
] as const;

export function readJdbcOptions(ctx: ConnectorContext): JdbcOptions {
  const o = ctx.options;
  const where = `table '${ctx.table}'`;

  const url = o.optionalString('url');
  if (url === undefined || url.trim() === '') {
    throw new OptionError(
      ctx.tablePos,
      `${where} (connector 'jdbc') needs option 'url'`,
      `add 'url' = '${URL_EXAMPLE}'`,
    );
  }
  // A password in the URL is a secret before anything can quote the URL back (even in an error about it).
  for (const m of url.matchAll(/[?&]password=([^&]*)/g)) {
    secrets.option('password', m[1]!);
    secrets.option('password', safeDecode(m[1]!));
  }
  const address = parsePostgresUrl(url);
  if (address instanceof UrlProblem) throw o.bad('url', address.problem, address.hint);

  const tableName = o.optionalString('table-name');
  if (tableName === undefined || tableName.trim() === '') {
    throw new OptionError(
      ctx.tablePos,
      `${where} (connector 'jdbc') needs option 'table-name'`,
      `add 'table-name' = '${ctx.table}' (the PostgreSQL table, e.g. 'public.${ctx.table}')`,
    );
  }

  const driver = o.optionalString('driver');
  if (driver !== undefined && driver !== POSTGRES_DRIVER) {
    throw o.bad(
      'driver',
      `'${driver}' is not supported: fintrans-sql talks to PostgreSQL through its own client, not a Java driver`,
      `remove 'driver', or write '${POSTGRES_DRIVER}'`,
    );
  }

  const user = o.optionalString('username') ?? address.user;
  const password = o.optionalString('password') ?? address.password;
  if (password !== undefined) secrets.option('password', password);
  if (o.has('username') !== o.has('password')) {
    const [given, missing] = o.has('username') ? ['username', 'password'] : ['password', 'username'];
    throw o.bad(given, `goes with '${missing}', which is not set`, `set both, or neither (as in Flink)`);
  }

  const connectTimeoutMs = o.durationMs('connection.max-retry-timeout', JDBC_DEFAULTS.connectTimeoutMs);
  if (connectTimeoutMs < 1000 || connectTimeoutMs % 1000 !== 0) {
    throw o.bad(
      'connection.max-retry-timeout',
      `must be whole seconds and at least 1 s (as in Flink)`,
      `write e.g. '60 s'`,
    );
  }

  const fetchSize = nonNegative(o, 'scan.fetch-size', 0);
  // A scan always reads through cursors in one read-only transaction: Flink's 'false'. With 'true'
  // (Flink's default) pgjdbc ignores the fetch size and loads a split's whole result into memory
  // at once; fintrans-sql does not do that, and says so rather than accept 'true' and read another way.
  if (o.has('scan.auto-commit') && o.bool('scan.auto-commit', false)) {
    throw o.bad(
      'scan.auto-commit',
      `'true' is not supported: fintrans-sql always reads a PostgreSQL table through cursors in one read-only transaction, which is what 'false' means in Flink (with 'true' the PostgreSQL driver ignores 'scan.fetch-size' and loads the whole result into memory)`,
      `write 'scan.auto-commit' = 'false', or remove the option (the scan reads as with 'false' either way)`,
    );
  }
  const partitioning = readPartitioning(o, where, ctx);

  const lookup = readLookup(o);

  const sink: SinkOptions = {
    maxRows: nonNegative(o, 'sink.buffer-flush.max-rows', JDBC_DEFAULTS.sinkMaxRows),
    intervalMs: o.durationMs('sink.buffer-flush.interval', JDBC_DEFAULTS.sinkIntervalMs),
    maxRetries: nonNegative(o, 'sink.max-retries', JDBC_DEFAULTS.sinkMaxRetries),
  };
  // One writer on one machine: nothing to parallelize.
  o.accept('sink.parallelism');

  return {
    urlText: url.includes('?') ? url.slice(0, url.indexOf('?')) : url,
    address,
    tableName,
    user,
    password,
    connectTimeoutMs,
    scan: { fetchSize, partitioning },
    lookup,
    sink,
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function nonNegative(o: OptionBag, key: string, fallback: number): number {
  const v = o.int(key, fallback);
  if (v < 0) throw o.bad(key, `must not be negative, but is ${v}`);
  return v;
}

function readPartitioning(o: OptionBag, where: string, ctx: ConnectorContext): ScanPartitioning | undefined {
  const given = PARTITION_KEYS.filter((k) => o.has(k));
  if (given.length === 0) return undefined;
  if (given.length < PARTITION_KEYS.length) {
    const missing = PARTITION_KEYS.filter((k) => !o.has(k));
    throw o.bad(
      given[0]!,
      `the scan.partition options go together, and ${missing.map((k) => `'${k}'`).join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set`,
      `set all four ('scan.partition.column', '.num', '.lower-bound', '.upper-bound'), or none`,
    );
  }
  const column = o.string('scan.partition.column');
  if (!ctx.physical.some((f) => f.name === column)) {
    throw o.bad(
      'scan.partition.column',
      `'${column}' is not a column of ${where}`,
      `name one of: ${ctx.physical.map((f) => f.name).join(', ')}`,
    );
  }
  const num = o.int('scan.partition.num', 1);
  if (num < 1) throw o.bad('scan.partition.num', `must be at least 1, but is ${num}`);
  const bound = (key: string): bigint => {
    const text = o.string(key).trim();
    const v = parseLong(text);
    if (v === null) throw o.bad(key, `'${text}' is not a whole number`, `write e.g. '0'`);
    return BigInt(v);
  };
  const lower = bound('scan.partition.lower-bound');
  const upper = bound('scan.partition.upper-bound');
  if (lower > upper) {
    throw o.bad(
      'scan.partition.lower-bound',
      `'${lower}' must not be larger than 'scan.partition.upper-bound' = '${upper}'`,
    );
  }
  return { column, num, lower, upper };
}

function readLookup(o: OptionBag): LookupOptions {
  // Flink's deprecated names: 'lookup.cache.max-rows' + 'lookup.cache.ttl' mean a PARTIAL cache.
  const oldMaxRows = o.has('lookup.cache.max-rows');
  const oldTtl = o.has('lookup.cache.ttl');
  if (oldMaxRows !== oldTtl) {
    const [has, lacks] = oldMaxRows
      ? ['lookup.cache.max-rows', 'lookup.cache.ttl']
      : ['lookup.cache.ttl', 'lookup.cache.max-rows'];
    throw o.bad(
      has,
      `goes with '${lacks}' (deprecated options)`,
      `write 'lookup.cache' = 'PARTIAL' and 'lookup.partial-cache.max-rows' / '.expire-after-write' instead`,
    );
  }
  const oldCacheMissingKey = o.bool('lookup.cache.caching-missing-key', true);
  const cache = o.oneOf('lookup.cache', ['NONE', 'PARTIAL'] as const, oldMaxRows ? 'PARTIAL' : 'NONE');
  const maxRetries = nonNegative(o, 'lookup.max-retries', JDBC_DEFAULTS.lookupMaxRetries);
  if (cache === 'NONE') {
    const stray = PARTIAL_CACHE_KEYS.find((k) => o.has(k));
    if (stray)
      throw o.bad(
        stray,
        `has no effect without a cache: 'lookup.cache' is 'NONE'`,
        `add 'lookup.cache' = 'PARTIAL', or remove '${stray}'`,
      );
    return { cache, cacheMissingKey: true, maxRetries };
  }
  const positiveDuration = (key: string, fallback: number | undefined): number | undefined => {
    if (!o.has(key)) return fallback;
    const ms = o.durationMs(key, 0);
    if (ms <= 0) throw o.bad(key, `must be longer than 0`, `write e.g. '10 min'`);
    return ms;
  };
  let maxRows: number | undefined;
  const maxKey = o.has('lookup.partial-cache.max-rows')
    ? 'lookup.partial-cache.max-rows'
    : oldMaxRows
      ? 'lookup.cache.max-rows'
      : undefined;
  if (maxKey) {
    maxRows = o.int(maxKey, 0);
    if (maxRows < 1)
      throw o.bad(
        maxKey,
        `must be at least 1, but is ${maxRows}`,
        `to cache nothing, write 'lookup.cache' = 'NONE'`,
      );
  }
  const expireAfterWriteMs = positiveDuration(
    'lookup.partial-cache.expire-after-write',
    positiveDuration('lookup.cache.ttl', undefined),
  );
  const expireAfterAccessMs = positiveDuration('lookup.partial-cache.expire-after-access', undefined);
  const cacheMissingKey = o.bool('lookup.partial-cache.cache-missing-key', oldCacheMissingKey);
  if (maxRows === undefined && expireAfterWriteMs === undefined && expireAfterAccessMs === undefined) {
    throw o.bad(
      'lookup.cache',
      `a PARTIAL cache needs a bound: neither 'lookup.partial-cache.max-rows' nor an expiry is set (Flink refuses it too)`,
      `add e.g. 'lookup.partial-cache.max-rows' = '10000' and/or 'lookup.partial-cache.expire-after-write' = '10 min'`,
    );
  }
  return { cache, maxRows, expireAfterWriteMs, expireAfterAccessMs, cacheMissingKey, maxRetries };
}
