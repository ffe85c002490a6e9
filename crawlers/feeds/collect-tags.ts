import type { FeedTag } from './types.ts';

/** Scheme feedparser gives `media:category` when the element names none. */
export const MEDIA_CATEGORY_SCHEME = 'http://search.yahoo.com/mrss/category_schema';
/** Scheme feedparser gives iTunes categories and keywords. */
export const ITUNES_SCHEME = 'http://www.itunes.com/';

/** Appends a tag unless all three parts are empty or the same tag is already there. */
export function addTag(
  tags: FeedTag[],
  term: string | null,
  scheme: string | null,
  label: string | null,
): void {
  const tag: FeedTag = { term: term || null, scheme: scheme || null, label: label || null };
  if (!tag.term && !tag.scheme && !tag.label) return;
  if (tags.some((t) => t.term === tag.term && t.scheme === tag.scheme && t.label === tag.label)) return;
  tags.push(tag);
}

/**
 * A category element (`category`, `dc:subject`, `media:category`): its attributes make one tag,
 * and its text is that tag's term when no `term` attribute gave one, else a tag of its own.
 */
export function addCategoryTag(
  tags: FeedTag[],
  attrs: { term: string | null; scheme: string | null; label: string | null },
  text: string,
): void {
  const term = attrs.term?.trim() || null;
  const scheme = attrs.scheme?.trim() || null;
  const label = attrs.label?.trim() || null;
  if (text && !term) {
    addTag(tags, text, scheme, label);
    return;
  }
  addTag(tags, term, scheme, label);
  if (text) addTag(tags, text, null, null);
}
