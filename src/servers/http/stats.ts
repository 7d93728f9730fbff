// /v1/stats: the dashboard's figures. Today's messages (the platform's statement day, UTC+8 by
// default) and final statuses per minute, so a chart is filled before live events arrive.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { money } from '../../core/billing/money.ts';
import { TodayFigures } from '../../services/dashboard-figures.ts';
import { systemClock, type Clock } from '../../core/schedule.ts';
import type { Database } from '../../services/repositories.ts';
import type { Kysely } from 'kysely';
import { localizedError } from '../../core/i18n/index.ts';
import { iso } from './wire.ts';
import { ProblemSchema } from './problem.ts';

const DAY = 86_400_000;
const MINUTE = 60_000;

const Today = Type.Object({
  from: Type.String({ description: 'Start of the day (ISO-8601 UTC)' }),
  to: Type.String({ description: 'Its end, exclusive' }),
  accepted: Type.Integer({ description: 'Messages accepted today' }),
  submitted: Type.Integer({ description: '…of which the carrier took' }),
  delivered: Type.Integer(),
  failed: Type.Integer({ description: 'Ended other than delivered' }),
  pending: Type.Integer({ description: 'Not final yet (held, queued, submitted)' }),
  parts: Type.Integer(),
  amount: Type.Object(
    { amount: Type.String(), currency: Type.String() },
    { description: 'Charged so far plus still held for these messages' },
  ),
});

const Receipts = Type.Object({
  buckets: Type.Array(
    Type.Object({
      minute: Type.String({ description: 'Start of the minute (ISO-8601 UTC)' }),
      delivered: Type.Integer(),
      failed: Type.Integer(),
    }),
    { description: 'One per minute, oldest first, the current minute last; empty minutes are 0.' },
  ),
});

/** The day that contains `now` in a zone `offsetMinutes` east of UTC: [from, to) in epoch ms. */
export function dayOf(now: number, offsetMinutes: number): { from: number; to: number } {
  const shift = offsetMinutes * MINUTE;
  const from = Math.floor((now + shift) / DAY) * DAY - shift;
  return { from, to: from + DAY };
}

export function statsRoutes(
  app: FastifyInstance,
  deps: { db: Kysely<Database>; utcOffsetMinutes: number; clock?: Clock },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const clock = deps.clock ?? systemClock;
  const today = new TodayFigures(deps.db, { clock });

  r.get(
    '/v1/stats/today',
    {
      config: { access: 'messages.read' },
      schema: {
        summary: 'Today’s messages: accepted, submitted, delivered, failed, pending, parts, amount',
        description:
          'Today is the platform’s statement day (its UTC offset, China Standard Time by default). ' +
          'The figures are kept 5 seconds per tenant on each node: they may be up to 5 s old.',
        tags: ['stats'],
        querystring: Type.Object({}, { additionalProperties: false }),
        response: { 200: Today, 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema },
      },
    },
    async (req) => {
      const { from, to } = dayOf(clock.now(), deps.utcOffsetMinutes);
      const f = await today.figures(req.tenant!.id, { from, to });
      return {
        from: iso(from)!,
        to: iso(to)!,
        ...f,
        amount: money(f.amount, req.tenant!.currency),
      };
    },
  );

  r.get(
    '/v1/stats/receipts',
    {
      config: { access: 'messages.read' },
      schema: {
        summary: 'Final statuses (delivered, failed) per minute for the last N minutes',
        tags: ['stats'],
        querystring: Type.Object(
          {
            minutes: Type.Optional(
              Type.String({ pattern: '^[0-9]{1,4}$', description: '1-1440, default 60' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Receipts, 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema },
      },
    },
    async (req) => {
      const minutes = req.query.minutes === undefined ? 60 : Number(req.query.minutes);
      if (minutes < 1 || minutes > 1440)
        throw localizedError(
          'invalid_request',
          'http.invalid_minutes',
          { max: 1440 },
          { field: 'minutes' },
        );
      const current = Math.floor(Date.now() / MINUTE) * MINUTE;
      const since = current - (minutes - 1) * MINUTE;
      const counts = await today.finalsPerMinute(req.tenant!.id, since);
      return {
        buckets: Array.from({ length: minutes }, (_, i) => {
          const minute = since + i * MINUTE;
          const c = counts.get(minute);
          return { minute: iso(minute)!, delivered: c?.delivered ?? 0, failed: c?.failed ?? 0 };
        }),
      };
    },
  );
}
