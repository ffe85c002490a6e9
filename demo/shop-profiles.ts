/** The three competitor shops: identity, currency, language and product lines (static data). */

/** The six product categories every shop sells; also the `/c/<category>` path segment. */
export const CATEGORIES = ['lipstick', 'foundation', 'mascara', 'serum', 'moisturizer', 'cleanser'] as const;
export type Category = (typeof CATEGORIES)[number];

export type ShopKey = 'glowco' | 'belezabr' | 'maisonjs';
export type Currency = 'USD' | 'BRL' | 'EUR';
/** A competitor shop: who it is and how it writes prices. */
export interface ShopProfile {
  key: ShopKey;
  name: string;
  brand: string;
  currency: Currency;
  locale: string;
  lang: string;
  skuPrefix: string;
  codePrefix: string;
  /** Multiplier from the USD reference price to this shop's currency. */
  priceScale: number;
  /** Per category: display name, product lines and their variants (shades or sizes). */
  lines: Record<Category, { label: string; lines: string[]; variants: string[] }>;
}

const SIZES = { serum: ['30 ml', '50 ml'], moisturizer: ['50 ml', '100 ml'], cleanser: ['150 ml', '400 ml'] };

export const SHOPS: Record<ShopKey, ShopProfile> = {
  glowco: {
    key: 'glowco',
    name: 'GlowCo',
    brand: 'GlowCo',
    currency: 'USD',
    locale: 'en-US',
    lang: 'en',
    skuPrefix: 'GC',
    codePrefix: 'GLOW',
    priceScale: 1,
    lines: {
      lipstick: {
        label: 'Lipstick',
        lines: ['Velvet Matte Lipstick', 'Satin Shine Lipstick', 'Cream Lip Colour'],
        variants: ['Rosewood', 'Ruby Red', 'Nude Blush', 'Coral Kiss', 'Mauve Dusk', 'Berry Crush'],
      },
      foundation: {
        label: 'Foundation',
        lines: ['Skin Veil Foundation', 'Second Skin Fluid Foundation'],
        variants: ['Porcelain', 'Ivory', 'Sand', 'Honey', 'Caramel', 'Espresso'],
      },
      mascara: {
        label: 'Mascara',
        lines: ['Lash Lift Mascara', 'Volume Boost Mascara'],
        variants: ['Jet Black', 'Brown Black'],
      },
      serum: {
        label: 'Serums',
        lines: [
          '24K Gold Elixir Serum',
          'Vitamin C Brightening Serum',
          'Niacinamide 10% Serum',
          'Retinol Night Serum',
        ],
        variants: SIZES.serum,
      },
      moisturizer: {
        label: 'Moisturizers',
        lines: ['Barrier Repair Cream', 'Dew Drop Gel Moisturizer', 'Ceramide Rich Cream'],
        variants: SIZES.moisturizer,
      },
      cleanser: {
        label: 'Cleansers',
        lines: ['Gentle Foam Cleanser', 'Micellar Cleansing Water', 'Balm-to-Oil Cleanser'],
        variants: SIZES.cleanser,
      },
    },
  },
  belezabr: {
    key: 'belezabr',
    name: 'Beleza BR',
    brand: 'Beleza Pura',
    currency: 'BRL',
    locale: 'pt-BR',
    lang: 'pt-BR',
    skuPrefix: 'BZ',
    codePrefix: 'BELEZA',
    priceScale: 5.5,
    lines: {
      lipstick: {
        label: 'Batom',
        lines: ['Batom Matte Veludo', 'Batom Cremoso Brilho', 'Batom Líquido Longa Duração'],
        variants: [
          'Rosa Antigo',
          'Vermelho Paixão',
          'Nude Rosado',
          'Coral Tropical',
          'Malva',
          'Frutas Vermelhas',
        ],
      },
      foundation: {
        label: 'Base',
        lines: ['Base Fluida Segunda Pele', 'Base Matte Alta Cobertura'],
        variants: ['Porcelana', 'Marfim', 'Areia', 'Mel', 'Caramelo', 'Café'],
      },
      mascara: {
        label: 'Máscara de Cílios',
        lines: ['Máscara Cílios Lifting', 'Máscara Volume Extremo'],
        variants: ['Preto Intenso', 'Marrom'],
      },
      serum: {
        label: 'Séruns',
        lines: [
          'Sérum Ouro 24K',
          'Sérum Vitamina C Iluminador',
          'Sérum Niacinamida 10%',
          'Sérum Retinol Noturno',
        ],
        variants: SIZES.serum,
      },
      moisturizer: {
        label: 'Hidratantes',
        lines: ['Creme Reparador de Barreira', 'Hidratante Gel Orvalho', 'Creme Ceramidas Intenso'],
        variants: SIZES.moisturizer,
      },
      cleanser: {
        label: 'Limpeza',
        lines: ['Espuma de Limpeza Suave', 'Água Micelar', 'Bálsamo de Limpeza'],
        variants: SIZES.cleanser,
      },
    },
  },
  maisonjs: {
    key: 'maisonjs',
    name: 'Maison Jolie',
    brand: 'Maison Jolie',
    currency: 'EUR',
    locale: 'fr-FR',
    lang: 'fr',
    skuPrefix: 'MJ',
    codePrefix: 'JOLIE',
    priceScale: 0.95,
    lines: {
      lipstick: {
        label: 'Rouges à lèvres',
        lines: ['Rouge à Lèvres Velours', 'Rouge à Lèvres Satin', 'Encre à Lèvres Tenue Longue'],
        variants: ['Bois de Rose', 'Rouge Passion', 'Nude Rosé', 'Corail', 'Mauve', 'Baies Sauvages'],
      },
      foundation: {
        label: 'Fonds de teint',
        lines: ['Fond de Teint Seconde Peau', 'Fond de Teint Mat Haute Couvrance'],
        variants: ['Porcelaine', 'Ivoire', 'Sable', 'Miel', 'Caramel', 'Moka'],
      },
      mascara: {
        label: 'Mascaras',
        lines: ['Mascara Effet Lifting', 'Mascara Volume Intense'],
        variants: ['Noir Profond', 'Brun'],
      },
      serum: {
        label: 'Sérums',
        lines: ['Élixir Or 24K', 'Sérum Éclat Vitamine C', 'Sérum Niacinamide 10 %', 'Sérum Rétinol Nuit'],
        variants: SIZES.serum,
      },
      moisturizer: {
        label: 'Hydratants',
        lines: ['Crème Réparatrice Barrière', 'Gel Hydratant Rosée', 'Crème Riche aux Céramides'],
        variants: SIZES.moisturizer,
      },
      cleanser: {
        label: 'Nettoyants',
        lines: ['Mousse Nettoyante Douce', 'Eau Micellaire', 'Baume Démaquillant'],
        variants: SIZES.cleanser,
      },
    },
  },
};

export const SHOP_KEYS = Object.keys(SHOPS) as ShopKey[];
