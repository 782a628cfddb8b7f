// The 'kafka' connector against a secured broker, through the CLI: the Java client's property
// names ('properties.security.protocol', 'properties.sasl.mechanism', 'properties.sasl.jaas.config',
// 'properties.ssl.ca.location') over SASL_SSL with PLAIN and SCRAM, over SSL alone, and the errors
// a user sees for a wrong password or an untrusted broker certificate.
// One KRaft broker with three listeners: PLAINTEXT (the test's own admin/producer/consumer), SSL
// and SASL_SSL; `generate` writes through SASL_SSL with --property.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { Kafka } from 'kafkajs';
import { kafkaForTests, type KafkaRig } from '../rig/kafka.js';
import { makeKafkaSecurity, type KafkaSecurity } from '../rig/kafka-security.js';
import { CLI, runCli, type CliResult } from '../e2e/cli.js';
import { ok, sorted } from '../cli-helpers.js';
import { createTopics, produce, readTopic, testKafka } from './helpers.js';

let rig: KafkaRig | null = null;
let security: KafkaSecurity | null = null;
let kafka: Kafka;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  try {
    security = makeKafkaSecurity();
  } catch (e) {
    // Same policy as kafkaForTests: no openssl fails under CI, skips loudly elsewhere.
    if (process.env.CI) throw e;
    process.stderr.write(`\n!! Kafka security tests SKIPPED: ${(e as Error).message}\n\n`);
    return;
  }
  rig = await kafkaForTests({ extra: security.extra });
  if (rig) kafka = testKafka('security-test', rig.bootstrap);
}, 300_000);

afterAll(async () => {
  await rig?.stop();
  security?.cleanup();
});

function needsKafka(ctx: TestContext): void {
  if (!rig) ctx.skip();
}

const sslBootstrap = () => `localhost:${rig!.listenerPorts!.SSL}`;
const saslBootstrap = () => `localhost:${rig!.listenerPorts!.SASL_SSL}`;

/** A job copying topic `from` to topic `to`, both through the secured listener with `with` (WITH clause entries). */
function copyJob(dir: string, from: string, to: string, with_: string): string {
  const file = join(dir, `copy-${from}.sql`);
  writeFileSync(
    file,
    `CREATE TABLE src (line STRING) WITH ('connector' = 'kafka', 'topic' = '${from}', 'format' = 'raw',
       'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'properties.group.id' = 'copy-${from}',
       ${with_});
     CREATE TABLE dst (line STRING) WITH ('connector' = 'kafka', 'topic' = '${to}', 'format' = 'raw', ${with_});
     INSERT INTO dst SELECT UPPER(line) FROM src;\n`,
  );
  return file;
}

function timedCli(args: string[], cwd: string): CliResult & { secs: number } {
  const started = Date.now();
  const r = runCli(args, cwd);
  return { ...r, secs: (Date.now() - started) / 1000 };
}

const plainJaas = (user: string, password: string) =>
  `'properties.sasl.jaas.config' = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="${user}" password="${password}";'`;
const scramJaas = (user: string, password: string) =>
  `'properties.sasl.jaas.config' = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${password}";'`;

describe("'kafka' connector against a secured broker (SASL_SSL, SSL)", () => {
  it('SASL_SSL + PLAIN: generate → job reads and writes through the secured listener, exact rows', async (ctx) => {
    needsKafka(ctx);
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-kafka-sec-'));
    await createTopics(kafka, 2, 'plain-in', 'plain-out');
    ok(
      runCli(
        [
          'generate',
          '--to',
          'plain-in',
          '--count',
          '400',
          '--brokers',
          saslBootstrap(),
          '--property',
          'security.protocol=SASL_SSL',
          '--property',
          'sasl.mechanism=PLAIN',
          '--property',
          `sasl.username=${security!.plain.name}`,
          '--property',
          `sasl.password=${security!.plain.password}`,
          '--property',
          `ssl.ca.location=${security!.caPath}`,
        ],
        dir,
      ),
      'generate through SASL_SSL',
    );
    const input = await readTopic(kafka, 'plain-in');
    expect(input).toHaveLength(400);
    const job = copyJob(
      dir,
      'plain-in',
      'plain-out',
      `'properties.bootstrap.servers' = '${saslBootstrap()}', 'properties.security.protocol' = 'SASL_SSL', 'properties.sasl.mechanism' = 'PLAIN',
       ${plainJaas(security!.plain.name, security!.plain.password)}, 'properties.ssl.ca.location' = '${security!.caPath}'`,
    );
    const r = ok(timedCli(['run', job, '--quiet'], dir), 'run');
    expect(r.stderr).toMatch(/read 400 records from 'src'/);
    expect(sorted(await readTopic(kafka, 'plain-out'))).toEqual(sorted(input.map((l) => l.toUpperCase())));
  });

  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
    it(`SASL_SSL + ${mechanism}, with --brokers naming the secured listener`, async (ctx) => {
      needsKafka(ctx);
      const dir = mkdtempSync(join(tmpdir(), 'fintrans-kafka-sec-'));
      const tag = mechanism.toLowerCase();
      await createTopics(kafka, 2, `${tag}-in`, `${tag}-out`);
      const input = Array.from({ length: 300 }, (_, i) => `${tag} record ${i}`);
      await produce(kafka, `${tag}-in`, input);
      const job = copyJob(
        dir,
        `${tag}-in`,
        `${tag}-out`,
        `'properties.security.protocol' = 'SASL_SSL', 'properties.sasl.mechanism' = '${mechanism}',
         ${scramJaas(security!.scram.name, security!.scram.password)}, 'properties.ssl.ca.location' = '${security!.caPath}'`,
      );
      const r = ok(timedCli(['run', job, '--quiet', '--brokers', saslBootstrap()], dir), 'run');
      expect(r.stderr).toMatch(/read 300 records from 'src'/);
      expect(sorted(await readTopic(kafka, `${tag}-out`))).toEqual(sorted(input.map((l) => l.toUpperCase())));
    });
  }

  it('SSL only (no SASL): the CA from properties.ssl.ca.location', async (ctx) => {
    needsKafka(ctx);
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-kafka-sec-'));
    await createTopics(kafka, 2, 'ssl-in', 'ssl-out');
    const input = Array.from({ length: 250 }, (_, i) => `tls only ${i}`);
    await produce(kafka, 'ssl-in', input);
    const job = copyJob(
      dir,
      'ssl-in',
      'ssl-out',
      `'properties.bootstrap.servers' = '${sslBootstrap()}', 'properties.security.protocol' = 'SSL', 'properties.ssl.ca.location' = '${security!.caPath}'`,
    );
    const r = ok(timedCli(['run', job, '--quiet'], dir), 'run');
    expect(r.stderr).toMatch(/read 250 records from 'src'/);
    expect(sorted(await readTopic(kafka, 'ssl-out'))).toEqual(sorted(input.map((l) => l.toUpperCase())));
  });

  it('a wrong password fails quickly with an authentication error', async (ctx) => {
    needsKafka(ctx);
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-kafka-sec-'));
    await createTopics(kafka, 2, 'badpw-in', 'badpw-out');
    await produce(kafka, 'badpw-in', ['x']);
    for (const [mechanism, jaas] of [
      ['PLAIN', plainJaas(security!.plain.name, 'not-the-password')],
      ['SCRAM-SHA-256', scramJaas(security!.scram.name, 'not-the-password')],
    ] as const) {
      const job = copyJob(
        dir,
        'badpw-in',
        'badpw-out',
        `'properties.bootstrap.servers' = '${saslBootstrap()}', 'properties.security.protocol' = 'SASL_SSL', 'properties.sasl.mechanism' = '${mechanism}',
         ${jaas}, 'properties.ssl.ca.location' = '${security!.caPath}'`,
      );
      const r = timedCli(['run', job], dir);
      console.log(
        `wrong ${mechanism} password: exit ${r.code} after ${r.secs.toFixed(1)} s: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      );
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/authentication failed/i);
      expect(r.stderr).not.toContain('not-the-password');
    }
    expect(await readTopic(kafka, 'badpw-out')).toEqual([]);
  });

  it("host names are verified; 'properties.ssl.endpoint.identification.algorithm' = '' turns that off", async (ctx) => {
    needsKafka(ctx);
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-kafka-sec-'));
    await createTopics(kafka, 2, 'host-in', 'host-out');
    await produce(kafka, 'host-in', ['by ip']);
    // The certificate names only localhost; 127.0.0.1 is the same listener under another name.
    const byIp = `'properties.bootstrap.servers' = '127.0.0.1:${rig!.listenerPorts!.SSL}', 'properties.security.protocol' = 'SSL', 'properties.ssl.ca.location' = '${security!.caPath}'`;
    const refused = timedCli(['run', copyJob(dir, 'host-in', 'host-out', byIp)], dir);
    console.log(
      `host mismatch: exit ${refused.code} after ${refused.secs.toFixed(1)} s: ${refused.stderr.trim().split('\n').slice(-1)[0]}`,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/altnames/);
    ok(
      timedCli(
        [
          'run',
          copyJob(
            dir,
            'host-in',
            'host-out',
            `${byIp}, 'properties.ssl.endpoint.identification.algorithm' = ''`,
          ),
          '--quiet',
        ],
        dir,
      ),
      'run',
    );
    expect(await readTopic(kafka, 'host-out')).toEqual(['BY IP']);
  });

  // With the default retries this takes ~43 s: kafkajs treats a failed certificate check like any
  // connection error and retries it; 'properties.retries' = '1' keeps the test short.
  it('a broker certificate from an untrusted CA fails with a TLS error', async (ctx) => {
    needsKafka(ctx);
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-kafka-sec-'));
    await createTopics(kafka, 2, 'badca-in', 'badca-out');
    const job = copyJob(
      dir,
      'badca-in',
      'badca-out',
      `'properties.bootstrap.servers' = '${sslBootstrap()}', 'properties.security.protocol' = 'SSL', 'properties.ssl.ca.location' = '${security!.otherCaPath}'`,
    );
    const r = timedCli(['run', job], dir);
    console.log(
      `untrusted CA: exit ${r.code} after ${r.secs.toFixed(1)} s: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /TLS certificate of broker localhost:\d+ is not accepted: .*check 'properties\.ssl\.ca\.location'/,
    );
  });
});
