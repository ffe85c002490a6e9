import { DAY_MS, dayStartsAt, type MarketClock } from './clock.ts';
import { escapeHtml } from './html.ts';
import { createRandom, type Random } from './random.ts';
import { ASPECT_WORDS, ASPECTS, type Sentiment, VOICES, type Voice } from './voices.ts';

/** The beauty blog's name, as shown in its header and feed. */
export const BLOG_NAME = 'The Glow Edit';

/** One blog article. */
export interface Article {
  index: number;
  slug: string;
  title: string;
  author: string;
  publishedAt: number;
  paragraphs: string[];
  comments: { author: string; text: string }[];
  /** Ground truth: which brands the article talks about and how. */
  mentions: { subject: string; sentiment: Sentiment }[];
}

const WRITERS = ['Clara Mendes', 'Priya Shah', 'Sophie Laurent', 'Jess Taylor'];
const COMMENTERS = ['Maya R.', 'Lucia', 'beautyjunkie88', 'Nora K.', 'Tara', 'Aisha M.'];
const PRODUCTS = ['serum', 'foundation', 'lipstick', 'moisturizer', 'mascara', 'cleanser'];

/**
 * When article `index` is published: negative indexes are the eight articles from before the
 * market started (every 3.5 real days), then one every third simulated day from day 1.
 */
export function articlePublishedAt(clock: MarketClock, index: number): number {
  return index < 0
    ? clock.startedAt + Math.round(index * 3.5 * DAY_MS)
    : dayStartsAt(clock, 1 + 3 * index) + 1000;
}

function verdict(random: Random, voice: Voice, product: string, sentiment: Sentiment): string {
  const aspect = random.pick(ASPECTS);
  const [good, bad] = ASPECT_WORDS.en[aspect];
  if (sentiment === 'positive') {
    return `I have been using the ${voice.name} ${product} every day for two weeks, and ${good}. It has earned a permanent spot on my shelf, and I would happily repurchase it.`;
  }
  if (sentiment === 'negative') {
    return `The ${voice.name} ${product} was a letdown: ${bad}. For what it costs, I expected much better, and I cannot recommend it.`;
  }
  return `The ${voice.name} ${product} is a mixed bag. ${good.charAt(0).toUpperCase() + good.slice(1)}, but ${bad}, which is hard to forgive.`;
}

/** Generates article `index` (pure in seed and index; the clock only dates it). */
export function articleOf(seed: number, clock: MarketClock, index: number): Article {
  const random = createRandom(seed, 'article', index);
  const publishedAt = articlePublishedAt(clock, index);
  const first = random.chance(0.6) ? VOICES[0] : VOICES[random.int(1, 3)];
  const second = VOICES[random.int(1, 3)];
  const subjects = first.key === second.key ? [first] : [first, second];
  const product = random.pick(PRODUCTS);
  const trending = publishedAt >= clock.startedAt - 10 * DAY_MS && random.chance(0.5);
  const mentions = subjects.map((voice) => ({
    subject: voice.key,
    sentiment: random.pick<Sentiment>(['positive', 'positive', 'negative', 'mixed']),
  }));
  const title = trending
    ? 'Glass skin: the routine everyone is suddenly talking about'
    : subjects.length === 2
      ? `${subjects[0].name} vs ${subjects[1].name}: which ${product} is worth it?`
      : `I tried the ${subjects[0].name} ${product} for two weeks: an honest review`;
  const paragraphs = [
    trending
      ? 'If your feed looks anything like mine, it is full of glass skin: that luminous, poreless finish that looks lit from within. Here is how I built a glass skin routine without spending a fortune.'
      : `Reader questions about ${product}s keep filling my inbox, so this week I put ${subjects.map((s) => s.name).join(' and ')} to the test.`,
    ...mentions.map((m, i) => verdict(random, subjects[i], product, m.sentiment)),
    `Prices move a lot at the moment, so check the shops before you buy; promotions come and go every few days.`,
    `Verdict: ${mentions[0].sentiment === 'negative' ? `skip the ${subjects[0].name} one for now.` : `the ${subjects[0].name} ${product} is my pick this month.`}`,
  ];
  const comments = Array.from({ length: random.int(2, 4) }, () => ({
    author: random.pick(COMMENTERS),
    text: random.pick([
      `Thanks for this! I have been on the fence about ${subjects[0].name}.`,
      `Totally agree, the ${product} is not worth the hype.`,
      'Would love a follow-up after a month of use!',
      `Ordered it last week, delivery was quick and it is lovely so far.`,
    ]),
  }));
  const slug = `${index < 0 ? `archive-${-index}` : `post-${index}`}-${title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/-$/, '')}`;
  return { index, slug, title, author: random.pick(WRITERS), publishedAt, paragraphs, comments, mentions };
}

/** Articles published at or before `now`, newest first. */
export function articlesAt(seed: number, clock: MarketClock, now: number): Article[] {
  const articles: Article[] = [];
  for (let index = -8; articlePublishedAt(clock, index) <= now; index++)
    articles.push(articleOf(seed, clock, index));
  return articles.reverse();
}

function shell(title: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${escapeHtml(title)}</title>
  <link rel="alternate" type="application/rss+xml" title="${BLOG_NAME}" href="/blog/feed.xml">
</head>
<body>
  <header class="blog-header"><a class="blog-title" href="/blog/">${BLOG_NAME}</a>
    <nav><a href="/blog/">Latest</a> <a href="/blog/">Reviews</a> <a href="/blog/">Skincare</a> <a href="/blog/feed.xml">RSS</a></nav>
  </header>
${main}
  <footer class="blog-footer"><p>&copy; ${BLOG_NAME}. Some links are affiliate links.</p></footer>
</body>
</html>
`;
}

/** The blog index page. */
export function renderBlogIndex(articles: Article[]): string {
  const items = articles
    .map(
      (a) =>
        `    <li><a href="/blog/${escapeHtml(a.slug)}">${escapeHtml(a.title)}</a> <time datetime="${new Date(a.publishedAt).toISOString()}">${new Date(a.publishedAt).toDateString()}</time></li>`,
    )
    .join('\n');
  return shell(
    BLOG_NAME,
    `  <main class="blog-index"><h1>Latest posts</h1>\n  <ul>\n${items}\n  </ul></main>`,
  );
}

/** One article page: header, nav, article body, sidebar, comments and footer. */
export function renderArticle(article: Article, recent: Article[]): string {
  const body = article.paragraphs.map((p) => `      <p>${escapeHtml(p)}</p>`).join('\n');
  const comments = article.comments
    .map(
      (c) =>
        `      <li class="comment"><b class="comment-author">${escapeHtml(c.author)}</b> <p>${escapeHtml(c.text)}</p></li>`,
    )
    .join('\n');
  const sidebar = recent
    .slice(0, 5)
    .map((a) => `<li><a href="/blog/${escapeHtml(a.slug)}">${escapeHtml(a.title)}</a></li>`)
    .join('');
  return shell(
    `${article.title} | ${BLOG_NAME}`,
    `  <div class="layout">
  <main>
    <article class="post">
      <h1 class="entry-title">${escapeHtml(article.title)}</h1>
      <p class="byline">By <span class="author">${escapeHtml(article.author)}</span> on <time datetime="${new Date(article.publishedAt).toISOString()}">${new Date(article.publishedAt).toDateString()}</time></p>
      <div class="entry-content">
${body}
      </div>
    </article>
    <section class="comments"><h2>${article.comments.length} comments</h2>
      <ol>
${comments}
      </ol>
    </section>
  </main>
  <aside class="sidebar"><h2>Popular posts</h2><ul>${sidebar}</ul>
    <form class="newsletter"><label>Get the newsletter <input type="email" name="email"></label></form></aside>
  </div>`,
  );
}

/** The RSS 2.0 feed (latest 20 articles) with `pubDate`, `guid` and `dc:creator`. */
export function renderFeed(articles: Article[], origin: string): string {
  const items = articles.slice(0, 20).map((a) => {
    const link = `${origin}/blog/${a.slug}`;
    return `    <item>
      <title>${escapeHtml(a.title)}</title>
      <link>${escapeHtml(link)}</link>
      <guid isPermaLink="true">${escapeHtml(link)}</guid>
      <pubDate>${new Date(a.publishedAt).toUTCString()}</pubDate>
      <dc:creator>${escapeHtml(a.author)}</dc:creator>
      <description>${escapeHtml(a.paragraphs.join(' '))}</description>
    </item>`;
  });
  const built = articles[0] ? new Date(articles[0].publishedAt).toUTCString() : new Date(0).toUTCString();
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>${BLOG_NAME}</title>
    <link>${escapeHtml(origin)}/blog/</link>
    <atom:link href="${escapeHtml(origin)}/blog/feed.xml" rel="self" type="application/rss+xml"/>
    <description>Honest beauty reviews, skincare routines and deals.</description>
    <language>en</language>
    <lastBuildDate>${built}</lastBuildDate>
${items.join('\n')}
  </channel>
</rss>
`;
}
