import { dayNumber, dayOf, dayString } from './day.ts';
import { type EmergingOptions, resolveEmergingOptions, windowSpan } from './emerging-options.ts';
import type { EmergingTrend } from './emerging-trend.ts';
import { collectTerms } from './extract-terms.ts';
import { type MentionEvidence, resolveEmerging } from './resolve-emerging.ts';
import { screenCandidates, type TermSeries } from './screen-candidates.ts';
import { textContext } from './text-context.ts';

/** A mention as the detector consumes it. */
export interface TrendMention {
  id: string;
  publishedAt: string | Date;
  author: string;
  source: string;
  text: string;
  lang?: string;
  sentiment?: number | null;
}

/** In-memory emerging-trend detector: feed mentions in time order, close each day once. */
export interface TrendDetector {
  /**
   * Counts one mention into its UTC day. A late mention for an already-closed day still feeds later
   * baselines (while that day is inside the window) but never re-opens the day. Throws on an unparseable date.
   */
  observe(mention: TrendMention): void;
  /** Reports terms first found emerging at the end of `day`, using only mentions observed so far. */
  closeDay(day: string): EmergingTrend[];
  /** Keys reported so far. */
  readonly reported: ReadonlySet<string>;
  /** Distinct terms currently tracked (a memory gauge). */
  readonly vocabularySize: number;
}

interface TermDayCell {
  count: number;
  authors: number;
  lastAuthor: string;
  authorSet: Set<string> | null;
}

interface EvidenceRow {
  id: string;
  author: string;
  source: string;
  sentiment: number | null;
  context: number;
  terms: Int32Array;
}

interface DayBucket {
  day: string;
  total: number;
  cells: Map<number, TermDayCell>;
  mentions: EvidenceRow[] | null;
}

/**
 * Creates a detector that keeps exactly the aggregates the DB rollups hold — per term-day mention
 * counts and distinct authors, mentions per day — for the last `windowSpan` days, plus the recent
 * mentions' term ids for phrase resolution, and calls the same `screenCandidates`/`resolveEmerging`
 * as `detectEmerging`. Memory is bounded by the window, not by history. Throws on invalid options.
 */
export function createTrendDetector(opts: Partial<EmergingOptions> = {}): TrendDetector {
  const o = resolveEmergingOptions(opts);
  const span = windowSpan(o);
  const maxW = Math.max(...o.recentWindows);
  const ids = new Map<string, number>();
  const keys: string[] = [];
  const displays: string[] = [];
  const firstSeen: string[] = [];
  const buckets = new Map<number, DayBucket>();
  const reported = new Set<string>();
  const scratch: number[] = [];
  let lastDay = '';
  let lastDayNumber = 0;
  let current: DayBucket | null = null;
  let currentAuthor = '';

  function bucketFor(dn: number): DayBucket {
    let b = buckets.get(dn);
    if (b === undefined) {
      b = { day: dayString(dn), total: 0, cells: new Map(), mentions: [] };
      buckets.set(dn, b);
    }
    return b;
  }

  const sink = (key: string, display: string): void => {
    let id = ids.get(key);
    const b = current as DayBucket;
    if (id === undefined) {
      id = displays.length;
      ids.set(key, id);
      keys.push(key);
      displays.push(display);
      firstSeen.push(b.day);
    } else if (displays[id].charCodeAt(0) === 35 && display.charCodeAt(0) !== 35) {
      displays[id] = display; // prefer "glass skin" over "#glassskin" once the spaced form appears
    }
    scratch.push(id);
    const cell = b.cells.get(id);
    if (cell === undefined) {
      b.cells.set(id, { count: 1, authors: 1, lastAuthor: currentAuthor, authorSet: null });
      return;
    }
    cell.count++;
    if (cell.lastAuthor === currentAuthor) return;
    if (cell.authorSet === null) cell.authorSet = new Set([cell.lastAuthor]);
    cell.lastAuthor = currentAuthor;
    if (!cell.authorSet.has(currentAuthor)) {
      cell.authorSet.add(currentAuthor);
      cell.authors++;
    }
  };

  function observe(m: TrendMention): void {
    const day = dayOf(m.publishedAt);
    if (day !== lastDay) {
      lastDay = day;
      lastDayNumber = dayNumber(day);
    }
    current = bucketFor(lastDayNumber);
    current.total++;
    currentAuthor = m.author;
    scratch.length = 0;
    collectTerms(m.text, sink, m.lang);
    current.mentions?.push({
      id: m.id,
      author: m.author,
      source: m.source,
      sentiment: typeof m.sentiment === 'number' ? m.sentiment : null,
      context: textContext(m.text),
      terms: Int32Array.from(scratch),
    });
  }

  function closeDay(day: string): EmergingTrend[] {
    const dn = dayNumber(day);
    const first = dn - span + 1;
    const days: string[] = [];
    const totals: number[] = [];
    const window: (DayBucket | undefined)[] = [];
    for (let d = first; d <= dn; d++) {
      const b = buckets.get(d);
      window.push(b);
      days.push(b?.day ?? dayString(d));
      totals.push(b?.total ?? 0);
    }
    // Only terms with enough recent author-days can pass; build series for those alone.
    const recent = new Map<number, number>();
    for (let i = span - maxW; i < span; i++) {
      const b = window[i];
      if (b === undefined) continue;
      for (const [id, cell] of b.cells) recent.set(id, (recent.get(id) ?? 0) + cell.authors);
    }
    const series: TermSeries[] = [];
    for (const [id, n] of recent) {
      if (n < o.minAuthors) continue;
      const counts = new Array<number>(span).fill(0);
      const authors = new Array<number>(span).fill(0);
      for (let i = 0; i < span; i++) {
        const cell = window[i]?.cells.get(id);
        if (cell === undefined) continue;
        counts[i] = cell.count;
        authors[i] = cell.authors;
      }
      series.push({ key: keyOf(id), display: displays[id], counts, authors, firstSeen: firstSeen[id] });
    }
    const candidates = screenCandidates({ days, totals, terms: series }, o);
    let trends: EmergingTrend[] = [];
    if (candidates.length > 0) {
      const wanted = new Set<number>();
      for (const c of candidates) wanted.add(ids.get(c.series.key) as number);
      for (const key of reported) {
        const id = ids.get(key);
        if (id !== undefined) wanted.add(id);
      }
      const evidence: MentionEvidence[] = [];
      for (let i = span - maxW; i < span; i++) {
        const b = window[i];
        if (b?.mentions == null) continue;
        for (const row of b.mentions) {
          let terms: string[] | null = null;
          for (const id of row.terms) {
            if (!wanted.has(id)) continue;
            terms ??= [];
            terms.push(keyOf(id));
          }
          if (terms === null) continue;
          evidence.push({
            id: row.id,
            day: b.day,
            author: row.author,
            source: row.source,
            sentiment: row.sentiment,
            context: row.context,
            terms,
          });
        }
      }
      trends = resolveEmerging(candidates, evidence, { days, totals }, reported, o);
      for (const t of trends) reported.add(t.term);
    }
    // Forget what no later decision can use.
    for (const d of buckets.keys()) {
      if (d <= dn - span + 1) buckets.delete(d);
      else if (d <= dn - maxW + 1) {
        const b = buckets.get(d);
        if (b) b.mentions = null;
      }
    }
    return trends;
  }

  function keyOf(id: number): string {
    return keys[id];
  }

  return {
    observe,
    closeDay,
    get reported() {
      return reported;
    },
    get vocabularySize() {
      return ids.size;
    },
  };
}
