export { labelScore, NEUTRAL_BAND, scoreSentiment } from './score-sentiment.ts';
export type {
  Aspect,
  AspectSentiment,
  LexiconLanguage,
  ScoreSentimentOptions,
  SentimentLabel,
  SentimentResult,
} from './types.ts';
