import { describe, expect, it } from 'vitest';
import {
  detectPriceEvents,
  matchAlertRule,
  type PriceState,
  type RuleSpec,
  validateRule,
} from '../../analyzers/index.ts';
import { windowStartOf } from '../../jobs/crawl-target.ts';
import { DEAD_LETTER_ALERT_RULE } from '../../jobs/dead-letter.ts';

const state = (o: Partial<PriceState> = {}): PriceState => ({
  price: '20',
  listPrice: null,
  currency: 'USD',
  availability: 'InStock',
  promotions: [],
  ...o,
});
const noRange = { min: null, max: null };

describe('detectPriceEvents', () => {
  it('reports a price change with its percentage and a new 30-day low', () => {
    const [e] = detectPriceEvents(state({ price: '20.00' }), state({ price: '17' }), {
      isLaunch: false,
      range30: { min: '18', max: '22' },
    });
    expect(e.type).toBe('price_changed');
    expect(e.payload).toMatchObject({
      old: '20.00',
      new: '17',
      pct: -15,
      currency: 'USD',
      newLow30: true,
      newHigh30: false,
    });
  });

  it('sees no change when only the decimal notation differs', () => {
    expect(
      detectPriceEvents(state({ price: '20.00' }), state({ price: '20' }), {
        isLaunch: false,
        range30: noRange,
      }),
    ).toEqual([]);
  });

  it('never compares prices across currencies', () => {
    const events = detectPriceEvents(
      state({ price: '20', currency: 'USD' }),
      state({ price: '100', currency: 'BRL' }),
      {
        isLaunch: false,
        range30: noRange,
      },
    );
    expect(events.filter((e) => e.type === 'price_changed')).toEqual([]);
  });

  it('reports stock-outs and restocks, but not an unknown availability as a restock', () => {
    const out = detectPriceEvents(state(), state({ availability: 'OutOfStock' }), {
      isLaunch: false,
      range30: noRange,
    });
    expect(out.map((e) => e.type)).toEqual(['stock_out']);
    const back = detectPriceEvents(state({ availability: 'OutOfStock' }), state(), {
      isLaunch: false,
      range30: noRange,
    });
    expect(back.map((e) => e.type)).toEqual(['back_in_stock']);
    const unknown = detectPriceEvents(state({ availability: 'OutOfStock' }), state({ availability: null }), {
      isLaunch: false,
      range30: noRange,
    });
    expect(unknown).toEqual([]);
  });

  it('diffs promotions by kind, code and text', () => {
    const promo = { kind: 'coupon', text: '20% off with code GLOW20', code: 'GLOW20' };
    const started = detectPriceEvents(state(), state({ promotions: [promo] }), {
      isLaunch: false,
      range30: noRange,
    });
    expect(started.map((e) => e.type)).toEqual(['promotion_started']);
    const ended = detectPriceEvents(state({ promotions: [promo] }), state(), {
      isLaunch: false,
      range30: noRange,
    });
    expect(ended.map((e) => e.type)).toEqual(['promotion_ended']);
  });

  it('turns a launch product’s first observation into a launched event, and nothing else', () => {
    expect(detectPriceEvents(null, state(), { isLaunch: true, range30: noRange }).map((e) => e.type)).toEqual(
      ['launched'],
    );
    expect(detectPriceEvents(null, state(), { isLaunch: false, range30: noRange })).toEqual([]);
  });
});

describe('matchAlertRule', () => {
  const rule: RuleSpec = {
    id: 1,
    name: 'drop',
    eventType: 'price_changed',
    params: { minPct: 10, direction: 'down' },
    scope: {},
    cooldownSeconds: 3600,
  };
  const event = (pct: number, extra: Partial<Parameters<typeof matchAlertRule>[1]> = {}) => ({
    id: 7,
    type: 'price_changed',
    occurredAt: '2026-11-20T10:30:00Z',
    subject: 'product:3',
    competitor: 'GlowCo',
    category: 'lipstick',
    productName: 'Velvet Lipstick',
    url: 'https://shop.example/p/1',
    payload: { old: '20', new: String(20 * (1 + pct / 100)), pct, currency: 'USD' },
    ...extra,
  });

  it('fires on a drop at or beyond the threshold, not on a smaller drop or a rise', () => {
    expect(matchAlertRule(rule, event(-10))?.title).toBe('GlowCo cut Velvet Lipstick by 10%');
    expect(matchAlertRule(rule, event(-9.99))).toBeNull();
    expect(matchAlertRule(rule, event(15))).toBeNull();
  });

  it('puts every event of a cool-down window in the same window, so flapping is one alert', () => {
    const a = matchAlertRule(rule, event(-12, { occurredAt: '2026-11-20T10:05:00Z' }))!;
    const b = matchAlertRule(rule, event(-12, { occurredAt: '2026-11-20T10:55:00Z' }))!;
    expect(a.windowStart).toEqual(b.windowStart);
  });

  it('respects scope by competitor and category', () => {
    const scoped = { ...rule, scope: { competitors: ['BelezaBR'], categories: ['lipstick'] } };
    expect(matchAlertRule(scoped, event(-20))).toBeNull();
    expect(matchAlertRule(scoped, event(-20, { competitor: 'belezabr' }))).not.toBeNull();
  });

  it('only new 30-day lows when asked', () => {
    const lows = { ...rule, params: { ...rule.params, onlyNewLow30: true } };
    expect(matchAlertRule(lows, event(-20))).toBeNull();
    const e = event(-20);
    expect(matchAlertRule(lows, { ...e, payload: { ...e.payload, newLow30: true } })).not.toBeNull();
  });
});

describe('windowStartOf', () => {
  it('puts a tick that fires a little early in the window it was meant for', () => {
    expect(windowStartOf(59_900, 60).getTime()).toBe(60_000);
    expect(windowStartOf(60_000, 60).getTime()).toBe(60_000);
    expect(windowStartOf(119_000, 60).getTime()).toBe(60_000);
  });
});

describe('the dead-letter operator rule', () => {
  it('is a valid rule and reads as an operator alert, one per job name and window', () => {
    expect(validateRule(DEAD_LETTER_ALERT_RULE)).toBeNull();
    const rule: RuleSpec = { id: 9, ...DEAD_LETTER_ALERT_RULE };
    const event = {
      id: 77,
      type: 'job_dead_lettered',
      occurredAt: '2026-11-22T10:15:00Z',
      subject: 'job:crawl-target',
      competitor: null,
      category: null,
      productName: null,
      url: null,
      payload: {
        jobName: 'crawl-target',
        queue: 'crawl',
        attempts: 3,
        reason: 'stalled',
        lastError: 'lock lost',
      },
    };
    const alert = matchAlertRule(rule, event);
    expect(alert).toMatchObject({
      subject: 'job:crawl-target',
      title: 'Job failed for good: crawl-target',
      severity: 'warning',
    });
    expect(alert?.body).toContain('stalled after 3 attempt(s) on crawl; last error: lock lost');
    // The same job name later in the same hour falls in the same window: one alert, not one per dead letter.
    const later = matchAlertRule(rule, { ...event, id: 78, occurredAt: '2026-11-22T10:55:00Z' });
    expect(later?.windowStart).toEqual(alert?.windowStart);
  });
});
