import {
  acquireChannelLease,
  beginAttempt,
  type Channel,
  type DeliveryMessage,
  finishAttempt,
  getChannel,
  markChannel,
  nextDueMessage,
  nextDueTime,
  recordDeadDelivery,
  releaseChannelLease,
  renewChannelLease,
  setChannelNextSendAt,
} from '../../db/index.ts';
import type { JobContext } from '../types.ts';
import { retryDelay } from './classify-response.ts';
import { sendMessage } from './send-message.ts';

/** The name of the job that drains a channel (defined in jobs/deliver-alert.ts). */
export const DELIVER_JOB = 'deliver-alert';

/** Total attempts allowed to a message held back only by 429s, so a webhook that always answers 429 ends. */
const MAX_RATE_LIMITED_ATTEMPTS = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Asks for the channel to be drained at `at` (now when omitted). Job ids are per channel and instant, so any
 * number of callers asking for the same moment enqueue one job.
 */
export async function scheduleDrain(
  ctx: Pick<JobContext, 'enqueue'>,
  channelId: number,
  at?: Date | number,
): Promise<void> {
  const when = at === undefined ? Date.now() : new Date(at).getTime();
  const delayMs = Math.max(0, when - Date.now());
  await ctx.enqueue(DELIVER_JOB, { channelId }, { jobId: `deliver-${channelId}-${when}`, delayMs });
}

export interface DrainResult {
  /** False when another worker holds the channel (a drain is scheduled for when its lease ends). */
  drained: boolean;
  delivered: number;
  failed: number;
}

/**
 * Sends a channel's due messages one at a time, holding the channel's lease so no other worker sends to it
 * meanwhile: that is what makes "at most 1 per second per webhook" and "nothing before Retry-After" hold
 * across processes. Each attempt is committed as `sending` before the request and updated after it, so a crash
 * in between is retried under the same message id. Waits longer than `maxInlineWaitMs` (retry backoff, long
 * Retry-After) become a delayed job instead of a sleeping one.
 */
export async function drainChannel(channelId: number, ctx: JobContext): Promise<DrainResult> {
  const { db, config, log } = ctx;
  const d = config.delivery;
  const owner = `${ctx.workerId}/${ctx.jobId}/${ctx.attempt}`;
  const result: DrainResult = { drained: true, delivered: 0, failed: 0 };
  const lease = await acquireChannelLease(db, channelId, owner, d.leaseMs);
  if (!lease.acquired) {
    if (lease.leaseUntil) await scheduleDrain(ctx, channelId, lease.leaseUntil.getTime() + 50);
    return { ...result, drained: false };
  }
  const started = Date.now();
  let idle = false;
  try {
    for (;;) {
      const ch = await getChannel(db, channelId);
      if (ch?.status !== 'active') break;
      if (Date.now() - started > d.maxDrainMs) {
        await scheduleDrain(ctx, channelId);
        break;
      }
      const m = await nextDueMessage(db, channelId, new Date());
      if (!m) {
        const at = await nextDueTime(db, channelId);
        if (at) await scheduleDrain(ctx, channelId, at);
        idle = true;
        break;
      }
      const wait = ch.nextSendAt ? ch.nextSendAt.getTime() - Date.now() : 0;
      if (wait > d.maxInlineWaitMs) {
        await scheduleDrain(ctx, channelId, ch.nextSendAt!);
        break;
      }
      if (wait > 0) await sleep(wait);
      if (!(await renewChannelLease(db, channelId, owner, d.leaseMs))) {
        log.warn({ channelId }, 'lost the channel lease; another worker continues');
        return result;
      }
      if (await deliverOne(ch, m, ctx)) result.delivered++;
      else result.failed++;
    }
  } finally {
    await releaseChannelLease(db, channelId, owner);
  }
  // A message stored while we were finishing found the lease taken and left it to us: look once more.
  if (idle && (await nextDueMessage(db, channelId, new Date()))) await scheduleDrain(ctx, channelId);
  return result;
}

/** One attempt of one message, recorded before and after. Returns true when delivered. */
async function deliverOne(ch: Channel, m: DeliveryMessage, ctx: JobContext): Promise<boolean> {
  const { db, config, log } = ctx;
  const d = config.delivery;
  const attempt = await beginAttempt(db, m);
  const res = await sendMessage(ch, m, {
    policy: { allowPrivate: config.net.allowPrivate, allow: config.net.allow },
    timeoutMs: d.timeoutMs,
    retryAfterScale: d.retryAfterScale,
    defaultRetryAfterMs: d.defaultRetryAfterMs,
    userAgent: 'MarketRadar-Webhooks/0.1',
    log,
  });
  const now = Date.now();
  const v = res.verdict;
  const base = { httpStatus: res.httpStatus, durationMs: res.durationMs };
  let nextSend = now + (ch.kind === 'slack' ? d.slackIntervalMs : 0);
  if (v.kind === 'delivered') {
    await finishAttempt(db, m.messageId, attempt, {
      ...base,
      status: 'sent',
      error: null,
      message: { status: 'delivered' },
    });
  } else if (v.kind === 'rate_limited' && attempt < MAX_RATE_LIMITED_ATTEMPTS) {
    nextSend = Math.max(nextSend, now + v.waitMs);
    await finishAttempt(db, m.messageId, attempt, {
      ...base,
      status: 'failed',
      error: v.error,
      message: { status: 'pending', nextAttemptAt: new Date(now + v.waitMs) },
    });
    log.info({ channelId: ch.id, messageId: m.messageId, waitMs: v.waitMs }, 'rate limited; waiting');
  } else if (v.kind === 'permanent') {
    // Held, not dropped: re-enabling the channel (after fixing it) sends it.
    await finishAttempt(db, m.messageId, attempt, {
      ...base,
      status: 'failed',
      error: v.error,
      message: { status: 'pending' },
    });
    await markChannel(db, ch.id, 'disabled', v.error);
    log.error({ channelId: ch.id, err: v.error }, 'channel disabled after a permanent error');
  } else {
    const wait = retryDelay(d.retryScheduleMs, attempt, d.jitter, Math.random);
    if (wait === null) {
      const error = `gave up after ${attempt} attempts: ${v.error}`;
      // The message dead, the endpoint failing and the operator's event, together: a crash cannot keep one.
      const eventId = await db.withTransaction(async (tx) => {
        await finishAttempt(tx, m.messageId, attempt, {
          ...base,
          status: 'dead',
          error,
          message: { status: 'dead' },
        });
        await markChannel(tx, ch.id, 'failing', error);
        return recordDeadDelivery(tx, {
          messageId: m.messageId,
          channelId: ch.id,
          channelName: ch.name,
          channelKind: ch.kind,
          alertId: m.alertId,
          attempts: attempt,
          error,
        });
      });
      log.error(
        { channelId: ch.id, messageId: m.messageId, eventId, err: error },
        'delivery dead-lettered; channel failing',
      );
      // The operator's notice: an alert through the dead-letter rule (and the channel's status and error in the API).
      await ctx.enqueue(
        'evaluate-alerts',
        { eventIds: [eventId] },
        { jobId: `alerts:delivery-dead:${eventId}` },
      );
    } else {
      await finishAttempt(db, m.messageId, attempt, {
        ...base,
        status: 'failed',
        error: v.error,
        message: { status: 'pending', nextAttemptAt: new Date(now + wait) },
      });
    }
  }
  await setChannelNextSendAt(db, ch.id, new Date(nextSend));
  return v.kind === 'delivered';
}
