/** Query parameters that only track where a click came from; dropped by `canonicalizeUrl`. */
const TRACKING = [
  /^utm_/,
  /^(fbclid|gclid|gclsrc|dclid|gbraid|wbraid|msclkid|yclid|twclid|ttclid|li_fat_id|igshid|igsh|mc_cid|mc_eid|_hsenc|_hsmi|__hstc|__hssc|__hsfp|hsctatracking|mkt_tok|oly_anon_id|oly_enc_id|vero_id|vero_conv|s_cid|icid|cmpid|ncid|ocid|sr_share|spm|scid|share|si|feature|ref|ref_src|ref_url|referrer|source|src|via|cid|_ga|_gl|amp|amp_js_v|usqp|outputtype)$/,
];

const DEFAULT_PORT: Record<string, string> = { 'http:': '80', 'https:': '443' };

function isTracking(name: string): boolean {
  const key = name.toLowerCase();
  return TRACKING.some((re) => re.test(key));
}

/**
 * A stable key for "the same page" across shares: lower-case scheme and host, `www.`/`m.`/
 * `mobile.`/`amp.` host prefixes dropped, default port, fragment and tracking parameters (utm_*,
 * fbclid, gclid, ref, igshid, …) removed, remaining parameters sorted, AMP path variants
 * (`/amp`, `/amp/`, `.amp.html`, `?amp=1`) folded to the canonical page, empty path → `/` and a
 * trailing slash removed elsewhere. Not for fetching: the result may not be served as such.
 * Throws TypeError on a string that is not an absolute http(s) URL.
 */
export function canonicalizeUrl(url: string): string {
  const u = new URL(url.trim());
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`not an http(s) URL: ${url}`);
  // The result is built from protocol, host, path and query, so credentials and fragment never reach it; each
  // URL setter re-parses, so only what changes is set.
  let host = u.hostname.toLowerCase().replace(/\.$/, '');
  host = host.replace(/^(?:www\d*|m|mobile|amp)\.(?=[^.]+\.[^.]+)/, '');
  if (host !== u.hostname) u.hostname = host;
  if (u.port === DEFAULT_PORT[u.protocol]) u.port = '';
  let path = u.pathname
    .replace(/\/{2,}/g, '/')
    .replace(/\.amp\.html$/i, '.html')
    .replace(/\/amp\/?$/i, '/')
    .replace(/\/index\.(?:html?|php)$/i, '/');
  if (path.length > 1) path = path.replace(/\/+$/, '');
  path ||= '/';
  if (path !== u.pathname) u.pathname = path;
  if (u.search === '') return `${u.protocol}//${u.host}${u.pathname}`;
  const params = [...u.searchParams].filter(([name]) => !isTracking(name));
  params.sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1));
  u.search = '';
  for (const [name, value] of params) u.searchParams.append(name, value);
  return `${u.protocol}//${u.host}${u.pathname}${u.search}`;
}
