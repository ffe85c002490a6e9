/**
 * Trends issue: per-mention cost must stay flat as volume grows (within 1.3× from 100k to 1M).
 * - In memory: `probeSpeed` from the trends eval (a corpus stream replayed end to end through term extraction,
 *   daily rollups and detection by `createTrendReplay`) at 100k and 1M mentions, same run.
 * - Database: the demo's social items ingested with their rollups (`toMentions` + `insertMentions`, batches of
 *   500, history order), comparing the per-mention cost of the first fifth with the last fifth, and the
 *   `detect-trends` pass (reads rollups, then evidence) after the first fifth and after everything.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dayOf } from '../analyzers/index.ts';
import { insertMentions, upsertEntities } from '../db/index.ts';
import { detectTrends, type JobContext, toMentions } from '../jobs/index.ts';
import { createLogger } from '../logger.ts';
import { probeSpeed } from './eval/trends.ts';
import { type Benchmark, benchDb, round, seconds, size } from './support.ts';
import { demoEntities, socialItems } from './voices-fixture.ts';

const here = dirname(fileURLToPath(import.meta.url));
const CORPUS = resolve(here, '../../shared/corpora/trends');
const BATCH = 500;

interface SpeedRow {
  mentions: number;
  seconds: number;
  mentionsPerSecond: number;
  microsecondsPerMention: number;
  days: number;
  reports: number;
  vocabulary: number;
  heapMb: number;
}

async function dbPath(n: number, log: (l: string) => void) {
  const items = socialItems(n);
  const entities = demoEntities();
  const tdb = await benchDb();
  try {
    const { db } = tdb;
    await upsertEntities(db, entities);
    const mentions = toMentions(items, null, entities);
    const fifth = Math.floor(mentions.length / 5 / BATCH) * BATCH || BATCH;
    const ctx = {
      db,
      log: createLogger('silent'),
      enqueue: async () => undefined,
      jobId: 'bench:trends',
      attempt: 1,
      scheduledAt: Date.now(),
    } as unknown as JobContext;
    const ingest = async (from: number, to: number) => {
      const started = performance.now();
      for (let i = from; i < to; i += BATCH)
        await insertMentions(db, mentions.slice(i, Math.min(to, i + BATCH)));
      return seconds(started);
    };
    const detect = async (day: string) => {
      const started = performance.now();
      const result = (await detectTrends.process({ day }, ctx)) as { trends: number; shifts: number };
      return { seconds: seconds(started), ...result };
    };
    const firstS = await ingest(0, fifth);
    const detectEarly = await detect(dayOf(mentions[fifth - 1].publishedAt));
    log(
      `trends(db): first ${fifth} at ${round(fifth / firstS, 0)}/s, detect pass ${round(detectEarly.seconds, 2)} s`,
    );
    await ingest(fifth, mentions.length - fifth);
    const lastS = await ingest(mentions.length - fifth, mentions.length);
    const detectLate = await detect(dayOf(mentions[mentions.length - 1].publishedAt));
    log(
      `trends(db): last ${fifth} at ${round(fifth / lastS, 0)}/s, detect pass ${round(detectLate.seconds, 2)} s`,
    );
    return {
      mentions: mentions.length,
      slice: fifth,
      firstSliceMsPerMention: round((firstS * 1000) / fifth, 3),
      lastSliceMsPerMention: round((lastS * 1000) / fifth, 3),
      ingestGrowth: round(lastS / firstS, 2),
      detectSecondsEarly: round(detectEarly.seconds, 3),
      detectSecondsLate: round(detectLate.seconds, 3),
      detectGrowth: round(detectLate.seconds / detectEarly.seconds, 2),
      trendsFound: detectEarly.trends + detectLate.trends,
    };
  } finally {
    await tdb.close();
  }
}

export const trendsAtScale: Benchmark = {
  name: 'trends',
  goal: 'trends issue: per-mention cost of term extraction + rollups + detection flat within 1.3× from 100k to 1M',
  async run(opts) {
    const small = size(opts, 'trendsSmall', { quick: 20_000, normal: 100_000, full: 100_000 });
    const large = size(opts, 'trendsLarge', { quick: 200_000, normal: 1_000_000, full: 1_000_000 });
    const dbMentions = size(opts, 'trendsDb', { quick: 5_000, normal: 10_000, full: 100_000 });
    const notes: string[] = [];
    let memory: SpeedRow[] = [];
    if (existsSync(CORPUS)) {
      opts.log(`trends: in-memory replay of ${small} and ${large} mentions`);
      memory = (await probeSpeed(CORPUS, [small, large])) as SpeedRow[];
      for (const r of memory) opts.log(`trends: ${r.mentions} → ${r.mentionsPerSecond}/s`);
    } else notes.push(`no trends corpus at ${CORPUS}: the in-memory replay was skipped`);
    opts.log(`trends: database path, ${dbMentions} mentions`);
    const db = await dbPath(dbMentions, opts.log);
    const growth =
      memory.length === 2 ? memory[1].microsecondsPerMention / memory[0].microsecondsPerMention : null;
    return {
      goalMet: growth === null ? null : growth <= 1.3,
      figures: { memory, perMentionGrowth: growth === null ? null : round(growth, 3), db },
      summary: [
        ...(memory.length === 2
          ? [
              `in memory: ${memory[0].mentions} at ${memory[0].mentionsPerSecond}/s (${memory[0].microsecondsPerMention} µs each), ${memory[1].mentions} at ${memory[1].mentionsPerSecond}/s (${memory[1].microsecondsPerMention} µs) → per-mention cost **${round(growth!, 2)}×** (goal ≤ 1.3×); heap ${memory[1].heapMb} MB, vocabulary ${memory[1].vocabulary}`,
            ]
          : []),
        `database, ${db.mentions} mentions: ingest with rollups ${db.firstSliceMsPerMention} ms/mention for the first ${db.slice}, ${db.lastSliceMsPerMention} ms for the last ${db.slice} (${db.ingestGrowth}×); detect-trends pass ${db.detectSecondsEarly} s → ${db.detectSecondsLate} s (${db.detectGrowth}×)`,
      ],
      notes: [
        ...notes,
        'The in-memory sizes repeat one corpus stream shifted in time (probeSpeed), so vocabulary grows less than a real year of mentions would.',
      ],
    };
  },
};
