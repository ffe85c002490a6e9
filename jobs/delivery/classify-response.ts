/**
 * What one send's answer means for the message and the channel. Pure.
 *
 * Slack (incoming webhooks): 2xx delivered; 429 waits Retry-After; 400/403/404/410 and the documented
 * permanent error strings disable the channel; 5xx and network failures retry on the schedule.
 * Generic webhooks: 2xx delivered; 410 disables the endpoint; 429 waits Retry-After; everything else (3xx
 * included: redirects are never followed) retries on the schedule.
 */
export type SendVerdict =
  | { kind: 'delivered' }
  | { kind: 'rate_limited'; waitMs: number; error: string }
  | { kind: 'transient'; error: string }
  | { kind: 'permanent'; error: string };

/** Slack's answers that no retry can fix. */
export const SLACK_PERMANENT_ERRORS = [
  'invalid_payload',
  'invalid_blocks',
  'channel_not_found',
  'channel_is_archived',
  'no_service',
  'no_service_id',
  'no_team',
  'team_disabled',
  'invalid_token',
  'action_prohibited',
  'posting_to_general_channel_denied',
  'user_not_found',
] as const;

/** The receiver's answer as short, printable text for the attempt row (never a redirect's body). */
export function responseText(status: number, body: string): string {
  if (status >= 300 && status < 400) return `HTTP ${status} (redirect not followed)`;
  const clean = body
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim()
    .slice(0, 200);
  return clean ? `HTTP ${status}: ${clean}` : `HTTP ${status}`;
}

export function classifyResponse(
  kind: 'slack' | 'webhook',
  status: number,
  body: string,
  retryAfterMs: number | null,
  defaultRetryAfterMs: number,
): SendVerdict {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  const error = responseText(status, body);
  if (status === 429) return { kind: 'rate_limited', waitMs: retryAfterMs ?? defaultRetryAfterMs, error };
  if (kind === 'slack') {
    const word = body.trim();
    if ((SLACK_PERMANENT_ERRORS as readonly string[]).includes(word)) return { kind: 'permanent', error };
    if ([400, 403, 404, 410].includes(status)) return { kind: 'permanent', error };
    return { kind: 'transient', error };
  }
  if (status === 410) return { kind: 'permanent', error };
  return { kind: 'transient', error };
}

/** The wait before retry `n` (1-based) with ± jitter, or null when the schedule is exhausted. */
export function retryDelay(
  schedule: number[],
  n: number,
  jitter: number,
  random: () => number,
): number | null {
  const base = schedule[n - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 - jitter + 2 * jitter * random()));
}
