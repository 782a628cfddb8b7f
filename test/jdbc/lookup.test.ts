// The 'jdbc' lookup reader (what a lookup join calls) against a real PostgreSQL
// (test/rig/postgres.ts): answers by key without and with the PARTIAL cache, its hits, misses,
// eviction by 'lookup.partial-cache.max-rows', expiry after write and after access, missing keys
// cached or not, many keys in one query, keys of two columns with several rows each, and
// 'lookup.max-retries' while the database restarts.
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { LookupReader } from '../../connectors/api.js';
import { jdbcConnector } from '../../connectors/jdbc/jdbc.js';
import { T, type SqlType } from '../../engine/types.js';
import { sleep } from '../rig/java-process.js';
import { postgresForTests, type PostgresRig } from '../rig/postgres.js';
import { jdbcContext, rigOptions } from './helpers.js';

let rig: PostgresRig | null = null;

beforeAll(async () => {
  rig = await postgresForTests();
  if (!rig) return;
  await rig.query(
    'CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, tier integer, balance numeric(10, 2))',
  );
  await rig.query(
    `INSERT INTO accounts SELECT g, 'owner ' || g, g % 3, g * 1.5 FROM generate_series(1, 20) g`,
  );
  await rig.query('CREATE TABLE branch_staff (country text, tier integer, name text)');
  await rig.query(
    `INSERT INTO branch_staff VALUES ('BR', 1, 'Ana'), ('BR', 1, 'Bia'), ('BR', 2, 'Caio'), ('PT', 1, 'Duarte')`,
  );
}, 300_000);

afterAll(async () => {
  await rig?.stop();
});

function needsDb(ctx: TestContext): void {
  if (!rig) ctx.skip();
}

const ACCOUNT_COLUMNS: [string, SqlType][] = [
  ['id', T.bigint(false)],
  ['owner', T.string()],
  ['tier', T.int()],
  ['balance', T.decimal(10, 2)],
];

const open: LookupReader[] = [];

/** A lookup reader on `accounts` by id, with `options`, opened. */
async function accountsById(options: Record<string, string>): Promise<LookupReader> {
  const reader = jdbcConnector.createLookup!(
    jdbcContext('accounts', ACCOUNT_COLUMNS, rigOptions(rig!, { 'table-name': 'accounts', ...options })),
    [0],
  );
  await reader.open();
  open.push(reader);
  return reader;
}

async function setOwner(id: number, owner: string): Promise<void> {
  await rig!.query('UPDATE accounts SET owner = $1 WHERE id = $2', [owner, id]);
}

const owners = (rows: readonly unknown[][]) => rows.map((r) => r[1]);

describe('jdbc lookups on a real PostgreSQL', () => {
  afterAll(async () => {
    for (const r of open) await r.close();
  });

  it("without a cache ('lookup.cache' = 'NONE') every lookup asks the database and sees its changes", async (ctx) => {
    needsDb(ctx);
    const r = await accountsById({});
    expect(await r.lookup([7])).toEqual([[7, 'owner 7', 1, 1050n]]);
    expect(await r.lookup([999])).toEqual([]);
    await setOwner(7, 'renamed 7');
    expect(owners(await r.lookup([7]))).toEqual(['renamed 7']);
    // A NULL key matches nothing, without a query.
    expect(await r.lookup([null])).toEqual([]);
    expect(r.stats).toEqual({
      lookups: 4,
      cacheHits: 0,
      cacheMisses: 3,
      queries: 3,
      retries: 0,
      cachedKeys: 0,
    });
    await setOwner(7, 'owner 7');
  });

  it("PARTIAL: hits and misses; 'lookup.partial-cache.max-rows' evicts the least recently used key", async (ctx) => {
    needsDb(ctx);
    const r = await accountsById({ 'lookup.cache': 'PARTIAL', 'lookup.partial-cache.max-rows': '2' });
    await r.lookup([1]);
    await r.lookup([2]);
    expect(r.stats).toMatchObject({ cacheHits: 0, cacheMisses: 2, queries: 2, cachedKeys: 2 });
    // 1 is used again, so 2 is the least recently used when 3 comes in.
    await setOwner(1, 'changed 1');
    expect(owners(await r.lookup([1]))).toEqual(['owner 1']);
    await r.lookup([3]);
    expect(r.stats).toMatchObject({ cacheHits: 1, cacheMisses: 3, queries: 3, cachedKeys: 2 });
    await r.lookup([1]);
    expect(r.stats).toMatchObject({ cacheHits: 2, queries: 3 });
    await r.lookup([2]);
    expect(r.stats).toMatchObject({ cacheHits: 2, cacheMisses: 4, queries: 4, cachedKeys: 2 });
    await setOwner(1, 'owner 1');
  });

  it("'lookup.partial-cache.expire-after-write': a key is asked again that long after it was fetched, however often it was used", async (ctx) => {
    needsDb(ctx);
    const r = await accountsById({
      'lookup.cache': 'PARTIAL',
      'lookup.partial-cache.expire-after-write': '1 s',
    });
    expect(owners(await r.lookup([4]))).toEqual(['owner 4']);
    await setOwner(4, 'changed 4');
    for (let i = 0; i < 3; i++) {
      expect(owners(await r.lookup([4]))).toEqual(['owner 4']);
      await sleep(150);
    }
    await sleep(700);
    expect(owners(await r.lookup([4]))).toEqual(['changed 4']);
    expect(r.stats).toMatchObject({ lookups: 5, cacheHits: 3, queries: 2 });
    await setOwner(4, 'owner 4');
  });

  it("'lookup.partial-cache.expire-after-access': a key used often stays; one left unused for that long is asked again", async (ctx) => {
    needsDb(ctx);
    const r = await accountsById({
      'lookup.cache': 'PARTIAL',
      'lookup.partial-cache.expire-after-access': '1 s',
    });
    await r.lookup([5]);
    await setOwner(5, 'changed 5');
    // Used every 300 ms for 1.5 s: longer than the expiry, but never idle that long.
    for (let i = 0; i < 5; i++) {
      await sleep(300);
      expect(owners(await r.lookup([5]))).toEqual(['owner 5']);
    }
    await sleep(1200);
    expect(owners(await r.lookup([5]))).toEqual(['changed 5']);
    expect(r.stats).toMatchObject({ cacheHits: 5, queries: 2 });
    await setOwner(5, 'owner 5');
  });

  it("'lookup.partial-cache.cache-missing-key': a key with no row is remembered as such by default, and asked again when it is 'false'", async (ctx) => {
    needsDb(ctx);
    const remembers = await accountsById({
      'lookup.cache': 'PARTIAL',
      'lookup.partial-cache.max-rows': '100',
    });
    const asksAgain = await accountsById({
      'lookup.cache': 'PARTIAL',
      'lookup.partial-cache.max-rows': '100',
      'lookup.partial-cache.cache-missing-key': 'false',
    });
    expect(await remembers.lookup([42])).toEqual([]);
    expect(await asksAgain.lookup([42])).toEqual([]);
    await rig!.query(`INSERT INTO accounts VALUES (42, 'owner 42', 0, 0)`);
    try {
      expect(await remembers.lookup([42])).toEqual([]);
      expect(remembers.stats).toMatchObject({ cacheHits: 1, queries: 1, cachedKeys: 1 });
      expect(owners(await asksAgain.lookup([42]))).toEqual(['owner 42']);
      expect(asksAgain.stats).toMatchObject({ cacheHits: 0, queries: 2, cachedKeys: 1 });
    } finally {
      await rig!.query('DELETE FROM accounts WHERE id = 42');
    }
  });

  it('lookupMany answers each key in order with one query for the keys not cached', async (ctx) => {
    needsDb(ctx);
    const r = await accountsById({ 'lookup.cache': 'PARTIAL', 'lookup.partial-cache.max-rows': '100' });
    await r.lookup([3]);
    const answers = await r.lookupMany([[1], [2], [1], [null], [999], [3], [20]]);
    expect(answers.map(owners)).toEqual([
      ['owner 1'],
      ['owner 2'],
      ['owner 1'],
      [],
      [],
      ['owner 3'],
      ['owner 20'],
    ]);
    // 1, 2, 999 and 20 in one query; 3 from the cache, the second 1 from the first.
    expect(r.stats).toMatchObject({ lookups: 8, cacheHits: 2, cacheMisses: 5, queries: 2 });
    const again = await r.lookupMany([[20], [999], [2]]);
    expect(again.map(owners)).toEqual([['owner 20'], [], ['owner 2']]);
    expect(r.stats).toMatchObject({ cacheHits: 5, queries: 2 });
    // Without a cache, too: one query for a batch.
    const uncached = await accountsById({});
    const big = await uncached.lookupMany(Array.from({ length: 25 }, (_, i) => [i]));
    expect(big.map((rows) => rows.length)).toEqual(
      Array.from({ length: 25 }, (_, i) => (i >= 1 && i <= 20 ? 1 : 0)),
    );
    expect(uncached.stats.queries).toBe(1);
  });

  it('a key of two columns returns every row that has it', async (ctx) => {
    needsDb(ctx);
    const columns: [string, SqlType][] = [
      ['country', T.string()],
      ['tier', T.int()],
      ['name', T.string()],
    ];
    const r = jdbcConnector.createLookup!(
      jdbcContext(
        'staff',
        columns,
        rigOptions(rig!, {
          'table-name': 'branch_staff',
          'lookup.cache': 'PARTIAL',
          'lookup.partial-cache.max-rows': '10',
        }),
      ),
      [0, 1],
    );
    await r.open();
    open.push(r);
    const names = (rows: readonly unknown[][]) => rows.map((row) => row[2]).sort();
    expect(names(await r.lookup(['BR', 1]))).toEqual(['Ana', 'Bia']);
    expect(names(await r.lookup(['PT', 2]))).toEqual([]);
    const many = await r.lookupMany([
      ['BR', 2],
      ['BR', 1],
      ['PT', 1],
    ]);
    expect(many.map(names)).toEqual([['Caio'], ['Ana', 'Bia'], ['Duarte']]);
    expect(r.stats).toMatchObject({ lookups: 5, cacheHits: 1, queries: 3 });
  });

  it('a declared type PostgreSQL cannot give stops open(), naming both', async (ctx) => {
    needsDb(ctx);
    const columns: [string, SqlType][] = [
      ['id', T.int()],
      ['owner', T.string()],
    ];
    const r = jdbcConnector.createLookup!(
      jdbcContext('accounts', columns, rigOptions(rig!, { 'table-name': 'accounts' })),
      [0],
    );
    await expect(r.open()).rejects.toThrow(
      "jdbc table 'accounts': column 'id' is declared INT, but PostgreSQL column accounts.id is bigint, which cannot be read as INT\n" +
        "  hint: declare 'id' as BIGINT (what bigint maps to), or change the PostgreSQL column to integer",
    );
  });

  // The last tests stop the database.
  it("'lookup.max-retries': a lookup while the database restarts is retried until it answers; past the retries, a clear error", async (ctx) => {
    needsDb(ctx);
    const patient = await accountsById({ 'lookup.max-retries': '3' });
    const impatient = await accountsById({ 'lookup.max-retries': '0' });
    expect(owners(await patient.lookup([9]))).toEqual(['owner 9']);
    expect(owners(await impatient.lookup([9]))).toEqual(['owner 9']);
    await rig!.kill();
    try {
      await expect(impatient.lookup([9])).rejects.toThrow(
        `jdbc table 'accounts' (PostgreSQL at 127.0.0.1:${rig!.port}/fintrans): cannot look up key (9) in accounts: connection refused\n` +
          `  hint: is PostgreSQL running at 127.0.0.1:${rig!.port}? (check 'url')`,
      );
      const answered = patient.lookup([10]);
      await sleep(600);
      await rig!.start();
      expect(owners(await answered)).toEqual(['owner 10']);
      expect(patient.stats.retries).toBeGreaterThanOrEqual(1);
    } finally {
      if (!rig!.running()) await rig!.start();
    }
    // The impatient reader reconnects on its next lookup.
    expect(owners(await impatient.lookup([11]))).toEqual(['owner 11']);
  });
});
