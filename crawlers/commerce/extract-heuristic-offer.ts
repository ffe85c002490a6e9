import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { LISTING_PATH, mayBeProductPage } from './discover-links.ts';
import { ancestry, isElement, markers, textOf, treeDistance } from './dom-position.ts';
import { parsePrice } from './parse-price.ts';
import { sourceConfidence } from './read-structured-items.ts';
import type { ExtractHints, Offer } from './types.ts';

/**
 * Blocks whose prices belong to other products or to no product. Promotion bars belong here: their
 * "free shipping over $50" sits near the top of every page, often nearer the h1 than the price.
 */
const FOREIGN_BLOCK =
  /related|recommend|carousel|slider|swiper|upsell|up-sell|cross-?sell|similar|also-?(?:bought|viewed|like)|you-may|recently|bundle|mini-?cart|cart-drawer|breadcrumb|footer|navbar|menu|megamenu|newsletter|promo-?bar|promo-?banner|announcement|free-?shipping/;
const FOREIGN_TAGS = new Set([
  'nav',
  'footer',
  'aside',
  'script',
  'style',
  'noscript',
  'template',
  'select',
  'option',
]);
/** Markers of a crossed-out/previous price: a list price, not the selling price. */
const STRUCK_TAGS = new Set(['s', 'del', 'strike']);
// BEM modifiers and elements ("price__old", "price--compare") need their own alternative: `\b` sees no
// boundary after `_`. "antes"/"pvpr" are the Spanish and Portuguese words shops name the old price by.
const LIST_MARKER =
  /\b(?:old|was|compare|strike|strikethrough|line-through|list-?price|msrp|rrp|before|original|crossed|antes|anterior|pvpr|uvp|statt)\b|(?:__|--)(?:old|was|before|compare|original|strike|crossed)\b|old-?price|was-?price|price-?old|price-?was|compare-?at|\blist-?price/;
/**
 * "Regular price": the list price when a lower selling price stands beside it, the price when none does
 * (a theme's only price on an item not on sale).
 */
const REGULAR_MARKER = /\bregular\b|price--?regular|regular-?price/;
/** Not struck, struck only by a "regular" marker, struck. */
type Struck = 0 | 1 | 2;
/** A control that puts a product in the cart (its label, value, name or class). */
export const ADD_TO_CART =
  /add[\s_-]*to[\s_-]*(?:cart|bag|basket|trolley)|buy[\s_-]*now|comprar|adicionar|ajouter au panier|in den warenkorb|warenkorb|aggiungi al carrello|añadir al carrito|в корзину|do koszyka|do košíku/i;

/** Site functions: a link to them (add to cart, wishlist, compare) never makes a product card. */
const FUNCTION_PATH =
  /\/(?:cart|basket|checkout|account|my-account|login|wishlist|compare|cdn-cgi)(?:\/|$|\.|\?)/i;
/** A price per kilo/litre/metre (EU "unit price", "Grundpreis"): never the price of the item. */
const UNIT_MARKER = /unit-?price|price-?per|per-?unit|base-?price|grundpreis|prix-?unitaire|preco-?unitario/;
/** The units a unit price is given per ("/kg", "per 100 ml"). */
const UNITS = String.raw`(?:kg|g|mg|l|lt|ltr|ml|cl|dl|oz|fl\.?\s?oz|lb|lbs|m|m2|m²|cm|sq\.?\s?ft|kilo|litre|liter|litro|gallon)(?![\p{L}\d])`;
const UNIT_TEXT = new RegExp(
  String.raw`(?:\/|\bper\b|\bpro\b|\bpar\b|\bpor\b|\bje\b)\s*(?:\d+(?:[.,]\d+)?\s*)?${UNITS}`,
  'iu',
);
/**
 * The same written just after the amount, in the next element (`<span>€8,65</span><span>/lt</span>`); per one,
 * ten, a hundred or a thousand units only, so a size beside the price ("$38.00 / 1.7 oz") keeps it the price.
 */
const UNIT_AFTER = new RegExp(
  String.raw`^\s*(?:\/|per(?![\p{L}])|pro(?![\p{L}])|par(?![\p{L}])|por(?![\p{L}])|je(?![\p{L}]))\s*(?:(?:1|10|100|1000)\s*)?${UNITS}`,
  'iu',
);
/** Superscript or "cents" spans holding the decimals of a split price (`$<b>39</b><sup>99</sup>`). */
const CENTS_MARKER = /cents|fraction|decimals/;

/*
 * What the words around an amount say it is. Read in the amount's line: its own text and the text of
 * the inline elements beside it (up to the nearest block), cut at the neighbouring amounts, so in
 * "Was $52.00 Now $39.00" or "$39.00 or 4 payments of $9.75" each amount gets its own words.
 */

/** Words right before an amount that make it a previous (crossed-out) price: "Was", "Original price was:", "PVP recomendado:". */
const STRUCK_BEFORE =
  /(?:^|[^\p{L}])(?:was|before|antes|reg\.|regularly|orig\.|original(?:ly|\s+price(?:\s+(?:was|is))?|\s*:)|list\s+price|compare\s+at(?:\s+price)?|msrp|rrp|srp|m\.r\.p\.?|mrp|uvp|statt|vorher|früher|ursprünglich(?:er\s+preis)?|pvpr|pvp\s+recomendado|precio\s+(?:anterior|original|recomendado|de\s+lista|normal)|preço\s+(?:anterior|original|recomendado|de\s+tabela|normal)|prix\s+(?:barré|initial|conseillé|de\s+référence|d'origine)|prezzo\s+(?:consigliato|originale|di\s+listino|pieno)|invece\s+di|en\s+lugar\s+de|em\s+vez\s+de)\s*[:.]?\s*$/iu;
/** "de R$ 59,90 por R$ 39,90", "van € 49 voor € 39", "von 49 € auf 39 €": the first is the old price. */
const FROM_BEFORE = /(?:^|[^\p{L}])(?:de|van|von)\s*:?\s*$/iu;
// Only when the next amount follows at once ("… por R$ 39,90"): "Precio de 19,95 € por unidad" names no new price.
const FROM_AFTER =
  /^\s*(?:por|voor|auf|para|pour)(?:\s+(?:apenas|só|solo|sólo|nur|seulement|only))?\s*:?\s*$/iu;
/**
 * Words right before an amount that is no price of the item: an instalment ("4 × ", "10x de ",
 * "4 interest-free payments of "), a saving ("Save ", "Ahorra "), an order threshold
 * ("orders over ", "pedidos superiores a "), a multi-buy tier ("Buy 3 for ", "leve 3 por "), a reward
 * or a gift's value ("earn ", "worth ").
 */
const NEVER_BEFORE = new RegExp(
  `(?:${[
    String.raw`(?<!(?:size|talla|tamanho|tam\.|größe|gr\.|taille|taglia|maat|rozmiar)\s*:?\s*)\b(?:[2-9]|[1-9]\d)\s*[x×]\s*(?:(?:sem|sin)\s+jur[oe]s\s+|sin\s+inter[eé]s(?:es)?\s+)?(?:de|of|à|a)?`,
    String.raw`\b\d+\s+(?:[\p{L}-]+\s+){0,2}(?:installments?|instalments?|payments?|parcelas?|prestaç(?:ões|ão)|mensalidades|cuotas?|pagos|mensualidades|raten|versements?|paiements?|termijnen)\b[^\d$€£]{0,24}`,
    String.raw`(?<![\p{L}])(?<!(?:con|com|with|after|mit|avec|après|nach|met|na|price|precio|preço|prix|preis|prezzo)\s+)(?:you\s+)?(?:save|saving|savings|ahorr(?:a|as|e|o|ás)|economi[zs]e|economia|poupe|poupa|sparen|spare|économisez|économie|risparmi[ao]?|bespaar|korting|descuento|desconto|rabatt|remise|discount)\b(?:\s+(?:de|of))?\s*:?(?:\s+(?:up\s+to|hasta|até|bis\s+zu|jusqu'à))?`,
    String.raw`\b(?:orders?|purchases?|compras?|pedidos?|encomendas?|commandes?|bestellungen?|ordini)\s+(?:over|above|of|from|de|superiores?\s+a|acima\s+de|a\s+partir\s+de|mais\s+de|más\s+de|à\s+partir\s+de|dès|ab|über|von|oltre)`,
    String.raw`\b(?:on|en|em|sur|auf)\s+(?:orders?|pedidos?|compras?|commandes?|bestellungen?)`,
    String.raw`\b(?:spend(?:ing)?|bestellwert)(?:\s+(?:over|at\s+least|more\s+than))?`,
    String.raw`\b(?:minimum|mínimo|min\.)(?:\s+(?:order|purchase|de\s+compra|pedido))?\s*(?:of|de)?`,
    String.raw`(?<!(?:of|de|da|von|x)\s+)\b\d+\s*\+?\s*(?:for|por|pour|für|voor)`,
    String.raw`\b(?:earn|gana|ganhe|ganha|receba|recibe|cashback|worth|valued\s+at|value\s+of|valor\s+de|valeur\s+de|im\s+wert\s+von)`,
    // A coupon or voucher: "Cupón de 5 €", "Coupon: $10", "Gutschein über 10 €".
    String.raw`(?<![\p{L}])(?:coupons?|cup[oó]n(?:es)?|cupom|cupons|vouchers?|gutscheine?|bon\s+d[e']\s*(?:achat|réduction)|code\s+promo|promo\s*code)(?:\s+(?:de|of|von|über|worth))?`,
    // A fee or deposit charged beside the price: "Inclui Ecovalor de 2,00 €", "Pfand", "éco-participation".
    String.raw`(?<![\p{L}])(?:eco[\s-]?valor|[ée]co[\s-]?participation|[ée]co[\s-]?part\.?|ecotasa|eco[\s-]?tax[ea]?|pfand|deposit|consigne|statiegeld|(?:recycling|environmental|disposal|handling)\s+fee)(?:\s+(?:de|of|von|incl\.?|inclu[ií]d[ao]))?`,
    // A multi-buy tier: "Leve 2, pague 11,98 €", "Buy 2, pay", "2ª unidad:", "2nd item".
    String.raw`(?<![\p{L}])(?:leve|lleva|llévate|take|buy|compre|compra|nimm|kaufe|achetez|prenez)\s+\d+\s*,?\s*(?:(?:e|y|and|und|et)\s+)?(?:pague|paga|pay|zahle|zahl|payez)`,
    String.raw`(?:(?<![\p{L}\d])\d\s*(?:ª|º|°|nd|rd|th|e|ème|te|\.)|(?<![\p{L}])(?:segund[ao]|second|zweite[sn]?|deuxième))\s*(?:unidad|unidade|unité|einheit|unit|item|artículo|artigo|article|stück|produto|producto)(?:\s+(?:por|a|à|al|ao|for|für|zu|pour))?`,
    // Another offer of the same item, not this one: "Open-Box: from $679.99", "Used from", "New (12) from".
    String.raw`(?<![\p{L}])(?:open[\s-]?box|refurbished|renewed|pre-?owned|used|reacondicionad[oa]s?|recondicionad[oa]s?|usad[oa]s?|seminuev[oa]s?|gebraucht|b-ware|generalüberholt|reconditionnés?|occasion|ricondizionat[oi]|usat[oi]|(?:new|neu|nuevo|novo|neuf)\s*\(\d+\)|buying\s+choices|other\s+sellers|more\s+offers|otras\s+ofertas|outras\s+ofertas|weitere\s+angebote|autres\s+offres)\s*(?:\(\d+\))?\s*[:,]?\s*(?:from|desde|a\s+partir\s+de|ab|dès|à\s+partir\s+de|da|starting\s+at)`,
    String.raw`(?<![\p{L}])(?:open[\s-]?box|refurbished|renewed|pre-?owned|reacondicionad[oa]s?|recondicionad[oa]s?|gebraucht|b-ware|generalüberholt|reconditionnés?)\s*:`,
    // An add-on sold with it: "2-Year Protection $89.99", "Extended warranty", "Gift wrap +$5".
    String.raw`\b\d+[\s-]*(?:years?|yrs?|jahre?|ans?|años?|anos?|anni)[\s-]*(?:protection(?:\s+plan)?|warranty|garantie|garant[ií]a|garanzia)`,
    String.raw`(?<![\p{L}])(?:protection\s+plan|extended\s+warranty|garant[ií]a\s+extendida|garantia\s+estendida|garantieverlängerung|extension\s+de\s+garantie|applecare\+?|gift[\s-]*wrap(?:ping)?|geschenkverpackung|emballage\s+cadeau|papel\s+de\s+regalo|embrulho(?:\s+para)?\s+presente)(?:\s+(?:for|por|für|pour|de))?`,
  ].join('|')})\\s*[:.]?\\s*[-−+]?\\s*$`,
  'iu',
);
/** Words right after an amount that is no price of the item: "$50+", "($25 value)", "$3.90 back", "$13 off". */
const NEVER_AFTER =
  /^(?:\+(?!\s*(?:\d|shipping|s&h|tax|vat|iva|mwst|envío|envio|frete|portes|versand|livraison|p&p|postage|delivery))|\s*\)?\s*(?:value|worth|valor|valeur|wert|valore|waarde)(?![\p{L}])(?!\s+(?:size|set|pack|kit|bundle|edition))|\s*(?:back(?!\s+(?:in\s+stock|to|order))|cash\s?back|off|in\s+(?:rewards?|points|credit)|de\s+(?:desconto|descuento|cashback|volta|cup[oó]n|cupom)|coupons?|cup[oó]n|cupom|vouchers?|gutschein|pfand|deposit|consigne|statiegeld)(?![\p{L}-])|\s?[x×](?:\s+(?:de|of|à|a|sem|sin)(?![\p{L}])|\s*$))/iu;
/**
 * An amount per month or week ("$12/mo", "29 € al mes"): a financing plan's instalment beside a price, but
 * the price itself of a subscription; so it only loses to other prices.
 */
const PERIOD_AFTER =
  /^\s*(?:(?:\/|per|a|al|por|ao|pro|par|each)\s*(?:mo|mos|month|mth|mes|mês|monat|mois|mese|maand|wk|week|semana)|monthly|mensais|mensuales?|mtl|monatl(?:ich)?|mensuel(?:le)?s?|al\s+mese|p\.\s?m)(?![\p{L}])/iu;
/** Shipping words: an amount in a line about shipping is a threshold or a shipping cost. */
const SHIPPING =
  /\b(?:shipping|delivery|envío|envíos|envio|envios|entrega|frete|portes|livraison|versand|versandkostenfrei|lieferung|spedizione|verzending|bezorging)\b/iu;
/** How a line's words lead to a threshold or a cost: "…over", "…a partir de", "…from", "…:". */
const LEADS_TO_AMOUNT =
  /(?:\b(?:over|above|from|of|de|desde|acima\s+de|ab|dès|más\s+de|mais\s+de|superiores?\s+a|von|orders?|at)|:)\s*$/iu;
/** Pay-later providers and their words: their amounts are instalments. */
const FINANCING =
  /\b(?:afterpay|klarna|affirm|sezzle|clearpay|quadpay|zip\s?pay|laybuy|humm|openpay|atome|tabby|tamara|scalapay|sequra|aplazo|kueski|interest[-\s]free|sem\s+juros|sin\s+intereses|zinsfrei)\b/iu;
/**
 * Financing words: an amount in a line they open and lead to ("Finanzierung ab 54,13 €", "EMI starts at ₹63")
 * is an instalment. Unlike the providers' names, they do not make an amount followed by them one.
 */
const FINANCE_WORDS =
  /(?:^|[^\p{L}])(?:financing|finance|financement|financiación|financiamiento|financiamento|finanziamento|finanzierung|ratenkauf|emi|no\s+cost\s+emi|0\s?%\s+apr)(?![\p{L}])/iu;
/**
 * The EU Omnibus note: the lowest price of the last 30 days (before the reduction), shown beside a sale price,
 * never the price itself. "Najniższa cena z 30 dni przed obniżką:", "Niedrigster Preis der letzten 30 Tage".
 */
const OMNIBUS =
  /(?:lowest|niedrigste[rn]?|tiefstpreis|najniższa|plus\s+bas|m[ií]nimo|menor|más\s+bajo|mais\s+baixo|più\s+basso|laagste|nejnižší|najnižšia|lägsta|laveste|alacsonyabb|cel\s+mai\s+mic)(?![^\d]{0,60}(?:guarantee|garant|promise|match))[^\d]{0,60}\d+\s*(?:\p{L}+\s+)?(?:days?|tage[n]?|dni|jours|días|dias|giorni|dagen|dní|dnů|dagar|dage|nap|zile)(?![\p{L}])(?![\s-]*(?:returns?|free\s+returns|money|trial|devoluci|devoluç|rückgabe|retours?|reso))|(?:^|[^\p{L}])(?:przed\s+obniżką|vor\s+(?:der\s+)?(?:preissenkung|preisreduzierung|reduzierung)|prior\s+to\s+(?:the\s+)?(?:price\s+)?(?:discount|reduction)|avant\s+(?:la\s+)?(?:réduction|remise))(?![\p{L}])/iu;
const OMNIBUS_AFTER =
  /^\s*[-–(]?\s*(?:lowest|niedrigste[rn]?|najniższa|prix\s+le\s+plus\s+bas|precio\s+más\s+bajo|preço\s+mais\s+baixo|prezzo\s+più\s+basso|laagste)(?![\p{L}])/iu;
/** An amount in text: a sign beside a number, or a number with two decimals. Only cuts lines into one amount's words. */
const MONEY =
  /(?:[A-Z]{1,3}\$|\$|€|£|¥|₹|₩|₽|₺|₪|₫|₱|฿|zł|Kč|kr|Ft|lei|CHF|USD|EUR|GBP|BRL|MXN|CAD|AUD)\s?\d+(?:(?:[.,'’]|[\u00a0\u202f ](?=\d{3}(?!\d)))\d+)*|\d+(?:(?:[.,'’]|[\u00a0\u202f ](?=\d{3}(?!\d)))\d+)*\s?(?:\$|€|£|¥|₹|₩|₽|₺|₪|₫|₱|฿|zł|Kč|kr|Ft|lei|CHF|USD|EUR|GBP|BRL|MXN|CAD|AUD)|\d+[.,]\d{2}(?!\d)/gu;
/** Tags that continue a line of text; any other element (div, p, li, br…) ends it. */
const INLINE_TAGS = new Set(
  'a abbr b bdi bdo big button cite code data del dfn em font i img ins kbd label mark q s samp small span strike strong sub sup time u var'.split(
    ' ',
  ),
);

interface PriceCandidate {
  el: Element;
  /** Where the amount's text is: `el`, or a bare text node directly inside `el`. */
  at: AnyNode;
  text: string;
  amount: string;
  currencyRaw: string | null;
  currency: string | null;
  struck: boolean;
  /** Struck only by a "regular" marker: the price when the page shows no selling price. */
  regular: boolean;
  hinted: boolean;
  /** In navigation, footer, mini-cart or a related-products block, or a unit price: counted, never chosen. */
  foreign: boolean;
  /**
   * Named by a link to another product page of the site (another product's price), or an amount per month: counts
   * for a listing, chosen only when the page shows no other price.
   */
  weak: boolean;
  /** A previous price written in the same text ("Was $52.00 Now $39.00"). */
  ownList: string | null;
}

function ownDirectText(el: Element): boolean {
  return el.children.some((c) => c.type === 'text' && /\d/.test((c as { data: string }).data));
}

/** A struck price told by attributes: Amazon's `data-a-strike`, an inline line-through, an "Original price" label. */
function struckAttributes(el: Element): boolean {
  const a = el.attribs;
  return (
    a['data-a-strike'] === 'true' ||
    (a.style !== undefined && /line-through/i.test(a.style)) ||
    (a['aria-label'] !== undefined && STRUCK_BEFORE.test(a['aria-label']))
  );
}

/**
 * The text of a split price with its decimals in a superscript or "cents" element
 * (`<span>$</span><span>39</span><sup>99</sup>` → "$39.99"), or null when the element has none.
 * Walks only the element's own subtree (candidates never nest, so each node is seen once).
 */
function centsJoined(el: Element): string | null {
  let out = '';
  let changed = false;
  const visit = (n: AnyNode) => {
    if (n.type === 'text') {
      out += (n as unknown as { data: string }).data;
      return;
    }
    if (!isElement(n) || n.name === 'script' || n.name === 'style') return;
    if (n.name === 'sup' || CENTS_MARKER.test(markers(n))) {
      const t = textOf(n).trim();
      if (/^\d{2}$/.test(t) && /\d\s*$/.test(out)) {
        out = `${out.trimEnd()}.${t}`;
        changed = true;
        return;
      }
    }
    for (const c of n.children) visit(c);
  };
  for (const c of el.children) visit(c);
  return changed ? out.replace(/\s+/g, ' ').trim() : null;
}

/** A currency sign standing alone in its element. */
const LONE_SIGN =
  /^(?:[A-Z]{0,2}\$|€|£|¥|₹|₩|₽|₺|₪|₫|₱|฿|zł|Kč|kr|Ft|lei|CHF|USD|EUR|GBP|BRL|MXN|CAD|AUD|PLN|SEK|NOK|DKK|CZK)$/;

/**
 * The currency sign an element's bare number is written with in the next element (`<span>1.299,–</span><sup>€</sup>`),
 * or null. Looks at the one next element only.
 */
function signAfter(el: Element): string | null {
  for (let s = el.next; s; s = s.next) {
    if (s.type === 'text') {
      if ((s as unknown as { data: string }).data.trim() === '') continue;
      return null;
    }
    if (!isElement(s)) continue;
    const t = textOf(s).trim();
    return t.length <= 4 && LONE_SIGN.test(t) ? t : null;
  }
  return null;
}

interface LineContext {
  before: string;
  after: string;
  /**
   * Start (from the end of `before`) of a link to another product page of the site in the words before; -1
   * when none. A brand, collection or site page's link (mayBeProductPage) names no other product.
   */
  linkFromEnd: number;
  /** The amount is inside a link to another product page of the site. */
  inLink: boolean;
}

const CONTEXT_CHARS = 80;
const CONTEXT_SIBLINGS = 12;
const collapse = (t: string) => t.replace(/\s+/g, ' ');
const lastChars = (t: string) => (t.length > CONTEXT_CHARS ? t.slice(-CONTEXT_CHARS) : t);
const firstChars = (t: string) => (t.length > CONTEXT_CHARS ? t.slice(0, CONTEXT_CHARS) : t);

/**
 * The words beside a node in its line: the text of the inline siblings before and after it, and of its
 * inline ancestors' siblings, up to the first block element either way, spaces collapsed. Bounded (up to
 * 80 characters from each of at most 12 siblings a side and level, and no more once 80 are read) so a flat
 * page of thousands of spans, or one huge neighbour, stays linear.
 */
function lineContext(at: AnyNode, otherPage: (href: string) => boolean): LineContext {
  let before = '';
  let after = '';
  let linkFromEnd = -1;
  let inLink = false;
  let openBefore = true;
  let openAfter = true;
  const inline = (n: AnyNode) => !isElement(n) || INLINE_TAGS.has(n.name);
  for (let n: AnyNode = at; n.parent && inline(n); n = n.parent) {
    if (isElement(n) && n.name === 'a' && n.attribs.href && otherPage(n.attribs.href)) inLink = true;
    let k = 0;
    for (
      let s = n.prev;
      openBefore && s && k < CONTEXT_SIBLINGS && before.length < CONTEXT_CHARS;
      s = s.prev, k++
    ) {
      if (!inline(s) && s.type !== 'comment') {
        openBefore = false;
        break;
      }
      // Each neighbour adds at most its last CONTEXT_CHARS, spaces collapsed as they are added, so the
      // line stays short whatever a neighbour holds and a link's position is measured on the text read.
      before = collapse(`${lastChars(textOf(s))}${before}`);
      if (isElement(s) && s.name === 'a' && s.attribs.href && otherPage(s.attribs.href))
        linkFromEnd = before.length;
    }
    k = 0;
    for (
      let s = n.next;
      openAfter && s && k < CONTEXT_SIBLINGS && after.length < CONTEXT_CHARS;
      s = s.next, k++
    ) {
      if (!inline(s) && s.type !== 'comment') {
        openAfter = false;
        break;
      }
      after = collapse(`${after}${firstChars(textOf(s))}`);
    }
  }
  return { before, after, linkFromEnd, inLink };
}

type Kind = 'never' | 'struck' | 'period' | null;

/** What an amount is by the words before and after it (each already cut at the neighbouring amounts). */
function kindOf(whole: string, after: string, lineStart: boolean): Kind {
  // The labels are a few words long: the last 48 characters hold them, and keep the end-anchored tests cheap.
  const before = whole.length > 48 ? whole.slice(-48) : whole;
  const head = after.length > 30 ? after.slice(0, 30) : after;
  const headWords = head.split(/\d/)[0];
  if (
    NEVER_BEFORE.test(before) ||
    NEVER_AFTER.test(after) ||
    UNIT_AFTER.test(head) ||
    // "-$5" is a deduction; "+$5" or "(+ 5 €)" an add-on's surcharge.
    /(?:^|\s)[-−]$|(?:^|[\s(])\+\s?$/.test(before) ||
    // Words about shipping or pay-later opening the line and leading to the amount ("Envío gratis a partir
    // de 30 €", "Shipping: $5"); a "Free shipping" badge just before the price leaves it the price. After
    // an amount: only when they follow it at once ("$9.75 by afterpay"), never "$39.00 or 4 payments…".
    (lineStart &&
      LEADS_TO_AMOUNT.test(before) &&
      (SHIPPING.test(whole) || FINANCING.test(whole) || FINANCE_WORDS.test(whole))) ||
    OMNIBUS.test(whole.length > 160 ? whole.slice(-160) : whole) ||
    OMNIBUS_AFTER.test(head) ||
    (!/^\s*(?:or|ou|o|oder|ou\s+em)\b/i.test(headWords) && FINANCING.test(headWords))
  )
    return 'never';
  if (STRUCK_BEFORE.test(before) || (FROM_BEFORE.test(before) && FROM_AFTER.test(after))) return 'struck';
  if (PERIOD_AFTER.test(after)) return 'period';
  return null;
}

interface TextReading {
  amount: string;
  currencyRaw: string | null;
  currency: string | null;
  kind: Kind;
  /** Another product's amount: a link to another page stands in the words before it. */
  linked: boolean;
  ownList: string | null;
}

/**
 * Reads a candidate's amount in its line: which amount of its text it is, what the words beside it make
 * it (instalment, saving, threshold, old price), and an old price written beside it in the same text.
 * When its text holds several amounts and the one parsePrice took is an old price or an instalment,
 * the plain one is taken instead ("de R$ 59,90 por R$ 39,90").
 */
function readInLine(
  c: PriceCandidate,
  ctx: LineContext,
  opts: { currency?: string | null; locale?: string | null; scanning: boolean },
): TextReading {
  const before = ctx.before.replace(/\s+/g, ' ');
  const own = c.text;
  const line = `${before}${own}${ctx.after.replace(/\s+/g, ' ')}`;
  const start = before.length;
  const end = start + own.length;
  // The amounts of the line, in order; `inside` are those of the candidate's own text.
  const from: number[] = [];
  const to: number[] = [];
  const inside: number[] = [];
  MONEY.lastIndex = 0;
  for (let m = MONEY.exec(line); m; m = MONEY.exec(line)) {
    if (m.index >= start && m.index < end) inside.push(from.length);
    from.push(m.index);
    to.push(m.index + m[0].length);
  }
  if (inside.length === 0) {
    // An amount without a sign ("39" in a price-named element): the whole text is the amount.
    let at = 0;
    while (at < from.length && from[at] < start) at++;
    from.splice(at, 0, start);
    to.splice(at, 0, end);
    inside.push(at);
  }
  const kinds: Kind[] = [];
  const kind = (i: number): Kind => {
    if (kinds[i] === undefined) {
      const prevEnd = i > 0 ? to[i - 1] : 0;
      const nextStart = i + 1 < from.length ? from[i + 1] : line.length;
      kinds[i] = kindOf(line.slice(prevEnd, from[i]), line.slice(to[i], nextStart), i === 0);
    }
    return kinds[i];
  };
  const amountOf = (i: number) => parsePrice(line.slice(from[i], to[i]), opts);
  let ours = inside[0];
  if (inside.length > 1) ours = inside.find((i) => amountOf(i).amount === c.amount) ?? inside[0];
  let reading = { amount: c.amount, currencyRaw: c.currencyRaw, currency: c.currency };
  if (inside.length > 1 && kind(ours) !== null) {
    const plain = inside.find((i) => i !== ours && kind(i) === null);
    const parsed = plain !== undefined ? amountOf(plain) : null;
    if (plain !== undefined && parsed?.amount) {
      ours = plain;
      reading = {
        amount: parsed.amount,
        currencyRaw: parsed.currencyRaw ?? c.currencyRaw,
        currency: parsed.currency ?? c.currency,
      };
    }
  }
  let ownList: string | null = null;
  for (const i of inside) {
    if (i === ours || kind(i) !== 'struck') continue;
    const old = amountOf(i).amount;
    if (old !== null && Number(old) > Number(reading.amount)) ownList = old;
  }
  const prevEnd = ours > 0 ? to[ours - 1] : 0;
  const linkAt = ctx.linkFromEnd >= 0 ? start - ctx.linkFromEnd : -1;
  return {
    ...reading,
    kind: kind(ours),
    linked: ctx.inLink || (linkAt >= 0 && linkAt >= prevEnd && linkAt < from[ours]),
    ownList,
  };
}

function collectCandidates($: CheerioAPI, hints: ExtractHints): PriceCandidate[] {
  const out: PriceCandidate[] = [];
  const opts = { currency: hints.currency, locale: hints.locale, scanning: true };
  const candidate = (
    el: Element,
    at: AnyNode,
    text: string,
    parsed: ReturnType<typeof parsePrice>,
    m: string,
    struck: Struck,
    foreign: boolean,
    hinted: boolean,
  ) =>
    out.push({
      el,
      at,
      text,
      amount: parsed.amount as string,
      currencyRaw: parsed.currencyRaw,
      currency: parsed.currency,
      struck: struck > 0,
      regular: struck === 1,
      hinted,
      foreign: foreign || UNIT_MARKER.test(m) || UNIT_TEXT.test(text),
      ownList: null,
      weak: false,
    });
  // A price written as bare text beside a crossed-out one: `<p class="price"><del>$52.00</del> $39.00</p>`.
  // Read among the element's children in document order, so ties still go to the first on the page.
  const bareText = (
    node: Element,
    c: AnyNode,
    m: string,
    struck: Struck,
    foreign: boolean,
    hinted: boolean,
  ) => {
    const text = (c as unknown as { data: string }).data.replace(/\s+/g, ' ').trim();
    if (!/\d/.test(text) || text.length > 60 || /%/.test(text)) return;
    const parsed = parsePrice(text, opts);
    if (parsed.amount !== null && parsed.currencyRaw !== null)
      candidate(node, c, text, parsed, m, struck, foreign, hinted);
  };
  const walk = (node: AnyNode, foreign: boolean, struck: Struck): void => {
    if (!isElement(node)) return;
    const m = markers(node);
    const isForeign = foreign || FOREIGN_TAGS.has(node.name) || FOREIGN_BLOCK.test(m);
    const isStruck: Struck =
      struck === 2 || STRUCK_TAGS.has(node.name) || LIST_MARKER.test(m) || struckAttributes(node)
        ? 2
        : struck === 1 || REGULAR_MARKER.test(m)
          ? 1
          : 0;
    if (FOREIGN_TAGS.has(node.name) && node.name !== 'nav' && node.name !== 'footer' && node.name !== 'aside')
      return;
    let text = textOf(node).replace(/\s+/g, ' ').trim();
    const hinted = /price|preco|preço|prix|preis|precio|prezzo|цена|cena/.test(m);
    if (!/\d/.test(text) || text.length > 60) {
      // A loop here, not a helper: one stack frame per level of nesting, as deep pages need.
      const bare = hinted && /\d/.test(text);
      for (const c of node.children) {
        if (bare && c.type === 'text') bareText(node, c, m, isStruck, isForeign, hinted);
        else walk(c, isForeign, isStruck);
      }
      return;
    }
    let parsed = parsePrice(text, opts);
    if (parsed.amount !== null && parsed.currencyRaw === null && /^[\d\s.,'’–-]{1,20}$/.test(text)) {
      const sign = signAfter(node);
      if (sign) {
        text = `${text} ${sign}`;
        parsed = parsePrice(text, opts);
      }
    }
    const looksLikePrice = parsed.amount !== null && (parsed.currencyRaw !== null || hinted);
    const childQualifies = node.children.some(
      (c) => isElement(c) && /\d/.test(textOf(c)) && parsePrice(textOf(c), opts).currencyRaw !== null,
    );
    if (
      looksLikePrice &&
      !childQualifies &&
      !/%/.test(text) &&
      (ownDirectText(node) || node.children.length > 0)
    ) {
      const joined = centsJoined(node);
      const rejoined = joined ? parsePrice(joined, opts) : null;
      if (joined && rejoined?.amount) parsed = rejoined;
      candidate(
        node,
        node,
        joined && rejoined?.amount ? joined : text,
        parsed,
        m,
        isStruck,
        isForeign,
        hinted,
      );
      return;
    }
    const bare = looksLikePrice && childQualifies;
    for (const c of node.children) {
      if (bare && c.type === 'text') bareText(node, c, m, isStruck, isForeign, hinted);
      else walk(c, isForeign, isStruck);
    }
  };
  const body = $('body')[0] ?? $.root()[0];
  for (const c of (body as Element).children ?? []) walk(c, false, 0);
  return out;
}

/**
 * Reads each candidate in its line (see readInLine): instalments, savings, thresholds, tier prices,
 * rewards and gift values become never chosen; amounts named by a link to another product and amounts
 * per month become weak (chosen only when nothing else is); amounts labelled as old prices become
 * crossed-out ones.
 */
function readLines(candidates: PriceCandidate[], hints: ExtractHints): void {
  const opts = { currency: hints.currency, locale: hints.locale, scanning: true };
  let base: URL | null = null;
  try {
    base = new URL(hints.url);
  } catch {
    // without a page URL no link can be told to go elsewhere
  }
  const self = base ? pageOf(base.href, base) : null;
  const otherPage = (href: string) => {
    if (!base) return false;
    const target = pageOf(href, base);
    return target !== null && target !== self && mayBeProductPage(new URL(target));
  };
  for (const c of candidates) {
    if (c.foreign) continue;
    const r = readInLine(c, lineContext(c.at, otherPage), opts);
    c.amount = r.amount;
    c.currencyRaw = r.currencyRaw;
    c.currency = r.currency;
    c.ownList = r.ownList;
    if (r.kind === 'never') c.foreign = true;
    c.weak = r.linked || r.kind === 'period';
    if (r.kind === 'struck') {
      c.struck = true;
      c.regular = false;
    }
  }
}

/**
 * What prices are measured against: the h1 and up to three add-to-cart buttons. A button inside a
 * product card (a grid's or a carousel's) belongs to that card's product, not to this page.
 */
function anchors($: CheerioAPI, h1: Element | undefined, inCard: (el: Element) => boolean): Element[] {
  const found: Element[] = h1 ? [h1] : [];
  $('button, input[type=submit], input[type=button], a, [name*=add-to-cart], [class*=add-to-cart]').each(
    (_, el) => {
      if (found.length >= 4) return false;
      const label = `${$(el).text()} ${el.attribs.value ?? ''} ${el.attribs.name ?? ''} ${el.attribs.class ?? ''}`;
      if (ADD_TO_CART.test(label) && !inCard(el)) found.push(el);
    },
  );
  return found;
}

/** Result of the visible-text fallback, with the explanation the page reason is built from. */
export interface HeuristicReading {
  offer: Offer | null;
  reason: string;
  /** Products listed when the page is a listing (a grid of product cards); absent otherwise. */
  listing?: number;
}

/** "https://a.test/p/x?v=2#r" → "https://a.test/p/x": one product page, whatever its variant or anchor. */
function pageOf(href: string, base: URL): string | null {
  if (/^(?:#|javascript:|mailto:|tel:|data:)/i.test(href.trim())) return null;
  try {
    const u = new URL(href, base);
    if (u.origin !== base.origin) return null;
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return null;
  }
}

/**
 * The product page a price's card links to, or null when the price is not in a card. Climbs from
 * the price (at most 5 levels, never into `main`/`body`) to the nearest block holding a link, like
 * the tile of discover-links.ts: that block is a card when all its links go to one other page
 * (image and name links of a product tile do). Links to this same page (variant `?variant=`,
 * `?add-to-cart=`, `#reviews`) and to site functions are ignored; a block holding the h1 is the
 * page's own product block, never a card; links to two pages mean a wider block, not a card.
 */
function cardFinder(h1: Element | undefined, page: URL): (el: Element) => string | null {
  const self = pageOf(page.href, page);
  const h1Chain = new Set<AnyNode>(h1 ? ancestry(h1) : []);
  const memo = new Map<Element, string | null>();
  const targetsMemo = new Map<Element, Set<string>>();
  // The other pages a block links to. Walked by hand, not with `$(block).find('a[href]')`: cheerio hands css-select
  // the block's children, whose removeSubsets is quadratic in them times the depth (a page Chromium flattened past its
  // 512-level nesting limit, thousands of siblings under one node, took minutes).
  const targetsOf = (block: Element): Set<string> => {
    const known = targetsMemo.get(block);
    if (known) return known;
    const targets = new Set<string>();
    const stack: AnyNode[] = [block];
    while (stack.length > 0) {
      const node = stack.pop() as AnyNode;
      if (!isElement(node)) continue;
      const href = node.name === 'a' ? node.attribs.href : undefined;
      const target = href ? pageOf(href, page) : null;
      if (target && target !== self && !FUNCTION_PATH.test(new URL(target).pathname)) targets.add(target);
      if (node.name !== 'a') for (const c of node.children) stack.push(c);
    }
    targetsMemo.set(block, targets);
    return targets;
  };
  return (el) => {
    const known = memo.get(el);
    if (known !== undefined) return known;
    let card: string | null = null;
    let n: AnyNode | null = el;
    for (let depth = 0; n && depth <= 5; depth++, n = n.parent) {
      if (!isElement(n) || n.name === 'body' || n.name === 'main' || h1Chain.has(n)) break;
      const targets = targetsOf(n);
      if (targets.size === 1) card = [...targets][0];
      if (targets.size > 0) break;
    }
    memo.set(el, card);
    return card;
  };
}

/**
 * Whether the prices that tie for nearest the anchors are product cards: each in its own card and
 * the cards linking to two or more product pages (a grid all at one distance from the h1), or to
 * one when the page's own URL is a category's. A size or variant selector's options link nowhere
 * else, so they never count. Returns how many products the page's cards list, 0 when not a listing.
 */
function listedCards(
  tied: PriceCandidate[],
  selling: PriceCandidate[],
  cardOf: (el: Element) => string | null,
  page: URL,
): number {
  const cards = tied.map((c) => cardOf(c.el));
  if (cards.length === 0 || cards.some((k) => k === null)) return 0;
  if (new Set(cards).size < 2 && !LISTING_PATH.test(page.pathname)) return 0;
  return new Set(selling.map((c) => cardOf(c.el)).filter((k) => k !== null)).size;
}

/** Whether two elements' nearest common ancestor is a small block (a price box: at most 120 characters of text). */
function smallCommonBlock(a: Element, b: Element): boolean {
  const up = new Set(ancestry(a));
  for (let n: AnyNode | null = b; n; n = n.parent) {
    if (up.has(n)) return textOf(n).replace(/\s+/g, ' ').trim().length <= 120;
  }
  return false;
}

/** The reason a listing gets no price (extract.ts says it for structured listings too). */
export const listingReason = (n: number) =>
  `a listing: ${n} product${n === 1 ? '' : 's'} with their own prices and links; no single price for this page`;

/**
 * Last-resort price from visible text: among price-looking elements outside navigation, footers,
 * carousels and related-product blocks, picks the selling price closest (in the DOM tree) to the
 * main `h1` or the add-to-cart button; a crossed-out price (`<s>`, `<del>`, "old-price") nearby
 * becomes the list price. Low confidence by design. Never throws.
 */
export function extractHeuristicOffer($: CheerioAPI, hints: ExtractHints): HeuristicReading {
  const everything = collectCandidates($, hints);
  readLines(everything, hints);
  const candidates = everything.filter((c) => !c.foreign);
  let selling = candidates.filter((c) => !c.struck);
  if (selling.length === 0) selling = candidates.filter((c) => c.regular);
  if (selling.length === 0)
    return { offer: null, reason: 'no price-looking text outside related/navigation blocks' };
  let page: URL | null = null;
  try {
    page = new URL(hints.url);
  } catch {
    // no card can be told from the page's own block without a page URL
  }
  const h1 = $('h1')
    .toArray()
    .find((el) => $(el).text().trim().length > 0);
  const cardOf = page ? cardFinder(h1, page) : () => null;
  const marks = anchors($, h1, (el) => cardOf(el) !== null);
  const nearest = (pool: PriceCandidate[]) => {
    const scores = pool.map((c) => {
      const distance = Math.min(...marks.map((a) => treeDistance(a, c.el)));
      return distance - (c.hinted ? 1 : 0);
    });
    const bestScore = Math.min(...scores);
    return pool.filter((_, i) => scores[i] === bestScore);
  };
  const tied = marks.length === 0 ? selling : nearest(selling);
  // A grid of product cards puts every card at the same distance from the h1: the first card
  // winning that tie would be another product's price. Checked before the no-anchor rule so a
  // grid whose cards all cost the same still reads as a listing.
  const listing = page ? listedCards(tied, selling, cardOf, page) : 0;
  if (listing > 0) return { offer: null, reason: listingReason(listing), listing };
  // An amount named by a link to another product ("<a>3-step set</a> $89") or one per month counts for a
  // listing, and loses to any other price the page shows (a lone linked card off a category URL, or a
  // subscription's "$29.00/month", still gives its price).
  const strong = selling.filter((c) => !c.weak);
  const own = strong.length > 0 ? strong : selling;
  let best: PriceCandidate | null = null;
  if (marks.length === 0) {
    const distinct = new Set(own.map((c) => c.amount));
    if (distinct.size !== 1) {
      return { offer: null, reason: `${distinct.size} different prices and no h1/add-to-cart to anchor on` };
    }
    best = own[0];
  } else {
    best = (own.length === selling.length ? tied : nearest(own))[0] ?? null;
    // An amount that won only by standing nearer an add-to-cart button than the title ("Bonus $15 credit" just above
    // the button) loses to one its own class or itemprop names a price, in the block holding the title and the button.
    const button = marks.find((m) => m !== h1);
    if (best && !best.hinted && h1 && button && treeDistance(button, best.el) < treeDistance(h1, best.el)) {
      const titleUp = new Set<AnyNode>(ancestry(h1));
      let block: AnyNode | null = button;
      while (block && !titleUp.has(block)) block = block.parent;
      const inBlock = (c: PriceCandidate) => {
        for (let n: AnyNode | null = c.el; n; n = n.parent) if (n === block) return true;
        return false;
      };
      const named = block ? own.filter((c) => c.hinted && inBlock(c)) : [];
      // Not when the title and the button meet only at the page's body: that block is the whole page.
      if (block && isElement(block) && block.name !== 'body' && block.name !== 'html' && named.length > 0)
        best = nearest(named)[0];
    }
  }
  if (!best) return { offer: null, reason: 'no price near the main product block' };
  const chosen = best;
  // The crossed-out price: one written in the chosen text ("Was $52.00 Now $39.00"), else the nearest
  // one within 6 steps or sharing a small block with the chosen price (a Magento price box nests deeper).
  const struck = candidates
    .filter((c) => c.struck && Number(c.amount) > Number(chosen.amount))
    .map((c) => ({ c, d: treeDistance(c.el, chosen.el) }))
    .filter(({ c, d }) => d <= 6 || smallCommonBlock(c.el, chosen.el))
    .sort((a, b) => a.d - b.d)[0]?.c;
  const listPrice = chosen.ownList ?? struck?.amount ?? null;
  const where = ancestry(chosen.el)
    .filter(isElement)
    .slice(0, 3)
    .reverse()
    .map((e) => e.name + (e.attribs.class ? `.${e.attribs.class.trim().split(/\s+/)[0]}` : ''))
    .join(' > ');
  const distinct = new Set(everything.map((c) => c.amount)).size;
  return {
    offer: {
      source: 'heuristic',
      confidence: marks.length > 0 ? sourceConfidence('heuristic') : 0.25,
      price: chosen.amount,
      listPrice,
      lowPrice: null,
      highPrice: null,
      currencyRaw: chosen.currencyRaw,
      currency: chosen.currency,
      availability: null,
      sku: null,
      name: null,
      evidence: `${where}: "${chosen.text}"`,
    },
    reason:
      distinct > 1
        ? `${distinct} prices on page, picked the one in the main product block (nearest the title/add-to-cart)`
        : 'one price on page, outside related-product blocks',
  };
}
