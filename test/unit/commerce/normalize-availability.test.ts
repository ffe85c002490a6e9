import { describe, expect, it } from 'vitest';
import { normalizeAvailability } from '../../../crawlers/commerce/index.ts';

describe('normalizeAvailability', () => {
  it.each([
    ['https://schema.org/InStock', 'InStock'],
    ['http://schema.org/OutOfStock', 'OutOfStock'],
    ['schema:PreOrder', 'PreOrder'],
    ['instock', 'InStock'],
    ['in stock', 'InStock'],
    ['out of stock', 'OutOfStock'],
    ['oos', 'OutOfStock'],
    ['Esgotado', 'OutOfStock'],
    ['Épuisé', 'OutOfStock'],
    ['Produto indisponível', 'OutOfStock'],
    ['Em estoque', 'InStock'],
    ['Only 3 left!', 'LimitedAvailability'],
    ['Currently unavailable', 'OutOfStock'],
    ['Blue', null],
    ['', null],
  ])('%s → %s', (raw, expected) => {
    expect(normalizeAvailability(raw)).toBe(expected);
  });
});
