// The 'jdbc' scan source against a real PostgreSQL (the private cluster of test/rig/postgres.ts):
// a table of every supported type read by the CLI into a CSV file, the same with small fetches
// and with a partitioned scan, a scan resumed from its positions, and the errors a user meets
// first (a declared type that does not match, a missing table, a wrong password).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { jdbcConnector } from '../../connectors/jdbc/jdbc.js';
import type { RawBatch } from '../../connectors/api.js';
import { T } from '../../engine/types.js';
import { runCli } from '../e2e/cli.js';
import { postgresForTests, type PostgresRig } from '../rig/postgres.js';
import { jdbcContext, rigOptions, withClause, workdir } from './helpers.js';

let rig: PostgresRig | null = null;

beforeAll(async () => {
  rig = await postgresForTests();
  if (!rig) return;
  await rig.query(`CREATE TABLE accounts (
    id bigint PRIMARY KEY, owner text, country varchar(2), risk integer, tier smallint,
    balance numeric(12, 2), opened timestamp(6), seen timestamptz, score double precision, ratio real, active boolean)`);
  await rig.query(`INSERT INTO accounts VALUES
    (1, 'Ana Lima', 'BR', 3, 1, 1234.50, '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.5+02', 0.1, 1.1, true),
    (2, 'O''Brien, Pat', 'IE', NULL, 2, -0.05, '1999-12-31 23:59:59', '2024-06-30 12:00:00+00', -1e300, 0.5, false),
    (9007199254740993, 'Big "Id"', NULL, 2147483647, -32768, 9999999999.99, NULL, NULL, NULL, NULL, NULL)`);
  await rig.query(`CREATE TABLE numbers (n integer, label text)`);
  await rig.query(`INSERT INTO numbers SELECT g, 'n' || g FROM generate_series(1, 1000) g`);
}, 300_000);

afterAll(async () => {
  await rig?.stop();
});

function needsDb(ctx: TestContext): void {
  if (!rig) ctx.skip();
}

const ACCOUNT_COLUMNS = `id BIGINT, owner STRING, country STRING, risk INT, tier SMALLINT,
  balance DECIMAL(12, 2), opened TIMESTAMP(3), seen TIMESTAMP_LTZ(3), score DOUBLE, ratio FLOAT, active BOOLEAN`;

/** A job reading PostgreSQL table `pgTable` as `columns` into output/out.csv. */
function scanJob(columns: string, options: Record<string, string>): string {
  return `CREATE TABLE src (
  ${columns}
) WITH (
${withClause(options)}
);

CREATE TABLE copied (
  ${columns}
) WITH ('connector' = 'filesystem', 'path' = 'output/out.csv', 'format' = 'csv');

INSERT INTO copied SELECT * FROM src;
`;
}

function run(job: string): { code: number; stderr: string; csv: () => string[] } {
  const dir = workdir({ 'job.sql': job });
  const r = runCli(['run', 'job.sql'], dir);
  return {
    code: r.code,
    stderr: r.stderr,
    csv: () => readFileSync(join(dir, 'output/out.csv'), 'utf8').trimEnd().split('\n'),
  };
}

describe('jdbc scan source on a real PostgreSQL', () => {
  it('reads every row of a table, each type in the engine layout, into a CSV file', (ctx) => {
    needsDb(ctx);
    const r = run(scanJob(ACCOUNT_COLUMNS, rigOptions(rig!, { 'table-name': 'accounts' })));
    expect(r.code, r.stderr).toBe(0);
    expect(r.csv()).toEqual([
      'id,owner,country,risk,tier,balance,opened,seen,score,ratio,active',
      // timestamptz in UTC, microseconds cut to TIMESTAMP(3), a real (FLOAT) as Java's Float.toString prints it.
      '1,Ana Lima,BR,3,1,1234.50,2024-01-02 03:04:05.123,2024-01-02 01:04:05.500,0.1,1.1,true',
      '2,"O\'Brien, Pat",IE,,2,-0.05,1999-12-31 23:59:59.000,2024-06-30 12:00:00.000,-1.0E300,0.5,false',
      '9007199254740993,"Big ""Id""",,2147483647,-32768,9999999999.99,,,,,',
    ]);
  });

  it('reads the same rows with one row per fetch, and with a partitioned scan (rows outside the bounds are not read, as in Flink)', (ctx) => {
    needsDb(ctx);
    const columns = 'n INT, label STRING';
    const small = run(
      scanJob(
        columns,
        rigOptions(rig!, { 'table-name': 'numbers', 'scan.fetch-size': '7', 'scan.auto-commit': 'false' }),
      ),
    );
    expect(small.code, small.stderr).toBe(0);
    // The header line, then the rows.
    expect(small.csv().length).toBe(1001);
    expect(new Set(small.csv()).size).toBe(1001);

    const parts = run(
      scanJob(
        columns,
        rigOptions(rig!, {
          'table-name': 'numbers',
          'scan.partition.column': 'n',
          'scan.partition.num': '4',
          'scan.partition.lower-bound': '11',
          'scan.partition.upper-bound': '990',
        }),
      ),
    );
    expect(parts.code, parts.stderr).toBe(0);
    const got = parts
      .csv()
      .slice(1)
      .map((l) => Number(l.split(',')[0]))
      .sort((a, b) => a - b);
    expect(got).toEqual(Array.from({ length: 980 }, (_, i) => i + 11));
  });

  it('resumes from its positions without reading a row twice', async (ctx) => {
    needsDb(ctx);
    const options = rigOptions(rig!, {
      'table-name': 'numbers',
      'scan.partition.column': 'n',
      'scan.partition.num': '3',
      'scan.partition.lower-bound': '1',
      'scan.partition.upper-bound': '1000',
    });
    const make = () =>
      jdbcConnector.createSource!(
        jdbcContext(
          'numbers',
          [
            ['n', T.int()],
            ['label', T.string()],
          ],
          options,
        ),
      );
    const seen: number[] = [];
    const take = (b: RawBatch) => b.rows!.forEach((r) => seen.push(r![0] as number));

    const first = make();
    await first.open();
    for (let i = 0; i < 5; i++) {
      const p = await first.poll(50);
      if (p.kind === 'batch') take(p.batch);
    }
    const positions = first.positions();
    await first.close();
    expect(seen.length).toBe(250);
    expect(Object.values(positions).reduce((a, b) => a + b, 0)).toBe(250);

    const resumed = make();
    resumed.seek(positions);
    await resumed.open();
    for (;;) {
      const p = await resumed.poll(64);
      if (p.kind === 'end') break;
      if (p.kind === 'batch') take(p.batch);
    }
    await resumed.close();
    expect(seen.length).toBe(1000);
    expect(new Set(seen).size).toBe(1000);
  });

  it('a declared type that does not match the PostgreSQL column stops the job, naming both', (ctx) => {
    needsDb(ctx);
    const r = run(scanJob('id BIGINT, owner INT', rigOptions(rig!, { 'table-name': 'accounts' })));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "error: jdbc table 'src': column 'owner' is declared INT, but PostgreSQL column accounts.owner is text, which cannot be read as INT\n" +
        "  hint: declare 'owner' as STRING (what text maps to), or change the PostgreSQL column to integer\n",
    );
  });

  it('a missing table and a wrong password are refused with what to check', (ctx) => {
    needsDb(ctx);
    const missing = run(scanJob('id BIGINT', rigOptions(rig!, { 'table-name': 'acounts' })));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      `error: jdbc table 'src': PostgreSQL table 'acounts' does not exist in PostgreSQL at 127.0.0.1:${rig!.port}/fintrans\n` +
        `  hint: create it (CREATE TABLE acounts (...)), or check 'table-name' (an unquoted name is folded to lower case, a schema other than the search_path's needs 'schema.table')\n`,
    );

    const denied = run(
      scanJob('id BIGINT', rigOptions(rig!, { 'table-name': 'accounts', password: 'not-the-password' })),
    );
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(
      `error: jdbc table 'src' (PostgreSQL at 127.0.0.1:${rig!.port}/fintrans): cannot connect: password authentication failed for user "fintrans"\n` +
        `  hint: check 'username' and 'password'\n`,
    );
    // The wrong password is a secret too: never printed.
    expect(denied.stderr).not.toContain('not-the-password');
  });
});
