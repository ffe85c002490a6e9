/**
 * Mentions issue: a source's ingest (items → mentions stored, dedup on) against a plain `COPY` of the same rows
 * into a scratch table with no indexes, measured in the same run (the COPY before and after, averaged, to absorb
 * drift on a shared machine). Then what the stored mentions cost the analyzer (sentiment, entities, terms,
 * near-copies, rollups), whose throughput is reported beside the goal, not hidden in it: ingest and analysis are
 * separate jobs (a run stores; `analyze-mentions` workers analyse), and end to end is reported too.
 */

import { copyChunks } from '../db/copy.ts';
import { analyzePendingMentions, type Db, RAW_COLUMNS, rawCopyRow, upsertEntities } from '../db/index.ts';
import { ANALYZE_BATCH, analyzeMention, ingestMentions, toRawMentions } from '../jobs/index.ts';
import { type Benchmark, benchDb, cpuDelta, postgresCpu, round, seconds, size } from './support.ts';
import { demoEntities, socialItems } from './voices-fixture.ts';

/**
 * Serialises and copies the rows into a fresh table, unindexed (the baseline) or, for `like: 'ALL'`, with
 * mentions' own indexes and constraints bar foreign keys (what the table alone costs); returns seconds
 * (serialisation included).
 */
async function timeCopy(db: Db, table: string, rows: unknown[][], like: 'DEFAULTS' | 'ALL' = 'DEFAULTS') {
  await db.query('bench.scratch', `DROP TABLE IF EXISTS ${table}`);
  await db.query('bench.scratch', `CREATE TABLE ${table} (LIKE mentions INCLUDING ${like})`);
  const started = performance.now();
  const copied = await db.copyFrom(
    'bench.copy',
    `COPY ${table} (${RAW_COLUMNS}) FROM STDIN`,
    copyChunks(rows),
  );
  const s = seconds(started);
  if (copied !== rows.length) throw new Error(`COPY stored ${copied} of ${rows.length} rows`);
  return s;
}

const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

export const mentionIngest: Benchmark = {
  name: 'mentions',
  goal: 'mentions issue: ingest (items → mentions stored, dedup on) ≥ 0.5× a plain COPY of the same rows',
  async run(opts) {
    const n = size(opts, 'mentions', { quick: 10_000, normal: 50_000, full: 100_000 });
    opts.log(`mentions: generating ${n} demo social items`);
    const items = socialItems(n);
    const entities = demoEntities();
    const tdb = await benchDb();
    try {
      const { db } = tdb;
      await upsertEntities(db, entities);
      const rows = toRawMentions(items, null).map(rawCopyRow);

      const copyBefore = await timeCopy(db, 'bench_copy_a', rows);
      opts.log(`mentions: COPY ${round(n / copyBefore, 0)}/s`);

      // The headline: a source's run, from fetched items to stored mentions.
      const pgBefore = await postgresCpu(db);
      let cpu = process.cpuUsage();
      let started = performance.now();
      const stored = await ingestMentions(db, items, null);
      const ingestS = seconds(started);
      const ingestCpuMs = cpuMs(process.cpuUsage(cpu));
      const ingestPgMs = cpuDelta(pgBefore, await postgresCpu(db));
      opts.log(`mentions: ingest ${round(n / ingestS, 0)}/s (${stored} stored)`);

      // Dedup on: the same items again store nothing (a re-run of a source).
      const again = items.slice(0, Math.min(10_000, n));
      started = performance.now();
      const restored = await ingestMentions(db, again, null);
      const rerunS = seconds(started);

      // The analyzer's share, as the job runs it: batches until nothing is pending.
      tdb.profile.reset();
      const pgBeforeAnalysis = await postgresCpu(db);
      cpu = process.cpuUsage();
      started = performance.now();
      const { analyzed } = await analyzePendingMentions(
        db,
        (ms) => ms.map((m) => analyzeMention(m, entities)),
        { batch: ANALYZE_BATCH },
      );
      const analyzeS = seconds(started);
      const analyzeCpuMs = cpuMs(process.cpuUsage(cpu));
      const analyzePgMs = cpuDelta(pgBeforeAnalysis, await postgresCpu(db));
      const analysisStatements = tdb.profile.stats().filter((b) => !b.query.startsWith('bench.'));
      opts.log(`mentions: analysis ${round(n / analyzeS, 0)}/s (${analyzed} analysed)`);

      const copyAfter = await timeCopy(db, 'bench_copy_b', rows);
      const copyS = (copyBefore + copyAfter) / 2;
      // Not a baseline: where the gap starts. The same COPY into a table with mentions' indexes.
      const copyIndexedS = await timeCopy(db, 'bench_copy_c', rows, 'ALL');
      await db.query('bench.scratch', 'DROP TABLE bench_copy_a, bench_copy_b, bench_copy_c');

      const copyRate = n / copyS;
      const ingestRate = n / ingestS;
      const ratio = ingestRate / copyRate;
      const endToEnd = n / (ingestS + analyzeS);
      const us = (ms: number | null) => (ms === null ? null : round((1000 * ms) / n, 1));
      const analysisMs = analyzeS * 1000;
      return {
        goalMet: ratio >= 0.5 && stored === n && restored === 0 && analyzed === n,
        figures: {
          mentions: n,
          stored,
          duplicatesStoredOnRerun: restored,
          analyzed,
          copyPerSecond: round(copyRate, 0),
          copySecondsBeforeAfter: [round(copyBefore), round(copyAfter)],
          copyIntoIndexedTablePerSecond: round(n / copyIndexedS, 0),
          ingestPerSecond: round(ingestRate, 0),
          ratioIngestVsCopy: round(ratio, 3),
          rerunDedupPerSecond: round(again.length / rerunS, 0),
          analysisPerSecond: round(n / analyzeS, 0),
          endToEndPerSecond: round(endToEnd, 0),
          ratioEndToEndVsCopy: round(endToEnd / copyRate, 3),
          microsecondsPerMention: {
            ingestNodeCpu: us(ingestCpuMs),
            ingestPostgresCpu: us(ingestPgMs),
            ingestWall: us(ingestS * 1000),
            analysisNodeCpu: us(analyzeCpuMs),
            analysisPostgresCpu: us(analyzePgMs),
            analysisWall: us(analysisMs),
          },
          analysisStatementsMs: analysisStatements,
        },
        summary: [
          `${n} mentions: ingest ${round(ingestRate, 0)}/s vs COPY ${round(copyRate, 0)}/s → **${round(ratio, 2)}×** (goal ≥ 0.5×); re-run of ${again.length} stored ${restored} (${round(again.length / rerunS, 0)}/s)`,
          `COPY into a table with mentions' indexes (no dedup): ${round(n / copyIndexedS, 0)}/s = ${round(copyS / copyIndexedS, 2)}× COPY`,
          `analysis (analyze-mentions, one worker): ${round(n / analyzeS, 0)}/s; end to end (ingest then analysis) ${round(endToEnd, 0)}/s = ${round(endToEnd / copyRate, 2)}× COPY`,
          `per mention: ingest ${us(ingestS * 1000)} µs wall (${us(ingestCpuMs)} Node CPU, ${us(ingestPgMs) ?? '?'} Postgres CPU); analysis ${us(analysisMs)} µs wall (${us(analyzeCpuMs)} Node CPU, ${us(analyzePgMs) ?? '?'} Postgres CPU)`,
          `analysis time by statement: ${analysisStatements
            .slice(0, 7)
            .map((b) => `${b.query} ${Math.round((100 * b.totalMs) / analysisMs)}%`)
            .join(', ')} (rest: the analysis itself, in Node)`,
        ],
        notes: [
          'COPY baseline: text-format COPY FROM STDIN through a pooled pg client (db/copy.ts), of the rows ingest stores (dedup keys included), into an unindexed scratch table; serialisation is inside its timing. The ingest timing starts from the fetched items: normalising, canonical URLs, keys, the dedup check and the store.',
          'Analysis runs after the ingest on the same database, one worker; more workers take disjoint batches (FOR UPDATE SKIP LOCKED). Postgres CPU is read from /proc for the local server (clock ticks: ±10 ms per backend).',
        ],
      };
    } finally {
      await tdb.close();
    }
  },
};
