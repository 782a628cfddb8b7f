// A lookup join through the CLI against a real PostgreSQL (test/rig/postgres.ts): each transfer
// asks the 'jdbc' accounts table for its sender as it is read (FOR SYSTEM_TIME AS OF a PROCTIME()
// column), inner and left, with and without Flink's PARTIAL cache; a batch's distinct keys go to
// the database in one query, and the summary says so.
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { runCli } from '../e2e/cli.js';
import { postgresForTests, type PostgresRig } from '../rig/postgres.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rigOptions, withClause, workdir } from './helpers.js';

let rig: PostgresRig | null = null;

beforeAll(async () => {
  rig = await postgresForTests();
  await rig?.query(`CREATE TABLE accounts (id bigint PRIMARY KEY, owner text, tier text)`);
  await rig?.query(
    `INSERT INTO accounts VALUES (1, 'alice', 'high'), (2, 'bob', 'low'), (3, 'carol', 'medium')`,
  );
}, 300_000);

afterAll(async () => {
  await rig?.stop();
});

function needsDb(ctx: TestContext): void {
  if (!rig) ctx.skip();
}

/** 200 transfers from senders 1..5 (4 and 5 have no account). */
function transfers(): string {
  const lines: string[] = [];
  for (let i = 0; i < 200; i++)
    lines.push(
      `2024-01-01 00:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},${1 + (i % 5)},${(i * 37) % 1000}`,
    );
  return lines.join('\n') + '\n';
}

function job(cache: Record<string, string>): string {
  return `CREATE TABLE transfers (ts TIMESTAMP(3), sender BIGINT, amount BIGINT, proc AS PROCTIME(), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
WITH ('connector' = 'filesystem', 'path' = 'transfers.csv', 'format' = 'csv');

CREATE TABLE accounts (id BIGINT, owner STRING, tier STRING) WITH (
${withClause(rigOptions(rig!, { 'table-name': 'accounts', ...cache }))}
);

CREATE TABLE enriched (sender BIGINT, owner STRING, tier STRING, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/enriched.csv', 'format' = 'csv');
CREATE TABLE known (sender BIGINT, owner STRING, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/known.csv', 'format' = 'csv');

INSERT INTO enriched
SELECT t.sender, a.owner, a.tier, t.amount
FROM transfers AS t LEFT JOIN accounts FOR SYSTEM_TIME AS OF t.proc AS a ON t.sender = a.id;

INSERT INTO known
SELECT t.sender, a.owner, t.amount
FROM transfers t JOIN accounts FOR SYSTEM_TIME AS OF t.proc a ON a.id = t.sender AND a.tier <> 'low';
`;
}

function expected(): { enriched: string[]; known: string[] } {
  const owners: Record<number, [string, string]> = {
    1: ['alice', 'high'],
    2: ['bob', 'low'],
    3: ['carol', 'medium'],
  };
  const enriched: string[] = [];
  const known: string[] = [];
  for (const line of transfers().trimEnd().split('\n')) {
    const [, s, amount] = line.split(',');
    const o = owners[Number(s)];
    enriched.push(`${s},${o?.[0] ?? ''},${o?.[1] ?? ''},${amount}`);
    if (o && o[1] !== 'low') known.push(`${s},${o[0]},${amount}`);
  }
  return { enriched: enriched.sort(), known: known.sort() };
}

function outputRows(dir: string, file: string): string[] {
  return readFileSync(join(dir, 'out', file), 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .sort();
}

describe('lookup join on a jdbc table (real PostgreSQL)', () => {
  for (const [name, cache] of [
    ['without a cache', {}],
    [
      'with a PARTIAL cache',
      {
        'lookup.cache': 'PARTIAL',
        'lookup.partial-cache.max-rows': '100',
        'lookup.partial-cache.expire-after-write': '1 min',
      },
    ],
  ] as const) {
    it(`each row meets its account as the database has it (${name})`, (ctx) => {
      needsDb(ctx);
      const dir = workdir({ 'transfers.csv': transfers(), 'job.sql': job(cache) });
      const r = runCli(['run', 'job.sql'], dir);
      expect(r.code, r.stderr).toBe(0);
      const want = expected();
      expect(outputRows(dir, 'enriched.csv')).toEqual(want.enriched);
      expect(outputRows(dir, 'known.csv')).toEqual(want.known);
      // Two joins of 200 rows each, read in one batch: each join asks for its 5 distinct senders in one query.
      expect(r.stderr.match(/5 lookups in PostgreSQL table accounts \(1 quer/g)).toHaveLength(2);
    });
  }
});
