// up's dashboard under load and abuse, from the outside: a cap on live (SSE) clients, a client
// that never reads is cut off instead of piling events up in up's memory, long cell values are cut,
// Host/Origin are checked (DNS rebinding), and off localhost every request needs the token.

import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TopicStore } from '../../connectors/embedded/topic-store.js';
import { UpProcess } from './up-process.js';
import { runCli } from '../e2e/cli.js';

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A GET with any headers (fetch may not set Host); SSE replies are cut after the first chunk. */
function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => {
        body += d;
        if (res.headers['content-type'] === 'text/event-stream') req.destroy();
      });
      const done = () => resolve({ status: res.statusCode!, body, headers: res.headers });
      res.on('end', done).on('close', done);
    });
    req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
    req.end();
  });
}

const WIDE_COLUMNS = 60;
const LONG = 'x'.repeat(1000);

describe('up dashboard limits (localhost)', () => {
  let dir: string;
  let up: UpProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fintrans-up-limits-'));
    mkdirSync(join(dir, 'jobs'));
    mkdirSync(join(dir, 'data'));
    // An unbounded job (the embedded topic store) keeps running and reporting, so up pushes its
    // status (some 280 kB with the cut cells) about twice a second.
    const store = TopicStore.open(join(dir, '.fintrans'));
    store.ensureTopic('long', 1);
    store.append(
      'long',
      Array.from({ length: 40 }, (_, i) => ({ key: null, value: `${i},${LONG}`, timestamp: i })),
    );
    store.close();
    const cols = Array.from({ length: WIDE_COLUMNS }, (_, i) => `c${i} STRING`).join(', ');
    writeFileSync(
      join(dir, 'jobs', 'wide.sql'),
      `CREATE TABLE src (i INT, s STRING) WITH ('connector' = 'kafka', 'topic' = 'long', 'scan.startup.mode' = 'earliest-offset', 'format' = 'csv');
       CREATE TABLE wide (${cols}) WITH ('connector' = 'filesystem', 'path' = 'output/wide.csv', 'format' = 'csv');
       INSERT INTO wide SELECT ${Array.from({ length: WIDE_COLUMNS }, () => 's').join(', ')} FROM src;`,
    );
    up = await UpProcess.start(dir, ['jobs'], {
      FINTRANS_UP_SSE_MAX_CLIENTS: '3',
      FINTRANS_UP_SSE_STALL: '2s',
    });
    await up.waitJob(
      'wide',
      (j) => j.status === 'running' && j.recordsIn === 40,
      'running, the 40 records read',
    );
  });

  afterAll(async () => {
    await up?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('cuts long cell values in the status', async () => {
    const wide = (await up.job('wide'))!;
    expect(wide.sinks[0]!.latest).toHaveLength(20);
    for (const cell of wide.sinks[0]!.latest.flat())
      expect(cell).toBe('x'.repeat(200) + '… (800 more characters)');
  });

  it(
    'closes a live client that does not read (once the socket buffers are full), and up keeps serving the others',
    { timeout: 90_000 },
    async () => {
      const port = new URL(up.url).port;
      const socket = connect(Number(port), '127.0.0.1');
      // Never read: no 'data' listener, so the socket stays paused and the kernel buffers fill up.
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.on('error', () => {}); // the reset
      socket.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      const local = await new Promise<number>((resolve) =>
        socket.on('connect', () => resolve(socket.localPort!)),
      );
      await up.until(
        () =>
          new RegExp(
            `up: closed the dashboard connection from 127\\.0\\.0\\.1:${local}: it took no update for \\d+ s`,
          ).test(up.stderr),
        60_000,
        'the stalled client closed',
      );
      // Reset, not closed behind the megabytes queued in the kernel: the client gets only what its
      // own receive buffer held (a FIN would come after all of them).
      let received = 0;
      socket.on('data', (d: Buffer) => (received += d.length));
      await closed;
      expect(received).toBeLessThan(1_000_000);
      expect((await get(up.url + 'api/status')).status).toBe(200);
    },
  );

  it('caps the number of live clients', async () => {
    const open = await Promise.all([1, 2, 3].map(() => openStream(up.url + 'api/events')));
    const refused = await get(up.url + 'api/events');
    expect(refused.status).toBe(503);
    expect(refused.body).toBe(
      'too many live dashboard connections (3): close a dashboard tab, or poll /api/status\n',
    );
    for (const close of open) close();
    await up.until(
      async () => (await get(up.url + 'api/events')).status === 200,
      10_000,
      'a place free again',
    );
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin', async () => {
    const port = new URL(up.url).port;
    const evil = await get(up.url + 'api/status', { host: `evil.example:${port}` });
    expect(evil.status).toBe(403);
    expect(evil.body).toBe(
      `forbidden: Host 'evil.example:${port}' is not a name of this dashboard (DNS rebinding protection); open it by its address\n`,
    );
    expect((await get(up.url + 'api/status', { host: `localhost:${port}` })).status).toBe(200);
    const origin = await get(up.url + 'api/status', { origin: 'http://evil.example' });
    expect(origin.status).toBe(403);
    expect(origin.body).toBe('forbidden: a page from http://evil.example may not read this dashboard\n');
  });
});

/** An SSE connection that is read (and so not stalled); returns its close(). */
function openStream(url: string): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
      res.resume();
      resolve(() => req.destroy());
    });
    req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
    req.end();
  });
}

describe('up --host 0.0.0.0', () => {
  let dir: string;
  let up: UpProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fintrans-up-host-'));
    mkdirSync(join(dir, 'jobs'));
    up = await UpProcess.start(dir, ['jobs', '--host', '0.0.0.0']);
  });

  afterAll(async () => {
    await up?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('warns, prints a generated token, and serves nothing without it', async () => {
    expect(up.stderr).toContain(
      'warning: the dashboard listens on 0.0.0.0: anyone who can reach this machine can connect to it; every request needs the token (generated; choose one with --token or FINTRANS_UP_TOKEN)\n',
    );
    const token = /dashboard http:\/\/0\.0\.0\.0:\d+\/\?token=([A-Za-z0-9_-]{24}) /.exec(up.stderr)?.[1];
    expect(token, up.stderr).toBeDefined();
    const base = up.url.replace('0.0.0.0', '127.0.0.1');
    for (const path of ['', 'api/status', 'api/events', 'metrics']) {
      const r = await get(base + path);
      expect(r.status, path).toBe(401);
      expect(r.body).toBe(
        "unauthorized: this dashboard needs the token up printed: open the URL with ?token=..., or send 'Authorization: Bearer <token>'\n",
      );
    }
    expect((await get(base + 'api/status', { authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(
      401,
    );
    expect((await get(base + 'metrics', { authorization: `Bearer ${token}` })).status).toBe(200);
    // The page opened with ?token= sets a cookie that its own requests then carry.
    const page = await get(`${base}?token=${token}`);
    expect(page.status).toBe(200);
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    expect(String(page.headers['set-cookie'])).toContain('HttpOnly; SameSite=Strict');
    expect((await get(base + 'api/status', { cookie })).status).toBe(200);
    expect((await get(base + 'api/events', { cookie })).status).toBe(200);
    // The token does not make a foreign Host acceptable.
    expect((await get(base + 'api/status', { cookie, host: 'evil.example' })).status).toBe(403);
  });
});

describe('up --token', () => {
  it('requires a token given in FINTRANS_UP_TOKEN, also on localhost, and refuses a short one', async () => {
    const d = mkdtempSync(join(tmpdir(), 'fintrans-up-token-'));
    try {
      mkdirSync(join(d, 'jobs'));
      const short = runCli(['up', 'jobs', '--token', 'short'], d);
      expect(short.code).toBe(2);
      expect(short.stderr).toBe(
        "fintrans-sql: up: the token needs at least 16 letters, digits, '.', '_', '~' or '-'\n",
      );
      const token = 'a-token-chosen-by-the-user';
      const up = await UpProcess.start(d, ['jobs'], { FINTRANS_UP_TOKEN: token });
      try {
        expect(up.stderr).toMatch(/dashboard http:\/\/127\.0\.0\.1:\d+\/\?token=a-token-chosen-by-the-user /);
        expect(up.stderr).not.toMatch(/warning/);
        expect((await get(up.url + 'api/status')).status).toBe(401);
        expect((await get(up.url + 'api/status', { authorization: `Bearer ${token}` })).status).toBe(200);
      } finally {
        await up.stop();
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
