import { type TSchema, Type } from '@sinclair/typebox';
import { dayOf, forecastCounts, forecastDailyMean } from '../../analyzers/index.ts';
import {
  getTrend,
  listEntities,
  listMentions,
  listTargets,
  listTrends,
  sentimentSeries,
  termSeries,
} from '../../db/index.ts';
import type { App } from '../app.ts';
import { decodeCursor, nextCursor } from '../cursor.ts';
import { badRequest, notFound } from '../errors.ts';
import { errorResponses, Limit, NullableTimestamp, Page, Timestamp } from '../schemas.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const DAY_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
const Day = Type.String({ pattern: DAY_PATTERN });
const DAY_MS = 86_400_000;

const Mention = Type.Object({
  id: Type.Integer(),
  source: Type.String(),
  url: Nullable(Type.String()),
  author: Nullable(Type.String()),
  title: Nullable(Type.String()),
  text: Type.String(),
  lang: Nullable(Type.String()),
  publishedAt: Timestamp,
  entities: Type.Array(Type.Object({ key: Type.String(), kind: Type.String() })),
  sentiment: Nullable(Type.Number()),
  sentimentLabel: Nullable(Type.String()),
  aspects: Type.Array(Type.Object({ aspect: Type.String(), score: Type.Number(), label: Type.String() })),
  duplicateOf: Nullable(Type.Integer({ description: 'The earlier mention this one is a near-copy of' })),
  analyzed: Type.Boolean({
    description:
      'False for a mention stored and not yet analysed (a second or so after its source ran): no language unless the source gave one, no entities, sentiment or near-copy link yet',
  }),
});

const Trend = Type.Object({
  term: Type.String(),
  display: Type.String(),
  detectedAt: Day,
  firstSeen: Day,
  score: Type.Number(),
  growth: Type.Number(),
  count: Type.Integer(),
  baseline: Type.Number(),
  windowDays: Type.Integer(),
  distinctAuthors: Type.Integer(),
  distinctSources: Type.Integer(),
  sentiment: Nullable(Type.Number()),
  sampleMentionIds: Type.Array(Type.Integer()),
});

const ForecastPoint = Type.Object({
  t: Type.String(),
  point: Type.Number(),
  lower: Type.Number(),
  upper: Type.Number(),
});
const Horizon = Type.Optional(
  Type.Integer({ minimum: 1, maximum: 90, description: 'Forecast steps ahead (default 14)' }),
);

/**
 * The [since, until) window of a series route, `defaultDays` back from until (default now). At most `maxDays` long:
 * series are padded bucket by bucket and forecast from the padded history, so an unbounded window (until=9999-12-31)
 * would cost seconds of CPU per entity.
 */
function range(
  since: string | undefined,
  until: string | undefined,
  defaultDays: number,
  maxDays = MAX_SERIES_DAYS,
) {
  const end = until ? new Date(until) : new Date();
  const start = since ? new Date(since) : new Date(end.getTime() - defaultDays * DAY_MS);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) {
    throw badRequest('VALIDATION_FAILED', 'querystring/since and until must be dates');
  }
  if (end.getTime() - start.getTime() > maxDays * DAY_MS) {
    throw badRequest('VALIDATION_FAILED', `querystring/since..until spans more than ${maxDays} days`);
  }
  return { start, end };
}

/** Longest window of a day series (ten years), and of an hourly one (92 days). */
const MAX_SERIES_DAYS = 3660;
const MAX_HOURLY_DAYS = 92;

export async function voicesRoutes(app: App) {
  const { db } = app.deps;

  app.get(
    '/mentions',
    {
      schema: {
        summary: 'Mentions, newest first',
        tags: ['voices'],
        querystring: Type.Object({
          entity: Type.Optional(Type.String({ maxLength: 100 })),
          source: Type.Optional(Type.String({ maxLength: 200 })),
          lang: Type.Optional(Type.String({ maxLength: 10 })),
          since: Type.Optional(Type.String({ format: 'date-time' })),
          until: Type.Optional(Type.String({ format: 'date-time' })),
          sentiment: Type.Optional(
            Type.Union([Type.Literal('positive'), Type.Literal('neutral'), Type.Literal('negative')]),
          ),
          q: Type.Optional(Type.String({ maxLength: 200 })),
          ids: Type.Optional(Type.String({ pattern: '^\\d{1,15}(,\\d{1,15}){0,99}$' })),
          limit: Limit,
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: { 200: Page(Mention), ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      const after = decodeCursor<{ t: string; id: number }>(q.cursor, ['t', 'id']);
      const items = await listMentions(db, {
        entity: q.entity,
        source: q.source,
        lang: q.lang,
        since: q.since ? new Date(q.since) : undefined,
        until: q.until ? new Date(q.until) : undefined,
        sentiment: q.sentiment,
        q: q.q,
        ids: q.ids?.split(',').map(Number),
        after: after ? { publishedAt: after.t, id: after.id } : undefined,
        limit: q.limit,
      });
      return {
        items,
        nextCursor: nextCursor(items, q.limit, (last) => ({
          t: new Date(last.publishedAt).toISOString(),
          id: last.id,
        })),
      };
    },
  );

  app.get(
    '/entities',
    {
      schema: {
        summary: 'Brands, competitors and products we listen for',
        tags: ['voices'],
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                key: Type.String(),
                name: Type.String(),
                kind: Type.String(),
                aliases: Type.Array(Type.String()),
              }),
            ),
          }),
        },
      },
    },
    async () => ({ items: await listEntities(db) }),
  );

  app.get(
    '/sentiment',
    {
      schema: {
        summary:
          'Daily mention volume and mean sentiment per entity (optionally one aspect), with a forecast band of the mean',
        tags: ['voices'],
        querystring: Type.Object({
          entity: Type.Optional(Type.String({ maxLength: 100 })),
          aspect: Type.Optional(
            Type.Union(
              ['price', 'quality', 'packaging', 'scent', 'texture', 'longevity', 'delivery', 'service'].map(
                (a) => Type.Literal(a),
              ),
            ),
          ),
          bucket: Type.Optional(Type.Literal('day')),
          since: Type.Optional(Type.String({ format: 'date-time' })),
          until: Type.Optional(Type.String({ format: 'date-time' })),
          horizon: Horizon,
        }),
        response: {
          200: Type.Object({
            series: Type.Array(
              Type.Object({
                entity: Type.String(),
                name: Type.String(),
                points: Type.Array(
                  Type.Object({ t: Day, count: Type.Integer(), mean: Nullable(Type.Number()) }),
                ),
                forecast: Type.Array(ForecastPoint, {
                  description: 'Daily mean sentiment for the days after `until` (damped Holt, 80 % band)',
                }),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { start, end } = range(req.query.since, req.query.until, 30);
      const series = await sentimentSeries(db, {
        entity: req.query.entity,
        aspect: req.query.aspect,
        since: start,
        until: end,
      });
      const lastDay = dayOf(end);
      return {
        series: series.map((s) => ({
          ...s,
          forecast: forecastDailyMean(s.points, lastDay, req.query.horizon ?? 14),
        })),
      };
    },
  );

  app.get(
    '/trends',
    {
      schema: {
        summary:
          'Emerging trends detected since a day, ranked by score (strongest first), with their evidence',
        tags: ['trends'],
        querystring: Type.Object({
          since: Type.Optional(
            Type.String({ pattern: DAY_PATTERN, description: 'Only trends detected on or after this day' }),
          ),
          limit: Limit,
        }),
        response: { 200: Type.Object({ items: Type.Array(Trend) }), ...errorResponses },
      },
    },
    async (req) => ({ items: await listTrends(db, { since: req.query.since, limit: req.query.limit }) }),
  );

  app.get(
    '/trends/:term/series',
    {
      schema: {
        summary: "A term's counts and sentiment per bucket, with a 14-day forecast band (daily buckets)",
        tags: ['trends'],
        params: Type.Object({ term: Type.String({ minLength: 1, maxLength: 200 }) }),
        querystring: Type.Object({
          bucket: Type.Optional(Type.Union([Type.Literal('day'), Type.Literal('hour')])),
          since: Type.Optional(Type.String({ format: 'date-time' })),
          until: Type.Optional(Type.String({ format: 'date-time' })),
          horizon: Horizon,
        }),
        response: {
          200: Type.Object({
            term: Type.String(),
            display: Type.String(),
            bucket: Type.String(),
            points: Type.Array(
              Type.Object({ t: Type.String(), count: Type.Integer(), sentiment: Nullable(Type.Number()) }),
            ),
            forecast: Type.Array(ForecastPoint),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const bucket = req.query.bucket ?? 'day';
      const trend = await getTrend(db, req.params.term);
      const { start, end } = range(
        req.query.since,
        req.query.until,
        bucket === 'day' ? 60 : 7,
        bucket === 'day' ? MAX_SERIES_DAYS : MAX_HOURLY_DAYS,
      );
      const raw = await termSeries(db, { term: req.params.term, bucket, since: start, until: end });
      if (!trend && raw.length === 0) throw notFound('term', req.params.term);
      // Fill empty buckets with zeros so the series (and its forecast) is regular.
      const step = bucket === 'day' ? DAY_MS : 3_600_000;
      const byT = new Map(raw.map((p) => [bucket === 'day' ? p.t : new Date(p.t).toISOString(), p]));
      const first = Math.floor(start.getTime() / step) * step;
      const points: { t: string; count: number; sentiment: number | null }[] = [];
      for (let t = first; t <= end.getTime(); t += step) {
        const key = bucket === 'day' ? new Date(t).toISOString().slice(0, 10) : new Date(t).toISOString();
        const p = byT.get(key);
        points.push({ t: key, count: p?.count ?? 0, sentiment: p?.sentiment ?? null });
      }
      const forecast = forecastCounts(
        points.map((p) => p.count),
        {
          lastT: first + (points.length - 1) * step,
          stepMs: step,
          horizon: req.query.horizon ?? 14,
          daily: bucket === 'day',
        },
      );
      return { term: req.params.term, display: trend?.display ?? req.params.term, bucket, points, forecast };
    },
  );

  app.get(
    '/sources',
    {
      schema: {
        summary: 'Feed and social sources with their coverage: last success, last error, items fetched',
        tags: ['voices'],
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                targetId: Type.Integer(),
                kind: Type.String(),
                label: Nullable(Type.String()),
                url: Type.String(),
                status: Type.Union([Type.Literal('ok'), Type.Literal('failing'), Type.Literal('never_run')]),
                lastSuccessAt: NullableTimestamp,
                lastError: Nullable(Type.String()),
                lastErrorAt: NullableTimestamp,
                failingSince: NullableTimestamp,
                itemsFetched: Type.Integer(),
                summary: Type.String(),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const targets = [
        ...(await listTargets(db, { kind: 'feed', limit: 1000 })),
        ...(await listTargets(db, { kind: 'social', limit: 1000 })),
      ];
      return {
        items: targets.map((t) => {
          const status = t.failingSince
            ? ('failing' as const)
            : t.lastRunAt
              ? ('ok' as const)
              : ('never_run' as const);
          const name = t.label ?? t.url;
          const summary =
            status === 'failing'
              ? `${name}: failing since ${new Date(t.failingSince!).toISOString()} (${t.lastError ?? 'unknown error'})`
              : status === 'ok'
                ? `${name}: ok, ${t.itemsFetched} items`
                : `${name}: not run yet`;
          return {
            targetId: t.id,
            kind: t.kind,
            label: t.label,
            url: t.url,
            status,
            lastSuccessAt: t.lastSuccessAt,
            lastError: t.lastError,
            lastErrorAt: t.lastErrorAt,
            failingSince: t.failingSince,
            itemsFetched: Number(t.itemsFetched),
            summary,
          };
        }),
      };
    },
  );
}
