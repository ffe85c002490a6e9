import { Type } from '@sinclair/typebox';
import {
  addDays,
  collectTerms,
  dayNumber,
  dayOf,
  detectSentimentShift,
  type EmergingTrend,
  type MentionEvidence,
  resolveEmerging,
  resolveEmergingOptions,
  type SentimentShift,
  screenCandidates,
  type TermSeries,
  termFragments,
  textContext,
  windowSpan,
} from '../analyzers/index.ts';
import {
  activeTermDays,
  type Db,
  type EventInput,
  entityMentionsBySentiment,
  insertEvents,
  insertTrends,
  listEntities,
  lockReportedShifts,
  mentionsMatchingTerms,
  mentionTotals,
  type ReportedShift,
  reportedTerms,
  sentimentSeries,
  termFirstSeen,
} from '../db/index.ts';
import { defineJob, type JobContext, QUEUES } from './types.ts';

/** Most evidence mentions read for one pass. */
const MAX_EVIDENCE = 20_000;

/** Days of daily sentiment each pass searches for change points. */
const SHIFT_SCAN_DAYS = 60;

/**
 * A shift within this many days of a stored shift of the same entity and direction is that shift again: each
 * pass rescans the whole window, and one more day of data can move the best split by a day or two.
 */
const SAME_SHIFT_DAYS = 7;

/** Mention ids carried as a shift's evidence: its strongest contributors (most negative for a drop). */
const SHIFT_EVIDENCE = 10;
/** Days after a shift's first day its evidence is drawn from (at most; the next change ends it sooner). */
const SHIFT_EVIDENCE_DAYS = 7;

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
    const shifts = await findSentimentShifts(ctx, today);
    // A trend and its event commit together: a retry after a crash finds both or neither.
    const { eventIds, trendEvents, shiftEvents } = await ctx.db.withTransaction(async (tx) => {
      const fresh = new Set(
        await insertTrends(
          tx,
          found.map((t) => ({ ...t, sampleMentionIds: t.sampleMentionIds.map(Number) })),
        ),
      );
      const trendEvents = found.filter((t) => fresh.has(t.term)).map(trendEvent);
      const reported = await lockReportedShifts(tx, addDays(today, -SHIFT_SCAN_DAYS - SAME_SHIFT_DAYS));
      const stored = new Set(reported.map((r) => `${r.entity}:${r.day}`));
      const shiftEvents: EventInput[] = [];
      for (const shift of shifts.filter((x) => !isReportedAgain(x, reported))) {
        // Evidence is read for a new shift only: a stored one keeps its event (and payload) as it was, its id coming
        // back from insertEvents so a retried pass re-evaluates its alerts.
        const mentionIds = stored.has(`${shift.entity}:${shift.day}`) ? [] : await shiftEvidence(tx, shift);
        shiftEvents.push(shiftEvent({ ...shift, mentionIds }));
      }
      return {
        eventIds: await insertEvents(tx, [...trendEvents, ...shiftEvents]),
        trendEvents,
        shiftEvents,
      };
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
  // Found by the candidates' key fragments ("#GlassSkin" and "glass skín" for "glass skin"), kept by their keys.
  const rowsEvidence = await mentionsMatchingTerms(ctx.db, {
    since: new Date(`${days[days.length - maxRecent]}T00:00:00Z`),
    until: new Date(`${addDays(today, 1)}T00:00:00Z`),
    terms: candidates.map((c) => termFragments(c.series.display)),
    limit: MAX_EVIDENCE,
  });
  // Oldest first, as the detector reads a stream (the read keeps the newest when it has to cut).
  rowsEvidence.reverse();
  const evidence: MentionEvidence[] = rowsEvidence.map((m) => ({
    id: String(m.id),
    day: dayOf(m.publishedAt),
    author: m.author ?? `anonymous:${m.source}`,
    source: m.source,
    sentiment: m.sentiment,
    // The text terms were extracted from at ingest: title and body.
    terms: termKeysOf(m.title ? `${m.title}\n${m.body}` : m.body).filter((t) => wanted.has(t)),
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

interface FoundShift extends SentimentShift {
  entity: string;
  name: string;
  /** End (exclusive day) of the days its evidence is drawn from: the next change, or SHIFT_EVIDENCE_DAYS on. */
  evidenceUntil: string;
}

/**
 * True when a stored shift of the same entity and direction lies within SAME_SHIFT_DAYS of this one but on another
 * day: the same change seen again with its boundary moved. The very same day passes through, so its stored event's
 * id comes back from insertEvents (an idempotent retry still re-evaluates its alerts).
 */
function isReportedAgain(s: FoundShift, reported: readonly ReportedShift[]): boolean {
  const day = dayNumber(s.day);
  return reported.some(
    (r) =>
      r.entity === s.entity &&
      r.day !== s.day &&
      Math.sign(r.delta) === Math.sign(s.delta) &&
      Math.abs(dayNumber(r.day) - day) <= SAME_SHIFT_DAYS,
  );
}

async function findSentimentShifts(ctx: JobContext, today: string): Promise<FoundShift[]> {
  const since = new Date(`${addDays(today, -SHIFT_SCAN_DAYS)}T00:00:00Z`);
  const until = new Date(`${today}T00:00:00Z`);
  const [series, entities] = await Promise.all([
    sentimentSeries(ctx.db, { since, until }),
    listEntities(ctx.db),
  ]);
  const names = new Map(entities.map((e) => [e.key, e.name]));
  const found: FoundShift[] = [];
  for (const s of series) {
    const points = s.points
      .filter((p) => p.mean !== null)
      .map((p) => ({ day: p.t, mean: p.mean!, n: p.count }));
    const shifts = detectSentimentShift(points);
    for (const [i, shift] of shifts.entries()) {
      const next = i + 1 < shifts.length ? shifts[i + 1].day : addDays(today, 1);
      const cap = addDays(shift.day, SHIFT_EVIDENCE_DAYS);
      const evidenceUntil = next < cap ? next : cap;
      found.push({ ...shift, entity: s.entity, name: names.get(s.entity) ?? s.entity, evidenceUntil });
    }
  }
  return found;
}

/** The mentions that drove a shift: the strongest in its direction, from its first day to `evidenceUntil`. */
function shiftEvidence(db: Db, s: FoundShift): Promise<number[]> {
  return entityMentionsBySentiment(db, {
    entity: s.entity,
    since: new Date(`${s.day}T00:00:00Z`),
    until: new Date(`${s.evidenceUntil}T00:00:00Z`),
    order: s.delta < 0 ? 'lowest' : 'highest',
    limit: SHIFT_EVIDENCE,
  });
}

function shiftEvent(s: FoundShift & { mentionIds: number[] }): EventInput {
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    type: 'sentiment_shift',
    dedupKey: `sentiment_shift:${s.entity}:${s.day}`,
    occurredAt: new Date(`${s.day}T00:00:00Z`),
    subject: `entity:${s.entity}`,
    payload: {
      entity: s.entity,
      name: s.name,
      day: s.day,
      before: round(s.before),
      after: round(s.after),
      delta: round(s.delta),
      // The alert rules' vocabulary: shift < 0 is a drop, from → to.
      shift: round(s.delta),
      from: round(s.before),
      to: round(s.after),
      confidence: round(s.confidence),
      mentionIds: s.mentionIds,
    },
  };
}
