/**
 * Crawlers: pure extraction from fetched pages and feeds, plus the thin adapters (crawlee, the SSRF-guarded
 * transport) that fetch them. Nothing here touches the database or reads configuration.
 */
export * from './articles/index.ts';
export * from './commerce/browser-crawler.ts';
export * from './commerce/crawler.ts';
export * from './commerce/host-limiter.ts';
export * from './commerce/index.ts';
export * from './commerce/request-manager.ts';
export * from './commerce/robots.ts';
export * from './feeds/index.ts';
export * from './fx/index.ts';
export * from './net/index.ts';
export * from './social/index.ts';
