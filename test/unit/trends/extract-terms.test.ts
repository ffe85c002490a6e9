import { describe, expect, it } from 'vitest';
import { extractTerms, termKey } from '../../../analyzers/trends/index.ts';

describe('extractTerms', () => {
  it('yields content words and 2–3-word phrases without stop words at their edges', () => {
    const terms = extractTerms('just tried snail mucin from Auralis and wow');
    expect(terms).toContain('snail mucin');
    expect(terms).toContain('tried snail mucin');
    expect(terms).toContain('mucin from auralis');
    expect(terms).not.toContain('just');
    expect(terms).not.toContain('from auralis');
    expect(terms).not.toContain('mucin from');
  });

  it('does not build phrases across punctuation, handles or URLs', () => {
    const terms = extractTerms('not sure about snail mucin, seems overrated @bob http://x.co/a glow');
    expect(terms).toContain('seems overrated');
    expect(terms).not.toContain('mucin seems');
    expect(terms.some((t) => t.includes('bob') || t.includes('http'))).toBe(false);
    expect(terms).not.toContain('overrated glow');
  });

  it('applies Spanish and Portuguese stop words and folds accents', () => {
    const terms = extractTerms('El sérum de la marca é muito bom');
    expect(terms).toContain('serum');
    expect(terms).not.toContain('el');
    expect(terms).not.toContain('muito');
  });

  it('gives a camel-case hashtag, a lowercase hashtag and the plural phrase one key', () => {
    const key = termKey('glass skin');
    expect(termKey('#GlassSkin')).toBe(key);
    expect(termKey('#glassskin')).toBe(key);
    expect(termKey('Glass Skins')).toBe(key);
    expect(extractTerms('love #GlassSkin')).toContain('glass skin');
    expect(extractTerms('love #glassskin').map(termKey)).toContain(key);
  });

  it('returns each key once per mention', () => {
    const terms = extractTerms('#GlassSkin glass skin glass skins');
    expect(terms.filter((t) => termKey(t) === 'glassskin')).toHaveLength(1);
  });
});
