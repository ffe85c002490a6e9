import {
  type Db,
  type Entity,
  insertAlertRule,
  listAlertRules,
  type TargetKind,
  type TargetOptions,
  upsertCompetitor,
  upsertEntities,
  upsertTarget,
} from '../db/index.ts';
import { DEAD_LETTER_ALERT_RULE } from './dead-letter.ts';
import { scheduleTargets } from './schedule-targets.ts';
import type { Scheduler } from './types.ts';

/** A market to watch: competitors and their targets. The demo market produces one; users can write their own. */
export interface MarketManifest {
  competitors: {
    key: string;
    name: string;
    brand: string;
    homepage: string;
    currency: string;
    locale: string;
  }[];
  targets: {
    competitorKey: string | null;
    kind: TargetKind;
    url: string;
    label: string;
    options: TargetOptions;
    intervalSeconds: number;
  }[];
  /** Brands, competitors and products to listen for in mentions. */
  entities?: (Pick<Entity, 'key' | 'name' | 'kind' | 'aliases' | 'exclude'> & Partial<Entity>)[];
}

/** The rules a new installation starts with; edit or delete them through the API. */
export const DEFAULT_ALERT_RULES = [
  {
    name: 'Competitor price drop ≥ 10%',
    eventType: 'price_changed',
    params: { minPct: 10, direction: 'down' },
    scope: {},
    cooldownSeconds: 3600,
  },
  { name: 'Competitor launch', eventType: 'launched', params: {}, scope: {}, cooldownSeconds: 86_400 },
  {
    name: 'Promotion started',
    eventType: 'promotion_started',
    params: {},
    scope: {},
    cooldownSeconds: 86_400,
  },
  {
    name: 'Target failing',
    eventType: 'target_failing',
    params: { failures: 3 },
    scope: {},
    cooldownSeconds: 86_400,
  },
  {
    name: 'Target stale (no successful crawl for 2 intervals)',
    eventType: 'target_stale',
    params: {},
    scope: {},
    cooldownSeconds: 86_400,
  },
  { name: 'Emerging trend', eventType: 'trend_emerging', params: {}, scope: {}, cooldownSeconds: 86_400 },
  {
    name: 'Sentiment drop',
    eventType: 'sentiment_shift',
    params: { minDrop: 0.1 },
    scope: {},
    cooldownSeconds: 86_400,
  },
  DEAD_LETTER_ALERT_RULE,
];

/**
 * Stores a manifest's competitors and targets (idempotent: a second run changes nothing), adds the default
 * alert rules to a database that has none, and schedules every target.
 */
export async function seedMarket(
  db: Db,
  scheduler: Scheduler,
  manifest: MarketManifest,
  kinds: readonly TargetKind[],
): Promise<{ targets: number }> {
  await upsertEntities(
    db,
    (manifest.entities ?? []).map((e) => ({ required: [], any: [], languages: [], ...e })),
  );
  const competitorIds = new Map<string, number>();
  for (const c of manifest.competitors) competitorIds.set(c.key, (await upsertCompetitor(db, c)).id);
  let targets = 0;
  for (const t of manifest.targets) {
    if (!kinds.includes(t.kind)) continue;
    const { target } = await upsertTarget(db, {
      competitorId: t.competitorKey ? (competitorIds.get(t.competitorKey) ?? null) : null,
      kind: t.kind,
      url: t.url,
      label: t.label,
      options: t.options,
      intervalSeconds: t.intervalSeconds,
    });
    await scheduleTargets(db, scheduler, [target]);
    targets++;
  }
  if ((await listAlertRules(db)).length === 0) {
    for (const r of DEFAULT_ALERT_RULES) await insertAlertRule(db, r);
  }
  return { targets };
}
