// The page crawlers' request manager: FIFO, one live request per uniqueKey, retries back in line, handled forgotten.
import { Request } from '@crawlee/core';
import { describe, expect, it } from 'vitest';
import { InMemoryRequestManager } from '../../../crawlers/commerce/request-manager.ts';

const req = (n: number | string) => ({
  url: `http://127.0.0.1:9/p/${n}`,
  uniqueKey: `k${n}`,
  label: 'product',
  userData: { n },
});

describe('InMemoryRequestManager', () => {
  it('hands requests out oldest first and skips a uniqueKey already pending or in progress', async () => {
    const m = new InMemoryRequestManager();
    const info = m.add([req(1), req(2), req(1)]);
    expect(info.map((i) => i.wasAlreadyPresent)).toEqual([false, false, true]);
    expect(info[0].requestId).toBe(info[2].requestId);
    expect(m.getTotalCount()).toBe(2);
    const first = await m.fetchNextRequest();
    expect(first).toBeInstanceOf(Request);
    expect(first?.uniqueKey).toBe('k1');
    expect(first?.label).toBe('product');
    expect(first?.userData).toMatchObject({ n: 1 });
    expect(m.add([req(1)])[0].wasAlreadyPresent).toBe(true); // in progress
    expect((await m.fetchNextRequest())?.uniqueKey).toBe('k2');
    expect(await m.fetchNextRequest()).toBeNull();
    expect(await m.isEmpty()).toBe(true);
    expect(await m.isFinished()).toBe(false); // two in progress
    expect(m.getPendingCount()).toBe(2);
  });

  it('puts a reclaimed request back in line (at the front when asked) and forgets a handled one', async () => {
    const m = new InMemoryRequestManager();
    m.add([req(1), req(2), req(3)]);
    const r1 = (await m.fetchNextRequest())!;
    const r2 = (await m.fetchNextRequest())!;
    await m.reclaimRequest(r1);
    expect((await m.fetchNextRequest())?.uniqueKey).toBe('k3');
    expect((await m.fetchNextRequest())?.uniqueKey).toBe('k1');
    await m.reclaimRequest(r2, { forefront: true });
    m.add([req(4)]);
    expect((await m.fetchNextRequest())?.uniqueKey).toBe('k2');
    expect((await m.fetchNextRequest())?.uniqueKey).toBe('k4');
    expect(await m.reclaimRequest(new Request(req(9)))).toBeNull(); // never fetched from here

    for (const r of [r1, r2])
      expect(await m.markRequestHandled(r)).toMatchObject({ wasAlreadyHandled: false });
    expect(await m.markRequestHandled(r1)).toBeNull(); // already forgotten
    expect(await m.handledCount()).toBe(2);
    expect(r1.handledAt).toEqual(expect.any(String));
    // Forgotten: the same key may come again (keys are unique per fetch in practice).
    expect(m.add([req(1)])[0].wasAlreadyPresent).toBe(false);
    expect(m.getTotalCount()).toBe(5);
  });

  it('is finished once nothing is pending or in progress; a handled request that was still pending leaves the line', async () => {
    const m = new InMemoryRequestManager();
    m.add([req(1), req(2)]);
    const r1 = (await m.fetchNextRequest())!;
    await m.markRequestHandled(r1);
    const r2 = new Request(req(2));
    expect(await m.markRequestHandled(r2)).toBeNull(); // another object with the same key: not ours
    expect(await m.isFinished()).toBe(false);
    const pending = (await m.fetchNextRequest())!;
    await m.reclaimRequest(pending);
    await m.markRequestHandled(pending); // handled without being fetched again
    expect(await m.isEmpty()).toBe(true);
    expect(await m.isFinished()).toBe(true);
    expect(m.getPendingCount()).toBe(0);
  });

  it('keeps order and forgets everything over many requests (compaction of the drained line)', async () => {
    const m = new InMemoryRequestManager();
    const seen: string[] = [];
    for (let round = 0; round < 5; round++) {
      m.add(Array.from({ length: 1500 }, (_, i) => req(round * 1500 + i)));
      for (let i = 0; i < 1000; i++) {
        const r = (await m.fetchNextRequest())!;
        seen.push(r.uniqueKey);
        await m.markRequestHandled(r);
      }
    }
    for (let r = await m.fetchNextRequest(); r; r = await m.fetchNextRequest()) {
      seen.push(r.uniqueKey);
      await m.markRequestHandled(r);
    }
    expect(seen).toEqual(Array.from({ length: 7500 }, (_, i) => `k${i}`));
    expect(await m.handledCount()).toBe(7500);
    expect(await m.isFinished()).toBe(true);
    const internal = m as unknown as { pending: unknown[]; live: Map<string, unknown> };
    expect(internal.live.size).toBe(0);
    expect(internal.pending.length).toBeLessThan(2000);
  });

  it('takes crawlee sources through addRequest and addRequestsBatched', async () => {
    const m = new InMemoryRequestManager();
    await m.addRequest({ url: 'http://127.0.0.1:9/a', uniqueKey: 'a' });
    const { addedRequests } = await m.addRequestsBatched([
      'http://127.0.0.1:9/b',
      { url: 'http://127.0.0.1:9/a', uniqueKey: 'a' },
    ]);
    expect(addedRequests.map((r) => r.wasAlreadyPresent)).toEqual([false, true]);
    const urls: string[] = [];
    for await (const r of m) urls.push(r.url);
    expect(urls).toEqual(['http://127.0.0.1:9/a', 'http://127.0.0.1:9/b']);
  });
});
