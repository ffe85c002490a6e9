import { describe, expect, it } from 'vitest';
import { parseOk } from './fixtures.ts';

describe('parseFeed recovers ill-formed feeds and flags them bozo', () => {
  it('treats an unescaped & as text and decodes undeclared HTML entities', () => {
    const r = parseOk(
      '<rss><channel><title>Q&A &nbsp;&eacute; &amp B</title><item><link>http://link/get?a=1&b=2</link></item></channel></rss>',
    );
    expect(r.bozo).toBe(true);
    expect(r.feed.title).toBe('Q&A \u00a0é & B');
    expect(r.entries[0].link).toBe('http://link/get?a=1&b=2');
  });

  it('keeps the items of a truncated document', () => {
    const r = parseOk(
      '<rss><channel><title>t</title><item><title>one</title></item><item><title>two</title></item><item><title>thr',
    );
    expect(r.bozo).toBe(true);
    expect(r.entries.map((e) => e.title)).toEqual(['one', 'two', 'thr']);
  });

  it('survives an incomplete CDATA section', () => {
    const r = parseOk('<rss version="2.0"><channel><title>can read this</title><item><title><![CD\r\n');
    expect(r.bozo).toBe(true);
    expect(r.feed.title).toBe('can read this');
  });

  it('closes elements on a mismatched end tag (wrong nesting)', () => {
    const r = parseOk(
      '<rss><channel><item><title>a</item><item><title>b</title><b>x</i></item></channel></rss>',
    );
    expect(r.bozo).toBe(true);
    expect(r.entries.map((e) => e.title)).toEqual(['a', 'b']);
  });

  it('accepts unquoted and valueless attributes', () => {
    const r = parseOk(
      '<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href=http://e.example/1 hidden><title>x</title></entry></feed>',
    );
    expect(r.bozo).toBe(true);
    expect(r.entries[0].link).toBe('http://e.example/1');
  });

  it('resolves undeclared but well-known namespace prefixes', () => {
    const r = parseOk(
      '<rss><channel><item><dc:creator>Ann</dc:creator><content:encoded>&lt;p&gt;hi&lt;/p&gt;</content:encoded></item></channel></rss>',
    );
    expect(r.entries[0]).toMatchObject({ author: 'Ann', content: '<p>hi</p>' });
  });

  it('finds items outside a channel and ignores unknown namespaces reusing core names', () => {
    const r = parseOk(
      '<rss xmlns:x="http://example.com/other"><item><x:description>wrong</x:description><description>right</description><x:description>wrong</x:description></item></rss>',
    );
    expect(r.entries[0].summary).toBe('right');
  });

  it('does not flag a well-formed feed', () => {
    expect(
      parseOk('<?xml version="1.0"?><rss version="2.0"><channel><title>ok</title></channel></rss>').bozo,
    ).toBe(false);
  });
});
