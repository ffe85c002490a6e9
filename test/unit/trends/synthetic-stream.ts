import { addDays, type TrendMention } from '../../../analyzers/trends/index.ts';

/** Deterministic PRNG (mulberry32) so synthetic streams are identical on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ren',
  'tu',
  'sa',
  'vo',
  'dri',
  'pel',
  'qua',
  'zen',
  'fo',
  'bri',
  'nu',
  'gar',
];

/** A planted event: mentions of `phrase` per day, by day index from the stream start. */
export interface Plant {
  phrase: string;
  perDay: (dayIndex: number, weekday: number) => number;
  /** Fixed author for every mention (a flood); random authors otherwise. */
  author?: string;
  templates?: string[];
}

export const TEMPLATES = [
  'just tried {} from Lumen and wow',
  '{} is all over my feed',
  'anyone else obsessed with {}?',
  'is {} worth the hype?',
  'dermatologist opinions on {}?',
  'bought {} after seeing it everywhere',
  'ok the {} trend is real',
  'not sure about {}, seems overrated',
  'my serum routine now starts with {}',
  '{} changed my skin honestly',
];

/**
 * Background chatter of made-up words (a stable vocabulary, Poisson-ish per-word rates) plus the
 * planted events, in time order. 2026-01-05 is a Monday.
 */
export function syntheticStream(opts: {
  days: number;
  perDay: number;
  plants: Plant[];
  seed?: number;
}): TrendMention[] {
  const rnd = seeded(opts.seed ?? 7);
  const vocab: string[] = [];
  for (let i = 0; i < 400; i++) {
    const n = 2 + Math.floor(rnd() * 2);
    let w = '';
    for (let j = 0; j < n; j++) w += SYLLABLES[Math.floor(rnd() * SYLLABLES.length)];
    vocab.push(w);
  }
  const out: TrendMention[] = [];
  let id = 0;
  const start = '2026-01-05';
  for (let d = 0; d < opts.days; d++) {
    const day = addDays(start, d);
    const rows: { sec: number; text: string; author: string }[] = [];
    for (let i = 0; i < opts.perDay; i++) {
      const len = 5 + Math.floor(rnd() * 6);
      const words: string[] = [];
      // Zipf-like: low indices far more common.
      for (let k = 0; k < len; k++) words.push(vocab[Math.floor(vocab.length * rnd() ** 2.5)]);
      rows.push({
        sec: Math.floor(rnd() * 86400),
        text: words.join(' '),
        author: `u${Math.floor(rnd() * 5000)}`,
      });
    }
    for (const p of opts.plants) {
      const n = p.perDay(d, d % 7);
      const templates = p.templates ?? TEMPLATES;
      for (let i = 0; i < n; i++) {
        const t = templates[Math.floor(rnd() * templates.length)];
        rows.push({
          sec: Math.floor(rnd() * 86400),
          text: t.replace('{}', p.phrase),
          author: p.author ?? `u${Math.floor(rnd() * 5000)}`,
        });
      }
    }
    rows.sort((a, b) => a.sec - b.sec);
    for (const r of rows) {
      const hh = String(Math.floor(r.sec / 3600)).padStart(2, '0');
      const mm = String(Math.floor((r.sec % 3600) / 60)).padStart(2, '0');
      const ss = String(r.sec % 60).padStart(2, '0');
      out.push({
        id: `s${id++}`,
        publishedAt: `${day}T${hh}:${mm}:${ss}.000Z`,
        author: r.author,
        source: ['bluesky', 'reddit', 'rss'][id % 3],
        text: r.text,
      });
    }
  }
  return out;
}
