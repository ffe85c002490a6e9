import { fold } from './fold-text.ts';
import { normalizeText } from './normalize-text.ts';

const MASK64 = (1n << 64n) - 1n;
const WORD = /[\p{L}\p{N}]+/gu;

const FNV_PRIME = 0x01000193;
const SEED_LO = (0x811c9dc5 ^ 0) >>> 0;
const SEED_HI = (0x811c9dc5 ^ 0x9747b28c) >>> 0;

/** FNV-1a steps over the UTF-16 units of `s`, from state `h`. */
function fnv(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h;
}

/** One space (the separator of shingle words). */
const fnvSpace = (h: number) => Math.imul(h ^ 32, FNV_PRIME);

/** murmur3's avalanche mix, as an unsigned 32-bit value. */
function finish(h: number): number {
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
 * Each feature is hashed twice (two seeds) with 32-bit FNV-1a of its UTF-16 units, finished with murmur3's
 * mix; a shingle is hashed as "w1 w2 w3" without building that string.
 */
export function simhash64(text: string): bigint {
  const words = featureWords(text);
  const n = words.length < 3 ? words.length : words.length - 2;
  if (n === 0) return 0n;
  // ones[b]: features whose hash has bit b set; a bit of the result is set when most features have it. Counted
  // eight bits at a time: lanes[j] holds, in its four bytes, the counts of bits j, j+8, j+16 and j+24 (of lo, and
  // of hi in lanes[j + 8]), flushed into ones before a byte can overflow.
  const ones = new Int32Array(64);
  const lanes = new Int32Array(16);
  let pending = 0;
  for (let i = 0; i < n; i++) {
    let lo: number;
    let hi: number;
    if (words.length < 3) {
      lo = finish(fnv(SEED_LO, words[i]));
      hi = finish(fnv(SEED_HI, words[i]));
    } else {
      const a = words[i];
      const b = words[i + 1];
      const c = words[i + 2];
      lo = finish(fnv(fnvSpace(fnv(fnvSpace(fnv(SEED_LO, a)), b)), c));
      hi = finish(fnv(fnvSpace(fnv(fnvSpace(fnv(SEED_HI, a)), b)), c));
    }
    for (let j = 0; j < 8; j++) {
      lanes[j] += (lo >>> j) & 0x01010101;
      lanes[j + 8] += (hi >>> j) & 0x01010101;
    }
    if (++pending === 255 || i === n - 1) {
      for (let j = 0; j < 8; j++) {
        for (let lane = 0; lane < 4; lane++) {
          ones[j + 8 * lane] += (lanes[j] >>> (8 * lane)) & 0xff;
          ones[32 + j + 8 * lane] += (lanes[j + 8] >>> (8 * lane)) & 0xff;
        }
      }
      lanes.fill(0);
      pending = 0;
    }
  }
  let lo = 0;
  let hi = 0;
  for (let bit = 0; bit < 32; bit++) {
    if (2 * ones[bit] > n) lo |= 1 << bit;
    if (2 * ones[bit + 32] > n) hi |= 1 << bit;
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
