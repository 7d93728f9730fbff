// /v1/webhooks: a tenant's endpoints, their deliveries (with every attempt), test events,
// re-sends, and the callback secret that signs per-message callbackUrl deliveries.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.ts';
import { isId } from '../../core/ids.ts';
import { EVENT_TYPES } from '../../core/webhooks/events.ts';
import { MAX_URL_LENGTH } from '../../core/webhooks/target-url.ts';
import { STATUS_SELECTORS, type StatusSelector } from '../../core/webhooks/status-filter.ts';
import {
  createEndpoint,
  resendDelivery,
  rotateCallbackSecret,
  rotateEndpointSecret,
  sendTestEvent,
  updateEndpoint,
  type WebhookAdminDeps,
} from '../../events/webhooks/endpoints.ts';
import {
  DELIVERY_STATUSES,
  type AuditStore,
  type DeliveryStatus,
  type DeliveryView,
  type WebhookEndpoint,
} from '../../services/repositories.ts';
import { actorOf } from './auth.ts';
import { iso, parseLimit } from './wire.ts';
import { ProblemSchema } from './problem.ts';
import { Nullable } from './message-schemas.ts';

const Events = Type.Array(Type.String({ enum: [...EVENT_TYPES] }), {
  minItems: 1,
  maxItems: EVENT_TYPES.length,
  uniqueItems: true,
  description: 'What the endpoint hears: message.status, inbound.received (default: both).',
});
const Statuses = Type.Array(Type.String({ enum: [...STATUS_SELECTORS] }), {
  minItems: 1,
  maxItems: STATUS_SELECTORS.length,
  uniqueItems: true,
  description:
    'Which message.status events it gets: all (default), final (only the final status), or statuses by name (queued, submitted, delivered, …).',
});
const Url = Type.String({
  minLength: 1,
  maxLength: MAX_URL_LENGTH,
  description:
    'An http(s) URL on a public internet address (unless the operator allows more); redirects are not followed.',
});
const Description = Type.String({ maxLength: 200 });

const Endpoint = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  statuses: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  description: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const WithSecret = Type.Object({
  ...Endpoint.properties,
  secret: Type.String({ description: 'Shown once: keep it to verify Hongyan-Signature.' }),
});

const Attempt = Type.Object({
  at: Type.String(),
  statusCode: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  durationMs: Type.Integer(),
});
const Delivery = Type.Object({
  id: Type.String(),
  webhookId: Nullable(Type.String()),
  callbackUrl: Nullable(Type.String()),
  eventId: Nullable(Type.String()),
  eventType: Type.String(),
  status: Type.String({ enum: [...DELIVERY_STATUSES] }),
  nextAttemptAt: Nullable(Type.String()),
  createdAt: Type.String(),
  queuedAt: Type.String(),
  deliveredAt: Nullable(Type.String()),
  lastStatusCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  attempts: Type.Array(Attempt),
  payload: Type.Optional(Type.Unknown({ description: 'The JSON body sent (one delivery only).' })),
});

const DeliveryQuery = Type.Object(
  {
    status: Type.Optional(Type.String({ enum: [...DELIVERY_STATUSES] })),
    limit: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,3}$', description: '1-100, default 50' }),
    ),
    after: Type.Optional(Type.String({ description: 'The nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);
const KeepPrevious = Type.Object(
  {
    keepPreviousHours: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 168,
        description:
          'How long the old secret still signs too (a second v1 in the header); default 24, 0 = at once.',
      }),
    ),
  },
  { additionalProperties: false },
);

const WebhookParams = Type.Object({ webhookId: Type.String() });
/** The body is optional: no body reads as {}. */
const emptyBodyIsObject = async (req: { body: unknown }) => {
  req.body ??= {};
};
const DeliveryParams = Type.Object({ deliveryId: Type.String() });

export function webhookRoutes(
  app: FastifyInstance,
  deps: WebhookAdminDeps & { audit: AuditStore },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['webhooks'];
  const audit = async (
    req: Parameters<typeof actorOf>[0],
    action: string,
    targetId: string,
    details?: Record<string, unknown>,
  ) =>
    deps.audit.record({
      tenantId: req.tenant!.id,
      actor: actorOf(req),
      action,
      targetType: 'webhook',
      targetId,
      ...(details ? { details } : {}),
    });
  const endpointOf = async (tenantId: string, id: string) => {
    const e = isId('whk', id) ? await deps.endpoints.get(tenantId, id) : undefined;
    if (!e) throw new DomainError('not_found', `no webhook ${id}`);
    return e;
  };

  r.get(
    '/v1/webhooks',
    {
      config: { access: 'account.read' },
      schema: {
        summary: 'My webhook endpoints',
        tags,
        response: { 200: Type.Object({ data: Type.Array(Endpoint) }) },
      },
    },
    async (req) => ({ data: (await deps.endpoints.list(req.tenant!.id)).map(endpointView) }),
  );

  r.post(
    '/v1/webhooks',
    {
      config: { access: 'keys.manage' },
      schema: {
        summary: 'Add a webhook endpoint (its signing secret is shown once)',
        tags,
        body: Type.Object(
          {
            url: Url,
            events: Type.Optional(Events),
            statuses: Type.Optional(Statuses),
            enabled: Type.Optional(Type.Boolean()),
            description: Type.Optional(Description),
          },
          { additionalProperties: false },
        ),
        response: { 201: WithSecret, 400: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const { endpoint, secret } = await createEndpoint(deps, req.tenant!.id, {
        url: b.url,
        ...(b.events ? { events: b.events as (typeof EVENT_TYPES)[number][] } : {}),
        ...(b.statuses ? { statuses: b.statuses as StatusSelector[] } : {}),
        ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
        ...(b.description !== undefined ? { description: b.description } : {}),
      });
      await audit(req, 'webhook.created', endpoint.id, { origin: new URL(endpoint.url).origin });
      return reply.code(201).send({ ...endpointView(endpoint), secret });
    },
  );

  r.get(
    '/v1/webhooks/:webhookId',
    {
      config: { access: 'account.read' },
      schema: {
        summary: 'One webhook endpoint',
        tags,
        params: WebhookParams,
        response: { 200: Endpoint, 404: ProblemSchema },
      },
    },
    async (req) => endpointView(await endpointOf(req.tenant!.id, req.params.webhookId)),
  );

  r.patch(
    '/v1/webhooks/:webhookId',
    {
      config: { access: 'keys.manage' },
      schema: {
        summary: 'Change an endpoint: URL, events, statuses, enabled, description',
        tags,
        params: WebhookParams,
        body: Type.Object(
          {
            url: Type.Optional(Url),
            events: Type.Optional(Events),
            statuses: Type.Optional(Statuses),
            enabled: Type.Optional(Type.Boolean()),
            description: Type.Optional(Nullable(Description)),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Endpoint, 400: ProblemSchema, 404: ProblemSchema, 422: ProblemSchema },
      },
    },
    async (req) => {
      const { webhookId } = req.params;
      await endpointOf(req.tenant!.id, webhookId);
      const b = req.body;
      const updated = await updateEndpoint(deps, req.tenant!.id, webhookId, {
        ...(b.url !== undefined ? { url: b.url } : {}),
        ...(b.events ? { events: b.events as (typeof EVENT_TYPES)[number][] } : {}),
        ...(b.statuses ? { statuses: b.statuses as StatusSelector[] } : {}),
        ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
        ...(b.description !== undefined ? { description: b.description } : {}),
      });
      await audit(req, 'webhook.updated', webhookId, { fields: Object.keys(b) });
      return endpointView(updated);
    },
  );

  r.delete(
    '/v1/webhooks/:webhookId',
    {
      config: { access: 'keys.manage' },
      schema: {
        summary: 'Delete an endpoint and its deliveries',
        tags,
        params: WebhookParams,
        response: { 204: Type.Null(), 404: ProblemSchema },
      },
    },
    async (req, reply) => {
      const { webhookId } = req.params;
      if (!isId('whk', webhookId) || !(await deps.endpoints.delete(req.tenant!.id, webhookId)))
        throw new DomainError('not_found', `no webhook ${webhookId}`);
      await audit(req, 'webhook.deleted', webhookId);
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/v1/webhooks/:webhookId/rotate-secret',
    {
      config: { access: 'keys.manage' },
      preValidation: emptyBodyIsObject,
      schema: {
        summary: 'A new signing secret (shown once); the old one keeps signing for a while',
        tags,
        params: WebhookParams,
        body: KeepPrevious,
        response: { 200: WithSecret, 404: ProblemSchema },
      },
    },
    async (req) => {
      const { webhookId } = req.params;
      await endpointOf(req.tenant!.id, webhookId);
      const keep = req.body.keepPreviousHours ?? 24;
      const { endpoint, secret } = await rotateEndpointSecret(
        deps,
        req.tenant!.id,
        webhookId,
        keep,
      );
      await audit(req, 'webhook.secret_rotated', webhookId, { keepPreviousHours: keep });
      return { ...endpointView(endpoint), secret };
    },
  );

  r.post(
    '/v1/webhooks/:webhookId/test',
    {
      config: { access: 'keys.manage' },
      schema: {
        summary:
          'Send a webhook.test event now; answers with the attempt (status code and timing, never the answer body)',
        tags,
        params: WebhookParams,
        response: { 200: Delivery, 404: ProblemSchema },
      },
    },
    async (req) => {
      const { webhookId } = req.params;
      await endpointOf(req.tenant!.id, webhookId);
      return deliveryView(await sendTestEvent(deps, req.tenant!.id, webhookId));
    },
  );

  r.get(
    '/v1/webhooks/:webhookId/deliveries',
    {
      config: { access: 'messages.read' },
      schema: {
        summary: "An endpoint's deliveries, newest first, each with its attempts",
        tags,
        params: WebhookParams,
        querystring: DeliveryQuery,
        response: {
          200: Type.Object({ data: Type.Array(Delivery), nextCursor: Nullable(Type.String()) }),
          400: ProblemSchema,
          404: ProblemSchema,
        },
      },
    },
    async (req) => {
      const { webhookId } = req.params;
      await endpointOf(req.tenant!.id, webhookId);
      return listDeliveries(deps, req.tenant!.id, req.query, { webhookId });
    },
  );

  r.get(
    '/v1/webhooks/deliveries',
    {
      config: { access: 'messages.read' },
      schema: {
        summary: 'All my deliveries (endpoints and callback URLs), newest first',
        tags,
        querystring: Type.Object(
          {
            ...DeliveryQuery.properties,
            callbacks: Type.Optional(
              Type.String({ enum: ['true'], description: 'Only per-message callbackUrl ones' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ data: Type.Array(Delivery), nextCursor: Nullable(Type.String()) }),
          400: ProblemSchema,
        },
      },
    },
    async (req) =>
      listDeliveries(deps, req.tenant!.id, req.query, {
        ...(req.query.callbacks ? { callbacks: true } : {}),
      }),
  );

  r.get(
    '/v1/webhooks/deliveries/:deliveryId',
    {
      config: { access: 'messages.read' },
      schema: {
        summary: 'One delivery with its payload and attempts',
        tags,
        params: DeliveryParams,
        response: { 200: Delivery, 404: ProblemSchema },
      },
    },
    async (req) => {
      const { deliveryId } = req.params;
      const d = isId('dlv', deliveryId)
        ? await deps.deliveries.get(req.tenant!.id, deliveryId)
        : undefined;
      if (!d) throw new DomainError('not_found', `no delivery ${deliveryId}`);
      return deliveryView(d);
    },
  );

  r.post(
    '/v1/webhooks/deliveries/:deliveryId/resend',
    {
      config: { access: 'keys.manage' },
      schema: {
        summary: 'Queue a dead or delivered delivery again, with a fresh 24 h of retries',
        tags,
        params: DeliveryParams,
        response: { 202: Delivery, 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (req, reply) => {
      const { deliveryId } = req.params;
      if (!isId('dlv', deliveryId)) throw new DomainError('not_found', `no delivery ${deliveryId}`);
      const d = await resendDelivery(deps, req.tenant!.id, deliveryId);
      await audit(req, 'webhook.delivery_resent', deliveryId);
      return reply.code(202).send(deliveryView(d));
    },
  );

  r.post(
    '/v1/webhooks/callback-secret',
    {
      config: { access: 'keys.manage' },
      preValidation: emptyBodyIsObject,
      schema: {
        summary:
          'A new secret for signing per-message callbackUrl deliveries (shown once; replaces the old)',
        tags,
        body: KeepPrevious,
        response: { 201: Type.Object({ secret: Type.String() }) },
      },
    },
    async (req, reply) => {
      const keep = req.body.keepPreviousHours ?? 24;
      const secret = await rotateCallbackSecret(deps, req.tenant!.id, keep);
      await audit(req, 'webhook.callback_secret_rotated', req.tenant!.id, {
        keepPreviousHours: keep,
      });
      return reply.code(201).send({ secret });
    },
  );
}

async function listDeliveries(
  deps: WebhookAdminDeps,
  tenantId: string,
  q: { status?: string; limit?: string; after?: string },
  scope: { webhookId?: string; callbacks?: boolean },
) {
  const limit = parseLimit(q.limit, 50, 100);
  const rows = await deps.deliveries.list(tenantId, {
    ...scope,
    limit,
    ...(q.status ? { status: q.status as DeliveryStatus } : {}),
    ...(q.after ? { after: q.after } : {}),
  });
  return {
    data: rows.map(deliveryView),
    nextCursor: rows.length === limit ? rows[rows.length - 1]!.id : null,
  };
}

function endpointView(e: WebhookEndpoint) {
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    statuses: e.statuses,
    enabled: e.enabled,
    description: e.description,
    createdAt: iso(e.createdAt)!,
    updatedAt: iso(e.updatedAt)!,
  };
}

function deliveryView(d: DeliveryView) {
  return {
    id: d.id,
    webhookId: d.webhookId,
    callbackUrl: d.callbackUrl,
    eventId:
      d.eventId !== null
        ? `evt_${d.eventId}`
        : d.eventType === 'webhook.test'
          ? `evt_test_${d.id.slice(4)}`
          : null,
    eventType: d.eventType,
    status: d.status as DeliveryStatus,
    nextAttemptAt: iso(d.nextAttemptAt),
    createdAt: iso(d.createdAt)!,
    queuedAt: iso(d.queuedAt)!,
    deliveredAt: iso(d.deliveredAt),
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    attempts: d.attemptLog.map((a) => ({ ...a, at: iso(a.at)! })),
    ...(d.payload !== undefined ? { payload: d.payload } : {}),
  };
}
