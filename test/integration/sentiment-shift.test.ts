/**
 * Sentiment shifts through the real detect-trends job (the definition the runners use, on a real database): a
 * drop in an entity's daily mean raises one `sentiment_shift` event carrying the mentions that drove it; the
 * daily pass that rescans the window does not raise it again when one more day moves its boundary, and a later
 * recovery is still its own shift.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectSentimentShift } from '../../analyzers/index.ts';
import {
  type Db,
  insertMentions,
  type MentionInput,
  sentimentSeries,
  upsertEntities,
} from '../../db/index.ts';
import { toMentions } from '../../jobs/index.ts';
import { brand } from '../support/entities.ts';
import { type Rig, startRig } from './alerts/rig.ts';

const LUMINA = brand('lumina', 'Lumina');

const START = Date.UTC(2026, 0, 1);
const dayAt = (i: number) => new Date(START + i * 86_400_000).toISOString().slice(0, 10);
const WOBBLE = [0.02, -0.03, 0.01, -0.01, 0.03, -0.02];
/** Day 14 sits halfway through the drop, so one more day of data moves the best split (checked below). */
function level(i: number): number {
  if (i < 14) return 0.4 + WOBBLE[i % 6];
  if (i === 14) return 0.11;
  if (i < 28) return -0.2 + WOBBLE[i % 6];
  return 0.4 + WOBBLE[i % 6]; // the recovery
}
const DAYS = 36;
/** A day's mentions: its level ± 0.05·k, k = 1…10, so the day's mean is its level. */
const OFFSETS = Array.from({ length: 10 }, (_, k) => [0.05 * (k + 1), -0.05 * (k + 1)]).flat();
/** Day 5 also holds the most negative mention of all, balanced to leave its mean as it was: before any shift. */
const DECOY_DAY = 5;

function seedMentions(): MentionInput[] {
  const items: { text: string; publishedAt: string; sentiment: number }[] = [];
  for (let i = 0; i < DAYS; i++) {
    const scores = OFFSETS.map((o) => level(i) + o);
    if (i === DECOY_DAY) scores.push(-0.8, level(i) * 1.5 + 0.4, level(i) * 1.5 + 0.4);
    scores.forEach((sentiment, j) => {
      items.push({
        text: `Lumina review ${i}-${j}: note number ${i * 100 + j} on the serum, batch ${j * 7 + i}`,
        publishedAt: new Date(START + i * 86_400_000 + (8 + (j % 12)) * 3_600_000).toISOString(),
        sentiment: Math.round(sentiment * 1000) / 1000,
      });
    });
  }
  const mentions = toMentions(
    items.map((x, k) => ({
      source: 'shift-test',
      sourceId: `m${k}`,
      url: `https://social.example/shift/${k}`,
      author: `user${k % 40}.example`,
      title: null,
      text: x.text,
      publishedAt: x.publishedAt,
      lang: 'en',
    })),
    null,
    [LUMINA],
  );
  // The day's mean is the point of the test: set the scores outright, and no mention is a near-copy of another.
  return mentions.map((m, k) => ({ ...m, sentiment: items[k].sentiment, simhash: null }));
}

async function shiftEvents(db: Db) {
  const { rows } = await db.query<{ id: number; dedup_key: string; payload: Record<string, unknown> }>(
    't',
    "SELECT id, dedup_key, payload FROM events WHERE type = 'sentiment_shift' ORDER BY id",
  );
  return rows;
}

async function detectedDays(db: Db, today: string): Promise<string[]> {
  const [series] = await sentimentSeries(db, {
    entity: 'lumina',
    since: new Date(`${dayAt(-60)}T00:00:00Z`),
    until: new Date(`${today}T00:00:00Z`),
  });
  const points = series.points.map((p) => ({ day: p.t, mean: p.mean!, n: p.count }));
  return detectSentimentShift(points).map((s) => s.day);
}

describe('detect-trends: sentiment shifts with evidence, raised once', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({});
    await upsertEntities(rig.db, [LUMINA]);
    const mentions = seedMentions();
    for (let i = 0; i < mentions.length; i += 200) await insertMentions(rig.db, mentions.slice(i, i + 200));
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('raises a sentiment_shift for the drop, with its most negative mentions as evidence', async () => {
    const today = dayAt(18);
    await rig.run('detect-trends', { day: today });
    const events = await shiftEvents(rig.db);
    expect(events).toHaveLength(1);
    const p = events[0].payload as { day: string; delta: number; mentionIds: number[]; entity: string };
    expect(p.entity).toBe('lumina');
    expect(p.day).toBe(dayAt(14));
    expect(p.delta).toBeLessThan(-0.4);
    expect(p.mentionIds).toHaveLength(10);

    // The evidence is the most negative mentions of the entity from the shift's day to `today`: not the decoy
    // before it, not anything published after the pass's day.
    const { rows } = await rig.db.query<{ id: number; sentiment: number; day: string }>(
      't',
      `SELECT mention_id AS id, sentiment, (published_at AT TIME ZONE 'UTC')::date::text AS day
       FROM mention_entities WHERE entity_key = 'lumina'`,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const inWindow = rows.filter((r) => r.day >= p.day && r.day <= today);
    const chosen = p.mentionIds.map((id) => byId.get(id)!);
    expect(chosen.every((r) => r && r.day >= p.day && r.day <= today)).toBe(true);
    const rest = inWindow.filter((r) => !p.mentionIds.includes(r.id));
    const worstOfRest = Math.min(...rest.map((r) => r.sentiment));
    expect(Math.max(...chosen.map((r) => r.sentiment))).toBeLessThanOrEqual(worstOfRest);
    const decoy = rows.find((r) => r.day === dayAt(DECOY_DAY) && r.sentiment < -0.79)!;
    expect(decoy.sentiment).toBeLessThan(Math.min(...chosen.map((r) => r.sentiment)));
    expect(p.mentionIds).not.toContain(decoy.id);
  });

  it('does not raise the drop again the next day, when its boundary moves by one day', async () => {
    // The data make the detector itself move the split: the job must recognise the same change.
    expect(await detectedDays(rig.db, dayAt(18))).toEqual([dayAt(14)]);
    expect(await detectedDays(rig.db, dayAt(19))).toEqual([dayAt(15)]);
    const before = await shiftEvents(rig.db);
    await rig.run('detect-trends', { day: dayAt(19) });
    expect(await shiftEvents(rig.db)).toEqual(before);
    // And a re-run of the same day changes nothing either.
    await rig.run('detect-trends', { day: dayAt(18) });
    expect(await shiftEvents(rig.db)).toEqual(before);
  });

  it('still raises a later recovery: another direction is another shift', async () => {
    const today = dayAt(DAYS - 1);
    const days = await detectedDays(rig.db, today);
    expect(days).toContain(dayAt(28));
    await rig.run('detect-trends', { day: today });
    const events = await shiftEvents(rig.db);
    expect(events).toHaveLength(2);
    const up = events[1].payload as { day: string; delta: number; mentionIds: number[] };
    expect(up.day).toBe(dayAt(28));
    expect(up.delta).toBeGreaterThan(0.4);
    expect(up.mentionIds).toHaveLength(10);
  });
});
