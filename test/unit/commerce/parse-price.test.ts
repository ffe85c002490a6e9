import { describe, expect, it } from 'vitest';
import { parsePrice } from '../../../crawlers/commerce/index.ts';

describe('parsePrice', () => {
  it.each([
    ['1.299,90', null, '1299.9', null],
    ['1 299,90 €', null, '1299.9', '€'],
    ['R$ 49,90', null, '49.9', 'R$'],
    ['US$1,144,000', null, '1144000', 'US$'],
    ['12.-', null, '12', null],
    ['50,- Kč', null, '50', 'Kč'],
    ['from $9', null, '9', '$'],
    ["CHF 1'299.50", null, '1299.5', 'CHF'],
    ['1\u00a0298,00', null, '1298', null],
    ['₹ 1,00,000', null, '100000', '₹'],
    ['Rp 169.000', null, '169000', 'Rp'],
    ['0,750', null, '0.75', null],
    ['$119. 95', null, '119.95', '$'],
    ['Cena 283,50 PLN', null, '283.5', 'PLN'],
    ['تومان56,000', null, '56000', 'تومان'],
    ['3,500円', null, '3500', '円'],
    ['Free!', null, '0', null],
    ['No longer available', null, null, null],
    ['39.95', 'Price From £ 39.95', '39.95', '£'],
    ['5 799,00', 'Pris NOK 1 999,00', '5799', 'NOK'],
  ])('%s (hint %s) → %s %s', (text, hint, amount, currencyRaw) => {
    const r = parsePrice(text, { currencyHint: hint });
    expect(r.amount).toBe(amount);
    expect(r.currencyRaw).toBe(currencyRaw);
  });

  it('takes the low end of a range and exposes the high end', () => {
    expect(parsePrice('Estimate Price: $45,000 - $70,000')).toMatchObject({
      amount: '45000',
      rangeHigh: '70000',
    });
    expect(parsePrice('841,00 zł – 995,00 zł')).toMatchObject({ amount: '841', rangeHigh: '995' });
  });

  it('prefers the amount after "now" and the one beside the currency sign', () => {
    expect(parsePrice('Was $120.00 Now $60.00').amount).toBe('60');
    expect(parsePrice('Save 20% 49,99 €').amount).toBe('49.99');
  });

  it('uses an explicit decimal separator, including odd ones', () => {
    expect(parsePrice('423.923 KD', { decimalSeparator: '.' }).amount).toBe('423.923');
    expect(parsePrice('1250€ 60', { decimalSeparator: '€' }).amount).toBe('1250.6');
    expect(parsePrice('140.000', { decimalSeparator: ',' }).amount).toBe('140000');
  });

  it('reads three-digit decimals for three-decimal currencies and per locale', () => {
    expect(parsePrice('KWD 12.500').amount).toBe('12.5');
    expect(parsePrice('1,299', { locale: 'de-DE' }).amount).toBe('1.299');
    expect(parsePrice('1,299', { locale: 'en-US' }).amount).toBe('1299');
  });

  it('resolves ambiguous symbols to ISO with the ISO hint or the locale', () => {
    expect(parsePrice('$10').currency).toBe('USD');
    expect(parsePrice('$10', { currency: 'CAD' }).currency).toBe('CAD');
    expect(parsePrice('$10', { locale: 'es-MX' }).currency).toBe('MXN');
    expect(parsePrice('150 kr').currency).toBeNull();
    expect(parsePrice('150 kr', { locale: 'da-DK' }).currency).toBe('DKK');
    expect(parsePrice('150 kr', { locale: 'sv' }).currency).toBe('SEK');
    expect(parsePrice('¥1,200', { locale: 'zh-CN' }).currency).toBe('CNY');
    expect(parsePrice('¥1,200').currency).toBe('JPY');
    expect(parsePrice('R$ 10').currency).toBe('BRL');
    expect(parsePrice('12,00', { currency: 'EUR' })).toMatchObject({ currencyRaw: null, currency: 'EUR' });
  });

  it('does not read ISO-looking words or units as currencies', () => {
    expect(parsePrice('Pure & IP BP Ph. Eur. USP ACS AR LR')).toMatchObject({
      amount: null,
      currencyRaw: null,
    });
    expect(parsePrice('571.12坪').currencyRaw).toBeNull();
    expect(parsePrice(null, { currencyHint: 'REI' }).currencyRaw).toBeNull();
    expect(parsePrice(null, { currencyHint: 'Kč' })).toMatchObject({
      amount: null,
      currencyRaw: 'Kč',
      currency: 'CZK',
    });
  });
});

describe('one-letter signs after the amount', () => {
  it('reads them as the currency in a price text, as units or multipliers in scanned page text', () => {
    expect(parsePrice('200Q')).toMatchObject({ amount: '200', currencyRaw: 'Q' });
    expect(parsePrice('1 G')).toMatchObject({ amount: '1', currencyRaw: 'G' });
    for (const text of ['24K Gold', '1.5K reviews', '200Q', '50G', '1.5 L']) {
      expect(parsePrice(text, { scanning: true }).currencyRaw, text).toBeNull();
    }
    // Before the amount, or expected by the target, the letter is still the currency.
    expect(parsePrice('K 39.00', { scanning: true })).toMatchObject({ amount: '39', currencyRaw: 'K' });
    expect(parsePrice('R129', { scanning: true })).toMatchObject({ currencyRaw: 'R', currency: 'ZAR' });
    expect(parsePrice('1200 L', { scanning: true, currency: 'ALL' })).toMatchObject({
      amount: '1200',
      currencyRaw: 'L',
      currency: 'ALL',
    });
  });
});

describe('dates are not prices', () => {
  it('reads a bare day-month or a full date as no price', () => {
    for (const text of ['25-09', '03/07', '2026-11-20', '20/11/2026']) {
      expect(parsePrice(text).amount, text).toBeNull();
    }
    // ... while decimals and ascending ranges still are prices.
    expect(parsePrice('25.09').amount).toBe('25.09');
    expect(parsePrice('$10-12').amount).toBe('10');
  });
});
