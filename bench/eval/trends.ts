/**
 * Emerging-trend eval on `corpora/trends/stream-*`: replays each stream in time order through the
 * same online detector the jobs use, emits one row per report, scores against `truth.json` when it
 * exists (never reads it to detect), scores the Huginn-style mean + 3σ baseline on the same stream,
 * and checks that a replay cut at a day reports exactly the full replay's prefix.
 *
 * `npx tsx bench/eval/trends.ts --speed [--data DIR]` runs the throughput probe instead.
 */
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import {
  addDays,
  collectTerms,
  createTrendReplay,
  dayNumber,
  dayOf,
  detectBaselineSpikes,
  type EmergingTrend,
  type TrendMention,
} from '../../analyzers/trends/index.ts';
import type { EvalOptions } from '../eval.ts';

interface RawMention {
  id: string;
  published_at: string;
  source: string;
  author: string;
  text: string;
  lang?: string;
}

interface Truth {
  planted: { term: string; start_day: string }[];
  decoys: { term: string; kind: string; day?: string }[];
}

interface Report {
  term: string;
  day: string;
}

interface StreamScore {
  reports: number;
  matched: number;
  precision: number;
  recall: number;
  medianDelayDays: number | null;
  decoysReported: string[];
  missed: string[];
  falseReports: string[];
  delays: Record<string, number>;
}

async function* readMentions(file: string): AsyncGenerator<TrendMention> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.length === 0) continue;
    const m = JSON.parse(line) as RawMention;
    yield {
      id: m.id,
      publishedAt: m.published_at,
      author: m.author,
      source: m.source,
      text: m.text,
      lang: m.lang,
    };
  }
}

function wordSet(term: string): Set<string> {
  return new Set(
    term
      .toLowerCase()
      .replace(/^#/, '')
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length > 0),
  );
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 0 : inter / union;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Scores reports (in time order) per the corpus README. */
function scoreReports(reports: Report[], truth: Truth): StreamScore {
  const planted = truth.planted.map((p) => ({ ...p, words: wordSet(p.term) }));
  const decoys = truth.decoys.map((d) => ({ ...d, words: wordSet(d.term) }));
  const found = new Map<string, number>();
  let counted = 0;
  let matched = 0;
  const decoysReported: string[] = [];
  const falseReports: string[] = [];
  for (const r of [...reports].sort((a, b) => a.day.localeCompare(b.day))) {
    const words = wordSet(r.term);
    let best: (typeof planted)[number] | null = null;
    let bestJ = 0;
    for (const p of planted) {
      const j = jaccard(words, p.words);
      if (j >= 0.5 && j > bestJ) {
        best = p;
        bestJ = j;
      }
    }
    if (best !== null && found.has(best.term)) continue;
    counted++;
    if (best !== null && r.day >= best.start_day) {
      matched++;
      found.set(best.term, dayNumber(r.day) - dayNumber(best.start_day));
      continue;
    }
    falseReports.push(`${r.term}@${r.day}`);
    if (decoys.some((d) => jaccard(words, d.words) >= 0.5)) decoysReported.push(r.term);
  }
  return {
    reports: counted,
    matched,
    precision: counted === 0 ? 1 : matched / counted,
    recall: planted.length === 0 ? 1 : found.size / planted.length,
    medianDelayDays: median([...found.values()]),
    decoysReported,
    missed: planted.filter((p) => !found.has(p.term)).map((p) => p.term),
    falseReports: falseReports.slice(0, 20),
    delays: Object.fromEntries(found),
  };
}

/** First spike day of every term under the mean + 3σ rule over daily mention counts. */
function baselineReports(
  perDay: Map<string, number>[],
  displays: Map<string, string>,
  minCount: number,
): Report[] {
  const keys = new Set<string>();
  for (const m of perDay) for (const k of m.keys()) keys.add(k);
  const out: Report[] = [];
  const series = new Array<number>(perDay.length);
  for (const k of keys) {
    for (let i = 0; i < perDay.length; i++) series[i] = perDay[i].get(k) ?? 0;
    const spikes = detectBaselineSpikes(series, { window: 14, k: 3, minCount });
    if (spikes.length > 0) out.push({ term: displays.get(k) ?? k, day: String(spikes[0]) });
  }
  return out;
}

interface StreamRun {
  trends: EmergingTrend[];
  mentions: number;
  firstDay: string | null;
  lastDay: string | null;
  perDay: Map<string, number>[];
  displays: Map<string, string>;
}

async function runStream(file: string, untilDay?: string, withBaseline = false): Promise<StreamRun> {
  const replay = createTrendReplay();
  const trends: EmergingTrend[] = [];
  const perDay: Map<string, number>[] = [];
  const displays = new Map<string, string>();
  let firstDay: string | null = null;
  let lastDay: string | null = null;
  let firstNumber = 0;
  let mentions = 0;
  let today: Map<string, number> | null = null;
  const countTerm = (key: string, display: string) => {
    today?.set(key, (today.get(key) ?? 0) + 1);
    if (!displays.has(key) || (displays.get(key)?.startsWith('#') && !display.startsWith('#'))) {
      displays.set(key, display);
    }
  };
  for await (const m of readMentions(file)) {
    const day = dayOf(m.publishedAt);
    if (untilDay !== undefined && day > untilDay) break;
    if (firstDay === null) {
      firstDay = day;
      firstNumber = dayNumber(day);
    }
    lastDay = day;
    for (const t of replay.push(m)) trends.push(t);
    mentions++;
    if (withBaseline) {
      const i = dayNumber(day) - firstNumber;
      while (perDay.length <= i) perDay.push(new Map());
      today = perDay[i];
      collectTerms(m.text, countTerm, m.lang);
    }
  }
  for (const t of replay.end(untilDay)) trends.push(t);
  return { trends, mentions, firstDay, lastDay, perDay, displays };
}

function fingerprint(t: EmergingTrend): string {
  return `${t.detectedAt}|${t.term}|${t.score.toFixed(9)}|${t.count}|${t.sampleMentionIds.join(',')}`;
}

/** Eval entry point: see the module comment. */
export async function evaluate({ dataDir, emit }: EvalOptions): Promise<Record<string, unknown>> {
  const streams = readdirSync(dataDir)
    .filter((d) => d.startsWith('stream-') && existsSync(join(dataDir, d, 'mentions.jsonl.gz')))
    .sort();
  const perStream: Record<string, unknown> = {};
  const detectorScores: StreamScore[] = [];
  const baselineScores: StreamScore[] = [];
  let cutChecks = 0;
  let cutMismatches = 0;
  for (const stream of streams) {
    const file = join(dataDir, stream, 'mentions.jsonl.gz');
    const started = performance.now();
    const full = await runStream(file, undefined, true);
    const seconds = (performance.now() - started) / 1000;
    for (const t of full.trends) {
      emit({
        stream,
        term: t.display,
        detected_at: t.detectedAt,
        score: Number(t.score.toFixed(3)),
        evidence: t.sampleMentionIds,
        count: t.count,
        baseline: Number(t.baseline.toFixed(3)),
        growth: Number(t.growth.toFixed(2)),
        distinct_authors: t.distinctAuthors,
        window_days: t.windowDays,
      });
    }
    // Cut check: replay only through a day inside the stream and compare with the full replay's prefix.
    const cuts: string[] = [];
    if (full.firstDay !== null && full.lastDay !== null) {
      const span = dayNumber(full.lastDay) - dayNumber(full.firstDay);
      for (const f of [0.45, 0.8]) cuts.push(addDays(full.firstDay, Math.floor(span * f)));
    }
    const cutResults: Record<string, boolean> = {};
    for (const cut of cuts) {
      const partial = await runStream(file, cut);
      const expected = full.trends.filter((t) => t.detectedAt <= cut).map(fingerprint);
      const got = partial.trends.map(fingerprint);
      const same = expected.length === got.length && expected.every((x, i) => x === got[i]);
      cutChecks++;
      if (!same) cutMismatches++;
      cutResults[cut] = same;
    }
    const entry: Record<string, unknown> = {
      mentions: full.mentions,
      reports: full.trends.length,
      seconds: Number(seconds.toFixed(2)),
      cutReplayIdentical: cutResults,
      reported: full.trends.map((t) => `${t.display}@${t.detectedAt}`),
    };
    const truthFile = join(dataDir, stream, 'truth.json');
    if (existsSync(truthFile) && full.firstDay !== null) {
      const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as Truth;
      const s = scoreReports(
        full.trends.map((t) => ({ term: t.display, day: t.detectedAt })),
        truth,
      );
      detectorScores.push(s);
      const first = full.firstDay;
      const toDay = (r: Report) => ({ term: r.term, day: addDays(first, Number(r.day)) });
      const b = scoreReports(baselineReports(full.perDay, full.displays, 5).map(toDay), truth);
      baselineScores.push(b);
      entry.detector = s;
      entry.huginnBaseline = { ...b, falseReports: b.falseReports.slice(0, 5) };
    }
    perStream[stream] = entry;
  }
  const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
  const summarise = (ss: StreamScore[]) =>
    ss.length === 0
      ? null
      : {
          precision: mean(ss.map((s) => s.precision)),
          recall: mean(ss.map((s) => s.recall)),
          medianDelayDays: median(ss.flatMap((s) => Object.values(s.delays))),
          decoysReported: ss.reduce((a, s) => a + s.decoysReported.length, 0),
          reports: ss.reduce((a, s) => a + s.reports, 0),
        };
  return {
    streams: streams.length,
    detector: summarise(detectorScores),
    huginnBaseline: summarise(baselineScores),
    cutChecks,
    cutMismatches,
    perStream,
  };
}

/** Throughput probe: mentions/s through extraction, aggregation and daily detection at two sizes. */
export async function probeSpeed(
  dataDir: string,
  sizes: number[] = [100_000, 1_000_000],
): Promise<unknown[]> {
  const stream = readdirSync(dataDir)
    .filter((d) => d.startsWith('stream-'))
    .sort()[0];
  const base: TrendMention[] = [];
  for await (const m of readMentions(join(dataDir, stream, 'mentions.jsonl.gz'))) base.push(m);
  const firstDay = dayNumber(dayOf(base[0].publishedAt));
  const lastDay = dayNumber(dayOf(base[base.length - 1].publishedAt));
  const period = lastDay - firstDay + 1;
  const results: unknown[] = [];
  for (const size of sizes) {
    // Synthesize by replaying the stream again and again, each copy shifted by the stream's length.
    const mentions: TrendMention[] = new Array(size);
    for (let i = 0; i < size; i++) {
      const copy = Math.floor(i / base.length);
      const m = base[i % base.length];
      const at = String(m.publishedAt);
      const day = addDays(at.slice(0, 10), copy * period);
      mentions[i] = { ...m, id: `${m.id}#${copy}`, publishedAt: `${day}${at.slice(10)}` };
    }
    const started = performance.now();
    const replay = createTrendReplay();
    let reports = 0;
    for (const m of mentions) reports += replay.push(m).length;
    reports += replay.end().length;
    const seconds = (performance.now() - started) / 1000;
    results.push({
      mentions: size,
      days: replay.daysClosed,
      seconds: Number(seconds.toFixed(2)),
      mentionsPerSecond: Math.round(size / seconds),
      microsecondsPerMention: Number(((seconds * 1e6) / size).toFixed(2)),
      reports,
      vocabulary: replay.detector.vocabularySize,
      heapMb: Math.round(process.memoryUsage().heapUsed / 1e6),
    });
  }
  return results;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const di = args.indexOf('--data');
  const dataDir = resolve(
    di >= 0 ? args[di + 1] : resolve(fileURLToPath(import.meta.url), '../../../../shared/corpora/trends'),
  );
  if (args.includes('--speed')) {
    probeSpeed(dataDir).then((r) => console.log(JSON.stringify(r, null, 2)));
  }
}
