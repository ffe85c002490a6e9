/**
 * `/` — the Monday-morning overview: headline numbers, alerts, emerging trends, sentiment per competitor,
 * price changes (largest first), active promotions and launches with their reception. Every number links to
 * the page, list or crawled URL that produced it.
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
  fmtSentiment,
  fmtTime,
  h,
  itemsOf,
  kpi,
  loadCompetitors,
  outLink,
  pageLink,
  pageRoot,
  readFilters,
  section,
  unavailable,
} from '../lib.js';
import { launchList, priceChangeTable, promotionList } from '../widgets.js';

const f = readFilters(location.search);
const win = apiWindow(f);
const root = pageRoot();

const [prices, alerts, trends, sentiment, promotions, launches, mentionsProbe] = await Promise.all([
  api('/api/price-changes', {
    competitor: f.competitor,
    category: f.category,
    since: win.since,
    until: win.until,
    limit: 500,
  }),
  api('/api/alerts', { limit: 100, since: win.since }),
  api('/api/trends', { since: f.since, limit: 8 }),
  api('/api/sentiment', { bucket: 'day', since: win.since, until: win.until, entity: f.competitor }),
  api('/api/promotions', { competitor: f.competitor, active: true, since: win.since }),
  api('/api/launches', { competitor: f.competitor, since: win.since }),
  api('/api/mentions', { limit: 200, since: win.since, until: win.until }),
]);
const entities = await api('/api/entities');
const priceItems = itemsOf(prices);
const competitors = await loadCompetitors(priceItems);
const nameOf = Object.fromEntries(competitors.map((c) => [c.key, c.name]));
const keyOfName = Object.fromEntries(competitors.map((c) => [c.name, c.key]));
const competitorPath = (name) => `/competitors/${encodeURIComponent(keyOfName[name] ?? name)}`;

root.appendChild(h('h1', null, 'Market overview'));
root.appendChild(
  filterForm(f, {
    competitors,
    categories: distinct(priceItems.map((p) => p.category)),
    sources: distinct(itemsOf(mentionsProbe).map((m) => m.source)),
  }),
);
root.appendChild(filterSummary(f, nameOf));

// Alerts: the API filters by time; competitor and (until) are applied here, on the payload the rule stored.
const untilMs = win.until ? Date.parse(win.until) : Number.POSITIVE_INFINITY;
const alertItems = itemsOf(alerts).filter(
  (a) =>
    Date.parse(a.createdAt) < untilMs &&
    (!f.competitor ||
      [f.competitor, nameOf[f.competitor]].includes(a.payload?.competitor ?? a.payload?.competitorKey)),
);
const trendItems = itemsOf(trends);
const promoItems = itemsOf(promotions);
const launchItems = itemsOf(launches);
const drops = priceItems.filter((p) => p.pct < 0).length;

root.appendChild(
  h(
    'div',
    { class: 'kpis', 'data-testid': 'kpis' },
    kpi(
      'price changes',
      String(priceItems.length),
      '#prices',
      `${drops} cuts, ${priceItems.length - drops} rises`,
    ),
    kpi('price cuts', String(drops), '#prices'),
    kpi('open alerts', String(alertItems.filter((a) => !a.ackedAt).length), '#alerts'),
    kpi('emerging trends', trends.ok ? String(trendItems.length) : '–', '#trends'),
    kpi('active promotions', promotions.ok ? String(promoItems.length) : '–', '#promotions'),
    kpi('launches', launches.ok ? String(launchItems.length) : '–', '#launches'),
  ),
);

const grid = h('div', { class: 'grid' });
root.appendChild(grid);

// Alerts feed
{
  const body = section(grid, 'alerts', 'Alerts');
  if (!alertItems.length)
    body.appendChild(alerts.ok ? empty('No alerts in this range.') : unavailable(alerts, 'Alerts'));
  else
    body.appendChild(
      h(
        'ul',
        { class: 'feed', 'data-testid': 'alerts' },
        alertItems
          .slice(0, 8)
          .map((a) =>
            h(
              'li',
              { class: `alert sev-${String(a.severity).replace(/[^a-z]/gi, '')}` },
              h('span', { class: 'badge' }, a.severity),
              ' ',
              outLink(a.payload?.url, a.title, { class: 'alert-title' }),
              h('div', { class: 'alert-body' }, a.body),
              h(
                'div',
                { class: 'meta' },
                `${fmtTime(a.createdAt)} · ${a.ruleName}${a.ackedAt ? ' · acknowledged' : ''}`,
              ),
            ),
          ),
      ),
    );
}

// Emerging trends with sparklines
{
  const body = section(grid, 'trends', 'Emerging trends');
  if (!trends.ok) body.appendChild(unavailable(trends, 'Trend detection'));
  else if (!trendItems.length) body.appendChild(empty('No emerging trends in this range.'));
  else {
    const list = h('ul', { class: 'trend-list', 'data-testid': 'trends' });
    body.appendChild(list);
    const series = await Promise.all(
      trendItems.map((t) => api(`/api/trends/${encodeURIComponent(t.term)}/series`, { bucket: 'day' })),
    );
    trendItems.forEach((t, i) => {
      const path = `/trends/${encodeURIComponent(t.term)}${filterQuery(f)}`;
      const spark = h('div', { class: 'spark' });
      list.appendChild(
        h(
          'li',
          null,
          pageLink(path, t.display ?? t.term, { class: 'trend-term' }),
          spark,
          h(
            'span',
            { class: 'trend-growth' },
            pageLink(path, `×${Number(t.growth).toFixed(1)}`, {
              title: `${t.count} mentions vs a baseline of ${Number(t.baseline).toFixed(1)}`,
            }),
          ),
          h('span', { class: 'meta' }, pageLink(`${path}#mentions`, `${t.count} mentions`)),
        ),
      );
      const pts = series[i].ok ? (series[i].data.points ?? []) : [];
      timeChart(spark, {
        spark: true,
        x: pts.map((p) => epochSeconds(p.t)),
        series: [
          { label: 'mentions', values: pts.map((p) => p.count), color: colorFor(0), fill: '#2563eb22' },
        ],
        title: `mentions of ${t.display ?? t.term} per day`,
      });
    });
  }
}

// Sentiment per competitor over time
{
  const body = section(grid, 'sentiment', 'Sentiment per competitor');
  // Competitors and our own brands; products have their own pages of mentions.
  const kinds = Object.fromEntries(itemsOf(entities).map((e) => [e.key, e.kind]));
  const series = (sentiment.ok ? (sentiment.data.series ?? []) : []).filter(
    (s) => !kinds[s.entity] || kinds[s.entity] === 'competitor' || kinds[s.entity] === 'brand',
  );
  const isCompetitor = (key) => competitors.some((c) => c.key === key);
  if (!sentiment.ok) body.appendChild(unavailable(sentiment, 'Sentiment'));
  else if (!series.some((s) => s.points?.length))
    body.appendChild(empty('No scored mentions in this range.'));
  else {
    const chart = h('div', { 'data-testid': 'sentiment-chart' });
    body.appendChild(chart);
    const aligned = alignSeries(
      series.map((s) => ({
        label: s.name ?? s.entity,
        points: s.points.map((p) => [epochSeconds(p.t), p.mean]),
      })),
    );
    timeChart(chart, {
      x: aligned.x,
      series: aligned.series.map((s, i) => ({ ...s, color: colorFor(i) })),
      yLabel: 'mean sentiment',
      title: 'mean sentiment per competitor per day',
    });
    body.appendChild(
      h(
        'ul',
        { class: 'inline-list' },
        series.map((s) => {
          const n = s.points.reduce((a, p) => a + (p.count ?? 0), 0);
          const mean = n ? s.points.reduce((a, p) => a + (p.mean ?? 0) * (p.count ?? 0), 0) / n : null;
          // Sentiment entities are keyed like competitors; our own brand has no competitor page.
          const path = `/competitors/${encodeURIComponent(s.entity)}${filterQuery(f, { competitor: '' })}`;
          const name = s.name ?? s.entity;
          return h(
            'li',
            null,
            isCompetitor(s.entity) ? pageLink(`${path}#voice`, name) : h('strong', null, name),
            ` ${fmtSentiment(mean)} over `,
            isCompetitor(s.entity) ? pageLink(`${path}#mentions`, `${n} mentions`) : `${n} mentions`,
          );
        }),
      ),
    );
  }
}

// Price changes: chart over time (each dot is one change) and the largest first
{
  const body = section(
    grid,
    'prices',
    'Price changes',
    'Each dot is one price change; the table lists the largest first. The % links to the page the price was read from.',
    'wide',
  );
  if (!priceItems.length)
    body.appendChild(
      prices.ok ? empty('No price changes in this range.') : unavailable(prices, 'Price changes'),
    );
  else {
    const chart = h('div', { 'data-testid': 'price-chart' });
    body.appendChild(chart);
    const byCompetitor = new Map();
    for (const p of priceItems) {
      const k = p.competitor ?? 'unknown';
      if (!byCompetitor.has(k)) byCompetitor.set(k, []);
      byCompetitor.get(k).push([epochSeconds(p.occurredAt), p.pct]);
    }
    const aligned = alignSeries([...byCompetitor].map(([label, points]) => ({ label, points })));
    timeChart(chart, {
      x: aligned.x,
      series: aligned.series.map((s, i) => ({ ...s, color: colorFor(i), line: false, points: true })),
      yLabel: 'change %',
      title: 'price changes over time, % per change',
    });
    const largest = [...priceItems].sort((a, b) => Math.abs(b.pct ?? 0) - Math.abs(a.pct ?? 0)).slice(0, 15);
    body.appendChild(
      priceChangeTable(largest, {
        competitorPath: (n) => `${competitorPath(n)}${filterQuery(f, { competitor: '' })}`,
      }),
    );
    if (prices.data.nextCursor)
      body.appendChild(
        h('p', { class: 'note' }, 'Showing the newest 500 changes; narrow the dates to see older ones.'),
      );
  }
}

// Active promotions
{
  const body = section(grid, 'promotions', 'Active promotions');
  if (!promotions.ok) body.appendChild(unavailable(promotions, 'Promotion tracking'));
  else if (!promoItems.length) body.appendChild(empty('No active promotions.'));
  else {
    body.appendChild(promotionList(promoItems.slice(0, 12), { competitorPath }));
    if (promoItems.length > 12)
      body.appendChild(h('p', { class: 'note' }, `and ${promoItems.length - 12} more`));
  }
}

// Launches with their reception
{
  const body = section(grid, 'launches', 'Launches and their reception');
  if (!launches.ok) body.appendChild(unavailable(launches, 'Launch tracking'));
  else if (!launchItems.length) body.appendChild(empty('No launches in this range.'));
  else await launchList(body, launchItems.slice(0, 6), { competitorPath });
}

document.title = `${f.competitor ? `${nameOf[f.competitor] ?? f.competitor} · ` : ''}Market overview · Market Radar`;
document.body.dataset.ready = 'true';
