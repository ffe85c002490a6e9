import { type TSchema, Type } from '@sinclair/typebox';
import { termFragments, termKey } from '../../analyzers/index.ts';
import {
  getLaunch,
  listCompetitors,
  listLaunches,
  listPromotions,
  mentionsMatchingTerms,
} from '../../db/index.ts';
import type { App } from '../app.ts';
import { decodeCursor, nextCursor } from '../cursor.ts';
import { notFound } from '../errors.ts';
import { errorResponses, IdParams, Limit, NullableTimestamp, Page, Timestamp } from '../schemas.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const DAY_MS = 86_400_000;
/** Days before and after a launch its reception covers. */
const RECEPTION_DAYS = 7;
/** Most mentions read for each side of one reception (the newest are kept). */
const RECEPTION_MAX_MENTIONS = 5000;

const Launch = Type.Object({
  eventId: Type.Integer(),
  launchedAt: Timestamp,
  competitor: Nullable(Type.String()),
  productId: Nullable(Type.Integer()),
  product: Nullable(Type.String()),
  price: Nullable(Type.String()),
  currency: Nullable(Type.String()),
  url: Nullable(Type.String()),
});

/** The words people use for a product: its name without the variant ("Velvet Lipstick — Rosewood" → "Velvet Lipstick"). */
export function productPhrase(name: string): string {
  return name.split(/\s+[—–-]\s+|\s*\(/)[0].trim();
}

export async function marketRoutes(app: App) {
  const { db } = app.deps;

  app.get(
    '/competitors',
    {
      schema: {
        summary: 'Competitors we watch',
        tags: ['market'],
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.Integer(),
                key: Type.String(),
                name: Type.String(),
                brand: Nullable(Type.String()),
                homepage: Nullable(Type.String()),
                currency: Nullable(Type.String()),
              }),
            ),
          }),
        },
      },
    },
    async () => ({ items: await listCompetitors(db) }),
  );

  app.get(
    '/promotions',
    {
      schema: {
        summary: 'Promotions competitors started (with when they ended), newest first',
        tags: ['market'],
        querystring: Type.Object({
          competitor: Type.Optional(Type.String({ maxLength: 200 })),
          active: Type.Optional(Type.Boolean()),
          since: Type.Optional(Type.String({ format: 'date-time' })),
          limit: Limit,
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: {
          200: Page(
            Type.Object({
              eventId: Type.Integer(),
              startedAt: Timestamp,
              endedAt: NullableTimestamp,
              competitor: Nullable(Type.String()),
              productId: Nullable(Type.Integer()),
              product: Nullable(Type.String()),
              text: Nullable(Type.String()),
              code: Nullable(Type.String()),
              kind: Nullable(Type.String()),
              percentOff: Nullable(Type.Number()),
              url: Nullable(Type.String()),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const before = decodeCursor<{ id: number }>(q.cursor, ['id']);
      const items = await listPromotions(db, {
        competitor: q.competitor,
        active: q.active,
        since: q.since ? new Date(q.since) : undefined,
        beforeId: before?.id,
        limit: q.limit,
      });
      return {
        items,
        nextCursor: nextCursor(items, q.limit, (last) => ({ id: last.eventId })),
      };
    },
  );

  app.get(
    '/launches',
    {
      schema: {
        summary: 'Products competitors launched, newest first, with their first price',
        tags: ['market'],
        querystring: Type.Object({
          competitor: Type.Optional(Type.String({ maxLength: 200 })),
          since: Type.Optional(Type.String({ format: 'date-time' })),
          limit: Limit,
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: { 200: Page(Launch), ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      const before = decodeCursor<{ id: number }>(q.cursor, ['id']);
      const items = await listLaunches(db, {
        competitor: q.competitor,
        since: q.since ? new Date(q.since) : undefined,
        beforeId: before?.id,
        limit: q.limit,
      });
      return {
        items,
        nextCursor: nextCursor(items, q.limit, (last) => ({ id: last.eventId })),
      };
    },
  );

  app.get(
    '/launches/:id/reception',
    {
      schema: {
        summary:
          'How the market received a launch: mentions and sentiment about the product before and after',
        tags: ['market'],
        params: IdParams,
        response: {
          200: Type.Object({
            launch: Launch,
            phrase: Type.String(),
            days: Type.Array(
              Type.Object({
                day: Type.String(),
                mentions: Type.Integer(),
                sentiment: Nullable(Type.Number()),
              }),
            ),
            before: Type.Object({ mentions: Type.Integer(), sentiment: Nullable(Type.Number()) }),
            after: Type.Object({ mentions: Type.Integer(), sentiment: Nullable(Type.Number()) }),
            sampleMentionIds: Type.Array(Type.Integer()),
            complete: Type.Boolean({
              description: `false when a side had more candidate mentions than are read (${RECEPTION_MAX_MENTIONS}, the newest kept): counts are then lower bounds`,
            }),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const launch = await getLaunch(db, req.params.id);
      if (!launch) throw notFound('launch', req.params.id);
      const phrase = productPhrase(launch.product ?? '');
      const at = new Date(launch.launchedAt).getTime();
      // Found by the phrase's term fragments, kept when the text holds its key: "#VelvetLipstick", "velvet
      // lipsticks" and "Vélvet Lipstick" count, "velvet finish, unlike this lipstick" does not.
      const key = termKey(phrase);
      const fragments = termFragments(phrase);
      // Each side read on its own, so a busy launch day cannot crowd out the week before; newest first.
      const read = (since: number, until: number) =>
        mentionsMatchingTerms(db, {
          since: new Date(since),
          until: new Date(until),
          terms: [fragments],
          limit: RECEPTION_MAX_MENTIONS,
        });
      const [after, before] = key
        ? await Promise.all([read(at, at + RECEPTION_DAYS * DAY_MS), read(at - RECEPTION_DAYS * DAY_MS, at)])
        : [[], []];
      const complete = after.length < RECEPTION_MAX_MENTIONS && before.length < RECEPTION_MAX_MENTIONS;
      const mentions = [...after, ...before].filter((m) =>
        termKey(m.title ? `${m.title}\n${m.body}` : m.body).includes(key),
      );
      const days = new Map<string, { n: number; sum: number; sn: number }>();
      const side = { before: { n: 0, sum: 0, sn: 0 }, after: { n: 0, sum: 0, sn: 0 } };
      for (const m of mentions) {
        const d = new Date(m.publishedAt).toISOString().slice(0, 10);
        const cell = days.get(d) ?? { n: 0, sum: 0, sn: 0 };
        const s = new Date(m.publishedAt).getTime() < at ? side.before : side.after;
        for (const c of [cell, s]) {
          c.n++;
          if (m.sentiment !== null) {
            c.sum += m.sentiment;
            c.sn++;
          }
        }
        days.set(d, cell);
      }
      const mean = (c: { sum: number; sn: number }) =>
        c.sn ? Math.round((c.sum / c.sn) * 1000) / 1000 : null;
      return {
        launch,
        phrase,
        days: [...days]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([day, c]) => ({ day, mentions: c.n, sentiment: mean(c) })),
        before: { mentions: side.before.n, sentiment: mean(side.before) },
        after: { mentions: side.after.n, sentiment: mean(side.after) },
        // The newest five (the read is newest first).
        sampleMentionIds: mentions.slice(0, 5).map((m) => m.id),
        complete,
      };
    },
  );
}
