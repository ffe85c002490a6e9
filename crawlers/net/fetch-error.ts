/** Stable failure codes of the guarded transport; callers map them to retry/permanent decisions. */
export type FetchErrorCode =
  | 'timeout'
  | 'too_large'
  | 'truncated'
  | 'too_many_redirects'
  | 'url_not_allowed'
  | 'dns'
  | 'connect'
  | 'http_protocol'
  | 'aborted';

/**
 * The only error type the guarded transport throws. It deliberately carries no response body (a
 * redirect target's content must never reach the user), only the URL being fetched and the hops so far.
 */
export class FetchError extends Error {
  readonly code: FetchErrorCode;
  /** URL of the hop that failed. */
  readonly url: string;
  /** URLs of the redirect hops followed before the failure. */
  readonly redirects: readonly string[];

  constructor(
    code: FetchErrorCode,
    message: string,
    opts: { url: string; redirects?: readonly string[]; cause?: unknown },
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'FetchError';
    this.code = code;
    this.url = opts.url;
    this.redirects = opts.redirects ?? [];
  }
}

/** True for failures worth retrying later (timeouts, resets, truncation); false for permanent ones. */
export function isTransientFetchError(error: FetchError): boolean {
  return error.code === 'timeout' || error.code === 'truncated' || error.code === 'connect';
}
