import { describe, expect, it } from 'vitest';
import { type AspectSentiment, scoreSentiment } from '../../../analyzers/sentiment/index.ts';

function byAspect(aspects: AspectSentiment[]) {
  return Object.fromEntries(aspects.map((a) => [a.aspect, a]));
}

describe('scoreSentiment: aspects', () => {
  it('scores each aspect by its own clause', () => {
    const a = byAspect(scoreSentiment('love the shade, hate the price', { lang: 'en' }).aspects);
    expect(a.quality.label).toBe('positive');
    expect(a.quality.evidence).toBe('love the shade');
    expect(a.price.label).toBe('negative');
    expect(a.price.evidence).toBe('hate the price');
  });

  it('splits clauses on contrast conjunctions', () => {
    const a = byAspect(
      scoreSentiment('The scent is lovely but delivery was terribly slow', { lang: 'en' }).aspects,
    );
    expect(a.scent.label).toBe('positive');
    expect(a.delivery.label).toBe('negative');
  });

  it('finds all eight aspects in English', () => {
    const text =
      'Great price. The quality is poor. Packaging was damaged. Smells amazing. ' +
      'The texture is greasy. It lasts all day. Shipping was fast. Customer service was rude.';
    const a = byAspect(scoreSentiment(text, { lang: 'en' }).aspects);
    expect(Object.keys(a).sort()).toEqual(
      ['delivery', 'longevity', 'packaging', 'price', 'quality', 'scent', 'service', 'texture'].sort(),
    );
    expect(a.price.label).toBe('positive');
    expect(a.texture.label).toBe('negative');
    expect(a.service.label).toBe('negative');
  });

  it('finds aspects in Spanish and Portuguese', () => {
    const es = byAspect(
      scoreSentiment('Me encanta el olor, pero el precio es muy caro', { lang: 'es' }).aspects,
    );
    expect(es.scent.label).toBe('positive');
    expect(es.price.label).toBe('negative');
    const pt = byAspect(
      scoreSentiment('Adorei a textura, mas a entrega atrasou muito', { lang: 'pt' }).aspects,
    );
    expect(pt.texture.label).toBe('positive');
    expect(pt.delivery).toBeDefined();
  });

  it('reads late delivery as negative in each language, for the text and its delivery aspect', () => {
    for (const [text, lang] of [
      ['Delivery was late', 'en'],
      ['El envío se retrasó', 'es'],
      ['A entrega atrasou', 'pt'],
    ] as const) {
      const r = scoreSentiment(text, { lang });
      expect(r.label, text).toBe('negative');
      expect(byAspect(r.aspects).delivery?.label, text).toBe('negative');
    }
  });

  it('returns no aspects when none is mentioned', () => {
    expect(scoreSentiment('I am so happy today', { lang: 'en' }).aspects).toEqual([]);
  });
});
