/**
 * Structured-product corpus: runs `extractProductPageFromHtml` on each page and scores name,
 * price (as a decimal), currency (ISO) and availability (schema.org short name) per field, plus
 * false-positive prices on hard negatives (cases whose expected price is null).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractProductPageFromHtml } from '../../crawlers/commerce/index.ts';
import type { EvalOptions } from '../eval.ts';

interface StructuredCase {
  id: string;
  html_file: string;
  expected_name: string | null;
  expected_name_alternatives?: string[];
  expected_price: string | null;
  expected_currency: string | null;
  expected_availability: string | null;
  expected_low_price?: string | null;
  expected_offer_prices?: string[];
}

const sameDecimal = (a: string | null, b: string | null) =>
  a === null || b === null ? a === b : Number(a) === Number(b) && a.trim() !== '' && b.trim() !== '';

export async function evaluate({ dataDir, emit }: EvalOptions): Promise<Record<string, unknown>> {
  const cases = readFileSync(join(dataDir, 'cases.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as StructuredCase);
  const score = { name: 0, price: 0, currency: 0, availability: 0, allFields: 0 };
  let negatives = 0;
  let falsePositives = 0;
  const misses: Record<string, unknown>[] = [];
  let ms = 0;
  for (const c of cases) {
    const html = readFileSync(join(dataDir, c.html_file), 'utf8');
    const started = performance.now();
    const page = extractProductPageFromHtml(html, { url: `https://example.test/${c.id}` });
    ms += performance.now() - started;
    const price = page.main?.price ?? null;
    const currency = page.main?.currency ?? null;
    const names = [c.expected_name, ...(c.expected_name_alternatives ?? [])].map((n) => n?.trim() ?? null);
    const priceOptions = [
      c.expected_price,
      c.expected_low_price ?? null,
      ...(c.expected_offer_prices ?? []),
    ].filter((p): p is string => p !== null);
    const ok = {
      name: names.includes(page.name?.trim() ?? null),
      price: c.expected_price === null ? price === null : priceOptions.some((p) => sameDecimal(p, price)),
      currency: currency === c.expected_currency,
      availability: page.availability === c.expected_availability,
    };
    if (c.expected_price === null) {
      negatives++;
      if (price !== null) falsePositives++;
    }
    for (const k of ['name', 'price', 'currency', 'availability'] as const) if (ok[k]) score[k]++;
    if (ok.name && ok.price && ok.currency && ok.availability) score.allFields++;
    else
      misses.push({
        id: c.id,
        got: { name: page.name, price, currency, availability: page.availability },
        reason: page.reason,
      });
    emit({ id: c.id, name: page.name, price, currency, availability: page.availability });
  }
  const pct = (n: number) => Math.round((1000 * n) / cases.length) / 10;
  return {
    cases: cases.length,
    namePct: pct(score.name),
    pricePct: pct(score.price),
    currencyPct: pct(score.currency),
    availabilityPct: pct(score.availability),
    allFieldsPct: pct(score.allFields),
    hardNegatives: negatives,
    falsePositivePrices: falsePositives,
    msPerPage: Math.round((ms / cases.length) * 10) / 10,
    misses,
  };
}
