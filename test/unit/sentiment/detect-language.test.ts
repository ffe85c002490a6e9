import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../../analyzers/language/index.ts';

/** Short posts we wrote, a line each: language, tab, text (test/fixtures/language/short-posts.tsv). */
const POSTS = readFileSync(new URL('../../fixtures/language/short-posts.tsv', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => line.split('\t') as [string, string]);
const postsIn = (lang: string) => POSTS.filter(([l]) => l === lang).map(([, text]) => text);

describe('detectLanguage', () => {
  it('detects longer text with franc and maps to ISO 639-1', () => {
    expect(detectLanguage('I love this moisturizer, it smells amazing and lasts all day long').lang).toBe(
      'en',
    );
    expect(detectLanguage('Este producto es muy bueno y lo recomiendo a todas mis amigas').lang).toBe('es');
    expect(detectLanguage('Adorei o produto, chegou rápido e o cheiro é ótimo demais').lang).toBe('pt');
    expect(detectLanguage('Le produit est très bien, je le recommande à tout le monde').lang).toBe('fr');
    expect(detectLanguage('Das ist sehr gut und ich bin mit dem Produkt wirklich zufrieden').lang).toBe('de');
  });

  it('falls back to stopwords for short text', () => {
    expect(detectLanguage('muy bueno').lang).toBe('es');
    expect(detectLanguage('não gostei').lang).toBe('pt');
    expect(detectLanguage('the best').lang).toBe('en');
  });

  it("says 'und' when unsure", () => {
    expect(detectLanguage('👍👍')).toEqual({ lang: 'und', confidence: 0 });
    expect(detectLanguage('ok').lang).toBe('und');
    expect(detectLanguage('').lang).toBe('und');
  });

  it('respects the only list', () => {
    const r = detectLanguage('Este producto es muy bueno y lo recomiendo a todas mis amigas', {
      only: ['en', 'pt'],
    });
    expect(['en', 'pt']).toContain(r.lang);
  });

  it('keeps confidence in [0, 1]', () => {
    const r = detectLanguage('This is a fairly ordinary English sentence about lipstick');
    expect(r.confidence).toBeGreaterThan(0);
    expect(r.confidence).toBeLessThanOrEqual(1);
  });

  it('reads an English post with words other languages also use as English', () => {
    // Portuguese "as" and "do", Spanish "no", German "die" and "so" are English words too.
    expect(detectLanguage('Students as well as teachers do benefit from such pro bono tutoring.').lang).toBe(
      'en',
    );
    expect(detectLanguage('No way, so good I could die. Do it!').lang).toBe('en');
  });

  it('never calls a short English post Spanish or Portuguese, and gets most of them', () => {
    const posts = postsIn('en');
    const langs = posts.map((t) => detectLanguage(t).lang);
    expect(langs.filter((l) => l === 'es' || l === 'pt')).toEqual([]);
    // A post with no function word and a trigram guess of little margin is 'und', not Swedish or Dutch.
    expect(langs.every((l) => l === 'en' || l === 'und')).toBe(true);
    expect(langs.filter((l) => l === 'en').length).toBeGreaterThanOrEqual(posts.length - 1);
  });

  it('keeps Spanish and Portuguese posts of a sentence', () => {
    for (const lang of ['es', 'pt']) {
      const langs = postsIn(lang).map((t) => detectLanguage(t).lang);
      expect(langs.filter((l) => l === 'en')).toEqual([]);
      expect(langs.filter((l) => l === lang).length).toBeGreaterThanOrEqual(langs.length - 1);
    }
  });

  it('leaves links, @handles and #hashtags out', () => {
    expect(detectLanguage('@glowco_official Love it, thanks so much! #glowup https://t.co/x').lang).toBe(
      'en',
    );
    expect(detectLanguage('@maria_beauty Adorei a nova paleta, as cores são lindas #maquiagem').lang).toBe(
      'pt',
    );
    // Nothing but a link and handles: nothing to go on.
    expect(detectLanguage('@anonymous @anonymous http://url_removed').lang).toBe('und');
  });
});
