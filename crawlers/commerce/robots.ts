/**
 * robots.txt (RFC 9309): a pure parser and matcher, and a small per-origin cache that fetches through the
 * SSRF-guarded transport. crawlee's own `respectRobotsTxtFile` is not used: it fetches outside the guard.
 *
 * Documented behaviour of the cache, per origin:
 * - 2xx: the body is parsed and obeyed (cached `ttlMs`, default 10 minutes);
 * - 4xx except 429 (404, 410, 401, 403, ...) and more than 5 redirects: "unavailable", everything is allowed
 *   (cached `ttlMs`), as RFC 9309 §2.3.1.3 says;
 * - 5xx, 429, a timeout, a refused connection, an oversized file or any other transport error: "unreachable",
 *   everything is disallowed for that attempt (RFC 9309 §2.3.1.4); the verdict is cached `errorTtlMs`
 *   (default 1 minute) and then fetched again. If an earlier fetch of that origin succeeded, its rules keep
 *   applying instead (stale-if-error), so one bad minute of a shop's server does not stop its crawl.
 */
import { FetchError, type Resolver, safeFetch, type UrlPolicy } from '../net/index.ts';

/** One Allow/Disallow line. */
export interface RobotsRule {
  allow: boolean;
  /** The path pattern as written (may hold `*` and a trailing `$`). */
  pattern: string;
}

/** One group: the user agents it names and the rules and Crawl-delay that follow them. */
export interface RobotsGroup {
  agents: string[];
  rules: RobotsRule[];
  /** Seconds, or null when absent or unparseable (Crawl-delay is non-standard but widely used). */
  crawlDelay: number | null;
}

/** A parsed robots.txt. */
export interface RobotsTxt {
  groups: RobotsGroup[];
  sitemaps: string[];
}

/** What the rules say about one URL for one user agent. */
export interface RobotsMatch {
  allowed: boolean;
  /** The deciding rule, e.g. "Disallow: /private", or null when no rule matched (allowed). */
  rule: string | null;
  /** Crawl-delay of the matching group(s) in ms, or null. */
  crawlDelayMs: number | null;
}

/** Parsing stops after this many characters (RFC 9309 asks crawlers to read at least 500 KiB). */
export const ROBOTS_MAX_CHARS = 512 * 1024;

/**
 * Parses robots.txt text: `User-agent` lines open a group (consecutive ones share it), `Allow`,
 * `Disallow` and `Crawl-delay` belong to the current group, `Sitemap` is global. Comments, a BOM,
 * blank lines, unknown keys and rules before any group are ignored. Never throws.
 */
export function parseRobotsTxt(text: string): RobotsTxt {
  const groups: RobotsGroup[] = [];
  const sitemaps: string[] = [];
  let current: RobotsGroup | null = null;
  let inAgents = false;
  const body = text.slice(0, ROBOTS_MAX_CHARS).replace(/^\uFEFF/, '');
  for (const raw of body.split(/\r\n|\r|\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line
      .slice(0, colon)
      .trim()
      .toLowerCase()
      .replace(/[\s_-]/g, '');
    const value = line.slice(colon + 1).trim();
    if (key === 'useragent') {
      if (!inAgents || !current) {
        current = { agents: [], rules: [], crawlDelay: null };
        groups.push(current);
      }
      current.agents.push(value.toLowerCase());
      inAgents = true;
      continue;
    }
    if (key === 'sitemap') {
      if (value) sitemaps.push(value);
      continue;
    }
    if (!current) continue;
    if (key === 'allow' || key === 'disallow') {
      inAgents = false;
      // An empty Disallow allows everything: it is simply no rule.
      if (value) current.rules.push({ allow: key === 'allow', pattern: normalizePattern(value) });
    } else if (key === 'crawldelay') {
      inAgents = false;
      const seconds = Number(value);
      if (Number.isFinite(seconds) && seconds >= 0) current.crawlDelay = seconds;
    }
  }
  return { groups, sitemaps };
}

/** The product token of a User-Agent: "MarketRadarBot/0.1 (+...)" → "marketradarbot". */
export function productToken(userAgent: string): string {
  return userAgent.trim().split(/[\s/]/, 1)[0]?.toLowerCase() ?? '';
}

/** Percent-encodes what a URL path would encode and upper-cases escapes, so patterns compare with `URL.pathname`. */
function normalizePattern(pattern: string): string {
  const encoded = pattern.replace(/[^\x21-\x7e]/gu, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return '%EF%BF%BD'; // a lone surrogate: U+FFFD, as a URL parser would
    }
  });
  return encoded.replace(/%[0-9a-f]{2}/gi, (e) => e.toUpperCase());
}

function patternMatches(pattern: string, path: string): boolean {
  const anchored = pattern.endsWith('$');
  const parts = (anchored ? pattern.slice(0, -1) : pattern).split('*');
  // Linear matching of `*`-separated literals: first must prefix, the rest found in order, greedily leftmost.
  if (!path.startsWith(parts[0])) return false;
  let at = parts[0].length;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    if (i === parts.length - 1 && anchored) {
      return path.length - part.length >= at && path.endsWith(part);
    }
    const found = path.indexOf(part, at);
    if (found < 0) return false;
    at = found + part.length;
  }
  return anchored ? at === path.length : true;
}

/** The groups that apply to `userAgent`: those naming its product token, else the `*` groups, merged. */
function groupsFor(robots: RobotsTxt, userAgent: string): RobotsGroup[] {
  const token = productToken(userAgent);
  const named = robots.groups.filter((g) =>
    g.agents.some((a) => a !== '*' && token !== '' && productToken(a) === token),
  );
  return named.length ? named : robots.groups.filter((g) => g.agents.includes('*'));
}

/**
 * Decides whether `url` (absolute, or a path with optional query) may be fetched by `userAgent`. The
 * longest matching pattern wins; on a tie Allow wins; no match means allowed; `/robots.txt` itself is
 * always allowed. Never throws (an unparseable URL is matched as a path).
 */
export function matchRobots(robots: RobotsTxt, url: string, userAgent: string): RobotsMatch {
  let path: string;
  try {
    const u = new URL(url, 'http://robots.invalid');
    path = u.pathname + u.search;
  } catch {
    path = url;
  }
  path = path.replace(/%[0-9a-f]{2}/gi, (e) => e.toUpperCase());
  const groups = groupsFor(robots, userAgent);
  const delays = groups.map((g) => g.crawlDelay).filter((d): d is number => d !== null);
  const crawlDelayMs = delays.length ? Math.round(Math.max(...delays) * 1000) : null;
  if (path === '/robots.txt') return { allowed: true, rule: null, crawlDelayMs };
  let best: RobotsRule | null = null;
  for (const g of groups) {
    for (const rule of g.rules) {
      if (!patternMatches(rule.pattern, path)) continue;
      if (
        !best ||
        rule.pattern.length > best.pattern.length ||
        (rule.pattern.length === best.pattern.length && rule.allow && !best.allow)
      ) {
        best = rule;
      }
    }
  }
  if (!best) return { allowed: true, rule: null, crawlDelayMs };
  return {
    allowed: best.allow,
    rule: `${best.allow ? 'Allow' : 'Disallow'}: ${best.pattern}`,
    crawlDelayMs,
  };
}

/** The cache's answer for one URL. */
export interface RobotsVerdict {
  allowed: boolean;
  /** Why, for the crawl run's record: "Disallow: /private", "robots.txt unreachable (HTTP 500)", ... */
  reason: string;
  crawlDelayMs: number | null;
}

export interface RobotsCacheOptions {
  policy: UrlPolicy;
  userAgent: string;
  /** How long a fetched (2xx) or unavailable (4xx) robots.txt is trusted. Default 10 minutes. */
  ttlMs?: number;
  /** How long an unreachable verdict (5xx, timeout, network) stands before the next attempt. Default 60 s. */
  errorTtlMs?: number;
  /** Budget of one robots.txt fetch. Default 10 s. */
  timeoutMs?: number;
  /** Largest robots.txt read; a bigger one counts as unreachable. Default 1 MiB. */
  maxBytes?: number;
  /** Origins remembered at once (least recently fetched evicted first). Default 1000. */
  maxEntries?: number;
  resolver?: Resolver;
  ca?: string | Buffer;
  now?: () => number;
}

/** Per-origin robots.txt cache; concurrent checks of one origin share one fetch. */
export interface RobotsCache {
  /** Never rejects: an unreachable robots.txt gives `allowed: false` with the reason. */
  check(url: string): Promise<RobotsVerdict>;
}

type Entry =
  | { kind: 'rules'; robots: RobotsTxt; expiresAt: number }
  | { kind: 'allow-all'; reason: string; expiresAt: number }
  | { kind: 'unreachable'; reason: string; expiresAt: number; stale: RobotsTxt | null };

const MIB = 1024 * 1024;

/** Creates the cache the page crawlers consult before every request (unless a target opts out). */
export function createRobotsCache(opts: RobotsCacheOptions): RobotsCache {
  const ttlMs = opts.ttlMs ?? 10 * 60_000;
  const errorTtlMs = opts.errorTtlMs ?? 60_000;
  const maxEntries = opts.maxEntries ?? 1000;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const inflight = new Map<string, Promise<Entry>>();

  const load = async (origin: string, previous: Entry | undefined): Promise<Entry> => {
    const stale =
      previous?.kind === 'rules' ? previous.robots : previous?.kind === 'unreachable' ? previous.stale : null;
    const unreachable = (reason: string): Entry => ({
      kind: 'unreachable',
      reason,
      expiresAt: now() + errorTtlMs,
      stale,
    });
    try {
      const res = await safeFetch(`${origin}/robots.txt`, {
        policy: opts.policy,
        resolver: opts.resolver,
        ca: opts.ca,
        userAgent: opts.userAgent,
        headers: { accept: 'text/plain,*/*;q=0.5' },
        timeoutMs: opts.timeoutMs ?? 10_000,
        maxBytes: opts.maxBytes ?? MIB,
      });
      if (res.status >= 200 && res.status < 300) {
        return { kind: 'rules', robots: parseRobotsTxt(res.body.toString('utf8')), expiresAt: now() + ttlMs };
      }
      if (res.status >= 400 && res.status < 500 && res.status !== 429) {
        return {
          kind: 'allow-all',
          reason: `robots.txt HTTP ${res.status}: all allowed`,
          expiresAt: now() + ttlMs,
        };
      }
      return unreachable(`robots.txt unreachable (HTTP ${res.status}); retry later`);
    } catch (error) {
      if (error instanceof FetchError && error.code === 'too_many_redirects') {
        return {
          kind: 'allow-all',
          reason: 'robots.txt redirects too often: all allowed',
          expiresAt: now() + ttlMs,
        };
      }
      const code = error instanceof FetchError ? error.code : 'error';
      return unreachable(`robots.txt unreachable (${code}); retry later`);
    }
  };

  const entryFor = (origin: string): Promise<Entry> => {
    const cached = entries.get(origin);
    if (cached && cached.expiresAt > now()) return Promise.resolve(cached);
    let pending = inflight.get(origin);
    if (!pending) {
      pending = load(origin, cached).then((entry) => {
        inflight.delete(origin);
        entries.delete(origin);
        entries.set(origin, entry);
        if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
        return entry;
      });
      inflight.set(origin, pending);
    }
    return pending;
  };

  return {
    async check(url) {
      let origin: string;
      try {
        origin = new URL(url).origin;
      } catch {
        return { allowed: false, reason: 'invalid URL', crawlDelayMs: null };
      }
      const entry = await entryFor(origin);
      const robots =
        entry.kind === 'rules' ? entry.robots : entry.kind === 'unreachable' ? entry.stale : null;
      if (robots) {
        const m = matchRobots(robots, url, opts.userAgent);
        const stale = entry.kind === 'unreachable' ? ` (last good copy; ${entry.reason})` : '';
        return {
          allowed: m.allowed,
          reason: m.allowed ? `allowed by robots.txt${stale}` : `robots.txt ${m.rule}${stale}`,
          crawlDelayMs: m.crawlDelayMs,
        };
      }
      if (entry.kind === 'allow-all') return { allowed: true, reason: entry.reason, crawlDelayMs: null };
      return { allowed: false, reason: (entry as { reason: string }).reason, crawlDelayMs: null };
    },
  };
}
