// Who may use the dashboard. On localhost, anyone on the machine (as before), but only through a
// loopback host name: a page on evil.example whose name is re-pointed at 127.0.0.1 (DNS rebinding)
// sends `Host: evil.example` and is refused. Listening anywhere else needs a token: given with
// --token / FINTRANS_UP_TOKEN or generated, accepted as `Authorization: Bearer <token>`, or as
// `?token=` on the page's URL, which then sets a same-site cookie so the page's own requests
// (status, events) carry it. A request whose Origin is another site is refused either way.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hostname } from 'node:os';
import type { IncomingMessage } from 'node:http';

const COOKIE = 'fintrans_up_token';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function generateToken(): string {
  return randomBytes(18).toString('base64url');
}

export interface Refusal {
  readonly status: 401 | 403;
  readonly message: string;
}

export class DashboardAccess {
  private readonly token: Buffer | undefined;

  /** token: required on every request when set (it must be set off localhost). */
  constructor(
    private readonly listenHost: string,
    token: string | undefined,
  ) {
    this.token = token === undefined ? undefined : Buffer.from(token);
  }

  /** Why the request is refused, or undefined when it may go ahead. */
  check(req: IncomingMessage, url: URL): Refusal | undefined {
    const host = hostOf(req.headers.host);
    if (host === undefined || !this.allowedHost(host)) {
      return {
        status: 403,
        message: `forbidden: Host '${req.headers.host ?? ''}' is not a name of this dashboard (DNS rebinding protection); open it by its address`,
      };
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null') {
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).host.toLowerCase();
      } catch {
        originHost = undefined;
      }
      if (originHost !== req.headers.host?.toLowerCase())
        return { status: 403, message: `forbidden: a page from ${origin} may not read this dashboard` };
    }
    if (this.token && !this.tokenGiven(req, url)) {
      return {
        status: 401,
        message: `unauthorized: this dashboard needs the token up printed: open the URL with ?token=..., or send 'Authorization: Bearer <token>'`,
      };
    }
    return undefined;
  }

  /** The cookie that lets the page's own requests through after it was opened with ?token=. */
  cookieFor(url: URL): string | undefined {
    if (!this.token || url.searchParams.get('token') === null) return undefined;
    return `${COOKIE}=${this.token.toString()}; HttpOnly; SameSite=Strict; Path=/`;
  }

  private allowedHost(host: string): boolean {
    if (isLoopback(host) || host.endsWith('.localhost')) return true;
    if (isLoopback(this.listenHost)) return false;
    // Off localhost the token guards the data; still, only names that can be this machine's.
    const self = hostname().toLowerCase();
    return (
      /^[\d.]+$/.test(host) ||
      host.includes(':') ||
      host === self ||
      host.startsWith(self + '.') ||
      host === this.listenHost.toLowerCase()
    );
  }

  private tokenGiven(req: IncomingMessage, url: URL): boolean {
    const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const cookie = (req.headers.cookie ?? '')
      .split(';')
      .map((c) => c.trim())
      .find((c) => c.startsWith(COOKIE + '='))
      ?.slice(COOKIE.length + 1);
    return [auth, url.searchParams.get('token') ?? undefined, cookie].some(
      (t) => t !== undefined && this.matches(t),
    );
  }

  private matches(given: string): boolean {
    const b = Buffer.from(given);
    return b.length === this.token!.length && timingSafeEqual(b, this.token!);
  }
}

/** The host name of a Host header, without the port; IPv6 literals without brackets. */
function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const h = header.toLowerCase();
  const m = /^\[([0-9a-f:.]+)\](?::\d+)?$/.exec(h) ?? /^([^:[\]]+)(?::\d+)?$/.exec(h);
  return m?.[1];
}
