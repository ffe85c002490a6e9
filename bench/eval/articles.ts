/**
 * Article-body corpus (scrapinghub/article-extraction-benchmark): runs `extractArticle` on each page
 * and scores its body with the benchmark's own metric (see ../shared/corpora/README.md, "articles/"):
 * `\w+` tokens, multisets of 4-token shingles, per-document tp/fp/fn normalised to sum 1, precision
 * and recall averaged over documents, F1 of the two means, and accuracy as an exact token-sequence
 * match. Readability alone (its `textContent` on the same DOM) is scored in the same run as a baseline.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { extractArticle } from '../../crawlers/articles/index.ts';
import type { EvalOptions } from '../eval.ts';

interface ArticleCase {
  articleBody: string;
  url: string;
}

type Counts = [tp: number, fp: number, fn: number];

/** Python's `\w` in Unicode mode: letters, numbers (Nd, Nl, No) and the underscore. */
const TOKEN = /[\p{L}\p{N}_]+/gu;

function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

/** 4-token shingles; a text shorter than 4 tokens is one shingle of all its tokens (none when empty). */
function shingles(text: string, n = 4): Map<string, number> {
  const tokens = tokenize(text);
  const out = new Map<string, number>();
  for (let i = 0; i < Math.max(1, tokens.length - n + 1); i++) {
    const key = tokens.slice(i, i + n).join(' ');
    if (key !== '') out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

function shingleCounts(truth: string, predicted: string): Counts {
  const t = shingles(truth);
  const p = shingles(predicted);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const key of new Set([...t.keys(), ...p.keys()])) {
    const tc = t.get(key) ?? 0;
    const pc = p.get(key) ?? 0;
    tp += Math.min(tc, pc);
    fp += Math.max(0, pc - tc);
    fn += Math.max(0, tc - pc);
  }
  const sum = tp + fp + fn;
  return sum > 0 ? [tp / sum, fp / sum, fn / sum] : [0, 0, 0];
}

const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const round = (x: number) => Math.round(x * 1000) / 1000;

function score(rows: { counts: Counts; exact: boolean }[]) {
  const precision = mean(
    rows.filter(({ counts: [tp, fp] }) => tp + fp > 0).map(({ counts: [tp, fp] }) => tp / (tp + fp)),
  );
  const recall = mean(
    rows.filter(({ counts: [tp, , fn] }) => tp + fn > 0).map(({ counts: [tp, , fn] }) => tp / (tp + fn)),
  );
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    f1: round(f1),
    precision: round(precision),
    recall: round(recall),
    accuracy: round(mean(rows.map((r) => (r.exact ? 1 : 0)))),
  };
}

function sameTokens(a: string, b: string): boolean {
  const x = tokenize(a);
  const y = tokenize(b);
  return x.length === y.length && x.every((t, i) => t === y[i]);
}

function readabilityAlone(html: string): string {
  const { document } = parseHTML(html);
  return new Readability(document as unknown as Document).parse()?.textContent ?? '';
}

/** Scores `extractArticle` and Readability alone on every page of the corpus. */
export async function evaluate({ dataDir, emit }: EvalOptions): Promise<Record<string, unknown>> {
  const truth = JSON.parse(readFileSync(join(dataDir, 'ground-truth.json'), 'utf8')) as Record<
    string,
    ArticleCase
  >;
  const ours: { counts: Counts; exact: boolean }[] = [];
  const baseline: { counts: Counts; exact: boolean }[] = [];
  let ms = 0;
  let errors = 0;
  let withTitle = 0;
  let withPublished = 0;
  let withAuthor = 0;
  for (const [id, { articleBody, url }] of Object.entries(truth)) {
    const html = gunzipSync(readFileSync(join(dataDir, 'html', `${id}.html.gz`))).toString('utf8');
    let body = '';
    const started = performance.now();
    try {
      const article = extractArticle(html, url);
      body = article.body;
      if (article.title) withTitle++;
      if (article.published) withPublished++;
      if (article.author) withAuthor++;
    } catch {
      errors++;
    }
    ms += performance.now() - started;
    emit({ id, body });
    ours.push({ counts: shingleCounts(articleBody, body), exact: sameTokens(articleBody, body) });
    const base = readabilityAlone(html);
    baseline.push({ counts: shingleCounts(articleBody, base), exact: sameTokens(articleBody, base) });
  }
  const n = ours.length;
  return {
    cases: n,
    extractArticle: { ...score(ours), errors, meanMs: round(ms / Math.max(1, n)) },
    readabilityAlone: score(baseline),
    metadata: { withTitle, withPublished, withAuthor },
  };
}
