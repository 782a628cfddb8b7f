// fintrans-sql demo: the README's first command. Generates transactions with planted laundering and
// the join jobs' patterns into the embedded topic store, with reference data, runs the ready jobs
// over them, and checks each job's alerts against the generator's ground truth: every planted case
// found, no decoy reported, nothing reported that the truth does not list.

import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { runGenerate } from './generate.js';
import { TopicStore } from '../../connectors/embedded/topic-store.js';
import { defaultStoreDir } from '../../engine/home.js';
import { parseFlags, UsageError } from './args.js';
import type { ExtraCommand } from './command.js';
import type { DemoJobRequest, DemoJobResult } from './demo-job.js';
import { CITIES } from '../../generator/formats.js';
import { TOP_SENDERS_TRUTH_FILE } from '../../generator/top-senders.js';

export const DEMO_HELP = `Usage: fintrans-sql demo [--count N] [--plant N] [--patterns N] [--seed S]

Runs the ready jobs end to end on the embedded topic store (no Kafka, no Java):
  1. generates N transactions (default 300000) into topic 'transactions' (.fintrans/) with
     --plant laundering cases (default 30) and --patterns cases of each other pattern (default 30:
     rapid cash-outs, layering chains, transfers to blocklisted accounts, structuring, card
     testing, large first contacts, each with decoys),
     reference data into data/ (accounts, their versions, the blocklist), and the ground truth
     into output/truth.csv and output/truth/; and N fintrans records into the city topics
     (London, NYC, SF, Moscow, Tokyo) with --patterns planted top senders of a city and
     window (and as many decoys), their truth into output/truth/cities/;
  2. runs jobs/laundering.sql, laundering_enriched.sql, rapid_cashout.sql, layering.sql,
     blocklist.sql, structuring.sql, card_testing.sql, first_contact.sql (on 'transactions')
     and top_senders.sql (on the city topics), each writing output/<job>.csv;
  3. compares each job's alerts with the truth and prints how many planted cases it found.
Exits 1 if a job missed a planted case, reported a decoy or reported anything the truth does not
list. Run it from the project directory.`;

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  count: { type: 'string' },
  plant: { type: 'string' },
  patterns: { type: 'string' },
  seed: { type: 'string' },
} as const;

const TOPIC = 'transactions';
const TRUTH = 'output/truth.csv';
const PATTERN_TRUTH = 'output/truth';
/** top_senders.sql's data set (the city topics) has a truth directory of its own. */
const CITIES_TRUTH = 'output/truth/cities';
const REFERENCE = 'data';
const LAUNDERING_KINDS = new Set(['laundering', 'straddling', 'decoy']);

type CsvRow = Record<string, string>;

/** What a job's alerts are checked against: truth rows by the key of an alert. */
interface Check {
  readonly job: string;
  readonly output: string;
  /** The planted cases it is for, e.g. 'rapid cash-outs'. */
  readonly what: string;
  readonly truthFile: string;
  /** The truth kinds of this pattern (others' rows it must report are counted apart). */
  readonly kinds: ReadonlySet<string>;
  readonly truthKey: (row: CsvRow) => string;
  readonly alertKey: (row: CsvRow) => string;
  /** How to name other patterns' rows this job reports, as the truth expects. */
  readonly alsoExpected: string;
  /** What an expected row must also show, beyond its key (a Top-N's rank and total). */
  readonly detail?: (row: CsvRow) => string;
  /** Decoys counted per planted case, not per truth row (a top-sender decoy has a row per city). */
  readonly decoysByCase?: boolean;
}

const windowKey = (r: CsvRow): string => `${r.sender} -> ${r.receiver} in window starting ${r.window_start}`;

const CHECKS: readonly Check[] = [
  {
    job: 'laundering',
    output: 'output/laundering.csv',
    what: 'laundering cases',
    truthFile: TRUTH,
    kinds: LAUNDERING_KINDS,
    truthKey: windowKey,
    alertKey: windowKey,
    alsoExpected: "windows holding a join pattern's single transfer over 10 000",
  },
  {
    job: 'rapid_cashout',
    output: 'output/rapid_cashout.csv',
    what: 'rapid cash-outs',
    truthFile: `${PATTERN_TRUTH}/rapid_cashout_truth.csv`,
    kinds: new Set(['rapid-cashout', 'cashout-decoy-share', 'cashout-decoy-late']),
    truthKey: (r) =>
      `${r.deposit_from} -> ${r.account} at ${r.deposit_time}, ${r.account} -> ${r.cashout_to} at ${r.cashout_time}`,
    alertKey: (r) =>
      `${r.deposit_from} -> ${r.account} at ${r.deposit_time}, ${r.account} -> ${r.cashout_to} at ${r.cashout_time}`,
    alsoExpected: 'layering links, which move ≥ 80 % on within the hour too',
  },
  {
    job: 'layering',
    output: 'output/layering.csv',
    what: 'layering chains',
    truthFile: `${PATTERN_TRUTH}/layering_truth.csv`,
    kinds: new Set(['layering', 'layering-decoy-slow', 'layering-decoy-amount']),
    truthKey: (r) => `${r.origin} -> ${r.middle} at ${r.first_time} -> ${r.destination} at ${r.second_time}`,
    alertKey: (r) => `${r.origin} -> ${r.middle} at ${r.first_time} -> ${r.destination} at ${r.second_time}`,
    alsoExpected: "other patterns' transfers that chain up",
  },
  {
    job: 'blocklist',
    output: 'output/blocklist.csv',
    what: 'transfers to blocklisted accounts',
    truthFile: `${PATTERN_TRUTH}/blocklist_truth.csv`,
    kinds: new Set(['blocklisted', 'blocklist-decoy-early']),
    truthKey: (r) => `${r.sender} -> ${r.receiver} at ${r.tx_time}`,
    alertKey: (r) => `${r.sender} -> ${r.receiver} at ${r.tx_time}`,
    alsoExpected: "other patterns' transfers to listed accounts",
  },
  {
    job: 'structuring',
    output: 'output/structuring.csv',
    what: 'structuring cases',
    truthFile: `${PATTERN_TRUTH}/structuring_truth.csv`,
    kinds: new Set(['structuring', 'structuring-decoy-threshold', 'structuring-decoy-low']),
    truthKey: (r) => `${r.account} from ${r.first_time} to ${r.last_time}`,
    alertKey: (r) => `${r.account} from ${r.first_time} to ${r.last_time}`,
    alsoExpected: "other accounts' runs of transfers just under 10 000",
  },
  {
    job: 'card_testing',
    output: 'output/card_testing.csv',
    what: 'card-testing sprees',
    truthFile: `${PATTERN_TRUTH}/card_testing_truth.csv`,
    kinds: new Set(['card-testing', 'card-testing-decoy-slow', 'card-testing-decoy-small']),
    truthKey: (r) => `${r.account}: tests from ${r.first_test}, large payment at ${r.large_time}`,
    alertKey: (r) => `${r.account}: tests from ${r.first_test}, large payment at ${r.large_time}`,
    alsoExpected: "other accounts' test payments followed by a large one",
  },
  {
    job: 'first_contact',
    output: 'output/first_contact.csv',
    what: 'large first contacts',
    truthFile: `${PATTERN_TRUTH}/first_contact_truth.csv`,
    kinds: new Set(['first-contact', 'first-contact-decoy-small']),
    truthKey: (r) => `${r.sender} -> ${r.receiver} at ${r.tx_time}`,
    alertKey: (r) => `${r.sender} -> ${r.receiver} at ${r.tx_time}`,
    alsoExpected: "other patterns' pairs whose first transfer is above 5 000",
  },
  {
    job: 'top_senders',
    output: 'output/top_senders.csv',
    what: 'top senders',
    truthFile: `${CITIES_TRUTH}/${TOP_SENDERS_TRUTH_FILE}`,
    kinds: new Set(['top-sender', 'top-sender-decoy-spread']),
    truthKey: (r) => `${r.sender} in ${r.city}, window starting ${r.window_start}`,
    alertKey: (r) => `${r.sender} in ${r.city}, window starting ${r.window_start}`,
    alsoExpected: "background senders in their city's top three of a window",
    detail: (r) => `rank ${r.rank_in_city}, total ${r.total}, ${r.transfers} transfers`,
    decoysByCase: true,
  },
];

function wholeNumber(v: string | undefined, flag: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`demo: ${flag} needs a whole number, got '${v}'`);
  return n;
}

export const demoCommand: ExtraCommand = {
  name: 'demo',
  usage: 'demo',
  summary: 'generate planted laundering and join patterns, run the ready jobs, check their alerts',
  async run(argv) {
    const { values } = parseFlags(argv, FLAGS, 'demo');
    if (values.help) {
      process.stdout.write(DEMO_HELP + '\n');
      return 0;
    }
    const count = wholeNumber(values.count, '--count', 300_000);
    const plant = wholeNumber(values.plant, '--plant', 30);
    const patterns = wholeNumber(values.patterns, '--patterns', 30);
    const seed = wholeNumber(values.seed, '--seed', 1);
    const cwd = process.cwd();
    const started = Date.now();

    // A fresh topic each time, so the run's input is exactly what the truth describes.
    const store = TopicStore.open(defaultStoreDir(cwd));
    if (store.partitionCount(TOPIC) !== undefined) store.deleteTopic(TOPIC);
    store.close();

    process.stderr.write(
      `1/3 generating ${count} transactions with ${plant} planted laundering cases and ${patterns} of each join pattern → topic '${TOPIC}' ` +
        `(embedded store ${defaultStoreDir(cwd)}), reference data → ${REFERENCE}/\n`,
    );
    mkdirSync(join(cwd, 'output'), { recursive: true });
    const p = String(patterns);
    const generateArgs = [
      '--count',
      String(count),
      '--plant',
      String(plant),
      '--seed',
      String(seed),
      '--truth',
      TRUTH,
      '--to',
      TOPIC,
    ];
    generateArgs.push(
      '--plant-cashout',
      p,
      '--plant-layering',
      p,
      '--plant-blocklist',
      p,
      '--plant-structuring',
      p,
      '--plant-card-testing',
      p,
      '--plant-first-contact',
      p,
      '--pattern-truth',
      PATTERN_TRUTH,
      '--reference',
      REFERENCE,
    );
    const gen = await runGenerate(generateArgs, {
      stdout: process.stdout,
      stderr: process.stderr,
      cwd,
      async openTopic(topic) {
        const s = TopicStore.open(defaultStoreDir(cwd));
        s.ensureTopic(topic ?? TOPIC, 1);
        return {
          async write(records) {
            s.append(
              topic ?? TOPIC,
              records.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp })),
            );
          },
          async close() {
            s.close();
          },
        };
      },
    });
    if (gen !== 0) return gen;

    // top_senders.sql reads the fintrans city topics: a data set of its own, with its own truth.
    const cityStore = TopicStore.open(defaultStoreDir(cwd));
    for (const city of CITIES) if (cityStore.partitionCount(city) !== undefined) cityStore.deleteTopic(city);
    cityStore.close();
    process.stderr.write(
      `    and ${count} fintrans transactions with ${patterns} planted top senders → topics ${CITIES.join(', ')}\n`,
    );
    const cityGen = await runGenerate(
      [
        '--format',
        'fintrans',
        '--count',
        String(count),
        '--seed',
        String(seed),
        '--plant-top-senders',
        p,
        '--pattern-truth',
        CITIES_TRUTH,
        '--to',
        'cities',
      ],
      {
        stdout: process.stdout,
        stderr: process.stderr,
        cwd,
        async openTopic() {
          const s = TopicStore.open(defaultStoreDir(cwd));
          for (const city of CITIES) s.ensureTopic(city, 1);
          return {
            async write(records) {
              for (const city of CITIES) {
                const mine = records.filter((r) => r.topic === city);
                if (mine.length > 0)
                  s.append(
                    city,
                    mine.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp })),
                  );
              }
            },
            async close() {
              s.close();
            },
          };
        },
      },
    );
    if (cityGen !== 0) return cityGen;

    const jobs = [
      'laundering',
      'laundering_enriched',
      'rapid_cashout',
      'layering',
      'blocklist',
      'structuring',
      'card_testing',
      'first_contact',
      'top_senders',
    ];
    const parallel = Math.max(1, Math.min(jobs.length, availableParallelism()));
    process.stderr.write(
      `2/3 running ${jobs.map((j) => `jobs/${j}.sql`).join(', ')} (${parallel} at a time)\n`,
    );
    const failures = await runJobs(
      jobs.map((j) => join(cwd, 'jobs', `${j}.sql`)),
      cwd,
      parallel,
    );
    if (failures.length > 0) {
      for (const f of failures) process.stderr.write(`error: ${f}\n`);
      return 1;
    }

    process.stderr.write(`3/3 checking the alerts against ${TRUTH} and ${PATTERN_TRUTH}/\n`);
    let ok = true;
    const lines: string[] = [];
    const missed: string[] = [];
    // Rows found with the wrong details, listed apart so that many misses do not hide them.
    const wrongDetails: string[] = [];
    for (const check of CHECKS) {
      const v = compare(check, readCsv(join(cwd, check.output)), readCsv(join(cwd, check.truthFile)));
      lines.push(
        `Planted ${check.what} found: ${v.found}/${v.expected} (recall ${v.expected ? Math.round((100 * v.found) / v.expected) : 100} %); ` +
          `decoys reported: ${v.decoysReported}/${v.decoys}; other alerts: ${v.other}. Alerts in ${check.output}.` +
          (v.alsoExpected > 0
            ? `\n  Also reported, as the truth expects: ${v.alsoFound}/${v.alsoExpected} ${check.alsoExpected}.`
            : ''),
      );
      missed.push(...v.missed.map((m) => `  missed: ${m} (${check.job}.sql)`));
      wrongDetails.push(...v.wrong.map((w) => `  wrong: ${w} (${check.job}.sql)`));
      ok &&= v.missed.length === 0 && v.decoysReported === 0 && v.other === 0 && v.wrong.length === 0;
      if (check.job === 'laundering') {
        const enriched = checkEnrichment(
          readCsv(join(cwd, 'output/laundering_enriched.csv')),
          readCsv(join(cwd, check.output)),
          readCsv(join(cwd, REFERENCE, 'account_versions.csv'), VERSION_COLUMNS),
        );
        lines.push(
          `Enriched laundering alerts: ${enriched.right}/${enriched.alerts} with both accounts' owner, country and risk tier as of the window's end ` +
            `(${enriched.changed} of them after a change of tier during the run); same alerts as laundering.sql: ${enriched.sameAlerts ? 'yes' : 'NO'}. ` +
            `Alerts in output/laundering_enriched.csv.`,
        );
        missed.push(...enriched.wrong.map((w) => `  wrong: ${w} (laundering_enriched.sql)`));
        ok &&= enriched.sameAlerts && enriched.right === enriched.alerts;
      }
    }
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(`${lines.join('\n')}\nAll ${jobs.length} jobs checked in ${secs} s.\n`);
    for (const list of [missed, wrongDetails]) {
      for (const m of list.slice(0, 20)) process.stdout.write(`${m}\n`);
      if (list.length > 20) process.stdout.write(`  … and ${list.length - 20} more\n`);
    }
    return ok ? 0 : 1;
  },
};

/** Runs the job files, `parallel` at a time, each in a worker thread (demo-job.ts); returns the failures. */
async function runJobs(files: string[], cwd: string, parallel: number): Promise<string[]> {
  const failures: string[] = [];
  const queue = [...files];
  const runOne = (file: string): Promise<void> =>
    new Promise((resolve) => {
      const request: DemoJobRequest = { file, cwd };
      const worker = new Worker(new URL('./demo-job.js', import.meta.url), { workerData: request });
      let settled = false;
      const finish = (failure: string | null): void => {
        if (settled) return;
        settled = true;
        if (failure !== null) failures.push(`${file}: ${failure}`);
        void worker.terminate().then(() => resolve());
      };
      worker.once('message', (result: DemoJobResult) => {
        if ('error' in result) finish(result.error);
        else {
          for (const w of result.wrote) process.stderr.write(`    wrote ${w}\n`);
          finish(null);
        }
      });
      worker.once('error', (err) => finish(err.message));
      worker.once('exit', (code) => finish(`the job's thread ended (code ${code}) before reporting`));
    });
  const lane = async (): Promise<void> => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) await runOne(file);
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return failures;
}

const VERSION_COLUMNS = ['valid_from', 'id', 'owner', 'country', 'risk_tier', 'opened'];

/** A CSV file's rows by its header (or by `columns` for a file without one). */
function readCsv(path: string, columns?: readonly string[]): CsvRow[] {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  const cols = columns ?? lines.shift()!.split(',');
  // The key columns hold numbers, timestamps and names without commas: no quoting to undo there.
  return lines.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i] ?? `c${i}`, v])));
}

function compare(check: Check, alerts: CsvRow[], truth: CsvRow[]) {
  const got = new Set(alerts.map(check.alertKey));
  // Expected rows found with other details than the truth's (e.g. a Top-N row's rank or total).
  const wrong: string[] = [];
  if (check.detail !== undefined) {
    const detail = check.detail;
    const byKey = new Map(alerts.map((a) => [check.alertKey(a), detail(a)]));
    for (const t of truth) {
      const shown = byKey.get(check.truthKey(t));
      if (t.expected_alert === 'true' && shown !== undefined && shown !== detail(t))
        wrong.push(`${check.truthKey(t)}: ${shown} instead of ${detail(t)}`);
    }
  }
  const own = truth.filter((t) => check.kinds.has(t.kind!));
  const others = truth.filter((t) => !check.kinds.has(t.kind!));
  const expectedOwn = own.filter((t) => t.expected_alert === 'true').map(check.truthKey);
  const expectedOthers = others.filter((t) => t.expected_alert === 'true').map(check.truthKey);
  const expected = new Set([...expectedOwn, ...expectedOthers]);
  const decoyRows = own.filter((t) => t.expected_alert !== 'true');
  const count = (rows: CsvRow[]): number =>
    check.decoysByCase ? new Set(rows.map((t) => t.id)).size : rows.length;
  return {
    expected: expectedOwn.length,
    found: expectedOwn.filter((k) => got.has(k)).length,
    missed: [...expectedOwn, ...expectedOthers].filter((k) => !got.has(k)),
    wrong,
    decoys: count(decoyRows),
    decoysReported: count(decoyRows.filter((t) => got.has(check.truthKey(t)))),
    alsoExpected: expectedOthers.length,
    alsoFound: expectedOthers.filter((k) => got.has(k)).length,
    // Anything reported the truth does not expect (other patterns' non-alerting candidates included).
    other: [...got].filter((k) => !expected.has(k) && !own.some((t) => check.truthKey(t) === k)).length,
  };
}

const timeOf = (text: string): number => Date.parse(text.replace(' ', 'T') + 'Z');

/**
 * laundering_enriched.sql against laundering.sql and the account versions: the same alerts, each
 * with the version of both accounts valid at the window's last millisecond (window_time).
 */
function checkEnrichment(enriched: CsvRow[], alerts: CsvRow[], versions: CsvRow[]) {
  const byId = new Map<string, CsvRow[]>();
  for (const v of versions) byId.set(v.id!, [...(byId.get(v.id!) ?? []), v]); // ascending valid_from
  const versionAt = (id: string, time: number): { v: CsvRow | undefined; changed: boolean } => {
    const list = byId.get(id) ?? [];
    let at = -1;
    list.forEach((v, i) => {
      if (timeOf(v.valid_from!) <= time) at = i;
    });
    return { v: list[at], changed: at > 0 };
  };
  const wrong: string[] = [];
  let changed = 0;
  for (const e of enriched) {
    const time = timeOf(e.window_end!) - 1;
    const s = versionAt(e.sender!, time);
    const r = versionAt(e.receiver!, time);
    const field = (v: CsvRow | undefined, k: string): string => v?.[k] ?? '';
    const expected = [
      field(s.v, 'owner'),
      field(s.v, 'country'),
      field(s.v, 'risk_tier'),
      field(r.v, 'owner'),
      field(r.v, 'country'),
      field(r.v, 'risk_tier'),
    ];
    const got = [
      e.sender_owner,
      e.sender_country,
      e.sender_tier,
      e.receiver_owner,
      e.receiver_country,
      e.receiver_tier,
    ];
    if (expected.join('|') !== got.join('|'))
      wrong.push(`${windowKey(e)}: ${got.join(', ')} instead of ${expected.join(', ')}`);
    if (s.changed || r.changed) changed++;
  }
  const keys = (rows: CsvRow[]): string => rows.map(windowKey).sort().join('\n');
  return {
    alerts: enriched.length,
    right: enriched.length - wrong.length,
    wrong,
    changed,
    sameAlerts: keys(enriched) === keys(alerts),
  };
}
