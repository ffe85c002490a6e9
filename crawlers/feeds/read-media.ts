import type { XmlElement } from './parse-xml.ts';
import { attr } from './read-text-construct.ts';
import { resolveUrl } from './resolve-url.ts';
import { textOf } from './serialize-xml.ts';
import type { FeedMedia, MediaContent } from './types.ts';

/** `media:content` attributes kept, by lower-cased name (feedparser's key) → our key. */
const CONTENT_ATTRIBUTES: ReadonlyArray<readonly [string, keyof MediaContent]> = [
  ['url', 'url'],
  ['type', 'type'],
  ['medium', 'medium'],
  ['filesize', 'fileSize'],
  ['isdefault', 'isDefault'],
  ['expression', 'expression'],
  ['bitrate', 'bitrate'],
  ['framerate', 'framerate'],
  ['samplingrate', 'samplingrate'],
  ['channels', 'channels'],
  ['duration', 'duration'],
  ['height', 'height'],
  ['width', 'width'],
  ['lang', 'lang'],
];

/** A `FeedMedia` with nothing in it. */
export function emptyMedia(): FeedMedia {
  return {
    content: [],
    thumbnails: [],
    credits: [],
    rating: null,
    restriction: null,
    license: null,
    player: null,
  };
}

/**
 * Reads one Media RSS element that carries structured data (`content`, `thumbnail`, `credit`,
 * `rating`, `restriction`, `license`, `player`) into `media`, with feedparser's rules: credits,
 * contents and thumbnails accumulate; the first rating, restriction and license win; the last
 * player wins. Returns false for other elements (`title`, `group`, ... are the caller's). Never throws.
 */
export function readMediaElement(el: XmlElement, local: string, media: FeedMedia): boolean {
  switch (local) {
    case 'content': {
      const content: MediaContent = {};
      for (const [name, key] of CONTENT_ATTRIBUTES) {
        const value = attribute(el, name);
        if (value !== undefined) content[key] = key === 'url' ? resolveUrl(value, el.base) : value;
      }
      media.content.push(content);
      return true;
    }
    case 'thumbnail': {
      const src = attribute(el, 'url') || text(el);
      media.thumbnails.push(
        compact({
          url: src ? resolveUrl(src, el.base) : undefined,
          width: attribute(el, 'width'),
          height: attribute(el, 'height'),
          time: attribute(el, 'time'),
        }),
      );
      return true;
    }
    case 'credit':
      media.credits.push(
        compact({ role: attribute(el, 'role'), scheme: attribute(el, 'scheme'), content: text(el) }),
      );
      return true;
    case 'rating':
      media.rating ??= compact({ scheme: attribute(el, 'scheme'), content: text(el) });
      return true;
    case 'restriction': {
      const codes = (text(el) ?? '').toLowerCase().split(/\s+/).filter(Boolean);
      media.restriction ??= compact({
        relationship: attribute(el, 'relationship'),
        type: attribute(el, 'type'),
        content: codes.length > 0 ? codes : undefined,
      });
      return true;
    }
    case 'license':
      media.license ??= compact({
        type: attribute(el, 'type'),
        href: url(el, 'href'),
        content: text(el),
      });
      return true;
    case 'player':
      media.player = compact({
        url: url(el, 'url'),
        width: attribute(el, 'width'),
        height: attribute(el, 'height'),
        content: text(el),
      });
      return true;
    default:
      return false;
  }
}

/** An attribute's trimmed value; `type` is lower-cased as feedparser does. Undefined when absent. */
function attribute(el: XmlElement, name: string): string | undefined {
  const value = attr(el, name)?.trim();
  if (value === undefined) return undefined;
  return name === 'type' ? value.toLowerCase() : value;
}

/** An attribute holding a URL, resolved against the element's base. */
function url(el: XmlElement, name: string): string | undefined {
  const value = attribute(el, name);
  return value ? resolveUrl(value, el.base) : undefined;
}

/** Trimmed text content, undefined when empty. */
function text(el: XmlElement): string | undefined {
  return textOf(el).trim() || undefined;
}

/** Drops the keys whose value is undefined, so absent attributes stay absent. */
function compact<T extends object>(fields: T): T {
  for (const key of Object.keys(fields) as (keyof T)[]) if (fields[key] === undefined) delete fields[key];
  return fields;
}
