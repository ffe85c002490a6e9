import { Type } from '@sinclair/typebox';

/** Every 4xx/5xx body: a stable code and a message naming the bad field. */
export const ErrorBody = Type.Object({ error: Type.String(), message: Type.String() });

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100 });

/** Wraps a list in `{ items, nextCursor }`. */
export const Page = <T extends import('@sinclair/typebox').TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const errorResponses = { 400: ErrorBody, 404: ErrorBody, 503: ErrorBody };

/** A timestamp: Postgres hands us Date objects; JSON carries ISO-8601 strings. */
export const Timestamp = Type.Unsafe<Date | string>(Type.String({ format: 'date-time' }));
export const NullableTimestamp = Type.Unsafe<Date | string | null>(
  Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
);
