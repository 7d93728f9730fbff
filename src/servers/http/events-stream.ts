// GET /v1/events/stream: the tenant's events as Server-Sent Events, as they happen. `id:` is
// the message_events id, so a client that reconnects with Last-Event-ID gets exactly what came
// after it. Reads stop at the event horizon, so ids are sent in order and none is skipped.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { EventFeed } from '../../store/event-feed.ts';
import type { EventHorizon } from '../../services/event-horizon.ts';
import { problem, sendProblem } from './problem.ts';

export interface EventStreamDeps {
  feed: EventFeed;
  horizon: EventHorizon;
  /** Streams open at once per tenant on this node; 429 beyond. */
  maxPerTenant: number;
  heartbeatMs: number;
  pollMs: number;
}

const BATCH = 500;
const EVENT_ID = '^[0-9]{1,15}$';

const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.String(),
  },
  { additionalProperties: true },
);

export function eventStreamRoutes(app: FastifyInstance, deps: EventStreamDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const perTenant = new Map<string, number>();
  const open = new Set<() => void>();
  // Hijacked replies are ours to end: the server cannot close while a stream is open.
  app.addHook('preClose', async () => {
    for (const close of [...open]) close();
  });

  r.get(
    '/v1/events/stream',
    {
      config: { access: 'messages.read' },
      schema: {
        summary: 'Live events (Server-Sent Events): message.status and inbound.received',
        description:
          'Each event has `id:` (resume with the Last-Event-ID header or ?lastEventId=), `event:` (the type) and `data:` (the same JSON body as a webhook). Without a resume point the stream starts now. A comment line every 15 s keeps proxies from closing it.',
        tags: ['events'],
        headers: Type.Object({
          'last-event-id': Type.Optional(Type.String({ pattern: EVENT_ID })),
        }),
        querystring: Type.Object(
          { lastEventId: Type.Optional(Type.String({ pattern: EVENT_ID })) },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'text/event-stream',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
          400: ProblemSchema,
          429: ProblemSchema,
        },
      },
    },
    async (req, reply) => {
      const tenantId = req.tenant!.id;
      const resume = req.headers['last-event-id'] ?? req.query.lastEventId;
      if ((perTenant.get(tenantId) ?? 0) >= deps.maxPerTenant)
        return sendProblem(
          reply,
          problem(
            'rate_limited',
            `at most ${deps.maxPerTenant} event streams may be open at once for an account`,
            { retryAfterSeconds: 5 },
          ),
          { 'Retry-After': '5' },
        );
      let last = resume !== undefined ? Number(resume) : await deps.horizon.current();
      perTenant.set(tenantId, (perTenant.get(tenantId) ?? 0) + 1);

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.write(`retry: 2000\n: streaming events after ${last}\n\n`);

      let closed = false;
      let wake: (() => void) | null = null;
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), deps.heartbeatMs);
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        open.delete(close);
        const n = (perTenant.get(tenantId) ?? 1) - 1;
        if (n > 0) perTenant.set(tenantId, n);
        else perTenant.delete(tenantId);
        wake?.();
        res.end();
      };
      open.add(close);
      res.on('close', close);
      res.on('error', close);
      // Gone before we listened: 'close' will not come again.
      if (res.destroyed) close();

      const pause = (ms: number) =>
        new Promise<void>((resolve) => {
          const t = setTimeout(done, ms);
          function done() {
            clearTimeout(t);
            wake = null;
            resolve();
          }
          wake = done;
        });

      try {
        while (!closed) {
          const upTo = await deps.horizon.current();
          const page = await deps.feed.tenantEvents(tenantId, last, upTo, BATCH);
          last = page.last;
          if (closed) break;
          if (page.events.length > 0) {
            const text = page.events
              .map((e) => `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e.envelope)}\n\n`)
              .join('');
            if (!res.write(text))
              await new Promise<void>((resolve) => {
                res.once('drain', resolve);
                res.once('close', resolve);
              });
          }
          if (!page.full) await pause(deps.pollMs);
        }
      } catch (err) {
        req.log.error({ err, tenant: tenantId }, 'event stream failed');
        close();
      }
    },
  );
}
