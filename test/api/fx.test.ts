import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertEvents, upsertCompetitor, upsertProducts } from '../../db/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('FX rates and converted price changes', () => {
  it('loads ECB and CSV rates, answers the latest rate on or before a day, direct, inverse or via EUR', async () => {
    const ecb = `<Cube><Cube time="2026-11-18"><Cube currency="USD" rate="1.10"/><Cube currency="BRL" rate="6.00"/></Cube>
      <Cube time="2026-11-20"><Cube currency="USD" rate="1.20"/><Cube currency="BRL" rate="6.60"/></Cube></Cube>`;
    const loaded = await t.app.inject({
      method: 'POST',
      url: '/api/fx-rates',
      payload: { format: 'ecb', data: ecb },
    });
    expect(loaded.json()).toEqual({ loaded: 4 });
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/fx-rates',
      payload: { format: 'csv', data: '2026-11-20,EUR,USD,abc' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      error: 'FX_PARSE_ERROR',
      message: expect.stringMatching(/body\/data: line 1: bad rate/),
    });

    const rate = async (q: string) => (await t.app.inject(`/api/fx-rates?${q}`)).json();
    expect(await rate('from=EUR&to=USD&on=2026-11-19')).toMatchObject({ rate: 1.1, rateDate: '2026-11-18' });
    expect((await rate('from=USD&to=EUR&on=2026-11-21')).rate).toBeCloseTo(1 / 1.2, 6);
    const cross = await rate('from=BRL&to=USD&on=2026-11-20');
    expect(cross.rate).toBeCloseTo(1.2 / 6.6, 6);
    expect((await t.app.inject('/api/fx-rates?from=EUR&to=USD&on=2026-11-01')).statusCode).toBe(404);
  });

  it('gives each price change in the asked currency with the date of the rate it used', async () => {
    const c = await upsertCompetitor(t.tdb.db, {
      key: 'br',
      name: 'Beleza BR',
      brand: null,
      homepage: null,
      currency: 'BRL',
      locale: 'pt-BR',
    });
    const [p] = await upsertProducts(t.tdb.db, c.id, [{ url: 'https://shop.test/p/1', name: 'Batom' }], {
      launches: false,
    });
    await insertEvents(t.tdb.db, [
      {
        type: 'price_changed',
        dedupKey: 'fx-test-1',
        occurredAt: '2026-11-20T12:00:00Z',
        competitorId: c.id,
        productId: p.id,
        subject: `product:${p.id}`,
        payload: { old: '66.00', new: '33.00', pct: -50, currency: 'BRL' },
      },
    ]);
    const res = (await t.app.inject('/api/price-changes?convert=USD')).json();
    expect(res.items[0].converted).toEqual({
      currency: 'USD',
      oldPrice: 12,
      newPrice: 6,
      rate: expect.any(Number),
      rateDate: '2026-11-20',
    });
    const none = (await t.app.inject('/api/price-changes?convert=JPY')).json();
    expect(none.items[0].converted).toBeNull();
  });
});
