import { describe, expect, it } from 'vitest';
import '../../../analyzers/language/index.ts';
import '../../../analyzers/sentiment/index.ts';

describe('importing the analyzers', () => {
  it('leaves Math.sign intact (natural is only used through its lexicon files)', () => {
    expect(Math.sign(0)).toBe(0);
    expect(Object.is(Math.sign(-0), -0)).toBe(true);
    expect(Math.sign(-3)).toBe(-1);
    expect(Math.sign(2)).toBe(1);
  });
});
