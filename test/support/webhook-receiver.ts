/**
 * The generic webhook receiver of RELIABILITY.md (WR): verifies every request with the Standard Webhooks
 * reference library (`standardwebhooks`), so a pass proves interoperability, not agreement with ourselves.
 * It can go down (refuse connections) and come back on the same port, answer any status, or redirect.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  at: number;
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** For each secret given to the receiver, whether the reference library verified the request with it. */
  verified: boolean[];
  status: number;
}

export interface ReceiverAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Verifying secrets (e.g. old and new during a rotation). */
  secrets: string[];
  respond(fn: ((n: number) => ReceiverAnswer | undefined) | null): void;
  /** Stops listening: connections are refused until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(secrets: string[]): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let respond: ((n: number) => ReceiverAnswer | undefined) | null = null;
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      const verified = r.secrets.map((s) => {
        try {
          new Webhook(s).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      const answer = respond?.(received.length + 1) ?? { status: 204 };
      received.push({
        at: Date.now(),
        id: headers['webhook-id'],
        timestamp: headers['webhook-timestamp'],
        signature: headers['webhook-signature'],
        body,
        verified,
        status: answer.status,
      });
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
      else send();
    });
  };
  let server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const r: WebhookReceiver = {
    url: `http://127.0.0.1:${port}/hooks/market-radar`,
    port,
    received,
    secrets: [...secrets],
    respond(fn) {
      respond = fn;
    },
    down: stop,
    async up() {
      server = http.createServer(handler);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
  return r;
}
