import { describe, expect, it } from 'vitest';
import { extractHeuristicOffer } from '../../../crawlers/commerce/extract-heuristic-offer.ts';
import { loadHtml } from '../../../crawlers/commerce/index.ts';
import { fixture } from './fixture.ts';

/**
 * The visible-text fallback against the traps real shops set beside the price: instalments, savings,
 * thresholds, tier prices, gift values, rewards, linked upsells, crossed-out prices it did not know,
 * bare text after a `<del>`, and split cents. Each fixture's first line says where it was "fetched"
 * and what the page costs: `<!-- url=… locale=… currencyHint=… expect price=39 list=52 cur=USD -->`.
 */
function readFixture(name: string) {
  const html = fixture(`visible-traps/${name}.html`);
  const head = /^<!--(.*?)-->/.exec(html)?.[1] ?? '';
  const field = (k: string) => {
    const v = new RegExp(`\\b${k}=(\\S*)`).exec(head)?.[1] ?? '';
    return v === '' || v === 'null' ? null : v;
  };
  return {
    html,
    hints: { url: field('url') as string, locale: field('locale'), currency: field('currencyHint') },
    expected: { price: field('price'), listPrice: field('list'), currency: field('cur') },
  };
}

function offerOf(html: string, url = 'https://shop.test/products/x', more: { locale?: string } = {}) {
  return extractHeuristicOffer(loadHtml(html), { url, ...more }).offer;
}

const expectFixture = (name: string) => {
  const { html, hints, expected } = readFixture(name);
  const offer = extractHeuristicOffer(loadHtml(html), hints).offer;
  expect(offer, name).not.toBeNull();
  expect({ price: offer?.price, listPrice: offer?.listPrice, currency: offer?.currency }, name).toEqual(
    expected,
  );
};

describe('instalments and financing are never the price', () => {
  it.each([
    'dawn-sale-afterpay-nojsonld',
    'klarna-line-near-title',
    'affirm-per-month',
    'payin4-inside-price-container',
    'br-parcelas-first',
    'sticky-atc-bar',
  ])('%s', expectFixture);

  it('reads the words of the amount, not of its whole line: the full price before "or 4 payments of" stays the price', () => {
    const offer = offerOf(
      '<main><h1>Serum</h1><p class="pay"><span>$39.00</span> or 4 interest-free payments of <b>$9.75</b> with Afterpay</p><button>Add to cart</button></main>',
    );
    expect(offer?.price).toBe('39');
  });

  it('Spanish and Portuguese instalments: "12 cuotas de", "12x sem juros de"', () => {
    expect(
      offerOf(
        '<main><h1>Crema</h1><p><span>12 cuotas de $ 1.250</span></p><div class="precio"><span>$ 15.000</span></div><button>Agregar al carrito</button></main>',
        'https://tienda.test/p/crema',
        { locale: 'es-AR' },
      )?.price,
    ).toBe('15000');
    expect(
      offerOf(
        '<main><h1>Creme</h1><p>12x sem juros de <b>R$ 8,33</b></p><div><span>R$ 99,90</span></div><button>Comprar</button></main>',
        'https://loja.test/p/creme',
        { locale: 'pt-BR' },
      )?.price,
    ).toBe('99.9');
  });
});

describe('amounts that are no price of the item: savings, thresholds, tiers, values, rewards, upsells', () => {
  it.each([
    'save-badge-before-price',
    'free-shipping-note',
    'es-antes-ahora',
    'tier-buy-3-for',
    'magento-special-old-tier',
    'gwp-value',
    'loyalty-dollars-back',
    'routine-upsell-inline',
    'logo-h1',
  ])('%s', expectFixture);

  it('Spanish and Portuguese savings and thresholds: "Ahorra", "Economize", "Frete grátis acima de"', () => {
    expect(
      offerOf(
        '<main><h1>Crema</h1><span class="badge">Ahorra 4,00 €</span><div><span>15,95 €</span></div><button>Añadir a la cesta</button></main>',
        'https://tienda.test/p/crema',
        { locale: 'es-ES' },
      )?.price,
    ).toBe('15.95');
    expect(
      offerOf(
        '<main><h1>Creme</h1><p>Frete grátis acima de R$ 150,00</p><span>Economize R$ 20,00</span><div><span>R$ 89,90</span></div><button>Comprar</button></main>',
        'https://loja.test/p/creme',
        { locale: 'pt-BR' },
      )?.price,
    ).toBe('89.9');
  });

  it('"Subscribe & save 15%" beside an amount is not a saving amount; "As low as" (Magento\'s minimal price) is a price', () => {
    expect(
      offerOf(
        '<main><h1>Collagen</h1><label><span>One-time purchase</span> <span>$39.00</span></label><label><span>Subscribe &amp; save 15%</span> <span>$33.15</span></label><button>Add to cart</button></main>',
      )?.price,
    ).toBe('39');
    expect(
      offerOf(
        '<main><h1>Skin Tint</h1><div class="price-box"><span class="price-label">As low as</span><span class="price">$28.00</span></div><button>Add to Cart</button></main>',
      )?.price,
    ).toBe('28');
  });

  it('a lone price beside a link to another product is still the price when the page shows no other', () => {
    expect(
      offerOf(
        '<main><h1>Gel Cleanser</h1><p><a href="/products/set">3-step set</a> <span>$89.00</span></p></main>',
      )?.price,
    ).toBe('89');
  });
});

describe('crossed-out prices become the list price', () => {
  it.each([
    'tailwind-line-through',
    'bem-price-old-first',
    'amazon-a-price',
    'woo-sale-screenreader-nojsonld',
    'es-antes-only',
    'pt-pvp',
    'nl-eur-prefix',
    'was-now-one-line',
  ])('%s', expectFixture);

  it('"de R$ 59,90 por R$ 39,90" in one text: the price after "por", the one after "de" the list price', () => {
    const offer = offerOf(
      '<main><h1>Sérum</h1><p class="valor">de R$ 59,90 por R$ 39,90</p><button>Comprar</button></main>',
      'https://loja.test/p/serum',
      { locale: 'pt-BR' },
    );
    expect(offer).toMatchObject({ price: '39.9', listPrice: '59.9', currency: 'BRL' });
  });

  it('an inline line-through style and an "Original price" aria-label', () => {
    expect(
      offerOf(
        '<main><h1>Lip Oil</h1><div><span style="text-decoration: line-through">$24.00</span> <span>$18.00</span></div><button>Add to cart</button></main>',
      ),
    ).toMatchObject({ price: '18', listPrice: '24' });
    expect(
      offerOf(
        '<main><h1>Lip Oil</h1><div><span aria-label="Original price">$24.00</span> <span>$18.00</span></div><button>Add to cart</button></main>',
      ),
    ).toMatchObject({ price: '18', listPrice: '24' });
  });
});

describe('prices written as bare text or split into spans', () => {
  it.each(['del-then-bare-text', 'visually-hidden-labels-bare-text', 'sup-cents'])('%s', expectFixture);

  it('cents in a "cents" span after a comma-decimal integer part, and a split price with its own separator stays as it is', () => {
    expect(
      offerOf(
        '<main><h1>Crème</h1><div class="product-price"><span>39</span><span class="cents">99</span><span>&nbsp;€</span></div><button>Ajouter au panier</button></main>',
        'https://boutique.test/p/creme',
        { locale: 'fr-FR' },
      )?.price,
    ).toBe('39.99');
    expect(
      offerOf(
        '<main><h1>Crème</h1><div class="product-price"><span class="price__int">1 299</span><span class="price__sep">,</span><span class="price__dec">99</span><span>&nbsp;€</span></div><button>Ajouter au panier</button></main>',
        'https://boutique.test/p/creme',
        { locale: 'fr-FR' },
      )?.price,
    ).toBe('1299.99');
  });
});

describe('the words that do not make a trap', () => {
  it.each([
    ['a quantity of one', '<div><span>1 x $39.00</span></div>', '39'],
    [
      '"back in stock" after the price',
      '<div><span>$39.00</span> <a href="#notify">Back in stock alerts</a></div>',
      '39',
    ],
    ['a "value size" product', '<div><span>$39.00</span> <span>Value size</span></div>', '39'],
    ['"free shipping" after the price', '<div><span>$28.00</span> <span>Free shipping</span></div>', '28'],
    [
      'a "Free shipping" badge before the price',
      '<div><span class="badge">Free shipping</span> <span>$28.00</span></div>',
      '28',
    ],
    ['a "Klarna" badge before the price', '<div><span>Klarna</span> <span>$28.00</span></div>', '28'],
    ['"from" before the price', '<div><span>From $29.00</span></div>', '29'],
    ['"Precio de … por unidad"', '<p><span>Precio de 19,95 € por unidad</span></p>', '19.95'],
    ['a name ending in "Original" before the price', '<p><b>The Original</b> <span>$39.00</span></p>', '39'],
    ['a pack-size option "1 unit"', '<div><label>1 unit <span>$39.00</span></label></div>', '39'],
    ['a book named "Omnibus"', '<p><b>The Sandman Omnibus</b> <span>$39.00</span></p>', '39'],
    ['a name ending in "New"', '<p><b>Everything New</b> <span>$39.00</span></p>', '39'],
    [
      '"Regular price" before the only price',
      '<div><span>Regular price</span> <span>$39.00</span></div>',
      '39',
    ],
  ])('%s', (_, block, price) => {
    expect(offerOf(`<main><h1>Serum</h1>${block}<button>Add to cart</button></main>`)?.price).toBe(price);
  });

  it('an amount per month loses to the price beside it, but is the price of a subscription that shows no other', () => {
    expect(
      offerOf('<main><h1>Box</h1><div class="price">$29.00/month</div><button>Add to cart</button></main>')
        ?.price,
    ).toBe('29');
    expect(
      offerOf(
        '<main><h1>Mask</h1><div><span>$12/mo</span></div><div class="price">$129.00</div><button>Add to cart</button></main>',
      )?.price,
    ).toBe('129');
  });

  it('a "regular" price is the list price beside a lower selling price, and the price when it stands alone', () => {
    const alone =
      '<main><h1>Serum</h1><dl class="price"><div class="price__regular"><dt><span class="visually-hidden">Regular price</span></dt><dd><span class="price-item price-item--regular">$39.00</span></dd></div></dl><button>Add to cart</button></main>';
    expect(offerOf(alone)).toMatchObject({ price: '39', listPrice: null });
    const onSale =
      '<main><h1>Serum</h1><div class="product-prices"><span class="regular-price">49,99 €</span><span class="current-price">39,99 €</span></div><button>Ajouter au panier</button></main>';
    expect(offerOf(onSale, 'https://shop.test/fr/p/serum', { locale: 'fr-FR' })).toMatchObject({
      price: '39.99',
      listPrice: '49.99',
    });
  });

  it('a brand or collection link beside the price names no other product', () => {
    const html =
      '<main><h1>Serum</h1><div class="meta"><a href="/collections/glow-lab">Glow Lab</a> <span>$39.00</span></div><div class="sticky"><span>$45.00</span></div><button>Add to cart</button></main>';
    expect(offerOf(html)?.price).toBe('39');
  });

  it('German "Statt 49,99 € nur 39,99 €" in one text', () => {
    expect(
      offerOf(
        '<main><h1>Serum</h1><p>Statt 49,99 € nur 39,99 €</p><button>In den Warenkorb</button></main>',
        'https://shop.test/de/p/serum',
        { locale: 'de-DE' },
      ),
    ).toMatchObject({ price: '39.99', listPrice: '49.99', currency: 'EUR' });
  });
});

describe('stays linear', () => {
  it('reads a price under 1,000 levels of nesting (the cap crawler.ts puts on pages) without running out of stack', () => {
    const depth = 1_000;
    const nested = `${'<div><span>x</span>'.repeat(depth)}<span>$5.00</span>${'</div>'.repeat(depth)}`;
    expect(offerOf(`<main><h1>Deep</h1>${nested}<button>Add to cart</button></main>`)?.price).toBe('5');
  });

  // No timing assertion (speed lives in benchmarks): a quadratic reading of 40,000 amounts takes minutes and hits the
  // test timeout; a linear one takes about a second, or a few on a loaded machine.
  it('a flat page of 20,000 inline prices with instalment words is read, not hung', () => {
    const spans = Array.from(
      { length: 20_000 },
      (_, i) => `<span>4 x $${(i % 90) + 1}.00</span> <span>$${i + 1}.00</span>`,
    );
    const html = `<main><h1>Everything</h1><div>${spans.join('')}</div><button>Add to cart</button></main>`;
    expect(offerOf(html)?.price).toMatch(/^\d+$/);
  }, 30_000);
});

describe('amounts just before the add-to-cart button that are no price of the item', () => {
  it.each([
    'coupon-before-atc',
    'eco-fee-pt',
    'multibuy-leve-pague',
    'omnibus-pl',
    'open-box-protection',
    'financing-mtl-dash-cents',
    'list-markers-split',
  ])('%s', expectFixture);

  // The price sits deeper than the line beside the button, so only the line's words can keep it from winning.
  const near = (line: string) =>
    `<main><div class="pdp"><h1>Serum</h1><div class="info"><div><span>$39.00</span></div></div><p>${line}</p><button>Add to cart</button></div></main>`;

  it.each([
    ['a coupon (en)', 'Apply $5.00 coupon'],
    ['a coupon (es)', 'Cupón de 5,00 $'],
    ['a coupon (pt)', 'Cupom de $ 5,00'],
    ['a deposit (de)', 'zzgl. 0,25 $ Pfand'],
    ['an eco fee (fr)', 'dont éco-participation : 2,00 $'],
    ['a multi-buy (es)', '2ª unidad: 19,50 $'],
    ['a multi-buy (en)', 'Buy 2, pay $70.00'],
    ['an Omnibus note (en)', 'Lowest price in the last 30 days: $35.00'],
    ['an Omnibus note (de)', 'Niedrigster Preis der letzten 30 Tage: 35,00 $'],
    ['an Omnibus note (fr)', 'Prix le plus bas des 30 derniers jours : 35,00 $'],
    ['an Omnibus note (es)', 'Precio más bajo de los últimos 30 días: 35,00 $'],
    ['an Omnibus note (pt)', 'Preço mais baixo dos últimos 30 dias: 35,00 $'],
    ['an Omnibus note (de, "Tiefstpreis")', 'Tiefstpreis der letzten 30 Tage: 35,00 $'],
    ['a coupon after the amount (es)', '5,00 $ de cupón'],
    ['a used offer', 'Used from $25.00'],
    ['a used offer (de)', 'Gebraucht ab 25,00 $'],
    ['another sellers offer', 'New (12) from $36.00'],
    ['a protection plan', '3-Year Protection Plan $9.99'],
    ['gift wrap', 'Gift wrap +$5.00'],
    ['a surcharge', 'Engraving (+ $7.50)'],
    ['financing (de)', 'Finanzierung ab 3,25 $ mtl.'],
    ['financing (India)', 'EMI starts at $3.25. No Cost EMI available'],
  ])('%s', (_, line) => {
    expect(offerOf(near(line))?.price).toBe('39');
  });

  it('an amount whose own class names it a price beats an unnamed one that is only nearer the add-to-cart button', () => {
    const html =
      '<main><div class="pdp"><div class="head"><h1>Serum</h1></div><div class="info"><div class="box"><span class="product-price">$39.00</span></div></div><div class="perk">Bonus $15.00 store credit</div><button>Add to cart</button></div></main>';
    expect(offerOf(html)?.price).toBe('39');
  });
});

describe('more ways shops mark the list price', () => {
  it.each([
    [
      'a "Price--compareAt" modifier',
      '<div><span class="Price Price--highlight">$89.00</span> <span class="Price Price--compareAt">$119.00</span></div>',
      { price: '89', listPrice: '119' },
    ],
    [
      'a "compareAtPrice" class',
      '<div><span class="salePrice">$89.00</span> <span class="compareAtPrice">$119.00</span></div>',
      { price: '89', listPrice: '119' },
    ],
    [
      'a "…RegularPrice" class beside a lower price',
      '<div><p class="a-product__paragraphDiscountPrice">$1,899<sup>00</sup></p><p class="a-product__paragraphRegularPrice">$2,499.00</p></div>',
      { price: '1899', listPrice: '2499' },
    ],
    [
      '"M.R.P.:" before a struck price',
      '<div><span class="priceToPay">₹1,299</span></div><div><span>M.R.P.: <span>₹1,999</span></span></div>',
      { price: '1299', listPrice: '1999' },
    ],
  ])('%s', (_, block, expected) => {
    expect(offerOf(`<main><h1>Serum</h1>${block}<button>Add to cart</button></main>`)).toMatchObject(
      expected,
    );
  });

  it('a price written "1.299,–" with its currency in a separate sup', () => {
    const html =
      '<main><h1>Laptop Pro 15</h1><div><p class="strikethrough">UVP <span>1.499,00 €</span></p><span>1.299,–</span><sup>€</sup><p>inkl. MwSt., zzgl. Versandkosten, Lieferung in 2-3 Werktagen</p></div><button>In den Warenkorb</button></main>';
    expect(offerOf(html, 'https://shop.test/de/p/laptop', { locale: 'de-DE' })).toMatchObject({
      price: '1299',
      listPrice: '1499',
      currency: 'EUR',
    });
  });

  it('a unit price in the element after the amount ("€8,65" then "/lt") is never the price; a size after it is no unit price', () => {
    expect(
      offerOf(
        '<main><h1>Azeite</h1><div><div><span class="sales">€6,49</span></div></div><div><span>€8,65</span><span>/lt</span></div><button>Adicionar</button></main>',
        'https://shop.test/p/azeite',
        { locale: 'pt-PT' },
      )?.price,
    ).toBe('6.49');
    expect(
      offerOf(
        '<main><h1>Serum</h1><div><span>$38.00</span><span> / 1.7 oz</span></div><button>Add to cart</button></main>',
      )?.price,
    ).toBe('38');
  });
});

describe('real prices beside words that name traps elsewhere', () => {
  const buy = (line: string) =>
    `<main><h1>Item</h1><div><p>${line}</p></div><button type="button">Add to cart</button></main>`;
  it.each([
    ['a "New" badge before "From $29.00"', '<span>New</span> <span class="price">From $29.00</span>', '29'],
    ['"Neu" before "ab 29,00 €"', '<span>Neu</span> <span class="price">ab 29,00 €</span>', '29'],
    ['"Preço com desconto:"', '<span>Preço com desconto:</span> <span>R$ 89,90</span>', '89.9'],
    ['"Precio con descuento:"', '<span>Precio con descuento:</span> <span>89,90 €</span>', '89.9'],
    ['"Price after discount:"', '<span>Price after discount:</span> <span>$89.90</span>', '89.9'],
    ['"One-time payment"', 'One-time payment <span>$49.00</span>', '49'],
    ['a size "3X"', '<span>Size: 3X</span> <span>$34.99</span>', '34.99'],
    ['"Set of 2 for"', 'Set of 2 for <span>$29.00</span>', '29'],
    ['"Refurbished" in the name', '<span>iPhone 12 Refurbished</span> <span>$299.00</span>', '299'],
    ['"+ shipping" after the price', '<span>$24.99</span>+ shipping', '24.99'],
    [
      'a price guarantee and N-day returns',
      'Lowest price guarantee · 30 day returns · <span>$24.99</span>',
      '24.99',
    ],
  ])('%s stays the price', (_, line, price) => {
    expect(offerOf(buy(line))?.price).toBe(price);
  });

  it('still excludes the traps those words come from', () => {
    expect(offerOf(buy('<span>$39.00</span> or 4 payments of <span>$9.75</span>'))?.price).toBe('39');
    expect(offerOf(buy('<span>$39.00</span> <span>Save $13.00</span>'))?.price).toBe('39');
    expect(offerOf(buy('<span>$12.00</span> · Buy 3 for <span>$30.00</span>'))?.price).toBe('12');
    expect(offerOf(buy('<span>$899.99</span> · Open-Box: from <span>$679.99</span>'))?.price).toBe('899.99');
  });

  it('reads a link to another product across indented markup (its position is measured on collapsed text)', () => {
    const html = `<main><div><h1>Serum</h1><p><a href="/products/other-set">3-step set</a>
        <span>$89.00</span></p></div><div><div><div><span>$39.00</span></div></div></div><button type="button">Add to cart</button></main>`;
    expect(offerOf(html)?.price).toBe('39');
  });

  // One neighbour holding a huge text used to be read whole for every amount beside it (29.6 s for a 24 KB page,
  // 6.7 s for a JSON-LD page whose list price the visible text is asked for); each neighbour now adds its first or
  // last 80 characters. A quadratic reading of this page takes minutes and hits the timeout.
  it('a huge neighbour beside many amounts is read, not hung', () => {
    const big = '1.'.repeat(40_000);
    const items = Array.from({ length: 40 }, (_, i) => `<b>$${i + 1}.00</b>${'<i></i>'.repeat(12)}`).join('');
    const html = `<main><h1>T</h1><p><span>${big}</span><span>${items}</span></p></main>`;
    expect(offerOf(html)?.price).toMatch(/^\d+$/);
  }, 30_000);
});
