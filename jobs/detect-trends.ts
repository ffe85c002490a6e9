import { Type } from '@sinclair/typebox';
import {
  addDays,
  collectTerms,
  dayOf,
  detectSentimentShift,
  type EmergingTrend,
  type MentionEvidence,
  resolveEmerging,
  resolveEmergingOptions,
  screenCandidates,
  type TermSeries,
  textContext,
  windowSpan,
} from '../analyzers/index.ts';
import {
  activeTermDays,
  type EventInput,
  insertEvents,
  insertTrends,
  listEntities,
  mentionsContaining,
  mentionTotals,
  reportedTerms,
  sentimentSeries,
  termFirstSeen,
} from '../db/index.ts';
import { defineJob, type JobContext, QUEUES } from './types.ts';

/** Most evidence mentions read for one pass. */
const MAX_EVIDENCE = 20_000;

/**
 * Emerging trends and sentiment shifts, from the rollups kept at ingest. Online: the pass for `day` reads only
 * mentions published up to now. Reports each term once (the `trends` primary key) and raises `trend_emerging`
 * and `sentiment_shift` events for the alert rules.
 */
export const detectTrends = defineJob({
  name: 'detect-trends',
  queue: QUEUES.analyze,
  schema: Type.Object(
    { day: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })) },
    { additionalProperties: false },
  ),
  async process({ day }, ctx) {
    const today = day ?? dayOf(new Date());
    const found = await findEmergingTrends(ctx, today);
    const shiftEvents = await findSentimentShifts(ctx, today);
    // A trend and its event commit together: a retry after a crash finds both or neither.
    const { eventIds, trendEvents } = await ctx.db.withTransaction(async (tx) => {
      const fresh = new Set(
        await insertTrends(
          tx,
          found.map((t) => ({ ...t, sampleMentionIds: t.sampleMentionIds.map(Number) })),
        ),
      );
      const trendEvents = found.filter((t) => fresh.has(t.term)).map(trendEvent);
      return { eventIds: await insertEvents(tx, [...trendEvents, ...shiftEvents]), trendEvents };
    });
    if (eventIds.length)
      await ctx.enqueue(
        'evaluate-alerts',
        { eventIds },
        { jobId: `alerts:trends:${today}:${eventIds.join(',').slice(0, 200)}` },
      );
    return { trends: trendEvents.length, shifts: shiftEvents.length };
  },
});

function termKeysOf(text: string): string[] {
  const keys = new Set<string>();
  collectTerms(text, (key) => keys.add(key));
  return [...keys];
}

async function findEmergingTrends(ctx: JobContext, today: string): Promise<EmergingTrend[]> {
  const opts = resolveEmergingOptions();
  const span = windowSpan(opts);
  const days = Array.from({ length: span }, (_, i) => addDays(today, i - span + 1));
  const maxRecent = Math.max(...opts.recentWindows);
  const [totalsByDay, rows] = await Promise.all([
    mentionTotals(ctx.db, days[0], today),
    activeTermDays(ctx.db, {
      from: days[0],
      to: today,
      recentFrom: days[days.length - maxRecent],
      minAuthors: opts.minAuthors,
    }),
  ]);
  const index = new Map(days.map((d, i) => [d, i]));
  const series = new Map<string, TermSeries & { counts: number[]; authors: number[] }>();
  for (const r of rows) {
    let s = series.get(r.term);
    if (!s) {
      s = {
        key: r.term,
        display: r.display,
        counts: days.map(() => 0),
        authors: days.map(() => 0),
        firstSeen: r.day,
      };
      series.set(r.term, s);
    }
    const i = index.get(r.day);
    if (i === undefined) continue;
    s.counts[i] = r.mentions;
    s.authors[i] = r.authors;
    // Prefer the spaced form ("glass skin") over a hashtag or the first form seen.
    if (r.display.includes(' ') && !s.display.includes(' ')) s.display = r.display;
  }
  const firstSeen = await termFirstSeen(ctx.db, [...series.keys()]);
  for (const s of series.values()) s.firstSeen = firstSeen.get(s.key) ?? s.firstSeen;
  const window = { days, totals: days.map((d) => totalsByDay.get(d) ?? 0), terms: series.values() };
  const candidates = screenCandidates(window, opts);
  if (candidates.length === 0) return [];

  const reported = await reportedTerms(ctx.db);
  const wanted = new Set([...candidates.map((c) => c.series.key), ...reported]);
  const phrases = [...new Set(candidates.map((c) => c.series.display.replace(/^#/, '')))];
  const rowsEvidence = await mentionsContaining(ctx.db, {
    since: new Date(`${days[days.length - maxRecent]}T00:00:00Z`),
    until: new Date(`${addDays(today, 1)}T00:00:00Z`),
    phrases,
    limit: MAX_EVIDENCE,
  });
  const evidence: MentionEvidence[] = rowsEvidence.map((m) => ({
    id: String(m.id),
    day: dayOf(m.publishedAt),
    author: m.author ?? `anonymous:${m.source}`,
    source: m.source,
    sentiment: m.sentiment,
    terms: termKeysOf(m.body).filter((t) => wanted.has(t)),
    context: textContext(m.body),
  }));
  return resolveEmerging(candidates, evidence, window, reported, opts);
}

function trendEvent(t: EmergingTrend): EventInput {
  return {
    type: 'trend_emerging',
    dedupKey: `trend_emerging:${t.term}`,
    occurredAt: new Date(),
    subject: `term:${t.term}`,
    payload: {
      term: t.term,
      display: t.display,
      score: Math.round(t.score * 100) / 100,
      growth: Math.round(t.growth * 100) / 100,
      count: t.count,
      baseline: Math.round(t.baseline * 100) / 100,
      distinctAuthors: t.distinctAuthors,
      sentiment: t.sentiment,
      sampleMentionIds: t.sampleMentionIds,
    },
  };
}

async function findSentimentShifts(ctx: JobContext, today: string): Promise<EventInput[]> {
  const since = new Date(`${addDays(today, -60)}T00:00:00Z`);
  const until = new Date(`${today}T00:00:00Z`);
  const [series, entities] = await Promise.all([
    sentimentSeries(ctx.db, { since, until }),
    listEntities(ctx.db),
  ]);
  const names = new Map(entities.map((e) => [e.key, e.name]));
  const events: EventInput[] = [];
  for (const s of series) {
    const points = s.points
      .filter((p) => p.mean !== null)
      .map((p) => ({ day: p.t, mean: p.mean!, n: p.count }));
    for (const shift of detectSentimentShift(points)) {
      events.push({
        type: 'sentiment_shift',
        dedupKey: `sentiment_shift:${s.entity}:${shift.day}`,
        occurredAt: new Date(`${shift.day}T00:00:00Z`),
        subject: `entity:${s.entity}`,
        payload: {
          entity: s.entity,
          name: names.get(s.entity) ?? s.entity,
          day: shift.day,
          before: Math.round(shift.before * 1000) / 1000,
          after: Math.round(shift.after * 1000) / 1000,
          delta: Math.round(shift.delta * 1000) / 1000,
          // The alert rules' vocabulary: shift < 0 is a drop, from → to.
          shift: Math.round(shift.delta * 1000) / 1000,
          from: Math.round(shift.before * 1000) / 1000,
          to: Math.round(shift.after * 1000) / 1000,
          confidence: Math.round(shift.confidence * 1000) / 1000,
        },
      });
    }
  }
  return events;
}
