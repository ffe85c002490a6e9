import { describe, expect, it } from 'vitest';
import { fixture, parseOk } from './fixtures.ts';

describe('Media RSS', () => {
  const r = parseOk(fixture('media-rss.xml'));
  const entry = r.entries[0];

  it('flattens media:group and media:content into the entry, as feedparser does', () => {
    expect(entry.title).toBe('Layering the serum');
    expect(entry.summary).toBe('How to layer the serum.');
    expect(entry.media.content).toEqual([
      {
        url: 'https://cdn.example/v1.mp4',
        fileSize: '1048576',
        type: 'video/mp4',
        medium: 'video',
        isDefault: 'true',
        duration: '185',
        width: '1280',
        height: '720',
        lang: 'en',
      },
      { url: 'https://cdn.example/v1-small.mp4', type: 'video/mp4', width: '640', height: '360' },
    ]);
  });

  it('reads thumbnails from the url attribute or the text, resolved against xml:base', () => {
    expect(entry.media.thumbnails).toEqual([
      { url: 'https://shop.example/thumbs/v1-hd.jpg', width: '320', height: '180', time: '00:00:05' },
      { url: 'https://shop.example/thumbs/v1.jpg' },
    ]);
  });

  it('keeps every credit, trimmed, with only the attributes given', () => {
    expect(entry.media.credits).toEqual([
      { role: 'producer', scheme: 'urn:ebu', content: 'Glow Co' },
      { role: 'author', content: 'Dr. Ana Lima' },
      { content: 'Studio 4' },
    ]);
  });

  it('takes the first rating, restriction and license, the last player', () => {
    expect(entry.media.rating).toEqual({ scheme: 'urn:mpaa', content: 'pg' });
    expect(entry.media.restriction).toEqual({ relationship: 'deny', type: 'country', content: ['fr', 'de'] });
    expect(entry.media.license).toEqual({
      type: 'text/html',
      href: 'https://shop.example/licenses/cc-by',
      content: 'CC BY 4.0',
    });
    expect(entry.media.player).toEqual({ url: 'https://shop.example/embed/1', width: '400', height: '300' });
  });

  it('turns media:category and media:keywords into tags and categories', () => {
    expect(entry.tags).toEqual([
      { term: 'beauty/skincare', scheme: 'urn:glow:tags', label: 'Skin care' },
      { term: 'serum', scheme: 'http://search.yahoo.com/mrss/category_schema', label: null },
      { term: 'serum', scheme: null, label: null },
      { term: 'retinol', scheme: null, label: null },
      { term: 'vitamin c', scheme: null, label: null },
    ]);
    expect(entry.categories).toEqual(['beauty/skincare', 'serum', 'retinol', 'vitamin c']);
  });

  it('keeps channel-level media on the feed, apart from the entries', () => {
    expect(r.feed.media.thumbnails).toEqual([{ url: 'https://shop.example/img/channel.png' }]);
    expect(r.feed.media.rating).toEqual({ scheme: 'urn:simple', content: 'nonadult' });
    expect(r.feed.media.content).toEqual([]);
  });

  it('leaves media empty on feeds without it', () => {
    const plain = parseOk('<rss><channel><item><title>x</title></item></channel></rss>');
    expect(plain.entries[0].media).toEqual({
      content: [],
      thumbnails: [],
      credits: [],
      rating: null,
      restriction: null,
      license: null,
      player: null,
    });
  });

  it('maps JSON Feed images and attachments onto media', () => {
    const json = parseOk(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'J',
        home_page_url: 'https://json.example/',
        items: [
          {
            id: '1',
            content_text: 'x',
            image: '/img/1.png',
            tags: ['podcast'],
            attachments: [
              { url: 'ep1.mp3', mime_type: 'audio/mpeg', size_in_bytes: 900, duration_in_seconds: 60 },
            ],
          },
        ],
      }),
    );
    expect(json.entries[0].media.thumbnails).toEqual([{ url: 'https://json.example/img/1.png' }]);
    expect(json.entries[0].media.content).toEqual([
      { url: 'https://json.example/ep1.mp3', type: 'audio/mpeg', fileSize: '900', duration: '60' },
    ]);
    expect(json.entries[0].tags).toEqual([{ term: 'podcast', scheme: null, label: null }]);
  });
});

describe('tags', () => {
  const r = parseOk(fixture('categories.xml'));

  it('keeps the scheme (Atom scheme or RSS domain) and label of each category', () => {
    expect(r.entries[0].tags).toEqual([
      { term: 'Lipstick', scheme: 'http://shop.example/cat', label: null },
      { term: 'Lipstick', scheme: null, label: null },
      { term: 'sale', scheme: 'urn:promo', label: 'On sale' },
      { term: null, scheme: 'urn:empty', label: null },
      { term: 'Reviews', scheme: null, label: null },
    ]);
    expect(r.entries[0].categories).toEqual(['Lipstick', 'sale', 'Reviews']);
  });

  it('reads channel categories, nested iTunes categories and iTunes keywords', () => {
    const itunes = 'http://www.itunes.com/';
    expect(r.feed.tags).toEqual([
      { term: 'Cosmetics', scheme: 'urn:shop', label: null },
      { term: 'Health & Fitness', scheme: itunes, label: null },
      { term: 'Alternative Health', scheme: itunes, label: null },
      { term: 'beauty', scheme: itunes, label: null },
      { term: 'skin', scheme: itunes, label: null },
    ]);
  });
});
