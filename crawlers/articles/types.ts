/** What `extractArticle` returns for one article page. */
export interface Article {
  title: string | null;
  author: string | null;
  /** ISO-8601 UTC (`2019-11-18T10:30:00.000Z`), or null when the page states no parseable date. */
  published: string | null;
  /** Primary language subtag as the page declares it (`en`, `pt`), lower-case; null when undeclared. */
  lang: string | null;
  /** Plain text; paragraphs separated by a blank line (`\n\n`), lines within one by `\n`. */
  body: string;
  /** The page's own summary (description meta or JSON-LD), else the first paragraph; null when none. */
  excerpt: string | null;
  /** Which extractor produced `body`: Readability, the text-density fallback, or nothing usable. */
  method: 'readability' | 'density' | 'none';
}

/** Metadata read from the page head and structured data, before any content extraction. */
export interface ArticleMetadata {
  title: string | null;
  author: string | null;
  published: string | null;
  lang: string | null;
  description: string | null;
  /** JSON-LD `articleBody`, when the page carries one. */
  articleBody: string | null;
}
