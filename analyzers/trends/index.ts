/**
 * Trends front door: term extraction, emerging-term detection over rollup-shaped aggregates (and the
 * in-memory detector that maintains them), sentiment change points, Holt forecasts, and the
 * Huginn-style spike baseline. Pure: no I/O, no configuration reads.
 */
export { addDays, dayNumber, dayOf } from './day.ts';
export { type BaselineSpikeOptions, detectBaselineSpikes } from './detect-baseline-spikes.ts';
export { detectEmerging } from './detect-emerging.ts';
export {
  detectSentimentShift,
  type SentimentDay,
  type SentimentShift,
  type SentimentShiftOptions,
} from './detect-sentiment-shift.ts';
export {
  DEFAULT_EMERGING_OPTIONS,
  type EmergingOptions,
  resolveEmergingOptions,
  windowSpan,
} from './emerging-options.ts';
export type { EmergingTrend } from './emerging-trend.ts';
export { collectTerms, extractTerms, MAX_PHRASE_WORDS, type TermSink } from './extract-terms.ts';
export { forecastHolt, type HoltForecast, type HoltOptions } from './forecast-holt.ts';
export { forecastCounts, forecastDailyMean, type SeriesForecastPoint } from './forecast-series.ts';
export { logGamma, negBinomialLog10Tail, poissonLog10Tail } from './poisson-tail.ts';
export { createTrendReplay, replayMentions, type TrendReplay } from './replay-mentions.ts';
export { type MentionEvidence, resolveEmerging } from './resolve-emerging.ts';
export {
  scoreTermWindow,
  screenCandidates,
  type TermSeries,
  type TrendCandidate,
  type TrendWindow,
} from './screen-candidates.ts';
export { STOPWORDS } from './stopwords.ts';
export { foldAccents, stemWord, termFragments, termKey } from './term-key.ts';
export { textContext } from './text-context.ts';
export { createTrendDetector, type TrendDetector, type TrendMention } from './trend-detector.ts';
