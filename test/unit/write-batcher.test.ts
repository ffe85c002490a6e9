import { describe, expect, it } from 'vitest';
import { asStoredAmount } from '../../jobs/crawl-target.ts';
import { createWriteBatcher } from '../../jobs/write-batcher.ts';

/** A write function that records each call's items and answers when released. */
function gatedWriter() {
  const calls: string[][] = [];
  const gates: (() => void)[] = [];
  return {
    calls,
    release: () => {
      for (const g of gates.splice(0)) g();
    },
    async write(items: string[]) {
      calls.push([...items]);
      await new Promise<void>((r) => gates.push(r));
      return items.map((i) => `done:${i}`);
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('createWriteBatcher', () => {
  it('sends at once when idle, and what arrives during a write in the next one', async () => {
    const w = gatedWriter();
    const b = createWriteBatcher<string, string>({
      write: w.write,
      key: (i) => i,
      maxInFlight: 1,
      sameTurn: false,
    });
    const first = b.submit('a');
    const rest = ['b', 'c', 'd'].map((i) => b.submit(i));
    await tick();
    expect(w.calls).toEqual([['a']]);
    w.release();
    expect(await first).toBe('done:a');
    await tick();
    expect(w.calls).toEqual([['a'], ['b', 'c', 'd']]);
    w.release();
    expect(await Promise.all(rest)).toEqual(['done:b', 'done:c', 'done:d']);
  });

  it('by default, what is submitted in one turn of the event loop shares one statement', async () => {
    const w = gatedWriter();
    const b = createWriteBatcher<string, string>({ write: w.write, key: (i) => i, maxInFlight: 1 });
    const all = ['a', 'b', 'c'].map((i) => b.submit(i));
    expect(w.calls).toEqual([]);
    await tick();
    expect(w.calls).toEqual([['a', 'b', 'c']]);
    w.release();
    expect(await Promise.all(all)).toEqual(['done:a', 'done:b', 'done:c']);
  });

  it('never puts two items of one key in a batch or in flight together', async () => {
    const w = gatedWriter();
    const b = createWriteBatcher<string, string>({
      write: w.write,
      key: (i) => i.split(':')[0],
      maxInFlight: 2,
      sameTurn: false,
    });
    const all = ['t1:a', 't1:b', 't2:a', 't1:c'].map((i) => b.submit(i));
    await tick();
    // t1:a goes alone; the second slot takes what is left without t1 (t1:a is in flight).
    expect(w.calls).toEqual([['t1:a'], ['t2:a']]);
    w.release();
    await tick();
    await tick();
    expect(w.calls.slice(2)).toEqual([['t1:b']]);
    w.release();
    await tick();
    await tick();
    expect(w.calls.slice(3)).toEqual([['t1:c']]);
    w.release();
    expect(await Promise.all(all)).toEqual(['done:t1:a', 'done:t1:b', 'done:t2:a', 'done:t1:c']);
  });

  it('caps a batch at maxBatch', async () => {
    const w = gatedWriter();
    const b = createWriteBatcher<string, string>({
      write: w.write,
      key: (i) => i,
      maxInFlight: 1,
      maxBatch: 2,
    });
    const all = ['a', 'b', 'c', 'd', 'e'].map((i) => b.submit(i));
    for (let i = 0; i < 4; i++) {
      await tick();
      w.release();
      await tick();
    }
    expect(await Promise.all(all)).toHaveLength(5);
    expect(w.calls).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('a failed batch is retried item by item, so only the bad item fails', async () => {
    const calls: string[][] = [];
    let hold: (() => void) | null = null;
    const b = createWriteBatcher<string, string>({
      key: (i) => i,
      maxInFlight: 1,
      sameTurn: false,
      async write(items) {
        calls.push([...items]);
        if (items[0] === 'first') await new Promise<void>((r) => (hold = r));
        if (items.includes('bad')) throw new Error(`bad item in ${items.join(',')}`);
        return items.map((i) => i.toUpperCase());
      },
    });
    const first = b.submit('first');
    const [ok1, bad, ok2] = ['x', 'bad', 'y'].map((i) => b.submit(i));
    await tick();
    (hold as unknown as () => void)();
    expect(await first).toBe('FIRST');
    expect(await ok1).toBe('X');
    await expect(bad).rejects.toThrow('bad item in bad');
    expect(await ok2).toBe('Y');
    expect(calls).toEqual([['first'], ['x', 'bad', 'y'], ['x'], ['bad'], ['y']]);
  });

  it('a write answering with the wrong number of results fails its items', async () => {
    const b = createWriteBatcher<string, string>({
      key: (i) => i,
      maxInFlight: 1,
      sameTurn: false,
      write: async (items) => (items.length > 1 ? ['only one'] : items),
    });
    const first = b.submit('a');
    const rest = [b.submit('b'), b.submit('c')];
    expect(await first).toBe('a');
    for (const r of rest) await expect(r).rejects.toThrow('1 results for a batch of 2');
  });
});

describe('asStoredAmount', () => {
  it('prints amounts as a numeric(18, 4) column does', () => {
    expect(asStoredAmount('24.9')).toBe('24.9000');
    expect(asStoredAmount('1299')).toBe('1299.0000');
    expect(asStoredAmount('5.')).toBe('5.0000');
    expect(asStoredAmount('007.5')).toBe('7.5000');
    expect(asStoredAmount('1.23455')).toBe('1.2346');
    expect(asStoredAmount('1.23454')).toBe('1.2345');
    expect(asStoredAmount('9.99995')).toBe('10.0000');
    expect(asStoredAmount('-1.23455')).toBe('-1.2346');
    expect(asStoredAmount('-0.00004')).toBe('0.0000');
    expect(asStoredAmount(null)).toBeNull();
    expect(asStoredAmount('1e3')).toBe('1e3');
  });
});
