/**
 * `/report/weekly?week=YYYY-Www` — one printable page for an ISO week (UTC): headline numbers, the largest
 * price changes, alerts, trends, sentiment per competitor, launches and promotions started that week.
 */
import { alignSeries, colorFor, timeChart } from '../charts.js';
import {
  api,
  empty,
  epochSeconds,
  fmtPct,
  fmtSentiment,
  fmtTime,
  h,
  isoWeekOf,
  itemsOf,
  kpi,
  loadCompetitors,
  outLink,
  pageLink,
  pageRoot,
  readFilters,
  section,
  table,
  unavailable,
  weekRange,
} from '../lib.js';
import { launchList, priceChangeTable, promotionList } from '../widgets.js';

const params = new URLSearchParams(location.search);
const f = readFilters(location.search);
const week = weekRange(params.get('week') ?? '') ? params.get('week') : isoWeekOf(new Date());
const { start, end } = weekRange(week);
const since = start.toISOString();
const until = end.toISOString();
const root = pageRoot();
const inWeek = (t) => {
  const ms = Date.parse(t);
  return ms >= start.getTime() && ms < end.getTime();
};
const shift = (weeks) => isoWeekOf(new Date(start.getTime() + weeks * 7 * 86_400_000 + 3 * 86_400_000));
const weekHref = (w) =>
  `/report/weekly?week=${w}${f.competitor ? `&competitor=${encodeURIComponent(f.competitor)}` : ''}`;

const [prices, alerts, trends, sentiment, launches, promotions] = await Promise.all([
  api('/api/price-changes', { since, until, competitor: f.competitor, category: f.category, limit: 1000 }),
  api('/api/alerts', { since, limit: 1000 }),
  api('/api/trends', { since: since.slice(0, 10), limit: 50 }),
  api('/api/sentiment', { bucket: 'day', since, until, entity: f.competitor }),
  api('/api/launches', { since, competitor: f.competitor }),
  api('/api/promotions', { since, competitor: f.competitor }),
]);
const priceItems = itemsOf(prices);
const competitors = await loadCompetitors(priceItems);
const keyOfName = Object.fromEntries(competitors.map((c) => [c.name, c.key]));
const competitorPath = (n) => `/competitors/${encodeURIComponent(keyOfName[n] ?? n)}`;
const alertItems = itemsOf(alerts).filter((a) => inWeek(a.createdAt));
const trendItems = itemsOf(trends).filter((t) => inWeek(t.detectedAt));
const launchItems = itemsOf(launches).filter((l) => inWeek(l.launchedAt));
const promoItems = itemsOf(promotions).filter((p) => inWeek(p.startedAt));
const drops = priceItems.filter((p) => p.pct < 0);
const deepest = [...drops].sort((a, b) => a.pct - b.pct)[0];

root.appendChild(
  h(
    'div',
    { class: 'week-nav no-print' },
    pageLink(weekHref(shift(-1)), '← previous week'),
    h(
      'form',
      { method: 'get', class: 'inline' },
      h('input', { type: 'week', name: 'week', value: week, 'aria-label': 'week' }),
      f.competitor ? h('input', { type: 'hidden', name: 'competitor', value: f.competitor }) : null,
      h('button', { type: 'submit' }, 'Show'),
    ),
    pageLink(weekHref(shift(1)), 'next week →'),
    h('button', { type: 'button', id: 'print' }, 'Print / Save as PDF'),
  ),
);
root.appendChild(h('h1', { 'data-testid': 'report-title' }, `Weekly market report · ${week}`));
root.appendChild(
  h(
    'p',
    { class: 'filter-summary' },
    `${fmtTime(start).slice(0, 10)} to ${fmtTime(new Date(end.getTime() - 1)).slice(0, 10)} (UTC)`,
    f.competitor ? ` · competitor ${f.competitor}` : '',
    f.category ? ` · category ${f.category}` : '',
    ` · generated ${fmtTime(new Date())}`,
  ),
);
root.appendChild(
  h(
    'div',
    { class: 'kpis', 'data-testid': 'kpis' },
    kpi('price changes', String(priceItems.length), '#prices'),
    kpi('price cuts', String(drops.length), '#prices'),
    kpi(
      'deepest cut',
      deepest ? fmtPct(deepest.pct) : '–',
      deepest?.url ?? '#prices',
      deepest ? `${deepest.competitor}: ${deepest.product}` : undefined,
    ),
    kpi('alerts', String(alertItems.length), '#alerts'),
    kpi('new trends', trends.ok ? String(trendItems.length) : '–', '#trends'),
    kpi('launches', launches.ok ? String(launchItems.length) : '–', '#launches'),
    kpi('promotions started', promotions.ok ? String(promoItems.length) : '–', '#promotions'),
  ),
);

const grid = h('div', { class: 'grid' });
root.appendChild(grid);

{
  const body = section(
    grid,
    'prices',
    'Largest price changes',
    'The % links to the page the price was read from.',
    'wide',
  );
  if (!priceItems.length)
    body.appendChild(prices.ok ? empty('No price changes this week.') : unavailable(prices, 'Price changes'));
  else {
    const byCompetitor = new Map();
    for (const p of priceItems) {
      const k = p.competitor ?? 'unknown';
      if (!byCompetitor.has(k)) byCompetitor.set(k, []);
      byCompetitor.get(k).push([epochSeconds(p.occurredAt), p.pct]);
    }
    const chart = h('div', { 'data-testid': 'price-chart' });
    body.appendChild(chart);
    const aligned = alignSeries([...byCompetitor].map(([label, points]) => ({ label, points })));
    timeChart(chart, {
      x: aligned.x,
      series: aligned.series.map((s, i) => ({ ...s, color: colorFor(i), line: false, points: true })),
      yLabel: 'change %',
      height: 180,
      title: `price changes in ${week}`,
    });
    const largest = [...priceItems].sort((a, b) => Math.abs(b.pct ?? 0) - Math.abs(a.pct ?? 0)).slice(0, 20);
    body.appendChild(priceChangeTable(largest, { competitorPath }));
    if (prices.data.nextCursor)
      body.appendChild(
        h(
          'p',
          { class: 'note' },
          'More than 1,000 changes this week: the largest of the newest 1,000 are shown.',
        ),
      );
  }
}

{
  const body = section(grid, 'alerts', 'Alerts');
  if (!alertItems.length)
    body.appendChild(alerts.ok ? empty('No alerts this week.') : unavailable(alerts, 'Alerts'));
  else {
    const byRule = new Map();
    for (const a of alertItems) byRule.set(a.ruleName, (byRule.get(a.ruleName) ?? 0) + 1);
    body.appendChild(h('p', { class: 'note' }, [...byRule].map(([rule, n]) => `${rule}: ${n}`).join(' · ')));
    body.appendChild(
      table(
        ['When', 'Severity', 'Alert'],
        alertItems
          .slice(0, 15)
          .map((a) => [
            fmtTime(a.createdAt),
            a.severity,
            [outLink(a.payload?.url, a.title), h('div', { class: 'meta' }, a.body)],
          ]),
        'alerts',
      ),
    );
  }
  if (alertItems.length > 15)
    body.appendChild(h('p', { class: 'note' }, `and ${alertItems.length - 15} more`));
}

{
  const body = section(grid, 'trends', 'Trends detected');
  if (!trends.ok) body.appendChild(unavailable(trends, 'Trend detection'));
  else if (!trendItems.length) body.appendChild(empty('No new trends this week.'));
  else
    body.appendChild(
      table(
        ['Term', 'Growth', 'Mentions', 'Sentiment'],
        trendItems.map((t) => {
          const path = `/trends/${encodeURIComponent(t.term)}`;
          return [
            pageLink(path, t.display ?? t.term),
            pageLink(path, `×${Number(t.growth).toFixed(1)}`),
            pageLink(`${path}#mentions`, String(t.count)),
            fmtSentiment(t.sentiment),
          ];
        }),
        'trends',
      ),
    );
}

{
  const body = section(grid, 'sentiment', 'Sentiment per competitor');
  const series = sentiment.ok ? (sentiment.data.series ?? []) : [];
  if (!sentiment.ok) body.appendChild(unavailable(sentiment, 'Sentiment'));
  else if (!series.some((s) => s.points?.length)) body.appendChild(empty('No scored mentions this week.'));
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
      series: aligned.series,
      height: 180,
      yLabel: 'mean sentiment',
      title: 'sentiment per competitor',
    });
    body.appendChild(
      table(
        ['Competitor', 'Mentions', 'Mean sentiment'],
        series.map((s) => {
          const n = s.points.reduce((a, p) => a + (p.count ?? 0), 0);
          const mean = n ? s.points.reduce((a, p) => a + (p.mean ?? 0) * (p.count ?? 0), 0) / n : null;
          return [s.name ?? s.entity, String(n), fmtSentiment(mean)];
        }),
      ),
    );
  }
}

{
  const body = section(grid, 'launches', 'Launches');
  if (!launches.ok) body.appendChild(unavailable(launches, 'Launch tracking'));
  else if (!launchItems.length) body.appendChild(empty('No launches this week.'));
  else await launchList(body, launchItems.slice(0, 10), { competitorPath });
}

{
  const body = section(grid, 'promotions', 'Promotions started');
  if (!promotions.ok) body.appendChild(unavailable(promotions, 'Promotion tracking'));
  else if (!promoItems.length) body.appendChild(empty('No promotions started this week.'));
  else {
    body.appendChild(promotionList(promoItems.slice(0, 15), { competitorPath }));
    if (promoItems.length > 15)
      body.appendChild(h('p', { class: 'note' }, `and ${promoItems.length - 15} more`));
  }
}

document.getElementById('print')?.addEventListener('click', () => window.print());
document.title = `Weekly report ${week} · Market Radar`;
document.body.dataset.ready = 'true';
