import { parseArticleDate } from './parse-article-date.ts';
import type { ArticleMetadata } from './types.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const ARTICLE_TYPE = /(Article|BlogPosting|SocialMediaPosting|Report|LiveBlogPosting)$/;
const MAX_JSON_LD_CHARS = 2_000_000;

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typesOf(node: JsonObject): string[] {
  const type = node['@type'];
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string');
  return [];
}

/** Every object in a JSON-LD value, depth-first (graphs, arrays, nested `mainEntity`). */
function collectObjects(value: Json, out: JsonObject[], depth = 0): void {
  if (depth > 8) return;
  if (Array.isArray(value)) for (const item of value) collectObjects(item, out, depth + 1);
  else if (isObject(value)) {
    out.push(value);
    for (const key of ['@graph', 'mainEntity', 'mainEntityOfPage', 'itemListElement']) {
      const inner = value[key];
      if (inner !== undefined) collectObjects(inner, out, depth + 1);
    }
  }
}

function readJsonLdArticle(document: Document): JsonObject | null {
  const found: JsonObject[] = [];
  for (const script of document.querySelectorAll('script[type="application/ld+json" i]')) {
    const text = (script.textContent ?? '').trim();
    if (text === '' || text.length > MAX_JSON_LD_CHARS) continue;
    try {
      // Some CMSs leave raw control characters inside strings; JSON.parse rejects them.
      collectObjects(JSON.parse(text.replace(/[\u0000-\u001f]+/g, ' ')) as Json, found);
    } catch {
      // Broken JSON-LD is common; the page's other metadata still applies.
    }
  }
  const articles = found.filter((node) => typesOf(node).some((t) => ARTICLE_TYPE.test(t)));
  if (articles.length === 0) return null;
  // Prefer the article that carries a body, then the one with a headline.
  return (
    articles.find((a) => typeof a.articleBody === 'string') ??
    articles.find((a) => typeof a.headline === 'string') ??
    articles[0]
  );
}

function stringOf(value: Json | undefined): string | null {
  if (typeof value === 'string') return value.trim() || null;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return stringOf(value[0]);
  return null;
}

function namesOf(value: Json | undefined): string[] {
  if (typeof value === 'string') return value.trim() ? [value.trim()] : [];
  if (Array.isArray(value)) return value.flatMap((v) => namesOf(v));
  if (isObject(value)) return namesOf(value.name);
  return [];
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&#039;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}

function clean(text: string | null | undefined): string | null {
  if (!text) return null;
  const out = decodeEntities(text).replace(/\s+/g, ' ').trim();
  return out === '' ? null : out;
}

function metaContent(document: Document, keys: string[]): string | null {
  for (const key of keys) {
    for (const attr of ['property', 'name', 'itemprop']) {
      const el = document.querySelector(`meta[${attr}="${key}" i]`);
      const content = clean(el?.getAttribute('content'));
      if (content) return content;
    }
  }
  return null;
}

/** `en-GB`, `en_US`, `pt-br` → `en`, `en`, `pt`; anything not shaped like a language tag → null. */
export function primaryLanguage(tag: string | null | undefined): string | null {
  const m = /^\s*([a-z]{2,3})(?:[-_][a-z0-9]+)*\s*$/i.exec(tag ?? '');
  return m ? m[1].toLowerCase() : null;
}

const looksLikeUrl = (s: string) => /^(https?:)?\/\//i.test(s);

function firstTimeDatetime(document: Document): string | null {
  const scoped = [
    'article time[datetime]',
    '[itemprop="datePublished"][datetime]',
    '[itemprop="datePublished"][content]',
    'time[pubdate][datetime]',
    'time[datetime]',
  ];
  for (const selector of scoped) {
    const el = document.querySelector(selector);
    const value = parseArticleDate(el?.getAttribute('datetime') ?? el?.getAttribute('content'));
    if (value) return value;
  }
  return null;
}

/**
 * Reads an article page's metadata before extraction mutates the DOM: JSON-LD `Article`-family
 * objects first (headline, author, datePublished, inLanguage, description, articleBody), then
 * OpenGraph / `article:` / Dublin Core / parsely meta tags, then `<time datetime>`, then `<html lang>`.
 * Never throws on broken JSON-LD or odd dates; missing fields are null.
 */
export function readArticleMetadata(document: Document): ArticleMetadata {
  const ld = readJsonLdArticle(document);
  const title =
    clean(stringOf(ld?.headline)) ??
    metaContent(document, ['og:title', 'twitter:title', 'parsely-title', 'dc.title']) ??
    clean(document.querySelector('title')?.textContent);
  const ldAuthors = namesOf(ld?.author)
    .map((a) => clean(a))
    .filter((a): a is string => a !== null && !looksLikeUrl(a));
  const metaAuthor = metaContent(document, [
    'author',
    'article:author',
    'parsely-author',
    'dc.creator',
    'sailthru.author',
  ]);
  const author =
    (ldAuthors.length > 0 ? [...new Set(ldAuthors)].join(', ') : null) ??
    (metaAuthor && !looksLikeUrl(metaAuthor) ? metaAuthor : null);
  const published =
    parseArticleDate(stringOf(ld?.datePublished)) ??
    parseArticleDate(
      metaContent(document, [
        'article:published_time',
        'og:published_time',
        'datePublished',
        'parsely-pub-date',
        'sailthru.date',
        'dc.date.issued',
        'dc.date',
        'pubdate',
        'publishdate',
        'date',
      ]),
    ) ??
    parseArticleDate(stringOf(ld?.dateCreated)) ??
    firstTimeDatetime(document);
  const lang =
    primaryLanguage(document.documentElement?.getAttribute('lang')) ??
    primaryLanguage(
      document.querySelector('meta[http-equiv="content-language" i]')?.getAttribute('content'),
    ) ??
    primaryLanguage(stringOf(ld?.inLanguage)) ??
    primaryLanguage(metaContent(document, ['og:locale', 'dc.language', 'language']));
  const description =
    clean(stringOf(ld?.description)) ??
    metaContent(document, ['og:description', 'description', 'twitter:description']);
  const body = stringOf(ld?.articleBody);
  return {
    title,
    author,
    published,
    lang,
    description,
    articleBody: body ? decodeEntities(body).trim() : null,
  };
}
