/**
 * upsertTarget under concurrent inserts of one target (real Postgres: PGlite has one connection). The API, a
 * catalog's discovery, the seed and the first crawls it starts can all add the same (kind, url) at once. Found when
 * embedded mode began crawling at once: main.ts failed to start with "Cannot destructure property 'created' of
 * rows[0]": the insert met a row committed after the statement's snapshot, did nothing, and the snapshot could
 * not see the row either.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertTarget } from '../../db/index.ts';
import { createPostgresTestDb, type TestDb } from '../support/db.ts';
import { requireService } from '../support/services.ts';

const hasPostgres = await requireService('postgres', 'upsertTarget race');

describe.skipIf(!hasPostgres)('upsertTarget, many callers adding one target at once (real Postgres)', () => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await createPostgresTestDb();
  });
  afterAll(async () => {
    await tdb?.close();
  });

  it('every caller gets the one target; exactly one of them created it', async () => {
    for (let round = 0; round < 30; round++) {
      const url = `https://shop.test/p/race-${round}`;
      const results = await Promise.all(
        Array.from({ length: 10 }, () => upsertTarget(tdb.db, { kind: 'product', url })),
      );
      expect(new Set(results.map((r) => r.target.id)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
    }
  }, 60_000);
});
