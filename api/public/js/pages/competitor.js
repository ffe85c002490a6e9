/**
 * `/competitors/:key` — one competitor: price changes over time, promotions timeline, stock-outs (from the
 * availability of the products it changed prices on), launches, share of voice and sentiment, aspects.
 */
import { alignSeries, colorFor, timeChart } from '../charts.js';
import {
  api,
  apiWindow,
  distinct,
  empty,
  epochSeconds,
  filterForm,
  filterQuery,
  filterSummary,
  fmtPct,
  fmtSentiment,
  fmtTime,
  h,
  itemsOf,
  kpi,
  loadCompetitors,
  outLink,
  pageRoot,
  readFilters,
  section,
  table,
  unavailable,
} from '../lib.js';
import { launchList, mentionList, priceChangeTable } from '../widgets.js';

const f = readFilters(location.search);
const win = apiWindow(f);
const root = pageRoot();
let key = '';
try {
  key = decodeURIComponent(location.pathname.split('/')[2] ?? '');
} catch {
  key = location.pathname.split('/')[2] ?? '';
}

const [prices, promotions, launches, sentimentAll, mentions] = await Promise.all([
  api('/api/price-changes', {
    competitor: key,
    category: f.category,
    since: win.since,
    until: win.until,
    limit: 500,
  }),
  api('/api/promotions', { competitor: key, since: win.since }),
  api('/api/launches', { competitor: key, since: win.since }),
  api('/api/sentiment', { bucket: 'day', since: win.since, until: win.until }),
  api('/api/mentions', { entity: key, source: f.source, since: win.since, until: win.until, limit: 200 }),
]);
const priceItems = itemsOf(prices);
const competitors = await loadCompetitors(priceItems);
const me = competitors.find((c) => c.key === key || c.name.toLowerCase() === key.toLowerCase());
const name = me?.name ?? priceItems[0]?.competitor ?? key;
const matches = (v) => v === key || v === me?.key || v === name;

root.appendChild(h('h1', null, name));
root.appendChild(
  filterForm(f, {
    competitors,
    categories: distinct(priceItems.map((p) => p.category)),
    sources: distinct(itemsOf(mentions).map((m) => m.source)),
    fixed: ['competitor'],
  }),
);
root.appendChild(filterSummary({ ...f, competitor: name }));

const promoItems = itemsOf(promotions);
const launchItems = itemsOf(launches);
const series = sentimentAll.ok ? (sentimentAll.data.series ?? []) : [];
const mine = series.find((s) => matches(s.entity) || matches(s.name));
const countOf = (s) => (s?.points ?? []).reduce((a, p) => a + (p.count ?? 0), 0);
const total = series.reduce((a, s) => a + countOf(s), 0);
const myCount = countOf(mine);
const share = total ? myCount / total : null;
const meanOf = (s) => {
  const n = countOf(s);
  return n ? s.points.reduce((a, p) => a + (p.mean ?? 0) * (p.count ?? 0), 0) / n : null;
};

root.appendChild(
  h(
    'div',
    { class: 'kpis', 'data-testid': 'kpis' },
    kpi('price changes', String(priceItems.length), '#prices'),
    kpi('price cuts', String(priceItems.filter((p) => p.pct < 0).length), '#prices'),
    kpi('promotions', promotions.ok ? String(promoItems.length) : '–', '#promotions'),
    kpi('launches', launches.ok ? String(launchItems.length) : '–', '#launches'),
    kpi(
      'share of voice',
      share === null ? '–' : fmtPct(share * 100).replace('+', ''),
      '#voice',
      `${myCount} of ${total} mentions`,
    ),
    kpi('sentiment', fmtSentiment(meanOf(mine)), '#voice'),
  ),
);

const grid = h('div', { class: 'grid' });
root.appendChild(grid);

{
  const body = section(
    grid,
    'prices',
    'Price changes over time',
    'Each dot is one change; the % links to the page it was read from.',
    'wide',
  );
  if (!priceItems.length)
    body.appendChild(
      prices.ok ? empty('No price changes in this range.') : unavailable(prices, 'Price changes'),
    );
  else {
    const chart = h('div', { 'data-testid': 'price-chart' });
    body.appendChild(chart);
    const byCategory = new Map();
    for (const p of priceItems) {
      const k = p.category ?? 'uncategorised';
      if (!byCategory.has(k)) byCategory.set(k, []);
      byCategory.get(k).push([epochSeconds(p.occurredAt), p.pct]);
    }
    const aligned = alignSeries([...byCategory].map(([label, points]) => ({ label, points })));
    timeChart(chart, {
      x: aligned.x,
      series: aligned.series.map((s, i) => ({ ...s, color: colorFor(i), line: false, points: true })),
      yLabel: 'change %',
      title: `price changes at ${name}`,
    });
    body.appendChild(priceChangeTable(priceItems.slice(0, 50), { showCompetitor: false }));
  }
}

{
  const body = section(grid, 'promotions', 'Promotions timeline');
  if (!promotions.ok) body.appendChild(unavailable(promotions, 'Promotion tracking'));
  else if (!promoItems.length) body.appendChild(empty('No promotions in this range.'));
  else {
    const now = Date.now();
    const spans = promoItems.map((p) => ({
      p,
      a: Date.parse(p.startedAt),
      b: p.endedAt ? Date.parse(p.endedAt) : now,
    }));
    const lo = Math.min(...spans.map((s) => s.a));
    const hi = Math.max(...spans.map((s) => s.b), lo + 1);
    const rows = spans
      .sort((x, y) => x.a - y.a)
      .map(({ p, a, b }) => {
        const bar = h('div', {
          class: 'timeline-bar',
          title: `${fmtTime(p.startedAt)} → ${p.endedAt ? fmtTime(p.endedAt) : 'now'}`,
        });
        bar.style.left = `${((a - lo) / (hi - lo)) * 100}%`;
        bar.style.width = `${((b - a) / (hi - lo)) * 100}%`;
        return h(
          'div',
          { class: 'timeline-row' },
          h(
            'div',
            null,
            outLink(p.url, p.text ?? p.kind ?? 'promotion'),
            p.code ? [' ', h('code', null, p.code)] : null,
            p.product ? h('div', { class: 'meta' }, p.product) : null,
          ),
          h('div', { class: 'timeline-track' }, bar),
        );
      });
    body.appendChild(h('div', { class: 'timeline', 'data-testid': 'promotions-timeline' }, rows));
    body.appendChild(h('p', { class: 'note' }, `${fmtTime(new Date(lo))} → ${fmtTime(new Date(hi))}`));
  }
}

{
  const body = section(
    grid,
    'stockouts',
    'Stock-outs',
    'From the observed availability of the products this competitor changed prices on.',
  );
  const productIds = [...new Set(priceItems.map((p) => p.productId))].slice(0, 20);
  const histories = await Promise.all(
    productIds.map((id) => api(`/api/products/${id}/prices`, { since: win.since, until: win.until })),
  );
  const outs = [];
  for (const res of histories) {
    if (!res.ok) continue;
    const { product, points } = res.data;
    let open = null;
    for (const pt of points) {
      const out = /out ?of ?stock|soldout|sold out|outofstock/i.test(pt.availability ?? '');
      if (out && !open) open = pt;
      if (!out && open) {
        outs.push({ product, from: open, to: pt });
        open = null;
      }
    }
    if (open) outs.push({ product, from: open, to: null });
  }
  if (!outs.length) body.appendChild(empty(`No stock-outs seen on ${productIds.length} tracked products.`));
  else
    body.appendChild(
      table(
        ['Product', 'Out of stock since', 'Back'],
        outs.map((o) => [
          outLink(o.from.url ?? o.product.url, o.product.name ?? o.product.url),
          fmtTime(o.from.observedAt),
          o.to ? fmtTime(o.to.observedAt) : 'still out',
        ]),
        'stockouts',
      ),
    );
}

{
  const body = section(grid, 'launches', 'Launches');
  if (!launches.ok) body.appendChild(unavailable(launches, 'Launch tracking'));
  else if (!launchItems.length) body.appendChild(empty('No launches in this range.'));
  else await launchList(body, launchItems.slice(0, 10), {});
}

{
  const body = section(grid, 'voice', 'Share of voice and sentiment');
  if (!sentimentAll.ok) body.appendChild(unavailable(sentimentAll, 'Sentiment'));
  else if (!total) body.appendChild(empty('No scored mentions in this range.'));
  else {
    const chart = h('div', { 'data-testid': 'voice-chart' });
    body.appendChild(chart);
    // Share of voice per day: this competitor's mentions over everyone's.
    const totals = new Map();
    for (const s of series)
      for (const p of s.points) totals.set(p.t, (totals.get(p.t) ?? 0) + (p.count ?? 0));
    const aligned = alignSeries([
      {
        label: 'share of voice %',
        points: (mine?.points ?? []).map((p) => [
          epochSeconds(p.t),
          totals.get(p.t) ? (100 * p.count) / totals.get(p.t) : null,
        ]),
      },
      { label: 'mean sentiment', points: (mine?.points ?? []).map((p) => [epochSeconds(p.t), p.mean]) },
    ]);
    timeChart(chart, {
      x: aligned.x,
      series: [
        { ...aligned.series[0], color: colorFor(0) },
        { ...aligned.series[1], color: colorFor(2), scale: 'y2' },
      ],
      yLabel: 'share of voice %',
      y2Label: 'sentiment',
      title: `share of voice and sentiment of ${name}`,
    });
    body.appendChild(
      table(
        ['Entity', 'Mentions', 'Share', 'Sentiment'],
        series
          .map((s) => [s, countOf(s)])
          .sort((a, b) => b[1] - a[1])
          .map(([s, n]) => [
            matches(s.entity) ? h('strong', null, s.name ?? s.entity) : (s.name ?? s.entity),
            String(n),
            fmtPct((100 * n) / total).replace('+', ''),
            fmtSentiment(meanOf(s)),
          ]),
      ),
    );
  }
}

{
  const body = section(
    grid,
    'aspects',
    'Aspects',
    'What people talk about when they mention this competitor, from the latest 200 mentions.',
  );
  const items = itemsOf(mentions);
  const agg = new Map();
  for (const m of items)
    for (const a of m.aspects ?? []) {
      const x = agg.get(a.aspect) ?? { n: 0, sum: 0, neg: 0, pos: 0 };
      x.n++;
      x.sum += Number(a.score) || 0;
      if (a.label === 'negative') x.neg++;
      if (a.label === 'positive') x.pos++;
      agg.set(a.aspect, x);
    }
  if (!mentions.ok) body.appendChild(unavailable(mentions, 'Mentions'));
  else if (!agg.size) body.appendChild(empty('No aspects in the mentions of this range.'));
  else
    body.appendChild(
      table(
        ['Aspect', 'Mentions', 'Mean', 'Positive', 'Negative'],
        [...agg]
          .sort((a, b) => b[1].n - a[1].n)
          .map(([aspect, x]) => [
            aspect,
            String(x.n),
            fmtSentiment(x.sum / x.n),
            String(x.pos),
            String(x.neg),
          ]),
        'aspects',
      ),
    );
}

{
  const body = section(grid, 'mentions', 'Recent mentions', null, 'wide');
  if (!mentions.ok) body.appendChild(unavailable(mentions, 'Mentions'));
  else body.appendChild(mentionList(itemsOf(mentions).slice(0, 20)));
}

root.appendChild(
  h(
    'p',
    { class: 'note' },
    h('a', { href: `/${filterQuery({ ...f, competitor: me?.key ?? key })}` }, `Overview filtered to ${name}`),
  ),
);
document.title = `${name} · Competitor · Market Radar`;
document.body.dataset.ready = 'true';
