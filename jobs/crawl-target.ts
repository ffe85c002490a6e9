import { Type } from '@sinclair/typebox';
import { detectPriceEvents } from '../analyzers/index.ts';
import type { ExtractHints, PageLabel, PageOutcome } from '../crawlers/index.ts';
import {
  type CrawlOutcome,
  claimTargetRun,
  type Db,
  type EventInput,
  eventIdsOfRun,
  finishCrawlRun,
  finishProductRun,
  insertEvents,
  insertMentions,
  listEntities,
  recordTargetOutcome,
  storeProductPages,
  type Target,
  type TargetKind,
  upsertProducts,
  upsertTarget,
} from '../db/index.ts';
import { fetchVoices, toMentions } from './crawl-voices.ts';
import { defineJob, type JobContext, QUEUES } from './types.ts';

/** Consecutive failed or blocked runs before a target raises `target_failing`. */
export const FAILING_AFTER = 3;
/** Largest number of product links one catalog or sitemap run turns into targets. */
const MAX_DISCOVERED = 5_000;

/** Window of a schedule tick: a re-delivered job or a "crawl now" in the same window is the same run. */
export function windowStartOf(scheduledAt: number, intervalSeconds: number): Date {
  const ms = intervalSeconds * 1000;
  // Tolerate a tick firing slightly early: it still belongs to the window it was meant for.
  return new Date(Math.floor((scheduledAt + Math.min(500, ms / 4)) / ms) * ms);
}

function hintsOf(t: Target): ExtractHints {
  return {
    url: t.url,
    currency: t.options.currency ?? null,
    locale: t.options.locale ?? null,
    selectors: t.options.selectors ?? null,
  };
}

/** robots.txt unless the target opts out; product pages of `needsJs` targets go to the browser crawler. */
function routingOf(t: Target): { robots: boolean; needsJs: boolean } {
  return { robots: t.options.robots !== false, needsJs: t.kind === 'product' && t.options.needsJs === true };
}

const LABEL: Partial<Record<Target['kind'], PageLabel>> = {
  product: 'product',
  catalog: 'catalog',
  sitemap: 'sitemap',
};

/** Kinds this job crawls (pages by label, feeds and social searches as voices); others are skipped unclaimed. */
const CRAWLABLE: readonly TargetKind[] = ['product', 'catalog', 'sitemap', 'feed', 'social'];

export const crawlTarget = defineJob({
  name: 'crawl-target',
  queue: QUEUES.crawl,
  schema: Type.Object({ targetId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
  async process({ targetId }, ctx) {
    // The target and its run for this window in one round trip; nothing is claimed for a target we cannot crawl.
    const { target, run } = await claimTargetRun(
      ctx.db,
      targetId,
      ctx.scheduledAt,
      ctx.jobId,
      ctx.workerId,
      CRAWLABLE,
    );
    if (!target?.enabled) return { skipped: 'target gone or disabled' };
    const label = LABEL[target.kind];
    if (!run) return { skipped: `no crawler for ${target.kind} targets yet` };
    if (run.finishedAt) {
      // Already done in this window (a duplicate delivery, or a crash after commit): only re-announce its events.
      const eventIds = await eventIdsOfRun(ctx.db, run.id);
      if (eventIds.length)
        await ctx.enqueue('evaluate-alerts', { eventIds }, { jobId: `alerts:run:${run.id}` });
      return { skipped: 'window already crawled', runId: run.id };
    }
    if (run.jobId !== ctx.jobId) {
      return { skipped: `window being crawled by job ${run.jobId}`, runId: run.id };
    }
    if (target.kind === 'feed' || target.kind === 'social') return crawlVoicesRun(ctx, target, run.id);

    let [outcome] = await ctx
      .pageCrawler()
      .fetchPages([{ url: target.url, label: label!, hints: hintsOf(target), ...routingOf(target) }]);
    if (outcome.kind === 'links' && outcome.sitemaps.length > 0)
      outcome = await expandSitemapIndex(ctx, target, outcome);
    const { eventIds, newTargets } =
      outcome.kind === 'product'
        ? { eventIds: await persistProductPage(ctx.db, target, run.id, outcome), newTargets: [] }
        : await ctx.db.withTransaction((tx) => persistOutcome(tx, target, run.id, outcome));
    // After commit, so the jobs we start see what we stored.
    if (eventIds.length)
      await ctx.enqueue('evaluate-alerts', { eventIds }, { jobId: `alerts:run:${run.id}` });
    for (const child of newTargets) {
      await ctx.scheduler.upsert(child);
      await ctx.enqueue('crawl-target', { targetId: child.id }, { jobId: `crawl:first:${child.id}` });
    }
    return { runId: run.id, outcome: outcome.kind, events: eventIds.length, discovered: newTargets.length };
  },
});

/** A sitemap index: fetch its child sitemaps (one level) and merge their URLs. */
async function expandSitemapIndex(
  ctx: JobContext,
  target: Target,
  index: Extract<PageOutcome, { kind: 'links' }>,
): Promise<PageOutcome> {
  const children = await ctx
    .pageCrawler()
    .fetchPages(
      index.sitemaps
        .slice(0, 50)
        .map((url) => ({ url, label: 'sitemap' as const, hints: hintsOf(target), ...routingOf(target) })),
    );
  const links = [...index.links];
  for (const c of children) {
    if (c.kind === 'links') links.push(...c.links);
    else if (c.kind !== 'product') return c; // a child that failed or was blocked fails the run: never a partial "no products"
  }
  return { ...index, links, sitemaps: [] };
}

interface Persisted {
  eventIds: number[];
  /** Product targets found by a listing, to schedule once committed. */
  newTargets: Target[];
}

async function persistOutcome(
  db: Db,
  target: Target,
  runId: number,
  outcome: PageOutcome,
): Promise<Persisted> {
  if (outcome.kind === 'blocked' || outcome.kind === 'failed') {
    const runOutcome: CrawlOutcome = outcome.kind === 'blocked' ? 'blocked' : outcome.outcome;
    const eventIds = await recordFailure(
      db,
      target,
      runId,
      runOutcome,
      outcome.reason,
      outcome.status,
      outcome.url,
    );
    return { eventIds, newTargets: [] };
  }
  if (outcome.kind === 'product') throw new Error('product pages are stored by persistProductPage');
  return { eventIds: [], newTargets: await persistDiscoveredLinks(db, target, runId, outcome) };
}

/**
 * A product page in two statements and no explicit transaction: (1) product, observation and its context;
 * detection here; (2) events, run finished, target outcome. Each statement is atomic. A crash between them
 * leaves the observation stored and the run open: the redelivered job (same job id) reclaims the run, gets the
 * STORED observation back (one per product and run) and derives the same events with the same dedup keys from it
 * — never a second observation, never an event lost or doubled.
 */
async function persistProductPage(
  db: Db,
  target: Target,
  runId: number,
  outcome: Extract<PageOutcome, { kind: 'product' }>,
): Promise<number[]> {
  const { page, url, status } = outcome;
  const main = page.main;
  const [stored] = await storeProductPages(db, target.competitorId, [
    {
      product: {
        url: target.url,
        name: page.name,
        sku: page.sku,
        brand: page.brand,
        category: page.category,
      },
      observation: {
        crawlRunId: runId,
        observedAt: new Date(),
        price: main?.price ?? main?.lowPrice ?? null,
        listPrice: main?.listPrice ?? null,
        currency: main?.currency ?? null,
        currencyRaw: main?.currencyRaw ?? null,
        availability: main?.availability ?? null,
        source: main?.source ?? null,
        confidence: main?.confidence ?? null,
        evidence: main?.evidence ?? null,
        reason: page.reason,
        promotions: page.promotions,
        url,
      },
    },
  ]);
  const { observation: obs, product, previous } = stored;
  // Compared as stored (promotions included), so a redelivery compares exactly what the first attempt did.
  const detected = detectPriceEvents(previous, obs, {
    isLaunch: product.isLaunch,
    range30: { min: stored.min30, max: stored.max30 },
  });
  const events: EventInput[] = detected.map((d) => ({
    type: d.type,
    dedupKey: `${d.type}:obs:${obs.id}:${d.key}`,
    occurredAt: obs.observedAt,
    competitorId: target.competitorId,
    productId: product.id,
    targetId: target.id,
    observationId: obs.id,
    subject: `product:${product.id}`,
    payload: { ...d.payload, productName: page.name },
  }));
  return finishProductRun(db, {
    runId,
    targetId: target.id,
    outcome: previous && events.length === 0 ? 'unchanged' : 'ok',
    httpStatus: status,
    url,
    reason: page.reason,
    events,
  });
}

async function persistDiscoveredLinks(
  db: Db,
  target: Target,
  runId: number,
  outcome: Extract<PageOutcome, { kind: 'links' }>,
): Promise<Target[]> {
  const origin = new URL(target.url).origin;
  const urls = [...new Set(outcome.links.map((l) => l.url))]
    .filter((u) => {
      try {
        return new URL(u).origin === origin;
      } catch {
        return false;
      }
    })
    .slice(0, MAX_DISCOVERED);
  // The first successful run of a listing is the baseline: what it finds is not "launched".
  const launches = target.lastSuccessAt !== null;
  const products = await upsertProducts(
    db,
    target.competitorId,
    urls.map((url) => ({ url })),
    { launches },
  );
  const newTargets: Target[] = [];
  for (const p of products.filter((p) => p.created)) {
    const { target: child, created } = await upsertTarget(db, {
      competitorId: target.competitorId,
      kind: 'product',
      url: p.url,
      options: {
        currency: target.options.currency,
        locale: target.options.locale,
        needsJs: target.options.needsJs,
        selectors: target.options.selectors,
      },
      intervalSeconds: target.intervalSeconds,
      discoveredFrom: target.id,
    });
    if (created) newTargets.push(child);
  }
  await finishCrawlRun(db, runId, {
    outcome: 'ok',
    httpStatus: outcome.status,
    url: outcome.url,
    items: urls.length,
  });
  await recordTargetOutcome(db, target.id, 'ok', true);
  return newTargets;
}

/**
 * A failed or blocked run: recorded with its reason (never as a change), the target's failure streak grows, and
 * the run that reaches FAILING_AFTER raises `target_failing`.
 */
async function recordFailure(
  db: Db,
  target: Target,
  runId: number,
  outcome: CrawlOutcome,
  reason: string,
  status: number | null,
  url: string,
): Promise<number[]> {
  await finishCrawlRun(db, runId, { outcome, reason, httpStatus: status, url });
  const failures = await recordTargetOutcome(db, target.id, outcome, false, { error: reason });
  if (failures !== FAILING_AFTER) return [];
  return insertEvents(db, [
    {
      type: 'target_failing',
      dedupKey: `run:${runId}:target_failing`,
      occurredAt: new Date(),
      competitorId: target.competitorId,
      targetId: target.id,
      subject: `target:${target.id}`,
      payload: { failures, outcome, reason, url: target.url },
    },
  ]);
}

/** New mentions trigger at most one trend pass per slot. */
const TREND_SLOT_MS = 10_000;

/** Mentions are stored in batches of this size, each batch with its rollups in one transaction. */
const MENTION_BATCH = 500;

async function crawlVoicesRun(ctx: JobContext, target: Target, runId: number) {
  let fetched: Awaited<ReturnType<typeof fetchVoices>>;
  try {
    fetched = await fetchVoices(ctx, target);
  } catch (err) {
    const reason = (err as Error).message.slice(0, 500);
    const eventIds = await ctx.db.withTransaction((tx) =>
      recordFailure(tx, target, runId, 'failed', reason, null, target.url),
    );
    if (eventIds.length) await ctx.enqueue('evaluate-alerts', { eventIds }, { jobId: `alerts:run:${runId}` });
    return { runId, outcome: 'failed', reason };
  }
  const mentions = toMentions(fetched.items, target.id, await listEntities(ctx.db));
  let stored = 0;
  for (let i = 0; i < mentions.length; i += MENTION_BATCH) {
    stored += (await insertMentions(ctx.db, mentions.slice(i, i + MENTION_BATCH))).length;
  }
  await finishCrawlRun(ctx.db, runId, {
    outcome: stored ? 'ok' : 'unchanged',
    url: target.url,
    items: stored,
  });
  await recordTargetOutcome(ctx.db, target.id, stored ? 'ok' : 'unchanged', true, {
    state: fetched.state,
    items: stored,
  });
  if (stored) {
    // Debounced: one trend pass at the end of each 10-second slot in which sources stored new mentions.
    const slot = Math.floor(Date.now() / TREND_SLOT_MS);
    const delayMs = (slot + 1) * TREND_SLOT_MS - Date.now();
    await ctx.enqueue('detect-trends', {}, { jobId: `trends:${slot}`, delayMs });
  }
  return { runId, outcome: 'ok', fetched: fetched.items.length, stored };
}
