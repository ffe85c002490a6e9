import { describe, expect, it } from 'vitest';
import { canonicalizeUrl } from '../../../analyzers/mentions/index.ts';

describe('canonicalizeUrl', () => {
  const cases: [string, string][] = [
    ['HTTPS://WWW.Example.COM:443/Blog/Post/?b=2&a=1#comments', 'https://example.com/Blog/Post?a=1&b=2'],
    ['http://example.com:80', 'http://example.com/'],
    ['https://example.com:8443/x/', 'https://example.com:8443/x'],
    [
      'https://shop.example.com/p/serum?utm_source=ig&utm_medium=social&fbclid=abc&gclid=1&ref=home&igshid=zz&color=red',
      'https://shop.example.com/p/serum?color=red',
    ],
    ['https://m.example.com/news/story-1', 'https://example.com/news/story-1'],
    ['https://example.com/news/story-1/amp/', 'https://example.com/news/story-1'],
    ['https://example.com/news/story-1.amp.html', 'https://example.com/news/story-1.html'],
    ['https://example.com/news/story-1?amp=1', 'https://example.com/news/story-1'],
    ['https://amp.example.com/news/story-1', 'https://example.com/news/story-1'],
    ['https://example.com/index.html', 'https://example.com/'],
    ['https://user:pw@example.com//a//b', 'https://example.com/a/b'],
    ['https://example.com/search?q=a+b&q=c', 'https://example.com/search?q=a+b&q=c'],
  ];
  for (const [input, expected] of cases) {
    it(input, () => {
      expect(canonicalizeUrl(input)).toBe(expected);
    });
  }

  it('maps tracking variants of one page to one key', () => {
    const variants = [
      'https://www.example.com/a?utm_campaign=x',
      'https://example.com/a/',
      'https://example.com/a#top',
      'https://m.example.com/a?fbclid=1',
    ];
    expect(new Set(variants.map(canonicalizeUrl)).size).toBe(1);
  });

  it('keeps the www-less two-label hosts intact and rejects non-http URLs', () => {
    expect(canonicalizeUrl('https://m.co/x')).toBe('https://m.co/x');
    expect(() => canonicalizeUrl('ftp://example.com/')).toThrow(TypeError);
    expect(() => canonicalizeUrl('not a url')).toThrow(TypeError);
  });
});
