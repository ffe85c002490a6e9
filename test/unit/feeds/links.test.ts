import { describe, expect, it } from 'vitest';
import { parseOk } from './fixtures.ts';

const relativeRss = `<rss version="2.0"><channel><title>t</title><link>/home</link>
<item><link>/posts/1</link><description>&lt;a href=" /relative/uri "&gt;x&lt;/a&gt;</description></item></channel></rss>`;

describe('parseFeed relative links', () => {
  it('resolves against the fetched URL', () => {
    const r = parseOk(relativeRss, { url: 'http://127.0.0.1:8097/tests/feed.xml' });
    expect(r.feed.link).toBe('http://127.0.0.1:8097/home');
    expect(r.entries[0].link).toBe('http://127.0.0.1:8097/posts/1');
    expect(r.entries[0].summary).toBe('<a href="http://127.0.0.1:8097/relative/uri">x</a>');
  });

  it('prefers Content-Location over the fetched URL', () => {
    const r = parseOk(relativeRss, {
      url: 'http://127.0.0.1/feed.xml',
      headers: { 'Content-Location': 'http://example.com/' },
    });
    expect(r.entries[0].link).toBe('http://example.com/posts/1');
  });

  it('lets nested xml:base override the document base', () => {
    const r = parseOk(
      `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://example.com/parent/"><title type="xhtml" xml:base="http://example.com/test/"><div xmlns="http://www.w3.org/1999/xhtml">Example <a href="test.html">test</a></div></title><entry><link href="a"/><id>b</id></entry></feed>`,
      { url: 'http://other.example/' },
    );
    expect(r.feed.title).toBe('Example <a href="http://example.com/test/test.html">test</a>');
    expect(r.entries[0].link).toBe('http://example.com/parent/a');
    expect(r.entries[0].id).toBe('http://example.com/parent/b');
  });

  it('falls back to the feed link when nothing else gives a base', () => {
    const r = parseOk(
      '<rss><channel><link>https://shop.example/news/</link><item><link>item-1</link></item></channel></rss>',
    );
    expect(r.entries[0].link).toBe('https://shop.example/news/item-1');
  });

  it('does not resolve a guid that says it is not a permalink', () => {
    const r = parseOk('<rss><channel><item><guid isPermaLink="false">abc/1</guid></item></channel></rss>', {
      url: 'http://x.example/',
    });
    expect(r.entries[0].id).toBe('abc/1');
    expect(r.entries[0].link).toBeNull();
  });

  it('ignores rel="self" and prefers an HTML alternate link', () => {
    const r = parseOk(
      '<feed xmlns="http://www.w3.org/2005/Atom"><link rel="self" href="http://e.example/feed"/><link rel="alternate" type="application/pdf" href="http://e.example/pdf"/><link href="http://e.example/"/></feed>',
    );
    expect(r.feed.link).toBe('http://e.example/');
  });
});
