import ipaddr from 'ipaddr.js';
import { parseIp } from './classify-address.ts';

type AllowEntry =
  | { kind: 'address'; address: string; port: number | null }
  | { kind: 'host'; host: string; port: number | null }
  | { kind: 'cidr'; range: [ipaddr.IPv4 | ipaddr.IPv6, number] };

/** A parsed `UrlPolicy.allow` list. */
export type AllowList = { entries: AllowEntry[] };

const cache = new WeakMap<readonly string[], AllowList>();

function normaliseIp(ip: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (ip as ipaddr.IPv6).toIPv4Address().toString();
  }
  return ip.toNormalizedString();
}

function parsePort(text: string, entry: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`invalid port in allow entry "${entry}"`);
  }
  return port;
}

function parseEntry(entry: string): AllowEntry {
  const text = entry.trim().toLowerCase();
  if (text.includes('/')) {
    try {
      return { kind: 'cidr', range: ipaddr.parseCIDR(text) };
    } catch {
      throw new TypeError(`invalid CIDR in allow entry "${entry}"`);
    }
  }
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    const ip = parseIp(bracketed[1]);
    if (!ip) throw new TypeError(`invalid IPv6 address in allow entry "${entry}"`);
    return {
      kind: 'address',
      address: normaliseIp(ip),
      port: bracketed[2] ? parsePort(bracketed[2], entry) : null,
    };
  }
  const bareIp = parseIp(text);
  if (bareIp) return { kind: 'address', address: normaliseIp(bareIp), port: null };
  const hostPort = /^([^:]+)(?::(\d+))?$/.exec(text);
  if (!hostPort) throw new TypeError(`invalid allow entry "${entry}"`);
  const port = hostPort[2] ? parsePort(hostPort[2], entry) : null;
  const ip = parseIp(hostPort[1]);
  if (ip) return { kind: 'address', address: normaliseIp(ip), port };
  if (!/^[a-z0-9.-]+$/.test(hostPort[1])) throw new TypeError(`invalid host in allow entry "${entry}"`);
  return { kind: 'host', host: hostPort[1].replace(/\.$/, ''), port };
}

/**
 * Parse (and memoise per array) a policy's allow list. Throws TypeError on a malformed entry, so a bad
 * config fails at the first check instead of silently allowing nothing or everything.
 */
export function compileAllowList(entries: readonly string[]): AllowList {
  let compiled = cache.get(entries);
  if (!compiled) {
    compiled = { entries: entries.map(parseEntry) };
    cache.set(entries, compiled);
  }
  return compiled;
}

/** Whether the host name itself is allowlisted on this port (a `host:port` entry). */
export function isHostAllowed(list: AllowList, hostname: string, port: number): boolean {
  return list.entries.some(
    (e) => e.kind === 'host' && e.host === hostname && (e.port === null || e.port === port),
  );
}

/** Whether connecting to `address:port` is allowlisted (an `ip:port`, bare IP or CIDR entry). */
export function isAddressAllowed(list: AllowList, address: string, port: number): boolean {
  const ip = parseIp(address);
  if (!ip) return false;
  const normalised = normaliseIp(ip);
  const comparable = parseIp(normalised) ?? ip;
  return list.entries.some((e) => {
    if (e.kind === 'address') return e.address === normalised && (e.port === null || e.port === port);
    if (e.kind === 'cidr') return comparable.kind() === e.range[0].kind() && comparable.match(e.range);
    return false;
  });
}
