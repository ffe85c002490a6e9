import {
  FetchError,
  parseRetryAfter,
  type Resolver,
  safeFetch,
  type UrlPolicy,
} from '../../crawlers/index.ts';
import type { Channel, DeliveryMessage } from '../../db/index.ts';
import type { Logger } from '../../logger.ts';
import { classifyResponse, type SendVerdict } from './classify-response.ts';
import { signingSecrets, webhookHeaders } from './sign.ts';
import { redactUrl } from './url-hint.ts';

export interface SendOptions {
  policy: UrlPolicy;
  timeoutMs: number;
  retryAfterScale: number;
  defaultRetryAfterMs: number;
  userAgent: string;
  log: Logger;
  resolver?: Resolver;
}

export interface SendResult {
  verdict: SendVerdict;
  httpStatus: number | null;
  durationMs: number;
}

/** Failures of the transport itself: refused URLs are permanent, the rest (DNS, connect, timeout) retried. */
function fetchFailure(err: unknown, url: string): SendVerdict {
  if (err instanceof FetchError) {
    const error = redactUrl(`${err.code}: ${err.message}`, url);
    return err.code === 'url_not_allowed' ? { kind: 'permanent', error } : { kind: 'transient', error };
  }
  if ((err as { code?: string }).code === 'URL_NOT_ALLOWED')
    return { kind: 'permanent', error: redactUrl(`url_not_allowed: ${(err as Error).message}`, url) };
  return { kind: 'transient', error: redactUrl(`error: ${(err as Error).message}`, url) };
}

/**
 * Sends one message once, through the SSRF-guarded transport (redirects never followed), and says what the
 * answer means. Never throws. Webhooks are signed per Standard Webhooks with a fresh timestamp per attempt
 * and the message's stable id. Log channels write a log line.
 */
export async function sendMessage(ch: Channel, m: DeliveryMessage, o: SendOptions): Promise<SendResult> {
  const started = Date.now();
  if (ch.kind === 'log') {
    o.log.info({ channelId: ch.id, messageId: m.messageId, kind: m.kind }, 'alert message (log channel)');
    return { verdict: { kind: 'delivered' }, httpStatus: null, durationMs: 0 };
  }
  const url = ch.config.url ?? '';
  const body = JSON.stringify(m.body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (ch.kind === 'webhook') {
    const secrets = signingSecrets(ch.config.secrets ?? [], started);
    Object.assign(headers, webhookHeaders(secrets, m.messageId, Math.floor(started / 1000), body));
  }
  try {
    const res = await safeFetch(url, {
      policy: o.policy,
      method: 'POST',
      headers,
      body,
      maxRedirects: 0,
      timeoutMs: o.timeoutMs,
      maxBytes: 256 * 1024,
      userAgent: o.userAgent,
      resolver: o.resolver,
    });
    const retryAfter = parseRetryAfter(res.headers['retry-after'], Date.now());
    const verdict = classifyResponse(
      ch.kind,
      res.status,
      res.body.toString('utf8'),
      retryAfter === null ? null : Math.round(retryAfter * o.retryAfterScale),
      o.defaultRetryAfterMs,
    );
    if (verdict.kind !== 'delivered') verdict.error = redactUrl(verdict.error, url);
    return { verdict, httpStatus: res.status, durationMs: Date.now() - started };
  } catch (err) {
    return { verdict: fetchFailure(err, url), httpStatus: null, durationMs: Date.now() - started };
  }
}
