/**
 * The VADER lexicon (Hutto & Gilbert 2014; mean human valence on −4..+4), copied into
 * `vader-lexicon.json` by `scripts/build-sentiment-vader-lexicon.ts`; licence in
 * `vader-lexicon.LICENSE.txt`. It feeds a second valence sum beside AFINN's: same rules, other word
 * ratings, and the model weighs the two.
 */
import { createRequire } from 'node:module';

const raw = createRequire(import.meta.url)('./vader-lexicon.json') as Record<string, number>;

const WORD = /^[a-z][a-z']*$/;
const HAS_ALNUM = /[a-z0-9]/i;
/** Punctuation runs that are far more often prices, percentages or footnotes than faces. */
const NOT_FACES = new Set(['$:', '%)', '(%', '(*', '*)', '&:', '&-:']);

/** Lower-case words (apostrophes allowed) → valence. */
export const VADER_WORDS = new Map<string, number>();
/** Every entry by its lower-case form, for emoticons with letters (":D" is rated as ":d"). */
export const VADER_ANY = new Map<string, number>(Object.entries(raw));
/** VADER's negation words (vaderSentiment's NEGATE list); any word ending in "n't" negates too. */
export const VADER_NEGATORS = new Set([
  'aint',
  'arent',
  'cannot',
  'cant',
  'couldnt',
  'darent',
  'didnt',
  'doesnt',
  'dont',
  'hadnt',
  'hasnt',
  'havent',
  'isnt',
  'mightnt',
  'mustnt',
  'neither',
  'neednt',
  'never',
  'none',
  'nope',
  'nor',
  'not',
  'nothing',
  'nowhere',
  'oughtnt',
  'shant',
  'shouldnt',
  'uhuh',
  'wasnt',
  'werent',
  'without',
  'wont',
  'wouldnt',
  'rarely',
  'seldom',
  'despite',
]);
/** Punctuation-only emoticons ("(-:", ":'(") → valence; the tokenizer recognises these as units. */
export const VADER_EMOTICONS = new Map<string, number>();
for (const [token, valence] of Object.entries(raw)) {
  if (WORD.test(token)) VADER_WORDS.set(token, valence);
  else if (token.length >= 2 && !HAS_ALNUM.test(token) && !NOT_FACES.has(token))
    VADER_EMOTICONS.set(token, valence);
}
