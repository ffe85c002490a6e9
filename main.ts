/**
 * Entry point. `npm start` runs every role in one process; `--role api` / `--role worker` split them over real
 * Postgres and Redis. Without DATABASE_URL it runs embedded PGlite; without REDIS_URL, in-process jobs. With an
 * empty database and the demo enabled, it starts the local demo market and watches it.
 */
import { join } from 'node:path';
import { type AppDeps, startApi } from './api/index.ts';
import { type Config, loadConfig, processEnv, runsDemoMarket } from './config.ts';
import { checkUrl } from './crawlers/index.ts';
import { createDb, type Db, EMBEDDED_POOL, listTargets, migrate, startEmbeddedPostgres } from './db/index.ts';
import { startDemoMarket, startFakeSlack } from './demo/index.ts';
import {
  createBullmqQueue,
  createInProcessQueue,
  type JobQueue,
  QUEUES,
  seedDemoSlackChannel,
  seedMarket,
  startWorker,
} from './jobs/index.ts';
import { createLogger, type Logger } from './logger.ts';

/** Demo shops and voices listen on DEMO_PORT … DEMO_PORT+3. */
const DEMO_ORIGINS = 4;
/** How long a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 20_000;
/** The target kinds the crawlers handle so far. */
const CRAWLED_KINDS = ['product', 'catalog', 'sitemap', 'feed', 'social'] as const;

async function openDatabase(config: Config, log: Logger) {
  if (config.databaseUrl) return { db: createDb(config.databaseUrl, log), close: async () => undefined };
  const embedded = await startEmbeddedPostgres(join(config.dataDir, 'pglite'));
  log.info({ dataDir: config.dataDir }, 'embedded Postgres (PGlite) started');
  return { db: createDb(embedded.url, log, EMBEDDED_POOL), close: () => embedded.close() };
}

async function openQueue(config: Config, log: Logger): Promise<JobQueue> {
  const concurrency = { [QUEUES.crawl]: config.worker.concurrency, [QUEUES.analyze]: 2, [QUEUES.deliver]: 2 };
  if (!config.redisUrl)
    return createInProcessQueue({ log, concurrency, lockDurationMs: config.worker.lockMs });
  return createBullmqQueue({
    redisUrl: config.redisUrl,
    prefix: config.worker.queuePrefix,
    log,
    concurrency,
    lockDurationMs: config.worker.lockMs,
    queues: config.worker.queues,
  });
}

async function isEmpty(db: Db): Promise<boolean> {
  return (await listTargets(db, { limit: 1 })).length === 0;
}

export async function main(argv: string[], env: Record<string, string | undefined>) {
  const config = loadConfig(env, argv);
  const log = createLogger(config.logLevel);
  const closers: (() => Promise<unknown>)[] = [];
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    // Past the grace period, exit anyway: unfinished BullMQ jobs are taken over as stalled by another worker,
    // and crawl runs are idempotent per window.
    setTimeout(() => {
      log.error({ graceMs: SHUTDOWN_GRACE_MS }, 'shutdown exceeded its grace period; exiting now');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    for (const close of closers.reverse()) {
      await close().catch((err: Error) => log.warn({ err: err.message }, 'error while closing'));
    }
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  const { db, close: closeDatabase } = await openDatabase(config, log);
  closers.push(closeDatabase, () => db.close());
  await migrate(db, log);
  if (config.role === 'migrate') {
    await db.close();
    await closeDatabase();
    log.info('migrations applied');
    return;
  }

  // The demo market runs where the API runs (or in the one embedded process); its origins are allow-listed.
  const demoWanted = runsDemoMarket(config);
  const wasEmpty = demoWanted && (await isEmpty(db));
  const demoPorts = config.demo.enabled
    ? Array.from({ length: DEMO_ORIGINS }, (_, i) => config.demo.basePort + i).filter((p) => p > 0)
    : [];
  const demo = demoWanted
    ? await startDemoMarket({
        seed: config.demo.seed,
        daySeconds: config.demo.daySeconds,
        basePort: config.demo.basePort,
      })
    : null;
  const fakeSlack = demo && config.demo.fakeSlack ? await startFakeSlack({ port: 0 }) : null;
  if (demo) {
    closers.push(() => demo.close());
    const hosts = Object.values(demo.origins).map((o) => new URL(o).host);
    config.net.allow.push(...hosts);
    log.info({ origins: demo.origins }, 'demo market started');
  }
  if (fakeSlack) {
    closers.push(() => fakeSlack.close());
    config.net.allow.push(new URL(fakeSlack.url).host);
    log.info({ origin: new URL(fakeSlack.url).origin }, 'local fake Slack started (DEMO_SLACK=1)');
  } else if (demoPorts.length) {
    config.net.allow.push(...demoPorts.map((p) => `127.0.0.1:${p}`));
  }

  const queue = await openQueue(config, log);
  closers.push(() => queue.close(SHUTDOWN_GRACE_MS / 2));
  if (config.role !== 'api') {
    const worker = await startWorker(config, db, queue, log);
    closers.push(() => worker.close());
  }
  if (demo && wasEmpty) {
    const { targets } = await seedMarket(db, queue.scheduler, demo.manifest(), CRAWLED_KINDS);
    for (const t of await listTargets(db, { limit: 10_000 })) {
      await queue.enqueue('crawl-target', { targetId: t.id }, { jobId: `crawl:seed:${t.id}` });
    }
    log.info({ targets }, 'demo market seeded');
  }
  // Idempotent, and re-points the channel at this run's fake Slack.
  if (fakeSlack) await seedDemoSlackChannel(db, fakeSlack.url);

  if (config.role !== 'worker') {
    const policy = { allowPrivate: config.net.allowPrivate, allow: config.net.allow };
    const deps: AppDeps = {
      config,
      db,
      queue,
      log,
      checkUrl: async (url) => {
        await checkUrl(url, policy);
      },
    };
    const api = await startApi(config, deps);
    closers.push(() => api.close());
    // The one line a newcomer needs.
    console.log(`Market Radar is running: ${api.url}  (API docs: ${api.url}/docs)`);
  } else {
    log.info('worker started');
  }
}

main(process.argv.slice(2), processEnv()).catch((err) => {
  console.error(`market-radar failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
