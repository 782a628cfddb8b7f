// The JDBC connector's pure parts, without a database: reading 'url' as pgjdbc does, the ranges of
// a partitioned scan as Flink computes them, PostgreSQL's timestamp text, the PARTIAL cache's
// eviction and expiry on a driven clock, and option defaults. (Messages for bad options are
// fixtures in test/fixtures/errors/plan-jdbc-*.sql.)
import { describe, expect, it } from 'vitest';
import { LookupCache } from '../../connectors/jdbc/lookup-cache.js';
import { readJdbcOptions } from '../../connectors/jdbc/options.js';
import { parsePgTimestamp } from '../../connectors/jdbc/pg-types.js';
import { partitionRanges } from '../../connectors/jdbc/source.js';
import { parsePostgresUrl, UrlProblem } from '../../connectors/jdbc/url.js';
import { redact } from '../../engine/secrets.js';
import { T } from '../../engine/types.js';
import { jdbcContext } from './helpers.js';

describe('jdbc url', () => {
  it('reads host, port, database and parameters as pgjdbc does', () => {
    expect(parsePostgresUrl('jdbc:postgresql://db.internal:6543/bank')).toMatchObject({
      host: 'db.internal',
      port: 6543,
      database: 'bank',
    });
    expect(parsePostgresUrl('jdbc:postgresql://localhost/bank')).toMatchObject({
      host: 'localhost',
      port: 5432,
      database: 'bank',
    });
    expect(parsePostgresUrl('jdbc:postgresql://[::1]:5433/x')).toMatchObject({
      host: '::1',
      port: 5433,
      database: 'x',
    });
    expect(parsePostgresUrl('jdbc:postgresql:bank')).toMatchObject({
      host: 'localhost',
      port: 5432,
      database: 'bank',
    });
    expect(parsePostgresUrl('jdbc:postgresql:/')).toMatchObject({ host: 'localhost', database: undefined });
    expect(
      parsePostgresUrl(
        'jdbc:postgresql://h:1/d?user=u&password=p%40ss&sslmode=require&ApplicationName=fraud',
      ),
    ).toEqual({
      host: 'h',
      port: 1,
      database: 'd',
      user: 'u',
      password: 'p@ss',
      ssl: 'require',
      applicationName: 'fraud',
    });
  });

  it('refuses other databases by name, several hosts, and what it cannot read', () => {
    const problem = (url: string) => {
      const r = parsePostgresUrl(url);
      expect(r).toBeInstanceOf(UrlProblem);
      return (r as UrlProblem).problem;
    };
    expect(problem('jdbc:oracle:thin:@//h:1521/x')).toBe(
      'Oracle is not supported: the jdbc connector of fintrans-sql talks to PostgreSQL only',
    );
    expect(problem('jdbc:sqlserver://h;databaseName=x')).toBe(
      'SQL Server is not supported: the jdbc connector of fintrans-sql talks to PostgreSQL only',
    );
    expect(problem('jdbc:foo://h/x')).toBe(
      "'foo' is not supported: the jdbc connector of fintrans-sql talks to PostgreSQL only",
    );
    expect(problem('postgresql://h/x')).toBe("'postgresql://h/x' is not a JDBC URL");
    expect(problem('jdbc:postgresql://a:5432,b:5432/x')).toBe(
      "'jdbc:postgresql://a:5432,b:5432/x' names several hosts: failover between hosts is not supported",
    );
    expect(problem('jdbc:postgresql://h:99999/x')).toBe(
      "'jdbc:postgresql://h:99999/x': port 99999 is not a TCP port",
    );
    expect(problem('jdbc:postgresql://h/x?sslmode=verify-full')).toBe(
      "sslmode 'verify-full' is not supported",
    );
  });

  it("a password in the URL or in 'password' is a secret: redacted from messages", () => {
    readJdbcOptions(
      jdbcContext('t', [['a', T.int()]], {
        url: 'jdbc:postgresql://h/d?user=u&password=url-secret-1',
        'table-name': 't',
      }),
    );
    readJdbcOptions(
      jdbcContext('t', [['a', T.int()]], {
        url: 'jdbc:postgresql://h/d',
        'table-name': 't',
        username: 'u',
        password: 'option-secret-2',
      }),
    );
    expect(redact('failed with url-secret-1 and option-secret-2')).toBe('failed with *** and ***');
    // Even when the URL is refused and quoted back.
    expect(() =>
      readJdbcOptions(
        jdbcContext('t', [['a', T.int()]], {
          url: 'jdbc:postgresql://a,b/d?password=refused-secret-3',
          'table-name': 't',
        }),
      ),
    ).toThrow('names several hosts');
    expect(redact("'jdbc:postgresql://a,b/d?password=refused-secret-3' names several hosts")).toBe(
      "'jdbc:postgresql://a,b/d?password=***' names several hosts",
    );
  });
});

describe('jdbc options', () => {
  it("Flink's defaults", () => {
    const o = readJdbcOptions(
      jdbcContext('t', [['a', T.int()]], { url: 'jdbc:postgresql://h/d', 'table-name': 't' }),
    );
    expect(o.connectTimeoutMs).toBe(60_000);
    expect(o.scan).toEqual({ fetchSize: 0, partitioning: undefined });
    expect(o.lookup).toEqual({ cache: 'NONE', cacheMissingKey: true, maxRetries: 3 });
    expect(o.sink).toEqual({ maxRows: 100, intervalMs: 1000, maxRetries: 3 });
  });

  it("'scan.auto-commit': 'false' (how the scan always reads) is accepted, 'true' refused with the reason", () => {
    const read = (v: string) =>
      readJdbcOptions(
        jdbcContext('t', [['a', T.int()]], {
          url: 'jdbc:postgresql://h/d',
          'table-name': 't',
          'scan.auto-commit': v,
        }),
      );
    expect(read('false').scan).toEqual({ fetchSize: 0, partitioning: undefined });
    expect(() => read('TRUE')).toThrow(
      /'scan.auto-commit'.*'true' is not supported.*what 'false' means in Flink/,
    );
    expect(() => read('maybe')).toThrow(/scan.auto-commit/);
  });

  it("Flink's deprecated 'lookup.cache.max-rows' / 'lookup.cache.ttl' mean a PARTIAL cache", () => {
    const o = readJdbcOptions(
      jdbcContext('t', [['a', T.int()]], {
        url: 'jdbc:postgresql://h/d',
        'table-name': 't',
        'lookup.cache.max-rows': '500',
        'lookup.cache.ttl': '10 min',
        'lookup.cache.caching-missing-key': 'false',
      }),
    );
    expect(o.lookup).toEqual({
      cache: 'PARTIAL',
      maxRows: 500,
      expireAfterWriteMs: 600_000,
      expireAfterAccessMs: undefined,
      cacheMissingKey: false,
      maxRetries: 3,
    });
  });
});

describe('partitioned scan ranges (as JdbcNumericBetweenParametersProvider)', () => {
  const ranges = (lower: bigint, upper: bigint, num: number) =>
    partitionRanges({ column: 'id', num, lower, upper }).map(([a, b]) => `${a}..${b}`);

  it('splits lower..upper into num ranges, the first ones larger when it does not divide', () => {
    expect(ranges(1n, 10n, 3)).toEqual(['1..4', '5..7', '8..10']);
    expect(ranges(0n, 99n, 4)).toEqual(['0..24', '25..49', '50..74', '75..99']);
    expect(ranges(-5n, 5n, 2)).toEqual(['-5..0', '1..5']);
  });

  it('makes no more ranges than values, and one range of one value', () => {
    expect(ranges(1n, 3n, 10)).toEqual(['1..1', '2..2', '3..3']);
    expect(ranges(7n, 7n, 1)).toEqual(['7..7']);
  });
});

describe('PostgreSQL timestamp text', () => {
  it('reads timestamp and timestamptz output as epoch ms (microseconds cut, offsets applied)', () => {
    expect(parsePgTimestamp('2024-01-02 03:04:05')).toBe(Date.parse('2024-01-02T03:04:05Z'));
    expect(parsePgTimestamp('2024-01-02 03:04:05.123999')).toBe(Date.parse('2024-01-02T03:04:05.123Z'));
    expect(parsePgTimestamp('2024-01-02 03:04:05.5+00')).toBe(Date.parse('2024-01-02T03:04:05.500Z'));
    expect(parsePgTimestamp('2024-01-02 03:04:05-03:30')).toBe(Date.parse('2024-01-02T06:34:05Z'));
    expect(parsePgTimestamp('0044-03-15 12:00:00')).toBe(Date.parse('0044-03-15T12:00:00Z'));
    expect(parsePgTimestamp('infinity')).toBeNull();
    expect(parsePgTimestamp('0044-03-15 12:00:00 BC')).toBeNull();
  });
});

describe('PARTIAL lookup cache', () => {
  const clock = { now: 0 };
  const cache = (o: {
    maxRows?: number;
    expireAfterWriteMs?: number;
    expireAfterAccessMs?: number;
    cacheMissingKey?: boolean;
  }) => new LookupCache({ cache: 'PARTIAL', cacheMissingKey: true, maxRetries: 3, ...o }, () => clock.now);

  it('evicts the least recently used key beyond max-rows', () => {
    const c = cache({ maxRows: 2 });
    c.put('a', [[1]]);
    c.put('b', [[2]]);
    expect(c.get('a')).toEqual([[1]]);
    c.put('c', [[3]]);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toEqual([[1]]);
    expect(c.get('c')).toEqual([[3]]);
    expect(c.size).toBe(2);
  });

  it('expires after write however often used, and after access only when unused', () => {
    clock.now = 0;
    const w = cache({ expireAfterWriteMs: 100 });
    const a = cache({ expireAfterAccessMs: 100 });
    w.put('k', [[1]]);
    a.put('k', [[1]]);
    for (clock.now = 50; clock.now < 250; clock.now += 50) expect(a.get('k')).toEqual([[1]]);
    expect(w.get('k')).toBeUndefined();
    clock.now += 100;
    expect(a.get('k')).toBeUndefined();
  });

  it('keeps a key without rows only when cache-missing-key is on', () => {
    const on = cache({ maxRows: 10 });
    const off = cache({ maxRows: 10, cacheMissingKey: false });
    on.put('k', []);
    off.put('k', []);
    expect(on.get('k')).toEqual([]);
    expect(off.get('k')).toBeUndefined();
  });
});
