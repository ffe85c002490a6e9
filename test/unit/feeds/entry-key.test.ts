import { describe, expect, it } from 'vitest';
import { entryKey } from '../../../crawlers/feeds/index.ts';
import { parseOk } from './fixtures.ts';

const FEED = 'https://acme.example/feed.xml';

describe('entryKey', () => {
  it('keys on the guid when there is one, so duplicate guids collapse', () => {
    const r = parseOk(
      '<rss><channel><item><guid>a</guid><title>one</title></item><item><guid>a</guid><title>edited</title></item><item><guid>b</guid></item></channel></rss>',
    );
    const keys = r.entries.map((e) => entryKey(e, FEED));
    expect(new Set(keys).size).toBe(2);
    expect(keys[0]).toBe(`${FEED}#id:a`);
  });

  it('falls back to a stable hash of link and title when the guid is missing', () => {
    const body =
      '<rss><channel><item><title>x</title><link>http://l/1</link></item><item><title>y</title><link>http://l/1</link></item></channel></rss>';
    const first = parseOk(body).entries.map((e) => entryKey(e, FEED));
    const again = parseOk(body).entries.map((e) => entryKey(e, FEED));
    expect(first).toEqual(again);
    expect(first[0]).not.toBe(first[1]);
    expect(first[0]).toMatch(/#hash:[0-9a-f]{64}$/);
  });

  it('keeps the same guid in two feeds apart', () => {
    const entry = { id: '1', link: null, title: null };
    expect(entryKey(entry, 'https://a.example/feed')).not.toBe(entryKey(entry, 'https://b.example/feed'));
  });
});
