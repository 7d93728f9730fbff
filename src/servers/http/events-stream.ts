// GET /v1/events/stream: the live stream (events/live-stream.ts) as Server-Sent Events. `id:` is
// the message_events id, so a client that reconnects with Last-Event-ID gets exactly what came
// after it; a comment line every heartbeat keeps proxies from closing an idle stream.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { EventFeed } from '../../services/repositories.ts';
import type { EventHorizon } from '../../events/horizon.ts';
import { LiveStreams } from '../../events/live-stream.ts';
import { problem, ProblemSchema, sendProblem } from './problem.ts';

export interface EventStreamDeps {
  feed: EventFeed;
  horizon: EventHorizon;
  /** Streams open at once per tenant on this node; 429 beyond. */
  maxPerTenant: number;
  heartbeatMs: number;
  pollMs: number;
}

const EVENT_ID = '^[0-9]{1,15}$';

export function eventStreamRoutes(app: FastifyInstance, deps: EventStreamDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const streams = new LiveStreams(deps.feed, deps.horizon, {
    maxPerTenant: deps.maxPerTenant,
    pollMs: deps.pollMs,
  });
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
      const stream = await streams.open(tenantId, resume !== undefined ? Number(resume) : null);
      if (!stream)
        return sendProblem(
          reply,
          problem(
            'rate_limited',
            `at most ${deps.maxPerTenant} event streams may be open at once for an account`,
            { retryAfterSeconds: 5 },
          ),
          { 'Retry-After': '5' },
        );

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.write(`retry: 2000\n: streaming events after ${stream.cursor}\n\n`);

      let closed = false;
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), deps.heartbeatMs);
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        open.delete(close);
        stream.close();
        res.end();
      };
      open.add(close);
      res.on('close', close);
      res.on('error', close);
      // Gone before we listened: 'close' will not come again.
      if (res.destroyed) close();

      try {
        for await (const events of stream.batches()) {
          const text = events
            .map((e) => `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e.envelope)}\n\n`)
            .join('');
          if (!res.write(text))
            await new Promise<void>((resolve) => {
              res.once('drain', resolve);
              res.once('close', resolve);
            });
        }
      } catch (err) {
        req.log.error({ err, tenant: tenantId }, 'event stream failed');
        close();
      }
    },
  );
}
