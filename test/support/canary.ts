import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server that must never be contacted; any TCP connection to it is a failed security test. */
export type Canary = {
  url: string;
  port: number;
  /** TCP connections accepted (stricter than requests: a bare connect counts). */
  readonly hits: number;
  /** Request lines received, for the failure message. */
  requests: string[];
  close(): Promise<void>;
};

/**
 * Start a canary on `host` (127.0.0.1 by default; 127.0.0.2 also works on Linux) and a free port.
 * Used by the SSRF tests (RELIABILITY.md S1–S5): the pass criterion is `hits === 0`.
 */
export async function startCanary(host = '127.0.0.1', port = 0): Promise<Canary> {
  let hits = 0;
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.setHeader('content-type', 'text/plain');
    res.end('CANARY-SECRET-BODY');
  });
  server.on('connection', () => {
    hits++;
  });
  server.on('upgrade', (req, socket) => {
    requests.push(`UPGRADE ${req.url}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    get hits() {
      return hits;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
