import { Type } from '@sinclair/typebox';
import {
  analyzePendingMentions,
  type Entity,
  listEntities,
  type MentionAnalysis,
  type StoredMention,
} from '../db/index.ts';
import type { Logger } from '../logger.ts';
import { analyzeMention } from './crawl-voices.ts';
import { defineJob, type Enqueue, QUEUES } from './types.ts';

/** Mentions analysed per transaction. */
export const ANALYZE_BATCH = 500;

/** A run hands over to a fresh job after this long, so that one backlog does not hold a worker slot for long. */
const RUN_BUDGET_MS = 10_000;

/** Stores within one slot share one analysis run, queued for the slot's end. */
const ANALYZE_SLOT_MS = 1_000;

/** How often every worker fleet sweeps for pending mentions whose analysis request was lost. */
export const ANALYZE_SWEEP_MS = 60_000;

/** Analysed mentions trigger at most one trend pass per slot. */
const TREND_SLOT_MS = 10_000;

/** The same slot of the same length gives the same job id: at most one run is queued per slot. */
function slotted(prefix: string, slotMs: number): { jobId: string; delayMs: number } {
  const slot = Math.floor(Date.now() / slotMs);
  return { jobId: `${prefix}:${slot}`, delayMs: (slot + 1) * slotMs - Date.now() };
}

/**
 * Asks for an analysis run after new mentions were stored. Debounced: every store of a one-second slot is
 * picked up by the run queued at the slot's end (it starts after them and reads until nothing is pending).
 * A store whose request is lost (a crash between the two) is caught by the periodic run (worker.ts).
 */
export async function enqueueAnalysis(enqueue: Enqueue): Promise<void> {
  await enqueue('analyze-mentions', {}, slotted('analyze', ANALYZE_SLOT_MS));
}

/** What a mention the analyzer failed on is stored with: analysed (so it blocks nobody), scored nowhere. */
const UNANALYSABLE: MentionAnalysis = {
  lang: null,
  entities: [],
  sentiment: null,
  sentimentLabel: null,
  aspects: [],
  simhash: null,
  terms: [],
};

/**
 * Analyses a batch. A mention the analysis throws on is logged with its id and stored unscored, so that one bad
 * text cannot fail the batch on every retry and hold up every mention behind it.
 */
export function analyzeBatch(
  mentions: StoredMention[],
  entities: Entity[],
  log: Logger,
  analyze: (m: StoredMention, entities: Entity[]) => MentionAnalysis = analyzeMention,
): MentionAnalysis[] {
  return mentions.map((m) => {
    try {
      return analyze(m, entities);
    } catch (err) {
      log.error(
        { mentionId: m.id, source: m.source, err: (err as Error).message },
        'mention analysis failed',
      );
      return { ...UNANALYSABLE, lang: m.lang };
    }
  });
}

/**
 * The analyzer: takes stored mentions not analysed yet, oldest first, a batch per transaction (concurrent runs on
 * other workers take other rows), and stores each one's language, entities, sentiment and aspects, candidate
 * terms and near-copy link, with the rollups the reports and trend detection read. Then queues a trend pass.
 */
export const analyzeMentions = defineJob({
  name: 'analyze-mentions',
  queue: QUEUES.analyze,
  schema: Type.Object({}, { additionalProperties: false }),
  async process(_data, ctx) {
    const entities = await listEntities(ctx.db);
    const { analyzed, more } = await analyzePendingMentions(
      ctx.db,
      (mentions) => analyzeBatch(mentions, entities, ctx.log),
      { batch: ANALYZE_BATCH, deadline: Date.now() + RUN_BUDGET_MS },
    );
    if (more) await ctx.enqueue('analyze-mentions', {}, { jobId: `analyze:more:${ctx.jobId}` });
    // Debounced: one trend pass at the end of each 10-second slot in which mentions were analysed.
    if (analyzed) await ctx.enqueue('detect-trends', {}, slotted('trends', TREND_SLOT_MS));
    return { analyzed, more };
  },
});
