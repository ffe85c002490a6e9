/**
 * `/trends/:term` — one emerging term: mentions per day with the forecast and its band, sentiment per day,
 * the detector's evidence (count, baseline, authors, sources) and the mentions themselves, linked to their sources.
 */
import { timeChart } from '../charts.js';
import {
  api,
  apiWindow,
  empty,
  epochSeconds,
  filterForm,
  filterSummary,
  fmtSentiment,
  fmtTime,
  h,
  itemsOf,
  kpi,
  loadCompetitors,
  pageRoot,
  readFilters,
  section,
  unavailable,
} from '../lib.js';
import { mentionList } from '../widgets.js';

const f = readFilters(location.search);
const win = apiWindow(f);
const root = pageRoot();
let term = '';
try {
  term = decodeURIComponent(location.pathname.split('/')[2] ?? '');
} catch {
  term = location.pathname.split('/')[2] ?? '';
}

const [trends, series, competitors] = await Promise.all([
  api('/api/trends', { limit: 200, since: f.since }),
  api(`/api/trends/${encodeURIComponent(term)}/series`, { bucket: 'day' }),
  loadCompetitors(),
]);
const trend = itemsOf(trends).find((t) => t.term === term) ?? null;
const display = (series.ok && series.data.display) || trend?.display || term;

root.appendChild(h('h1', null, 'Trend: ', h('span', { class: 'term' }, display)));
root.appendChild(filterForm(f, { competitors, categories: [], sources: [] }));
root.appendChild(filterSummary(f));

if (trend) {
  root.appendChild(
    h(
      'div',
      { class: 'kpis', 'data-testid': 'kpis' },
      kpi(
        'growth',
        `×${Number(trend.growth).toFixed(1)}`,
        '#series',
        `${trend.count} vs baseline ${trend.baseline}`,
      ),
      kpi('mentions', String(trend.count), '#mentions'),
      kpi('baseline', Number(trend.baseline).toFixed(1), '#series'),
      kpi('authors', String(trend.distinctAuthors), '#mentions'),
      kpi('sources', String(trend.distinctSources), '#mentions'),
      kpi('sentiment', fmtSentiment(trend.sentiment), '#sentiment'),
    ),
  );
  root.appendChild(
    h(
      'p',
      { class: 'note' },
      `First seen ${fmtTime(trend.firstSeen)}; detected ${fmtTime(trend.detectedAt)}; score ${Number(trend.score).toFixed(1)}.`,
    ),
  );
}

const grid = h('div', { class: 'grid' });
root.appendChild(grid);

const points = series.ok ? (series.data.points ?? []) : [];
const forecast = series.ok ? (series.data.forecast ?? []) : [];

{
  const body = section(
    grid,
    'series',
    'Mentions per day and forecast',
    'The shaded band is the forecast range; the dashed line its central estimate.',
    'wide',
  );
  if (!series.ok)
    body.appendChild(
      series.status === 404 ? empty('No series for this term.') : unavailable(series, 'The series'),
    );
  else if (!points.length && !forecast.length) body.appendChild(empty('No mentions of this term yet.'));
  else {
    const byT = new Map();
    const row = (t) => {
      const k = epochSeconds(t);
      if (!byT.has(k)) byT.set(k, { count: null, point: null, lower: null, upper: null });
      return byT.get(k);
    };
    for (const p of points) row(p.t).count = p.count;
    for (const p of forecast) Object.assign(row(p.t), { point: p.point, lower: p.lower, upper: p.upper });
    // The forecast line starts at the last observed count, so it reads as a continuation.
    const last = points[points.length - 1];
    if (last && forecast.length)
      Object.assign(row(last.t), { point: last.count, lower: last.count, upper: last.count });
    const xs = [...byT.keys()].sort((a, b) => a - b);
    const col = (k) => xs.map((x) => byT.get(x)[k]);
    const chart = h('div', {
      'data-testid': 'forecast-chart',
      dataset: { forecastPoints: String(forecast.length) },
    });
    body.appendChild(chart);
    timeChart(chart, {
      x: xs,
      series: [
        { label: 'mentions', values: col('count'), color: '#2563eb', points: true },
        { label: 'forecast', values: col('point'), color: '#7c3aed', dash: [6, 4] },
        { label: 'upper', values: col('upper'), color: '#c4b5fd', width: 1 },
        { label: 'lower', values: col('lower'), color: '#c4b5fd', width: 1 },
      ],
      bands: [[3, 4, 'rgba(124, 58, 237, 0.15)']],
      height: 260,
      yLabel: 'mentions',
      title: `mentions of ${display} per day, with forecast`,
    });
  }
}

{
  const body = section(grid, 'sentiment', 'Sentiment per day');
  const pts = points.filter((p) => p.sentiment !== null && p.sentiment !== undefined);
  if (!pts.length) body.appendChild(empty('No sentiment for this term yet.'));
  else {
    const chart = h('div', { 'data-testid': 'trend-sentiment-chart' });
    body.appendChild(chart);
    timeChart(chart, {
      x: pts.map((p) => epochSeconds(p.t)),
      series: [
        { label: 'mean sentiment', values: pts.map((p) => p.sentiment), color: '#16a34a', points: true },
      ],
      yLabel: 'sentiment',
      title: `sentiment of mentions of ${display}`,
    });
  }
}

{
  const body = section(grid, 'mentions', 'Evidence: the mentions');
  const res = await api('/api/mentions', {
    q: display,
    since: win.since,
    until: win.until,
    source: f.source,
    entity: f.competitor,
    limit: 25,
  });
  if (!res.ok) body.appendChild(unavailable(res, 'Mentions'));
  else {
    const items = itemsOf(res);
    const samples = new Set((trend?.sampleMentionIds ?? []).map(String));
    items.sort((a, b) => Number(samples.has(String(b.id))) - Number(samples.has(String(a.id))));
    body.appendChild(mentionList(items));
  }
}

document.title = `${display} · Trend · Market Radar`;
document.body.dataset.ready = 'true';
