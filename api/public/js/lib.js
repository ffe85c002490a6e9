/**
 * Helpers every report page shares. Safety rules live here, once:
 * - text only ever reaches the DOM through text nodes (`h()` never sets innerHTML);
 * - an href is kept only when it is http(s) or one of our own paths (`safeHref`);
 * - outside links open with rel="noopener noreferrer".
 * Nothing here touches the DOM at module scope, so the pure parts are unit-tested in Node.
 */

/** @param {unknown} value @returns {string | null} a safe href, or null when the link must be dropped */
export function safeHref(value) {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  if (v === '') return null;
  // Our own pages: a single leading slash (never protocol-relative "//host") or a fragment.
  if (/^\/(?![/\\])/.test(v) || v.startsWith('#')) return v;
  let url;
  try {
    url = new URL(v);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

/**
 * Builds an element. Attributes are set with setAttribute (never event handlers), `href` goes through
 * safeHref, and children are appended as nodes or text nodes.
 * @param {string} tag
 * @param {Record<string, unknown> | null} [attrs]
 * @param {...unknown} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (/^on/i.test(k) || k === 'style' || k === 'srcdoc') throw new Error(`attribute ${k} is not allowed`);
    if (k === 'class') el.className = String(v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'href' || k === 'src' || k === 'action') {
      const safe = safeHref(v);
      if (safe) el.setAttribute(k, safe);
    } else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/** @param {Node} el @param {unknown[]} children */
export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/**
 * A link to a crawled page: opens outside, no referrer, no opener. An unsafe URL renders as plain text.
 * @param {unknown} url @param {unknown} text @param {Record<string, unknown>} [attrs]
 */
export function outLink(url, text, attrs = {}) {
  const href = safeHref(url);
  if (!href || href.startsWith('/') || href.startsWith('#')) return h('span', attrs, text);
  return h('a', { ...attrs, href, rel: 'noopener noreferrer', target: '_blank' }, text);
}

/** A link to one of our pages. @param {string} path @param {unknown} text @param {Record<string, unknown>} [attrs] */
export function pageLink(path, text, attrs = {}) {
  return h('a', { ...attrs, href: path }, text);
}

let signingIn = false;

/**
 * The sign-in form's address, coming back to `path` afterwards (only our own paths: never an open redirect).
 * @param {string} path
 */
export function loginHref(path) {
  const next = typeof path === 'string' && path.startsWith('/') && !path.startsWith('//') ? path : '/';
  return `/login?next=${encodeURIComponent(next)}`;
}

/**
 * Fetches our JSON API. Returns `{ ok: true, data }`, or `{ ok: false, status }` when the endpoint is missing
 * (404), failing, or unreachable, so each section can show an empty state instead of breaking the page.
 * @param {string} path @param {Record<string, unknown>} [params]
 */
export async function api(path, params = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  }
  const url = qs.size ? `${path}?${qs}` : path;
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' } });
    // A session that ended (expired, signed out elsewhere, key revoked) goes back to the sign-in form, once.
    if (res.status === 401 && typeof location !== 'undefined' && !signingIn) {
      signingIn = true;
      location.assign(loginHref(location.pathname + location.search));
    }
    if (!res.ok) return { ok: false, status: res.status, data: null };
    return { ok: true, status: res.status, data: await res.json() };
  } catch {
    return { ok: false, status: 0, data: null };
  }
}

/** Filter names carried in the query string by every page. */
export const FILTER_KEYS = ['since', 'until', 'competitor', 'category', 'source'];

/**
 * Reads filters from a query string. Dates are YYYY-MM-DD (anything else is dropped); text filters are capped.
 * @param {string} search
 * @returns {{ since: string, until: string, competitor: string, category: string, source: string }}
 */
export function readFilters(search) {
  const q = new URLSearchParams(search);
  const day = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v ?? '') && !Number.isNaN(Date.parse(v)) ? v : '');
  const text = (v) => (v ?? '').trim().slice(0, 200);
  return {
    since: day(q.get('since')),
    until: day(q.get('until')),
    competitor: text(q.get('competitor')),
    category: text(q.get('category')),
    source: text(q.get('source')),
  };
}

/**
 * The API's time window for the filters: `since` at 00:00 UTC, `until` inclusive (the next day, 00:00 UTC).
 * @param {{ since: string, until: string }} f
 */
export function apiWindow(f) {
  return {
    since: f.since ? `${f.since}T00:00:00.000Z` : undefined,
    until: f.until ? new Date(Date.parse(`${f.until}T00:00:00.000Z`) + 86_400_000).toISOString() : undefined,
  };
}

/** Query string for links to our pages that keeps the current filters. @param {Record<string, string>} f */
export function filterQuery(f, extra = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, ...extra })) if (v) qs.set(k, v);
  return qs.size ? `?${qs}` : '';
}

/** ISO-8601 week of a date, e.g. "2026-W07". @param {Date} d */
export function isoWeekOf(d) {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dow = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - dow); // the week's Thursday decides its year
  const year = t.getUTCFullYear();
  const week = Math.ceil(((t.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * The UTC Monday 00:00 that starts an ISO week, and the next Monday. Null for a malformed week.
 * @param {string} week @returns {{ start: Date, end: Date } | null}
 */
export function weekRange(week) {
  const m = /^(\d{4})-W(\d{2})$/.exec(week ?? '');
  if (!m) return null;
  const year = Number(m[1]);
  const n = Number(m[2]);
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const week1Monday = Date.UTC(year, 0, 4 - ((jan4.getUTCDay() || 7) - 1));
  const start = new Date(week1Monday + (n - 1) * 7 * 86_400_000);
  if (n < 1 || isoWeekOf(start) !== week) return null;
  return { start, end: new Date(start.getTime() + 7 * 86_400_000) };
}

/** Signed percentage with a real minus sign. @param {number | null | undefined} p */
export function fmtPct(p) {
  if (p === null || p === undefined || !Number.isFinite(Number(p))) return '–';
  const n = Number(p);
  return `${n > 0 ? '+' : n < 0 ? '−' : ''}${Math.abs(n).toFixed(1)}%`;
}

/** @param {string | number | null} amount @param {string | null} currency */
export function fmtMoney(amount, currency) {
  const n = Number(amount);
  if (amount === null || amount === undefined || !Number.isFinite(n)) return '–';
  try {
    if (currency) return new Intl.NumberFormat('en', { style: 'currency', currency }).format(n);
  } catch {
    // an unknown currency code falls through to a plain number
  }
  return `${n.toFixed(2)}${currency ? ` ${currency}` : ''}`;
}

/** @param {string | Date | null} t */
export function fmtTime(t) {
  if (!t) return '–';
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return '–';
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

/** @param {number | null | undefined} s sentiment in [-1, 1] */
export function fmtSentiment(s) {
  if (s === null || s === undefined || !Number.isFinite(Number(s))) return '–';
  const n = Number(s);
  return `${n > 0 ? '+' : n < 0 ? '−' : ''}${Math.abs(n).toFixed(2)}`;
}

/** Seconds since the epoch, which uPlot's time axis expects. @param {string | Date} t */
export function epochSeconds(t) {
  return new Date(t).getTime() / 1000;
}

/**
 * A page section with a heading; `fill(body)` renders into it. A failing fill shows as an empty state.
 * @param {HTMLElement} parent @param {string} id @param {string} title
 */
export function section(parent, id, title, note, cls = '') {
  const body = h('div', { class: 'section-body' });
  const el = h(
    'section',
    { id, class: `card ${cls}` },
    h('h2', null, title),
    note ? h('p', { class: 'note' }, note) : null,
    body,
  );
  parent.appendChild(el);
  return body;
}

/**
 * The message for a failed call: a missing endpoint is "not available yet"; anything else is an error with its
 * status, so a bad request is never mistaken for a missing feature.
 */
export function unavailable(res, what) {
  return res.status === 404
    ? empty(`${what} is not available yet.`)
    : h(
        'p',
        { class: 'empty error' },
        `${what} could not be loaded (HTTP ${res.status || 'network error'}).`,
      );
}

/** The message a section shows when it has nothing. @param {string} text */
export function empty(text) {
  return h('p', { class: 'empty' }, text);
}

/** A big number with a label; it links to what produced it. */
export function kpi(label, value, href, title) {
  const internal = typeof href === 'string' && (href.startsWith('/') || href.startsWith('#'));
  const v = !href
    ? h('span', { title }, value)
    : internal
      ? h('a', { href, title }, value)
      : outLink(href, value, { title });
  return h(
    'div',
    { class: 'kpi' },
    h('div', { class: 'kpi-value' }, v),
    h('div', { class: 'kpi-label' }, label),
  );
}

/** A table from rows of cells (nodes or text). */
export function table(headers, rows, cls = '') {
  return h(
    'table',
    { class: `data ${cls}` },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        headers.map((x) => h('th', null, x)),
      ),
    ),
    h(
      'tbody',
      null,
      rows.map((r) =>
        h(
          'tr',
          null,
          r.map((c) => h('td', null, c)),
        ),
      ),
    ),
  );
}

/** `items` of a `{ items }` answer, or [] when the call failed. */
export function itemsOf(res) {
  return res?.ok && Array.isArray(res.data?.items) ? res.data.items : [];
}

/**
 * The filter bar: a plain GET form, so the filters live in the query string and survive reload and sharing.
 * @param {{ since: string, until: string, competitor: string, category: string, source: string }} f
 * @param {{ competitors: { key: string, name: string }[], categories: string[], sources: string[], fixed?: string[] }} opts
 */
export function filterForm(f, opts) {
  const fixed = new Set(opts.fixed ?? []);
  const field = (label, input) => h('label', null, h('span', null, label), input);
  const datalist = (id, values) =>
    h(
      'datalist',
      { id },
      values.map((v) => h('option', { value: v })),
    );
  const form = h('form', { class: 'filters', method: 'get', role: 'search' });
  append(form, [
    field('From', h('input', { type: 'date', name: 'since', value: f.since })),
    field('To', h('input', { type: 'date', name: 'until', value: f.until })),
    fixed.has('competitor')
      ? null
      : field(
          'Competitor',
          h(
            'select',
            { name: 'competitor' },
            h('option', { value: '' }, 'All competitors'),
            opts.competitors.map((c) =>
              h(
                'option',
                { value: c.key, selected: c.key === f.competitor || c.name === f.competitor },
                c.name,
              ),
            ),
            f.competitor && !opts.competitors.some((c) => c.key === f.competitor || c.name === f.competitor)
              ? h('option', { value: f.competitor, selected: true }, f.competitor)
              : null,
          ),
        ),
    field(
      'Category',
      h('input', {
        type: 'text',
        name: 'category',
        value: f.category,
        list: 'categories',
        placeholder: 'any',
      }),
    ),
    datalist('categories', opts.categories),
    field(
      'Source',
      h('input', { type: 'text', name: 'source', value: f.source, list: 'sources', placeholder: 'any' }),
    ),
    datalist('sources', opts.sources),
    h('button', { type: 'submit' }, 'Apply'),
    h('a', { href: location.pathname, class: 'reset' }, 'Reset'),
  ]);
  return form;
}

/** One line saying which filters are applied, so a screenshot or printout says what it shows. */
export function filterSummary(f, names = {}) {
  const parts = [];
  if (f.competitor) parts.push(`competitor ${names[f.competitor] ?? f.competitor}`);
  if (f.category) parts.push(`category ${f.category}`);
  if (f.source) parts.push(`source ${f.source}`);
  if (f.since || f.until) parts.push(`${f.since || 'start'} → ${f.until || 'now'}`);
  return h(
    'p',
    { class: 'filter-summary', 'data-testid': 'filter-summary' },
    parts.length ? `Filtered: ${parts.join(' · ')}` : 'All competitors, all time',
  );
}

/**
 * Competitors for menus and names: from /api/competitors when it exists, else the ones seen in price changes.
 * @returns {Promise<{ key: string, name: string }[]>}
 */
export async function loadCompetitors(priceItems = []) {
  const res = await api('/api/competitors');
  const listed = itemsOf(res).map((c) => ({ key: String(c.key), name: String(c.name ?? c.key) }));
  if (listed.length) return listed;
  const names = [...new Set(priceItems.map((p) => p.competitor).filter(Boolean))].sort();
  return names.map((n) => ({ key: n, name: n }));
}

/** Distinct non-empty values, sorted. */
export function distinct(values) {
  return [...new Set(values.filter((v) => v !== null && v !== undefined && v !== ''))].map(String).sort();
}

/** The page's root, emptied of its loading message. */
export function pageRoot() {
  const root = document.getElementById('app');
  root.replaceChildren();
  return root;
}
