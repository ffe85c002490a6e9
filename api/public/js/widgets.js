/** Lists and tables more than one page shows. All text goes through `h()`; all URLs through `outLink`. */
import { colorFor, timeChart } from './charts.js';
import {
  api,
  empty,
  epochSeconds,
  fmtMoney,
  fmtPct,
  fmtSentiment,
  fmtTime,
  h,
  outLink,
  pageLink,
  table,
} from './lib.js';

/**
 * Price changes as a table. The % links to the page the new price was read from, titled with how it was
 * extracted; the product links to the same evidence.
 */
export function priceChangeTable(items, { competitorPath, showCompetitor = true } = {}) {
  const rows = items.map((p) => [
    fmtTime(p.occurredAt),
    ...(showCompetitor
      ? [
          p.competitor && competitorPath
            ? pageLink(competitorPath(p.competitor), p.competitor)
            : (p.competitor ?? '–'),
        ]
      : []),
    outLink(p.url, p.product ?? `product ${p.productId}`),
    p.category ?? '–',
    h('span', { class: 'num' }, `${fmtMoney(p.oldPrice, p.currency)} → ${fmtMoney(p.newPrice, p.currency)}`),
    [
      h(
        'span',
        { class: `num ${p.pct < 0 ? 'down' : 'up'}` },
        outLink(p.url, fmtPct(p.pct), {
          title: `read by ${p.source ?? 'unknown'}${p.reason ? `: ${p.reason}` : ''}`,
          class: 'evidence',
          'data-event-id': p.eventId,
        }),
      ),
      p.newLow30 ? h('span', { class: 'badge low' }, '30-day low') : null,
      p.newHigh30 ? h('span', { class: 'badge high' }, '30-day high') : null,
    ],
  ]);
  return h(
    'div',
    { class: 'scroll' },
    table(
      ['When (UTC)', ...(showCompetitor ? ['Competitor'] : []), 'Product', 'Category', 'Price', 'Change'],
      rows,
      'price-changes',
    ),
  );
}

/** Promotions, newest first, with their code and discount. */
export function promotionList(items, { competitorPath } = {}) {
  return table(
    ['Since', 'Competitor', 'Promotion', 'Code', 'Off', 'Product'],
    items.map((p) => [
      fmtTime(p.startedAt),
      p.competitor && competitorPath
        ? pageLink(competitorPath(p.competitor), p.competitor)
        : (p.competitor ?? '–'),
      outLink(p.url, p.text ?? p.kind ?? 'promotion'),
      p.code ? h('code', null, p.code) : '–',
      p.percentOff !== null && p.percentOff !== undefined ? outLink(p.url, `${p.percentOff}%`) : '–',
      p.product ?? '–',
    ]),
    'promotions',
  );
}

/**
 * Launches, each with its reception: mentions and sentiment before and after, and mentions per day.
 * Fetches `/api/launches/:id/reception` per launch; a missing reception shows as "–".
 */
export async function launchList(body, items, { competitorPath } = {}) {
  const receptions = await Promise.all(
    items.map((l) => api(`/api/launches/${encodeURIComponent(l.eventId)}/reception`)),
  );
  const list = h('ul', { class: 'launch-list', 'data-testid': 'launches' });
  body.appendChild(list);
  items.forEach((l, i) => {
    const r = receptions[i].ok ? receptions[i].data : null;
    const spark = h('div', { class: 'spark' });
    list.appendChild(
      h(
        'li',
        null,
        h('div', null, outLink(l.url, l.product ?? `product ${l.productId}`, { class: 'launch-product' })),
        h(
          'div',
          { class: 'meta' },
          l.competitor && competitorPath
            ? pageLink(competitorPath(l.competitor), l.competitor)
            : (l.competitor ?? ''),
          ` · launched ${fmtTime(l.launchedAt)} at ${fmtMoney(l.price, l.currency)}`,
        ),
        r
          ? h(
              'div',
              { class: 'reception' },
              `Mentions ${r.before?.mentions ?? 0} → ${r.after?.mentions ?? 0}; sentiment ${fmtSentiment(r.before?.sentiment)} → ${fmtSentiment(r.after?.sentiment)}`,
            )
          : h('div', { class: 'reception meta' }, 'Reception not measured yet.'),
        spark,
      ),
    );
    const days = r?.days ?? [];
    if (days.length)
      timeChart(spark, {
        spark: true,
        x: days.map((d) => epochSeconds(d.day)),
        series: [{ label: 'mentions', values: days.map((d) => d.mentions), color: colorFor(1) }],
        title: 'mentions per day around the launch',
      });
  });
}

/** Mentions as evidence: title (linked to the source), excerpt, author, source, sentiment and aspects. */
export function mentionList(items) {
  if (!items.length) return empty('No mentions found.');
  return h(
    'ul',
    { class: 'mentions', 'data-testid': 'mentions' },
    items.map((m) =>
      h(
        'li',
        { class: `mention s-${String(m.sentimentLabel ?? 'neutral').replace(/[^a-z]/gi, '')}` },
        m.title ? h('div', null, outLink(m.url, m.title, { class: 'mention-title' })) : null,
        m.text || !m.title
          ? h('p', { class: 'excerpt' }, outLink(m.url, String(m.text || m.url || 'mention').slice(0, 280)))
          : null,
        h(
          'div',
          { class: 'meta' },
          `${m.source ?? ''}${m.author ? ` · ${m.author}` : ''} · ${fmtTime(m.publishedAt)} · sentiment ${fmtSentiment(m.sentiment)}`,
          (m.aspects ?? []).length
            ? ` · ${(m.aspects ?? []).map((a) => `${a.aspect} ${fmtSentiment(a.score)}`).join(', ')}`
            : '',
        ),
      ),
    ),
  );
}
