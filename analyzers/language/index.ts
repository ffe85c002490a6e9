export {
  type DetectedLanguage,
  type DetectLanguageOptions,
  detectLanguage,
  detectLanguageByStopwords,
} from './detect-language.ts';
export { DEFAULT_LANGUAGES, ISO639_1_TO_3, ISO639_3_TO_1 } from './iso-codes.ts';
