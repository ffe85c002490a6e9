/** Why a URL was refused by the SSRF guard. */
export type UrlRefusalReason =
  | 'invalid_url'
  | 'scheme'
  | 'credentials'
  | 'too_long'
  | 'private_address'
  | 'insecure_redirect';

/**
 * Thrown when a URL must not be fetched: bad scheme, embedded credentials, too long, or a host that is
 * (or resolves to) a non-public address. The API maps it to 400 with `code` and `message`.
 */
export class UrlNotAllowedError extends Error {
  readonly code = 'URL_NOT_ALLOWED';
  readonly reason: UrlRefusalReason;
  /** The offending address, when the refusal is about an address. */
  readonly address: string | undefined;

  constructor(reason: UrlRefusalReason, message: string, address?: string) {
    super(message);
    this.name = 'UrlNotAllowedError';
    this.reason = reason;
    this.address = address;
  }
}
