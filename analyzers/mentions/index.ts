/**
 * Mentions: which tracked entities a post is about, canonical URLs, safe normalised text and
 * SimHash near-duplicate grouping. Pure; no I/O.
 */
export { canonicalizeUrl } from './canonicalize-url.ts';
export { type FoldedText, fold, foldText } from './fold-text.ts';
export { type MatchEntitiesOptions, matchEntities } from './match-entities.ts';
export { MAX_TEXT_LENGTH, normalizeText } from './normalize-text.ts';
export { fromSignedBigint, hammingDistance, nearDuplicateOf, simhash64, toSignedBigint } from './simhash.ts';
export type { EntityMatch, EntityQuery } from './types.ts';
