/**
 * Commerce extraction: the front door. Pure functions that turn a fetched shop page, catalog page
 * or sitemap into plain observations; the crawlee adapter lives in `crawler.ts`.
 */

export { type BlockProbe, type BlockVerdict, classifyBlock } from './block.ts';
export { discoverProductLinks } from './discover-links.ts';
export { extractProductPage, extractProductPageFromHtml, loadHtml } from './extract.ts';
export { extractPromotions, readPromotionsInText } from './extract-promotions.ts';
export { normalizeAvailability } from './normalize-availability.ts';
export { type ParsedPrice, type PriceParseOptions, parsePrice } from './parse-price.ts';
export {
  parseSitemap,
  productSitemaps,
  SITEMAP_MAX_BYTES,
  type Sitemap,
  type SitemapEntry,
  SitemapTooLargeError,
} from './sitemap.ts';
export type {
  Availability,
  ExtractHints,
  Offer,
  OfferSource,
  ProductPage,
  Promotion,
} from './types.ts';
