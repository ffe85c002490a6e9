import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import {
  dropBoilerplateParagraphs,
  extractArticle,
  extractByDensity,
  parseArticleDate,
  toArticleText,
} from '../../../crawlers/articles/index.ts';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '../../fixtures/articles', name), 'utf8');

describe('extractArticle on a news page', () => {
  const article = extractArticle(
    fixture('news-article.html'),
    'https://news.example/beauty/lumina-fragrance',
  );

  it('reads metadata from JSON-LD and the page head', () => {
    expect(article).toMatchObject({
      title: 'Lumina Beauty drops fragrance from Glow Serum',
      author: 'Marta Okafor, Ana Silva',
      published: '2024-11-18T09:30:00.000Z',
      lang: 'en',
      excerpt: 'The brand reformulates its best-seller after complaints.',
      method: 'readability',
    });
  });

  it('keeps the story paragraphs, separated by blank lines, and drops furniture', () => {
    const paragraphs = article.body.split('\n\n');
    expect(paragraphs).toEqual([
      expect.stringMatching(/^Lumina Beauty announced on Monday/),
      expect.stringMatching(/^The new version arrives in stores in March/),
      expect.stringMatching(/^Chief executive Marta Okafor told analysts/),
      expect.stringMatching(/^Retail partners welcomed the decision/),
      expect.stringMatching(/^Shares of the parent group rose slightly/),
    ]);
    for (const junk of [
      'Facebook',
      'Photo:',
      'Related:',
      'newsletter',
      'Getty',
      'More stories',
      'under £20',
      'By Marta',
      'Home',
    ])
      expect(article.body).not.toContain(junk);
  });
});

describe('extractArticle on a blog without JSON-LD', () => {
  const article = extractArticle(fixture('blog-post.html'), 'https://blog.example/resenha');

  it('falls back to meta tags; a date without offset is UTC', () => {
    expect(article).toMatchObject({
      title: 'Resenha: sérum Glow',
      author: 'Joana Costa',
      published: '2024-10-02T14:05:00.000Z',
      lang: 'pt',
      excerpt: 'Minha opinião sincera depois de um mês usando o sérum.',
    });
  });

  it('keeps line breaks inside a paragraph', () => {
    expect(article.body.split('\n\n')).toHaveLength(3);
    expect(article.body).toContain('sem fragrância.\nPreço: R$ 129.');
  });
});

describe('fallbacks and hostile input', () => {
  it('uses the text-density extractor for a table layout', () => {
    const container = extractByDensity(
      parseHTML(fixture('table-layout.html')).document as unknown as Document,
    );
    expect(container).not.toBeNull();
    const text = toArticleText(container as Element);
    expect(text).toContain('Our shop opened in 1998');
    expect(text).toContain('under five euros');
    expect(text).not.toContain('About us');
    const article = extractArticle(fixture('table-layout.html'), 'https://shop.example/');
    expect(article.body).toContain('Today we still make every bar ourselves');
  });

  it('returns an empty body for a page without prose', () => {
    const article = extractArticle(fixture('link-farm.html'), 'https://x.example/');
    expect(article.body).toBe('');
    expect(article.method).toBe('none');
    expect(article.title).toBe('Index');
  });

  it('never throws on broken markup, broken JSON-LD or empty input', () => {
    const broken =
      '<html><head><script type="application/ld+json">{"@type":"Article",</script></head><body><p>Hi <b>there';
    expect(() => extractArticle(broken, 'https://x.example/')).not.toThrow();
    expect(extractArticle('', 'https://x.example/')).toMatchObject({
      body: '',
      title: null,
      published: null,
    });
  });
});

describe('parseArticleDate', () => {
  it.each([
    ['2024-11-18T10:30:00+01:00', '2024-11-18T09:30:00.000Z'],
    ['2024-11-18T10:30:00+0100', '2024-11-18T09:30:00.000Z'],
    ['2024-11-18', '2024-11-18T00:00:00.000Z'],
    ['2024-11-18 10:30', '2024-11-18T10:30:00.000Z'],
    ['20241118T103000Z', '2024-11-18T10:30:00.000Z'],
    ['Mon, 18 Nov 2024 10:30:00 GMT', '2024-11-18T10:30:00.000Z'],
    ['1731925800', '2024-11-18T10:30:00.000Z'],
    ['not a date', null],
    ['0001-01-01T00:00:00Z', null],
    ['', null],
  ])('%s → %s', (input, expected) => {
    expect(parseArticleDate(input)).toBe(expected);
  });
});

describe('dropBoilerplateParagraphs', () => {
  it('drops datelines, bylines, credits and promos but keeps bare times and scores', () => {
    const kept = dropBoilerplateParagraphs(
      [
        'Big Story Title',
        'By Jane Doe',
        'Published 7:07 PM EST Nov 19, 2019',
        'The story begins here with a full sentence about the news of the day.',
        '4:14 p.m.',
        'Rockledge 14 11 6 15 — 44',
        '(Image: © Shutterstock)',
        'Follow us on Instagram for more.',
        'Share Facebook Twitter Email',
        'The story ends here with another full sentence about what happens next.',
        'You may also like',
        'Some other story teaser',
      ],
      'Big Story Title',
    );
    expect(kept).toEqual([
      'The story begins here with a full sentence about the news of the day.',
      '4:14 p.m.',
      'Rockledge 14 11 6 15 — 44',
      'The story ends here with another full sentence about what happens next.',
    ]);
  });
});
