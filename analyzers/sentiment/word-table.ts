/**
 * Open-addressing hash tables for the scoring hot path. The tokenizer hashes each word's lower-cased
 * characters while it scans them (`hashStep`), so a look-up costs one probe of a typed array and one
 * string comparison, not a `Map.get` that hashes a freshly sliced string again (profiled at a fifth of
 * scoring time). Both tables keep what a probe reads side by side, since with tens of thousands of
 * entries most look-ups are cache misses.
 */

/**
 * One step of the string hash over a character code: `h * 31 + code`, kept to 30 bits. Thirty, not 32:
 * the hash is then always a small integer (Smi) for V8, so a token's `hash` field holds it inline
 * instead of boxing about half of all hashes as heap numbers.
 */
export const hashStep = (h: number, code: number): number => (Math.imul(h, 31) + code) & 0x3fffffff;

/** The hash of a whole string; equals the tokenizer's running hash over the word's lower-cased form. */
export function hashString(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = hashStep(h, s.charCodeAt(i));
  return h;
}

/** Spreads a 32-bit hash over the table's slots (Fibonacci hashing). */
const slotOf = (h: number, shift: number): number => Math.imul(h, 0x9e3779b1) >>> shift;

/** Low bits of a WordTable slot: the entry's index + 1 (0 marks an empty slot). */
const INDEX_BITS = 17;
const INDEX_MASK = (1 << INDEX_BITS) - 1;
/** High bits of a slot: the low 15 bits of the key's hash, as a tag that rejects most other keys. */
const TAG_MASK = ~INDEX_MASK;

/**
 * Values that carry their own string key → looked up by that key; insert-only. Each slot is one int:
 * the entry's index beside a tag of the key's hash, so a probe rejects other keys without touching
 * them, and the key is compared on the value itself, which the caller reads next anyway. Four bytes a
 * slot (not eight, hash and index apart) halve the array a look-up misses in: in profiles the probe
 * and the key comparison, i.e. cache misses on a table of ~30k English entries, are the costliest
 * lines of scoring.
 */
export class WordTable<V extends { readonly key: string }> {
  private values: V[] = [];
  private hashes: number[] = [];
  /** One int per slot: `tagOf(hash) | (entry index + 1)`, 0 when empty. */
  private slots = new Int32Array(16);
  private shift = 28;

  get size(): number {
    return this.values.length;
  }

  get(key: string): V | undefined {
    return this.getHashed(hashString(key), key);
  }

  /** Look-up with the key's hash already known (`hashString(key)`). */
  getHashed(h: number, key: string): V | undefined {
    const slots = this.slots;
    const mask = slots.length - 1;
    const tag = h << INDEX_BITS;
    for (let p = slotOf(h, this.shift); ; p = (p + 1) & mask) {
      const s = slots[p];
      if (s === 0) return undefined;
      if ((s & TAG_MASK) === tag) {
        const v = this.values[(s & INDEX_MASK) - 1];
        if (v.key === key) return v;
      }
    }
  }

  /** Adds `value` under its key; a value already stored under that key is replaced. */
  set(value: V): void {
    const h = hashString(value.key);
    const slots = this.slots;
    const mask = slots.length - 1;
    const tag = h << INDEX_BITS;
    for (let p = slotOf(h, this.shift); ; p = (p + 1) & mask) {
      const s = slots[p];
      if (s === 0) break;
      if ((s & TAG_MASK) === tag && this.values[(s & INDEX_MASK) - 1].key === value.key) {
        this.values[(s & INDEX_MASK) - 1] = value;
        return;
      }
    }
    if (this.values.length >= INDEX_MASK) throw new Error('WordTable: too many entries');
    this.values.push(value);
    this.hashes.push(h);
    // At most 3/4 full: short probe runs, and a smaller array to keep in cache than at 1/2.
    if (this.values.length * 4 > slots.length * 3) this.rehash(2 * slots.length);
    else this.place(this.values.length - 1);
  }

  private place(index: number): void {
    const mask = this.slots.length - 1;
    const h = this.hashes[index];
    let p = slotOf(h, this.shift);
    while (this.slots[p] !== 0) p = (p + 1) & mask;
    this.slots[p] = (h << INDEX_BITS) | (index + 1);
  }

  private rehash(slotCount: number): void {
    this.slots = new Int32Array(slotCount);
    this.shift = 32 - Math.log2(slotCount);
    for (let i = 0; i < this.values.length; i++) this.place(i);
  }
}

/**
 * Non-negative integer keys (below 2^31) → numbers; insert-only. Keys and values sit in separate
 * arrays, so a probe walks four-byte keys (a quarter of the cache lines of key-value pairs of
 * doubles) and reads a value only for the key it finds.
 */
export class NumberTable {
  /** One key per slot, −1 when empty. */
  private keys = new Int32Array(16).fill(-1);
  private values = new Float64Array(16);
  private count = 0;
  private shift = 28;

  get size(): number {
    return this.count;
  }

  /** The value stored for `key`, or `fallback`. */
  get(key: number, fallback: number): number {
    const keys = this.keys;
    const mask = keys.length - 1;
    for (let p = slotOf(key, this.shift); ; p = (p + 1) & mask) {
      const k = keys[p];
      if (k === key) return this.values[p];
      if (k === -1) return fallback;
    }
  }

  set(key: number, value: number): void {
    if (!(Number.isInteger(key) && key >= 0 && key < 2 ** 31)) throw new Error(`bad key ${key}`);
    if ((this.count + 1) * 2 > this.keys.length) this.rehash(2 * this.keys.length);
    this.put(key, value);
  }

  private put(key: number, value: number): void {
    const keys = this.keys;
    const mask = keys.length - 1;
    let p = slotOf(key, this.shift);
    while (keys[p] !== -1 && keys[p] !== key) p = (p + 1) & mask;
    if (keys[p] === -1) this.count++;
    keys[p] = key;
    this.values[p] = value;
  }

  private rehash(slotCount: number): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.keys = new Int32Array(slotCount).fill(-1);
    this.values = new Float64Array(slotCount);
    this.shift = 32 - Math.log2(slotCount);
    this.count = 0;
    for (let p = 0; p < oldKeys.length; p++) if (oldKeys[p] !== -1) this.put(oldKeys[p], oldValues[p]);
  }
}
