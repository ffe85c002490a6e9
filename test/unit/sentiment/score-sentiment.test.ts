import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { analyzeValence } from '../../../analyzers/sentiment/analyze-valence.ts';
import { NEUTRAL_BAND, scoreSentiment } from '../../../analyzers/sentiment/index.ts';
import {
  DENSE_FEATURES,
  denseFeatures,
  visitSparseFeatures,
} from '../../../analyzers/sentiment/model-features.ts';
import { MODEL_SUMMARY, predictMargin } from '../../../analyzers/sentiment/predict-score.ts';

/** The rule pass alone, so each rule is tested without the learned weights on top. */
const en = (text: string) => analyzeValence(text, 'en').compound;

describe('scoreSentiment: result shape', () => {
  it('keeps score in [-1, 1], confidence in [0, 1] and labels by the one neutral band', () => {
    for (const text of [
      'I love it!!!',
      'worst purchase ever, total waste of money',
      'The box is blue.',
      '',
    ]) {
      const r = scoreSentiment(text);
      expect(r.score).toBeGreaterThanOrEqual(-1);
      expect(r.score).toBeLessThanOrEqual(1);
      expect(r.confidence).toBeGreaterThanOrEqual(0);
      expect(r.confidence).toBeLessThanOrEqual(1);
      const expected =
        r.score >= NEUTRAL_BAND ? 'positive' : r.score <= -NEUTRAL_BAND ? 'negative' : 'neutral';
      expect(r.label).toBe(expected);
    }
  });

  it('scores empty text as neutral without throwing', () => {
    expect(scoreSentiment('').label).toBe('neutral');
    expect(scoreSentiment('   ').aspects).toEqual([]);
  });
});

describe('scoreSentiment: English rules', () => {
  it('reads plain praise and complaints', () => {
    expect(scoreSentiment('I do not like this serum at all', { lang: 'en' }).label).toBe('negative');
    expect(scoreSentiment('This serum is wonderful, I love it').label).toBe('positive');
    expect(scoreSentiment('This serum is terrible, I hate it').label).toBe('negative');
  });

  it('flips polarity under negation, including contractions and "no longer"', () => {
    expect(en("I don't like this cream")).toBeLessThan(en('I like this cream'));
    expect(en('This cream is not good')).toBeLessThan(0);
    expect(en('I never liked the formula')).toBeLessThan(en('I liked the formula'));
    expect(en('It no longer works well')).toBeLessThan(en('It works well'));
    expect(en('not bad at all')).toBeGreaterThan(en('bad'));
  });

  it('softens "not very good" relative to "not good"-style flips but keeps it negative', () => {
    expect(en('The lotion is not very good')).toBeLessThan(0);
  });

  it('intensifies with boosters and softens with diminishers', () => {
    expect(en('The colour is extremely good')).toBeGreaterThan(en('The colour is good'));
    expect(en('The colour is slightly good')).toBeLessThan(en('The colour is good'));
  });

  it('weights the clause after a contrast over the one before', () => {
    expect(en('The shade is lovely but the formula is awful')).toBeLessThan(0);
    expect(en('The formula is awful but the shade is lovely')).toBeGreaterThan(0);
    expect(en('Although it is pricey, it is excellent')).toBeGreaterThan(0);
    expect(en('It is excellent; however, it broke after a week and I hate it')).toBeLessThan(0);
  });

  it('treats "less" as a half flip and dampens the compared side', () => {
    expect(en('less greasy than my old moisturizer')).toBeGreaterThan(en('greasy'));
    expect(en('much better than the awful one I had')).toBeGreaterThan(0);
  });

  it('reads emoji and emoticons', () => {
    expect(en('new lipstick :)')).toBeGreaterThan(en('new lipstick'));
    expect(en('new lipstick :(')).toBeLessThan(en('new lipstick'));
    expect(en('new lipstick 😍')).toBeGreaterThan(en('new lipstick'));
    expect(en('new lipstick &lt;3')).toBeGreaterThan(en('new lipstick'));
  });

  it('boosts elongated words, ALL CAPS in mixed-case text and exclamation marks', () => {
    expect(en('this is goooood')).toBeGreaterThan(0);
    expect(en('the mascara is GREAT today')).toBeGreaterThan(en('the mascara is great today'));
    expect(en('the mascara is great!!!')).toBeGreaterThan(en('the mascara is great'));
  });

  it('dampens questions and flips praise with irony cues', () => {
    expect(Math.abs(en('is this cleanser good?'))).toBeLessThan(Math.abs(en('this cleanser is good.')));
    expect(en('Oh great, another broken pump. Thanks a lot')).toBeLessThan(0);
  });

  it('reads "never so" / "never this" as emphasis, not negation, in both lexicon channels', () => {
    const both = (text: string) => {
      const a = analyzeValence(text, 'en');
      return [a.compound, a.vaderCompound];
    };
    for (const score of both('I have never felt so happy')) expect(score).toBeGreaterThan(0);
    for (const score of both('I have never felt happy')) expect(score).toBeLessThan(0);
    for (const score of both('never this happy with a moisturizer')) expect(score).toBeGreaterThan(0);
  });

  it('negates after "least", except in "at least" and "the very least"', () => {
    expect(en('the least helpful answer I got')).toBeLessThan(0);
    expect(en('at least the answer was helpful')).toBeGreaterThan(0);
    expect(en('it was the very least helpful thing to do')).toBeGreaterThan(0);
    expect(analyzeValence('the least helpful answer I got', 'en').vaderCompound).toBeLessThan(0);
  });

  it('knows VADER\'s idioms and does not read "kind of" as praise', () => {
    expect(en('that new palette is the bomb')).toBeGreaterThan(0);
    expect(en('the new palette is to die for')).toBeGreaterThan(0);
    expect(en('that cleanser was the kiss of death for my skin')).toBeLessThan(0);
    expect(en('the serum is kind of sticky')).toBeCloseTo(en('the serum is sticky'), 9);
    expect(en('the serum is sort of sticky')).toBeCloseTo(en('the serum is sticky'), 9);
  });

  it('amplifies the VADER channel with repeated question marks, as VADER does', () => {
    const vader = (text: string) => analyzeValence(text, 'en').vaderCompound;
    expect(vader('you got the new palette, great???')).toBeGreaterThan(
      vader('you got the new palette, great?'),
    );
    expect(vader('they lost my order again???')).toBeLessThan(vader('they lost my order again?'));
  });

  it('knows the product and beauty vocabulary', () => {
    expect(scoreSentiment('this foundation broke me out').label).toBe('negative');
    expect(scoreSentiment('so cakey and patchy on my skin').label).toBe('negative');
    expect(scoreSentiment('the pilling is unbearable and it feels greasy').label).toBe('negative');
    expect(scoreSentiment('overpriced for what it is').label).toBe('negative');
    expect(scoreSentiment('my holy grail, worth every penny').label).toBe('positive');
    expect(scoreSentiment('long-lasting and smells amazing').label).toBe('positive');
    expect(scoreSentiment('a great dupe for the expensive one').label).toBe('positive');
  });
});

describe('scoreSentiment: Spanish', () => {
  const es = (text: string) => scoreSentiment(text, { lang: 'es' });

  it('reads praise and complaints', () => {
    expect(es('Me encanta este perfume, es excelente').label).toBe('positive');
    expect(es('Es un producto horrible y muy malo').label).toBe('negative');
  });

  it('negates with no / nunca / jamás', () => {
    expect(analyzeValence('No me gusta', 'es').compound).toBeLessThan(0);
    expect(es('No me gusta').score).toBeLessThan(es('Me gusta').score);
    expect(es('Nunca fue bueno').score).toBeLessThan(0);
    expect(es('Jamás lo recomiendo').score).toBeLessThan(0);
  });

  it('weights the clause after pero and the main clause after aunque', () => {
    expect(es('Es bonito pero es carísimo y malo').score).toBeLessThan(0);
    expect(es('Aunque es caro, es excelente').score).toBeGreaterThan(0);
  });

  it('is picked by the stopword vote when no lang is given', () => {
    expect(scoreSentiment('El envío fue pésimo y el producto llegó roto').label).toBe('negative');
  });
});

describe('scoreSentiment: Portuguese', () => {
  const pt = (text: string) => scoreSentiment(text, { lang: 'pt' });

  it('reads praise and complaints', () => {
    expect(pt('Adorei, o produto é ótimo').label).toBe('positive');
    expect(pt('Péssimo, o produto é horrível').label).toBe('negative');
  });

  it('negates with não / nunca / jamais', () => {
    expect(analyzeValence('Não gostei', 'pt').compound).toBeLessThan(0);
    expect(pt('Não gostei').score).toBeLessThan(0);
    expect(pt('Nunca foi bom').score).toBeLessThan(0);
    expect(pt('Jamais recomendo').score).toBeLessThan(0);
  });

  it('weights the clause after mas / porém and the main clause after embora', () => {
    expect(pt('O cheiro é bom, mas a embalagem é péssima').score).toBeLessThan(0);
    expect(pt('Bonito, porém horrível').score).toBeLessThan(0);
    expect(pt('Embora seja caro, é excelente').score).toBeGreaterThan(0);
  });
});

describe('scoreSentiment: neutral gate and model', () => {
  it('keeps factual statements inside the neutral band in every language', () => {
    for (const [text, lang] of [
      ['Meeting moved to 3pm on Thursday.', 'en'],
      ['Auto communities task force', 'en'],
      ['La reunión es el jueves a las tres.', 'es'],
      ['A reunião é na quinta-feira.', 'pt'],
    ] as const) {
      const r = scoreSentiment(text, { lang });
      expect(r.label, text).toBe('neutral');
      expect(Math.abs(r.score), text).toBeLessThan(NEUTRAL_BAND);
    }
  });

  it('moves texts the gate lets through out of the band, keeping the margin as the strength', () => {
    const strong = scoreSentiment('I absolutely love this, best purchase ever!', { lang: 'en' });
    const mild = scoreSentiment('It is a nice enough cream', { lang: 'en' });
    expect(strong.label).toBe('positive');
    expect(mild.score).toBeGreaterThanOrEqual(NEUTRAL_BAND);
    expect(strong.score).toBeGreaterThan(mild.score);
    expect(scoreSentiment('This is the worst serum I have ever used.').score).toBeLessThanOrEqual(
      -NEUTRAL_BAND,
    );
  });

  it('marks social-post style (handle, link, hashtag, emoji, emoticon) for the model, not plain prose', () => {
    const social = (text: string) => {
      const names: readonly string[] = DENSE_FEATURES;
      const f = denseFeatures(analyzeValence(text, 'en'));
      return { flag: f[names.indexOf('social')], vader: f[names.indexOf('social*vaderCompound')] };
    };
    for (const text of [
      '@maria loving the new palette',
      'new palette is out https://example.com/p',
      'new palette day #makeup',
      'new palette day 😍',
      'new palette day :)',
    ]) {
      expect(social(text).flag, text).toBe(1);
    }
    expect(social('The new palette is lovely.')).toEqual({ flag: 0, vader: 0 });
    expect(social('@maria loving the new palette').vader).toBeGreaterThan(0);
    expect(social('@maria hating the new palette').vader).toBeLessThan(0);
  });

  it('ships its nested cross-validated figures and one neutral band', () => {
    const cv = MODEL_SUMMARY.crossValidation as {
      folds: number;
      innerFolds: number;
      foldChoices: { lambda: number; threshold: number }[];
      metrics: Record<string, { n: number; macroF1: number; pearson: number }>;
    };
    expect(NEUTRAL_BAND).toBe(0.05);
    expect(Object.keys(cv.metrics).sort()).toEqual(['amazon', 'movies', 'nyt', 'tweets']);
    expect(cv.foldChoices).toHaveLength(cv.folds);
    expect(cv.innerFolds).toBeGreaterThan(1);
    const threshold = MODEL_SUMMARY.gateThreshold as number;
    expect(threshold).toBeGreaterThan(0);
    expect(threshold).toBeLessThan(1);
    expect(MODEL_SUMMARY.lambdaGrid).toContain(MODEL_SUMMARY.lambda);
  });
});

describe('scoreSentiment: the shipped scorer is the model the training script fitted', () => {
  const model = createRequire(import.meta.url)('../../../analyzers/sentiment/sentiment-model.json') as {
    bias: number;
    dense: number[];
    sparse: Record<string, number>;
  };

  /** The training script's margin: bias, dense weights, and each term / pair key per occurrence. */
  function trainingMargin(text: string): number {
    const a = analyzeValence(text, 'en', true);
    let s = model.bias;
    denseFeatures(a).forEach((x, j) => {
      s += model.dense[j] * x;
    });
    visitSparseFeatures(a, (k) => {
      s += model.sparse[k] ?? 0;
    });
    return Math.max(-1, Math.min(1, s));
  }

  it('gives the same margin, with repeated words and pairs counted as written', () => {
    for (const text of [
      'I love it, I love it, I love it so much',
      'bad bad bad, really really bad',
      'not good. not good at all, not good',
      'The lipstick is fine :) but the box was late and the box was crushed!!!',
      'have used it frequently and have had no problems.',
    ]) {
      expect(predictMargin(analyzeValence(text, 'en'), 'en'), text).toBeCloseTo(trainingMargin(text), 9);
    }
  });
});
