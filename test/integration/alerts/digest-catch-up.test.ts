// Digests after a gap: when no digest tick ran for days (worker outage) or the channel was disabled, the next
// digest carries every alert still waiting since the channel's last digest, not only the last two periods; a new
// channel still gets only two periods, and nothing is sent twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAlertRule, insertAlerts, insertEvents, updateChannel } from '../../../db/index.ts';
import { addChannel, type Rig, startRig } from './rig.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({});
});
afterAll(async () => {
  await rig?.close();
});

/** Days of January 2026 at 09:00 UTC, the rule's send time. */
const nine = (day: number) => new Date(Date.UTC(2026, 0, day, 9, 0));

describe('digests catch up after a gap', () => {
  let seq = 0;
  /** One stored alert of the rule per day given, created at 12:00 UTC that day. */
  async function alertsOn(ruleId: number, days: number[]) {
    for (const day of days) {
      const [eventId] = await insertEvents(rig.db, [
        {
          type: 'launched',
          dedupKey: `catch-up:${++seq}`,
          occurredAt: new Date(Date.UTC(2026, 0, day, 12)),
          subject: `launch-${seq}-day-${day}`,
          payload: {},
        },
      ]);
      const [id] = await insertAlerts(rig.db, [
        {
          ruleId,
          eventId,
          subject: `launch-${seq}-day-${day}`,
          windowStart: new Date(Date.UTC(2026, 0, day, 12)),
          title: `Launch on day ${day}`,
          body: '',
          severity: 'info',
          payload: {},
        },
      ]);
      await rig.db.query('test.backdate', 'UPDATE alerts SET created_at = $2 WHERE id = $1', [
        id,
        new Date(Date.UTC(2026, 0, day, 12)),
      ]);
    }
  }
  /** Digest messages of a channel: period end → the days of the alerts each carried. */
  async function digestsOf(channelId: number) {
    const { rows } = await rig.db.query<{ messageId: string; title: string }>(
      'test.digests',
      `SELECT i.message_id AS "messageId", a.title FROM digest_items i JOIN alerts a ON a.id = i.alert_id
       WHERE i.channel_id = $1 ORDER BY i.message_id, a.created_at`,
      [channelId],
    );
    const out: Record<string, number[]> = {};
    for (const r of rows) {
      const end = new Date(Number(r.messageId.split('_').at(-1))).toISOString().slice(0, 10);
      out[end] = [...(out[end] ?? []), Number(r.title.split(' ').at(-1))];
    }
    return out;
  }

  it('a digest after five days without ticks carries the five days; a new channel gets two; none twice', async () => {
    const ch = await addChannel(rig.db, 'log', {}, 'digest log');
    const rule = await insertAlertRule(rig.db, {
      name: 'Daily launches',
      eventType: 'launched',
      params: {},
      scope: {},
      cooldownSeconds: 60,
      channelIds: [ch.id],
      mode: 'digest',
      digest: { every: 'daily', at: '09:00', timeZone: 'UTC' },
    });
    await alertsOn(rule.id, [1]);
    await rig.run('send-digests', { at: nine(2).getTime() + 60_000 });
    expect(await digestsOf(ch.id)).toEqual({ '2026-01-02': [1] });

    // No tick from Jan 3 to Jan 7 (worker down); alerts kept being stored.
    await alertsOn(rule.id, [2, 3, 4, 5, 6]);
    await rig.run('send-digests', { at: nine(7).getTime() + 60_000 });
    expect(await digestsOf(ch.id)).toEqual({ '2026-01-02': [1], '2026-01-07': [2, 3, 4, 5, 6] });
    // Ticking again sends nothing more.
    await rig.run('send-digests', { at: nine(7).getTime() + 120_000 });
    await rig.run('send-digests', { at: nine(8).getTime() + 60_000 });
    expect(Object.keys(await digestsOf(ch.id))).toEqual(['2026-01-02', '2026-01-07']);

    // A channel disabled for days: held alerts go out with the first digest after it is re-enabled.
    await updateChannel(rig.db, ch.id, { status: 'disabled' });
    await alertsOn(rule.id, [8, 9, 10, 11]);
    for (const day of [9, 10, 11, 12]) await rig.run('send-digests', { at: nine(day).getTime() + 60_000 });
    await updateChannel(rig.db, ch.id, { status: 'active' });
    await rig.run('send-digests', { at: nine(12).getTime() + 120_000 });
    expect((await digestsOf(ch.id))['2026-01-12']).toEqual([8, 9, 10, 11]);

    // A channel newly routed to the rule, with no digest yet: only the last two periods, not the history.
    const fresh = await addChannel(rig.db, 'log', {}, 'fresh log');
    await rig.db.query(
      'test.route',
      'UPDATE alert_rules SET channel_ids = channel_ids || $2::bigint WHERE id = $1',
      [rule.id, fresh.id],
    );
    await rig.run('send-digests', { at: nine(12).getTime() + 180_000 });
    expect(await digestsOf(fresh.id)).toEqual({ '2026-01-12': [10, 11] });
  });
});
