/**
 * Parse a `Retry-After` header (RFC 9110 §10.2.3): delta-seconds or an HTTP-date. Returns the wait in
 * milliseconds from `now` (0 if the date is past), or null when absent or unparseable, so callers fall
 * back to their own backoff. Never throws.
 */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | null {
  if (header === null || header === undefined) return null;
  const text = header.trim();
  if (text === '') return null;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : null;
  }
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}
