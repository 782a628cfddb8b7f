// fintrans-sql demo: the README's first command. Generates transactions with planted laundering
// into the embedded topic store, runs jobs/laundering.sql over them, and checks the alerts it wrote
// against the generator's ground truth (every planted case found, no decoy reported).

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runGenerate } from './generate.js';
import { TopicStore } from '../../connectors/embedded/topic-store.js';
import { defaultStoreDir } from '../../engine/home.js';
import { buildJob } from '../../engine/runtime/build.js';
import { runJob } from '../../engine/runtime/job.js';
import { parseFlags, UsageError } from './args.js';
import { planFile } from '../job-files.js';
import type { ExtraCommand } from './command.js';

export const DEMO_HELP = `Usage: fintrans-sql demo [--count N] [--plant N] [--seed S]

Runs the main job end to end on the embedded topic store (no Kafka, no Java):
  1. generates N transactions (default 300000) with N planted laundering cases (default 30)
     into topic 'transactions' (.fintrans/), and their ground truth into output/truth.csv;
  2. runs jobs/laundering.sql, which writes output/laundering.csv;
  3. compares the alerts with the truth and prints how many planted cases were found.
Exits 1 if a planted case was missed or a decoy was reported. Run it from the project directory.`;

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  count: { type: 'string' },
  plant: { type: 'string' },
  seed: { type: 'string' },
} as const;

const TOPIC = 'transactions';
const JOB = 'jobs/laundering.sql';
const ALERTS = 'output/laundering.csv';
const TRUTH = 'output/truth.csv';

function positiveInt(v: string | undefined, flag: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`demo: ${flag} needs a whole number, got '${v}'`);
  return n;
}

export const demoCommand: ExtraCommand = {
  name: 'demo',
  usage: 'demo',
  summary: 'generate planted laundering, run jobs/laundering.sql, check the alerts',
  async run(argv) {
    const { values } = parseFlags(argv, FLAGS, 'demo');
    if (values.help) {
      process.stdout.write(DEMO_HELP + '\n');
      return 0;
    }
    const count = positiveInt(values.count, '--count', 300_000);
    const plant = positiveInt(values.plant, '--plant', 30);
    const seed = positiveInt(values.seed, '--seed', 1);
    const cwd = process.cwd();
    const started = Date.now();

    // A fresh topic each time, so the run's input is exactly what the truth describes.
    const store = TopicStore.open(defaultStoreDir(cwd));
    if (store.partitionCount(TOPIC) !== undefined) store.deleteTopic(TOPIC);
    store.close();

    process.stderr.write(`1/3 generating ${count} transactions with ${plant} planted cases → topic '${TOPIC}' (embedded store ${defaultStoreDir(cwd)})\n`);
    mkdirSync(join(cwd, 'output'), { recursive: true });
    const gen = await runGenerate(['--count', String(count), '--plant', String(plant), '--seed', String(seed), '--truth', TRUTH, '--to', TOPIC], {
      stdout: process.stdout,
      stderr: process.stderr,
      cwd,
      async openTopic(topic) {
        const s = TopicStore.open(defaultStoreDir(cwd));
        s.ensureTopic(topic ?? TOPIC, 1);
        return {
          async write(records) {
            s.append(topic ?? TOPIC, records.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp })));
          },
          async close() {
            s.close();
          },
        };
      },
    });
    if (gen !== 0) return gen;

    process.stderr.write(`2/3 running ${JOB}\n`);
    const job = buildJob(planFile(join(cwd, JOB), cwd, new Map([['kafka.from-beginning', 'true']])), { cwd });
    // The topic is complete before the job starts: a short idle time ends the run.
    await runJob(job, { untilIdleMs: 300 });
    for (const s of job.sinks) process.stderr.write(`    wrote ${s.writer.describe()}\n`);

    process.stderr.write(`3/3 checking ${ALERTS} against ${TRUTH}\n`);
    const verdict = compare(readCsv(join(cwd, ALERTS)), readCsv(join(cwd, TRUTH)));
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `Planted laundering cases found: ${verdict.found}/${verdict.expected} (recall ${verdict.expected ? Math.round((100 * verdict.found) / verdict.expected) : 100} %); ` +
        `decoys reported: ${verdict.decoysReported}/${verdict.decoys}; other alerts: ${verdict.other}. ` +
        `Alerts in ${ALERTS} (${secs} s).\n`,
    );
    for (const m of verdict.missed) process.stdout.write(`  missed: ${m}\n`);
    return verdict.found === verdict.expected && verdict.decoysReported === 0 ? 0 : 1;
  },
};

function readCsv(path: string): Record<string, string>[] {
  const [header, ...rows] = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
  const cols = header!.split(',');
  // Both files hold plain numbers and timestamps in their key columns: no quoting to undo there.
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i] ?? `c${i}`, v])));
}

function compare(alerts: Record<string, string>[], truth: Record<string, string>[]) {
  const key = (r: Record<string, string>) => `${r.sender} -> ${r.receiver} in window starting ${r.window_start}`;
  const got = new Set(alerts.map(key));
  const expected = truth.filter((t) => t.expected_alert === 'true');
  const decoys = truth.filter((t) => t.expected_alert !== 'true');
  const truthKeys = new Set(truth.map(key));
  const missed = expected.map(key).filter((k) => !got.has(k));
  return {
    expected: expected.length,
    found: expected.length - missed.length,
    missed,
    decoys: decoys.length,
    decoysReported: decoys.filter((d) => got.has(key(d))).length,
    other: [...got].filter((k) => !truthKeys.has(k)).length,
  };
}
