import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

/** How `/robots.txt` answers: a body (200), an HTTP status, or never (a timeout). */
export type RobotsBehaviour = string | { status: number } | 'hang';

/** Options of the fault server. */
export type FaultServerOptions = {
  /** Interface to bind; any 127/8 address (default 127.0.0.1). */
  host?: string;
  /** Port (default 0 = free port). */
  port?: number;
  /** Served at `/html/:name` (text/html) and `/rss/:name` (application/rss+xml). */
  fixtures?: Record<string, string>;
  robots?: RobotsBehaviour;
  /** Interval of `/trickle` in ms (default 1000: 1 byte/s). */
  trickleIntervalMs?: number;
};

/** One request seen by the fault server. */
export type FaultLogEntry = { path: string; at: number };

/** A running fault server. */
export type FaultServer = {
  url: string;
  port: number;
  host: string;
  log: FaultLogEntry[];
  fixtures: Record<string, string>;
  robots: RobotsBehaviour;
  close(): Promise<void>;
};

/** Text planted in redirect bodies; it must never appear in an error shown to a user (S4). */
export const REDIRECT_BODY_SECRET = 'REDIRECT-BODY-SECRET';

const MIB = 1024 * 1024;
let bombMember: Buffer | null = null;

/** A gzip body expanding to `mb` MiB of zeros: one 16 MiB member repeated (multi-member gzip). */
function gzipBomb(mb: number): Buffer {
  bombMember ??= zlib.gzipSync(Buffer.alloc(16 * MIB), { level: 9 });
  return Buffer.concat(Array.from({ length: Math.max(1, Math.ceil(mb / 16)) }, () => bombMember as Buffer));
}

/** Write `total` bytes (or forever when null) honouring backpressure; stops when the client goes away. */
function streamZeros(res: http.ServerResponse, total: number | null): void {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let sent = 0;
  const pump = (): void => {
    while (total === null || sent < total) {
      const size = total === null ? chunk.length : Math.min(chunk.length, total - sent);
      sent += size;
      if (!res.write(size === chunk.length ? chunk : chunk.subarray(0, size))) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.on('close', () => res.removeAllListeners('drain'));
  pump();
}

/**
 * Start the fault server FS of RELIABILITY.md on 127.0.0.1 and a free port. Routes: `/status/:n`,
 * `/flaky?fail=N&key=`, `/retry-after?s=&fail=&key=`, `/delay?ms=&headersFirst=1`, `/forever`,
 * `/trickle`, `/partial`, `/drop[?abort=1]`, `/huge?mb=[&chunked=1]`, `/chunked-infinite`,
 * `/gzip-bomb[?mb=]`, `/redirect?to=[&status=]`, `/loop`, `/chain?n=`, `/html/:name`, `/rss/:name`,
 * `/robots.txt`. Every request is logged with its time.
 */
export async function startFaultServer(options: FaultServerOptions = {}): Promise<FaultServer> {
  const host = options.host ?? '127.0.0.1';
  const log: FaultLogEntry[] = [];
  const counters = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const state = { fixtures: options.fixtures ?? {}, robots: options.robots ?? 'User-agent: *\nAllow: /\n' };
  const trickleMs = options.trickleIntervalMs ?? 1000;

  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  const count = (key: string): number => {
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    return n;
  };

  const server = http.createServer((req, res) => {
    log.push({ path: req.url ?? '', at: Date.now() });
    const url = new URL(req.url ?? '/', 'http://fault.local');
    const q = url.searchParams;
    const path = url.pathname;
    const text = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };

    if (path.startsWith('/status/')) return text(Number(path.slice(8)) || 500, `status ${path.slice(8)}`);
    if (path === '/flaky') {
      const n = count(`flaky:${q.get('key') ?? ''}`);
      return n <= Number(q.get('fail') ?? 1)
        ? text(500, `fail ${n}`)
        : text(200, `ok after ${n - 1} failures`);
    }
    if (path === '/retry-after') {
      const n = count(`retry:${q.get('key') ?? ''}`);
      if (n <= Number(q.get('fail') ?? Number.POSITIVE_INFINITY)) {
        res.setHeader('retry-after', q.get('s') ?? '1');
        return text(429, 'slow down');
      }
      return text(200, 'ok');
    }
    if (path === '/delay') {
      const ms = Number(q.get('ms') ?? 1000);
      if (q.get('headersFirst') === '1') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.flushHeaders();
        later(ms, () => res.end('late body'));
      } else {
        later(ms, () => text(200, 'late'));
      }
      return;
    }
    if (path === '/forever') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<html>');
      return;
    }
    if (path === '/trickle') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 3600 });
      const tick = (): void => {
        if (res.destroyed) return;
        res.write('x');
        later(trickleMs, tick);
      };
      tick();
      return;
    }
    if (path === '/partial') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': 1024 });
      res.write('<html><body>only part of the promised body');
      later(20, () => res.socket?.destroy());
      return;
    }
    if (path === '/drop') {
      if (q.get('abort') === '1') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html><body>chunked body that never finishes');
        later(20, () => res.socket?.destroy());
      } else {
        res.socket?.destroy();
      }
      return;
    }
    if (path === '/huge') {
      const bytes = Math.round(Number(q.get('mb') ?? 10) * MIB);
      res.writeHead(
        200,
        q.get('chunked') === '1'
          ? { 'content-type': 'text/plain' }
          : { 'content-type': 'text/plain', 'content-length': bytes },
      );
      return streamZeros(res, bytes);
    }
    if (path === '/chunked-infinite') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return streamZeros(res, null);
    }
    if (path === '/gzip-bomb') {
      const body = gzipBomb(Number(q.get('mb') ?? 1024));
      res.writeHead(200, {
        'content-type': 'text/html',
        'content-encoding': 'gzip',
        'content-length': body.length,
      });
      res.end(body);
      return;
    }
    if (path === '/redirect') {
      const body = `<html>${REDIRECT_BODY_SECRET}</html>`;
      res.writeHead(Number(q.get('status') ?? 302), {
        location: q.get('to') ?? '/',
        'content-type': 'text/html',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    if (path === '/loop') {
      const next = q.get('step') === 'b' ? 'a' : 'b';
      res.writeHead(302, { location: `/loop?step=${next}`, 'content-length': 0 });
      return res.end();
    }
    if (path === '/chain') {
      const n = Number(q.get('n') ?? 20);
      if (n <= 0) return text(200, 'end of chain');
      res.writeHead(302, { location: `/chain?n=${n - 1}`, 'content-length': 0 });
      return res.end();
    }
    if (path.startsWith('/html/') || path.startsWith('/rss/')) {
      const isHtml = path.startsWith('/html/');
      const fixture = state.fixtures[decodeURIComponent(path.slice(isHtml ? 6 : 5))];
      if (fixture === undefined) return text(404, 'no such fixture');
      return text(200, fixture, isHtml ? 'text/html; charset=utf-8' : 'application/rss+xml; charset=utf-8');
    }
    if (path === '/robots.txt') {
      const robots = state.robots;
      if (robots === 'hang') return;
      if (typeof robots === 'string') return text(200, robots);
      return text(robots.status, `robots ${robots.status}`);
    }
    text(404, 'not found');
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    host,
    log,
    get fixtures() {
      return state.fixtures;
    },
    set fixtures(value: Record<string, string>) {
      state.fixtures = value;
    },
    get robots() {
      return state.robots;
    },
    set robots(value: RobotsBehaviour) {
      state.robots = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
