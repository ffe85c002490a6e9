import { DAY_MS, dayStartsAt, type MarketClock } from './clock.ts';
import { createRandom, hashString, type Random } from './random.ts';

/** The phrase planted as the emerging trend: absent until 10 days before start, then growing. */
export const EMERGING_PHRASE = 'glass skin';
/** The decoy that spikes every weekend (Saturday and Sunday, UTC) and is quiet on weekdays. */
export const DECOY_PHRASE = 'selfcaresunday';
/** The term one author floods on a single day (4 days before start). */
export const FLOOD_TERM = 'moonmilk';

export type Lang = 'en' | 'es' | 'pt';
export type Sentiment = 'positive' | 'negative' | 'mixed' | 'neutral';
export type Aspect =
  | 'price'
  | 'texture'
  | 'scent'
  | 'longevity'
  | 'packaging'
  | 'delivery'
  | 'customer service';

/** A mentioned brand: key, display name and the spellings people use for it. */
export interface Voice {
  key: string;
  name: string;
  aliases: string[];
}

/** Lumina Beauty (the user's brand) first, then the three competitors' brands. */
export const VOICES: Voice[] = [
  {
    key: 'lumina',
    name: 'Lumina Beauty',
    aliases: ['Lumina Beauty', 'Lumina', '@luminabeauty', '#luminabeauty'],
  },
  { key: 'glowco', name: 'GlowCo', aliases: ['GlowCo', 'Glow Co', '@glowco'] },
  { key: 'belezabr', name: 'Beleza Pura', aliases: ['Beleza Pura', '#belezapura'] },
  { key: 'maisonjs', name: 'Maison Jolie', aliases: ['Maison Jolie', '@maisonjolie'] },
];

/** A Bluesky author (`app.bsky.actor.defs#profileViewBasic`, trimmed). */
export interface SocialAuthor {
  did: string;
  handle: string;
  displayName: string;
}

/** One post exactly as Bluesky's `app.bsky.feed.searchPosts` returns it (trimmed). */
export interface SocialPost {
  uri: string;
  cid: string;
  author: SocialAuthor;
  record: { $type: 'app.bsky.feed.post'; text: string; createdAt: string; langs: string[] };
  indexedAt: string;
  likeCount: number;
  repostCount: number;
  replyCount: number;
}

/** A generated post plus the ground truth it was written from (never served). */
export interface DemoPost {
  at: number;
  post: SocialPost;
  truth: {
    kind: 'opinion' | 'emerging' | 'decoy' | 'flood' | 'noise';
    subject: string | null;
    sentiment: Sentiment;
    aspect: Aspect | null;
    lang: Lang;
  };
}

interface AuthorProfile extends SocialAuthor {
  lang: Lang;
}

const FIRST = [
  'maya',
  'lucia',
  'ana',
  'sofia',
  'emma',
  'olivia',
  'camila',
  'julia',
  'chloe',
  'zoe',
  'aisha',
  'mei',
  'nora',
  'leah',
  'isabel',
  'grace',
  'ruby',
  'tara',
  'jade',
  'eva',
];
const LAST = ['reyes', 'silva', 'kim', 'nguyen', 'patel', 'costa', 'lopez', 'martin', 'brown', 'okafor'];
const LANG_OF_FIRST: Partial<Record<string, Lang>> = {
  lucia: 'es',
  camila: 'es',
  isabel: 'es',
  ana: 'pt',
  julia: 'pt',
};
export const ASPECTS: Aspect[] = [
  'price',
  'texture',
  'scent',
  'longevity',
  'packaging',
  'delivery',
  'customer service',
];

export const ASPECT_WORDS: Record<Lang, Record<Aspect, [string, string]>> = {
  en: {
    price: ['so affordable for the quality', 'way too expensive for what you get'],
    texture: ['the texture is silky and blends like a dream', 'the texture is sticky and pills'],
    scent: ['it smells amazing', 'the scent is overwhelming'],
    longevity: ['it lasts all day', "it doesn't last more than two hours"],
    packaging: ['the packaging is gorgeous', 'the pump broke on day one'],
    delivery: ['it arrived in two days', 'delivery took three weeks'],
    'customer service': [
      'customer service sorted my issue in minutes',
      'customer service never answered my emails',
    ],
  },
  es: {
    price: ['tiene un precio increíble', 'es carísimo para lo que es'],
    texture: ['la textura es suavecita', 'la textura es pegajosa'],
    scent: ['huele delicioso', 'el olor es demasiado fuerte'],
    longevity: ['dura todo el día', 'no dura nada'],
    packaging: ['el empaque es precioso', 'el envase llegó roto'],
    delivery: ['llegó en dos días', 'el envío tardó tres semanas'],
    'customer service': ['la atención al cliente fue excelente', 'atención al cliente nunca respondió'],
  },
  pt: {
    price: ['o preço é ótimo', 'é caro demais'],
    texture: ['a textura é levinha', 'a textura é pegajosa'],
    scent: ['o cheiro é maravilhoso', 'o cheiro é muito forte'],
    longevity: ['dura o dia todo', 'não dura nada'],
    packaging: ['a embalagem é linda', 'a embalagem veio quebrada'],
    delivery: ['chegou em dois dias', 'a entrega atrasou três semanas'],
    'customer service': ['o atendimento foi ótimo', 'o atendimento nunca respondeu'],
  },
};

const PRODUCT_WORDS: Record<Lang, string[]> = {
  en: ['lipstick', 'foundation', 'mascara', 'serum', 'moisturizer', 'cleanser'],
  es: ['labial', 'maquillaje', 'rímel', 'sérum', 'hidratante', 'limpiador'],
  pt: ['batom', 'corretivo', 'rímel', 'sérum', 'hidratante', 'demaquilante'],
};

type Template = (s: string, product: string, good: string, bad: string) => string;

const OPINIONS: Record<Lang, Record<Sentiment, Template[]>> = {
  en: {
    positive: [
      (s, p, g) => `Obsessed with my ${s} ${p}, ${g} ✨`,
      (s, p) => `${s} ${p} is honestly worth every penny 😍`,
      (s, p, g) => `Third time repurchasing the ${s} ${p}. ${cap(g)}!`,
    ],
    negative: [
      (s, p, _g, b) => `${s} ${p} is not worth the price, ${b} 😒`,
      (s, _p, _g, b) => `Really disappointed with ${s}... ${b}`,
      (s, p, _g, b) => `Never buying the ${s} ${p} again, ${b}. Not good at all.`,
    ],
    mixed: [
      (s, p) => `love the shade of the ${s} ${p} but it broke me out 😩`,
      (s, p, g, b) => `${cap(g)} with the ${s} ${p}, but ${b}.`,
    ],
    neutral: [
      (s, p) => `Anyone tried the new ${s} ${p}? Thinking about getting it`,
      (s, p) => `Just ordered the ${s} ${p}, will report back`,
    ],
  },
  es: {
    positive: [(s, p, g) => `Me encanta el ${p} de ${s}, ${g} ✨`],
    negative: [(s, p, _g, b) => `El ${p} de ${s} no vale lo que cuesta, ${b} 😒`],
    mixed: [(s, p, _g, b) => `Me gusta el tono del ${p} de ${s} pero ${b}`],
    neutral: [(s, p) => `¿Alguien probó el ${p} de ${s}?`],
  },
  pt: {
    positive: [(s, p, g) => `Amei o ${p} da ${s}, ${g} ✨`],
    negative: [(s, p, _g, b) => `O ${p} da ${s} não vale o preço, ${b} 😒`],
    mixed: [(s, p, _g, b) => `Gostei da cor do ${p} da ${s}, mas ${b}`],
    neutral: [(s, p) => `Alguém já testou o ${p} da ${s}?`],
  },
};

const EMERGING: Record<Lang, ((s: string, p: string) => string)[]> = {
  en: [
    (s, p) => `chasing that glass skin look with the ${s} ${p} 💧 #glassskin`,
    (_s, p) => `glass skin routine: double cleanse, ${p}, SPF. that's it #skincare #glassskin`,
    () => 'is everyone doing glass skin now?? my whole skincare feed is full of it',
    (s) => `Week two of my glass skin journey with ${s} and honestly my skin has never looked better`,
  ],
  es: [(s, p) => `rutina glass skin con el ${p} de ${s} #glassskin`],
  pt: [(s, p) => `rotina glass skin com o ${p} da ${s} #glassskin`],
};

/** Subject weights and the sentiment mix people have about each brand: [positive, negative, mixed]. */
const MOOD: Record<string, { weight: number; mix: [number, number, number] }> = {
  lumina: { weight: 0.35, mix: [0.5, 0.2, 0.15] },
  glowco: { weight: 0.25, mix: [0.35, 0.35, 0.15] },
  belezabr: { weight: 0.2, mix: [0.5, 0.2, 0.15] },
  maisonjs: { weight: 0.2, mix: [0.25, 0.45, 0.15] },
};

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const TID_ALPHABET = '234567abcdefghijklmnopqrstuvwxyz';

function base32(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32[random.int(0, 31)];
  return out;
}

/** A Bluesky-style TID record key: microseconds since epoch in sortable base32, 13 chars. */
function tid(at: number, clockId: number): string {
  let value = BigInt(at) * 1000n * 1024n + BigInt(clockId % 1024);
  let out = '';
  for (let i = 0; i < 13; i++) {
    out = TID_ALPHABET[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

/** The ~200 authors posting in the demo (75 % English, the rest Spanish or Portuguese). */
export function authorsOf(seed: number): AuthorProfile[] {
  const authors: AuthorProfile[] = [];
  for (const last of LAST) {
    for (const first of FIRST) {
      const random = createRandom(seed, 'author', first, last);
      const handle = `${first}${last}${random.chance(0.3) ? random.int(1, 99) : ''}.bsky.social`;
      authors.push({
        did: `did:plc:${base32(random, 24)}`,
        handle,
        displayName: `${cap(first)} ${cap(last)}`,
        lang: LANG_OF_FIRST[first] ?? 'en',
      });
    }
  }
  return authors;
}

function pickSubject(random: Random): Voice {
  let roll = random.next();
  for (const voice of VOICES) {
    roll -= MOOD[voice.key].weight;
    if (roll < 0) return voice;
  }
  return VOICES[0];
}

function pickSentiment(random: Random, voice: Voice): Sentiment {
  const [positive, negative, mixed] = MOOD[voice.key].mix;
  const roll = random.next();
  if (roll < positive) return 'positive';
  if (roll < positive + negative) return 'negative';
  if (roll < positive + negative + mixed) return 'mixed';
  return 'neutral';
}

function makePost(
  random: Random,
  author: AuthorProfile,
  at: number,
  text: string,
  truth: Omit<DemoPost['truth'], 'lang'>,
): DemoPost {
  const uri = `at://${author.did}/app.bsky.feed.post/${tid(at, random.int(0, 1023))}`;
  const createdAt = new Date(at).toISOString();
  return {
    at,
    post: {
      uri,
      cid: `bafyrei${base32(createRandom(hashString(uri), 'cid'), 52)}`,
      author: { did: author.did, handle: author.handle, displayName: author.displayName },
      record: { $type: 'app.bsky.feed.post', text, createdAt, langs: [author.lang] },
      indexedAt: createdAt,
      likeCount: Math.floor(random.next() ** 3 * 400),
      repostCount: Math.floor(random.next() ** 4 * 60),
      replyCount: Math.floor(random.next() ** 3 * 25),
    },
    truth: { ...truth, lang: author.lang },
  };
}

function opinion(random: Random, author: AuthorProfile, at: number): DemoPost {
  const voice = pickSubject(random);
  const sentiment = pickSentiment(random, voice);
  const aspect = random.pick(ASPECTS);
  const [good, bad] = ASPECT_WORDS[author.lang][aspect];
  const name = author.lang === 'en' ? random.pick(voice.aliases) : voice.name;
  const text = random.pick(OPINIONS[author.lang][sentiment])(
    name,
    random.pick(PRODUCT_WORDS[author.lang]),
    good,
    bad,
  );
  const aspectUsed = text.includes(good) || text.includes(bad) ? aspect : null;
  return makePost(random, author, at, text, {
    kind: 'opinion',
    subject: voice.key,
    sentiment,
    aspect: aspectUsed,
  });
}

function emerging(random: Random, author: AuthorProfile, at: number): DemoPost {
  const voice = pickSubject(random);
  const text = random.pick(EMERGING[author.lang])(voice.name, random.pick(PRODUCT_WORDS[author.lang]));
  const subject = text.includes(voice.name) ? voice.key : null;
  return makePost(random, author, at, text, {
    kind: 'emerging',
    subject,
    sentiment: 'positive',
    aspect: null,
  });
}

/** Distinct authors, drawn without replacement. */
function distinctAuthors(random: Random, authors: AuthorProfile[], count: number): AuthorProfile[] {
  const pool = [...authors];
  const chosen: AuthorProfile[] = [];
  while (chosen.length < count && pool.length > 0)
    chosen.push(pool.splice(random.int(0, pool.length - 1), 1)[0]);
  return chosen;
}

/**
 * The 30 real days of posts before the market started (about 40–80 opinions a day plus the
 * planted signals), oldest first. Pure in (seed, startedAt).
 */
export function backfillPosts(seed: number, startedAt: number): DemoPost[] {
  const authors = authorsOf(seed);
  const posts: DemoPost[] = [];
  for (let offset = -30; offset < 0; offset++) {
    const random = createRandom(seed, 'backfill', offset);
    const from = startedAt + offset * DAY_MS;
    const at = () => from + Math.floor(random.next() * DAY_MS);
    const opinions = random.int(40, 80);
    for (let i = 0; i < opinions; i++) posts.push(opinion(random, random.pick(authors), at()));
    if (offset >= -10) {
      for (const author of distinctAuthors(random, authors, 2 * (offset + 11)))
        posts.push(emerging(random, author, at()));
    }
    const weekday = new Date(from + DAY_MS / 2).getUTCDay();
    const decoys = weekday === 0 || weekday === 6 ? random.int(12, 18) : random.int(0, 1);
    for (const author of distinctAuthors(random, authors, decoys)) {
      const text = random.pick([
        'sheet mask, candles and a long bath #selfcaresunday #skincare 🧖‍♀️',
        'no makeup, just skincare and a good book today #selfcaresunday',
        'weekend reset: hair mask + skincare + early night #selfcaresunday',
      ]);
      posts.push(
        makePost(random, author, at(), text, {
          kind: 'decoy',
          subject: null,
          sentiment: 'positive',
          aspect: null,
        }),
      );
    }
    if (offset === -4) {
      const flooder = authors[7];
      for (let i = 0; i < 25; i++) {
        const text = `MOONMILK skincare drop is LIVE 🌙 link in bio #moonmilk (${i + 1}/25)`;
        posts.push(
          makePost(random, flooder, at(), text, {
            kind: 'flood',
            subject: null,
            sentiment: 'neutral',
            aspect: null,
          }),
        );
      }
    }
    for (let i = random.int(1, 3); i > 0; i--) {
      const text = random.pick([
        'Saw a great film at Lumina Cinema tonight 🎬',
        'My old Chevy Lumina finally died, RIP',
        'Lumina Cinema popcorn is overpriced, not worth it',
      ]);
      posts.push(
        makePost(random, random.pick(authors), at(), text, {
          kind: 'noise',
          subject: null,
          sentiment: 'neutral',
          aspect: null,
        }),
      );
    }
  }
  return posts.sort((a, b) => a.at - b.at);
}

/**
 * Posts written during simulated day `day` (a handful of opinions plus two or three "glass
 * skin" posts), timestamped within the day's real interval. Filter by `at <= now` before serving.
 */
export function livePostsOn(seed: number, clock: MarketClock, day: number): DemoPost[] {
  const authors = authorsOf(seed);
  const random = createRandom(seed, 'live', day);
  const from = dayStartsAt(clock, day);
  const at = () => from + Math.floor(random.next() * clock.daySeconds * 1000);
  const posts: DemoPost[] = [];
  for (let i = random.int(4, 8); i > 0; i--) posts.push(opinion(random, random.pick(authors), at()));
  for (const author of distinctAuthors(random, authors, random.int(2, 3)))
    posts.push(emerging(random, author, at()));
  return posts.sort((a, b) => a.at - b.at);
}

/** Parameters of `app.bsky.feed.searchPosts` that the demo honours. */
export interface SearchParams {
  q: string;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

/** The response body of `app.bsky.feed.searchPosts`. */
export interface SearchPostsResult {
  posts: SocialPost[];
  cursor?: string;
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * Builds a matcher for a search query: alternatives separated by ` OR `, each matching when all
 * its words occur as words of the post (case-insensitive; `#` and `@` are ignored). An empty
 * query or `*` matches everything.
 */
export function matchQuery(q: string): (text: string) => boolean {
  const trimmed = q.trim();
  if (trimmed === '' || trimmed === '*') return () => true;
  const alternatives = trimmed.split(/\s+OR\s+/).map((alt) => words(alt.replace(/"/g, '')));
  return (text) => {
    const present = new Set(words(text));
    return alternatives.some((alt) => alt.length > 0 && alt.every((w) => present.has(w)));
  };
}

/**
 * Answers a searchPosts request over `posts`: newest first, `since` inclusive, `until`
 * exclusive (both on createdAt), keyset cursor. Throws RangeError on a bad limit or datetime.
 */
export function searchPosts(posts: DemoPost[], params: SearchParams): SearchPostsResult {
  const limit = params.limit ?? 25;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new RangeError('limit must be between 1 and 100');
  const since = params.since ? Date.parse(params.since) : Number.NEGATIVE_INFINITY;
  const until = params.until ? Date.parse(params.until) : Number.POSITIVE_INFINITY;
  if (Number.isNaN(since) || Number.isNaN(until)) throw new RangeError('since and until must be datetimes');
  let after: { at: number; uri: string } | null = null;
  if (params.cursor) {
    const [at, uri] = Buffer.from(params.cursor, 'base64url').toString('utf8').split('|');
    if (!uri || Number.isNaN(Number(at))) throw new RangeError('invalid cursor');
    after = { at: Number(at), uri };
  }
  const matches = matchQuery(params.q);
  const older = (p: DemoPost) =>
    after === null || p.at < after.at || (p.at === after.at && p.post.uri < after.uri);
  const found = posts
    .filter((p) => p.at >= since && p.at < until && older(p) && matches(p.post.record.text))
    .sort((a, b) => b.at - a.at || (b.post.uri < a.post.uri ? -1 : 1));
  const page = found.slice(0, limit);
  const last = page[page.length - 1];
  return {
    posts: page.map((p) => p.post),
    ...(found.length > limit && last
      ? { cursor: Buffer.from(`${last.at}|${last.post.uri}`).toString('base64url') }
      : {}),
  };
}
