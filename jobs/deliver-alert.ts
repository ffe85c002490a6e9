import { Type } from '@sinclair/typebox';
import { DELIVER_JOB, drainChannel } from './delivery/drain-channel.ts';
import { defineJob, QUEUES } from './types.ts';

/**
 * Sends a channel's due alert, digest and test messages (see `drainChannel`). Payload: the channel id only;
 * the messages, bodies and secrets stay in Postgres. Safe to run any number of times: one sender per channel
 * holds its lease, the others schedule themselves for when it ends.
 */
export const deliverAlert = defineJob({
  name: DELIVER_JOB,
  queue: QUEUES.deliver,
  schema: Type.Object({ channelId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
  async process({ channelId }, ctx) {
    return drainChannel(channelId, ctx);
  },
});
