import { describe, expect, it } from 'vitest';
import { fixture, parseOk } from './fixtures.ts';

describe('parseFeed encodings', () => {
  it('decodes UTF-16 LE with a BOM and UTF-16 BE from the <?xml signature', () => {
    for (const name of ['utf16le-bom.xml', 'utf16be-nobom.xml']) {
      const r = parseOk(fixture(name));
      expect(r.feed.title).toBe('Ünïcödé — 日本');
      expect(r.entries[0].title).toBe('Entrée');
    }
    expect(parseOk(fixture('utf16le-bom.xml')).encoding).toBe('UTF-16LE');
  });

  it('skips a UTF-8 BOM', () => {
    expect(parseOk(fixture('utf8-bom.xml')).feed.title).toBe('Café');
  });

  it('honours the XML declaration encoding (koi8-r)', () => {
    const r = parseOk(fixture('koi8r-declared.xml'));
    expect(r).toMatchObject({ encoding: 'KOI8-R', bozo: false });
    expect(r.entries[0].title).toBe('Цены на молоко растут');
  });

  it('guesses an undeclared legacy charset and flags the feed bozo', () => {
    const r = parseOk(fixture('koi8r-undeclared.xml'));
    expect(r).toMatchObject({ encoding: 'KOI8-R', bozo: true });
    expect(r.feed.title).toBe('Новости рынка');
  });

  it('lets the HTTP charset win', () => {
    const r = parseOk(fixture('windows-1251-http.xml'), { contentType: 'text/xml; charset=windows-1251' });
    expect(r.feed.title).toBe('Привет мир');
    const viaHeaders = parseOk(fixture('windows-1251-http.xml'), {
      headers: { 'content-type': 'application/rss+xml; charset="windows-1251"' },
    });
    expect(viaHeaders.feed.title).toBe('Привет мир');
  });

  it('replaces invalid UTF-8 and NUL with U+FFFD so every string survives Postgres', () => {
    const r = parseOk(fixture('invalid-utf8.xml'));
    expect(r.bozo).toBe(true);
    expect(r.feed.title).toBe('Café – naïve, bad \uFFFD bytes\uFFFD and NUL');
    const all = JSON.stringify(r);
    expect(all).not.toContain('\u0000');
    expect(Buffer.from(all, 'utf8').toString('utf8')).toBe(all);
  });

  it('decodes undeclared Latin-1 as windows-1252 rather than garbage', () => {
    expect(parseOk(fixture('latin1-undeclared.xml')).feed.title).toBe('Café crème brûlée');
  });

  it('cleans NULs and lone surrogates in string input too', () => {
    const r = parseOk('<rss><channel><title>a\u0000b\uD800c</title></channel></rss>');
    expect(r.feed.title).toBe('a\uFFFDb\uFFFDc');
  });
});
