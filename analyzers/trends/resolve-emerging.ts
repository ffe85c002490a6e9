import type { EmergingOptions } from './emerging-options.ts';
import type { EmergingTrend } from './emerging-trend.ts';
import {
  scoreTermWindow,
  type TermSeries,
  type TrendCandidate,
  type TrendWindow,
} from './screen-candidates.ts';
import { termKey } from './term-key.ts';

/** One recent mention, reduced to what phrase resolution needs. */
export interface MentionEvidence {
  id: string;
  /** YYYY-MM-DD, one of the window's days. */
  day: string;
  author: string;
  source: string;
  sentiment?: number | null;
  /** Keys of the candidate and already-reported terms it contains (others may be left out). */
  terms: readonly string[];
  /**
   * Identity of the mention's wording (e.g. a hash of its normalised text, see `textContext`).
   * Copies of one text count at most `maxPerContext` times; omitted, every mention is its own context.
   */
  context?: number | string;
}

interface Contender {
  candidate: TrendCandidate;
  words: string[];
  mentions: number[];
  residual: TrendCandidate | null;
}

function wordKeys(display: string): string[] {
  return display
    .replace(/^#/, '')
    .split(' ')
    .map(termKey)
    .filter((w) => w.length > 0);
}

function containsPhrase(outer: string[], inner: string[]): boolean {
  if (outer.length <= inner.length) return false;
  for (let i = 0; i + inner.length <= outer.length; i++) {
    let j = 0;
    while (j < inner.length && outer[i + j] === inner[j]) j++;
    if (j === inner.length) return true;
  }
  return false;
}

/** Re-scores a term on the mentions no accepted or earlier-reported phrase explains. */
function scoreResidual(
  c: Contender,
  evidence: readonly MentionEvidence[],
  covered: Uint8Array,
  dayIndex: ReadonlyMap<string, number>,
  window: Pick<TrendWindow, 'days' | 'totals'>,
  opts: EmergingOptions,
): TrendCandidate | null {
  const s = c.candidate.series;
  const authors = Array.from(s.authors);
  const start = window.days.length - Math.max(...opts.recentWindows);
  for (let i = Math.max(0, start); i < authors.length; i++) authors[i] = 0;
  const seen = new Set<string>();
  const perContext = new Map<number | string, number>();
  for (const m of c.mentions) {
    if (covered[m]) continue;
    const e = evidence[m];
    const di = dayIndex.get(e.day);
    if (di === undefined || di < start) continue;
    const k = `${e.day}\u0000${e.author}`;
    if (seen.has(k)) continue;
    seen.add(k);
    if (e.context !== undefined) {
      const copies = perContext.get(e.context) ?? 0;
      perContext.set(e.context, copies + 1);
      if (copies >= opts.maxPerContext) continue;
    }
    authors[di]++;
  }
  const residualSeries: TermSeries = { ...s, authors };
  return scoreTermWindow(residualSeries, window, opts);
}

function passes(r: TrendCandidate | null, opts: EmergingOptions): r is TrendCandidate {
  return (
    r !== null && r.observed >= opts.minAuthors && r.score >= opts.minScore && r.growth >= opts.minGrowth
  );
}

function better(a: Contender, b: Contender): boolean {
  const sa = a.residual?.score ?? 0;
  const sb = b.residual?.score ?? 0;
  if (sa !== sb) return sa > sb;
  if (a.words.length !== b.words.length) return a.words.length > b.words.length;
  return a.candidate.series.key < b.candidate.series.key;
}

function describe(
  c: Contender,
  r: TrendCandidate,
  evidence: readonly MentionEvidence[],
  covered: Uint8Array,
  dayIndex: ReadonlyMap<string, number>,
  window: Pick<TrendWindow, 'days' | 'totals'>,
  opts: EmergingOptions,
): EmergingTrend {
  const len = window.days.length;
  const from = len - r.windowDays;
  const authors = new Set<string>();
  const sources = new Set<string>();
  const sampleAuthors = new Set<string>();
  const samples: string[] = [];
  let sentimentSum = 0;
  let sentimentN = 0;
  let count = 0;
  // Newest first, one sample per author, so the evidence is what drove today's call.
  for (let k = c.mentions.length - 1; k >= 0; k--) {
    const e = evidence[c.mentions[k]];
    const di = dayIndex.get(e.day);
    if (di === undefined || di < from) continue;
    count++;
    authors.add(e.author);
    sources.add(e.source);
    if (typeof e.sentiment === 'number' && Number.isFinite(e.sentiment)) {
      sentimentSum += e.sentiment;
      sentimentN++;
    }
    if (!covered[c.mentions[k]] && samples.length < opts.sampleSize && !sampleAuthors.has(e.author)) {
      sampleAuthors.add(e.author);
      samples.push(e.id);
    }
  }
  const s = c.candidate.series;
  return {
    term: s.key,
    display: s.display,
    detectedAt: window.days[len - 1],
    firstSeen: s.firstSeen,
    score: r.score,
    growth: r.growth,
    count: Math.max(count, r.count),
    baseline: r.expected,
    windowDays: r.windowDays,
    distinctAuthors: authors.size,
    distinctSources: sources.size,
    sentiment: sentimentN > 0 ? sentimentSum / sentimentN : null,
    sampleMentionIds: samples,
  };
}

/**
 * Second stage of detection: turns statistically surprising candidates into reported trends, one per
 * phrase. Greedy: the candidate with the strongest *residual* evidence (its mentions that no
 * already-reported or already-accepted phrase contains) is accepted, replaced first by its longest
 * super-phrase that covers at least `maximalRatio` of those mentions ("barrier repair" →
 * "barrier repair cream"); its mentions are then marked explained and everyone else is re-scored.
 * A fragment ("tried snail", "mucin from") or a template word that only rises beside a phrase
 * ("overrated", "feed") is left with no residual evidence and is dropped. Residual counts are
 * distinct authors per day, with copies of one wording capped at `maxPerContext`: one sentence
 * re-posted by many accounts is one piece of evidence, not a term emerging across conversations. `reported` keys are never
 * reported again. `evidence` must cover the longest recent window and include every mention holding
 * a candidate or reported key.
 */
export function resolveEmerging(
  candidates: readonly TrendCandidate[],
  evidence: readonly MentionEvidence[],
  window: Pick<TrendWindow, 'days' | 'totals'>,
  reported: ReadonlySet<string>,
  opts: EmergingOptions,
): EmergingTrend[] {
  const dayIndex = new Map<string, number>();
  for (let i = 0; i < window.days.length; i++) dayIndex.set(window.days[i], i);
  const contenders = new Map<string, Contender>();
  for (const c of candidates) {
    if (reported.has(c.series.key)) continue;
    contenders.set(c.series.key, {
      candidate: c,
      words: wordKeys(c.series.display),
      mentions: [],
      residual: null,
    });
  }
  const covered = new Uint8Array(evidence.length);
  evidence.forEach((e, i) => {
    for (const t of e.terms) {
      if (reported.has(t)) covered[i] = 1;
      contenders.get(t)?.mentions.push(i);
    }
  });
  const out: EmergingTrend[] = [];
  while (contenders.size > 0) {
    let best: Contender | null = null;
    for (const c of contenders.values()) {
      c.residual = scoreResidual(c, evidence, covered, dayIndex, window, opts);
      if (!passes(c.residual, opts)) continue;
      if (best === null || better(c, best)) best = c;
    }
    if (best === null || best.residual === null) break;
    let chosen = best;
    for (const c of contenders.values()) {
      if (c === best || !passes(c.residual, opts) || !containsPhrase(c.words, best.words)) continue;
      if ((c.residual?.observed ?? 0) < opts.maximalRatio * best.residual.observed) continue;
      if (
        c.words.length > chosen.words.length ||
        (c.words.length === chosen.words.length && better(c, chosen))
      ) {
        chosen = c;
      }
    }
    const r = chosen.residual as TrendCandidate;
    out.push(describe(chosen, r, evidence, covered, dayIndex, window, opts));
    for (const m of chosen.mentions) covered[m] = 1;
    contenders.delete(chosen.candidate.series.key);
    contenders.delete(best.candidate.series.key);
  }
  return out;
}
