import type { Availability } from './types.ts';

const SHORT_NAMES: readonly Availability[] = [
  'InStock',
  'OutOfStock',
  'PreOrder',
  'BackOrder',
  'LimitedAvailability',
  'OnlineOnly',
  'InStoreOnly',
  'SoldOut',
  'Discontinued',
  'PreSale',
  'MadeToOrder',
  'Reserved',
];

/** Free-text phrasings, checked in order (negative phrasings before the positive ones they contain). */
const PHRASES: readonly [RegExp, Availability][] = [
  [
    /\b(?:out[\s_-]?of[\s_-]?stock|not available|unavailable|no longer available|currently unavailable)\b/i,
    'OutOfStock',
  ],
  [
    /\bsold[\s_-]?out\b|esgotad[oa]|agotad[oa]|épuisé|ausverkauft|nicht (?:auf lager|verfügbar)|indisponível|non disponibile|esaurito|нет в наличии|uitverkocht/i,
    'OutOfStock',
  ],
  [/\bdiscontinued\b/i, 'Discontinued'],
  [/\bpre[\s_-]?order\b|pré-venda|précommande|vorbestell/i, 'PreOrder'],
  [/\bback[\s_-]?order(?:ed)?\b/i, 'BackOrder'],
  [/\blimited (?:stock|availability)\b|\bonly \d+ left\b|últimas unidades/i, 'LimitedAvailability'],
  [
    /\bin[\s_-]?stock\b|\bavailable\b|em estoque|disponível|en stock|disponible|auf lager|lieferbar|disponibile|in voorraad|в наличии|na skladě|dostępny|på lager|i lager/i,
    'InStock',
  ],
];

/**
 * Maps schema.org availability IRIs ("http://schema.org/OutOfStock"), bare short names, OpenGraph
 * values ("in stock", "oos") and shop text ("esgotado", "épuisé") to a schema.org short name.
 * Returns null when the text says nothing about stock.
 */
export function normalizeAvailability(raw: string | null | undefined): Availability | null {
  if (!raw) return null;
  const value = raw.trim();
  if (!value) return null;
  const tail = value.slice(
    Math.max(value.lastIndexOf('/'), value.lastIndexOf('#'), value.lastIndexOf(':')) + 1,
  );
  const squashed = tail.replace(/[\s_-]/g, '').toLowerCase();
  const exact = SHORT_NAMES.find((n) => n.toLowerCase() === squashed);
  if (exact) return exact;
  if (squashed === 'oos') return 'OutOfStock';
  if (squashed === 'availablefororder') return 'InStock';
  for (const [re, name] of PHRASES) if (re.test(value)) return name;
  return null;
}
