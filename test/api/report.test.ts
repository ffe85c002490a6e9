import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_CSP } from '../../api/routes/pages.ts';
import { upsertCompetitor } from '../../db/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await upsertCompetitor(t.tdb.db, {
    key: 'glowco',
    name: 'GlowCo',
    brand: null,
    homepage: null,
    currency: 'USD',
    locale: null,
  });
});
afterAll(async () => {
  await t?.close();
});

const EXPECTED_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

describe('report pages', () => {
  it.each([
    ['/', 'overview'],
    ['/trends/vitamin%20c%20serum', 'trend'],
    ['/competitors/glowco', 'competitor'],
    ['/competitors/GlowCo', 'competitor'],
    ['/report/weekly', 'weekly'],
    ['/report/weekly?week=2026-W07', 'weekly'],
  ])('%s is HTML under the strict CSP, scripts only from our origin', async (url, page) => {
    const res = await t.app.inject(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(EXPECTED_CSP);
    expect(REPORT_CSP).toBe(EXPECTED_CSP);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toContain(`data-page="${page}"`);
    const scripts = [...res.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBe(2);
    for (const [, attrs, inline] of scripts) {
      expect(attrs).toMatch(/ src="\/assets\//);
      expect(inline.trim()).toBe('');
    }
    expect(res.body).not.toMatch(/ style=| on[a-z]+=/i);
  });

  it('serves the page modules, the stylesheet and the uPlot bundle from our origin, with nosniff', async () => {
    for (const [url, type] of [
      ['/assets/js/pages/overview.js', /javascript/],
      ['/assets/js/pages/trend.js', /javascript/],
      ['/assets/js/pages/competitor.js', /javascript/],
      ['/assets/js/pages/weekly.js', /javascript/],
      ['/assets/js/lib.js', /javascript/],
      ['/assets/css/app.css', /text\/css/],
      ['/assets/vendor/uplot/uPlot.iife.min.js', /javascript/],
      ['/assets/vendor/uplot/uPlot.min.css', /text\/css/],
    ] as const) {
      const res = await t.app.inject(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(type);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
    }
    expect((await t.app.inject('/assets/vendor/uplot/uPlot.iife.min.js')).body).toContain('uPlot');
  });

  it('answers 404 for unknown pages, assets, other node_modules files and path tricks', async () => {
    for (const url of [
      '/nope',
      '/trends',
      '/competitors/nobody',
      '/assets/js/nope.js',
      '/assets/vendor/uplot/uPlot.cjs.js',
      '/assets/vendor/uplot/../../../package.json',
      '/assets/%2e%2e/routes/pages.ts',
      '/assets/../app.ts',
    ]) {
      const res = await t.app.inject(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toContain('"dependencies"');
      expect(res.body, url).not.toContain('pageRoutes');
    }
    const dir = await t.app.inject('/assets/js/');
    expect([403, 404]).toContain(dir.statusCode);
    expect(dir.body).not.toContain('lib.js');
    const unknownCompetitor = await t.app.inject('/competitors/nobody');
    expect(unknownCompetitor.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(unknownCompetitor.body).toContain('Page not found');
    expect(unknownCompetitor.headers['content-security-policy']).toBe(EXPECTED_CSP);
  });

  it('rejects a malformed week with 400 naming the field', async () => {
    for (const week of ['2026-7', '2026-W54', '2026-W00', '<script>']) {
      const res = await t.app.inject(`/report/weekly?week=${encodeURIComponent(week)}`);
      expect(res.statusCode, week).toBe(400);
      expect(res.json().message).toMatch(/week/);
    }
  });

  it('keeps the report headers off the JSON API', async () => {
    const res = await t.app.inject('/api/alerts');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toBeUndefined();
  });
});
