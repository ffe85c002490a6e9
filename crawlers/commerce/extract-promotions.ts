import type { CheerioAPI } from 'cheerio';
import type { AnyNode } from 'domhandler';
import { isElement, markers, textOf } from './dom-position.ts';
import { parsePrice } from './parse-price.ts';
import { DATE_PATTERN, parsePromoDate } from './parse-promo-date.ts';
import type { ExtractHints, Promotion } from './types.ts';

const SKIP_TAGS = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'select',
  'option',
  'footer',
  'nav',
  'head',
]);
/** Other products' badges are not this page's promotions. */
const FOREIGN_BLOCK =
  /related|recommend|carousel|upsell|cross-?sell|similar|also-?(?:bought|viewed)|recently|cookie/;

const COUPON_KEY =
  /\b(?:use|enter|apply)\s+(?:the\s+)?(?:promo\s+|discount\s+)?(?:code|coupon)\b|\b(?:promo\s*code|coupon\s*code|discount\s*code|code|coupon|cupom|c[oó]digo|gutschein(?:code)?|voucher|code\s+promo)\b/giu;
const CODE = /^\s*[:"'“«]?\s*["'“«]?([A-Z0-9][A-Z0-9_-]{2,19})(?![\w-])/u;
const PERCENT =
  /(?:-\s?|\b(?:save|up to|até|bis zu|jusqu'à|hasta|extra)\s+)?(\d{1,2}(?:[.,]\d)?)\s?%\s*(off|de desconto|desconto|de descuento|descuento|rabatt|de réduction|de remise|sconto|korting|скидка)?/giu;
const AMOUNT_OFF =
  /\b(?:save|economize|spare)\s+([^\s\d]{0,4}\s?\d[\d.,]*(?:\s?[^\s\d]{1,4})?)|([^\s\d]{0,4}\s?\d[\d.,]*(?:\s?[^\s\d]{1,4})?)\s+(?:off|de desconto|de descuento|rabatt)\b/iu;
const BOGO =
  /\bbogo\b|\bbuy\s+(?:one|1|two|2)\s*,?\s+get\s+(?:one|1|two|2)|\bbuy\s+\d+\s*,?\s+get\s+\d+|\bleve\s+\d+\s*,?\s+pague\s+\d+|\bcompre\s+\d+\s*,?\s+leve\s+\d+|\b(?:2|3)\s?(?:x|for|pour|für|por)\s?(?:1|2)\b|\bsecond\s+(?:one|item)\s+(?:half price|free)/iu;
const FREE_SHIPPING =
  /\bfree\s+(?:standard\s+|express\s+)?(?:shipping|delivery)\b|\bfrete\s+gr[aá]tis\b|\blivraison\s+(?:gratuite|offerte)\b|\bkostenlose[rn]?\s+versand\b|\bversandkostenfrei\b|\benv[ií]o\s+gratis\b|\bspedizione\s+gratuita\b|\bgratis\s+verzending\b|бесплатная\s+доставка/iu;
const THRESHOLD =
  /\b(?:over|above|on orders (?:over|above|of)|orders over|acima de|a partir de|ab|dès|d[eè]s|from|über|desde|sopra)\s+([^\s\d]{0,4}\s?\d[\d.,]*(?:\s?[^\s\d]{1,4})?)/iu;
const SALE_WORD =
  /\b(?:on sale|sale|clearance|black friday|cyber monday|liquidação|promoção|promoçao|soldes|oferta|rebajas|saldi|angebot|aktion|promo)\b/iu;
/** Sale announcements that are unambiguous even inside a longer sentence. */
const SALE_PHRASE =
  /\b(?:flash|summer|winter|spring|holiday|big|mega|clearance|end of season|warehouse|anniversary)\s+sale\b|\bsale\s+(?:ends|now on|starts|is on)\b|\bblack friday\b|\bcyber monday\b|\bliquidação\b|\bsoldes\b/iu;
const END_KEY =
  /\b(?:until|till|through|thru|ends?|ending|expires?|valid (?:until|through|till)|válid[oa] até|valable jusqu'au|jusqu'au|gültig bis|bis|hasta|fino al|até|offer ends|ends on)\s*:?\s*/iu;
const START_KEY = /\b(?:starts?|starting|from|a partir de|à partir du|ab|desde|dal|von)\s*:?\s*/iu;

function dateAfter(text: string, key: RegExp, hints: ExtractHints, reference: Date | null): string | null {
  const re = new RegExp(key.source + `(${DATE_PATTERN.source})`, 'iu');
  const m = re.exec(text);
  return m ? parsePromoDate(m[1], hints.locale, reference) : null;
}

/** Short, self-contained texts that may announce a deal: badges, banners, callouts. */
function promoTexts($: CheerioAPI): string[] {
  const out: string[] = [];
  const walk = (node: AnyNode, depth: number) => {
    if (!isElement(node) || depth > 60 || SKIP_TAGS.has(node.name) || FOREIGN_BLOCK.test(markers(node)))
      return;
    const directText = node.children.some(
      (c) => c.type === 'text' && /\S/.test((c as { data: string }).data),
    );
    const full = textOf(node).replace(/\s+/g, ' ').trim();
    if (directText && full.length > 0 && full.length <= 240) {
      out.push(full);
      return;
    }
    for (const c of node.children) walk(c, depth + 1);
  };
  const body = $('body')[0];
  if (body) walk(body, 0);
  $('meta[name="description"], meta[property="og:description"]').each((_, el) => {
    const c = el.attribs.content?.trim();
    if (c && c.length <= 240) out.push(c);
  });
  return out;
}

/** Reads the deals in one text; several kinds may share a text ("20% off with code GLOW20"). */
export function readPromotionsInText(
  text: string,
  hints: ExtractHints,
  reference: Date | null = null,
): Promotion[] {
  const found: Promotion[] = [];
  const base = {
    text,
    code: null as string | null,
    percentOff: null as number | null,
    startsAt: dateAfter(text, START_KEY, hints, reference),
    endsAt: dateAfter(text, END_KEY, hints, reference),
  };
  const priceOpts = { currency: hints.currency, locale: hints.locale };

  let code: string | null = null;
  for (const m of text.matchAll(COUPON_KEY)) {
    const c = CODE.exec(text.slice(m.index + m[0].length));
    if (c && /[A-Z]/.test(c[1]) && !/^(?:OFF|FREE|AND|THE|FOR|CODE)$/.test(c[1])) {
      code = c[1];
      break;
    }
  }

  let percent: number | null = null;
  for (const m of text.matchAll(PERCENT)) {
    const explicit = m[2] !== undefined || /^-|save|up to|até|bis|jusqu|hasta|extra/i.test(m[0]);
    if (!explicit) continue;
    const value = Number(m[1].replace(',', '.'));
    if (value > 0 && value < 100) {
      percent = value;
      break;
    }
  }
  if (percent !== null) found.push({ ...base, kind: 'percent_off', code, percentOff: percent });

  const amount = AMOUNT_OFF.exec(text);
  const amountText = amount ? (amount[1] ?? amount[2]) : null;
  if (amountText && percent === null) {
    const parsed = parsePrice(amountText, priceOpts);
    if (parsed.amount !== null && parsed.currencyRaw !== null) {
      found.push({ ...base, kind: 'amount_off', code, amountOff: parsed.amount, currency: parsed.currency });
    }
  }
  if (BOGO.test(text)) found.push({ ...base, kind: 'bogo', code });
  if (FREE_SHIPPING.test(text)) {
    const t = THRESHOLD.exec(text);
    const min = t ? parsePrice(t[1], priceOpts) : null;
    found.push({
      ...base,
      kind: 'free_shipping',
      code,
      minimumSpend: min?.amount ?? null,
      currency: min?.amount ? min.currency : null,
    });
  }
  if (code !== null && found.length === 0) found.push({ ...base, kind: 'coupon', code });
  if (found.length === 0 && ((text.length <= 30 && SALE_WORD.test(text)) || SALE_PHRASE.test(text)))
    found.push({ ...base, kind: 'sale' });
  return found;
}

/**
 * Finds promotions announced on a page: coupon codes, percent or amount off, buy-one-get-one,
 * free shipping (with its minimum spend), plain "sale" badges, with start/end dates when stated.
 * Texts inside related-product blocks, navigation and footers are ignored; duplicates (same kind,
 * code and figure) are reported once. Never throws.
 */
export function extractPromotions($: CheerioAPI, hints: ExtractHints): Promotion[] {
  const reference = hints.fetchedAt ? new Date(hints.fetchedAt) : null;
  const seen = new Map<string, Promotion>();
  for (const text of promoTexts($)) {
    for (const p of readPromotionsInText(
      text,
      hints,
      Number.isNaN(reference?.getTime()) ? null : reference,
    )) {
      const key = `${p.kind}|${p.code}|${p.percentOff}|${p.amountOff ?? ''}|${p.minimumSpend ?? ''}`;
      const prior = seen.get(key);
      if (!prior) seen.set(key, p);
      else if ((!prior.endsAt && p.endsAt) || (!prior.startsAt && p.startsAt)) {
        seen.set(key, { ...prior, endsAt: prior.endsAt ?? p.endsAt, startsAt: prior.startsAt ?? p.startsAt });
      }
    }
  }
  // A bare "sale" badge adds nothing when a more specific deal was found.
  const all = [...seen.values()];
  return all.some((p) => p.kind !== 'sale') ? all.filter((p) => p.kind !== 'sale') : all;
}
