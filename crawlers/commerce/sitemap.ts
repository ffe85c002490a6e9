import { gunzipSync } from 'node:zlib';

/** One `<url>` or `<sitemap>` entry. */
export interface SitemapEntry {
  loc: string;
  lastmod: string | null;
}

export interface Sitemap {
  /** Page URLs (`<urlset>`, or a plain-text sitemap). */
  urls: SitemapEntry[];
  /** Child sitemaps (`<sitemapindex>`). */
  sitemaps: SitemapEntry[];
}

/** Largest sitemap we read, after decompression (the sitemaps.org limit is 50 MB uncompressed). */
export const SITEMAP_MAX_BYTES = 50 * 1024 * 1024;

export class SitemapTooLargeError extends Error {
  readonly code = 'SITEMAP_TOO_LARGE';
  constructor(limit: number) {
    const size = limit >= 1024 * 1024 ? `${Math.round(limit / 1024 / 1024)} MB` : `${limit} bytes`;
    super(`sitemap larger than ${size} after decompression`);
    this.name = 'SitemapTooLargeError';
  }
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Decodes the XML predefined and numeric character references only. DTD-declared entities are
 * never expanded (no billion-laughs, no external entities): an unknown `&name;` stays as written.
 */
function decodeXmlText(raw: string): string {
  const cdata = /^\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*$/.exec(raw);
  if (cdata) return cdata[1].trim();
  return raw
    .replace(/&(?:#x([0-9a-f]{1,6})|#(\d{1,7})|(amp|lt|gt|quot|apos));/gi, (m, hex, dec, name) => {
      if (name) return PREDEFINED[name.toLowerCase()] ?? m;
      const code = hex ? Number.parseInt(hex, 16) : Number(dec);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    })
    .trim();
}

function httpUrl(raw: string): string | null {
  if (raw.includes('&') && /&[a-z][\w.-]*;/i.test(raw)) return null; // unexpanded custom entity
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** Text of a child element; an unprefixed one wins over `image:loc`/`video:loc` extensions. */
function childText(block: string, tag: string): string | null {
  const plain = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}\\s*>`, 'i').exec(block);
  const prefixed = plain
    ? null
    : new RegExp(
        `<(?!(?:image|video|news|xhtml):)[\\w-]+:${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</[\\w-]+:${tag}\\s*>`,
        'i',
      ).exec(block);
  const m = plain ?? prefixed;
  return m ? decodeXmlText(m[1]) : null;
}

function readBody(body: Buffer | string, maxBytes: number): string {
  if (typeof body === 'string') {
    if (body.length > maxBytes) throw new SitemapTooLargeError(maxBytes);
    return body;
  }
  let bytes = body;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: maxBytes });
    } catch (err) {
      if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new SitemapTooLargeError(maxBytes);
      }
      throw new Error(`sitemap is not valid gzip: ${(err as Error).message}`);
    }
  }
  if (bytes.length > maxBytes) throw new SitemapTooLargeError(maxBytes);
  return bytes.toString('utf8');
}

/**
 * Reads a sitemap (`<urlset>`) or sitemap index (`<sitemapindex>`), gzipped or not (detected by
 * its magic bytes, not by file name), namespace-prefixed or not, or a plain-text list of URLs.
 * It is read by scanning, not by an XML parser, so hostile XML (entity bombs, external entities)
 * costs nothing: only predefined and numeric references are decoded. Entries whose `loc` is not an
 * http(s) URL are dropped. Throws SitemapTooLargeError past `maxBytes` (50 MB) decompressed, and Error for
 * corrupt gzip.
 */
export function parseSitemap(body: Buffer | string, opts: { maxBytes?: number } = {}): Sitemap {
  const xml = readBody(body, opts.maxBytes ?? SITEMAP_MAX_BYTES).replace(/^\uFEFF/, '');
  const urls: SitemapEntry[] = [];
  const sitemaps: SitemapEntry[] = [];
  if (!xml.includes('<')) {
    for (const line of xml.split(/\r?\n/)) {
      const loc = httpUrl(line.trim());
      if (loc) urls.push({ loc, lastmod: null });
    }
    return { urls, sitemaps };
  }
  const body_ = xml.replace(/<!--[\s\S]*?-->/g, '').replace(/<!DOCTYPE[^[>]*(?:\[[\s\S]*?\])?\s*>/i, '');
  const entry = /<(?:[\w-]+:)?(url|sitemap)(?:\s[^>]*)?>([\s\S]*?)<\/(?:[\w-]+:)?\1\s*>/gi;
  for (const m of body_.matchAll(entry)) {
    const rawLoc = childText(m[2], 'loc');
    const loc = rawLoc ? httpUrl(rawLoc) : null;
    if (!loc) continue;
    const lastmod = childText(m[2], 'lastmod') || null;
    (m[1].toLowerCase() === 'sitemap' ? sitemaps : urls).push({ loc, lastmod });
  }
  return { urls, sitemaps };
}

/** A child sitemap named for products ("sitemap-products.xml", Shopify's "sitemap_products_1.xml", Yoast's
 * "product-sitemap.xml"), not for their categories, tags or brands ("product_cat-sitemap.xml"). */
const PRODUCT_SITEMAP = /products?(?![-_]?(?:cat|tag|brand|attribute))/i;

/**
 * The children of a sitemap index worth reading for products: the ones named for products when the shop names
 * them by type (pages, categories and blog posts listed beside products are not products to price), else all.
 */
export function productSitemaps(children: readonly string[]): string[] {
  const named = children.filter((url) => {
    let name: string;
    try {
      name = new URL(url).pathname.split('/').pop() ?? '';
    } catch {
      return false;
    }
    return PRODUCT_SITEMAP.test(name);
  });
  return named.length > 0 ? named : [...children];
}
