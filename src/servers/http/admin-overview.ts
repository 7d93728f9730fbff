// The operator's landing figures: today's traffic over every tenant and the dispatch queue now
// (docs/console.md, "Operator portal"). Index-backed (store/platform-traffic.ts) and kept 10 s per
// node (services/dashboard-figures.ts): consoles poll it every few seconds.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Database } from '../../services/repositories.ts';
import { PlatformOverview } from '../../services/dashboard-figures.ts';
import { systemClock, type Clock } from '../../core/schedule.ts';
import { dayOf } from './stats.ts';
import { iso } from './wire.ts';

const Overview = Type.Object({
  today: Type.Object({
    from: Type.String({ description: 'Start of the platform’s day (ISO-8601 UTC)' }),
    to: Type.String({ description: 'Its end, exclusive' }),
    accepted: Type.Integer({ description: 'Messages accepted today, every tenant' }),
    delivered: Type.Integer(),
    failed: Type.Integer({ description: 'Ended other than delivered' }),
    pending: Type.Integer({ description: 'Not final yet (held, queued, submitted)' }),
    parts: Type.Integer(),
  }),
  queue: Type.Object({
    messages: Type.Integer({ description: 'Messages waiting for a dispatcher' }),
    parts: Type.Integer({ description: 'Their parts' }),
    oldestQueuedAt: Type.Union([Type.String(), Type.Null()], {
      description: 'When the oldest queued message was accepted (null: the queue is empty)',
    }),
    oldestAgeSeconds: Type.Union([Type.Integer(), Type.Null()]),
  }),
});

export function adminOverviewRoutes(
  app: FastifyInstance,
  deps: { db: Kysely<Database>; utcOffsetMinutes: number; clock?: Clock },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const clock = deps.clock ?? systemClock;
  const overview = new PlatformOverview(deps.db, { clock });

  r.get(
    '/v1/admin/overview',
    {
      config: { access: 'admin.tenants.read' },
      schema: {
        summary: 'Today’s traffic over every tenant and the dispatch queue (any operator role)',
        description:
          'Today is the platform’s statement day (its UTC offset, China Standard Time by default). ' +
          'The figures are kept 10 seconds on each node: they may be up to 10 s old.',
        tags: ['admin'],
        querystring: Type.Object({}, { additionalProperties: false }),
        response: { 200: Overview },
      },
    },
    async () => {
      const { from, to } = dayOf(clock.now(), deps.utcOffsetMinutes);
      const { today, queue, readAt } = await overview.overview({ from, to });
      return {
        today: { from: iso(from)!, to: iso(to)!, ...today },
        queue: {
          messages: queue.messages,
          parts: queue.parts,
          oldestQueuedAt: iso(queue.oldestCreatedAt),
          oldestAgeSeconds:
            queue.oldestCreatedAt === null
              ? null
              : Math.max(0, Math.round((readAt - queue.oldestCreatedAt) / 1000)),
        },
      };
    },
  );
}
