// A feed whose server resets or answers 503 for a moment is tried again within the same run: a brief fault must not
// cost the feed its schedule window (an hour by default), and one that stays down ends as one failed run.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertTarget } from '../../db/index.ts';
import { type JobQueue, type RunningWorker, startWorker } from '../../jobs/index.ts';
import { createPgliteTestDb, type TestDb, testLog } from '../support/db.ts';
import { count, inProcessQueue, testConfig, waitFor } from '../support/pipeline.ts';

const rss = (n: number) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>Flaky blog</title><link>http://blog.test/</link>${Array.from(
    { length: n },
    (_, i) =>
      `<item><title>Post ${i}</title><link>http://blog.test/p/${i}</link><guid>p-${i}</guid><pubDate>${new Date(Date.UTC(2026, 10, 1 + i)).toUTCString()}</pubDate><description>${'A long enough post about lipstick shades and prices. '.repeat(10)}</description></item>`,
  ).join('')}</channel></rss>`;

describe('feed fetches are retried within the run', () => {
  let tdb: TestDb;
  let queue: JobQueue;
  let worker: RunningWorker;
  // Each feed on a server of its own, so a reset on one never lands on a keep-alive socket the other reuses.
  const servers: http.Server[] = [];
  const base: Record<string, string> = {};
  const hits = new Map<string, number>();
  const times = new Map<string, number[]>();

  beforeAll(async () => {
    for (const name of ['flaky', 'down']) {
      const server = http.createServer((req, res) => {
        const path = req.url ?? '/';
        const n = (hits.get(path) ?? 0) + 1;
        hits.set(path, n);
        times.set(path, [...(times.get(path) ?? []), Date.now()]);
        // /flaky.xml: a reset, then a 503, then the feed. /down.xml: a 503 every time.
        if (path === '/flaky.xml' && n === 1) return void res.socket?.destroy();
        if (path === '/down.xml' || (path === '/flaky.xml' && n === 2))
          return void res.writeHead(503, { 'retry-after': '1' }).end('busy');
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(3));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      servers.push(server);
      base[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }
    tdb = await createPgliteTestDb();
    queue = inProcessQueue();
    const allow = Object.values(base).map((b) => b.slice('http://'.length));
    const config = testConfig(allow, { CRAWL_MAX_RETRIES: '2' });
    worker = await startWorker(config, tdb.db, queue, testLog);
  });
  afterAll(async () => {
    await queue?.close(5000);
    await worker?.close();
    await tdb?.close();
    for (const server of servers) await new Promise((r) => server.close(r));
  });

  it('stores a feed that reset once and then answered 503, in one run; a feed that stays down fails once', async () => {
    const ids: Record<string, number> = {};
    for (const name of ['flaky', 'down']) {
      const { target } = await upsertTarget(tdb.db, {
        kind: 'feed',
        url: `${base[name]}/${name}.xml`,
        label: name,
        intervalSeconds: 3600,
      });
      ids[name] = target.id;
      await queue.enqueue('crawl-target', { targetId: target.id }, { jobId: `retry:${name}` });
    }
    await waitFor(
      async () => (await count(tdb.db, 'crawl_runs', 'finished_at IS NOT NULL')) === 2,
      'both runs to finish',
      60_000,
    );
    const runs = await tdb.db.query<{
      target_id: string;
      outcome: string;
      items: number | null;
      reason: string | null;
    }>('t.runs', 'SELECT target_id, outcome, items, reason FROM crawl_runs ORDER BY target_id');
    const byTarget = new Map(runs.rows.map((r) => [Number(r.target_id), r]));
    expect(byTarget.get(ids.flaky)).toMatchObject({ outcome: 'ok', items: 3 });
    expect(await count(tdb.db, 'mentions', 'target_id = $1', [ids.flaky])).toBe(3);
    expect(hits.get('/flaky.xml')).toBe(3);
    // Down for good: the first attempt and both retries, 1 s and then 4 s apart, then one failed run saying why.
    expect(hits.get('/down.xml')).toBe(3);
    const [first, , last] = times.get('/down.xml')!;
    expect(last - first).toBeGreaterThanOrEqual(4_900);
    expect(byTarget.get(ids.down)).toMatchObject({ outcome: 'failed', reason: 'HTTP 503' });
    expect(runs.rows).toHaveLength(2);
  }, 90_000);
});
