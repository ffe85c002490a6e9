/**
 * termFragments: what the store matches a term's mentions by. It must never miss a text that carries the term's key,
 * whatever form the term was displayed in (phrase, hashtag, plural, accents), once the text is folded the way the
 * store folds it (db/trends.ts: accents off, lowercase, no spaces or punctuation).
 */
import { describe, expect, it } from 'vitest';
import { collectTerms, termFragments, termKey } from '../../../analyzers/trends/index.ts';

/** The store's folding of a text, in JS. */
const fold = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\s!-/:-@[-`{-~]+/g, '');

function containsInOrder(text: string, fragments: string[]): boolean {
  let from = 0;
  for (const f of fragments) {
    const at = text.indexOf(f, from);
    if (at < 0) return false;
    from = at + f.length;
  }
  return true;
}

describe('termFragments', () => {
  it('gives each word its key, less a final y', () => {
    expect(termFragments('Glass Skin')).toEqual(['glass', 'skin']);
    expect(termFragments('#GlassSkin')).toEqual(['glassskin']);
    expect(termFragments('sérums')).toEqual(['serum']);
    expect(termFragments('berries smoothie')).toEqual(['berr', 'smoothie']);
    expect(termFragments("L'Oréal brushes")).toEqual(['loreal', 'brush']);
    expect(termFragments('  ')).toEqual([]);
  });

  it('never misses a text carrying the key, whichever form the term was displayed in', () => {
    const texts = [
      'my #GlassSkin routine',
      '#glassskin before and after',
      'Glass Skín in a week',
      'GLASS-SKINS on my feed',
      'glass skin, finally',
      'snail mucins and glass skins',
      'the berry smoothie is back',
      'two berries smoothies please',
      'Sérum Vitamina C é ótimo',
      "L'Oréal brushes are great",
      'loreal brush review',
    ];
    // Every term of every text, in the display form it had there, against every text that carries its key.
    const carriers = new Map<string, Set<string>>();
    const displays: [string, string][] = [];
    for (const t of texts)
      collectTerms(t, (key, display) => {
        displays.push([key, display]);
        if (!carriers.has(key)) carriers.set(key, new Set());
        carriers.get(key)!.add(t);
      });
    let checked = 0;
    for (const [key, display] of displays) {
      expect(termKey(display), display).toBe(key);
      for (const t of carriers.get(key)!) {
        expect(containsInOrder(fold(t), termFragments(display)), `${display} in ${t}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(60);
    // And the cross-form cases that matter most.
    expect(carriers.get('glassskin')?.size).toBe(6);
  });
});
