// `fintrans-sql deploy` and `fintrans-sql flink` against a real Flink 1.20 session cluster (JobManager,
// TaskManager and SQL Gateway, test/rig/flink-cluster.ts) and a real Kafka broker (test/rig/kafka.ts),
// through the CLI as a user runs them: the shipped jobs/laundering.sql runs locally and on Flink over
// the same topic, and the rows must be the same; cancel works; a job Flink refuses shows Flink's error.
// One cluster and one broker serve the whole file (starting them is most of its time).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { kafkaForTests, type KafkaRig } from '../rig/kafka.js';
import { FLINK_2_VERSION, flinkClusterForTests, type FlinkClusterRig } from '../rig/flink-cluster.js';
import { FLINK_VERSION } from '../rig/flink.js';
import { CLI, runCli, type CliResult } from '../e2e/cli.js';
import { cliAsync, jobCopy, ok, workdirWithJobs } from '../cli-helpers.js';
import { createTopics, produce, readMessages, readTopic, testKafka } from '../kafka/helpers.js';

let kafka: KafkaRig | null = null;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  kafka = await kafkaForTests();
}, 300_000);

afterAll(async () => {
  await kafka?.stop();
}, 120_000);

function cli(args: string[], cwd: string): CliResult {
  const r = runCli(args, cwd);
  if (r.code !== 0)
    throw new Error(`fintrans-sql ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  return r;
}

/** One CSV line split into fields ("..." quoting with "" inside, as both writers use). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else v += line[i++];
      }
      out.push(v);
      i++; // the comma
    } else {
      const end = line.indexOf(',', i);
      out.push(line.slice(i, end < 0 ? line.length : end));
      i = end < 0 ? line.length + 1 : end + 1;
    }
  }
  return out;
}

/**
 * A row as values: both sides write the same values, but Flink's CSV quotes strings and writes a
 * TIMESTAMP(3) without zero milliseconds ('2017-07-23 00:10:00'), fintrans-sql's as '...00:10:00.000'.
 */
function rowKey(line: string): string {
  return csvFields(line)
    .map((v) => (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(v) ? `${v}.000` : v))
    .join('|');
}

/**
 * A JSON row as values in key order: Flink writes a TIMESTAMP(3)'s fraction with as few digits as
 * it needs ("00:10:00", "00:10:00.1"), fintrans-sql with three; numbers and strings as written.
 */
function jsonKey(line: string): string {
  const o = JSON.parse(line) as Record<string, unknown>;
  return Object.keys(o)
    .sort()
    .map((k) => {
      const v = o[k];
      const t = typeof v === 'string' ? /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.(\d{1,9}))?$/.exec(v) : null;
      return `${k}=${JSON.stringify(t ? `${t[1]}.${(t[2] ?? '').padEnd(3, '0')}` : v)}`;
    })
    .join('|');
}

/** The rows of Flink's committed part files (in-progress ones are hidden: '.part-...'). */
function flinkRows(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith('part-'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter((l) => l.length > 0)
    .map(rowKey)
    .sort();
}

/**
 * An alert of laundering_sliding.sql with its LISTAGG items sorted: inside a HOP window Flink lists
 * them per slice, newest slice first, fintrans-sql in arrival order (a known difference, README
 * "How it maps to Flink SQL"; conformance window_hop compares it unordered too).
 */
function listaggUnordered(alert: string): string {
  const items = alert.match(/Transaction\{[^}]*\}/g) ?? [];
  return `${alert.slice(0, alert.indexOf('Transaction{'))}${[...items].sort().join(' ')}`;
}

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 500));
  }
}

/**
 * The laundering input in Kafka and the local run's rows over it, made once for every cluster of
 * this file (each deploys from a work dir of its own and reads the topic from its beginning).
 */
let launderingLocal: Promise<string[]> | undefined;
function launderingInput(): Promise<string[]> {
  launderingLocal ??= (async () => {
    const dir = workdirWithJobs('fintrans-flink-', 'output');
    const client = testKafka('flink-deploy-test', kafka!.bootstrap);
    // Retention off: the generator's records carry 2017 timestamps.
    await createTopics(client, 1, 'transactions');
    cli(
      [
        'generate',
        '--count',
        '30000',
        '--plant',
        '12',
        '--accounts',
        '300',
        '--to',
        'transactions',
        '--brokers',
        kafka!.bootstrap,
      ],
      dir,
    );
    // A last record a day later moves the watermark past every window on Flink, whose Kafka source
    // never ends (the local run ends at --until-idle and fires what is left). It is alone in its window,
    // under the threshold: no row on either side.
    await produce(client, 'transactions', ['Monday, 24-Jul-17 00:00:00 UTC;0;1;1']);

    cli(
      [
        'run',
        'jobs/laundering.sql',
        '--brokers',
        kafka!.bootstrap,
        '--from-beginning',
        '--until-idle',
        '2s',
        '--quiet',
      ],
      dir,
    );
    const [header, ...localLines] = readFileSync(join(dir, 'output/laundering.csv'), 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    expect(header).toBe('sender,receiver,window_start,window_end,total,transfers,amounts');
    const local = localLines.map(rowKey).sort();
    expect(local.length).toBeGreaterThanOrEqual(12);

    return local;
  })();
  return launderingLocal;
}

describe.each([FLINK_VERSION, FLINK_2_VERSION])('deploy to a Flink %s session cluster', (version) => {
  let flink: FlinkClusterRig | null = null;
  // One cluster at a time: the next version's starts after this one stopped.
  beforeAll(async () => {
    flink = await flinkClusterForTests({ version });
  }, 300_000);
  afterAll(async () => {
    await flink?.stop();
  }, 120_000);
  const needsRigs = (ctx: TestContext): void => {
    if (!kafka || !flink) ctx.skip();
  };
  const latest = version === FLINK_VERSION;

  it('runs jobs/laundering.sql on Flink with the rows of the local run, lists the translations, then cancels it', async (ctx) => {
    needsRigs(ctx);
    const local = await launderingInput();
    const dir = workdirWithJobs('fintrans-flink-', 'output');
    const deployed = cli(
      [
        'deploy',
        'jobs/laundering.sql',
        '--flink',
        flink!.gatewayUrl,
        '--brokers',
        kafka!.bootstrap,
        '--from-beginning',
        '--set',
        'execution.checkpointing.interval=1s',
      ],
      dir,
    );
    const sinkDir = join(dir, 'output', 'laundering');
    // The listing comes before the submission, one line per translation.
    expect(deployed.stdout).toContain(
      `jobs/laundering.sql:14:14: table 'transactions': embedded topic store → Kafka at ${kafka!.bootstrap} ('properties.bootstrap.servers')`,
    );
    expect(deployed.stdout).toContain(`'scan.startup.mode' = 'earliest-offset' (--from-beginning)`);
    expect(deployed.stdout).toContain(
      `jobs/laundering.sql:31:14: table 'laundering_alerts': single file output/laundering.csv → Flink's filesystem sink writing part files (part-<uuid>-<subtask>-<n>) into ${sinkDir}/`,
    );
    expect(deployed.stdout.indexOf('translated for Flink')).toBeLessThan(
      deployed.stdout.indexOf('Submitting'),
    );
    const jobId = /Job ([0-9a-f]{32}) \('laundering'\) submitted/.exec(deployed.stdout)?.[1];
    expect(jobId, deployed.stdout).toBeDefined();

    // Part files appear at checkpoints; wait until Flink has written as many rows as the local run.
    const rows = await waitFor('Flink to commit the alerts', 120_000, () => {
      const r = flinkRows(sinkDir);
      return r.length >= local.length ? r : undefined;
    });
    expect(rows).toEqual(local);

    const jobs = cli(['flink', 'jobs', '--flink', flink!.gatewayUrl], dir).stdout;
    expect(jobs).toMatch(new RegExp(`${jobId}  RUNNING .* laundering`));
    const status = cli(['flink', 'status', jobId!, '--jobmanager', flink!.restUrl], dir).stdout;
    expect(status).toContain(`job ${jobId} ('laundering'): RUNNING`);
    // 1.20 names the source after its table, 2.x after the connector and table.
    expect(status).toMatch(
      /RUNNING +x1 +Source: (transactions|KafkaSource-default_catalog\.default_database\.transactions)/,
    );

    const cancelled = cli(['flink', 'cancel', jobId!, '--flink', flink!.gatewayUrl], dir);
    expect(cancelled.stdout).toBe(`job ${jobId} ('laundering'): CANCELED\n`);
    expect(cli(['flink', 'jobs', '--flink', flink!.gatewayUrl], dir).stdout).toMatch(
      new RegExp(`${jobId}  CANCELED `),
    );
    const again = runCli(['flink', 'cancel', jobId!, '--flink', flink!.gatewayUrl], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`error: job ${jobId} is already CANCELED; nothing to cancel\n`);
  }, 300_000);

  // The other jobs on the LTS line only, to keep the file's wall time modest: registered for 1.20
  // alone rather than skipped on 2.x, so CI shows no skipped test.
  if (latest) {
    it('runs jobs/laundering_sliding.sql (Kafka to Kafka, HOP windows) on Flink with the records of the local run', async (ctx) => {
      needsRigs(ctx);
      const dir = workdirWithJobs('fintrans-flink-', 'output');
      const client = testKafka('flink-deploy-sliding', kafka!.bootstrap);
      await createTopics(client, 1, 'tx_rfc', 'fraud_local', 'fraud_flink');
      // The same job, reading one topic and writing to its own: the local run and Flink side by side.
      const copy = (to: string, out: string): string =>
        jobCopy(dir, 'laundering_sliding.sql', to, [
          ["'topic' = 'transactions'", "'topic' = 'tx_rfc'"],
          ["'topic' = 'fraud'", `'topic' = '${out}'`],
        ]);
      copy('local.sql', 'fraud_local');
      copy('sliding.sql', 'fraud_flink');
      cli(
        [
          'generate',
          '--format',
          'dcos-rfc3339',
          '--count',
          '20000',
          '--plant',
          '9',
          '--accounts',
          '300',
          '--to',
          'tx_rfc',
          '--brokers',
          kafka!.bootstrap,
        ],
        dir,
      );
      await produce(client, 'tx_rfc', ['2017-07-24T00:00:00Z;0;1;1']);
      ok(
        await cliAsync(
          [
            'run',
            'local.sql',
            '--brokers',
            kafka!.bootstrap,
            '--from-beginning',
            '--until-idle',
            '2s',
            '--quiet',
          ],
          dir,
        ).done,
        'fintrans-sql run local.sql',
      );
      const local = (await readTopic(client, 'fraud_local')).map(listaggUnordered).sort();
      expect(local.length).toBeGreaterThanOrEqual(9);

      const deployed = cli(
        [
          'deploy',
          'sliding.sql',
          '--flink',
          flink!.gatewayUrl,
          '--brokers',
          kafka!.bootstrap,
          '--from-beginning',
        ],
        dir,
      );
      expect(deployed.stdout).toContain(
        `sliding.sql:32:14: table 'fraud': embedded topic store → Kafka at ${kafka!.bootstrap}`,
      );
      const jobId = /Job ([0-9a-f]{32}) \('sliding'\) submitted/.exec(deployed.stdout)?.[1];
      expect(jobId, deployed.stdout).toBeDefined();
      let flinkOut: string[] = [];
      await waitFor('Flink to write the alerts to Kafka', 120_000, async () => {
        flinkOut = (await readTopic(client, 'fraud_flink')).map(listaggUnordered).sort();
        return flinkOut.length >= local.length ? true : undefined;
      });
      expect(flinkOut).toEqual(local);
      expect(cli(['flink', 'cancel', jobId!, '--jobmanager', flink!.restUrl], dir).stdout).toBe(
        `job ${jobId} ('sliding'): CANCELED\n`,
      );
    }, 300_000);

    it('runs a file → file job (a CSV file in; a CSV and a JSON file out, two INSERTs) on Flink with the rows of the local run', async (ctx) => {
      needsRigs(ctx);
      const dir = workdirWithJobs('fintrans-flink-', 'output');
      cli(['generate', '--count', '20000', '--plant', '9', '--accounts', '300', '--out', 'tx.csv'], dir);
      writeFileSync(
        join(dir, 'files.sql'),
        `CREATE TABLE transactions (
  tx_time STRING, sender BIGINT, receiver BIGINT, amount BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE TABLE alerts (sender BIGINT, receiver BIGINT, window_start TIMESTAMP(3), total BIGINT, transfers BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'output/alerts.csv', 'format' = 'csv');
CREATE TABLE big_transfers (sender BIGINT, receiver BIGINT, amount BIGINT, ts TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = 'output/big_transfers.json', 'format' = 'json');
INSERT INTO alerts
SELECT sender, receiver, window_start, SUM(amount), COUNT(*)
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, receiver, window_start, window_end
HAVING SUM(amount) > 10000;
INSERT INTO big_transfers SELECT sender, receiver, amount, ts FROM transactions WHERE amount > 9000;
`,
      );
      // In the background: a long synchronous run would block this worker's event loop (vitest times out talking to it).
      ok(await cliAsync(['run', 'files.sql', '--quiet'], dir).done, 'fintrans-sql run files.sql');
      const localCsv = readFileSync(join(dir, 'output/alerts.csv'), 'utf8')
        .split('\n')
        .filter((l) => l.length > 0)
        .slice(1)
        .map(rowKey)
        .sort();
      const localJson = readFileSync(join(dir, 'output/big_transfers.json'), 'utf8')
        .split('\n')
        .filter((l) => l.length > 0)
        .map(jsonKey)
        .sort();
      expect(localCsv.length).toBeGreaterThanOrEqual(9);
      expect(localJson.length).toBeGreaterThan(100);

      const deployed = cli(['deploy', 'files.sql', '--flink', flink!.gatewayUrl], dir);
      const out = join(dir, 'output');
      for (const line of [
        `files.sql:1:14: table 'transactions': relative path tx.csv → ${join(dir, 'tx.csv')} (the TaskManagers do not run in this directory)`,
        `files.sql:6:14: table 'alerts': single file output/alerts.csv → Flink's filesystem sink writing part files (part-<uuid>-<subtask>-<n>) into ${join(out, 'alerts')}/`,
        `files.sql:8:14: table 'big_transfers': single file output/big_transfers.json → Flink's filesystem sink writing part files (part-<uuid>-<subtask>-<n>) into ${join(out, 'big_transfers')}/`,
        '2 INSERTs wrapped in EXECUTE STATEMENT SET: one Flink job, as they run together here',
      ])
        expect(deployed.stdout).toContain(line);
      const jobId = /Job ([0-9a-f]{32}) \('files'\) submitted/.exec(deployed.stdout)?.[1];
      expect(jobId, deployed.stdout).toBeDefined();
      // A bounded job: it finishes by itself, and its file sink commits the part files at the end.
      await waitFor('the job to finish on Flink', 180_000, () => {
        const status = cli(['flink', 'status', jobId!, '--jobmanager', flink!.restUrl], dir).stdout;
        expect(status).not.toMatch(/: (FAILED|CANCELED)/);
        return status.includes(`('files'): FINISHED`) ? true : undefined;
      });
      expect(flinkRows(join(out, 'alerts'))).toEqual(localCsv);
      const flinkJson = readdirSync(join(out, 'big_transfers'))
        .filter((f) => f.startsWith('part-'))
        .flatMap((f) => readFileSync(join(out, 'big_transfers', f), 'utf8').split('\n'))
        .filter((l) => l.length > 0)
        .map(jsonKey)
        .sort();
      expect(flinkJson).toEqual(localJson);
    }, 300_000);

    it("runs a running aggregate into an 'upsert-kafka' topic on Flink: the same latest value per key as the local run", async (ctx) => {
      needsRigs(ctx);
      await launderingInput(); // the 'transactions' topic
      const dir = workdirWithJobs('fintrans-flink-', 'output');
      const client = testKafka('flink-deploy-upsert', kafka!.bootstrap);
      await createTopics(client, 1, 'totals_local', 'totals_flink');
      const job = (
        topic: string,
      ): string => `CREATE TABLE transactions (tx_time STRING, sender BIGINT, receiver BIGINT, amount BIGINT)
WITH ('connector' = 'kafka', 'topic' = 'transactions', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE TABLE totals (sender BIGINT, total BIGINT, transfers BIGINT, PRIMARY KEY (sender) NOT ENFORCED)
WITH ('connector' = 'upsert-kafka', 'topic' = '${topic}', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO totals SELECT sender, SUM(amount), COUNT(*) FROM transactions GROUP BY sender;
`;
      writeFileSync(join(dir, 'local.sql'), job('totals_local'));
      writeFileSync(join(dir, 'totals.sql'), job('totals_flink'));
      ok(
        await cliAsync(
          [
            'run',
            'local.sql',
            '--brokers',
            kafka!.bootstrap,
            '--from-beginning',
            '--until-idle',
            '2s',
            '--quiet',
          ],
          dir,
        ).done,
        'fintrans-sql run local.sql',
      );
      const latest = async (topic: string): Promise<Map<string, string>> => {
        const m = new Map<string, string>();
        for (const r of await readMessages(client, topic)) {
          if (r.value === null) m.delete(r.key!);
          else m.set(r.key!, jsonKey(r.value));
        }
        return m;
      };
      const local = await latest('totals_local');
      expect(local.size).toBeGreaterThan(100);

      const deployed = cli(
        [
          'deploy',
          'totals.sql',
          '--flink',
          flink!.gatewayUrl,
          '--brokers',
          kafka!.bootstrap,
          '--from-beginning',
        ],
        dir,
      );
      expect(deployed.stdout).toContain(
        `totals.sql:3:14: table 'totals': embedded topic store → Kafka at ${kafka!.bootstrap} ('properties.bootstrap.servers')`,
      );
      const jobId = /Job ([0-9a-f]{32}) \('totals'\) submitted/.exec(deployed.stdout)?.[1];
      expect(jobId, deployed.stdout).toBeDefined();
      // Flink's upsert stream keeps updating each key until its source has read everything: wait
      // for the latest values to settle on the local run's.
      let flinkLatest = new Map<string, string>();
      await waitFor("Flink's latest value per key to match the local run's", 120_000, async () => {
        flinkLatest = await latest('totals_flink');
        return flinkLatest.size === local.size && [...local].every(([k, v]) => flinkLatest.get(k) === v)
          ? true
          : undefined;
      }).catch(() => undefined);
      expect(new Map([...flinkLatest].sort())).toEqual(new Map([...local].sort()));
      expect(cli(['flink', 'cancel', jobId!, '--jobmanager', flink!.restUrl], dir).stdout).toBe(
        `job ${jobId} ('totals'): CANCELED\n`,
      );
    }, 300_000);

    it("shows Flink's error, at the statement in the file, for a job Flink refuses or fails", (ctx) => {
      needsRigs(ctx);
      const dir = workdirWithJobs('fintrans-flink-', 'output');
      // Valid here, refused by this cluster: it has no JDBC connector jar (its lib is Kafka, files, csv/json).
      writeFileSync(
        join(dir, 'refused.sql'),
        [
          `CREATE TABLE src (id BIGINT, name STRING) WITH ('connector' = 'filesystem', 'path' = 'in', 'format' = 'csv');`,
          `CREATE TABLE out_rows (id BIGINT, name STRING) WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://localhost:5432/x', 'table-name' = 'out_rows');`,
          `INSERT INTO out_rows`,
          `SELECT id, name FROM src WHERE id > 1;`,
          '',
        ].join('\n'),
      );
      const r = runCli(['deploy', 'refused.sql', '--flink', flink!.gatewayUrl], dir);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toBe(
        [
          'error: refused.sql:3:1: Flink refused the statement:',
          '  INSERT INTO out_rows',
          "  org.apache.flink.table.api.ValidationException: Unable to create a sink for writing table 'default_catalog.default_database.out_rows'.",
          "  org.apache.flink.table.api.ValidationException: Could not find any factory for identifier 'jdbc' that implements 'org.apache.flink.table.factories.DynamicTableFactory' in the classpath.",
          '',
        ].join('\n'),
      );
      // Accepted, then failed on the cluster: its input directory is not there. Flink's cause is shown.
      writeFileSync(
        join(dir, 'missing.sql'),
        [
          `CREATE TABLE src (id BIGINT, name STRING) WITH ('connector' = 'filesystem', 'path' = 'no-such-dir', 'format' = 'csv');`,
          `CREATE TABLE out_rows (id BIGINT, name STRING) WITH ('connector' = 'blackhole');`,
          `INSERT INTO out_rows SELECT id, name FROM src;`,
          '',
        ].join('\n'),
      );
      const failed = runCli(['deploy', 'missing.sql', '--flink', flink!.gatewayUrl], dir);
      expect(failed.code, failed.stdout + failed.stderr).toBe(1);
      expect(failed.stderr).toMatch(
        new RegExp(
          `^error: job [0-9a-f]{32} \\('missing'\\) was submitted and FAILED on the cluster:\n[^]*  java\\.io\\.FileNotFoundException: File ${join(dir, 'no-such-dir')} does not exist`,
        ),
      );
      // Nothing of refused.sql was started.
      expect(cli(['flink', 'jobs', '--flink', flink!.gatewayUrl], dir).stdout).not.toContain('refused');
    }, 240_000);
  }
});
