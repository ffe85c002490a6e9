/**
 * A local stand-in for a Slack incoming webhook, for the demo (`DEMO_SLACK=1`) and the delivery tests. It
 * validates like Slack (JSON body with `text` or `blocks`; ≤ 50 blocks; section text ≤ 3,000; field ≤ 2,000;
 * header ≤ 150; `text` ≤ 40,000 — a violation answers 400 `invalid_blocks`/`msg_too_long`), then answers
 * 200 `ok` unless scripted otherwise (429 with Retry-After, 404 `channel_not_found`, 500 `rollup_error`, a slow
 * answer …). Every request is recorded with its arrival time.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSlackAnswer {
  status: number;
  body: string;
  /** Seconds, sent as the Retry-After header. */
  retryAfter?: number;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface FakeSlackRequest {
  /** Arrival time, ms since epoch. */
  at: number;
  path: string;
  body: string;
  json: unknown;
  /** What the fake answered. */
  status: number;
  answer: string;
}

/** Decides the answer to the n-th valid request (1-based); undefined means 200 `ok`. */
export type FakeSlackScript = (req: {
  n: number;
  path: string;
  json: unknown;
}) => FakeSlackAnswer | undefined;

export interface FakeSlack {
  /** A webhook URL on this server, shaped like Slack's. */
  url: string;
  port: number;
  requests: FakeSlackRequest[];
  /** Replaces the script (and restarts its request count); null answers every valid request with 200 `ok`. */
  script(fn: FakeSlackScript | null): void;
  close(): Promise<void>;
}

type Block = {
  type?: string;
  text?: { text?: string };
  fields?: { text?: string }[];
  elements?: { text?: string }[];
};

/** Slack's checks on a message; returns the error string Slack would answer with, or null. */
export function slackPayloadError(json: unknown): string | null {
  if (!json || typeof json !== 'object') return 'invalid_payload';
  const m = json as { text?: unknown; blocks?: unknown };
  if (m.text !== undefined && typeof m.text !== 'string') return 'invalid_payload';
  if (m.blocks !== undefined && !Array.isArray(m.blocks)) return 'invalid_blocks';
  const blocks = (m.blocks ?? []) as Block[];
  if (!m.text && blocks.length === 0) return 'no_text';
  if (typeof m.text === 'string' && m.text.length > 40_000) return 'msg_too_long';
  if (blocks.length > 50) return 'invalid_blocks';
  for (const b of blocks) {
    if (b.type === 'header' && (b.text?.text ?? '').length > 150) return 'invalid_blocks';
    if (b.type === 'header' && !(b.text?.text ?? '').length) return 'invalid_blocks';
    if (b.type === 'section') {
      if ((b.text?.text ?? '').length > 3000) return 'invalid_blocks';
      if ((b.fields ?? []).length > 10 || (b.fields ?? []).some((f) => (f.text ?? '').length > 2000))
        return 'invalid_blocks';
      if (!b.text && !(b.fields ?? []).length) return 'invalid_blocks';
    }
    if (b.type === 'context' && (b.elements ?? []).length > 10) return 'invalid_blocks';
  }
  return null;
}

/** Starts the fake on 127.0.0.1 (port 0 picks a free one). */
export async function startFakeSlack(opts: { port?: number; host?: string } = {}): Promise<FakeSlack> {
  const host = opts.host ?? '127.0.0.1';
  const requests: FakeSlackRequest[] = [];
  let script: FakeSlackScript | null = null;
  let valid = 0;
  const server = http.createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      const invalid = req.method !== 'POST' ? 'invalid_payload' : slackPayloadError(json);
      const answer: FakeSlackAnswer = invalid
        ? { status: 400, body: invalid }
        : (script?.({ n: ++valid, path: req.url ?? '/', json }) ?? { status: 200, body: 'ok' });
      requests.push({ at, path: req.url ?? '/', body, json, status: answer.status, answer: answer.body });
      const send = () => {
        if (res.destroyed) return;
        const headers: Record<string, string> = { 'content-type': 'text/plain' };
        if (answer.retryAfter !== undefined) headers['retry-after'] = String(answer.retryAfter);
        res.writeHead(answer.status, headers);
        res.end(answer.body);
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/services/T0FAKE/B0FAKE/fakeslacktoken${port}`,
    port,
    requests,
    script(fn) {
      script = fn;
      valid = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
