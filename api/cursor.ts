import { ApiError } from './errors.ts';

/** Opaque keyset cursors: the last row's sort key, base64url JSON. */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T extends Record<string, string | number>>(
  raw: string | undefined,
  fields: (keyof T)[],
): T | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as T;
    if (v && typeof v === 'object' && fields.every((f) => f in v)) return v;
  } catch {
    // fall through
  }
  throw new ApiError(400, 'INVALID_CURSOR', 'querystring/cursor is not a cursor this API issued');
}

/** The cursor after a full page (keyset of its last row), or null when the page was the last one. */
export function nextCursor<T>(
  items: T[],
  limit: number,
  key: (last: T) => Record<string, string | number>,
): string | null {
  return items.length === limit && items.length > 0 ? encodeCursor(key(items[items.length - 1])) : null;
}
