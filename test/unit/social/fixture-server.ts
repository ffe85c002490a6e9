import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createSafeFetcher, type SocialFetcher } from '../../../crawlers/social/index.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/social');

/** One canned answer; `file` is read from test/fixtures/social. */
export interface Canned {
  status?: number;
  headers?: Record<string, string>;
  file?: string;
  body?: string;
}

/** Picks the canned answer for a request URL (path + query), or undefined for 404. */
export type Route = (url: URL) => Canned | undefined;

export interface FixtureServer {
  baseUrl: string;
  fetcher: SocialFetcher;
  requests: { url: URL; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** Serves recorded API responses on 127.0.0.1:0, fetched through safeFetch with a policy allowing only that port. */
export async function startFixtureServer(route: Route): Promise<FixtureServer> {
  const requests: FixtureServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ url, headers: req.headers });
    const canned = route(url);
    if (!canned) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const body = canned.file ? readFileSync(join(FIXTURES, canned.file)) : Buffer.from(canned.body ?? '');
    const type = canned.file?.endsWith('.xml')
      ? 'application/atom+xml; charset=UTF-8'
      : 'application/json; charset=utf-8';
    res.writeHead(canned.status ?? 200, { 'content-type': type, ...canned.headers }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  const fetcher = createSafeFetcher({
    policy: { allowPrivate: false, allow: [`127.0.0.1:${port}`] },
    timeoutMs: 5000,
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    fetcher,
    requests,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
