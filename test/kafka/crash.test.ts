// Exactly-once after crashes against a real broker: a job reading a 3-partition topic is killed
// with SIGKILL at 20 random moments and restarted each time (it resumes from its last confirmed
// checkpoint, settling a pending one first); its final output must equal an uninterrupted run's.
//   - Kafka -> Kafka ('sink.delivery-guarantee' = 'exactly-once') + CSV: the topic read with a
//     read_committed consumer holds every row once; the CSV files are identical.
//   - Kafka -> CSV: the plain checkpoint path with a broker source.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { Kafka } from 'kafkajs';
import { kafkaForTests, type KafkaRig } from '../rig/kafka.js';
import { CLI, runCli } from '../e2e/cli.js';
import { createTopics, readTopic, testKafka } from './helpers.js';
import {
  killRepeatedly,
  mulberry32,
  PAIR_COUNTS,
  runAndKill,
  sortedLines,
  transactionsFromTopic,
} from '../crash-loop.js';

const KILLS = 20;
const RECORDS = 300_000;
const PLANTED = 30;

let rig: KafkaRig | null = null;
let kafka: Kafka;
let dir: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  rig = await kafkaForTests();
  if (!rig) return;
  kafka = testKafka('crash-test', rig.bootstrap);
  await createTopics(kafka, 3, 'crash-tx');
  dir = mkdtempSync(join(tmpdir(), 'fintrans-kafka-crash-'));
  const gen = runCli(
    [
      'generate',
      '--to',
      'crash-tx',
      '--count',
      String(RECORDS),
      '--plant',
      String(PLANTED),
      '--brokers',
      rig.bootstrap,
    ],
    dir,
  );
  expect(gen.code, gen.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  await rig?.stop();
});

function needsKafka(ctx: TestContext): void {
  if (!rig) ctx.skip();
}

/**
 * Each run gets a consumer group of its own: a SIGKILLed consumer stays a group member until its
 * session times out, and a restart in the same group would wait for that (what the test is about
 * is the checkpoint, whose positions decide where reading resumes, not the group's offsets).
 */
function withGroup(jobFile: string, group: string): void {
  writeFileSync(
    jobFile,
    readFileSync(jobFile, 'utf8').replace(
      /'properties\.group\.id' = '[^']*'/,
      `'properties.group.id' = '${group}'`,
    ),
  );
}

/**
 * Kills the job KILLS times at random moments (restarting it each time), then lets it finish. A
 * quarter of the kills land while the job starts (connecting, settling a pending checkpoint,
 * fencing the dead run's producer), the others at a random moment of its first stretch of work
 * after its first checkpoint (short enough that 20 kills come before the job can finish).
 */
async function crashAndRecover(
  args: string[],
  cwd: string,
  jobFile: string,
  seed: number,
  startupMs: number,
  workMs: number,
): Promise<{ kills: number; settled: string[] }> {
  const random = mulberry32(seed);
  const settled: string[] = [];
  const resumedFrom: string[] = [];
  const kills = await killRepeatedly(KILLS, async (run) => {
    withGroup(join(cwd, jobFile), `crash-${seed}-${run}`);
    const when =
      random() < 0.25
        ? { afterMs: Math.round(100 + random() * startupMs) }
        : { afterCheckpointMs: Math.round(random() * (workMs / 30)) };
    const r = await runAndKill(args, cwd, when);
    settled.push(
      ...(r.stderr.match(/checkpoint \d+ was being committed when the job stopped; [^\n]*/g) ?? []),
    );
    resumedFrom.push(/resuming from checkpoint (\d+)/.exec(r.stderr)?.[1] ?? '-');
    return r;
  });
  withGroup(join(cwd, jobFile), `crash-${seed}-last`);
  const last = runCli(args, cwd);
  expect(last.code, last.stderr).toBe(0);
  console.log(`${jobFile} in ${cwd}: runs resumed from checkpoints ${resumedFrom.join(' ')}`);
  return { kills, settled };
}

const SOURCE = transactionsFromTopic('crash-tx');

const CSV_SINKS = `
CREATE TABLE alerts (sender BIGINT, receiver BIGINT, window_start TIMESTAMP(3), total BIGINT, n BIGINT, smallest BIGINT, largest BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/alerts.csv', 'format' = 'csv');
INSERT INTO alerts
-- No LISTAGG: with several partitions the order of records within a window depends on fetch timing.
SELECT sender, receiver, window_start, SUM(amount), COUNT(*), MIN(amount), MAX(amount)
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, receiver, window_start, window_end HAVING SUM(amount) > 10000;
${PAIR_COUNTS}`;

/** Many rows per window (so kills land inside a transaction), into an exactly-once topic. */
const TOPIC_SINK = (topic: string) => `
CREATE TABLE pair_topic (message STRING) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'format' = 'raw',
  'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = 'crash-${topic}');
INSERT INTO pair_topic
SELECT CAST(sender / 100 AS STRING) || '->' || CAST(receiver / 100 AS STRING) || ' ' || CAST(window_start AS STRING) || ' ' || CAST(COUNT(*) AS STRING)
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender / 100, receiver / 100, window_start, window_end;`;

/** The reference: an uninterrupted run, with how long starting up and the whole run took. */
function reference(
  sub: string,
  job: string,
): { args: string[]; startupMs: number; workMs: number; alerts: string[]; pairs: string[] } {
  const cwd = join(dir, sub);
  const args = ['run', 'job.sql', '--until-idle', '300ms', '--brokers', rig!.bootstrap];
  // Startup: the same job on an empty topic.
  const empty = mkdtempSync(join(tmpdir(), 'fintrans-kafka-crash-empty-'));
  writeFileSync(join(empty, 'job.sql'), job.replace(/'crash-tx'/, `'crash-empty-${sub}'`));
  let t = Date.now();
  const e = runCli([...args, '--quiet'], empty);
  expect(e.code, e.stderr).toBe(0);
  const idleMs = 300; // --until-idle: the empty run waits that long before it ends
  const startupMs = Math.max(200, Date.now() - t - idleMs);
  writeFileSync(join(cwd, 'job.sql'), job);
  t = Date.now();
  const ref = runCli([...args, '--quiet'], cwd);
  expect(ref.code, ref.stderr).toBe(0);
  expect(ref.stderr).toContain(`read ${RECORDS} records from 'transactions'`);
  const workMs = Math.max(500, Date.now() - t - startupMs - idleMs);
  console.log(`${sub}: startup ${startupMs} ms, work ${workMs} ms`);
  const alerts = sortedLines(join(cwd, 'out/alerts.csv'));
  expect(alerts.length - 1).toBeGreaterThanOrEqual(PLANTED);
  return { args, startupMs, workMs, alerts, pairs: sortedLines(join(cwd, 'out/pairs.csv')) };
}

const TOPIC_JOB = (topic: string, interval = '100ms') =>
  `SET 'execution.checkpointing.interval' = '${interval}';\n${SOURCE}\n${CSV_SINKS}\n${TOPIC_SINK(topic)}`;

let topicRef: (ReturnType<typeof reference> & { topic: string[] }) | undefined;

/** The uninterrupted run of the Kafka -> Kafka + CSV job, made once. */
async function topicReference(): Promise<NonNullable<typeof topicRef>> {
  if (topicRef) return topicRef;
  mkdirSync(join(dir, 'ref-topic'));
  const ref = reference('ref-topic', TOPIC_JOB('pairs-ref'));
  const topic = (await readTopic(kafka, 'pairs-ref')).sort();
  expect(topic.length).toBe(ref.pairs.length - 1);
  topicRef = { ...ref, topic };
  return topicRef;
}

describe('crash and recover against a real broker: 20 SIGKILLs, output identical to an uninterrupted run', () => {
  it('Kafka -> exactly-once Kafka topic + CSV: read_committed sees every row once', async (ctx) => {
    needsKafka(ctx);
    const ref = await topicReference();
    const want = ref.topic;
    const cwd = join(dir, 'crash-topic');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'job.sql'), TOPIC_JOB('pairs-crash'));
    const { kills, settled } = await crashAndRecover(ref.args, cwd, 'job.sql', 23, ref.startupMs, ref.workMs);
    expect(kills).toBe(KILLS);
    console.log(
      `Kafka -> Kafka: ${kills} kills; pending checkpoints settled on restart: ${settled.length ? settled.join(' | ') : 'none'}`,
    );
    expect(sortedLines(join(cwd, 'out/alerts.csv'))).toEqual(ref.alerts);
    expect(sortedLines(join(cwd, 'out/pairs.csv'))).toEqual(ref.pairs);
    // read_committed: each row once, none missing.
    const got = (await readTopic(kafka, 'pairs-crash')).sort();
    expect(got).toEqual(want);
    // Rows of transactions the kills cut short are in the log too, aborted: a read_uncommitted
    // reader sees them, read_committed does not.
    const raw = await readTopic(kafka, 'pairs-crash', true);
    expect(raw.length).toBeGreaterThanOrEqual(got.length);
    console.log(
      `Kafka -> Kafka: ${raw.length - got.length} rows of aborted transactions in the log, hidden from read_committed`,
    );
  }, 240_000);

  // The two sides of the commit, hit on purpose (FINTRANS_TEST_CRASH kills the job there).
  for (const [point, outcome] of [
    ['before-commit', 'its sinks had not committed: discarded'],
    ['after-commit', 'its sinks had committed: it stands'],
  ] as const) {
    it(`a crash ${point === 'before-commit' ? 'after saving a pending checkpoint, before its transaction commits' : 'after the transaction commits, before the checkpoint is confirmed'}: ${outcome.split(': ')[1]}`, async (ctx) => {
      needsKafka(ctx);
      const ref = await topicReference();
      const cwd = join(dir, `point-${point}`);
      mkdirSync(cwd);
      // Checkpoints often enough that the third with rows to commit comes well before the end, however fast the run.
      writeFileSync(join(cwd, 'job.sql'), TOPIC_JOB(`pairs-${point}`, '10ms'));
      withGroup(join(cwd, 'job.sql'), `point-${point}-1`);
      const crashed = await runAndKill(
        ref.args,
        cwd,
        { afterMs: 110_000 },
        { FINTRANS_TEST_CRASH: `${point}:3` },
      );
      expect(crashed.code, crashed.stderr).toBeNull();
      withGroup(join(cwd, 'job.sql'), `point-${point}-2`);
      const resumed = runCli(ref.args, cwd);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(
        new RegExp(`checkpoint \\d+ was being committed when the job stopped; ${outcome}`),
      );
      expect(sortedLines(join(cwd, 'out/alerts.csv'))).toEqual(ref.alerts);
      expect(sortedLines(join(cwd, 'out/pairs.csv'))).toEqual(ref.pairs);
      const got = (await readTopic(kafka, `pairs-${point}`)).sort();
      expect(got).toEqual(ref.topic);
      const raw = await readTopic(kafka, `pairs-${point}`, true);
      // Before the commit: the cut-short transaction's rows are in the log, aborted (read_uncommitted
      // sees them twice). After it: nothing was aborted.
      if (point === 'before-commit') expect(raw.length).toBeGreaterThan(got.length);
      else expect(raw.length).toBe(got.length);
    }, 120_000);
  }

  it('Kafka -> CSV', async (ctx) => {
    needsKafka(ctx);
    mkdirSync(join(dir, 'ref-csv'));
    mkdirSync(join(dir, 'crash-csv'));
    const job = `SET 'execution.checkpointing.interval' = '100ms';\n${SOURCE}\n${CSV_SINKS}`;
    const ref = reference('ref-csv', job);
    const cwd = join(dir, 'crash-csv');
    writeFileSync(join(cwd, 'job.sql'), job);
    const { kills } = await crashAndRecover(ref.args, cwd, 'job.sql', 29, ref.startupMs, ref.workMs);
    expect(kills).toBe(KILLS);
    expect(sortedLines(join(cwd, 'out/alerts.csv'))).toEqual(ref.alerts);
    expect(sortedLines(join(cwd, 'out/pairs.csv'))).toEqual(ref.pairs);
  }, 240_000);
});
