/** The event types a rule can watch (the `events.type` vocabulary). */
export const ALERT_EVENT_TYPES = [
  'price_changed',
  'launched',
  'promotion_started',
  'promotion_ended',
  'stock_out',
  'back_in_stock',
  'trend_emerging',
  'sentiment_shift',
  'target_failing',
  'target_stale',
  'job_dead_lettered',
] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];

/** Scope keys a rule may narrow by; each is a list of strings matched case-insensitively. */
export const SCOPE_KEYS = ['competitors', 'categories', 'subjects', 'entities', 'terms', 'sources'] as const;

/**
 * Scopes matched against a field of the event's payload, with the event types whose payload carries it. A scope
 * on any other type would silently match nothing, so it is refused. No event carries a source: trends and
 * sentiment shifts are counted across all sources.
 */
const PAYLOAD_SCOPES: Record<string, { field: string; types: readonly AlertEventType[] }> = {
  entities: { field: 'entity', types: ['sentiment_shift'] },
  terms: { field: 'term', types: ['trend_emerging'] },
  sources: { field: 'source', types: [] },
};

/** When a digest goes out: every hour at minute MM, every day or every week at HH:MM local time in `timeZone`. */
export interface DigestSchedule {
  every: 'hourly' | 'daily' | 'weekly';
  /** Local wall-clock time, `HH:MM` (hourly digests read only the minutes). */
  at: string;
  /** IANA zone, e.g. `Europe/Berlin`. */
  timeZone: string;
  /** Weekly digests: 1 = Monday … 7 = Sunday. */
  weekday?: number;
}

type ParamCheck = (v: unknown) => string | null;

const number =
  (min: number, max: number): ParamCheck =>
  (v) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max
      ? null
      : `must be a number between ${min} and ${max}`;
const integer =
  (min: number, max: number): ParamCheck =>
  (v) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max
      ? null
      : `must be an integer between ${min} and ${max}`;
const boolean: ParamCheck = (v) => (typeof v === 'boolean' ? null : 'must be true or false');
const oneOf =
  (...values: string[]): ParamCheck =>
  (v) =>
    values.includes(v as string) ? null : `must be one of ${values.join(', ')}`;

/** The params each event type accepts; anything else is refused so a typo never silently widens a rule. */
const PARAMS: Record<AlertEventType, Record<string, ParamCheck>> = {
  price_changed: { minPct: number(0, 1000), direction: oneOf('down', 'up', 'any'), onlyNewLow30: boolean },
  launched: {},
  promotion_started: {},
  promotion_ended: {},
  stock_out: {},
  back_in_stock: {},
  trend_emerging: { minScore: number(0, 1e6) },
  sentiment_shift: { minDrop: number(0, 2) },
  target_failing: { failures: integer(1, 1000) },
  target_stale: {},
  job_dead_lettered: {},
};

/** True when `tz` is an IANA time zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks what JSON schemas cannot say about a rule: params allowed for its event type, scope lists, and a
 * digest schedule when the mode is digest. Returns the first problem as `body/<path> <message>`, or null.
 */
export function validateRule(r: {
  eventType: string;
  params?: Record<string, unknown>;
  scope?: Record<string, unknown>;
  mode?: string;
  digest?: DigestSchedule | null;
}): string | null {
  const allowed = PARAMS[r.eventType as AlertEventType];
  if (!allowed) return `body/eventType must be one of ${ALERT_EVENT_TYPES.join(', ')}`;
  for (const [key, value] of Object.entries(r.params ?? {})) {
    const check = allowed[key];
    if (!check) {
      const known = Object.keys(allowed);
      return `body/params/${key} is not a parameter of ${r.eventType} rules${known.length ? ` (use ${known.join(', ')})` : ''}`;
    }
    const problem = check(value);
    if (problem) return `body/params/${key} ${problem}`;
  }
  for (const [key, value] of Object.entries(r.scope ?? {})) {
    if (!(SCOPE_KEYS as readonly string[]).includes(key))
      return `body/scope/${key} is not a scope (use ${SCOPE_KEYS.join(', ')})`;
    if (
      !Array.isArray(value) ||
      value.length > 200 ||
      value.some((x) => typeof x !== 'string' || x.length === 0 || x.length > 200)
    )
      return `body/scope/${key} must be a list of at most 200 non-empty strings`;
    const payloadScope = PAYLOAD_SCOPES[key];
    if (payloadScope && !payloadScope.types.includes(r.eventType as AlertEventType))
      return `body/scope/${key} cannot narrow ${r.eventType} rules: their events carry no ${payloadScope.field}${
        payloadScope.types.length ? ` (only ${payloadScope.types.join(', ')} events do)` : ''
      }`;
  }
  if (r.mode === 'digest') {
    if (!r.digest) return 'body/digest is required when mode is digest';
    return validateDigest(r.digest);
  }
  return null;
}

export function validateDigest(d: DigestSchedule): string | null {
  if (!['hourly', 'daily', 'weekly'].includes(d.every))
    return 'body/digest/every must be hourly, daily or weekly';
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(d.at)) return 'body/digest/at must be a time HH:MM (24 h)';
  if (!isTimeZone(d.timeZone)) return `body/digest/timeZone "${d.timeZone}" is not a known IANA time zone`;
  if (d.every === 'weekly' && !Number.isInteger(d.weekday))
    return 'body/digest/weekday is required for weekly';
  if (d.weekday !== undefined && (!Number.isInteger(d.weekday) || d.weekday < 1 || d.weekday > 7))
    return 'body/digest/weekday must be 1 (Monday) to 7 (Sunday)';
  return null;
}
