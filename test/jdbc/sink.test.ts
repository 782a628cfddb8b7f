// The 'jdbc' sink against a real PostgreSQL (test/rig/postgres.ts): jobs run by the CLI appending
// rows and upserting a running GROUP BY by its key; the upsert/delete path driven directly with
// write(rows, kinds) as the runtime calls it; flushes by count and by time; the PostgreSQL table's
// key and column types checked at start; and the database going away: retried until it is back,
// or a clear error with every row still pending.
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { jdbcConnector } from '../../connectors/jdbc/jdbc.js';
import type { JdbcSink } from '../../connectors/jdbc/sink.js';
import { DELETE, INSERT, T, UPDATE_AFTER, UPDATE_BEFORE, type SqlType } from '../../engine/types.js';
import { runCli } from '../e2e/cli.js';
import { sleep } from '../rig/java-process.js';
import { postgresForTests, type PostgresRig } from '../rig/postgres.js';
import { jdbcContext, rigOptions, withClause, workdir } from './helpers.js';

let rig: PostgresRig | null = null;

beforeAll(async () => {
  rig = await postgresForTests();
}, 300_000);

afterAll(async () => {
  await rig?.stop();
});

function needsDb(ctx: TestContext): void {
  if (!rig) ctx.skip();
}

const BALANCE: [string, SqlType][] = [
  ['account', T.string(false)],
  ['balance', T.decimal(12, 2)],
  ['updated', T.timestamp(3)],
];

function sink(
  table: string,
  columns: [string, SqlType][],
  options: Record<string, string>,
  primaryKey?: number[],
): JdbcSink {
  return jdbcConnector.createSink!(
    jdbcContext(table, columns, rigOptions(rig!, { 'table-name': table, ...options }), primaryKey),
  ) as JdbcSink;
}

async function rows(sql: string): Promise<string[]> {
  return (await rig!.query(sql)).map((r) =>
    Object.values(r)
      .map((v) => (v === null ? 'NULL' : String(v)))
      .join('|'),
  );
}

/** transfers.csv: 60 transfers over 7 accounts, and what each account's count and total come to. */
function transfers(): { csv: string; totals: string[] } {
  const lines: string[] = [];
  const totals = new Map<string, { n: number; sum: number }>();
  for (let i = 0; i < 60; i++) {
    const account = `acc-${(i * 5) % 7}`;
    const amount = ((i * 37) % 101) - 20;
    lines.push(`${account},${amount}`);
    const t = totals.get(account) ?? { n: 0, sum: 0 };
    t.n++;
    t.sum += amount;
    totals.set(account, t);
  }
  return {
    csv: lines.join('\n') + '\n',
    totals: [...totals].sort(([a], [b]) => (a < b ? -1 : 1)).map(([a, t]) => `${a}|${t.n}|${t.sum}`),
  };
}

describe('jdbc sink on a real PostgreSQL', () => {
  it('a job appends its rows to a table without a PRIMARY KEY', async (ctx) => {
    needsDb(ctx);
    await rig!.query('CREATE TABLE transfer_copy (account text, amount bigint)');
    const { csv } = transfers();
    const dir = workdir({
      'transfers.csv': csv,
      'job.sql': `CREATE TABLE transfers (account STRING, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'transfers.csv', 'format' = 'csv');

CREATE TABLE transfer_copy (account STRING, amount BIGINT) WITH (
${withClause(rigOptions(rig!, { 'table-name': 'transfer_copy' }))}
);

INSERT INTO transfer_copy SELECT account, amount FROM transfers;
`,
    });
    const r = runCli(['run', 'job.sql'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `wrote 60 rows → PostgreSQL table transfer_copy (PostgreSQL at 127.0.0.1:${rig!.port}/fintrans)`,
    );
    const got = await rows('SELECT account, amount FROM transfer_copy ORDER BY account, amount');
    const want = csv
      .trimEnd()
      .split('\n')
      .map((l) => l.replace(',', '|'))
      .sort((a, b) => {
        const [x, m] = a.split('|');
        const [y, n] = b.split('|');
        return x! < y! ? -1 : x! > y! ? 1 : Number(m) - Number(n);
      });
    expect(got).toEqual(want);
  });

  it('a running GROUP BY into a PRIMARY KEY table leaves the latest row per key (upserts)', async (ctx) => {
    needsDb(ctx);
    await rig!.query(
      'CREATE TABLE account_totals (account text PRIMARY KEY, n bigint NOT NULL, total bigint)',
    );
    // A row the job must overwrite, not duplicate: upserts replace what an earlier run left.
    await rig!.query(`INSERT INTO account_totals VALUES ('acc-0', 999, 999)`);
    const { csv, totals } = transfers();
    const dir = workdir({
      'transfers.csv': csv,
      'job.sql': `CREATE TABLE transfers (account STRING, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'transfers.csv', 'format' = 'csv');

CREATE TABLE account_totals (account STRING, n BIGINT, total BIGINT, PRIMARY KEY (account) NOT ENFORCED) WITH (
${withClause(rigOptions(rig!, { 'table-name': 'account_totals', 'sink.buffer-flush.max-rows': '5' }))}
);

INSERT INTO account_totals SELECT account, COUNT(*), SUM(amount) FROM transfers GROUP BY account;
`,
    });
    const r = runCli(['run', 'job.sql'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(await rows('SELECT account, n, total FROM account_totals ORDER BY account')).toEqual(totals);
  });

  it('applies +I/+U as upserts and -D as deletes by key, the last change of a key winning within a flush and across flushes', async (ctx) => {
    needsDb(ctx);
    await rig!.query(
      'CREATE TABLE balances (account text PRIMARY KEY, balance numeric(12, 2), updated timestamp)',
    );
    const s = sink(
      'balances',
      BALANCE,
      { 'sink.buffer-flush.max-rows': '0', 'sink.buffer-flush.interval': '0' },
      [0],
    );
    expect(s.accepts).toBe('upsert');
    await s.prepare();
    const t = Date.parse('2024-03-01T10:00:00Z');
    // One flush: a inserted then updated, b inserted then deleted, c deleted before it was ever written.
    s.write(
      [
        ['a', 100n, t],
        ['b', 250n, t],
        ['a', 100n, t],
        ['a', -1999n, t + 1],
        ['b', 250n, t],
        ['c', 1n, t],
      ],
      [INSERT, INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE, DELETE],
    );
    expect(s.pending).toBe(6); // the -U too: it deletes the key, as in Flink's JDBC sink
    await s.flush();
    expect(s.pending).toBe(0);
    expect(
      await rows(
        `SELECT account, balance, to_char(updated, 'YYYY-MM-DD HH24:MI:SS.MS') FROM balances ORDER BY account`,
      ),
    ).toEqual(['a|-19.99|2024-03-01 10:00:00.001']);
    // Later flushes: b comes back, a is deleted, b is updated twice (the last wins).
    s.write([['b', 5n, t]], [INSERT]);
    await s.flush();
    s.write(
      [
        ['a', -1999n, t + 1],
        ['b', 6n, t + 2],
        ['b', 7n, t + 3],
      ],
      [DELETE, UPDATE_AFTER, UPDATE_AFTER],
    );
    await s.flush();
    // A -U without its +U (the new value failed a HAVING): the row is gone, as on Flink.
    s.write([['c', 9n, t]], [INSERT]);
    await s.flush();
    s.write([['c', 9n, t]], [UPDATE_BEFORE]);
    await s.close();
    expect(
      await rows(
        `SELECT account, balance, to_char(updated, 'YYYY-MM-DD HH24:MI:SS.MS') FROM balances ORDER BY account`,
      ),
    ).toEqual(['b|0.07|2024-03-01 10:00:00.003']);
    expect(s.describe()).toBe(
      `12 row upserts/deletes → PostgreSQL table balances (PostgreSQL at 127.0.0.1:${rig!.port}/fintrans)`,
    );
  });

  it("flushes by itself at 'sink.buffer-flush.max-rows' rows and after 'sink.buffer-flush.interval'", async (ctx) => {
    needsDb(ctx);
    await rig!.query('CREATE TABLE flushed (n integer)');
    const byCount = sink('flushed', [['n', T.int()]], {
      'sink.buffer-flush.max-rows': '3',
      'sink.buffer-flush.interval': '0',
    });
    await byCount.prepare();
    byCount.write([[1], [2]]);
    await sleep(300);
    expect(await rows('SELECT count(*) FROM flushed')).toEqual(['0']);
    byCount.write([[3]]);
    await waitFor(async () => (await rows('SELECT count(*) FROM flushed'))[0] === '3');
    await byCount.close();

    const byTime = sink('flushed', [['n', T.int()]], {
      'sink.buffer-flush.max-rows': '0',
      'sink.buffer-flush.interval': '300 ms',
    });
    await byTime.prepare();
    const started = Date.now();
    byTime.write([[4], [5]]);
    await waitFor(async () => (await rows('SELECT count(*) FROM flushed'))[0] === '5');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await byTime.close();
  });

  it('checks the PostgreSQL table when the job starts: the key ON CONFLICT needs, and column types that hold the declared ones', async (ctx) => {
    needsDb(ctx);
    await rig!.query('CREATE TABLE no_key (account text, balance numeric(12, 2), updated timestamp)');
    const keyless = sink('no_key', BALANCE, {}, [0]);
    await expect(keyless.prepare()).rejects.toThrow(
      "jdbc table 'no_key': PRIMARY KEY (account) is not a primary key or unique index of PostgreSQL table no_key (it has no primary key): upserts (INSERT ... ON CONFLICT) need one\n" +
        "  hint: ALTER TABLE no_key ADD PRIMARY KEY (account), or declare the table's PRIMARY KEY as PostgreSQL's",
    );
    await rig!.query('CREATE TABLE narrow (account text, balance numeric(6, 2), updated timestamp)');
    const narrow = sink('narrow', BALANCE, {});
    await expect(narrow.prepare()).rejects.toThrow(
      "jdbc table 'narrow': column 'balance' is declared DECIMAL(12, 2), but PostgreSQL column narrow.balance is numeric(6,2), which cannot hold every value of DECIMAL(12, 2)\n" +
        "  hint: declare 'balance' as DECIMAL(6, 2) (what numeric(6,2) maps to), or change the PostgreSQL column to numeric(12, 2)",
    );
  });

  it('a row PostgreSQL refuses fails at once (no retries), naming the constraint, and stays pending', async (ctx) => {
    needsDb(ctx);
    await rig!.query(
      'CREATE TABLE unique_accounts (account text PRIMARY KEY, balance numeric(12, 2), updated timestamp)',
    );
    const s = sink('unique_accounts', BALANCE, { 'sink.buffer-flush.max-rows': '0' });
    expect(s.accepts).toBe('insert-only');
    await s.prepare();
    s.write([
      ['a', 1n, null],
      ['a', 2n, null],
    ]);
    const started = Date.now();
    await expect(s.flush()).rejects.toThrow(
      `jdbc table 'unique_accounts' (PostgreSQL at 127.0.0.1:${rig!.port}/fintrans): cannot write 2 rows to unique_accounts: duplicate key value violates unique constraint "unique_accounts_pkey" (Key (account)=(a) already exists.)\n` +
        "  hint: declare the table's PRIMARY KEY (...) NOT ENFORCED to upsert by it instead of appending",
    );
    expect(Date.now() - started).toBeLessThan(900);
    expect(s.pending).toBe(2);
    expect(s.retries).toBe(0);
    await s.close();
    expect(await rows('SELECT count(*) FROM unique_accounts')).toEqual(['0']);
  });

  // The last tests stop the database.
  it('the database going away and coming back within the retries: every row arrives once', async (ctx) => {
    needsDb(ctx);
    await rig!.query('CREATE TABLE survivors (n integer PRIMARY KEY)');
    const s = sink(
      'survivors',
      [['n', T.int(false)]],
      { 'sink.buffer-flush.max-rows': '0', 'sink.max-retries': '3' },
      [0],
    );
    await s.prepare();
    s.write([[1], [2]]);
    await s.flush();
    await rig!.kill();
    s.write([[3], [4], [5]]);
    const flushed = s.flush();
    await sleep(700);
    expect(s.pending).toBe(3);
    await rig!.start();
    await flushed;
    expect(s.retries).toBeGreaterThanOrEqual(1);
    expect(s.pending).toBe(0);
    await s.close();
    expect(await rows('SELECT n FROM survivors ORDER BY n')).toEqual(['1', '2', '3', '4', '5']);
  });

  it('the database down past the retries: a clear error, and no row lost (all still pending for the checkpoint to replay)', async (ctx) => {
    needsDb(ctx);
    const s = sink(
      'survivors',
      [['n', T.int(false)]],
      { 'sink.buffer-flush.max-rows': '0', 'sink.max-retries': '1' },
      [0],
    );
    await s.prepare();
    await rig!.kill();
    try {
      s.write([[6], [7]]);
      await expect(s.flush()).rejects.toThrow(
        `jdbc table 'survivors' (PostgreSQL at 127.0.0.1:${rig!.port}/fintrans): cannot write 2 rows to survivors (after 1 retry): connection refused\n` +
          `  hint: is PostgreSQL running at 127.0.0.1:${rig!.port}? (check 'url')`,
      );
      expect(s.pending).toBe(2);
      expect(s.rowsWritten).toBe(0);
      // The job has failed: the sink takes nothing more.
      expect(() => s.write([[8]])).toThrow('cannot write 2 rows to survivors');
      await s.close();
    } finally {
      await rig!.start();
    }
    // A resumed job writes the rows again: upserts by key, so nothing is doubled.
    const resumed = sink('survivors', [['n', T.int(false)]], {}, [0]);
    await resumed.prepare();
    resumed.write([[5], [6], [7]]);
    await resumed.close();
    expect(await rows('SELECT n FROM survivors ORDER BY n')).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(50);
  }
}
