// Bench cases of the per-event jobs and of the lookup join (issues 17, 18), registered in run.ts:
//
//   (j) structuring.sql (MATCH_RECOGNIZE, PATTERN (S{3}) WITHIN 24 h over the transfers just under
//       10 000) over 2 M background transfers (a tenth of them near the threshold), file → CSV:
//       records/s, peak RSS, and the alerts checked against the same definition computed here.
//   (k) a lookup join of every transfer's sender into a PostgreSQL accounts table (the test rig's
//       private cluster, test/rig/postgres.ts), with Flink's PARTIAL cache and without one
//       (every batch's distinct keys go to the database in one query): records/s and peak RSS of
//       each, and the rows checked to be the same.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { postgresForTests, type PostgresRig } from '../rig/postgres.js';
import { assertSucceeded, runChild, type ChildRun } from './measure.js';
import { grouped, megabytes, type ResultRow } from './report.js';

export interface EventCaseOptions {
  readonly records: number;
  readonly repeat: number;
  /** A directory of this case's own (made empty here). */
  readonly dir: string;
  readonly node: string;
  readonly cli: string;
  /** test/bench/jobs */
  readonly jobs: string;
  readonly note: (line: string) => void;
  readonly fail: (line: string) => void;
  /** With --flink: runs the case's job on Flink next to this run (run.ts), given its rows. */
  readonly onFlink?: (
    job: string,
    input: string,
    records: number,
    bytes: number,
    ours: ChildRun,
    output: string,
    rows: ResultRow[],
  ) => Promise<void>;
}

/** Full-size inputs (--quick runs a tenth). */
export const EVENT_CASE_SIZE = { j: 2_000_000, k: 1_000_000 };

const LOOKUP_ACCOUNTS = 1000;

function fresh(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'input'), { recursive: true });
}

function generate(o: EventCaseOptions, args: string[]): void {
  const r = spawnSync(o.node, [o.cli, 'generate', '--count', String(o.records), ...args], {
    cwd: o.dir,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`generate failed: ${r.stderr}`);
}

async function best(what: string, repeat: number, run: () => Promise<ChildRun>): Promise<ChildRun> {
  const runs: ChildRun[] = [];
  for (let i = 0; i < repeat; i++) {
    const r = await run();
    assertSucceeded(what, r);
    runs.push(r);
  }
  const sorted = [...runs].sort((x, y) => x.wallMs - y.wallMs);
  return {
    ...sorted[Math.floor((sorted.length - 1) / 2)]!,
    peakRssKb: Math.max(...runs.map((r) => r.peakRssKb)),
  };
}

function row(label: string, records: number, bytes: number, run: ChildRun, note: string): ResultRow {
  return {
    label,
    records,
    inputBytes: bytes,
    wallMs: run.wallMs,
    peakRssKb: run.peakRssKb,
    cpuMs: run.cpuMs,
    throughput: true,
    note,
  };
}

const csvRows = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter(Boolean).slice(1);

export async function structuringCase(o: EventCaseOptions): Promise<ResultRow[]> {
  fresh(o.dir);
  // Background traffic as it comes (a tenth of it between 9 000 and 9 999): ~200 000 rows reach
  // the MATCH_RECOGNIZE, most senders' runs complete, and partial matches wait up to 24 h.
  generate(o, ['--out', 'input/transactions.csv']);
  const text = readFileSync(join(o.dir, 'input/transactions.csv'), 'utf8');
  const run = await best('(j) structuring', o.repeat, () =>
    runChild(o.node, [o.cli, 'run', join(o.jobs, 'structuring_file.sql'), '--quiet'], { cwd: o.dir }),
  );
  const expected = structuringMatches(text);
  const got = csvRows(join(o.dir, 'output/structuring.csv'))
    .map((l) => l.split(','))
    .map((c) => `${c[0]} ${c[1]} ${c[2]}`)
    .sort();
  const same = expected.length === got.length && expected.every((k, i) => k === got[i]);
  if (!same) o.fail(`(j) wrote ${got.length} structuring alerts, computed here: ${expected.length}`);
  const rate = o.records / (run.wallMs / 1000);
  o.note(
    `(j) structuring (MATCH_RECOGNIZE S{3} within 24 h over the transfers of 9 000–9 999) over ${grouped(o.records)} transfers: ${grouped(Math.round(rate))} records/s, ` +
      `peak RSS ${megabytes(run.peakRssKb * 1024)} MB; ${got.length} alerts, the same as computed here: ${same ? 'yes' : 'NO'}.`,
  );
  const rows = [
    row(
      '(j) structuring: MATCH_RECOGNIZE',
      o.records,
      text.length,
      run,
      `${got.length} alerts as computed: ${same ? 'yes' : 'NO'}`,
    ),
  ];
  await o.onFlink?.(
    join(o.jobs, 'structuring_file.sql'),
    join(o.dir, 'input/transactions.csv'),
    o.records,
    text.length,
    run,
    join(o.dir, 'output/structuring.csv'),
    rows,
  );
  return rows;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * structuring.sql's alerts computed directly ("account first last", sorted): per sender, the
 * transfers of 9 000–9 999 in file order (the generator writes them in time order); the earliest
 * three in a row within 24 h (last - first < 24 h) match, and the next match starts after them.
 */
function structuringMatches(text: string): string[] {
  const bySender = new Map<string, number[]>();
  const out: string[] = [];
  const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [time, sender, , amount] = line.split(';');
    const a = Number(amount);
    if (!(a >= 9000 && a < 10000)) continue;
    // 'Sunday, 23-Jul-17 01:06:47 UTC'
    const m = /, (\d\d)-(\w{3})-(\d\d) (\d\d):(\d\d):(\d\d)/.exec(time!)!;
    const ts = Date.UTC(
      2000 + Number(m[3]),
      MONTHS.indexOf(m[2]!),
      Number(m[1]),
      Number(m[4]),
      Number(m[5]),
      Number(m[6]),
    );
    const list = (bySender.get(sender!) ?? []).filter((t) => ts - t < 24 * 3_600_000);
    list.push(ts);
    if (list.length === 3) {
      out.push(`${sender} ${stamp(list[0]!)} ${stamp(ts)}`);
      bySender.delete(sender!);
    } else bySender.set(sender!, list);
  }
  return out.sort();
}

function lookupJob(rig: PostgresRig, cache: string): string {
  return `CREATE TABLE transactions (
  tx_time STRING, sender BIGINT, receiver BIGINT, amount BIGINT,
  proc AS PROCTIME()
) WITH ('connector' = 'filesystem', 'path' = 'input/transactions.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE TABLE accounts (id BIGINT, owner STRING, country STRING, risk_tier STRING) WITH (
  'connector' = 'jdbc', 'url' = '${rig.jdbcUrl}', 'table-name' = 'accounts',
  'username' = '${rig.user}', 'password' = '${rig.password}'${cache}
);
CREATE TABLE enriched (tx_time STRING, sender BIGINT, owner STRING, risk_tier STRING, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'output/enriched.csv', 'format' = 'csv');
INSERT INTO enriched
SELECT t.tx_time, t.sender, a.owner, a.risk_tier, t.amount
FROM transactions AS t LEFT JOIN accounts FOR SYSTEM_TIME AS OF t.proc AS a ON t.sender = a.id;
`;
}

export async function lookupCase(o: EventCaseOptions): Promise<ResultRow[]> {
  const rig = await postgresForTests().catch((e: unknown) => {
    o.note(`(k) not run: no PostgreSQL (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
    return null;
  });
  if (!rig) return [];
  try {
    fresh(o.dir);
    generate(o, ['--accounts', String(LOOKUP_ACCOUNTS), '--out', 'input/transactions.csv']);
    const bytes = readFileSync(join(o.dir, 'input/transactions.csv')).length;
    await rig.query(`DROP TABLE IF EXISTS accounts`);
    await rig.query(
      `CREATE TABLE accounts (id bigint PRIMARY KEY, owner text, country text, risk_tier text)`,
    );
    // Every tenth account has no row: those lookups find nothing (a LEFT JOIN pads them).
    await rig.query(
      `INSERT INTO accounts SELECT i, 'owner ' || i, (ARRAY['DE','FR','US','SG'])[1 + i % 4], (ARRAY['low','medium','high'])[1 + i % 3]
       FROM generate_series(0, ${LOOKUP_ACCOUNTS - 1}) AS i WHERE i % 10 <> 7`,
    );
    const variants: [string, string][] = [
      ['cache off', ''],
      [
        'PARTIAL cache',
        `, 'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '10000', 'lookup.partial-cache.expire-after-write' = '10 min'`,
      ],
    ];
    const rows: ResultRow[] = [];
    const outputs: string[][] = [];
    for (const [name, cache] of variants) {
      const job = join(o.dir, `lookup-${name.replace(/\W+/g, '-')}.sql`);
      writeFileSync(job, lookupJob(rig, cache));
      const run = await best(`(k) lookup join, ${name}`, o.repeat, () =>
        runChild(o.node, [o.cli, 'run', job, '--quiet'], { cwd: o.dir }),
      );
      const out = csvRows(join(o.dir, 'output/enriched.csv')).sort();
      if (out.length !== o.records)
        o.fail(`(k) ${name}: wrote ${out.length} rows for ${o.records} transfers`);
      outputs.push(out);
      const rate = o.records / (run.wallMs / 1000);
      o.note(
        `(k) lookup join into PostgreSQL ${rig.version}, ${name}, over ${grouped(o.records)} transfers (${LOOKUP_ACCOUNTS} accounts): ` +
          `${grouped(Math.round(rate))} records/s, peak RSS ${megabytes(run.peakRssKb * 1024)} MB.`,
      );
      rows.push(row(`(k) lookup join, ${name}`, o.records, bytes, run, `${out.length} rows`));
    }
    const same =
      outputs[0]!.length === outputs[1]!.length && outputs[0]!.every((r, i) => r === outputs[1]![i]);
    if (!same) o.fail('(k) the cached and uncached lookup joins wrote different rows');
    return rows;
  } finally {
    await rig.stop();
  }
}
