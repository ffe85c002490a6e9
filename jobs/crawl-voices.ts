/**
 * Feed and social targets: fetch new items through the SSRF-guarded transport, turn them into mentions
 * (language, entities, sentiment, candidate terms, near-duplicate hash) and store them with their rollups.
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
  searchSource,
  toPlainText,
} from '../crawlers/index.ts';
import {
  type Db,
  type Entity,
  listEntities,
  type MentionInput,
  prepareMentions,
  storeMentions,
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
  let items: SocialItem[];
  if (target.kind === 'social') {
    const { network, baseUrl } = socialSourceOf(target);
    items = await searchSource(
      SOCIAL_ADAPTERS[network],
      { query: target.options.query ?? '', since, cursor: null, limit: 100 },
      { baseUrl },
      createSafeFetcher(fetchOpts),
      { maxPages: since ? 5 : 40 },
    );
  } else {
    const res = await safeFetch(target.url, fetchOpts);
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

/** Turns fetched items into mentions ready to store. Pure apart from the entity list it is given. */
export function toMentions(items: SocialItem[], targetId: number | null, entities: Entity[]): MentionInput[] {
  const out: MentionInput[] = [];
  for (const item of items) {
    const body = normalizeText(item.text);
    const title = item.title ? normalizeText(item.title) : null;
    if (!body && !title) continue;
    const published = new Date(item.publishedAt);
    if (Number.isNaN(published.getTime())) continue;
    const text = title ? `${title}\n${body}` : body;
    const lang = item.lang ?? detectLanguage(text).lang;
    const scored = scoreSentiment(text, { lang });
    // collectTerms yields each key once.
    const terms: MentionInput['terms'] = [];
    collectTerms(text, (key, display) => {
      terms.push({ key, display });
    });
    out.push({
      source: item.source,
      sourceId: item.sourceId,
      targetId,
      url: item.url,
      canonicalUrl: item.url ? canonicalizeUrl(item.url) : null,
      author: item.author,
      title,
      body,
      lang: lang === 'und' ? null : lang,
      publishedAt: published,
      entities: matchEntities(body, title, entities).map((m) => ({
        key: m.key,
        kind: m.kind,
        field: m.field,
        matched: m.matched,
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
    });
  }
  return out;
}

/** Mentions are stored in batches of this size, each batch with its rollups in one transaction. */
export const MENTION_BATCH = 500;

/** Items turned into mentions between two yields to the event loop (a few milliseconds of CPU). */
const SLICE = 50;

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * `toMentions` then `insertMentions`, batch by batch, with the two overlapped: while Postgres stores batch k,
 * Node turns the items of batch k+1 into mentions, in slices that yield to the event loop so batch k's next
 * statement goes out as soon as the previous one returns, and prepares them (rollups aggregated, rows
 * serialised), so that storing batch k+1 is only its round trips. Batches are still stored one after the other, in
 * order, each in its own transaction, so the result is what storing them sequentially gives (a batch sees the
 * originals of the batches before it). Returns how many mentions were new. Throws the first storing error;
 * batches stored before it stay stored (a retry adds only the rest).
 */
export async function ingestMentions(
  db: Db,
  items: SocialItem[],
  targetId: number | null,
  entities: Entity[],
  batchSize = MENTION_BATCH,
): Promise<number> {
  let stored = 0;
  let failed: { error: unknown } | null = null;
  let storing: Promise<void> = Promise.resolve();
  for (let i = 0; i < items.length && !failed; i += batchSize) {
    const end = Math.min(i + batchSize, items.length);
    const batch: MentionInput[] = [];
    for (let j = i; j < end; j += SLICE) {
      for (const m of toMentions(items.slice(j, Math.min(j + SLICE, end)), targetId, entities)) batch.push(m);
      if (j + SLICE < end) await nextTick();
    }
    await nextTick();
    const prepared = prepareMentions(batch);
    await storing;
    if (failed) break;
    // Settled here (never left rejected while the next batch is prepared).
    storing = storeMentions(db, prepared).then(
      (ids) => {
        stored += ids.length;
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

export async function entitiesFor(ctx: JobContext): Promise<Entity[]> {
  return listEntities(ctx.db);
}
