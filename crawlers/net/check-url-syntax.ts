import { compileAllowList, isAddressAllowed, isHostAllowed } from './allow-list.ts';
import { classifyAddress, describeKind, PRIVATE_KINDS, parseIp } from './classify-address.ts';
import { UrlNotAllowedError } from './url-not-allowed-error.ts';
import { MAX_URL_LENGTH, type UrlPolicy } from './url-policy.ts';

/** A URL that passed every check that needs no DNS. */
export type SyntaxCheckedUrl = {
  url: URL;
  /** Lower-case host name without IPv6 brackets or a trailing dot. */
  hostname: string;
  /** Effective port (80/443 when the URL has none). */
  port: number;
  /** Set when the host is an IP literal (already validated). */
  literalAddress: string | null;
  /** True when a `host:port` allow entry vouches for this host, so its DNS answers are not classified. */
  hostAllowed: boolean;
};

const DEFAULT_SCHEMES: readonly string[] = ['http:', 'https:'];

function preview(raw: string): string {
  return raw.length > 80 ? `${raw.slice(0, 80)}…` : raw;
}

/**
 * Throw UrlNotAllowedError if `address` may not be contacted on `port` under `policy`.
 * `subject` words the message, e.g. "target resolves to" or "target is".
 */
export function assertAddressAllowed(
  address: string,
  port: number,
  policy: UrlPolicy,
  subject: string,
): void {
  const { address: shown, kind } = classifyAddress(address);
  if (kind === 'public') return;
  if (isAddressAllowed(compileAllowList(policy.allow), address, port)) return;
  if (policy.allowPrivate && PRIVATE_KINDS.has(kind)) return;
  throw new UrlNotAllowedError(
    'private_address',
    `${subject} a private address (${shown}, ${describeKind(kind)})`,
    shown,
  );
}

/**
 * Validate a URL without DNS: length, scheme, credentials, and IP-literal or `localhost` hosts (every
 * obfuscated IPv4 form is normalised by the WHATWG parser first). For API validation; fetching must
 * still go through `checkUrl`/`safeFetch`, which also check what the name resolves to.
 * Throws UrlNotAllowedError (code URL_NOT_ALLOWED) with a message fit for a 400 response, and TypeError
 * if the policy's allow list is malformed.
 */
export function checkUrlSyntax(raw: string, policy: UrlPolicy): SyntaxCheckedUrl {
  if (typeof raw !== 'string' || raw.length === 0)
    throw new UrlNotAllowedError('invalid_url', 'URL is empty');
  if (raw.length > MAX_URL_LENGTH) {
    throw new UrlNotAllowedError(
      'too_long',
      `URL is longer than ${MAX_URL_LENGTH} characters (${raw.length})`,
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlNotAllowedError('invalid_url', `not a valid absolute URL: ${preview(raw)}`);
  }
  const schemes = policy.allowedSchemes ?? DEFAULT_SCHEMES;
  if (!schemes.includes(url.protocol)) {
    throw new UrlNotAllowedError(
      'scheme',
      `scheme ${url.protocol} is not allowed (only ${schemes.map((s) => s.slice(0, -1)).join(', ')})`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new UrlNotAllowedError('credentials', 'URLs with embedded credentials are not allowed');
  }
  if (url.hostname === '') throw new UrlNotAllowedError('invalid_url', 'URL has no host');
  const hostname = url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const hostAllowed = isHostAllowed(compileAllowList(policy.allow), hostname, port);
  const literal = parseIp(hostname);
  if (literal) {
    assertAddressAllowed(hostname, port, policy, 'target is');
    return { url, hostname, port, literalAddress: hostname, hostAllowed };
  }
  if (!hostAllowed && (hostname === 'localhost' || hostname.endsWith('.localhost'))) {
    if (!policy.allowPrivate) {
      throw new UrlNotAllowedError(
        'private_address',
        `target resolves to a private address (${hostname}, loopback)`,
      );
    }
  }
  return { url, hostname, port, literalAddress: null, hostAllowed };
}
