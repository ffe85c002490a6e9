import { type Db, insertChannel, listChannels, repointChannel, routeUnroutedRules } from '../../db/index.ts';

export const DEMO_SLACK_CHANNEL = 'Demo Slack (local fake)';

/**
 * Demo only (`DEMO_SLACK=1`): a Slack channel pointing at the local fake Slack, and every rule that routes
 * nowhere routed to it, so `GET /api/deliveries` shows Slack-format deliveries. Idempotent: re-running finds
 * the channel by name and re-points it (the fake's port may change between runs).
 */
export async function seedDemoSlackChannel(db: Db, url: string): Promise<number> {
  const existing = (await listChannels(db, { limit: 1000 })).find((c) => c.name === DEMO_SLACK_CHANNEL);
  const id = existing
    ? existing.id
    : (await insertChannel(db, { kind: 'slack', name: DEMO_SLACK_CHANNEL, config: { url } })).id;
  if (existing) await repointChannel(db, id, url);
  await routeUnroutedRules(db, id);
  return id;
}
