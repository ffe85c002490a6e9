import { addDays, dayOf } from './day.ts';
import type { EmergingOptions } from './emerging-options.ts';
import type { EmergingTrend } from './emerging-trend.ts';
import { createTrendDetector, type TrendDetector, type TrendMention } from './trend-detector.ts';

/** The online loop around a detector: closes each day when the first mention of a later day arrives. */
export interface TrendReplay {
  /** Observes one mention, first closing every earlier open day; returns what those closes reported. */
  push(mention: TrendMention): EmergingTrend[];
  /** Closes the open day, and every day through `lastDay` when given; returns what was reported. */
  end(lastDay?: string): EmergingTrend[];
  readonly detector: TrendDetector;
  /** Days closed so far. */
  readonly daysClosed: number;
}

/**
 * Creates the replay loop used by the eval, the speed probe and tests. Because a day is only closed
 * once a later mention arrives, what is reported through day D never depends on mentions after D.
 * `push` throws if a mention belongs to a day that was already closed.
 */
export function createTrendReplay(opts: Partial<EmergingOptions> = {}): TrendReplay {
  const detector = createTrendDetector(opts);
  let open: string | null = null;
  let daysClosed = 0;
  const closeThrough = (last: string, out: EmergingTrend[]) => {
    while (open !== null && open <= last) {
      for (const t of detector.closeDay(open)) out.push(t);
      daysClosed++;
      open = addDays(open, 1);
    }
  };
  return {
    push(m) {
      const out: EmergingTrend[] = [];
      const day = dayOf(m.publishedAt);
      if (open === null) open = day;
      else if (day < open) throw new Error(`mention ${m.id} on ${day} arrived after that day was closed`);
      else if (day > open) closeThrough(addDays(day, -1), out);
      detector.observe(m);
      return out;
    },
    end(lastDay) {
      const out: EmergingTrend[] = [];
      if (open !== null) closeThrough(lastDay ?? open, out);
      return out;
    },
    detector,
    get daysClosed() {
      return daysClosed;
    },
  };
}

/**
 * Replays time-ordered mentions through a fresh detector and returns every report. With `untilDay`,
 * ignores later mentions and closes through that day, so a cut replay's reports must equal the full
 * replay's reports with `detectedAt ≤ untilDay`.
 */
export function replayMentions(
  mentions: Iterable<TrendMention>,
  opts: Partial<EmergingOptions> & { untilDay?: string } = {},
): EmergingTrend[] {
  const replay = createTrendReplay(opts);
  const trends: EmergingTrend[] = [];
  for (const m of mentions) {
    if (opts.untilDay !== undefined && dayOf(m.publishedAt) > opts.untilDay) break;
    for (const t of replay.push(m)) trends.push(t);
  }
  for (const t of replay.end(opts.untilDay)) trends.push(t);
  return trends;
}
