// HostLimiter.deferMs: how long a caller that can come back later should stay away from a busy origin.
import { describe, expect, it } from 'vitest';
import { HostLimiter } from '../../../crawlers/index.ts';

const URL_A = 'http://127.0.0.1:9/p/1';
const URL_B = 'http://127.0.0.1:10/p/1';

/** A limiter whose clock stands still while `frozen` is set, so bookings compare exactly. */
function limiterWithClock(opts: { maxPerOrigin: number; minDelayMs: number }) {
  const clock = { frozen: null as number | null };
  const limiter = new HostLimiter({ ...opts, maxWaitMs: 60_000, now: () => clock.frozen ?? Date.now() });
  return { limiter, clock };
}

describe('HostLimiter.deferMs', () => {
  it('callers told to ask now count: the ones after them are booked one spacing apart', () => {
    const { limiter, clock } = limiterWithClock({ maxPerOrigin: 2, minDelayMs: 250 });
    clock.frozen = Date.now();
    // Jobs starting together ask before any reaches acquire: starts now, +250, +500 are within 500 ms.
    expect([0, 1, 2].map(() => limiter.deferMs(URL_A, { overMs: 500 }))).toEqual([0, 0, 0]);
    expect(limiter.deferMs(URL_A, { overMs: 500 })).toBe(750);
    expect(limiter.deferMs(URL_A, { overMs: 500 })).toBe(1000);
    // Coming back on its booking: the bookings made after it do not push it back.
    expect(limiter.deferMs(URL_A, { overMs: 500, comingBack: true })).toBe(0);
    // Another origin is not concerned; nothing was granted.
    expect(limiter.deferMs(URL_B, { overMs: 500 })).toBe(0);
    expect(limiter.state(URL_A)).toMatchObject({ active: 0, waiting: 0 });
  });

  it('counts the spacing of the requests waiting ahead and grants nothing', async () => {
    const { limiter, clock } = limiterWithClock({ maxPerOrigin: 2, minDelayMs: 1000 });
    const first = await limiter.acquire(URL_A);
    for (let i = 0; i < 3; i++) void limiter.acquire(URL_A).catch(() => undefined);
    const before = limiter.state(URL_A);
    clock.frozen = Date.now();
    // One slot free, three waiting: a new request would start 3 spacings after the next start (≤ 1 s away).
    const a = limiter.deferMs(URL_A, { overMs: 500 });
    expect(a).toBeGreaterThan(3000);
    expect(a).toBeLessThanOrEqual(4000);
    expect(limiter.deferMs(URL_A, { overMs: 500 })).toBe(a + 1000);
    expect(limiter.deferMs(URL_A, { overMs: 500, comingBack: true })).toBe(a);
    expect(limiter.state(URL_A)).toEqual(before);
    clock.frozen = null;
    first();
  });

  it('a paused origin defers callers until after the pause', async () => {
    const limiter = new HostLimiter({ maxPerOrigin: 2, minDelayMs: 100 });
    const release = await limiter.acquire(URL_A);
    release();
    limiter.pause(URL_A, 5000);
    const ms = limiter.deferMs(URL_A, { overMs: 500 });
    expect(ms).toBeGreaterThan(4900);
    expect(ms).toBeLessThanOrEqual(5000);
  });
});
