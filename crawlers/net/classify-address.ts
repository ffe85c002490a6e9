import ipaddr from 'ipaddr.js';

/** Kind of an IP address as far as SSRF is concerned; anything but `public` is blocked by default. */
export type AddressKind =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'carrier-grade-nat'
  | 'unique-local'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

/** An address after unwrapping IPv4-mapped IPv6, with its kind. */
export type AddressClass = { address: string; kind: AddressKind };

/** Kinds an operator may open with `allowPrivate: true`. */
export const PRIVATE_KINDS: ReadonlySet<AddressKind> = new Set([
  'loopback',
  'private',
  'link-local',
  'carrier-grade-nat',
  'unique-local',
]);

/** Cloud instance-metadata endpoints (AWS, ECS, Azure wireserver, Alibaba, AWS IPv6). */
const METADATA_ADDRESSES: ReadonlySet<string> = new Set([
  '169.254.169.254',
  '169.254.170.2',
  '168.63.129.16',
  '100.100.100.200',
  'fd00:ec2::254',
]);

const RANGE_KINDS: Record<string, AddressKind> = {
  unicast: 'public',
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link-local',
  carrierGradeNat: 'carrier-grade-nat',
  uniqueLocal: 'unique-local',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
};

/**
 * Parse an IP literal strictly. Only canonical dotted-quad IPv4 and valid IPv6 are accepted, so that
 * shorthand like `127.1` can never reach here unnormalised. Returns null for non-IPs.
 */
export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return ipaddr.IPv4.parse(bare);
  if (ipaddr.IPv6.isValid(bare)) return ipaddr.IPv6.parse(bare);
  return null;
}

/**
 * Classify an IP address for the SSRF guard. IPv4-mapped (and RFC 6145 translated) IPv6 addresses are
 * classified as the IPv4 address they carry. Deny by default: every special range ipaddr.js knows
 * (6to4, Teredo, NAT64, documentation, benchmarking...) is `reserved`, only plain unicast is `public`.
 * Throws TypeError when `ip` is not an IP address.
 */
export function classifyAddress(ip: string): AddressClass {
  let parsed = parseIp(ip);
  if (parsed === null) throw new TypeError(`not an IP address: ${ip}`);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    const range = v6.range();
    if (range === 'ipv4Mapped') parsed = v6.toIPv4Address();
    else if (range === 'rfc6145') {
      const bytes = v6.toByteArray().slice(12);
      parsed = new ipaddr.IPv4(bytes);
    }
  }
  const address = parsed.toString();
  if (METADATA_ADDRESSES.has(address)) return { address, kind: 'metadata' };
  return { address, kind: RANGE_KINDS[parsed.range()] ?? 'reserved' };
}

/** Human wording of a kind, for error messages. */
export function describeKind(kind: AddressKind): string {
  return kind === 'metadata' ? 'cloud metadata' : kind.replaceAll('-', ' ');
}
