import { describe, expect, it } from 'vitest';
import { type BenchOptions, percentile, size } from '../../bench/support.ts';
import { copyChunks, copyValue } from '../../db/copy.ts';

describe('bench helpers', () => {
  it('percentile takes the nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('size: --set wins, then the mode', () => {
    const base: BenchOptions = {
      quick: false,
      full: false,
      sizes: {},
      cpuProfDir: null,
      log: () => undefined,
    };
    const s = { quick: 1, normal: 2, full: 3 };
    expect(size(base, 'n', s)).toBe(2);
    expect(size({ ...base, quick: true }, 'n', s)).toBe(1);
    expect(size({ ...base, full: true }, 'n', s)).toBe(3);
    expect(size({ ...base, full: true, sizes: { n: 9 } }, 'n', s)).toBe(9);
  });

  it('COPY text format escapes what would split a row or a column', () => {
    expect(copyValue(null)).toBe('\\N');
    expect(copyValue('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect(copyValue(new Date('2025-01-02T03:04:05Z'))).toBe('2025-01-02T03:04:05.000Z');
    const chunks = copyChunks(
      [
        ['x', 1, null],
        ['y', 2, 'z'],
      ],
      4,
    );
    expect(chunks.map((c) => c.toString())).toEqual(['x\t1\t\\N\n', 'y\t2\tz\n']);
  });
});
