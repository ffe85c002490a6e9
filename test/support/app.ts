/** buildApp over a real database and the real in-process queue, with a test DNS map for the SSRF guard. */
import { type App, buildApp } from '../../api/index.ts';
import { loadConfig } from '../../config.ts';
import { checkUrl, type Resolver } from '../../crawlers/index.ts';
import { createInProcessQueue, type JobQueue } from '../../jobs/index.ts';
import type { Logger } from '../../logger.ts';
import { createPgliteTestDb, type TestDb, testLog } from './db.ts';

/** Names tests may register: they resolve to documentation (public) or private addresses, never contacted. */
export const TEST_DNS: Record<string, string> = {
  'shop.test': '93.184.216.34',
  'other-shop.test': '93.184.216.35',
  'evil.test': '127.0.0.1',
  'metadata.test': '169.254.169.254',
};

export const testResolver: Resolver = async (host) => {
  const address = TEST_DNS[host];
  if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return [{ address, family: 4 }];
};

export interface TestApp {
  app: App;
  tdb: TestDb;
  queue: JobQueue;
  close(): Promise<void>;
}

/** `env`: extra settings for loadConfig (AUTH, RATE_LIMIT_PER_MINUTE, HOST, …); `log`: to capture log lines. */
export async function createTestApp(
  tdb?: TestDb,
  opts: { env?: Record<string, string>; log?: Logger } = {},
): Promise<TestApp> {
  const db = tdb ?? (await createPgliteTestDb());
  const config = loadConfig({ DEMO: '0', ...opts.env });
  const log = opts.log ?? testLog;
  const queue = createInProcessQueue({ log, concurrency: {} });
  const app = await buildApp({
    config,
    db: db.db,
    queue,
    log,
    checkUrl: async (url) => {
      await checkUrl(url, { allowPrivate: false, allow: [] }, { resolver: testResolver });
    },
  });
  return {
    app,
    tdb: db,
    queue,
    async close() {
      await app.close();
      await queue.close(1000);
      if (!tdb) await db.close();
    },
  };
}
