/**
 * Issue #2's split deployment with real processes: `npm run start:api` and two `npm run start:worker` (main.ts
 * `--role api` / `--role worker`) over this machine's real Postgres and Redis, after `npm run migrate`. The API
 * process runs the demo market and seeds it; the workers crawl it through BullMQ. Passing means price changes
 * appear through the API, both worker processes did crawl runs (the load is split), and SIGTERM ends every
 * process, Chromium included.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../db/index.ts';
import { createEmptyPostgresDb, testLog } from '../support/db.ts';
import { freePort, freePortRange, type MainProcess, spawnMain } from '../support/main-process.ts';
import {
  descendantsMatching,
  type ProcessId,
  processAlive,
  sampleTreeMemory,
} from '../support/process-memory.ts';
import { REDIS_URL, requireService } from '../support/services.ts';

/** Every descendant process but the `ps` that lists them. */
const OURS = /^(?!ps\s)/;

const ready =
  (await requireService('postgres', 'split processes (api + 2 workers)')) &&
  (await requireService('redis', 'split processes (api + 2 workers)'));

describe.skipIf(!ready)(
  'split mode: start:api and two start:worker processes over real Postgres and Redis',
  () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mr-split-'));
    const prefix = `mrtest-split-${randomBytes(3).toString('hex')}`;
    const processes: MainProcess[] = [];
    let database: { url: string; drop(): Promise<void> } | null = null;
    let db: Db | null = null;

    afterAll(async () => {
      for (const p of processes) p.killGroup();
      await Promise.all(processes.map((p) => p.exited));
      await db?.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
      // This run's queues are nobody else's: leave nothing behind in the shared Redis.
      const redis = new Redis(REDIS_URL);
      for (let cursor = '0'; ; ) {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
        if (cursor === '0') break;
      }
      redis.disconnect();
    });

    it('the API seeds the demo market, both workers crawl it, price changes appear, and SIGTERM ends every process', async () => {
      const started = Date.now();
      database = await createEmptyPostgresDb();
      db = createDb(database.url, testLog, { max: 2 });
      const port = await freePort();
      const env: Record<string, string | undefined> = {
        ...process.env,
        DATABASE_URL: database.url,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        HOST: '127.0.0.1',
        PORT: String(port),
        DEMO: '1',
        // Fixed (not 0): the workers allow-list the demo's ports, which only the API process listens on.
        DEMO_PORT: String(await freePortRange(4)),
        MARKET_RADAR_DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      };

      const migrate = spawnMain(['--role', 'migrate'], env);
      processes.push(migrate);
      expect(await migrate.exited, migrate.output()).toBe(0);
      const migratedAt = Date.now() - started;

      // All three at once, as `docker compose up` starts them: the first crawls may all go to whichever worker is
      // ready first, but the demo's targets come back every simulated day (4 s), so both get their share.
      const workers = [spawnMain(['--role', 'worker'], env), spawnMain(['--role', 'worker'], env)];
      const api = spawnMain(['--role', 'api'], env);
      processes.push(...workers, api);
      const base = `http://127.0.0.1:${port}`;
      await Promise.all([
        ...workers.map((w) => w.waitForOutput('worker started', 40_000)),
        api.waitForOutput(`Market Radar is running: ${base}`, 40_000),
      ]);
      const upAt = Date.now() - started;

      const deadline = Date.now() + 45_000;
      let changes = 0;
      while (Date.now() < deadline) {
        for (const p of processes.slice(1))
          expect(p.alive(), `${p.child.spawnargs.join(' ')} exited:\n${p.output()}`).toBe(true);
        try {
          const res = await fetch(`${base}/api/price-changes?limit=5`);
          if (res.ok) changes = ((await res.json()) as { items: unknown[] }).items.length;
        } catch {
          // not answering yet
        }
        if (changes > 0) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const changesAt = Date.now() - started;
      expect(
        changes,
        `no price changes through the API:\n${workers[0].output().slice(-3000)}`,
      ).toBeGreaterThan(0);

      // Each worker process records itself (host:pid) on the runs it crawled; the API process crawls nothing. The
      // first price change can come before the second worker has finished a run of its own: wait for both a while.
      const ids = workers.map((w) => `${hostname()}:${w.pid}`);
      let runsBy: Record<string, number> = {};
      const bothBy = Date.now() + 30_000;
      for (;;) {
        const { rows } = await db.query<{ worker: string; runs: number }>(
          'test.split.workers',
          `SELECT worker, count(*)::int AS runs FROM crawl_runs WHERE finished_at IS NOT NULL GROUP BY worker`,
        );
        runsBy = Object.fromEntries(rows.map((r) => [r.worker, r.runs]));
        if (ids.every((id) => runsBy[id] > 0) || Date.now() > bothBy) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      console.log(
        `split mode: migrated at ${migratedAt} ms, all three up at ${upAt} ms, first price change at ${changesAt} ms; finished runs by worker ${JSON.stringify(runsBy)}`,
      );
      expect(Object.keys(runsBy).sort()).toEqual([...ids].sort());
      for (const id of ids) expect(runsBy[id], id).toBeGreaterThan(0);

      // Everything these processes started (Chromium of the JS shop included), to check none outlives them.
      const tree: ProcessId[] = sampleTreeMemory(OURS).children;
      expect(tree.length).toBeGreaterThanOrEqual(3);
      const all = [api, ...workers];
      const codes = await Promise.all(all.map((p) => p.terminate(30_000)));
      all.forEach((p, k) => {
        // A clean exit, or main.ts's own forced exit after its 20 s grace period (a worker busy with a slow crawl on a
        // loaded machine; its jobs are taken over as stalled): never a hang, never a crash.
        const forced = codes[k] === 1 && p.output().includes('shutdown exceeded its grace period');
        if (forced)
          console.warn(
            `${p.child.spawnargs.slice(-2).join(' ')} needed the forced exit after its grace period`,
          );
        expect(codes[k] === 0 || forced, `exit ${codes[k]}:\n${p.output().slice(-3000)}`).toBe(true);
      });
      const gone = Date.now() + 10_000;
      while (tree.some(processAlive) && Date.now() < gone) await new Promise((r) => setTimeout(r, 200));
      expect(tree.filter(processAlive)).toEqual([]);
      expect(descendantsMatching(OURS)).toEqual([]);
    }, 120_000);
  },
);
