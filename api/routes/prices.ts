import { Type } from '@sinclair/typebox';
import { parseEcbXml, parseFxCsv } from '../../crawlers/index.ts';
import { fxRateOn, getProduct, listPriceChanges, priceSeries, upsertFxRates } from '../../db/index.ts';
import type { App } from '../app.ts';
import { toCsv, wantsCsv } from '../csv.ts';
import { decodeCursor, nextCursor } from '../cursor.ts';
import { badRequest, notFound } from '../errors.ts';
import { errorResponses, IdParams, Limit, Page, Timestamp } from '../schemas.ts';

const Nullable = <T extends import('@sinclair/typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

const PriceChange = Type.Object({
  eventId: Type.Integer(),
  occurredAt: Timestamp,
  productId: Type.Integer(),
  product: Nullable(Type.String()),
  competitor: Nullable(Type.String()),
  category: Nullable(Type.String()),
  oldPrice: Type.String(),
  newPrice: Type.String(),
  pct: Nullable(Type.Number()),
  currency: Nullable(Type.String()),
  newLow30: Type.Boolean(),
  newHigh30: Type.Boolean(),
  url: Nullable(Type.String({ description: 'The page the new price was read from' })),
  source: Nullable(
    Type.String({
      description: 'How it was extracted: jsonld, microdata, rdfa, opengraph, selector, heuristic',
    }),
  ),
  reason: Nullable(Type.String({ description: 'Why this offer was taken as the page price' })),
  converted: Type.Optional(
    Nullable(
      Type.Object(
        {
          currency: Type.String(),
          oldPrice: Type.Number(),
          newPrice: Type.Number(),
          rate: Type.Number(),
          rateDate: Type.String({ description: 'Publication day of the FX rate used' }),
        },
        {
          description:
            'With ?convert=XXX: the figures in that currency, or null when no rate was known that day',
        },
      ),
    ),
  ),
});

const CSV_COLUMNS = [
  'occurredAt',
  'competitor',
  'product',
  'category',
  'oldPrice',
  'newPrice',
  'pct',
  'currency',
  'newLow30',
  'url',
  'source',
] as const;

const DateTime = Type.String({ format: 'date-time' });

function date(v: string | undefined, field: string): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime()))
    throw badRequest('VALIDATION_FAILED', `querystring/${field} must be a date-time`);
  return d;
}

export async function priceRoutes(app: App) {
  const { db } = app.deps;

  app.get(
    '/price-changes',
    {
      schema: {
        summary: 'Competitor price changes, newest first (CSV with Accept: text/csv)',
        tags: ['prices'],
        querystring: Type.Object({
          competitor: Type.Optional(Type.String({ maxLength: 200 })),
          category: Type.Optional(Type.String({ maxLength: 200 })),
          since: Type.Optional(DateTime),
          until: Type.Optional(DateTime),
          min_pct: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
          direction: Type.Optional(Type.Union([Type.Literal('down'), Type.Literal('up')])),
          currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
          convert: Type.Optional(
            Type.String({ pattern: '^[A-Z]{3}$', description: 'Also give each change in this currency' }),
          ),
          limit: Limit,
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
          format: Type.Optional(Type.Literal('csv')),
        }),
        response: { 200: Page(PriceChange), ...errorResponses },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const after = decodeCursor<{ t: string; id: number }>(q.cursor, ['t', 'id']);
      const items = await listPriceChanges(db, {
        competitor: q.competitor,
        category: q.category,
        since: date(q.since, 'since'),
        until: date(q.until, 'until'),
        minPct: q.min_pct,
        direction: q.direction,
        currency: q.currency,
        after: after ? { occurredAt: after.t, id: after.id } : undefined,
        limit: q.limit,
      });
      if (q.convert) {
        const to = q.convert;
        const rates = new Map<string, Promise<{ rate: number; day: string } | null>>();
        await Promise.all(
          items.map(async (item) => {
            const day = new Date(item.occurredAt).toISOString().slice(0, 10);
            if (!item.currency) return Object.assign(item, { converted: null });
            const key = `${item.currency}:${day}`;
            if (!rates.has(key)) rates.set(key, fxRateOn(db, item.currency, to, day));
            const fx = await rates.get(key)!;
            const round = (n: number) => Math.round(n * 100) / 100;
            Object.assign(item, {
              converted: fx && {
                currency: to,
                oldPrice: round(Number(item.oldPrice) * fx.rate),
                newPrice: round(Number(item.newPrice) * fx.rate),
                rate: fx.rate,
                rateDate: fx.day,
              },
            });
          }),
        );
      }
      const next = nextCursor(items, q.limit, (last) => ({
        t: new Date(last.occurredAt).toISOString(),
        id: last.eventId,
      }));
      if (wantsCsv(req.headers.accept, q.format)) {
        if (next) reply.header('x-next-cursor', next);
        // CSV bypasses the JSON response schema on purpose.
        return reply.type('text/csv; charset=utf-8').send(toCsv(items, [...CSV_COLUMNS]) as never);
      }
      return { items, nextCursor: next };
    },
  );

  app.get(
    '/products/:id/prices',
    {
      schema: {
        summary: "A product's price series",
        tags: ['prices'],
        params: IdParams,
        querystring: Type.Object({ since: Type.Optional(DateTime), until: Type.Optional(DateTime) }),
        response: {
          200: Type.Object({
            product: Type.Object({
              id: Type.Integer(),
              name: Nullable(Type.String()),
              competitor: Nullable(Type.String()),
              url: Type.String(),
              category: Nullable(Type.String()),
            }),
            points: Type.Array(
              Type.Object({
                observedAt: Timestamp,
                price: Nullable(Type.String()),
                listPrice: Nullable(Type.String()),
                currency: Nullable(Type.String()),
                availability: Nullable(Type.String()),
                source: Nullable(Type.String()),
                url: Type.String(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const product = await getProduct(db, req.params.id);
      if (!product) throw notFound('product', req.params.id);
      const until = date(req.query.until, 'until') ?? new Date(Date.now() + 60_000);
      const since = date(req.query.since, 'since') ?? new Date(until.getTime() - 90 * 86_400_000);
      return { product, points: await priceSeries(db, product.id, since, until) };
    },
  );
}

export async function fxRoutes(app: App) {
  const { db } = app.deps;
  app.post(
    '/fx-rates',
    {
      schema: {
        summary: 'Load dated FX rates from CSV (date,base,quote,rate) or ECB reference-rate XML',
        tags: ['prices'],
        body: Type.Object(
          {
            format: Type.Union([Type.Literal('csv'), Type.Literal('ecb')]),
            data: Type.String({ minLength: 1, maxLength: 900_000 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ loaded: Type.Integer() }), ...errorResponses },
      },
    },
    async (req) => {
      let rates: ReturnType<typeof parseFxCsv>;
      try {
        rates = req.body.format === 'csv' ? parseFxCsv(req.body.data) : parseEcbXml(req.body.data);
      } catch (err) {
        throw badRequest('FX_PARSE_ERROR', `body/data: ${(err as Error).message}`);
      }
      return { loaded: await upsertFxRates(db, rates) };
    },
  );
  app.get(
    '/fx-rates',
    {
      schema: {
        summary: 'The rate from one currency to another on a day (latest published on or before it)',
        tags: ['prices'],
        querystring: Type.Object({
          from: Type.String({ pattern: '^[A-Z]{3}$' }),
          to: Type.String({ pattern: '^[A-Z]{3}$' }),
          on: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
        }),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            rate: Type.Number(),
            rateDate: Type.String(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { from, to } = req.query;
      const fx = await fxRateOn(db, from, to, req.query.on ?? new Date().toISOString().slice(0, 10));
      if (!fx) throw notFound('rate', `${from}→${to}`);
      return { from, to, rate: fx.rate, rateDate: fx.day };
    },
  );
}
