/**
 * Mentions issue: ingest with dedup and every rollup on, against a plain `COPY` of the same rows into a scratch
 * table with no indexes, measured in the same run (the COPY twice, before and after, and averaged, to absorb
 * drift on a shared machine). Two ways of ingesting, each into its own fresh database:
 * - `ingestMentions` (the headline): toMentions overlapped with insertMentions, batches of 500 stored in order;
 * - toMentions for everything, then insertMentions batch after batch, each timed alone: where the time goes
 *   (per statement, Node CPU, Postgres CPU), the rate over the run, and a re-run that must store nothing.
 */
import { type Db, insertMentions, type MentionInput, upsertEntities } from '../db/index.ts';
import { ingestMentions, MENTION_BATCH, toMentions } from '../jobs/index.ts';
import { copyChunks, copyIn } from './copy-in.ts';
import { type Benchmark, benchDb, cpuDelta, postgresCpu, round, seconds, size } from './support.ts';
import { demoEntities, socialItems } from './voices-fixture.ts';

const BATCH = MENTION_BATCH;

const COLUMNS =
  'source, source_id, target_id, url, canonical_url, author, title, body, lang, published_at, entities, sentiment, sentiment_label, aspects, simhash';

function copyRow(m: MentionInput): unknown[] {
  return [
    m.source,
    m.sourceId,
    m.targetId,
    m.url,
    m.canonicalUrl,
    m.author,
    m.title,
    m.body,
    m.lang,
    m.publishedAt,
    JSON.stringify(m.entities),
    m.sentiment,
    m.sentimentLabel,
    JSON.stringify(m.aspects),
    m.simhash,
  ];
}

/**
 * Serialises and copies the mentions into a fresh table, unindexed (the baseline) or, for `like: 'ALL'`, with
 * mentions' own indexes, generated columns and constraints bar foreign keys (what the table alone costs);
 * returns seconds (serialisation included).
 */
async function timeCopy(
  db: Db,
  table: string,
  mentions: MentionInput[],
  like: 'DEFAULTS' | 'ALL' = 'DEFAULTS',
): Promise<number> {
  await db.query('bench.scratch', `DROP TABLE IF EXISTS ${table}`);
  await db.query('bench.scratch', `CREATE TABLE ${table} (LIKE mentions INCLUDING ${like})`);
  const client = await db.pool.connect();
  try {
    const started = performance.now();
    const chunks = copyChunks(mentions.map(copyRow));
    const copied = await copyIn(client, `COPY ${table} (${COLUMNS}) FROM STDIN`, chunks);
    const s = seconds(started);
    if (copied !== mentions.length) throw new Error(`COPY stored ${copied} of ${mentions.length} rows`);
    return s;
  } finally {
    client.release();
  }
}

/**
 * Where a batch's time goes by table. insertMentions writes a batch in one statement when every row is new; one
 * mention of each batch stored beforehand makes it take its other path, where the rollups are separate
 * statements (entity_daily, mention_daily, term_daily) after the mentions and their links.
 */
async function splitByTable(split: Awaited<ReturnType<typeof benchDb>>, mentions: MentionInput[]) {
  await insertMentions(
    split.db,
    mentions.filter((_, i) => i % BATCH === BATCH - 1),
  );
  split.profile.reset();
  const started = performance.now();
  for (let i = 0; i < mentions.length; i += BATCH)
    await insertMentions(split.db, mentions.slice(i, i + BATCH));
  const totalMs = performance.now() - started;
  const statements = split.profile.stats().filter((b) => !b.query.startsWith('bench.'));
  const named = statements.reduce((a, b) => a + b.totalMs, 0);
  return {
    mentions: mentions.length,
    totalMs: Math.round(totalMs),
    statements: [
      ...statements.map((b) =>
        b.query === 'mentions.insert_with_rollups' ? { ...b, query: 'mentions+links' } : b,
      ),
      { query: 'rest (JS, BEGIN/COMMIT)', count: 0, totalMs: Math.round(totalMs - named), meanMs: 0 },
    ],
  };
}

const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

export const mentionIngest: Benchmark = {
  name: 'mentions',
  goal: 'mentions issue: toMentions + insertMentions (dedup on) ≥ 0.5× a plain COPY of the same rows',
  async run(opts) {
    const n = size(opts, 'mentions', { quick: 10_000, normal: 50_000, full: 100_000 });
    opts.log(`mentions: generating ${n} demo social items`);
    const items = socialItems(n);
    const entities = demoEntities();
    const tdb = await benchDb();
    const piped = await benchDb();
    const split = await benchDb();
    try {
      const { db } = tdb;
      await Promise.all([db, piped.db, split.db].map((d) => upsertEntities(d, entities)));

      let started = performance.now();
      let cpu = process.cpuUsage();
      const mentions = toMentions(items, null, entities);
      const toMentionsS = seconds(started);
      const toMentionsCpuMs = cpuMs(process.cpuUsage(cpu));
      opts.log(`mentions: toMentions ${round(n / toMentionsS, 0)}/s`);

      const copyBefore = await timeCopy(db, 'bench_copy_a', mentions);
      opts.log(`mentions: COPY ${round(n / copyBefore, 0)}/s`);

      // The headline: what a source's fetch goes through, turning items into mentions overlapped with storing.
      started = performance.now();
      const pipedStored = await ingestMentions(piped.db, items, null, entities, BATCH);
      const pipedS = seconds(started);
      opts.log(`mentions: ingestMentions ${round(n / pipedS, 0)}/s (${pipedStored} stored)`);

      // The parts, one after the other: each batch's insertMentions timed alone.
      const batchSeconds: number[] = [];
      let stored = 0;
      tdb.profile.reset();
      const pgBefore = await postgresCpu(db);
      cpu = process.cpuUsage();
      started = performance.now();
      for (let i = 0; i < mentions.length; i += BATCH) {
        const t = performance.now();
        stored += (await insertMentions(db, mentions.slice(i, i + BATCH))).length;
        batchSeconds.push(seconds(t));
      }
      const insertS = seconds(started);
      const insertCpuMs = cpuMs(process.cpuUsage(cpu));
      const insertPgMs = cpuDelta(pgBefore, await postgresCpu(db));
      const breakdown = tdb.profile.stats().filter((b) => !b.query.startsWith('bench.'));
      opts.log(`mentions: insertMentions ${round(n / insertS, 0)}/s (${stored} stored)`);

      // Dedup on: the same items again store nothing (a re-run of a source).
      started = performance.now();
      const again = mentions.slice(0, Math.min(10_000, n));
      let restored = 0;
      for (let i = 0; i < again.length; i += BATCH)
        restored += (await insertMentions(db, again.slice(i, i + BATCH))).length;
      const dedupS = seconds(started);

      const perTable = await splitByTable(split, mentions.slice(0, Math.min(n, 10_000)));

      const copyAfter = await timeCopy(db, 'bench_copy_b', mentions);
      const copyS = (copyBefore + copyAfter) / 2;
      // Not a baseline: where the gap starts. The same COPY into a table with mentions' indexes.
      const copyIndexedS = await timeCopy(db, 'bench_copy_c', mentions, 'ALL');
      await db.query('bench.scratch', 'DROP TABLE bench_copy_a, bench_copy_b, bench_copy_c');

      const tenth = Math.max(1, Math.floor(batchSeconds.length / 10));
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      const firstRate = (tenth * BATCH) / sum(batchSeconds.slice(0, tenth));
      const lastRate = (tenth * BATCH) / sum(batchSeconds.slice(-tenth));
      const copyRate = n / copyS;
      const pipedRate = n / pipedS;
      const sequential = n / (toMentionsS + insertS);
      const storeOnly = n / insertS;
      const ratio = pipedRate / copyRate;
      const us = (ms: number | null) => (ms === null ? null : round((1000 * ms) / n, 1));
      const perMention = {
        toMentionsNodeCpu: us(toMentionsCpuMs),
        insertNodeCpu: us(insertCpuMs),
        insertPostgresCpu: us(insertPgMs),
        insertWall: us(insertS * 1000),
      };
      const statementMs = sum(breakdown.map((b) => b.totalMs));
      return {
        goalMet: ratio >= 0.5,
        figures: {
          mentions: n,
          stored,
          storedPipelined: pipedStored,
          duplicatesStoredOnRerun: restored,
          copyPerSecond: round(copyRate, 0),
          copySecondsBeforeAfter: [round(copyBefore), round(copyAfter)],
          copyIntoIndexedTablePerSecond: round(n / copyIndexedS, 0),
          ingestMentionsPerSecond: round(pipedRate, 0),
          ratioIngestVsCopy: round(ratio, 3),
          toMentionsPerSecond: round(n / toMentionsS, 0),
          insertMentionsPerSecond: round(storeOnly, 0),
          sequentialPerSecond: round(sequential, 0),
          ratioSequentialVsCopy: round(sequential / copyRate, 3),
          ratioInsertOnlyVsCopy: round(storeOnly / copyRate, 3),
          insertFirstTenthPerSecond: round(firstRate, 0),
          insertLastTenthPerSecond: round(lastRate, 0),
          rerunDedupPerSecond: round(again.length / dedupS, 0),
          shareOfTimeInToMentions: round(toMentionsS / (toMentionsS + insertS), 3),
          microsecondsPerMention: perMention,
          insertStatementsMs: breakdown,
          insertByTableMs: perTable,
          insertOutsideStatementsMs: Math.round(insertS * 1000 - statementMs),
        },
        summary: [
          `${n} mentions: ingestMentions ${round(pipedRate, 0)}/s vs COPY ${round(copyRate, 0)}/s → **${round(ratio, 2)}×** (goal ≥ 0.5×)`,
          `one after the other: toMentions ${round(n / toMentionsS, 0)}/s, insertMentions ${round(storeOnly, 0)}/s (${round(storeOnly / copyRate, 2)}× COPY), together ${round(sequential, 0)}/s = ${round(sequential / copyRate, 2)}× COPY`,
          `per mention: toMentions ${perMention.toMentionsNodeCpu} µs Node CPU; insertMentions ${perMention.insertWall} µs wall = ${perMention.insertNodeCpu} µs Node CPU + ${perMention.insertPostgresCpu ?? '?'} µs Postgres CPU + waits (fsync, scheduling)`,
          `insertMentions time by statement: ${breakdown
            .slice(0, 7)
            .map((b) => `${b.query} ${Math.round((100 * b.totalMs) / (insertS * 1000))}%`)
            .join(', ')} (rest: JS aggregation and serialisation, BEGIN/COMMIT)`,
          `the same split by table (${perTable.mentions} mentions, each batch's rollups as separate statements): ${perTable.statements
            .map((b) => `${b.query} ${Math.round((100 * b.totalMs) / perTable.totalMs)}%`)
            .join(', ')}`,
          `COPY into a table with mentions' indexes (no rollups, no links, no dedup): ${round(n / copyIndexedS, 0)}/s = ${round(copyS / copyIndexedS, 2)}× COPY`,
          `insert rate first tenth ${round(firstRate, 0)}/s, last tenth ${round(lastRate, 0)}/s; re-run of ${again.length} stored ${restored}`,
        ],
        notes: [
          'COPY baseline: text-format COPY FROM STDIN through a pooled pg client (pg-copy-streams is not installed), into an unindexed scratch table; serialisation is inside the timing, as it is for insertMentions.',
          'ingestMentions and the sequential parts each write a fresh database (same template, same items). Postgres CPU is read from /proc for the local server (clock ticks: ±10 ms per backend).',
        ],
      };
    } finally {
      await Promise.all([tdb.close(), piped.close(), split.close()]);
    }
  },
};
