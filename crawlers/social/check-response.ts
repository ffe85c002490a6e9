import { parseRetryAfter } from '../net/index.ts';
import { SourceError } from './source-error.ts';

function header(headers: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/**
 * How long a rate-limited source wants us to wait: `Retry-After` (seconds or HTTP date), else
 * `x-ratelimit-reset` as seconds-until-reset (Reddit) or an ISO date (Mastodon). Null when unstated.
 */
export function readRetryAfter(headers: Record<string, string>, now: number = Date.now()): number | null {
  const retryAfter = parseRetryAfter(header(headers, 'retry-after'), now);
  if (retryAfter !== null) return retryAfter;
  const reset = header(headers, 'x-ratelimit-reset')?.trim();
  if (!reset) return null;
  if (/^\d+(\.\d+)?$/.test(reset)) {
    const seconds = Number(reset);
    // Unix timestamps are absolute; small numbers are seconds until the window resets.
    return seconds > 1e9 ? Math.max(0, seconds * 1000 - now) : Math.round(seconds * 1000);
  }
  const at = Date.parse(reset);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * Maps an HTTP status to the source error vocabulary: 401/403 → auth, 429 → rate_limited (with the
 * requested wait), 5xx → unavailable, any other non-2xx → bad_response. Returns quietly on 2xx.
 */
export function assertOkStatus(source: string, status: number, headers: Record<string, string>): void {
  if (status >= 200 && status < 300) return;
  if (status === 401 || status === 403)
    throw new SourceError('auth', `${source}: HTTP ${status} (token missing, wrong or not allowed)`, {
      source,
    });
  if (status === 429)
    throw new SourceError('rate_limited', `${source}: HTTP 429 rate limited`, {
      source,
      retryAfterMs: readRetryAfter(headers),
    });
  if (status >= 500)
    throw new SourceError('unavailable', `${source}: HTTP ${status}`, {
      source,
      retryAfterMs: readRetryAfter(headers),
    });
  throw new SourceError('bad_response', `${source}: unexpected HTTP ${status}`, { source });
}

/** Parses a JSON body; anything else (HTML error page, truncated JSON) is a `bad_response`. */
export function parseJsonBody(source: string, body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new SourceError('bad_response', `${source}: body is not JSON`, { source, cause: error });
  }
}

/** Throws `bad_response` naming what was missing; for shape checks after JSON.parse. */
export function badShape(source: string, what: string): never {
  throw new SourceError('bad_response', `${source}: unexpected response shape (${what})`, { source });
}
