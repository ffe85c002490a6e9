import { addCategoryTag, addTag, ITUNES_SCHEME, MEDIA_CATEGORY_SCHEME } from './collect-tags.ts';
import { MAX_FEED_ENTRIES } from './limits.ts';
import { parseFeedDate } from './parse-feed-date.ts';
import type { XmlElement } from './parse-xml.ts';
import { emptyMedia, readMediaElement } from './read-media.ts';
import { attr, readTextConstruct } from './read-text-construct.ts';
import { isAbsoluteUrl, resolveUrl } from './resolve-url.ts';
import { textOf } from './serialize-xml.ts';
import type { FeedEntry, FeedFormat, FeedMeta, FeedTag } from './types.ts';

type Family = 'core' | 'atom' | 'dc' | 'dcterms' | 'content' | 'itunes' | 'media' | 'xhtml' | 'rdf' | 'other';

const FAMILIES: ReadonlyMap<string, Family> = new Map([
  ['', 'core'],
  ['http://purl.org/rss/1.0/', 'core'],
  ['http://my.netscape.com/rdf/simple/0.9/', 'core'],
  ['http://backend.userland.com/rss2', 'core'],
  ['http://backend.userland.com/rss', 'core'],
  ['http://blogs.law.harvard.edu/tech/rss', 'core'],
  ['http://purl.org/net/rss1.1#', 'core'],
  ['http://www.w3.org/2005/atom', 'atom'],
  ['http://purl.org/atom/ns#', 'atom'],
  ['http://purl.org/dc/elements/1.1/', 'dc'],
  ['http://purl.org/dc/elements/1.0/', 'dc'],
  ['http://purl.org/dc/terms/', 'dcterms'],
  ['http://purl.org/rss/1.0/modules/content/', 'content'],
  ['http://www.itunes.com/dtds/podcast-1.0.dtd', 'itunes'],
  ['http://example.com/dtds/podcast-1.0.dtd', 'itunes'],
  ['http://search.yahoo.com/mrss/', 'media'],
  ['http://search.yahoo.com/mrss', 'media'],
  ['http://www.w3.org/1999/xhtml', 'xhtml'],
  ['http://www.w3.org/1999/02/22-rdf-syntax-ns#', 'rdf'],
]);

/** A value and how much it is trusted; a later value of equal or higher rank replaces it. */
interface Slot {
  value: string;
  rank: number;
}

class Fields {
  private readonly slots = new Map<string, Slot>();
  readonly categories: string[] = [];
  readonly tags: FeedTag[] = [];
  readonly media = emptyMedia();

  set(key: string, value: string | null, rank: number): void {
    if (value === null || value === '') return;
    const current = this.slots.get(key);
    if (!current || rank >= current.rank) this.slots.set(key, { value, rank });
  }

  get(key: string): string | null {
    return this.slots.get(key)?.value ?? null;
  }
}

/** What was found in a document tree. */
export interface ExtractedFeed {
  format: FeedFormat;
  feed: FeedMeta;
  entries: FeedEntry[];
  truncated: boolean;
}

/**
 * Maps a recovered XML tree (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF) onto `FeedMeta` and entries,
 * the way feedparser does: elements are matched by namespace family and case-insensitive local
 * name, later values replace earlier ones unless a more specific element already set the field
 * (`title` beats `media:title`), `image`, `textInput` and `source` never leak into the feed or
 * entry. Returns null when the root is not a feed. Never throws.
 */
export function extractXmlFeed(root: XmlElement): ExtractedFeed | null {
  const format = detectFormat(root);
  if (!format) return null;
  const rootNs = root.ns.toLowerCase();
  const familyOf = (el: XmlElement): Family =>
    FAMILIES.get(el.ns.toLowerCase()) ?? (el.ns.toLowerCase() === rootNs ? 'core' : 'other');
  const walker = new Walker(familyOf);
  const feed = new Fields();
  walker.readContainerAttributes(root, feed);
  walker.walkContainer(root, feed);
  const meta = toMeta(feed);
  const fallbackBase = meta.link && isAbsoluteUrl(meta.link) ? meta.link : null;
  const entries = walker.entries.map((fields) => toEntry(fields, fallbackBase));
  return { format, feed: meta, entries, truncated: walker.truncated };
}

function detectFormat(root: XmlElement): FeedFormat | null {
  const local = root.local.toLowerCase();
  if (local === 'rss') return 'rss';
  if (local === 'feed') {
    return root.ns === 'http://purl.org/atom/ns#' || attr(root, 'version') === '0.3' ? 'atom03' : 'atom';
  }
  if (local === 'rdf') {
    const netscape = root.children.some(
      (c) => c.kind === 'element' && c.ns === 'http://my.netscape.com/rdf/simple/0.9/',
    );
    return netscape ? 'rss090' : 'rdf';
  }
  if (local === 'channel')
    return root.name === 'CHANNEL' || root.attrs.some((a) => a.local === 'HREF') ? 'cdf' : 'rss';
  return null;
}

class Walker {
  readonly entries: Fields[] = [];
  truncated = false;

  constructor(private readonly familyOf: (el: XmlElement) => Family) {}

  walkContainer(el: XmlElement, target: Fields): void {
    for (const child of el.children) {
      if (child.kind !== 'element') continue;
      const family = this.familyOf(child);
      const local = child.local.toLowerCase();
      if (family === 'core' || family === 'atom' || family === 'rdf') {
        if (local === 'item' || local === 'entry') {
          this.addEntry(child);
          continue;
        }
        if (local === 'channel' || local === 'feed' || local === 'rss' || local === 'rdf') {
          this.readContainerAttributes(child, target);
          this.walkContainer(child, target);
          continue;
        }
      }
      this.readField(child, target, 'feed');
    }
  }

  readContainerAttributes(el: XmlElement, target: Fields): void {
    const href = attr(el, 'href');
    if (href) target.set('link', resolveUrl(href, el.base), 1);
    const lastmod = attr(el, 'lastmod');
    if (lastmod) target.set('updated', lastmod, 1);
  }

  private addEntry(el: XmlElement): void {
    if (this.entries.length >= MAX_FEED_ENTRIES) {
      this.truncated = true;
      return;
    }
    const fields = new Fields();
    this.readContainerAttributes(el, fields);
    const about = el.attrs.find(
      (a) => a.local === 'about' && a.ns === 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
    );
    if (about) fields.set('id', about.value.trim(), 0);
    for (const child of el.children) {
      if (child.kind === 'element') this.readField(child, fields, 'entry');
    }
    this.entries.push(fields);
  }

  private readField(el: XmlElement, t: Fields, level: 'feed' | 'entry'): void {
    const family = this.familyOf(el);
    const local = el.local.toLowerCase();
    const isEntry = level === 'entry';
    switch (family) {
      case 'core':
      case 'atom':
        this.readCoreField(el, local, t, isEntry);
        return;
      case 'dc':
        if (local === 'title') t.set('title', readTextConstruct(el, 'text'), 2);
        else if (local === 'description')
          t.set(isEntry ? 'summary' : 'subtitle', readTextConstruct(el, 'html'), 2);
        else if (local === 'creator' || local === 'author') t.set('author', text(el), 2);
        else if (local === 'date') t.set('updated', text(el), 2);
        else if (local === 'subject') {
          addCategory(t, text(el));
          addCategoryTag(t.tags, categoryAttributes(el, null), text(el));
        }
        return;
      case 'dcterms':
        if (local === 'issued') t.set('published', text(el), 2);
        else if (local === 'modified') t.set('updated', text(el), 2);
        else if (local === 'created') t.set('created', text(el), 2);
        return;
      case 'content':
        if (local === 'encoded') t.set('content', readTextConstruct(el, 'html'), 2);
        return;
      case 'xhtml':
        if (local === 'body' || local === 'div') t.set('content', readTextConstruct(el, 'html'), 2);
        return;
      case 'itunes':
        if (local === 'subtitle')
          t.set(isEntry ? 'summary' : 'subtitle', readTextConstruct(el, 'text'), isEntry ? 0 : 1);
        else if (local === 'summary')
          t.set(isEntry ? 'summary' : 'subtitle', readTextConstruct(el, 'text'), isEntry ? 1 : 0);
        else if (local === 'author') t.set('author', text(el), 1);
        else if (local === 'keywords') addKeywords(t, text(el), ITUNES_SCHEME);
        else if (local === 'category') this.readItunesCategory(el, t);
        return;
      case 'media':
        if (readMediaElement(el, local, t.media)) {
          if (local === 'content') this.readMediaChildren(el, t, level);
        } else if (local === 'title') t.set('title', readTextConstruct(el, 'text'), 1);
        else if (local === 'description')
          t.set(isEntry ? 'summary' : 'subtitle', readTextConstruct(el, 'text'), 1);
        else if (local === 'keywords') addKeywords(t, text(el), null);
        else if (local === 'category') {
          addCategory(t, text(el));
          addCategoryTag(t.tags, categoryAttributes(el, MEDIA_CATEGORY_SCHEME), text(el));
        } else if (local === 'group') this.readMediaChildren(el, t, level);
        return;
      default:
        return;
    }
  }

  /** `media:group` and `media:content` hold the same elements as an item; feedparser flattens them. */
  private readMediaChildren(el: XmlElement, t: Fields, level: 'feed' | 'entry'): void {
    for (const child of el.children) if (child.kind === 'element') this.readField(child, t, level);
  }

  /** `itunes:category text="..."`, with its nested subcategories. */
  private readItunesCategory(el: XmlElement, t: Fields): void {
    const name = attr(el, 'text') ?? '';
    addCategory(t, name);
    addTag(t.tags, name.trim(), ITUNES_SCHEME, null);
    for (const child of el.children) {
      if (
        child.kind === 'element' &&
        this.familyOf(child) === 'itunes' &&
        child.local.toLowerCase() === 'category'
      )
        this.readItunesCategory(child, t);
    }
  }

  private readCoreField(el: XmlElement, local: string, t: Fields, isEntry: boolean): void {
    switch (local) {
      case 'title':
        t.set('title', readTextConstruct(el, 'text'), 2);
        return;
      case 'link':
        readLink(el, t);
        return;
      case 'description':
      case 'abstract':
        t.set(isEntry ? 'summary' : 'subtitle', readTextConstruct(el, 'html'), 2);
        return;
      case 'summary':
        t.set(isEntry ? 'summary' : 'subtitle', readTextConstruct(el, 'text'), isEntry ? 2 : 1);
        return;
      case 'subtitle':
      case 'tagline':
        if (!isEntry) t.set('subtitle', readTextConstruct(el, 'text'), 2);
        return;
      case 'content':
      case 'fullitem':
        if (isEntry) t.set('content', readTextConstruct(el, 'text'), 2);
        return;
      case 'body':
        if (isEntry) t.set('content', readTextConstruct(el, 'html'), 2);
        return;
      case 'id':
        t.set('id', resolveUrl(text(el), el.base), 2);
        return;
      case 'guid': {
        const permalink = (attr(el, 'ispermalink') ?? 'true').trim().toLowerCase() !== 'false';
        const value = text(el);
        t.set('id', permalink ? resolveUrl(value, el.base) : value, 2);
        if (permalink && isAbsoluteUrl(value)) t.set('guidlink', resolveUrl(value, el.base), 0);
        return;
      }
      case 'pubdate':
      case 'published':
      case 'issued':
        t.set('published', text(el), 2);
        return;
      case 'created':
        t.set('created', text(el), 2);
        return;
      case 'updated':
      case 'modified':
      case 'lastbuilddate':
        t.set('updated', text(el), 2);
        return;
      case 'author':
        t.set('author', readPerson(el), 2);
        return;
      case 'managingeditor':
        if (!isEntry) t.set('author', text(el), 1);
        return;
      case 'category':
        addCategory(t, attr(el, 'term') ?? attr(el, 'label') ?? text(el));
        addCategoryTag(t.tags, categoryAttributes(el, null), text(el));
        return;
      case 'image':
      case 'textinput':
      case 'source':
      case 'items':
        return;
      default:
        return;
    }
  }
}

function readLink(el: XmlElement, t: Fields): void {
  const href = attr(el, 'href');
  if (href === null) {
    t.set('link', resolveUrl(text(el), el.base), 2);
    return;
  }
  const rel = (attr(el, 'rel') ?? 'alternate').trim().toLowerCase();
  const resolved = resolveUrl(href, el.base);
  t.set('anylink', resolved, 0);
  if (rel !== 'alternate') return;
  const type = (attr(el, 'type') ?? 'text/html').trim().toLowerCase();
  const htmlish = type === 'text/html' || type === 'application/xhtml+xml' || type === '';
  t.set('link', resolved, htmlish ? 2 : 1);
}

function readPerson(el: XmlElement): string {
  const parts = new Map<string, string>();
  for (const child of el.children) {
    if (child.kind === 'element') parts.set(child.local.toLowerCase(), text(child));
  }
  if (parts.size === 0) return text(el);
  const name = parts.get('name') || null;
  const email = parts.get('email') || null;
  if (name && email) return `${name} (${email})`;
  return name ?? email ?? parts.get('uri') ?? parts.get('url') ?? '';
}

function addCategory(t: Fields, value: string): void {
  const v = value.trim();
  if (v && !t.categories.includes(v)) t.categories.push(v);
}

/** A category's `term`, `scheme` (or RSS `domain`) and `label` attributes. */
function categoryAttributes(el: XmlElement, defaultScheme: string | null) {
  return {
    term: attr(el, 'term'),
    scheme: attr(el, 'scheme') ?? attr(el, 'domain') ?? defaultScheme,
    label: attr(el, 'label'),
  };
}

/** A comma-separated keyword list (`media:keywords`, `itunes:keywords`). */
function addKeywords(t: Fields, list: string, scheme: string | null): void {
  for (const keyword of list.split(',')) {
    addCategory(t, keyword);
    addTag(t.tags, keyword.trim(), scheme, null);
  }
}

function text(el: XmlElement): string {
  return textOf(el).trim();
}

function toMeta(f: Fields): FeedMeta {
  return {
    title: f.get('title'),
    link: f.get('link') ?? f.get('anylink'),
    subtitle: f.get('subtitle'),
    id: f.get('id'),
    author: f.get('author'),
    published: parseFeedDate(f.get('published') ?? f.get('created') ?? ''),
    updated: parseFeedDate(f.get('updated') ?? ''),
    tags: f.tags,
    media: f.media,
  };
}

function toEntry(f: Fields, fallbackBase: string | null): FeedEntry {
  const relative = (url: string | null) =>
    url && fallbackBase && !isAbsoluteUrl(url) ? resolveUrl(url, fallbackBase) : url;
  const content = f.get('content');
  return {
    id: f.get('id'),
    title: f.get('title'),
    link: relative(f.get('link') ?? f.get('guidlink') ?? f.get('anylink')),
    summary: f.get('summary') ?? content,
    content,
    published: parseFeedDate(f.get('published') ?? f.get('created') ?? ''),
    updated: parseFeedDate(f.get('updated') ?? ''),
    author: f.get('author'),
    categories: f.categories,
    tags: f.tags,
    media: f.media,
  };
}
