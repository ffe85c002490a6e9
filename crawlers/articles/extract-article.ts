import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { dropBoilerplateParagraphs } from './drop-boilerplate-paragraphs.ts';
import { extractByDensity } from './extract-by-density.ts';
import { readArticleMetadata } from './read-article-metadata.ts';
import { stripBoilerplate } from './strip-boilerplate.ts';
import { toArticleText } from './to-article-text.ts';
import type { Article } from './types.ts';

/** Below this many characters Readability's result is treated as a miss and the fallback tried. */
const MIN_BODY_CHARS = 250;

function parseDocument(html: string): Document {
  return parseHTML(html).document as unknown as Document;
}

/** Content that is mostly link text (a link list, a tag cloud) is not an article. */
const MAX_LINK_DENSITY = 0.5;

function linkDensity(el: Element): number {
  const total = (el.textContent ?? '').replace(/\s+/g, '').length;
  let links = 0;
  for (const a of el.querySelectorAll('a')) links += (a.textContent ?? '').replace(/\s+/g, '').length;
  return total === 0 ? 1 : links / total;
}

function bodyOf(content: Element, title: string | null): string {
  stripBoilerplate(content);
  if (linkDensity(content) > MAX_LINK_DENSITY) return '';
  return dropBoilerplateParagraphs(toArticleText(content).split('\n\n'), title).join('\n\n');
}

function firstParagraph(body: string): string | null {
  const first = body.split('\n\n').find((p) => p.length >= 40);
  if (!first) return null;
  return first.length <= 300 ? first : `${first.slice(0, 297).replace(/\s+\S*$/, '')}…`;
}

/**
 * Extracts the main article of a fetched HTML page: title, author, publication date (ISO UTC),
 * declared language, plain-text body (paragraphs separated by `\n\n`) and excerpt. Metadata comes
 * from JSON-LD, meta tags and `<time>` before Readability runs; the body is Readability's content
 * with page furniture and boilerplate paragraphs removed, or a text-density pick when Readability
 * finds nothing. Pure; `url` resolves nothing today and is kept for relative-link handling.
 * Never throws on malformed HTML; a page with no article yields an empty body and `method: 'none'`.
 */
export function extractArticle(html: string, url: string): Article {
  void url;
  const document = parseDocument(html);
  const meta = readArticleMetadata(document);
  let parsed: ReturnType<Readability<Node>['parse']> = null;
  try {
    parsed = new Readability<Node>(document, { serializer: (node) => node, keepClasses: true }).parse();
  } catch {
    parsed = null;
  }
  const title = meta.title ?? (parsed?.title?.trim() || null);
  let body = parsed?.content ? bodyOf(parsed.content as Element, title) : '';
  let method: Article['method'] = body ? 'readability' : 'none';
  if (body.length < MIN_BODY_CHARS) {
    const container = extractByDensity(parseDocument(html));
    const dense = container ? bodyOf(container, title) : '';
    if (dense.length > body.length) {
      body = dense;
      method = 'density';
    }
  }
  return {
    title,
    author: meta.author ?? (parsed?.byline?.trim() || null),
    published: meta.published,
    lang: meta.lang,
    body,
    excerpt: meta.description ?? firstParagraph(body),
    method,
  };
}
