/**
 * Feed and social targets: fetch new items through the SSRF-guarded transport and store them as mentions; what
 * the analyzer does with a stored mention (language, entities, sentiment, candidate terms, near-duplicate hash).
 */
import {
  canonicalizeUrl,
  collectTerms,
  detectLanguage,
  matchEntities,
  normalizeText,
  scoreSentiment,
  simhash64,
  toSignedBigint,
} from '../analyzers/index.ts';
import {
  createSafeFetcher,
  entryKey,
  extractArticle,
  parseFeed,
  SOCIAL_ADAPTERS,
  type SocialItem,
  safeFetch,
  safeFetchWithRetries,
  searchSource,
  toPlainText,
} from '../crawlers/index.ts';
import {
  type Db,
  type Entity,
  type MentionAnalysis,
  type MentionInput,
  type PreparedMentions,
  prepareRawMentions,
  type RawMention,
  storePreparedMentions,
  type Target,
} from '../db/index.ts';
import type { JobContext } from './types.ts';

/** Feed entries shorter than this get their article page fetched for the full text. */
const SHORT_ENTRY = 400;
const MAX_ARTICLES_PER_RUN = 10;

export interface VoicesResult {
  items: SocialItem[];
  /** Where the next run starts (newest item seen). */
  state: Record<string, unknown>;
}

function policyOf(ctx: JobContext) {
  return { allowPrivate: ctx.config.net.allowPrivate, allow: ctx.config.net.allow };
}

/** Which social network a target searches, and the base URL to send to it. */
export function socialSourceOf(target: Target): { network: string; baseUrl: string } {
  const network =
    target.options.network ?? (target.url.includes('app.bsky.feed.searchPosts') ? 'bluesky' : null);
  if (!network || !SOCIAL_ADAPTERS[network]) {
    throw new Error(
      `social target ${target.id}: options.network must be one of ${Object.keys(SOCIAL_ADAPTERS).join(', ')}`,
    );
  }
  const marker = target.url.indexOf('xrpc/');
  return { network, baseUrl: marker > 0 ? target.url.slice(0, marker) : target.url };
}

/** Fetches what a feed or social target has published since its last run. Throws on a failed fetch. */
export async function fetchVoices(ctx: JobContext, target: Target): Promise<VoicesResult> {
  const since = typeof target.state?.since === 'string' ? target.state.since : null;
  const fetchOpts = {
    policy: policyOf(ctx),
    timeoutMs: ctx.config.crawl.timeoutMs,
    maxBytes: ctx.config.crawl.maxBytes,
    userAgent: ctx.config.crawl.userAgent,
  };
  // The page crawler's retry budget: a reset or a 503 is tried again within this run, not in the next window.
  const retry = { retries: ctx.config.crawl.maxRetries };
  let items: SocialItem[];
  if (target.kind === 'social') {
    const { network, baseUrl } = socialSourceOf(target);
    items = await searchSource(
      SOCIAL_ADAPTERS[network],
      { query: target.options.query ?? '', since, cursor: null, limit: 100 },
      { baseUrl },
      createSafeFetcher(fetchOpts, retry),
      { maxPages: since ? 5 : 40 },
    );
  } else {
    const res = await safeFetchWithRetries(target.url, fetchOpts, retry);
    if (res.status >= 400) throw new Error(`HTTP ${res.status}`);
    const feed = parseFeed(res.body, {
      url: res.url,
      contentType: res.headers['content-type'] ?? null,
      headers: res.headers,
    });
    if (!feed.ok) throw new Error(`feed not parsed: ${feed.error}`);
    const source = `feed:${new URL(target.url).host}`;
    items = feed.entries.map((e) => ({
      source,
      sourceId: entryKey(e, target.url),
      url: e.link,
      author: e.author,
      title: e.title === null ? null : toPlainText(e.title),
      text: toPlainText(e.content ?? e.summary),
      publishedAt: e.published ?? e.updated ?? new Date().toISOString(),
      lang: null,
    }));
    if (since) items = items.filter((i) => i.publishedAt > since);
    let fetched = 0;
    for (const item of items) {
      if (item.text.length >= SHORT_ENTRY || !item.url || fetched >= MAX_ARTICLES_PER_RUN) continue;
      fetched++;
      try {
        const page = await safeFetch(item.url, fetchOpts);
        if (page.status < 400) {
          const article = extractArticle(page.body.toString('utf8'), page.url);
          if (article.body.length > item.text.length) item.text = article.body;
          item.author ??= article.author;
          item.lang ??= article.lang;
        }
      } catch (err) {
        ctx.log.debug(
          { url: item.url, err: (err as Error).message },
          'article fetch failed; keeping the feed text',
        );
      }
    }
  }
  const newest = items.reduce<string | null>(
    (max, i) => (max === null || i.publishedAt > max ? i.publishedAt : max),
    since,
  );
  return { items, state: { ...target.state, since: newest } };
}

/** Turns fetched items into mentions to store as they are (normalised text, canonical URL); drops empty or undated ones. */
export function toRawMentions(items: SocialItem[], targetId: number | null): RawMention[] {
  const out: RawMention[] = [];
  for (const item of items) {
    const body = normalizeText(item.text);
    const title = item.title ? normalizeText(item.title) : null;
    if (!body && !title) continue;
    const published = new Date(item.publishedAt);
    if (Number.isNaN(published.getTime())) continue;
    out.push({
      source: item.source,
      sourceId: item.sourceId,
      targetId,
      url: item.url,
      canonicalUrl: item.url ? canonicalizeUrl(item.url) : null,
      author: item.author,
      title,
      body,
      lang: item.lang ?? null,
      publishedAt: published,
    });
  }
  return out;
}

/**
 * The analyzer's work on one stored mention (pure apart from the entity list it is given): language (the
 * declared one, else detected), entities, sentiment and aspects, candidate trend terms, near-duplicate hash.
 */
export function analyzeMention(m: RawMention, entities: Entity[]): MentionAnalysis {
  const text = m.title ? `${m.title}\n${m.body}` : m.body;
  const lang = m.lang ?? detectLanguage(text).lang;
  const scored = scoreSentiment(text, { lang });
  // collectTerms yields each key once.
  const terms: MentionAnalysis['terms'] = [];
  collectTerms(text, (key, display) => {
    terms.push({ key, display });
  });
  return {
    lang: lang === 'und' ? null : lang,
    entities: matchEntities(m.body, m.title, entities).map((e) => ({
      key: e.key,
      kind: e.kind,
      field: e.field,
      matched: e.matched,
    })),
    sentiment: Math.round(scored.score * 1000) / 1000,
    sentimentLabel: scored.label,
    aspects: scored.aspects.map((a) => ({
      aspect: a.aspect,
      score: Math.round(a.score * 1000) / 1000,
      label: a.label,
    })),
    simhash: toSignedBigint(simhash64(text)).toString(),
    terms,
  };
}

/** Items as the analyzer leaves them: stored form plus analysis (seeds, tests and benchmarks store these at once). */
export function toMentions(items: SocialItem[], targetId: number | null, entities: Entity[]): MentionInput[] {
  return toRawMentions(items, targetId).map((m) => ({ ...m, ...analyzeMention(m, entities) }));
}

/** Mentions are stored in batches of this size (one COPY each: fewer, larger statements store faster). */
export const MENTION_BATCH = 2_000;

/**
 * What a source's run does with what it fetched: `toRawMentions` then what `storeRawMentions` does (prepare, store), batch by batch, with
 * the two overlapped (while Postgres stores batch k, Node prepares and serialises batch k+1). Batches are stored in order, each
 * atomically; re-running adds nothing. The analyzer (`analyze-mentions`) takes it from there. Returns how many
 * mentions were new. Throws the first storing error; batches stored before it stay stored (a retry adds only
 * the rest).
 */
export async function ingestMentions(
  db: Db,
  items: SocialItem[],
  targetId: number | null,
  batchSize = MENTION_BATCH,
): Promise<number> {
  let stored = 0;
  let failed: { error: unknown } | null = null;
  let storing: Promise<void> = Promise.resolve();
  for (let i = 0; i < items.length && !failed; i += batchSize) {
    const end = Math.min(i + batchSize, items.length);
    let batch: PreparedMentions | undefined;
    // In slices that yield to the event loop: the store in flight gets each reply (BEGIN, COPY's handshake,
    // COMMIT) answered at once, not after the whole next batch is prepared.
    for (let j = i; j < end; j += SLICE) {
      batch = prepareRawMentions(toRawMentions(items.slice(j, Math.min(j + SLICE, end)), targetId), batch);
      await nextTick();
    }
    await storing;
    if (failed) break;
    // Settled here (never left rejected while the next batch is prepared).
    storing = storePreparedMentions(db, batch!).then(
      (n) => {
        stored += n;
      },
      (error: unknown) => {
        failed = { error };
      },
    );
  }
  await storing;
  if (failed) throw (failed as { error: unknown }).error;
  return stored;
}

/** Items prepared between two yields to the event loop (a few hundred microseconds of CPU). */
const SLICE = 50;

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));
