import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../../analyzers/language/index.ts';

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
});
