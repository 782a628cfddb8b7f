// The dashboard's web server (plain node:http): the static page, /api/status (JSON), /api/events
// (Server-Sent Events: the status once a second and on every change), /metrics (Prometheus).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { extname, join } from 'node:path';
import { ConnectorError } from '../errors.js';
import type { JobManager } from './manager.js';
import { renderMetrics } from './metrics.js';
import { statusView } from './status.js';

/** The page's files live next to this module's source (engine/manager/static), also when run from dist/. */
function staticDir(): string {
  const candidates = [fileURLToPath(new URL('./static/', import.meta.url)), fileURLToPath(new URL('../../../engine/manager/static/', import.meta.url))];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0]!;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
const PUSH_EVERY_MS = 1000;
const MIN_PUSH_GAP_MS = 200;

export interface DashboardServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startServer(manager: JobManager, dir: string, host: string, port: number): Promise<DashboardServer> {
  const assets = staticDir();
  const clients = new Set<ServerResponse>();
  const json = () => JSON.stringify(statusView(manager, dir));

  let lastPush = 0;
  let pending: NodeJS.Timeout | undefined;
  const push = () => {
    pending = undefined;
    lastPush = Date.now();
    if (clients.size === 0) return;
    const data = `event: status\ndata: ${json()}\n\n`;
    for (const c of clients) c.write(data);
  };
  const schedule = () => {
    if (pending) return;
    pending = setTimeout(push, Math.max(0, MIN_PUSH_GAP_MS - (Date.now() - lastPush)));
  };
  const unsubscribe = manager.onChange(schedule);
  const ticker = setInterval(push, PUSH_EVERY_MS);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (path === '/api/status') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(json());
    } else if (path === '/api/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`retry: 2000\nevent: status\ndata: ${json()}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
    } else if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(renderMetrics(statusView(manager, dir)));
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
          ? new ConnectorError(`port ${port} on ${host} is in use\n  hint: pick another with --port (0 = any free port), or --no-ui`)
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
      for (const c of clients) c.end();
      clients.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
