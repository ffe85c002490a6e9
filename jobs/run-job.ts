import type { TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import type { JobDefinition, JobServices } from './types.ts';

export class InvalidJobPayloadError extends Error {
  readonly code = 'INVALID_JOB_PAYLOAD';
}

/** A job name no definition answers to (a producer of another version, a typo in a raw enqueue). */
export class UnknownJobError extends Error {
  readonly code = 'UNKNOWN_JOB';
}

/**
 * Thrown by a processor when retrying cannot help (the input is wrong, the thing it refers to is gone for good):
 * the job fails at once and is dead-lettered instead of using up its attempts.
 */
export class PermanentJobError extends Error {
  readonly code = 'PERMANENT_JOB_ERROR';
}

/** True for failures no retry can fix: an unknown job, a payload that does not validate, a PermanentJobError. */
export function isPermanentJobError(err: unknown): boolean {
  return (
    err instanceof InvalidJobPayloadError ||
    err instanceof UnknownJobError ||
    err instanceof PermanentJobError
  );
}

const checks = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** Throws InvalidJobPayloadError naming the first bad field. Payloads are checked when added and when taken. */
export function validatePayload(def: JobDefinition, data: unknown): void {
  let check = checks.get(def.schema);
  if (!check) {
    check = TypeCompiler.Compile(def.schema);
    checks.set(def.schema, check);
  }
  if (check.Check(data)) return;
  const first = check.Errors(data).First();
  throw new InvalidJobPayloadError(
    `${def.name}: invalid payload${first ? ` at ${first.path || '/'}: ${first.message}` : ''}`,
  );
}

export interface RunMeta {
  jobId: string;
  attempt: number;
  scheduledAt: number;
}

/** Runs one job through its definition; the same path for BullMQ workers and the in-process runner. */
export async function runJob(
  def: JobDefinition,
  data: unknown,
  services: JobServices,
  meta: RunMeta,
): Promise<unknown> {
  validatePayload(def, data);
  const started = performance.now();
  const result = await def.process(data as never, { ...services, ...meta });
  services.log.debug(
    { job: def.name, jobId: meta.jobId, ms: Math.round(performance.now() - started) },
    'job done',
  );
  return result;
}
