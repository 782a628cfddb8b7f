// The Elasticsearch sink against a real node (OpenSearch 2.19 from Maven Central, test/rig/opensearch.ts),
// through the CLI as a user runs it: the PyFlink spending-pattern job writing documents, a second
// run that overwrites instead of duplicating, a running aggregate updating documents in place,
// appends, a mapping conflict, and the node crashing and restarting in the middle of a job.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { openSearchForTests, type OpenSearchRig } from '../rig/opensearch.js';
import { CLI, runCli, type CliResult } from '../e2e/cli.js';
import { cliAsync, jobCopy, workdirWithJobs } from '../cli-helpers.js';

let rig: OpenSearchRig | null = null;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  rig = await openSearchForTests();
}, 300_000);

afterAll(async () => {
  await rig?.stop();
});

function needsNode(ctx: TestContext): void {
  if (!rig) ctx.skip();
}

interface Hit {
  _id: string;
  _version?: number;
  _source: Record<string, unknown>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the search node's JSON answers, read field by field in the tests
async function es(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${rig!.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** Every document of an index (after a refresh, so the search sees all acknowledged writes), by _id. */
async function allDocs(index: string): Promise<Hit[]> {
  expect((await es('POST', `/${index}/_refresh`)).status).toBe(200);
  const r = await es('POST', `/${index}/_search?size=10000&version=true`, { query: { match_all: {} } });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return (r.json.hits.hits as Hit[]).sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
}

const workdir = (): string => workdirWithJobs('fintrans-es-', 'input', 'output');

function cli(args: string[], dir: string): CliResult {
  const r = runCli(args, dir);
  expect(r.code, `fintrans-sql ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}

// ---- the PyFlink spending-pattern job -------------------------------------------------------

interface Tx {
  customer: string;
  online: number;
  inStore: number;
  lat: number;
  lon: number;
  ms: number;
}

/** Deterministic input in time order (no late records): 20 customers over ~41 h, some outside the area. */
function spendingInput(n: number): { lines: string[]; txs: Tx[] } {
  const start = Date.parse('2017-07-23T00:00:00Z');
  const lines: string[] = [];
  const txs: Tx[] = [];
  for (let i = 0; i < n; i++) {
    const customer = `Customer ${(i * 7) % 20}`;
    const online = ((i * 3) % 9) * 0.25;
    const inStore = ((i * 5) % 11) * 0.5;
    const latText = (44.58 + ((i * 13) % 40) * 0.0085).toFixed(4);
    const lonText = (20.19 + ((i * 11) % 50) * 0.009).toFixed(4);
    const ms = start + i * 37_000;
    const iso = new Date(ms).toISOString().replace('.000Z', 'Z');
    lines.push(
      `{"customer":"${customer}","transaction_type":"${i % 2 ? 'online' : 'in_store'}","online_payment_amount":${online},` +
        `"in_store_payment_amount":${inStore},"lat":${latText},"lon":${lonText},"transaction_datetime":"${iso}"}`,
    );
    txs.push({ customer, online, inStore, lat: Number(latText), lon: Number(lonText), ms });
  }
  return { lines, txs };
}

/** What the job must write, computed from the input the way the SQL says (10 h tumbling windows, HAVING). */
function expectedSpending(txs: Tx[]): Map<string, Record<string, unknown>> {
  const HOURS_10 = 36_000_000;
  const groups = new Map<
    string,
    {
      customer: string;
      end: number;
      count: number;
      online: number;
      inStore: number;
      lat: number;
      lon: number;
    }
  >();
  for (const t of txs) {
    const end = (Math.floor(t.ms / HOURS_10) + 1) * HOURS_10;
    const key = `${t.customer}|${end}`;
    const g = groups.get(key) ?? {
      customer: t.customer,
      end,
      count: 0,
      online: 0,
      inStore: 0,
      lat: 0,
      lon: 0,
    };
    g.count++;
    g.online += t.online;
    g.inStore += t.inStore;
    g.lat = t.lat;
    g.lon = t.lon;
    groups.set(key, g);
  }
  const out = new Map<string, Record<string, unknown>>();
  for (const g of groups.values()) {
    if (!(
      g.online < g.inStore &&
      g.count >= 3 &&
      g.lon < 20.62 &&
      g.lon > 20.2 &&
      g.lat < 44.91 &&
      g.lat > 44.57
    ))
      continue;
    const endIso = new Date(g.end).toISOString();
    out.set(`${g.customer}_${endIso.slice(0, 16)}`, {
      customer: g.customer,
      count_transactions: g.count,
      total_online_payment_amount: g.online,
      total_in_store_payment_amount: g.inStore,
      lat: g.lat,
      lon: g.lon,
      last_transaction_time: endIso,
    });
  }
  return out;
}

/**
 * A work dir with `n` generated transactions in input/transactions.json and, as `to`, a copy of the
 * shipped spending_pattern_es.sql reading them (instead of Kafka) and writing to the rig's node.
 */
function spendingJob(
  n: number,
  to: string,
  more: [string, string][] = [],
): { dir: string; job: string; txs: Tx[] } {
  const dir = workdir();
  const { lines, txs } = spendingInput(n);
  writeFileSync(join(dir, 'input/transactions.json'), lines.join('\n') + '\n');
  const job = jobCopy(dir, 'spending_pattern_es.sql', to, [
    [
      "'connector' = 'kafka',\n  'topic' = 'transactions-data',\n  'properties.group.id' = 'spending-pattern-es',",
      "'connector' = 'filesystem',\n  'path' = 'input/transactions.json',",
    ],
    ["'hosts' = 'http://localhost:9200'", `'hosts' = '${rig!.url}'`],
    ...more,
  ]);
  return { dir, job, txs };
}

describe('elasticsearch sink on a real node', () => {
  it('the PyFlink spending-pattern job writes its documents; a second run overwrites them (same count)', async (ctx) => {
    needsNode(ctx);
    const { dir, job, txs } = spendingJob(4000, 'jobs/spending_es_test.sql');
    const expected = expectedSpending(txs);
    // The input is meant to exercise the HAVING clause both ways.
    expect(expected.size).toBeGreaterThan(10);
    expect(expected.size).toBeLessThan(100);

    const first = cli(['run', job], dir);
    expect(first.stderr).toContain(`${expected.size} document upserts → index 'spending-pattern'`);
    const docs = await allDocs('spending-pattern');
    expect(docs.map((d) => d._id)).toEqual([...expected.keys()].sort());
    for (const d of docs) expect(d._source, d._id).toEqual(expected.get(d._id));
    // ISO-8601 times are mapped as dates by the node: a range query on them works.
    const mapping = await es('GET', '/spending-pattern/_mapping');
    expect(mapping.json['spending-pattern'].mappings.properties.last_transaction_time.type).toBe('date');

    cli(['run', job, '--fresh'], dir);
    const again = await allDocs('spending-pattern');
    expect(again.map((d) => d._id)).toEqual(docs.map((d) => d._id));
    for (const d of again) {
      expect(d._source).toEqual(expected.get(d._id));
      expect(d._version).toBe(2); // overwritten once by the second run, not added
    }
  }, 180_000);

  // ---- running aggregates, appends, errors -----------------------------------------------------

  function payments(
    n: number,
    accounts: number,
  ): { csv: string; totals: Map<string, { payments: number; total: number }> } {
    const rows: string[] = [];
    const totals = new Map<string, { payments: number; total: number }>();
    for (let i = 0; i < n; i++) {
      const account = `acct-${(i * 17) % accounts}`;
      const amount = 1 + ((i * 31) % 997);
      rows.push(`${account},${amount}`);
      const t = totals.get(account) ?? { payments: 0, total: 0 };
      t.payments++;
      t.total += amount;
      totals.set(account, t);
    }
    return { csv: rows.join('\n') + '\n', totals };
  }

  const paymentsTable = `CREATE TABLE payments (account STRING, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'input/payments.csv', 'format' = 'csv');`;

  function runningJob(index: string, extraOptions = ''): string {
    return `${paymentsTable}
CREATE TABLE totals (account STRING, payments BIGINT, total BIGINT, PRIMARY KEY (account) NOT ENFORCED)
WITH ('connector' = 'elasticsearch-8', 'hosts' = '${rig!.url}', 'index' = '${index}', 'sink.bulk-flush.max-actions' = '50'${extraOptions});
INSERT INTO totals SELECT account, COUNT(*), SUM(amount) FROM payments GROUP BY account;
`;
  }

  it('a running aggregate (GROUP BY, PRIMARY KEY) updates its documents in place', async (ctx) => {
    needsNode(ctx);
    const dir = workdir();
    const { csv, totals } = payments(5000, 37);
    writeFileSync(join(dir, 'input/payments.csv'), csv);
    writeFileSync(join(dir, 'running.sql'), runningJob('running-totals'));
    const r = cli(['run', 'running.sql'], dir);
    // One upsert per input row (the group's new total), all on 37 documents.
    expect(r.stderr).toContain(`5000 document upserts → index 'running-totals'`);
    const docs = await allDocs('running-totals');
    expect(docs).toHaveLength(37);
    for (const d of docs) {
      const t = totals.get(d._id)!;
      expect(d._source).toEqual({ account: d._id, payments: t.payments, total: t.total });
    }
    // Written over many bulks: the documents were updated in place, many times.
    expect(Math.max(...docs.map((d) => d._version!))).toBeGreaterThan(10);
  }, 120_000);

  // Pair totals moving between bands of 100 (a running aggregate over an updating input): band 1
  // is emptied for good (-D), band 0 emptied and filled again; band 2's count changes.
  const transfersJob = (
    index: string,
    options: string,
  ) => `CREATE TABLE transfers (sender INT, receiver INT, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'input/transfers.csv', 'format' = 'csv');
CREATE VIEW pair_totals AS SELECT sender, receiver, SUM(amount) AS total FROM transfers GROUP BY sender, receiver;
CREATE TABLE bands (band BIGINT, pairs BIGINT, PRIMARY KEY (band) NOT ENFORCED)
WITH ('connector' = 'elasticsearch-7', 'hosts' = '${rig!.url}', 'index' = '${index}'${options});
INSERT INTO bands SELECT total / 100, COUNT(*) FROM pair_totals GROUP BY total / 100;
`;

  it('an updating input: a changed group updates its document, an emptied group deletes it (also when it was never written)', async (ctx) => {
    needsNode(ctx);
    const dir = workdir();
    writeFileSync(
      join(dir, 'input/transfers.csv'),
      '1,2,150\n2,3,120\n1,3,30\n1,2,100\n2,3,90\n1,3,-10\n3,1,40\n',
    );
    const final = [
      { _id: '0', _source: { band: 0, pairs: 2 } },
      { _id: '2', _source: { band: 2, pairs: 2 } },
    ];
    // One action per bulk: band 1's document is written, updated, then deleted on the node.
    writeFileSync(
      join(dir, 'one.sql'),
      transfersJob('bands-one-by-one', ", 'sink.bulk-flush.max-actions' = '1'"),
    );
    const one = cli(['run', 'one.sql'], dir);
    // 14 changes: 4 -U dropped (the +U that follows replaces the document), 8 upserts, 2 deletes.
    expect(one.stderr).toContain("8 document upserts and 2 deletes → index 'bands-one-by-one'");
    expect((await allDocs('bands-one-by-one')).map((d) => ({ _id: d._id, _source: d._source }))).toEqual(
      final,
    );
    expect((await es('GET', '/bands-one-by-one/_doc/1')).json.found).toBe(false);

    // All in one bulk: only the last action per document is sent, so band 1's is a delete of a
    // document the index never had (404 not_found), which is no error.
    writeFileSync(join(dir, 'bulk.sql'), transfersJob('bands-one-bulk', ''));
    cli(['run', 'bulk.sql'], dir);
    expect((await allDocs('bands-one-bulk')).map((d) => ({ _id: d._id, _source: d._source }))).toEqual(final);
  }, 120_000);

  it('many changes over many bulks: the index holds exactly the rows of the PRIMARY KEY file written by the same query', async (ctx) => {
    needsNode(ctx);
    const dir = workdir();
    expect(runCli(['generate', '--count', '10000', '--out', 'input/tx.csv'], dir).code).toBe(0);
    writeFileSync(
      join(dir, 'cross.sql'),
      `CREATE TABLE tx (tx_time STRING, sender BIGINT, receiver BIGINT, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'input/tx.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE VIEW sender_totals AS SELECT sender, SUM(amount) AS total FROM tx GROUP BY sender;
CREATE VIEW bands_view AS SELECT total / 5000 AS band, COUNT(*) AS senders, MAX(total) AS top FROM sender_totals GROUP BY total / 5000;
CREATE TABLE in_index (band BIGINT, senders BIGINT, top BIGINT, PRIMARY KEY (band) NOT ENFORCED)
WITH ('connector' = 'elasticsearch-7', 'hosts' = '${rig!.url}', 'index' = 'sender-bands', 'sink.bulk-flush.max-actions' = '100');
CREATE TABLE in_file (band BIGINT, senders BIGINT, top BIGINT, PRIMARY KEY (band) NOT ENFORCED)
WITH ('connector' = 'filesystem', 'path' = 'output/bands.csv', 'format' = 'csv');
INSERT INTO in_index SELECT * FROM bands_view;
INSERT INTO in_file SELECT * FROM bands_view;
`,
    );
    const r = cli(['run', 'cross.sql'], dir);
    // Totals only grow: the lowest bands were emptied on the way (documents deleted).
    const deletes = Number(/document upserts and (\d+) deletes → index 'sender-bands'/.exec(r.stderr)?.[1]);
    expect(deletes).toBeGreaterThan(2);
    const fileRows = readFileSync(join(dir, 'output/bands.csv'), 'utf8').split('\n').filter(Boolean).slice(1);
    expect(fileRows.length).toBeGreaterThan(3);
    const docs = await allDocs('sender-bands');
    const asRow = (d: Hit) => `${d._source.band},${d._source.senders},${d._source.top}`;
    expect(docs.map(asRow).sort()).toEqual([...fileRows].sort());
    for (const d of docs) expect(d._id).toBe(String(d._source.band));
  }, 120_000);

  it('without a PRIMARY KEY rows are appended with generated ids (a second run adds them again)', async (ctx) => {
    needsNode(ctx);
    const dir = workdir();
    const { csv } = payments(300, 7);
    writeFileSync(join(dir, 'input/payments.csv'), csv);
    writeFileSync(
      join(dir, 'append.sql'),
      `${paymentsTable}
CREATE TABLE log (account STRING, amount BIGINT) WITH ('connector' = 'elasticsearch', 'hosts' = '${rig!.url}', 'index' = 'payments-log');
INSERT INTO log SELECT account, amount FROM payments;
`,
    );
    expect(cli(['run', 'append.sql'], dir).stderr).toContain(`300 documents → index 'payments-log'`);
    const docs = await allDocs('payments-log');
    expect(docs).toHaveLength(300);
    const sum = (hits: Hit[]) => hits.reduce((s, d) => s + (d._source.amount as number), 0);
    const expectedSum = csv
      .trim()
      .split('\n')
      .reduce((s, l) => s + Number(l.split(',')[1]), 0);
    expect(sum(docs)).toBe(expectedSum);
    cli(['run', 'append.sql'], dir);
    expect(await allDocs('payments-log')).toHaveLength(600);
  }, 120_000);

  it('a mapping conflict stops the job with the field and the index named', async (ctx) => {
    needsNode(ctx);
    const dir = workdir();
    writeFileSync(join(dir, 'input/payments.csv'), 'acct-1,10\nacct-2,20\n');
    const created = await es('PUT', '/typed-totals', {
      mappings: { properties: { account: { type: 'keyword' }, total: { type: 'long' } } },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    writeFileSync(
      join(dir, 'conflict.sql'),
      `${paymentsTable}
CREATE TABLE typed (account STRING, total STRING, PRIMARY KEY (account) NOT ENFORCED)
WITH ('connector' = 'elasticsearch-7', 'hosts' = '${rig!.url}', 'index' = 'typed-totals');
INSERT INTO typed SELECT account, 'about ' || CAST(amount AS STRING) FROM payments;
`,
    );
    const r = runCli(['run', 'conflict.sql'], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      `elasticsearch-7 sink 'typed': mapping conflict in index 'typed-totals' on field 'total' (the column is STRING)`,
    );
    expect(r.stderr).toMatch(/failed to parse field \[total\] of type \[long\]/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // a user error: no stack trace

    // With 'failure-handler' = 'ignore' the same documents are skipped and counted instead.
    writeFileSync(
      join(dir, 'ignore.sql'),
      readFileSync(join(dir, 'conflict.sql'), 'utf8').replace(
        "'index' = 'typed-totals'",
        "'index' = 'typed-totals', 'failure-handler' = 'ignore'",
      ),
    );
    const ignored = cli(['run', 'ignore.sql'], dir);
    expect(ignored.stderr).toContain(`0 document upserts → index 'typed-totals'`);
    expect(ignored.stderr).toContain(
      `2 rejected and ignored ('failure-handler' = 'ignore'), e.g. mapper_parsing_exception: failed to parse field [total] of type [long]`,
    );
    expect((await es('GET', '/typed-totals/_count')).json.count).toBe(0);
  }, 60_000);

  it('a dynamic index splits documents by the day of window_end', async (ctx) => {
    needsNode(ctx);
    const { dir, job, txs } = spendingJob(4000, 'jobs/daily.sql', [
      ["'index' = 'spending-pattern'", "'index' = 'spending-{last_transaction_time|yyyy-MM-dd}'"],
    ]);
    cli(['run', job], dir);
    const expected = expectedSpending(txs);
    const byDay = new Map<string, number>();
    for (const doc of expected.values()) {
      const day = (doc.last_transaction_time as string).slice(0, 10);
      byDay.set(day, (byDay.get(day) ?? 0) + 1);
    }
    expect(byDay.size).toBeGreaterThan(1);
    for (const [day, count] of byDay) expect((await allDocs(`spending-${day}`)).length, day).toBe(count);
  }, 120_000);

  /**
   * A job with two keyed sinks over `n` payments: a ledger (one document per payment, keyed by its
   * sequence number: any lost write is a missing document) and running totals per account.
   */
  function outageJob(
    dir: string,
    name: string,
    n: number,
    extraOptions: string,
  ): { totals: Map<string, { payments: number; total: number }>; sum: number } {
    const rows: string[] = [];
    const totals = new Map<string, { payments: number; total: number }>();
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const account = `acct-${(i * 17) % 1000}`;
      const amount = 1 + ((i * 31) % 997);
      rows.push(`${i},${account},${amount}`);
      const t = totals.get(account) ?? { payments: 0, total: 0 };
      t.payments++;
      t.total += amount;
      totals.set(account, t);
      sum += amount;
    }
    writeFileSync(join(dir, 'input/ledger.csv'), rows.join('\n') + '\n');
    const options = `'hosts' = '${rig!.url}', 'sink.bulk-flush.max-actions' = '100'${extraOptions}`;
    writeFileSync(
      join(dir, `${name}.sql`),
      `CREATE TABLE payments (seq BIGINT, account STRING, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'input/ledger.csv', 'format' = 'csv');
CREATE TABLE ledger (seq BIGINT, account STRING, amount BIGINT, PRIMARY KEY (seq) NOT ENFORCED)
WITH ('connector' = 'elasticsearch-7', 'index' = '${name}-ledger', ${options});
CREATE TABLE totals (account STRING, payments BIGINT, total BIGINT, PRIMARY KEY (account) NOT ENFORCED)
WITH ('connector' = 'elasticsearch-7', 'index' = '${name}-totals', ${options});
INSERT INTO ledger SELECT seq, account, amount FROM payments;
INSERT INTO totals SELECT account, COUNT(*), SUM(amount) FROM payments GROUP BY account;
`,
    );
    return { totals, sum };
  }

  async function waitForDocuments(index: string): Promise<void> {
    for (;;) {
      const r = await es('GET', `/${index}/_count`).catch(() => ({
        status: 0,
        json: {} as { count?: number },
      }));
      if (r.status === 200 && r.json.count > 0) return;
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  async function expectNothingLost(
    r: CliResult,
    name: string,
    n: number,
    expected: { totals: Map<string, { payments: number; total: number }>; sum: number },
  ): Promise<void> {
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${n} document upserts → index '${name}-ledger'`);
    expect(r.stderr).toContain(`${n} document upserts → index '${name}-totals'`);
    expect(r.stderr).toMatch(
      new RegExp(`index '${name}-\\w+' \\([^)]*\\); \\d+ retr(y|ies) after node errors`),
    ); // the job did see the node gone
    // More documents than one search returns: count them, and sum them on the node.
    expect((await es('POST', `/${name}-ledger/_refresh`)).status).toBe(200);
    const ledger = await es('POST', `/${name}-ledger/_search`, {
      size: 0,
      track_total_hits: true,
      aggs: { sum: { sum: { field: 'amount' } }, seqs: { stats: { field: 'seq' } } },
    });
    expect(ledger.json.hits.total.value).toBe(n);
    expect(ledger.json.aggregations.sum.value).toBe(expected.sum);
    // n documents with n distinct ids, each a seq in 0..n-1: every payment is there once.
    expect([ledger.json.aggregations.seqs.min, ledger.json.aggregations.seqs.max]).toEqual([0, n - 1]);
    const docs = await allDocs(`${name}-totals`);
    expect(docs).toHaveLength(1000);
    for (const d of docs) {
      const t = expected.totals.get(d._id)!;
      expect(d._source).toEqual({ account: d._id, payments: t.payments, total: t.total });
    }
  }

  it('the node crashing (SIGKILL) and restarting mid-job: the sink retries, nothing is lost', async (ctx) => {
    needsNode(ctx);
    const dir = workdir();
    const n = 50_000;
    // Constant backoff for up to 2 minutes: the restart takes tens of seconds on a busy machine.
    const expected = outageJob(
      dir,
      'crash',
      n,
      `, 'sink.bulk-flush.backoff.strategy' = 'CONSTANT', 'sink.bulk-flush.backoff.delay' = '500ms', 'sink.bulk-flush.backoff.max-retries' = '240'`,
    );
    const run = cliAsync(['run', 'crash.sql'], dir);
    await waitForDocuments('crash-ledger');
    await rig!.kill();
    await new Promise((res) => setTimeout(res, 2000));
    await rig!.restart();
    await expectNothingLost(await run.done, 'crash', n, expected);
  }, 300_000);

  it('the node hanging (SIGSTOP) for a few seconds mid-job: requests time out, are retried, nothing is lost', async (ctx) => {
    needsNode(ctx);
    const dir = workdir();
    const n = 50_000;
    const expected = outageJob(dir, 'hang', n, `, 'connection.request-timeout' = '1s'`);
    const run = cliAsync(['run', 'hang.sql'], dir);
    await waitForDocuments('hang-ledger');
    rig!.pause();
    await new Promise((res) => setTimeout(res, 5000));
    rig!.resume();
    await expectNothingLost(await run.done, 'hang', n, expected);
  }, 300_000);
});
