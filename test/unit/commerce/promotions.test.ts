import { describe, expect, it } from 'vitest';
import { extractProductPageFromHtml, readPromotionsInText } from '../../../crawlers/commerce/index.ts';
import { fixture } from './fixture.ts';

const hints = { url: 'https://shop.test/', fetchedAt: '2026-11-20T10:00:00Z' };

describe('promotions', () => {
  it('reads coupon code with percent off and an end date', () => {
    const [p] = readPromotionsInText(
      'Use code GLOW20 for 20% off until Dec 3',
      hints,
      new Date(hints.fetchedAt),
    );
    expect(p).toMatchObject({ kind: 'percent_off', code: 'GLOW20', percentOff: 20, endsAt: '2026-12-03' });
  });

  it('rolls a yearless date into next year when it is well past, and keeps "--MM-DD" without a reference', () => {
    expect(readPromotionsInText('Sale ends Jan 5', hints, new Date(hints.fetchedAt))[0].endsAt).toBe(
      '2027-01-05',
    );
    expect(readPromotionsInText('20% off until Dec 3', hints)[0].endsAt).toBe('--12-03');
    expect(readPromotionsInText('20% off, ends 2026-12-03', hints)[0].endsAt).toBe('2026-12-03');
  });

  it('reads amount off, BOGO, free shipping with its threshold, coupon alone and plain sale', () => {
    expect(readPromotionsInText('R$ 10 off na segunda compra', hints)[0]).toMatchObject({
      kind: 'amount_off',
      amountOff: '10',
      currency: 'BRL',
    });
    expect(readPromotionsInText('Buy one, get one free', hints)[0].kind).toBe('bogo');
    expect(readPromotionsInText('BOGO on all socks', hints)[0].kind).toBe('bogo');
    expect(readPromotionsInText('Leve 2 pague 1', hints)[0].kind).toBe('bogo');
    expect(readPromotionsInText('Free shipping over $50', hints)[0]).toMatchObject({
      kind: 'free_shipping',
      minimumSpend: '50',
      currency: 'USD',
    });
    expect(readPromotionsInText('Frete grátis', hints)[0].kind).toBe('free_shipping');
    expect(readPromotionsInText('Coupon: WELCOME5', hints)[0]).toMatchObject({
      kind: 'coupon',
      code: 'WELCOME5',
    });
    expect(readPromotionsInText('SALE', hints)[0].kind).toBe('sale');
  });

  it('reads Portuguese "válido até 30/11" day-first', () => {
    const [p] = readPromotionsInText(
      '10% de desconto válido até 30/11',
      { url: 'x', locale: 'pt-BR' },
      new Date('2026-11-01T00:00:00Z'),
    );
    expect(p).toMatchObject({ percentOff: 10, endsAt: '2026-11-30' });
  });

  it('does not invent deals from ordinary text', () => {
    expect(readPromotionsInText('Made of 100% cotton. Terms of sale apply to all orders.', hints)).toEqual(
      [],
    );
    expect(readPromotionsInText('Enter your postcode', hints)).toEqual([]);
  });

  it('collects promotions on a page, ignoring badges of related products', () => {
    const page = extractProductPageFromHtml(fixture('jsonld-graph.html'), {
      url: 'https://loja.test/',
      locale: 'pt-BR',
    });
    const kinds = page.promotions.map((p) => p.kind).sort();
    expect(kinds).toEqual(['free_shipping', 'percent_off']);
    expect(page.promotions.find((p) => p.kind === 'percent_off')).toMatchObject({
      code: 'GLOW10',
      percentOff: 10,
      endsAt: '2026-11-30',
    });
    expect(page.promotions.some((p) => p.percentOff === 20)).toBe(false);
  });
});
