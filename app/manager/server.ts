// The dashboard's web server (plain node:http): the static page, /api/status (JSON), /api/events
// (Server-Sent Events: the status once a second and on every change), /metrics (Prometheus).
// Every request passes access.ts (Host/Origin, the token off localhost); live clients are bounded
// by sse.ts (how many, and one pending event each).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { extname, join } from 'node:path';
import { ConnectorError } from '../../engine/errors.js';
import type { JobManager } from './manager.js';
import { renderMetrics } from './metrics.js';
import { statusView } from './status.js';
import { DashboardAccess } from './access.js';
import { SseClients, type SseLimits } from './sse.js';

/** The page's files live next to this module's source (app/manager/static), also when run from dist/. */
function staticDir(): string {
  const candidates = [
    fileURLToPath(new URL('./static/', import.meta.url)),
    fileURLToPath(new URL('../../../app/manager/static/', import.meta.url)),
  ];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0]!;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};
const PUSH_EVERY_MS = 1000;
const MIN_PUSH_GAP_MS = 200;

export interface DashboardServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly dir: string;
  readonly host: string;
  readonly port: number;
  /** Required on every request when set (always set off localhost, see access.ts). */
  readonly token: string | undefined;
  readonly sse: SseLimits;
}

export async function startServer(manager: JobManager, opts: ServerOptions): Promise<DashboardServer> {
  const { dir, host, port } = opts;
  const assets = staticDir();
  const access = new DashboardAccess(host, opts.token);
  const clients = new SseClients(opts.sse, (message) => manager.log('up', 'warn', message));
  const json = () => JSON.stringify(statusView(manager, dir));

  let lastPush = 0;
  let pending: NodeJS.Timeout | undefined;
  const push = () => {
    pending = undefined;
    lastPush = Date.now();
    if (clients.size === 0) return;
    clients.send(`event: status\ndata: ${json()}\n\n`);
  };
  const schedule = () => {
    if (pending) return;
    pending = setTimeout(push, Math.max(0, MIN_PUSH_GAP_MS - (Date.now() - lastPush)));
  };
  const unsubscribe = manager.onChange(schedule);
  const ticker = setInterval(push, PUSH_EVERY_MS);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    const refusal = access.check(req, url);
    if (refusal) {
      res
        .writeHead(refusal.status, { 'content-type': 'text/plain; charset=utf-8' })
        .end(refusal.message + '\n');
      return;
    }
    const cookie = access.cookieFor(url);
    if (cookie) res.setHeader('set-cookie', cookie);
    if (path === '/api/status') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(json());
    } else if (path === '/api/events') {
      clients.accept(req, res, `event: status\ndata: ${json()}\n\n`);
    } else if (path === '/metrics') {
      res
        .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
        .end(renderMetrics(statusView(manager, dir)));
    } else {
      const name = path === '/' ? 'index.html' : path.slice(1);
      if (!/^[a-z0-9_-]+\.(html|js|css)$/.test(name)) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      let body: Buffer;
      try {
        body = readFileSync(join(assets, name));
      } catch {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[extname(name)]!, 'cache-control': 'no-cache' }).end(body);
    }
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new ConnectorError(
              `port ${port} on ${host} is in use\n  hint: pick another with --port (0 = any free port), or --no-ui`,
            )
          : new ConnectorError(`cannot serve the dashboard on ${host}:${port}: ${e.message}`),
      ),
    );
    server.listen(port, host, () => resolve());
  }).catch((e: unknown) => {
    unsubscribe();
    clearInterval(ticker);
    clearTimeout(pending);
    throw e;
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${actual}/`,
    async close() {
      unsubscribe();
      clearInterval(ticker);
      clearTimeout(pending);
      clients.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
