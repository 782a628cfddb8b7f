// The dashboard's Server-Sent Events clients, bounded: at most `maxClients` at once, and at most one
// event waiting in memory per client. Every event is the whole status, so an update a slow client
// has not taken yet can simply be replaced by the next one: a client whose previous event is still
// queued skips this one, and one that has taken nothing for `stallMs` is disconnected. A client
// that never reads therefore costs one event and its socket buffers, not a queue that grows.

import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SseLimits {
  readonly maxClients: number;
  /** A client that has taken no event for this long is disconnected. */
  readonly stallMs: number;
}

interface Client {
  readonly res: ServerResponse;
  readonly who: string;
  /** Since when events were skipped because the previous one was still queued. */
  stalledSince: number | undefined;
}

export class SseClients {
  private readonly clients = new Set<Client>();

  constructor(
    private readonly limits: SseLimits,
    private readonly log: (message: string) => void,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** Takes the request as a live client, or answers 503 when there are too many. */
  accept(req: IncomingMessage, res: ServerResponse, first: string): void {
    if (this.clients.size >= this.limits.maxClients) {
      res
        .writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '10' })
        .end(
          `too many live dashboard connections (${this.limits.maxClients}): close a dashboard tab, or poll /api/status\n`,
        );
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(`retry: 2000\n${first}`);
    const client: Client = {
      res,
      who: `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`,
      stalledSince: undefined,
    };
    this.clients.add(client);
    res.on('close', () => this.clients.delete(client));
  }

  /** Sends an event to every client that has taken the previous one. */
  send(event: string): void {
    const now = Date.now();
    for (const c of this.clients) {
      if (c.res.writableLength === 0) {
        c.stalledSince = undefined;
        c.res.write(event);
        continue;
      }
      c.stalledSince ??= now;
      if (now - c.stalledSince >= this.limits.stallMs) {
        this.clients.delete(c);
        // A reset, not a close: a close would keep the socket (and the megabytes in its kernel
        // buffer) waiting behind data the client will never read.
        if (c.res.socket) c.res.socket.resetAndDestroy();
        else c.res.destroy();
        this.log(
          `closed the dashboard connection from ${c.who}: it took no update for ${Math.round((now - c.stalledSince) / 1000)} s`,
        );
      }
    }
  }

  close(): void {
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }
}
