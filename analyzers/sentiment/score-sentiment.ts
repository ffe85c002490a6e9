/**
 * Sentiment for mentions (posts, reviews, articles) in English, Spanish and Portuguese.
 *
 * Lexicons: English is AFINN-165 from the `sentiment` package (`languages/en/labels.json`) with its
 * emoji scores (`build/emoji.json`); Spanish and Portuguese are the AFINN translations shipped with
 * `natural` (`lib/natural/sentiment/{Spanish,Portuguese}/afinnShortSorted*.json`, imported by path,
 * never natural's index). Each is topped with a curated general and product/beauty layer written here
 * (see `lexicon-*.ts`). `analyze-valence.ts` applies VADER-style rules on top: negation scope,
 * boosters, contrast, comparatives, caps, elongation, punctuation, irony cues.
 *
 * A second valence channel runs in the same pass over the VADER lexicon (`lexicon-vader.ts`, MIT,
 * copied into `vader-lexicon.json` by `scripts/build-sentiment-vader-lexicon.ts`, notices in
 * `vader-lexicon.LICENSE.txt`) under VADER's own negation rule; it only feeds the model's features.
 *
 * A secondary lexicon feature (`lexicon-aux.ts`): ML-SentiCon en/es and CLiPS Pattern en, as shipped
 * in natural, for words AFINN lacks; it only feeds the model, never the rule score.
 *
 * Model: `sentiment-model.json`, built by `scripts/train-sentiment.ts`: a ridge regression over the
 * rule pass's summary features plus English word and word-pair features gives the margin, and a
 * logistic neutral gate over the summary features and |margin| decides which side of the one neutral
 * band (±0.05) the score falls; see `predict-score.ts`. Text in other languages gets the summary
 * features' share of the margin and the same gate.
 * Honest figures: the model is fitted on the same dev sets the eval reports, so the eval's numbers for
 * it are in-sample; the nested cross-validated ones stored in the model file (printed by
 * `npm run eval -- sentiment` as `cvTable`, beside the peers' figures from the same run) are the
 * estimate for unseen text.
 */
import { detectLanguageByStopwords } from '../language/index.ts';
import { analyzeValence, type ValenceAnalysis } from './analyze-valence.ts';
import { MODEL_NEUTRAL_BAND, predictScore } from './predict-score.ts';
import type {
  AspectSentiment,
  LexiconLanguage,
  ScoreSentimentOptions,
  SentimentLabel,
  SentimentResult,
} from './types.ts';

/** |score| below this is neutral; one band for every source and language (the gold convention's). */
export const NEUTRAL_BAND = MODEL_NEUTRAL_BAND;

const LEXICON_LANGUAGES: readonly string[] = ['en', 'es', 'pt'];

/** Label for a score in [-1, 1] under the shared neutral band. */
export function labelScore(score: number, band: number = NEUTRAL_BAND): SentimentLabel {
  if (score >= band) return 'positive';
  if (score <= -band) return 'negative';
  return 'neutral';
}

function pickLanguage(text: string, lang: string | undefined): LexiconLanguage {
  if (lang === 'en' || lang === 'es' || lang === 'pt') return lang;
  if (lang !== undefined) {
    const base = lang.toLowerCase().slice(0, 2);
    return (LEXICON_LANGUAGES.includes(base) ? base : 'en') as LexiconLanguage;
  }
  const guess = detectLanguageByStopwords(text, LEXICON_LANGUAGES).lang;
  return (LEXICON_LANGUAGES.includes(guess) ? guess : 'en') as LexiconLanguage;
}

function clauseScore(sum: number): number {
  return sum / Math.sqrt(sum * sum + 15);
}

function detectAspects(text: string, analysis: ValenceAnalysis): AspectSentiment[] {
  const out: AspectSentiment[] = [];
  if (analysis.aspectHits.length === 0) return out;
  const seen = new Set<string>();
  for (const hit of analysis.aspectHits) {
    const key = `${hit.aspect}:${hit.clause}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const clause = analysis.clauses[hit.clause];
    const score = round(clauseScore(clause.sum));
    out.push({
      aspect: hit.aspect,
      score,
      label: labelScore(score),
      evidence: text.slice(clause.start, clause.end),
    });
  }
  return out;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/**
 * 0..1: distance from the neutral band's edge (or, for neutral, from the band's middle), damped when
 * the rule pass found little sentiment-bearing evidence.
 */
function confidenceOf(score: number, analysis: ValenceAnalysis): number {
  const a = Math.abs(score);
  const margin = a >= NEUTRAL_BAND ? (a - NEUTRAL_BAND) / (1 - NEUTRAL_BAND) : 1 - a / NEUTRAL_BAND;
  const evidence = analysis.hits === 0 ? 0.5 : Math.min(1, 0.6 + 0.2 * analysis.hits);
  return round(Math.min(1, (0.4 + 0.6 * margin) * evidence));
}

/**
 * Scores the sentiment of one text in [-1, 1] with a label, a confidence and per-aspect polarities.
 * Pure and synchronous; lexicons and the model are loaded once when the module is imported. Never
 * throws: empty or unscorable text is neutral. `lang` picks the lexicon (en, es, pt; others fall back
 * to English); without it a stopword vote among en/es/pt decides.
 */
export function scoreSentiment(text: string, opts: ScoreSentimentOptions = {}): SentimentResult {
  const lang = pickLanguage(text, opts.lang);
  const analysis = analyzeValence(text, lang);
  // No words and no emoji means no evidence: neutral, rather than the model's intercept.
  const score = analysis.words === 0 && analysis.hits === 0 ? 0 : round(predictScore(analysis, lang));
  return {
    score,
    label: labelScore(score),
    confidence: confidenceOf(score, analysis),
    aspects: detectAspects(text, analysis),
  };
}
