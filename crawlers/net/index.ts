/**
 * The one guarded path for outbound HTTP to user-supplied URLs (SSRF: RELIABILITY.md S1–S5; crawl
 * faults C4–C7). Validate with `checkUrlSyntax` (API, no DNS) or `checkUrl`; fetch with `safeFetch`;
 * crawl with `GuardedHttpClient`; browse with `guardBrowserContext`.
 */

export type { BrowserGuardOptions } from './browser-guard.ts';
export { CHROMIUM_ARGS, CHROMIUM_PATH, createGuardedContext, guardBrowserContext } from './browser-guard.ts';
export type { CheckedUrl, CheckUrlOptions } from './check-url.ts';
export { checkUrl, systemResolver } from './check-url.ts';
export type { SyntaxCheckedUrl } from './check-url-syntax.ts';
export { checkUrlSyntax } from './check-url-syntax.ts';
export type { AddressClass, AddressKind } from './classify-address.ts';
export { classifyAddress } from './classify-address.ts';
export type { FetchErrorCode } from './fetch-error.ts';
export { FetchError, isTransientFetchError } from './fetch-error.ts';
export type { GuardedHttpClientOptions } from './guarded-http-client.ts';
export { GuardedHttpClient, PermanentFetchError, toCrawlerError } from './guarded-http-client.ts';
export type {
  GuardedRequestOptions,
  GuardedResponse,
  NextHop,
  RedirectHop,
} from './open-guarded-response.ts';
export {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
  openGuardedResponse,
} from './open-guarded-response.ts';
export { parseRetryAfter } from './parse-retry-after.ts';
export type { FetchResult, RetryOptions, SafeFetchOptions } from './safe-fetch.ts';
export { RETRY_STATUSES, safeFetch, safeFetchWithRetries } from './safe-fetch.ts';
export type { UrlRefusalReason } from './url-not-allowed-error.ts';
export { UrlNotAllowedError } from './url-not-allowed-error.ts';
export type { ResolvedAddress, Resolver, UrlPolicy } from './url-policy.ts';
export { DEFAULT_URL_POLICY, MAX_URL_LENGTH } from './url-policy.ts';
