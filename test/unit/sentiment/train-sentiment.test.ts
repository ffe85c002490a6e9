import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { GATE_FEATURES } from '../../../analyzers/sentiment/model-features.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'train-sentiment-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ITEMS = [
  'serum',
  'lipstick',
  'cream',
  'mascara',
  'toner',
  'shampoo',
  'perfume',
  'palette',
  'balm',
  'mask',
];
const TEMPLATES: [number, (item: string) => string][] = [
  [2.6, (i) => `I love this ${i}, it is wonderful`],
  [2.2, (i) => `The ${i} is great and works well`],
  [-2.6, (i) => `I hate this ${i}, it is awful`],
  [-2.2, (i) => `The ${i} is terrible and broke me out`],
  [0, (i) => `The ${i} arrived on Monday in a box`],
  [0.1, (i) => `The ${i} comes in a 50 ml bottle`],
];

/** Two small rated sets written here, in the corpus layout (`id<TAB>mean<TAB>text`). */
function writeCorpus(): string {
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  for (const set of ['reviews', 'posts']) {
    const lines: string[] = [];
    ITEMS.forEach((item, i) => {
      TEMPLATES.forEach(([mean, text], t) => {
        lines.push(`${set}-${i}-${t}\t${mean}\t${set === 'posts' ? `${text(item)}!` : text(item)}`);
      });
    });
    writeFileSync(join(data, `${set}.tsv`), `${lines.join('\n')}\n`);
  }
  return data;
}

const script = ['--import', 'tsx', 'scripts/train-sentiment.ts'];

describe('scripts/train-sentiment.ts', () => {
  it('fits the ridge margin and the neutral gate, and stores nested cross-validated figures', async () => {
    const data = writeCorpus();
    const out = join(dir, 'model.json');
    await run(
      process.execPath,
      [
        ...script,
        '--data',
        data,
        '--out',
        out,
        '--folds',
        '3',
        '--inner-folds',
        '2',
        '--lambdas',
        '1,10',
        '--min-df',
        '1',
        '--extra-seeds',
        '3',
      ],
      { cwd: ROOT, timeout: 120_000 },
    );
    const model = JSON.parse(readFileSync(out, 'utf8'));
    expect(model.neutralBand).toBe(0.05);
    expect(model.gateNames).toEqual(['bias', ...GATE_FEATURES]);
    expect(model.gate).toHaveLength(GATE_FEATURES.length + 1);
    expect([1, 10]).toContain(model.lambda);
    expect(model.crossValidation.foldChoices).toHaveLength(3);
    // Held-out figures on texts this easy must be near perfect; a broken fit or gate would not be.
    for (const set of ['reviews', 'posts']) {
      const m = model.crossValidation.metrics[set];
      expect(m.n).toBe(ITEMS.length * TEMPLATES.length);
      expect(m.pearson).toBeGreaterThan(0.9);
      expect(m.macroF1).toBeGreaterThan(0.8);
    }
    expect(model.sparse.love).toBeGreaterThan(0);
    // One nested CV per fold seed, and their mean and range per set.
    expect(model.crossValidation.seedRuns.map((r: { seed: number }) => r.seed)).toEqual([7, 3]);
    for (const set of ['reviews', 'posts']) {
      const f1 = model.crossValidation.seedRuns.map(
        (r: { metrics: Record<string, { macroF1: number }> }) => r.metrics[set].macroF1,
      );
      const spread = model.crossValidation.seedSummary[set].macroF1;
      expect(spread.min).toBe(Math.min(...f1));
      expect(spread.max).toBe(Math.max(...f1));
      expect(spread.mean).toBeCloseTo((f1[0] + f1[1]) / 2, 4);
    }
  }, 150_000);

  it('rejects a bad argument with a clear error', async () => {
    const failed = await run(process.execPath, [...script, '--folds'], { cwd: ROOT }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringMatching(/missing value for --folds/) });
    const unknown = await run(process.execPath, [...script, '--fold', '3'], { cwd: ROOT }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(unknown).toMatchObject({ stderr: expect.stringMatching(/unknown argument: --fold/) });
  });
});
