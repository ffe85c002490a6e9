// HostLimiter.deferMs: how long a caller that can come back later should stay away from a busy origin.
import { describe, expect, it } from 'vitest';
import { HostLimiter } from '../../../crawlers/index.ts';

const URL_A = 'http://127.0.0.1:9/p/1';
const URL_B = 'http://127.0.0.1:10/p/1';

describe('HostLimiter.deferMs', () => {
  it('is 0 for an origin with nothing in flight or waiting', () => {
    expect(new HostLimiter().deferMs(URL_A, 500)).toBe(0);
  });

  it('counts the spacing of the requests waiting ahead, books later callers one spacing apart, grants nothing', async () => {
    // The clock stands still while deferMs is asked, so the bookings compare exactly.
    let frozen: number | null = null;
    const limiter = new HostLimiter({
      maxPerOrigin: 2,
      minDelayMs: 1000,
      maxWaitMs: 60_000,
      now: () => frozen ?? Date.now(),
    });
    const first = await limiter.acquire(URL_A);
    for (let i = 0; i < 3; i++) void limiter.acquire(URL_A).catch(() => undefined);
    const before = limiter.state(URL_A);
    frozen = Date.now();
    // One slot free, three waiting: a new request would start 3 spacings after the next start (≤ 1 s away).
    const a = limiter.deferMs(URL_A, 500);
    expect(a).toBeGreaterThan(3000);
    expect(a).toBeLessThanOrEqual(4000);
    expect(limiter.deferMs(URL_A, 500)).toBe(a + 1000);
    expect(limiter.deferMs(URL_A, 500)).toBe(a + 2000);
    // Within the caller's tolerance: come now, nothing booked.
    expect(limiter.deferMs(URL_A, 10_000)).toBe(0);
    expect(limiter.state(URL_A)).toEqual(before);
    // Another origin is not concerned.
    expect(limiter.deferMs(URL_B, 500)).toBe(0);
    frozen = null;
    first();
  });

  it('a paused origin defers callers until after the pause', async () => {
    const limiter = new HostLimiter({ maxPerOrigin: 2, minDelayMs: 100 });
    const release = await limiter.acquire(URL_A);
    release();
    limiter.pause(URL_A, 5000);
    const ms = limiter.deferMs(URL_A, 500);
    expect(ms).toBeGreaterThan(4900);
    expect(ms).toBeLessThanOrEqual(5000);
  });
});
