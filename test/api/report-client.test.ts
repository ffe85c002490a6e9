/** The report's browser helpers that decide what is safe to link and which week is which, run in Node. */
import { describe, expect, it } from 'vitest';

interface ReportLib {
  safeHref(v: unknown): string | null;
  isoWeekOf(d: Date): string;
  weekRange(w: string): { start: Date; end: Date } | null;
  readFilters(search: string): Record<'since' | 'until' | 'competitor' | 'category' | 'source', string>;
  apiWindow(f: { since: string; until: string }): { since?: string; until?: string };
  fmtPct(p: number | null): string;
  loginHref(path: string): string;
}

// A computed specifier: the module is plain browser JavaScript without type declarations.
const lib = (await import(new URL('../../api/public/js/lib.js', import.meta.url).href)) as ReportLib;

describe('safeHref', () => {
  it('keeps http(s) and our own paths', () => {
    expect(lib.safeHref('https://shop.test/p/1?x=1')).toBe('https://shop.test/p/1?x=1');
    expect(lib.safeHref('http://127.0.0.1:3101/p/a b')).toBe('http://127.0.0.1:3101/p/a%20b');
    expect(lib.safeHref('/competitors/glowco')).toBe('/competitors/glowco');
    expect(lib.safeHref('#prices')).toBe('#prices');
  });

  it.each([
    'javascript:alert(1)',
    ' JaVaScRiPt:alert(1)',
    'java\tscript:alert(1)',
    '\u0000javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    '//evil.test/x',
    '/\\evil.test',
    'file:///etc/passwd',
    'not a url',
    '',
    null,
    42,
  ])('drops %j', (v) => {
    expect(lib.safeHref(v)).toBeNull();
  });
});

describe('ISO weeks', () => {
  it.each([
    ['2026-01-01', '2026-W01'],
    ['2027-01-01', '2026-W53'],
    ['2024-12-30', '2025-W01'],
    ['2026-11-22', '2026-W47'],
    ['2026-11-23', '2026-W48'],
  ])('%s is in %s', (day, week) => {
    expect(lib.isoWeekOf(new Date(`${day}T12:00:00Z`))).toBe(week);
  });

  it('a week runs Monday 00:00 UTC to the next Monday', () => {
    const r = lib.weekRange('2026-W47');
    expect(r?.start.toISOString()).toBe('2026-11-16T00:00:00.000Z');
    expect(r?.end.toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(lib.weekRange('2025-W53')).toBeNull(); // 2025 has 52 weeks
    expect(lib.weekRange('2026-W53')?.start.toISOString()).toBe('2026-12-28T00:00:00.000Z');
    expect(lib.weekRange('2020-W53')?.start.toISOString()).toBe('2020-12-28T00:00:00.000Z');
    expect(lib.weekRange('2026-W00')).toBeNull();
    expect(lib.weekRange('<script>')).toBeNull();
  });
});

describe('filters', () => {
  it('reads dates strictly and caps text, and turns an inclusive "to" day into the next midnight', () => {
    const f = lib.readFilters(
      '?since=2026-11-01&until=2026-11-07&competitor=glowco&source=x&category=' + 'a'.repeat(500),
    );
    expect(f).toMatchObject({ since: '2026-11-01', until: '2026-11-07', competitor: 'glowco', source: 'x' });
    expect(f.category.length).toBe(200);
    expect(lib.apiWindow(f)).toEqual({
      since: '2026-11-01T00:00:00.000Z',
      until: '2026-11-08T00:00:00.000Z',
    });
    expect(lib.readFilters('?since=yesterday&until=2026-13-45')).toMatchObject({ since: '', until: '' });
  });

  it('formats a signed percentage with a real minus sign', () => {
    expect(lib.fmtPct(-25.74)).toBe('−25.7%');
    expect(lib.fmtPct(3)).toBe('+3.0%');
    expect(lib.fmtPct(null)).toBe('–');
  });
});

describe('loginHref', () => {
  it('comes back to the page it left, and only to our own paths', () => {
    expect(lib.loginHref('/report/weekly?week=2026-W07')).toBe(
      `/login?next=${encodeURIComponent('/report/weekly?week=2026-W07')}`,
    );
    expect(lib.loginHref('//evil.test/x')).toBe('/login?next=%2F');
    expect(lib.loginHref('https://evil.test/')).toBe('/login?next=%2F');
  });
});
