/**
 * `/api/dead-letters` (admin): jobs that failed for good — attempts used up, unrecoverable, or stalled past the
 * limit — with their payload and last error, and a way to run one again once its cause is fixed.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { type DeadLetter, getDeadLetter, listDeadLetters, markDeadLetterRetried } from '../../db/index.ts';
import { jobDefinition } from '../../jobs/index.ts';
import type { App } from '../app.ts';
import { decodeCursor, nextCursor } from '../cursor.ts';
import { ApiError, notFound } from '../errors.ts';
import {
  ErrorBody,
  errorResponses,
  IdParams,
  Limit,
  NullableTimestamp,
  Page,
  Timestamp,
} from '../schemas.ts';

const Reason = Type.Union(['attempts_exhausted', 'unrecoverable', 'stalled'].map((r) => Type.Literal(r)));

const DeadLetterBody = Type.Object({
  id: Type.Integer(),
  queue: Type.String(),
  jobName: Type.String(),
  jobId: Type.String(),
  data: Type.Unknown({ description: 'The job payload (ids, never secrets)' }),
  attempts: Type.Integer({ description: 'Runs started, stalled ones included' }),
  stalls: Type.Integer({ description: 'Runs lost because the worker stopped renewing the lock' }),
  reason: Reason,
  lastError: Type.String(),
  enqueuedAt: Timestamp,
  failedAt: Timestamp,
  eventId: Type.Union([Type.Integer(), Type.Null()]),
  retriedAt: NullableTimestamp,
});

const adminOnly = { 401: ErrorBody, 403: ErrorBody };

/** Dead letters hold payloads and raw errors: operators only, whatever the method. */
async function requireAdmin(req: FastifyRequest) {
  const who = req.principal;
  if (who && who.role !== 'admin') {
    throw new ApiError(403, 'FORBIDDEN', `a ${who.role} cannot read or retry dead letters: it needs admin`);
  }
}

function view(d: DeadLetter) {
  const { stack: _stack, recordedAt: _recordedAt, ...rest } = d;
  return rest;
}

export async function deadLetterRoutes(app: App) {
  const { db, queue } = app.deps;

  app.get(
    '/dead-letters',
    {
      preHandler: requireAdmin,
      schema: {
        summary: 'Jobs that failed for good, newest first, with their payload and last error (admin)',
        tags: ['operations'],
        querystring: Type.Object({
          job: Type.Optional(Type.String({ maxLength: 100, description: 'Only this job name' })),
          queue: Type.Optional(Type.String({ maxLength: 100 })),
          open: Type.Optional(Type.Boolean({ description: 'Only those not retried yet' })),
          limit: Limit,
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: { 200: Page(DeadLetterBody), ...errorResponses, ...adminOnly },
      },
    },
    async (req) => {
      const q = req.query;
      const before = decodeCursor<{ id: number }>(q.cursor, ['id']);
      const items = await listDeadLetters(db, {
        jobName: q.job,
        queue: q.queue,
        open: q.open,
        beforeId: before?.id,
        limit: q.limit,
      });
      return {
        items: items.map(view),
        nextCursor: nextCursor(items, q.limit, (last) => ({ id: last.id })),
      };
    },
  );

  app.post(
    '/dead-letters/:id/retry',
    {
      preHandler: requireAdmin,
      schema: {
        summary: 'Enqueue a dead-lettered job again, with the same payload, once its cause is fixed (admin)',
        tags: ['operations'],
        params: IdParams,
        response: {
          202: Type.Object({ queued: Type.Boolean(), jobId: Type.String() }),
          409: ErrorBody,
          ...errorResponses,
          ...adminOnly,
        },
      },
    },
    async (req, reply) => {
      const d = await getDeadLetter(db, req.params.id);
      if (!d) throw notFound('dead letter', req.params.id);
      if (d.retriedAt) {
        throw new ApiError(409, 'ALREADY_RETRIED', `dead letter ${d.id} was retried at ${d.retriedAt}`);
      }
      if (!jobDefinition(d.jobName)) {
        throw new ApiError(409, 'UNKNOWN_JOB', `dead letter ${d.id}: no job named ${d.jobName} runs here`);
      }
      const jobId = `retry:dead-letter:${d.id}`;
      // Enqueued first: a failed enqueue (503) leaves the dead letter open; a retried request is deduplicated.
      try {
        await queue.enqueue(d.jobName as never, d.data as never, { jobId });
      } catch (err) {
        if ((err as { code?: string }).code !== 'INVALID_JOB_PAYLOAD') throw err;
        throw new ApiError(409, 'INVALID_PAYLOAD', `dead letter ${d.id}: ${(err as Error).message}`);
      }
      await markDeadLetterRetried(db, d.id);
      return reply.code(202).send({ queued: true, jobId });
    },
  );
}
