import { decodeFeedBody, readCharset } from './decode-body.ts';
import { extractJsonFeed } from './extract-json-feed.ts';
import { type ExtractedFeed, extractXmlFeed } from './extract-xml-feed.ts';
import { MAX_FEED_BYTES } from './limits.ts';
import { parseXml, XmlLimitError } from './parse-xml.ts';
import { resolveUrl } from './resolve-url.ts';
import type { FeedContext, FeedResult } from './types.ts';

/**
 * Parses a fetched feed body (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF, JSON Feed) into plain data.
 * Works from bytes so the charset can be found the way XML says (BOM, HTTP charset, XML
 * declaration, then a guess); recovers ill-formed XML and flags it `bozo`; resolves relative links
 * against xml:base, `Content-Location`, `ctx.url`, then the feed's own link. Hostile input is
 * bounded: bodies over `MAX_FEED_BYTES` and runaway entity expansion are rejected, external
 * entities are never fetched, entries beyond `MAX_FEED_ENTRIES` are dropped with `truncated`.
 * Never throws: every failure is `{ ok: false, error }`.
 */
export function parseFeed(body: Buffer | Uint8Array | string, ctx: FeedContext = {}): FeedResult {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size > MAX_FEED_BYTES)
    return { ok: false, error: `feed is ${size} bytes, over the ${MAX_FEED_BYTES}-byte cap` };
  const contentType = ctx.contentType ?? header(ctx.headers, 'content-type');
  const contentLocation = header(ctx.headers, 'content-location');
  const baseUrl = contentLocation ? resolveUrl(contentLocation, ctx.url ?? null) : (ctx.url ?? null);
  const decoded = decodeFeedBody(body, readCharset(contentType));
  const text = decoded.text;
  const problems: string[] = decoded.problem ? [decoded.problem] : [];

  let extracted: ExtractedFeed | null;
  try {
    const trimmed = text.trimStart();
    if (trimmed.startsWith('{')) {
      let json: unknown;
      try {
        json = JSON.parse(trimmed);
      } catch (err) {
        return { ok: false, error: `invalid JSON: ${(err as Error).message}` };
      }
      extracted = extractJsonFeed(json, baseUrl);
    } else {
      const doc = parseXml(text, baseUrl);
      problems.push(...doc.problems);
      if (!doc.root) return { ok: false, error: 'no XML element found' };
      extracted = extractXmlFeed(doc.root);
      if (!extracted) return { ok: false, error: `not a feed: root element <${doc.root.name.slice(0, 64)}>` };
    }
  } catch (err) {
    if (err instanceof XmlLimitError) return { ok: false, error: err.message };
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  return {
    ok: true,
    format: extracted.format,
    bozo: problems.length > 0,
    bozoReason: problems[0] ?? null,
    encoding: decoded.encoding,
    truncated: extracted.truncated,
    feed: extracted.feed,
    entries: extracted.entries,
  };
}

function header(headers: Record<string, string> | undefined, name: string): string | null {
  if (!headers) return null;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name) return headers[key];
  }
  return null;
}
