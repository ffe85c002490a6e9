/** Narrowing helpers for untrusted JSON from social APIs. */
export type JsonRecord = Record<string, unknown>;

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string field, else null. */
export function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;
}

/** A field as a record, else an empty one. */
export function rec(value: unknown): JsonRecord {
  return isRecord(value) ? value : {};
}

/** ISO-8601 UTC from an ISO string or Unix seconds; null when unparseable. */
export function toIso(value: unknown): string | null {
  const ms =
    typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** `en-US` → `en`; null for anything else. */
export function langOf(value: unknown): string | null {
  const m = typeof value === 'string' ? /^([a-z]{2,3})(?:[-_]|$)/i.exec(value) : null;
  return m ? m[1].toLowerCase() : null;
}

/** Joins a base URL and a path without doubling or dropping the slash. */
export function joinUrl(base: string, path: string): URL {
  return new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`);
}
