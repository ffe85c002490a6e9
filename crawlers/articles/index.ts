/** Articles: a fetched blog or news page in, its article (metadata and plain-text body) out. Pure; no I/O. */
export { dropBoilerplateParagraphs } from './drop-boilerplate-paragraphs.ts';
export { extractArticle } from './extract-article.ts';
export { extractByDensity } from './extract-by-density.ts';
export { parseArticleDate } from './parse-article-date.ts';
export { primaryLanguage, readArticleMetadata } from './read-article-metadata.ts';
export { stripBoilerplate } from './strip-boilerplate.ts';
export { toArticleText } from './to-article-text.ts';
export type { Article, ArticleMetadata } from './types.ts';
