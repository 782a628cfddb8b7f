// `up` and secrets: a job's text (passwords included) is handed to its process over IPC, never on
// its command line, and secret option values are redacted from the log, /api/status, the SSE
// stream and /metrics.

import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpProcess } from './up-process.js';

const FILE_PASSWORD = 's3cret-in-file';
const ENV_PASSWORD = 'pw-from-the-env';

const K_SQL = (password: string) => `
CREATE TABLE payments (id BIGINT, amount BIGINT) WITH ('connector' = 'kafka', 'topic' = 'payments', 'properties.group.id' = 'k', 'format' = 'csv',
  'properties.sasl.jaas.config' = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="jobs" password="${password}";');
CREATE TABLE k_out (id BIGINT, amount BIGINT) WITH ('connector' = 'filesystem', 'path' = 'output/k.csv', 'format' = 'csv');
INSERT INTO k_out SELECT id, amount FROM payments;
`;

describe('up keeps secrets private', () => {
  let dir: string;
  let up: UpProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fintrans-up-secrets-'));
    mkdirSync(join(dir, 'jobs'));
    writeFileSync(join(dir, 'jobs', 'k.sql'), K_SQL(FILE_PASSWORD));
    writeFileSync(
      join(dir, 'jobs', 'e.sql'),
      K_SQL('${FT_KAFKA_PASSWORD}').replace(/k_out|output\/k/g, (m) =>
        m === 'k_out' ? 'e_out' : 'output/e',
      ),
    );
    up = await UpProcess.start(dir, ['jobs'], { FT_KAFKA_PASSWORD: ENV_PASSWORD });
  });

  afterAll(async () => {
    await up?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("passes the job's text privately: not on the job process's command line", async () => {
    for (const id of ['k', 'e']) {
      const j = await up.waitJob(id, (x) => x.status === 'running', 'running');
      const cmdline = readFileSync(`/proc/${j.pid}/cmdline`, 'utf8').split('\0').join(' ');
      expect(cmdline).toMatch(/worker\.js/);
      expect(cmdline).not.toContain('CREATE TABLE');
      expect(cmdline).not.toContain(FILE_PASSWORD);
    }
  });

  it('redacts a password quoted back by an error, in the log, /api/status, /api/events and /metrics', async () => {
    // A syntax error right at the password: the parser quotes the token it found.
    writeFileSync(
      join(dir, 'jobs', 'k.sql'),
      K_SQL(FILE_PASSWORD).replace("'properties.sasl.jaas.config' =", "'properties.sasl.jaas.config'"),
    );
    const k = await up.waitJob('k', (j) => j.rejected !== null, 'the edit rejected');
    expect(k.rejected!.error).toBe(
      "jobs/k.sql:3:33: expected '=', found ''***''\n  hint: write 'properties.sasl.jaas.config' = '***'",
    );
    // e's password came from the environment: a syntax error next to it is redacted too.
    writeFileSync(
      join(dir, 'jobs', 'e.sql'),
      K_SQL(ENV_PASSWORD)
        .replace('e_out', 'e_out')
        .replace("'properties.sasl.jaas.config' =", "'properties.sasl.jaas.config'"),
    );
    await up.waitJob('e', (j) => j.rejected !== null, 'the edit rejected');

    const status = await (await fetch(up.url + 'api/status')).text();
    const metrics = await (await fetch(up.url + 'metrics')).text();
    const events = await firstSseEvent(up.url + 'api/events');
    for (const [where, text] of [
      ['stderr', up.stderr],
      ['/api/status', status],
      ['/metrics', metrics],
      ['/api/events', events],
    ] as const) {
      expect(text, where).not.toContain(FILE_PASSWORD);
      expect(text, where).not.toContain(ENV_PASSWORD);
    }
    expect(up.stderr).toContain(
      "k: the edited file does not validate; the previous version keeps running:\n  jobs/k.sql:3:33: expected '=', found ''***''",
    );
    expect(status).toContain("found ''***''");
  });
});

async function firstSseEvent(url: string): Promise<string> {
  const controller = new AbortController();
  const r = await fetch(url, { signal: controller.signal });
  const reader = r.body!.getReader();
  let text = '';
  while (!text.includes('\n\n', text.indexOf('data:'))) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  controller.abort();
  return text;
}
