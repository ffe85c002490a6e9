/**
 * Price-string corpus (scrapinghub/price-parser's test table): runs `parsePrice` on each string with
 * its hint text and, when given, its decimal separator, and scores the amount (exact decimal, null
 * must match null) and the raw currency (case-insensitive exact), with and without the cases
 * upstream marks xfail. Rows with `check_currency: false` score the amount only. ISO codes are
 * scored separately on the rows whose expected currency is itself an ISO 4217 code (per Intl).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePrice } from '../../crawlers/commerce/index.ts';
import type { EvalOptions } from '../eval.ts';

interface PriceCase {
  id: string;
  text: string | null;
  currency_hint: string | null;
  amount: string | null;
  currency: string | null;
  xfail_upstream: boolean;
  decimal_separator_hint?: string;
  check_currency?: boolean;
}

interface Tally {
  n: number;
  amount: number;
  currencyN: number;
  currency: number;
}

/** Node's own ISO 4217 list, so the ISO score does not lean on our currency table. */
const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

const pct = (num: number, den: number) => (den === 0 ? null : Math.round((10000 * num) / den) / 100);

export async function evaluate({ dataDir, emit }: EvalOptions): Promise<Record<string, unknown>> {
  const cases = readFileSync(join(dataDir, 'cases.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as PriceCase);
  const all: Tally = { n: 0, amount: 0, currencyN: 0, currency: 0 };
  const clean: Tally = { n: 0, amount: 0, currencyN: 0, currency: 0 };
  let isoN = 0;
  let isoOk = 0;
  const misses: string[] = [];
  const started = performance.now();
  for (const c of cases) {
    const r = parsePrice(c.text, {
      currencyHint: c.currency_hint,
      decimalSeparator: c.decimal_separator_hint ?? null,
    });
    const amountOk = r.amount === c.amount;
    const scoreCurrency = c.check_currency !== false;
    const currencyOk = (r.currencyRaw ?? '').toLowerCase() === (c.currency ?? '').toLowerCase();
    for (const t of c.xfail_upstream ? [all] : [all, clean]) {
      t.n++;
      if (amountOk) t.amount++;
      if (scoreCurrency) {
        t.currencyN++;
        if (currencyOk) t.currency++;
      }
    }
    if (scoreCurrency && c.currency && ISO_4217.has(c.currency)) {
      isoN++;
      if (r.currency === c.currency) isoOk++;
    }
    if (!amountOk || (scoreCurrency && !currencyOk)) {
      misses.push(
        `${c.id}${c.xfail_upstream ? ' (xfail)' : ''}: ${JSON.stringify(c.text)} → ${r.amount} ${r.currencyRaw}`,
      );
    }
    emit({ id: c.id, amount: r.amount, currency: r.currencyRaw, currency_iso: r.currency });
  }
  const ms = performance.now() - started;
  return {
    cases: all.n,
    amountPct: pct(all.amount, all.n),
    currencyRawPct: pct(all.currency, all.currencyN),
    withoutXfail: {
      cases: clean.n,
      amountPct: pct(clean.amount, clean.n),
      currencyRawPct: pct(clean.currency, clean.currencyN),
    },
    isoOnCodeRows: { cases: isoN, pct: pct(isoOk, isoN) },
    microsPerCase: Math.round((ms * 1000) / all.n),
    misses,
  };
}
