import { describe, expect, it } from 'vitest';
import { fixture, parseOk } from './fixtures.ts';

describe('parseFeed formats', () => {
  it('reads RSS 2.0 without letting image or textInput leak into the channel', () => {
    const r = parseOk(fixture('rss2.xml'), { url: 'https://acme.example/feed.xml' });
    expect(r.format).toBe('rss');
    expect(r.bozo).toBe(false);
    expect(r.feed).toMatchObject({
      title: 'Acme Blog',
      link: 'https://acme.example/blog/',
      subtitle: 'News & launches',
    });
    expect(r.entries).toHaveLength(2);
    const [first, second] = r.entries;
    expect(first).toEqual({
      id: 'post-1',
      title: 'Spring sale: <b>20% off</b>',
      link: 'https://acme.example/blog/spring-sale',
      summary: '<p>See <a href="https://acme.example/deals">deals</a></p>',
      content: '<p>Full <img src="https://acme.example/img/sale.png"> text</p>',
      published: '2004-01-01T19:48:21Z',
      updated: null,
      author: 'Jane Doe',
      categories: ['sales', 'spring'],
      tags: [
        { term: 'sales', scheme: null, label: null },
        { term: 'spring', scheme: null, label: null },
      ],
      media: {
        content: [],
        thumbnails: [],
        credits: [],
        rating: null,
        restriction: null,
        license: null,
        player: null,
      },
    });
    expect(second.link).toBe('https://acme.example/blog/second');
    expect(second.updated).toBe('2003-12-31T18:14:55Z');
  });

  it('reads RSS 0.90 and RSS 1.0 (RDF), where items are siblings of the channel', () => {
    const old = parseOk(fixture('rss090.xml'));
    expect(old.format).toBe('rss090');
    expect(old.entries[0]).toMatchObject({ title: 'Item title', link: 'http://old.example/1' });
    const rdf = parseOk(fixture('rdf.xml'));
    expect(rdf.format).toBe('rdf');
    expect(rdf.feed.title).toBe('RDF feed');
    expect(rdf.entries[0]).toMatchObject({
      id: 'http://example.org/1',
      updated: '2004-05-25T10:00:00Z',
      categories: ['news'],
    });
  });

  it('reads Atom 1.0 with xhtml text constructs, xml:base and a person author', () => {
    const r = parseOk(fixture('atom10.xml'));
    expect(r.format).toBe('atom');
    expect(r.feed).toMatchObject({
      title: 'Example <b>Atom</b>',
      link: 'http://example.com/blog/',
      author: 'John Doe (john@example.com)',
      updated: '2003-12-13T18:30:02Z',
    });
    const e = r.entries[0];
    expect(e.title).toBe('Hello <b>world</b>');
    expect(e.link).toBe('http://example.com/blog/posts/hello.html');
    expect(e.summary).toBe('History of the <blink> tag');
    expect(e.content).toBe('<p>See <a href="http://example.com/blog/posts/more.html">more</a></p>');
    expect(e.published).toBe('2003-12-13T12:29:29Z');
    expect(e.title).not.toContain('leak');
  });

  it('reads Atom 0.3 escaped and base64 modes', () => {
    const r = parseOk(fixture('atom03.xml'));
    expect(r.format).toBe('atom03');
    expect(r.feed.title).toBe('Atom <i>0.3</i>');
    expect(r.feed.subtitle).toBe('Tagline here');
    expect(r.entries[0]).toMatchObject({ title: 'Example <b>Atom</b>', published: '2004-01-01T10:00:00Z' });
  });

  it('reads CDF attributes (HREF, LASTMOD) and ABSTRACT', () => {
    const r = parseOk(fixture('cdf.xml'));
    expect(r.format).toBe('cdf');
    expect(r.feed).toMatchObject({
      title: 'CDF channel',
      link: 'http://www.example.org/',
      subtitle: 'Channel abstract',
    });
    expect(r.entries[0]).toMatchObject({
      link: 'http://www.example.org/item',
      updated: '2004-04-07T04:05:43Z',
    });
  });

  it('reads JSON Feed 1.1 and resolves its relative URLs against home_page_url', () => {
    const r = parseOk(fixture('feed.json'));
    expect(r.format).toBe('json');
    expect(r.feed).toMatchObject({ title: 'JSON Feed', link: 'https://json.example/', author: 'Ann' });
    expect(r.entries[0]).toMatchObject({
      id: '1',
      link: 'https://json.example/posts/1',
      content: '<p>Hello <a href="https://json.example/x">x</a></p>',
      published: '2020-01-02T02:04:05Z',
      categories: ['a', 'b'],
    });
    expect(r.entries[1]).toMatchObject({ content: 'Plain text only', summary: 'Plain text only' });
  });

  it('ignores a wrong or missing content type: the body decides the format', () => {
    const r = parseOk(fixture('atom10.xml'), { contentType: 'text/html' });
    expect(r.format).toBe('atom');
    expect(parseOk(fixture('feed.json'), { contentType: 'application/xml' }).format).toBe('json');
  });

  it('rejects what is not a feed with an error instead of throwing', () => {
    expect(parseOk.bind(null, '<!DOCTYPE html><html><body>hi</body></html>')).toThrow(/not a feed/);
    expect(parseOk.bind(null, '')).toThrow(/no XML element/);
    expect(parseOk.bind(null, '{"version": 1')).toThrow(/invalid JSON/);
  });

  it('matches element names case-insensitively and prefers <title> over media:title', () => {
    const r = parseOk(
      '<rss xmlns:media="http://search.yahoo.com/mrss/"><channel><TiTlE>Upper</TiTlE><item><media:title>m</media:title><title>real</title><media:title>later</media:title></item></channel></rss>',
    );
    expect(r.feed.title).toBe('Upper');
    expect(r.entries[0].title).toBe('real');
  });
});
