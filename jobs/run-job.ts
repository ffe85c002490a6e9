import type { TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import type { JobDefinition, JobServices } from './types.ts';

export class InvalidJobPayloadError extends Error {
  readonly code = 'INVALID_JOB_PAYLOAD';
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
