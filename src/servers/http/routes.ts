// The routing table on the wire: operators read and replace it, and ask which channel a message
// would take, and why.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.ts';
import { normaliseNumber } from '../../core/phone.ts';
import { cnCarrierOf } from '../../core/billing/cn-carrier.ts';
import { MESSAGE_CLASSES, type MessageClass } from '../../core/billing/rating.ts';
import { parseRoutes, routeFor, type Route } from '../../core/routing/routes.ts';
import type { AuditStore } from '../../services/repositories.ts';
import { actorOf } from './auth.ts';

export interface RoutingDeps {
  current(): Route[] | null;
  replace(routes: Route[]): Promise<void>;
  channels(): Array<{ id: string; up: boolean }>;
  defaultRegion: string;
  utcOffsetMinutes: number;
  audit: AuditStore;
}

// The table on the wire. The schema holds the shape (which fields exist where, and their JSON
// types): anything else is a 400 naming it. parseRoutes then checks the meaning (known channels,
// carriers and classes, the default route last) and answers 422 invalid_route with the field.
const Strings = (description: string) =>
  Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000, description });

const RouteFilter = Type.Object(
  {
    tenants: Type.Optional(Strings('Tenant ids (ten_…)')),
    countries: Type.Optional(Strings('ISO 3166 regions of the number, e.g. CN')),
    prefixes: Type.Optional(Strings('E.164 prefixes, e.g. +86138')),
    carriers: Type.Optional(
      Strings('Chinese carriers by number segment: mobile, unicom, telecom, broadnet'),
    ),
    classes: Type.Optional(Strings('Message classes: verification, notification, marketing')),
    senders: Type.Optional(Strings('Sender ids / signatures')),
    hours: Type.Optional(
      Type.Object(
        { from: Type.Integer(), to: Type.Integer() },
        {
          additionalProperties: false,
          description: 'Minutes of the local day [from, to); to < from wraps midnight',
        },
      ),
    ),
  },
  {
    additionalProperties: false,
    description: 'Every filter given must match; no filters: the route matches everything',
  },
);

const ChannelId = Type.String({ maxLength: 64 });

// A tagged union: Ajv (discriminator: true in app.ts) checks the branch `kind` names.
const RouteTarget = Type.Unsafe<unknown>({
  type: 'object',
  description: 'One channel, a weighted split, or a failover list (the first channel that is up)',
  required: ['kind'],
  discriminator: { propertyName: 'kind' },
  oneOf: [
    Type.Object(
      { kind: Type.Literal('channel'), channel: ChannelId },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        kind: Type.Literal('split'),
        weights: Type.Array(
          Type.Object(
            { channel: ChannelId, weight: Type.Integer() },
            { additionalProperties: false },
          ),
          { maxItems: 100 },
        ),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      { kind: Type.Literal('failover'), channels: Type.Array(ChannelId, { maxItems: 100 }) },
      { additionalProperties: false },
    ),
  ],
});

const RouteWire = Type.Object(
  { id: Type.String({ maxLength: 40 }), filter: Type.Optional(RouteFilter), target: RouteTarget },
  { additionalProperties: false },
);

export function routingRoutes(app: FastifyInstance, deps: RoutingDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/v1/admin/routes',
    {
      config: { access: 'admin.billing' },
      schema: {
        summary: 'The routing table (null: the first bound channel takes everything)',
        tags: ['admin', 'channels'],
      },
    },
    async () => ({
      routes: deps.current(),
      channels: deps.channels(),
    }),
  );

  r.put(
    '/v1/admin/routes',
    {
      config: { access: 'admin.billing' },
      schema: {
        summary: 'Replace the routing table (ordered; the last route is the default)',
        tags: ['admin', 'channels'],
        body: Type.Object(
          { routes: Type.Array(RouteWire, { maxItems: 500 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const routes = parseRoutes(
        req.body.routes,
        deps.channels().map((c) => c.id),
      );
      await deps.replace(routes);
      await deps.audit.record({
        tenantId: null,
        actor: actorOf(req),
        action: 'routes.replaced',
        details: { count: routes.length },
      });
      return reply.code(204).send();
    },
  );

  r.post(
    '/v1/admin/routes/test',
    {
      config: { access: 'admin.billing' },
      schema: {
        summary: 'Which channel would this message take, and why?',
        tags: ['admin', 'channels'],
        body: Type.Object(
          {
            to: Type.String({ maxLength: 32 }),
            tenantId: Type.Optional(Type.String({ maxLength: 40 })),
            class: Type.Optional(Type.String({ enum: [...MESSAGE_CLASSES] })),
            sender: Type.Optional(Type.String({ maxLength: 21 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const n = normaliseNumber(req.body.to, deps.defaultRegion);
      if (!n.ok) throw new DomainError('invalid_number', n.detail, { field: 'to' });
      const routes = deps.current();
      const up = new Map(deps.channels().map((c) => [c.id, c.up]));
      if (!routes) {
        const first = deps.channels().find((c) => c.up);
        return {
          route: null,
          channel: first?.id ?? null,
          why: ['no routing table: the first bound channel takes everything'],
        };
      }
      const minuteOfDay = Math.floor(
        ((Date.now() + deps.utcOffsetMinutes * 60_000) % 86_400_000) / 60_000,
      );
      return routeFor(
        routes,
        {
          tenantId: req.body.tenantId ?? '',
          to: n.e164,
          country: n.country,
          carrier: cnCarrierOf(n.e164),
          class: (req.body.class ?? 'notification') as MessageClass,
          sender: req.body.sender ?? null,
          minuteOfDay,
        },
        (id) => up.get(id) === true,
      );
    },
  );
}
