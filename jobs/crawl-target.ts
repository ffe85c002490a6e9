import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { detectPriceEvents } from '../analyzers/index.ts';
import { type ExtractHints, type PageLabel, type PageOutcome, productSitemaps } from '../crawlers/index.ts';
import {
  type ClaimedRun,
  type CrawlOutcome,
  claimTargetRuns,
  type Db,
  type EventInput,
  eventIdsOfRun,
  finishCrawlRun,
  finishProductRuns,
  getTarget,
  insertEvents,
  listUncrawledDiscovered,
  nonProductTargetUrls,
  type ProductPageInput,
  type ProductRunContext,
  type ProductRunEnd,
  type ProductRunWrite,
  type ProductRunWritten,
  type RunClaim,
  recordTargetOutcome,
  type StoredObservation,
  type StoredProductPage,
  storeProductPages,
  storeProductRuns,
  type Target,
  type TargetKind,
  upsertProducts,
  upsertTarget,
} from '../db/index.ts';
import { enqueueAnalysis } from './analyze-mentions.ts';
import { fetchVoices, ingestMentions } from './crawl-voices.ts';
import { scheduleTargets } from './schedule-targets.ts';
import { defineJob, type Enqueue, type JobContext, QUEUES } from './types.ts';
import { createWriteBatcher, type WriteBatcher } from './write-batcher.ts';

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

/**
 * The hot statements of this job, shared by the concurrent jobs of a process on one pool: the claims, the
 * product pages and the run ends of jobs that reach the same step together go in one statement each.
 */
interface CrawlWrites {
  claim: WriteBatcher<RunClaim, ClaimedRun>;
  storeRun: WriteBatcher<ProductRunWrite, ProductRunWritten | null>;
  storePage: WriteBatcher<ProductPageInput, StoredProductPage>;
  finishRun: WriteBatcher<ProductRunEnd, number[]>;
}

const writesByDb = new WeakMap<Db, CrawlWrites>();

/**
 * One statement of each kind in flight per process: what arrives meanwhile goes in the next one, so batches
 * form exactly when the database (or this process) is the bottleneck, and cost nothing but ordering otherwise.
 */
const BATCHING = { maxInFlight: 1 };

function writesOf(db: Db): CrawlWrites {
  let w = writesByDb.get(db);
  if (!w) {
    w = {
      claim: createWriteBatcher({
        write: (claims) => claimTargetRuns(db, claims, CRAWLABLE),
        key: (c) => String(c.targetId),
        ...BATCHING,
      }),
      storeRun: createWriteBatcher({
        write: (runs) => storeProductRuns(db, runs),
        key: (r) => r.product.url,
        ...BATCHING,
      }),
      storePage: createWriteBatcher({
        write: (pages) => storeProductPages(db, pages),
        key: (p) => p.product.url,
        ...BATCHING,
      }),
      finishRun: createWriteBatcher({
        write: (ends) => finishProductRuns(db, ends),
        key: (e) => String(e.targetId),
        ...BATCHING,
      }),
    };
    writesByDb.set(db, w);
  }
  return w;
}

interface Announcement {
  runId: number;
  eventIds: number[];
}

const announcersByQueue = new WeakMap<Enqueue, WriteBatcher<Announcement, void>>();

/**
 * Hands a committed run's events to `evaluate-alerts`. Runs that finish together share one job (its id derived from
 * their run ids, so an identical batch is enqueued once); a run alone, or a redelivered run re-announcing, uses
 * `alerts:run:<id>`. Evaluation is idempotent per (rule, subject, window), so an event announced twice alerts once.
 */
function announceEvents(ctx: JobContext, a: Announcement): Promise<void> {
  let announcer = announcersByQueue.get(ctx.enqueue);
  if (!announcer) {
    const enqueue = ctx.enqueue;
    announcer = createWriteBatcher<Announcement, void>({
      key: (x) => String(x.runId),
      ...BATCHING,
      async write(items) {
        const runIds = items.map((i) => i.runId).sort((x, y) => x - y);
        const jobId =
          runIds.length === 1
            ? `alerts:run:${runIds[0]}`
            : `alerts:runs:${createHash('sha1').update(runIds.join(',')).digest('hex')}`;
        await enqueue('evaluate-alerts', { eventIds: items.flatMap((i) => i.eventIds) }, { jobId });
        return items.map(() => undefined);
      },
    });
    announcersByQueue.set(ctx.enqueue, announcer);
  }
  return announcer.submit(a);
}

/**
 * A job whose page could not start within this long (its origin's politeness slots are spoken for) gives its worker
 * slot back and comes back when the origin has room, instead of holding the slot while jobs for idle origins wait
 * behind it. Targets are usually added shop by shop, so a window's jobs arrive grouped by origin.
 */
const DEFER_OVER_MS = 500;
/** Times one window's job comes back later before it waits for its slot like any other. */
const MAX_DEFERRALS = 4;

/**
 * Page and interval of each target this process has seen (null: not a page), so a job can see whether its origin is
 * busy before it claims (its run then starts when its page can). Read once per target; a stale entry only costs a wait.
 */
type PageTarget = { url: string; intervalSeconds: number } | null;
/** Per database handle: one process may serve several databases (tests, benches), each with its own ids. */
const pageTargetsByDb = new WeakMap<object, Map<number, PageTarget>>();

function pageTargetsOf(db: object): Map<number, PageTarget> {
  const known = pageTargetsByDb.get(db) ?? new Map<number, PageTarget>();
  pageTargetsByDb.set(db, known);
  return known;
}

function rememberTarget(db: object, id: number, t: Target | null): void {
  pageTargetsOf(db).set(id, t && LABEL[t.kind] ? { url: t.url, intervalSeconds: t.intervalSeconds } : null);
}

/** Re-enqueues this window's job for later when its origin is busy; null when it should crawl now. */
async function deferIfOriginBusy(
  ctx: JobContext,
  targetId: number,
  scheduledAt: number,
  deferrals: number,
  claimAs: string,
): Promise<{ deferredMs: number } | null> {
  if (deferrals >= MAX_DEFERRALS) return null;
  if (!pageTargetsOf(ctx.db).has(targetId))
    rememberTarget(ctx.db, targetId, await getTarget(ctx.db, targetId));
  const known = pageTargetsOf(ctx.db).get(targetId);
  if (!known) return null;
  const windowStart = windowStartOf(scheduledAt, known.intervalSeconds).getTime();
  // A window that ended more than an interval ago is a catch-up (a redelivery, a job from long ago): crawl it now.
  // A job merely late defers all the same: waiting here would hold the slot just as long and make the jobs behind
  // it (other origins, later windows) later still; MAX_DEFERRALS bounds how often it comes back.
  if (Date.now() >= windowStart + 2 * known.intervalSeconds * 1000) return null;
  const ms = ctx.pageCrawler().deferMs(known.url, { overMs: DEFER_OVER_MS, comingBack: deferrals > 0 });
  if (ms === 0) return null;
  try {
    // One chain of deferrals per owner: the first crawl and the schedule's job can both defer in one window, and
    // with one id for both, the second chain's job was dropped as a duplicate. If that chain's owner held the run
    // (it claimed it, died, and its re-delivery deferred), nobody crawled the window (C14 lost a URL in CI).
    const chain = createHash('sha256').update(claimAs).digest('hex').slice(0, 12);
    await ctx.enqueue(
      'crawl-target',
      { targetId, scheduledAt, deferrals: deferrals + 1, claimAs },
      { jobId: `crawl:defer:${targetId}:${windowStart}:${chain}:${deferrals + 1}`, delayMs: ms },
    );
  } catch {
    return null; // the queue is unreachable: crawl now rather than lose the window
  }
  return { deferredMs: ms };
}

export const crawlTarget = defineJob({
  name: 'crawl-target',
  queue: QUEUES.crawl,
  schema: Type.Object(
    {
      targetId: Type.Integer({ minimum: 1 }),
      /** A deferred job's schedule tick (its own is later): the window it crawls. */
      scheduledAt: Type.Optional(Type.Integer({ minimum: 0 })),
      /** Times this window's job was deferred (see DEFER_OVER_MS). */
      deferrals: Type.Optional(Type.Integer({ minimum: 0 })),
      /**
       * A deferred job's original job id: the window's run is claimed in that name, so a job that claimed the run,
       * died and is re-delivered still owns it when its re-delivery defers (RELIABILITY C14).
       */
      claimAs: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    },
    { additionalProperties: false },
  ),
  async process({ targetId, scheduledAt, deferrals = 0, claimAs }, ctx) {
    const tick = scheduledAt ?? ctx.scheduledAt;
    const owner = claimAs ?? ctx.jobId;
    const deferred = await deferIfOriginBusy(ctx, targetId, tick, deferrals, owner);
    if (deferred) return deferred;
    // The target and its run for this window in one round trip; nothing is claimed for a target we cannot crawl.
    const { target, run, product } = await writesOf(ctx.db).claim.submit({
      targetId,
      scheduledAt: tick,
      jobId: owner,
      worker: ctx.workerId,
    });
    rememberTarget(ctx.db, targetId, target);
    if (!target) {
      // A deleted target's schedule left behind (its removal lost after the delete committed): removed now. Ids are
      // never reused. (A disabled target's lost removal is the schedule sweep's: its row says so.)
      await ctx.scheduler.remove(targetId);
      return { skipped: 'target gone' };
    }
    if (!target.enabled) return { skipped: 'target disabled' };
    const label = LABEL[target.kind];
    if (!run) return { skipped: `no crawler for ${target.kind} targets yet` };
    if (run.finishedAt) {
      // Already done in this window (a duplicate delivery, or a crash after commit): only re-announce its events.
      const eventIds = await eventIdsOfRun(ctx.db, run.id);
      if (eventIds.length)
        await ctx.enqueue('evaluate-alerts', { eventIds }, { jobId: `alerts:run:${run.id}` });
      // A catalog run whose worker died between commit and fan-out: finish the fan-out (idempotent).
      if (target.kind === 'catalog' || target.kind === 'sitemap')
        await scheduleTargets(ctx.db, ctx.scheduler, await listUncrawledDiscovered(ctx.db, target.id));
      return { skipped: 'window already crawled', runId: run.id };
    }
    if (run.jobId !== owner) {
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
        ? { eventIds: await persistProductPage(ctx.db, target, run.id, product, outcome), newTargets: [] }
        : await ctx.db.withTransaction((tx) => persistOutcome(tx, target, run.id, outcome));
    // After commit, so the jobs we start see what we stored.
    if (eventIds.length) await announceEvents(ctx, { runId: run.id, eventIds });
    // Their first crawl comes with the schedule: a new schedule's first job runs at once (BullMQ's `every`, and the
    // in-process scheduler alike). A separate first-crawl job was a second job per page in one window: it booked a
    // politeness slot of its own before finding the run taken, so a 200-page catalog booked 400, and a job
    // re-delivered after a crash (C14) came back behind 50 s of bookings that crawled nothing.
    await scheduleTargets(ctx.db, ctx.scheduler, newTargets);
    return { runId: run.id, outcome: outcome.kind, events: eventIds.length, discovered: newTargets.length };
  },
});

/**
 * A sitemap index: fetch its child sitemaps (one level) and merge their URLs; only the children named for products
 * when the shop names them by type (its pages and categories are not products).
 */
async function expandSitemapIndex(
  ctx: JobContext,
  target: Target,
  index: Extract<PageOutcome, { kind: 'links' }>,
): Promise<PageOutcome> {
  const children = await ctx.pageCrawler().fetchPages(
    productSitemaps(index.sitemaps)
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
 * A product page. Fast path, one statement: the claim read what the page is compared with (`context`), so the
 * events are derived here and the product, observation, events, run end and target outcome are written together
 * by `storeProductRuns`, which first checks that the context still holds. Slow path, when it does not (another
 * run of the product stored meanwhile) or this run already stored its observation (a crash between the slow
 * path's two statements): (1) product and observation, returned with the context read beside it; (2) events,
 * run end, target outcome. Each statement is atomic: a redelivered job reclaims the open run, gets the STORED
 * observation back (one per product and run) and derives the same events with the same dedup keys from it —
 * never a second observation, never an event lost or doubled.
 */
async function persistProductPage(
  db: Db,
  target: Target,
  runId: number,
  context: ProductRunContext | null,
  outcome: Extract<PageOutcome, { kind: 'product' }>,
): Promise<number[]> {
  const { page, url, status } = outcome;
  const main = page.main;
  const writes = writesOf(db);
  const product = {
    url: target.url,
    name: page.name,
    sku: page.sku,
    brand: page.brand,
    category: page.category,
  };
  const observation = {
    // The claim's time: the context was read as of then.
    observedAt: context?.claimedAt ?? new Date(),
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
  };

  if (context && !context.observationStored) {
    // Compared as it will be stored: amounts as numeric(18,4) prints them, promotions as JSON keeps them.
    const current = {
      price: asStoredAmount(observation.price),
      listPrice: asStoredAmount(observation.listPrice),
      currency: observation.currency,
      availability: observation.availability,
      promotions: JSON.parse(JSON.stringify(page.promotions)) as StoredObservation['promotions'],
    };
    const range = context.ranges.find((r) => r.currency === current.currency);
    const detected = detectPriceEvents(context.previous, current, {
      isLaunch: context.isLaunch,
      range30: { min: range?.min ?? null, max: range?.max ?? null },
    });
    const written = await writes.storeRun.submit({
      competitorId: target.competitorId,
      targetId: target.id,
      runId,
      product,
      observation,
      basedOn: { previousId: context.previous?.id ?? null, isLaunch: context.isLaunch },
      events: detected.map((d) => ({
        type: d.type,
        key: d.key,
        payload: { ...d.payload, productName: page.name },
      })),
      outcome: context.previous && detected.length === 0 ? 'unchanged' : 'ok',
      httpStatus: status,
    });
    if (written) return written.eventIds;
  }

  const stored = await writes.storePage.submit({
    competitorId: target.competitorId,
    product,
    observation: { ...observation, crawlRunId: runId },
  });
  const { observation: obs, product: storedProduct, previous } = stored;
  // Compared as stored (promotions included), so a redelivery compares exactly what the first attempt did.
  const detected = detectPriceEvents(previous, obs, {
    isLaunch: storedProduct.isLaunch,
    range30: { min: stored.min30, max: stored.max30 },
  });
  const events: EventInput[] = detected.map((d) => ({
    type: d.type,
    dedupKey: `${d.type}:obs:${obs.id}:${d.key}`,
    occurredAt: obs.observedAt,
    competitorId: target.competitorId,
    productId: storedProduct.id,
    targetId: target.id,
    observationId: obs.id,
    subject: `product:${storedProduct.id}`,
    payload: { ...d.payload, productName: page.name },
  }));
  return writes.finishRun.submit({
    runId,
    targetId: target.id,
    outcome: previous && events.length === 0 ? 'unchanged' : 'ok',
    httpStatus: status,
    url,
    reason: page.reason,
    events,
  });
}

/**
 * A decimal amount as Postgres prints it once stored in a numeric(18, 4) column ("24.9" → "24.9000", "1.23456" →
 * "1.2346", half away from zero), so events derived before storing carry the same strings as events derived from
 * stored rows. Anything that is not a plain decimal is returned unchanged.
 */
export function asStoredAmount(amount: string | null): string | null {
  if (amount === null) return null;
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(amount.trim());
  if (!m) return amount;
  const [, sign, int, frac = ''] = m;
  let scaled = BigInt(int + frac.slice(0, 4).padEnd(4, '0'));
  if (frac.length > 4 && frac[4] >= '5') scaled += 1n;
  const digits = scaled.toString().padStart(5, '0');
  const text = `${digits.slice(0, -4)}.${digits.slice(-4)}`;
  return sign && scaled !== 0n ? `-${text}` : text;
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
  // Pages registered as listings (a sitemap lists the shop's category pages too) are not products: crawled as one,
  // a category page gave the price of whichever card sat nearest its title.
  const listings = await nonProductTargetUrls(db, urls);
  listings.add(target.url);
  const productUrls = urls.filter((u) => !listings.has(u));
  // The first successful run of a listing is the baseline: what it finds is not "launched".
  const launches = target.lastSuccessAt !== null;
  const products = await upsertProducts(
    db,
    target.competitorId,
    productUrls.map((url) => ({ url })),
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
 * A failed or blocked run: recorded with its reason (never as a change), and the target's failure streak grows.
 * Every such run raises `target_failing` with the streak's length in `failures`, so a rule "failing N times in a
 * row" fires when the streak reaches N, whatever N (the matcher takes the event whose `failures` equals N).
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
  const stored = await ingestMentions(ctx.db, fetched.items, target.id);
  await finishCrawlRun(ctx.db, runId, {
    outcome: stored ? 'ok' : 'unchanged',
    url: target.url,
    items: stored,
  });
  await recordTargetOutcome(ctx.db, target.id, stored ? 'ok' : 'unchanged', true, {
    state: fetched.state,
    items: stored,
  });
  if (stored) await enqueueAnalysis(ctx.enqueue);
  return { runId, outcome: 'ok', fetched: fetched.items.length, stored };
}
