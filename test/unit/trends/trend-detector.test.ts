import { describe, expect, it } from 'vitest';
import {
  addDays,
  createTrendDetector,
  detectEmerging,
  replayMentions,
  type TermSeries,
  termKey,
} from '../../../analyzers/trends/index.ts';
import { syntheticStream } from './synthetic-stream.ts';

const START = '2026-01-05'; // a Monday
const RISE_DAY = 30;
const FLOOD_DAY = 38;

// One stream holding every case, replayed once: a rising phrase, a term that peaks every weekend
// from the first day, one account flooding a term, all over stable background chatter.
const stream = syntheticStream({
  days: 56,
  perDay: 300,
  plants: [
    { phrase: 'velvet moss balm', perDay: (d) => (d < RISE_DAY ? 0 : Math.min(30, 2 * (d - RISE_DAY) + 1)) },
    { phrase: 'sunday glow mask', perDay: (_d, wd) => (wd >= 5 ? 25 : 1) },
    {
      phrase: 'qorvo tint',
      perDay: (d) => (d === FLOOD_DAY ? 300 : 0),
      author: 'spammer',
      templates: ['{} giveaway!!! click my profile for {}'],
    },
  ],
});
const trends = replayMentions(stream);

describe('createTrendDetector', () => {
  it('reports a rising phrase within days of its start, once, with evidence', () => {
    const hits = trends.filter((t) => t.term === termKey('velvet moss balm'));
    expect(hits).toHaveLength(1);
    const [hit] = hits;
    expect(hit.display).toBe('velvet moss balm');
    expect(hit.detectedAt >= addDays(START, RISE_DAY)).toBe(true);
    expect(hit.detectedAt <= addDays(START, RISE_DAY + 5)).toBe(true);
    expect(hit.sampleMentionIds.length).toBeGreaterThan(0);
    expect(hit.distinctAuthors).toBeGreaterThanOrEqual(6);
    expect(hit.score).toBeGreaterThanOrEqual(5);
    expect(hit.sentiment).toBeNull();
  });

  it('merges fragments and template words into the phrase', () => {
    const reported = trends.map((t) => t.display);
    for (const fragment of [
      'velvet moss',
      'moss balm',
      'tried velvet',
      'balm from lumen',
      'feed',
      'overrated',
      'hype',
    ]) {
      expect(reported).not.toContain(fragment);
    }
  });

  it('does not report a term that peaks every weekend', () => {
    expect(trends.some((t) => t.display.includes('sunday') || t.display.includes('glow mask'))).toBe(false);
  });

  it('does not report a term one account floods', () => {
    expect(trends.some((t) => t.display.includes('qorvo') || t.display.includes('giveaway'))).toBe(false);
  });

  it('reports nothing else from stable background chatter', () => {
    expect(trends.map((t) => t.display)).toEqual(['velvet moss balm']);
  });

  it('reports through a cut day exactly what the full replay reported through that day', () => {
    for (const cutIndex of [RISE_DAY + 1, RISE_DAY + 3, 45]) {
      const cut = addDays(START, cutIndex);
      const partial = replayMentions(stream, { untilDay: cut });
      expect(partial).toEqual(trends.filter((t) => t.detectedAt <= cut));
    }
  });

  it('reports nothing before two weeks of history', () => {
    const detector = createTrendDetector();
    const early = syntheticStream({
      days: 10,
      perDay: 100,
      plants: [{ phrase: 'early bird serum', perDay: (d) => 5 * d }],
    });
    let day = START;
    const reports = [];
    for (const m of early) {
      const d = String(m.publishedAt).slice(0, 10);
      while (day < d) {
        reports.push(...detector.closeDay(day));
        day = addDays(day, 1);
      }
      detector.observe(m);
    }
    reports.push(...detector.closeDay(day));
    expect(reports).toEqual([]);
  });
});

describe('detectEmerging', () => {
  const days = Array.from({ length: 35 }, (_, i) => addDays(START, i));
  const totals = days.map(() => 1000);
  const series = (key: string, authors: number[]): TermSeries => ({
    key: termKey(key),
    display: key,
    counts: authors,
    authors,
    firstSeen: START,
  });

  it('works on rollup-shaped aggregates alone', () => {
    const flat = series(
      'steady word',
      days.map(() => 10),
    );
    const rising = series('rising word', [...new Array(32).fill(0), 3, 4, 6]);
    const evidence = [32, 33, 34].flatMap((d) =>
      Array.from({ length: rising.authors[d] }, (_, i) => ({
        id: `m${d}-${i}`,
        day: days[d],
        author: `a${d}-${i}`,
        source: 'rss',
        terms: [rising.key],
      })),
    );
    const out = detectEmerging({ days, totals, terms: [flat, rising] }, evidence);
    expect(out.map((t) => t.term)).toEqual(['risingword']);
    expect(out[0].detectedAt).toBe(days[34]);
    expect(out[0].baseline).toBeLessThan(1);
  });

  it('does not report a term already reported', () => {
    const rising = series('rising word', [...new Array(32).fill(0), 3, 4, 6]);
    expect(
      detectEmerging({ days, totals, terms: [rising] }, [], { reported: new Set(['risingword']) }),
    ).toEqual([]);
  });
});
