import { describe, expect, it } from 'vitest';
import { tokenize } from '../../../analyzers/sentiment/tokenize.ts';
import { hashString, NumberTable, WordTable } from '../../../analyzers/sentiment/word-table.ts';

describe('WordTable', () => {
  it('finds every key after growing, misses absent ones, and replaces a value stored under the same key', () => {
    const table = new WordTable<{ key: string; n: number }>();
    const keys = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
    for (const [n, key] of keys.entries()) table.set({ key, n });
    expect(table.size).toBe(5000);
    for (const [n, key] of keys.entries()) expect(table.get(key)?.n).toBe(n);
    expect(table.get('absent')).toBeUndefined();
    expect(table.get('')).toBeUndefined();
    table.set({ key: 'w0', n: -1 });
    expect(table.size).toBe(5000);
    expect(table.get('w0')?.n).toBe(-1);
  });

  it('tells apart keys whose hashes collide', () => {
    // "Aa" and "BB" share a 31-multiplier hash; both must resolve to their own entry.
    expect(hashString('Aa')).toBe(hashString('BB'));
    const table = new WordTable<{ key: string }>();
    const aa = { key: 'Aa' };
    const bb = { key: 'BB' };
    table.set(aa);
    table.set(bb);
    expect(table.get('Aa')).toBe(aa);
    expect(table.get('BB')).toBe(bb);
    expect(table.getHashed(hashString('Aa'), 'BB')).toBe(bb);
  });
});

describe('tokenize: word hashes', () => {
  it("hashes each word's lower-cased form as hashString does, curly apostrophes folded", () => {
    const text = 'GREAT Don’t café ÉCLAIR n0t_bad x';
    for (const t of tokenize(text)) {
      if (t.kind === 0) expect(t.hash, t.raw).toBe(hashString(t.low));
    }
    expect(tokenize(text).map((t) => t.low)).toEqual(['great', "don't", 'café', 'éclair', 'n0t', 'bad', 'x']);
  });

  it('marks words written in capitals (two letters or more, no lower case)', () => {
    const shouted = tokenize('LOVE it A LOT, ÓTIMO, Ok').map((t) => [t.raw, t.shouted]);
    expect(shouted).toEqual([
      ['LOVE', true],
      ['it', false],
      ['A', false],
      ['LOT', true],
      [',', false],
      ['ÓTIMO', true],
      [',', false],
      ['Ok', false],
    ]);
  });
});

describe('NumberTable', () => {
  it('stores integer keys with their values and returns the fallback for absent keys', () => {
    const table = new NumberTable();
    for (let k = 0; k < 3000; k++) table.set(k * 32768 + (k % 7), k / 10);
    expect(table.size).toBe(3000);
    for (let k = 0; k < 3000; k++) expect(table.get(k * 32768 + (k % 7), NaN)).toBe(k / 10);
    expect(table.get(1, 0)).toBe(0);
    table.set(0, 5);
    expect(table.get(0, 0)).toBe(5);
    expect(table.size).toBe(3000);
    expect(() => table.set(-1, 0)).toThrow();
  });
});
