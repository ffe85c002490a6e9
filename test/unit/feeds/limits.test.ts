import { describe, expect, it } from 'vitest';
import {
  MAX_ENTITY_EXPANSION,
  MAX_FEED_BYTES,
  MAX_FEED_ENTRIES,
  parseFeed,
} from '../../../crawlers/feeds/index.ts';
import { parseOk } from './fixtures.ts';

function items(n: number): string {
  let out = '<rss version="2.0"><channel><title>big</title>';
  for (let i = 0; i < n; i++) out += `<item><guid>g${i}</guid><title>t${i}</title></item>`;
  return `${out}</channel></rss>`;
}

describe('parseFeed size caps', () => {
  it('keeps all 10,000 items of a feed within the cap', () => {
    const r = parseOk(items(MAX_FEED_ENTRIES));
    expect(r.entries).toHaveLength(10_000);
    expect(r.truncated).toBe(false);
    expect(r.entries[9_999].id).toBe('g9999');
  });

  it('drops items past the cap and says so', () => {
    const r = parseOk(items(MAX_FEED_ENTRIES + 5));
    expect(r.entries).toHaveLength(MAX_FEED_ENTRIES);
    expect(r.truncated).toBe(true);
  });

  it('rejects a body over the byte cap with a clear error', () => {
    const r = parseFeed(Buffer.alloc(MAX_FEED_BYTES + 1, 0x20));
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/over the \d+-byte cap/) });
  });

  it('flattens absurd nesting instead of recursing without bound', () => {
    const r = parseOk(`<rss><channel><title>deep</title>${'<x>'.repeat(50_000)}</channel></rss>`);
    expect(r.bozo).toBe(true);
    expect(r.feed.title).toBe('deep');
  });
});

describe('parseFeed hostile XML', () => {
  it('rejects billion laughs before expanding it', () => {
    let dtd = '<!ENTITY lol "lol">';
    for (let i = 1; i <= 9; i++) dtd += `<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`;
    const r = parseFeed(
      `<?xml version="1.0"?><!DOCTYPE lolz [${dtd}]><rss><channel><title>&lol9;</title></channel></rss>`,
    );
    expect(r.ok).toBe(false);
  });

  it('rejects a large entity referenced 100,000 times once the expansion budget is spent', () => {
    const body = `<!DOCTYPE r [<!ENTITY a "${'x'.repeat(10_000)}">]><rss><channel><title>${'&a;'.repeat(100_000)}</title></channel></rss>`;
    const r = parseFeed(body);
    expect(r).toEqual({ ok: false, error: 'entity expansion limit exceeded' });
  });

  it('expands small internal entities within the budget', () => {
    const r = parseOk(
      `<!DOCTYPE r [<!ENTITY co "Acme &amp; Co">]><rss><channel><title>&co; news</title></channel></rss>`,
    );
    expect(r.feed.title).toBe('Acme & Co news');
    expect(MAX_ENTITY_EXPANSION).toBeGreaterThan(1000);
  });

  it('never resolves external entities', () => {
    for (const decl of [
      '<!ENTITY xxe SYSTEM "file:///etc/passwd">',
      '<!ENTITY xxe PUBLIC "-//x" "file:///etc/hostname">',
    ]) {
      const r = parseOk(
        `<?xml version="1.0"?><!DOCTYPE r [${decl}]><rss><channel><title>a&xxe;b</title></channel></rss>`,
      );
      expect(r.feed.title).toBe('ab');
      expect(JSON.stringify(r)).not.toMatch(/root:|daemon:/);
    }
  });

  it('does not pollute Object.prototype through element or attribute names', () => {
    const r = parseOk(
      '<rss><channel><__proto__><polluted>1</polluted></__proto__><item __proto__="x" constructor="y"><title>t</title><__proto__ polluted="2"/><constructor><prototype><polluted>1</polluted></prototype></constructor></item></channel></rss>',
    );
    expect(r.entries[0].title).toBe('t');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('does not pollute through JSON Feed keys either', () => {
    parseOk(
      '{"version":"https://jsonfeed.org/version/1.1","title":"x","__proto__":{"polluted":1},"items":[{"id":"1","__proto__":{"polluted":1}}]}',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
