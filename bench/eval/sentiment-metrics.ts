/**
 * Metrics and reader for the sentiment eval, kept apart from the analyzer so the training script can
 * use them before a model file exists.
 *
 * Convention: gold = mean rating / 4; |gold| < 0.05 is neutral, else its sign.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Label3 = 'positive' | 'neutral' | 'negative';

export interface RatedText {
  set: string;
  id: string;
  mean: number;
  text: string;
}

export interface SetMetrics {
  n: number;
  macroF1: number;
  pearson: number;
  binaryAccuracy: number;
}

/** Gold label under the shared convention: mean / 4, neutral inside ±0.05. */
export function goldLabel(mean: number): Label3 {
  const g = mean / 4;
  if (Math.abs(g) < 0.05) return 'neutral';
  return g > 0 ? 'positive' : 'negative';
}

/** Label of a score with a symmetric neutral band; band 0 means only exactly 0 is neutral. */
export function bandLabel(score: number, band: number): Label3 {
  if (band === 0) return score > 0 ? 'positive' : score < 0 ? 'negative' : 'neutral';
  return score >= band ? 'positive' : score <= -band ? 'negative' : 'neutral';
}

/** Unweighted mean of the per-class F1 over positive, neutral and negative. */
export function macroF1(gold: Label3[], pred: Label3[]): number {
  let total = 0;
  for (const c of ['positive', 'neutral', 'negative'] as const) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < gold.length; i++) {
      if (pred[i] === c && gold[i] === c) tp++;
      else if (pred[i] === c) fp++;
      else if (gold[i] === c) fn++;
    }
    total += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return total / 3;
}

export function pearson(xs: number[], ys: number[]): number {
  const n = xs.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i];
    my += ys[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - mx;
    const dy = ys[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

/** Binary accuracy on items whose gold is not neutral; a score of exactly 0 is wrong. */
export function binaryAccuracy(means: number[], scores: number[]): number {
  let n = 0;
  let ok = 0;
  for (let i = 0; i < means.length; i++) {
    if (goldLabel(means[i]) === 'neutral') continue;
    n++;
    if (scores[i] !== 0 && Math.sign(scores[i]) === Math.sign(means[i])) ok++;
  }
  return n === 0 ? 0 : ok / n;
}

export function measureSet(means: number[], scores: number[], band: number): SetMetrics {
  return {
    n: means.length,
    macroF1: round(
      macroF1(
        means.map(goldLabel),
        scores.map((s) => bandLabel(s, band)),
      ),
    ),
    pearson: round(pearson(scores, means)),
    binaryAccuracy: round(binaryAccuracy(means, scores)),
  };
}

export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Reads every `<set>.tsv` (`id<TAB>mean<TAB>text`) in a directory. */
export function readRatedTexts(dataDir: string): RatedText[] {
  const out: RatedText[] = [];
  for (const file of readdirSync(dataDir)
    .filter((f) => f.endsWith('.tsv'))
    .sort()) {
    const set = file.replace(/\.tsv$/, '');
    for (const line of readFileSync(join(dataDir, file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const [id, mean, ...rest] = line.split('\t');
      out.push({ set, id, mean: Number(mean), text: rest.join('\t') });
    }
  }
  return out;
}
