import { fold } from './fold-text.ts';
import { normalizeText } from './normalize-text.ts';

const MASK64 = (1n << 64n) - 1n;
const WORD = /[\p{L}\p{N}]+/gu;

/** 32-bit FNV-1a of the UTF-16 units with a seed, finished with murmur3's avalanche mix. */
function hash32(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Words used for near-duplicate detection: normalised, folded, URLs and a leading `RT @x:` dropped. */
function featureWords(text: string): string[] {
  const clean = fold(normalizeText(text))
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/^rt\s+@\w+:?/, ' ');
  return clean.match(WORD) ?? [];
}

/**
 * 64-bit SimHash over word 3-shingles (case-, accent- and URL-insensitive), for grouping reposts and
 * syndicated copies: near-identical texts differ in few bits (see `hammingDistance`,
 * `nearDuplicateOf`). Texts under three words hash their words; an empty text hashes to 0n.
 */
export function simhash64(text: string): bigint {
  const words = featureWords(text);
  const features: string[] = [];
  if (words.length < 3) features.push(...words);
  else
    for (let i = 0; i + 3 <= words.length; i++) features.push(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
  if (features.length === 0) return 0n;
  const votes = new Int32Array(64);
  for (const feature of features) {
    const lo = hash32(feature, 0);
    const hi = hash32(feature, 0x9747b28c);
    for (let bit = 0; bit < 32; bit++) {
      votes[bit] += (lo >>> bit) & 1 ? 1 : -1;
      votes[bit + 32] += (hi >>> bit) & 1 ? 1 : -1;
    }
  }
  let lo = 0;
  let hi = 0;
  for (let bit = 0; bit < 32; bit++) {
    if (votes[bit] > 0) lo |= 1 << bit;
    if (votes[bit + 32] > 0) hi |= 1 << bit;
  }
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Number of differing bits between two 64-bit hashes (signed or unsigned representations alike). */
export function hammingDistance(a: bigint, b: bigint): number {
  let x = (a ^ b) & MASK64;
  let n = 0;
  while (x !== 0n) {
    x &= x - 1n;
    n++;
  }
  return n;
}

/**
 * The id of the closest candidate within `maxDistance` bits of `hash` (default 3 of 64), or null.
 * Ties go to the earliest candidate, so passing candidates oldest first groups copies under the original.
 */
export function nearDuplicateOf(
  hash: bigint,
  candidates: { id: string; hash: bigint }[],
  maxDistance = 3,
): string | null {
  let best: string | null = null;
  let bestDistance = maxDistance + 1;
  for (const c of candidates) {
    const d = hammingDistance(hash, c.hash);
    if (d < bestDistance) {
      best = c.id;
      bestDistance = d;
    }
  }
  return best;
}

/** An unsigned 64-bit hash as the signed value a Postgres `bigint` column stores (two's complement). */
export function toSignedBigint(hash: bigint): bigint {
  return BigInt.asIntN(64, hash);
}

/** A Postgres `bigint` (signed) back to the unsigned 64-bit hash. */
export function fromSignedBigint(value: bigint): bigint {
  return BigInt.asUintN(64, value);
}
