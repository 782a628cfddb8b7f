// A 'jdbc' table as the right side of a lookup join: point queries by the join's key columns, as
// Flink's JdbcRowDataLookupFunction does, with its PARTIAL cache (lookup-cache.ts) and retries
// ('lookup.max-retries': a failed query is sent again after 1 s, 2 s, ... on a new connection when
// the old one broke; the last failure fails the job rather than answering "no rows").
//
// One key:   SELECT <columns> FROM <table> WHERE k1 = $1 AND k2 = $2
// Many keys: one statement whatever their number, the keys passed as one array per key column:
//            SELECT k.i, <columns> FROM unnest($1::int[], $2::text[]) WITH ORDINALITY k(k1, k2, i)
//            JOIN <table> t ON t.k1 = k.k1 AND t.k2 = k.k2
//            PostgreSQL says which key each row answers (k.i), so its own equality decides.
// Both are prepared once per connection.

import { ConnectorError } from '../../engine/errors.js';
import type { Row, Schema } from '../../engine/types.js';
import type { LookupReader, LookupStats } from '../api.js';
import {
  backoffMs,
  failure,
  isRetriable,
  loadTableInfo,
  matchColumns,
  PgSession,
  quoteIdent,
  sleep,
} from './connection.js';
import { LookupCache } from './lookup-cache.js';
import type { JdbcOptions } from './options.js';
import { fromText, toText, ValueProblem, type FromText } from './pg-types.js';

/** Keys per statement in lookupMany (a bound on statement size, not a PostgreSQL limit). */
const MAX_KEYS_PER_QUERY = 5000;

export class JdbcLookupReader implements LookupReader {
  readonly stats: LookupStats = {
    lookups: 0,
    cacheHits: 0,
    cacheMisses: 0,
    queries: 0,
    retries: 0,
    cachedKeys: 0,
  };
  private session: PgSession | null = null;
  private readonly cache: LookupCache | null;
  private readonly keyToText: ((v: unknown) => string | null)[];
  private converters: FromText[] = [];
  private oneKeySql = '';
  private manyKeysSql = '';
  private sqlName = '';
  /** Distinguishes this reader's prepared statements from another reader's on a shared server log. */
  private static next = 0;
  private readonly statementName = `fintrans_lookup_${JdbcLookupReader.next++}`;

  constructor(
    private readonly o: JdbcOptions,
    /** "jdbc table 'accounts'", for messages. */
    private readonly title: string,
    private readonly physical: Schema,
    private readonly keyColumns: readonly number[],
    /** Milliseconds, for the cache's expiry; Date.now by default. */
    now: () => number = Date.now,
  ) {
    if (keyColumns.length === 0) throw new ConnectorError(`${title}: a lookup needs at least one key column`);
    for (const k of keyColumns) {
      if (!(k >= 0 && k < physical.length))
        throw new ConnectorError(
          `${title}: lookup key column #${k} is not one of its ${physical.length} columns`,
        );
    }
    this.cache = o.lookup.cache === 'PARTIAL' ? new LookupCache(o.lookup, now) : null;
    this.keyToText = keyColumns.map((k) => toText(physical[k]!.type));
  }

  async open(): Promise<void> {
    try {
      await this.prepareStatements(await this.connect());
    } catch (e) {
      // Whoever opens us closes only what opened: an open connection would keep the process alive.
      await this.close();
      throw e;
    }
  }

  private async prepareStatements(s: PgSession): Promise<void> {
    const info = await loadTableInfo(s, this.o, this.title);
    const pgColumns = matchColumns(info, this.physical, 'read', this.title);
    this.sqlName = info.sqlName;
    this.converters = this.physical.map((f, i) => fromText(f.type, pgColumns[i]!));
    const select = pgColumns.map((c) => `t.${quoteIdent(c.name)}`).join(', ');
    const keyCols = this.keyColumns.map((k) => pgColumns[k]!);
    this.oneKeySql = `SELECT ${select} FROM ${info.sqlName} t WHERE ${keyCols.map((c, i) => `t.${quoteIdent(c.name)} = $${i + 1}`).join(' AND ')}`;
    const names = keyCols.map((_, i) => `k${i}`);
    this.manyKeysSql =
      `SELECT k.i, ${select} FROM unnest(${keyCols.map((c, i) => `$${i + 1}::${c.baseType}[]`).join(', ')}) WITH ORDINALITY k(${names.join(', ')}, i) ` +
      `JOIN ${info.sqlName} t ON ${keyCols.map((c, i) => `t.${quoteIdent(c.name)} = k.${names[i]}`).join(' AND ')}`;
  }

  async lookup(key: readonly unknown[]): Promise<readonly Row[]> {
    this.stats.lookups++;
    if (key.some((v) => v === null || v === undefined)) return [];
    const k = cacheKey(key);
    const cached = this.cache?.get(k);
    if (cached) {
      this.stats.cacheHits++;
      return cached;
    }
    this.stats.cacheMisses++;
    const params = this.keyToText.map((f, i) => f(key[i]));
    const raw = await this.query(
      this.oneKeySql,
      params,
      `${this.statementName}_one`,
      `look up ${describeKey(key)}`,
    );
    const rows = raw.map((r) => this.convert(r, 0, key));
    this.cache?.put(k, rows);
    this.stats.cachedKeys = this.cache?.size ?? 0;
    return rows;
  }

  async lookupMany(keys: readonly (readonly unknown[])[]): Promise<readonly (readonly Row[])[]> {
    this.stats.lookups += keys.length;
    const answers: (readonly Row[])[] = new Array(keys.length);
    // Keys to ask the database, each once however often it is asked for.
    const missing = new Map<string, { key: readonly unknown[]; at: number[] }>();
    keys.forEach((key, i) => {
      if (key.some((v) => v === null || v === undefined)) {
        answers[i] = [];
        return;
      }
      const k = cacheKey(key);
      const cached = this.cache?.get(k);
      if (cached) {
        this.stats.cacheHits++;
        answers[i] = cached;
        return;
      }
      const m = missing.get(k);
      if (m) {
        // Asked twice in one batch: the second is answered with the first's rows, as a cache hit would.
        this.stats.cacheHits++;
        m.at.push(i);
      } else {
        this.stats.cacheMisses++;
        missing.set(k, { key, at: [i] });
      }
    });
    const todo = [...missing.entries()];
    for (let from = 0; from < todo.length; from += MAX_KEYS_PER_QUERY) {
      const chunk = todo.slice(from, from + MAX_KEYS_PER_QUERY);
      const arrays = this.keyToText.map((f, c) => chunk.map(([, m]) => f(m.key[c])));
      const raw = await this.query(
        this.manyKeysSql,
        arrays,
        `${this.statementName}_many`,
        `look up ${chunk.length} keys`,
      );
      const found: Row[][] = chunk.map(() => []);
      for (const r of raw) {
        const i = Number(r[0]) - 1;
        found[i]!.push(this.convert(r, 1, chunk[i]![1].key));
      }
      chunk.forEach(([k, m], i) => {
        const rows = found[i]!;
        this.cache?.put(k, rows);
        for (const at of m.at) answers[at] = rows;
      });
    }
    this.stats.cachedKeys = this.cache?.size ?? 0;
    return answers;
  }

  describe(): string {
    const cache = this.cache
      ? `, ${this.stats.cacheHits} answered from the cache, ${this.stats.cachedKeys} keys cached`
      : ', no cache';
    const retries =
      this.stats.retries > 0 ? `, ${this.stats.retries} retr${this.stats.retries === 1 ? 'y' : 'ies'}` : '';
    return `${this.stats.lookups} lookups in PostgreSQL table ${this.sqlName || this.o.tableName} (${this.stats.queries} queries${cache}${retries})`;
  }

  async close(): Promise<void> {
    await this.session?.close();
    this.session = null;
  }

  private async connect(): Promise<PgSession> {
    if (this.session && !this.session.broken) return this.session;
    await this.session?.close();
    this.session = null;
    this.session = await PgSession.connect(this.o, this.title);
    return this.session;
  }

  /** One statement, retried per 'lookup.max-retries' when the failure may pass. */
  private async query(
    sql: string,
    params: unknown[],
    name: string,
    what: string,
  ): Promise<(string | null)[][]> {
    const max = this.o.lookup.maxRetries;
    let staleReplaced = false;
    for (let attempt = 0; ; attempt++) {
      const reused = this.session !== null && !this.session.broken;
      try {
        const s = await this.connect();
        this.stats.queries++;
        return await s.rows(sql, params as (string | null)[], name);
      } catch (e) {
        // A connection that broke while idle (the server restarted since) is replaced at once,
        // without counting as a retry: nothing was asked of the database yet.
        if (reused && this.session?.broken && !staleReplaced) {
          staleReplaced = true;
          attempt--;
          continue;
        }
        if (!isRetriable(e) || attempt >= max) {
          throw failure(this.o, this.title, `cannot ${what} in ${this.sqlName}`, e, attempt);
        }
        this.stats.retries++;
        await sleep(backoffMs(attempt));
      }
    }
  }

  /** A row of PostgreSQL text (from column `offset` on) as a row of the declared types. */
  private convert(raw: (string | null)[], offset: number, key: readonly unknown[]): Row {
    const row: Row = new Array(this.converters.length);
    for (let c = 0; c < this.converters.length; c++) {
      const text = raw[c + offset];
      if (text === null || text === undefined) {
        row[c] = null;
        continue;
      }
      const v = this.converters[c]!(text);
      if (v instanceof ValueProblem) {
        throw new ConnectorError(
          `${this.title}: the row of ${this.sqlName} found for ${describeKey(key)} has a bad value in column '${this.physical[c]!.name}': ${v.reason}`,
        );
      }
      row[c] = v;
    }
    return row;
  }
}

/** One string per key value list, equal exactly when the values are (types are the key columns', fixed). */
function cacheKey(key: readonly unknown[]): string {
  if (key.length === 1) return String(key[0]);
  return key.map((v) => String(v)).join('\u0000');
}

function describeKey(key: readonly unknown[]): string {
  return `key (${key.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ')})`;
}
