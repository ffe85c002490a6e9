/**
 * Which URLs the guarded transport may fetch. Plain data so it can come from config.
 *
 * - `allowPrivate` (default false): when true, loopback, RFC 1918, link-local, CGNAT and unique-local
 *   addresses are fetchable. Cloud metadata addresses, unspecified, multicast, broadcast and reserved
 *   ranges stay blocked even then; only an explicit `allow` entry opens them.
 * - `allow`: exceptions that are fetchable even though private. Each entry is one of
 *   `"ip:port"` / `"[ipv6]:port"` (exact address and port), `"host:port"` (that host name on that
 *   port, trusted whatever it resolves to, so only list names the operator controls),
 *   a CIDR such as `"127.0.0.3/32"` (any port), or a bare IP (any port).
 * - `allowedSchemes` (default `['http:', 'https:']`).
 */
export type UrlPolicy = {
  allowPrivate: boolean;
  allow: string[];
  allowedSchemes?: ('http:' | 'https:')[];
};

/** The strict default: public http(s) only. */
export const DEFAULT_URL_POLICY: UrlPolicy = Object.freeze({ allowPrivate: false, allow: [] }) as UrlPolicy;

/** Longest URL accepted, in characters (S1). */
export const MAX_URL_LENGTH = 2048;

/** One DNS answer. */
export type ResolvedAddress = { address: string; family: 4 | 6 };

/** Injectable DNS resolution, so tests can map `evil.test` or simulate rebinding without a DNS server. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;
