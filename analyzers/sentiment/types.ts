/** The product facets a mention can talk about; each is detected by keyword sets in en/es/pt. */
export type Aspect =
  | 'price'
  | 'quality'
  | 'packaging'
  | 'scent'
  | 'texture'
  | 'longevity'
  | 'delivery'
  | 'service';

export type SentimentLabel = 'positive' | 'neutral' | 'negative';

/** Languages with their own lexicon; anything else is scored with the English one. */
export type LexiconLanguage = 'en' | 'es' | 'pt';

/** One aspect mentioned in one clause, scored by that clause alone. */
export interface AspectSentiment {
  aspect: Aspect;
  /** Polarity of the clause in [-1, 1]. */
  score: number;
  label: SentimentLabel;
  /** The clause the aspect keyword was found in, as written. */
  evidence: string;
}

export interface SentimentResult {
  /** Overall polarity in [-1, 1]. */
  score: number;
  label: SentimentLabel;
  /** 0..1: how far the score sits from the neutral band, damped when little evidence was found. */
  confidence: number;
  aspects: AspectSentiment[];
}

export interface ScoreSentimentOptions {
  /** ISO 639-1 code; 'en', 'es' and 'pt' have lexicons. When absent a cheap stopword vote picks one. */
  lang?: LexiconLanguage | string;
}
