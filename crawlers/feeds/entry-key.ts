import { createHash } from 'node:crypto';
import type { FeedEntry } from './types.ts';

/**
 * The key an entry is de-duplicated on within its feed: the feed URL plus the entry's id (guid)
 * when it has one, else a SHA-256 of its link and title. Two fetches of the same feed give the
 * same keys, so ingest is idempotent; entries with neither id, link nor title share one key.
 */
export function entryKey(entry: Pick<FeedEntry, 'id' | 'link' | 'title'>, feedUrl: string): string {
  const id = entry.id?.trim();
  const identity = id
    ? `id:${id}`
    : `hash:${createHash('sha256')
        .update(`${entry.link ?? ''}\n${entry.title ?? ''}`)
        .digest('hex')}`;
  return `${feedUrl}#${identity}`;
}
