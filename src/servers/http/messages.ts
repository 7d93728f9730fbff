// /v1/messages: send, look up, list. The route only translates; acceptMessages decides.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.ts';
import { isId } from '../../core/ids.ts';
import { isMessageStatus, MESSAGE_STATUSES } from '../../core/message/status.ts';
import { Accepted, EstimateSchema, Message, Nullable, SendBody } from './message-schemas.ts';
import { normaliseNumber } from '../../core/phone.ts';
import { acceptMessages, type AcceptDeps } from '../../services/accept-messages.ts';
import type {
  AuditStore,
  LedgerStore,
  ListFilter,
  MessageStore,
  MessageView,
} from '../../services/repositories.ts';
import { localizedError } from '../../core/i18n/index.ts';
import { actorOf } from './auth.ts';

import { iso, parseLimit, parseTime } from './wire.ts';
import { money } from '../../core/billing/money.ts';
import {
  categoriseErrorCode,
  FAILURE_CATEGORIES,
  type CategoryRule,
} from '../../core/failure-category.ts';
import { MESSAGE_CLASSES } from '../../core/billing/rating.ts';
import { estimateMessages } from '../../services/estimate-messages.ts';
import { messageTimeline } from '../../services/message-timeline.ts';
import { ProblemSchema } from './problem.ts';
export const Include = Type.Optional(
  Type.String({
    enum: ['text'],
    description:
      'text: add each message’s text as sent (decrypted, and recorded in your audit log as messages.read_text)',
  }),
);

const IncludeOne = Type.Optional(
  Type.String({
    pattern: '^(text|events)(,(text|events))?$',
    description:
      'text: the text as sent (audited as messages.read_text); events: the timeline. Both: text,events',
  }),
);

/** The message log's filters, shared by the list and its export. */
export const ListFilters = {
  status: Type.Optional(Type.String({ enum: [...MESSAGE_STATUSES] })),
  to: Type.Optional(Type.String()),
  clientRef: Type.Optional(Type.String()),
  batchId: Type.Optional(Type.String()),
  category: Type.Optional(
    Type.String({
      enum: [...FAILURE_CATEGORIES],
      description: 'Failure category (error.category), stored with the final status',
    }),
  ),
  class: Type.Optional(Type.String({ enum: [...MESSAGE_CLASSES] })),
  createdAfter: Type.Optional(Type.String({ description: 'ISO-8601 time, inclusive' })),
  createdBefore: Type.Optional(Type.String({ description: 'ISO-8601 time, exclusive' })),
};

const ListQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,4}$', description: '1-1000, default 50' }),
    ),
    after: Type.Optional(Type.String({ description: 'The nextCursor of the previous page' })),
    ...ListFilters,
    include: Include,
  },
  { additionalProperties: false },
);

type FilterQuery = {
  status?: string;
  to?: string;
  clientRef?: string;
  batchId?: string;
  category?: string;
  class?: string;
  createdAfter?: string;
  createdBefore?: string;
};

/** The store's filter from the query string: numbers normalised, times parsed (400 naming them). */
export function listFilterOf(q: FilterQuery, defaultRegion: string): Omit<ListFilter, 'limit'> {
  if (q.status && !isMessageStatus(q.status))
    throw localizedError('invalid_request', 'http.unknown_status', { status: q.status });
  let to: string | undefined;
  if (q.to) {
    const n = normaliseNumber(q.to, defaultRegion);
    if (!n.ok) throw new DomainError('invalid_number', n.detail, { field: 'to' });
    to = n.e164;
  }
  return {
    ...(q.status ? { status: q.status } : {}),
    ...(to ? { to } : {}),
    ...(q.clientRef ? { clientRef: q.clientRef } : {}),
    ...(q.batchId ? { batchId: q.batchId } : {}),
    ...(q.category ? { category: q.category } : {}),
    ...(q.class ? { class: q.class } : {}),
    ...(q.createdAfter ? { createdFrom: parseTime(q.createdAfter, 'createdAfter') } : {}),
    ...(q.createdBefore ? { createdTo: parseTime(q.createdBefore, 'createdBefore') } : {}),
  };
}

export function messageRoutes(
  app: FastifyInstance,
  deps: {
    accept: AcceptDeps;
    messages: MessageStore;
    /** Reading a message's text is audited, as an operator's read of bodies is. */
    audit: AuditStore;
    defaultRegion: string;
    onAccepted: () => void;
    categoryRules?: CategoryRulesOf;
    /** For the estimate's balance figures. */
    ledger: LedgerStore;
  },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/v1/messages/estimate',
    {
      config: { access: 'messages.send' },
      schema: {
        summary: 'What sending would do (recipients, text, parts, price, balance), sending nothing',
        description:
          'Takes the body of POST /v1/messages and runs the same checks, writing nothing: no message, no hold, no idempotency record. Refusals the send would give for the text, the account or the balance are listed in `issues`; a malformed body is refused as the send refuses it.',
        tags: ['messages'],
        body: SendBody,
        response: {
          200: EstimateSchema,
          400: ProblemSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          413: ProblemSchema,
          422: ProblemSchema,
        },
      },
    },
    async (req) => {
      const p = req.principal!;
      const test = p.kind === 'key' && p.key.kind === 'test';
      return estimateMessages({ accept: deps.accept, ledger: deps.ledger }, req.tenant!, req.body, {
        test,
      });
    },
  );

  r.post(
    '/v1/messages',
    {
      config: { access: 'messages.send' },
      schema: {
        summary: 'Send a message to one or many recipients',
        tags: ['messages'],
        headers: Type.Object({
          'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
        }),
        body: SendBody,
        response: {
          202: Accepted,
          400: ProblemSchema,
          401: ProblemSchema,
          402: ProblemSchema,
          409: ProblemSchema,
          413: ProblemSchema,
          422: ProblemSchema,
          429: ProblemSchema,
        },
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      const p = req.principal!;
      // Test keys run the whole pipeline against the simulator only, and are never billed.
      const test = p.kind === 'key' && p.key.kind === 'test';
      const outcome = await acceptMessages(deps.accept, req.tenant!, req.body ?? {}, {
        ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
        test,
      }).catch((err: unknown) => {
        // Past the tenant's message budget: 429 with when to come back (RFC 9110 §10.2.3).
        const retry = err instanceof DomainError ? err.details?.retryAfterSeconds : undefined;
        if (typeof retry === 'number') reply.header('Retry-After', String(retry));
        throw err;
      });
      if (!outcome.replayed) deps.onAccepted();
      if (outcome.replayed) reply.header('Idempotent-Replayed', 'true');
      return reply.code(outcome.statusCode as 202).send(outcome.body);
    },
  );

  r.get(
    '/v1/messages/:id',
    {
      config: { access: 'messages.read' },
      schema: {
        summary: 'One message with its parts (?include=text,events: its text, its timeline)',
        tags: ['messages'],
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object({ include: IncludeOne }, { additionalProperties: false }),
        response: { 200: Message, 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (req) => {
      const include = new Set((req.query.include ?? '').split(','));
      const withText = include.has('text');
      // Another tenant's message and a missing one look the same: never reveal existence.
      const view = isId('msg', req.params.id)
        ? await deps.messages.get(req.tenant!.id, req.params.id, { text: withText })
        : undefined;
      if (!view) throw localizedError('not_found', 'http.message_not_found', { id: req.params.id });
      const history = include.has('events')
        ? await deps.messages.history(req.tenant!.id, view.id)
        : undefined;
      if (withText)
        await deps.audit.record({
          tenantId: req.tenant!.id,
          actor: actorOf(req),
          action: 'messages.read_text',
          targetType: 'message',
          targetId: view.id,
        });
      const api = toApi(view, req.tenant!.currency, deps.categoryRules);
      if (!history) return api;
      const events = messageTimeline({ ...history, parts: view.partDetails ?? [] });
      return { ...api, events: events.map((e) => ({ ...e, at: iso(e.at)! })) };
    },
  );

  r.get(
    '/v1/messages',
    {
      config: { access: 'messages.read' },
      schema: {
        summary: 'List messages, newest first',
        tags: ['messages'],
        querystring: ListQuery,
        response: {
          200: Type.Object({ data: Type.Array(Message), nextCursor: Nullable(Type.String()) }),
          400: ProblemSchema,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const limit = parseLimit(q.limit, 50, 1000);
      const withText = q.include === 'text';
      const filter = {
        limit,
        ...(q.after ? { after: q.after } : {}),
        ...listFilterOf(q, deps.defaultRegion),
      };
      const rows = await deps.messages.list(req.tenant!.id, filter, { text: withText });
      // One audit row per page read: the filter and the first and last id name every message in it.
      if (withText && rows.length > 0)
        await deps.audit.record({
          tenantId: req.tenant!.id,
          actor: actorOf(req),
          action: 'messages.read_text',
          details: {
            count: rows.length,
            first: rows[0]!.id,
            last: rows[rows.length - 1]!.id,
            filter: { ...filter, limit: undefined },
          },
        });
      return {
        data: rows.map((r) => toApi(r, req.tenant!.currency, deps.categoryRules)),
        nextCursor: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );
}

/** The rules of the channel the message went through, if it has its own (channel configs). */
export type CategoryRulesOf = (channelId: string | null) => readonly CategoryRule[] | undefined;

export function toApi(v: MessageView, currency: string, rulesOf?: CategoryRulesOf) {
  return {
    id: v.id,
    batchId: v.batchId,
    clientRef: v.clientRef,
    to: v.to,
    status: v.status,
    parts: v.parts,
    encoding: v.encoding,
    channel: v.channelId,
    class: v.class,
    price: money(v.amount, currency),
    pricePerPart: money(v.price, currency),
    charged: money(v.charged, currency),
    billing: v.billing,
    compliance: v.compliance as {
      rule: string;
      category: string;
      action: string;
      term: string;
      matched: string;
    } | null,
    error: v.errorCode
      ? {
          code: v.errorCode,
          detail: v.errorDetail,
          // By the channel's rules now; ?category= filters on the one stored with the final status.
          category: categoriseErrorCode(v.errorCode, rulesOf?.(v.channelId)),
        }
      : null,
    createdAt: iso(v.createdAt)!,
    submittedAt: iso(v.submittedAt),
    doneAt: iso(v.doneAt),
    ...(v.text !== undefined ? { text: v.text } : {}),
    ...(v.partDetails
      ? {
          partDetails: v.partDetails.map((p) => ({
            ...p,
            submittedAt: iso(p.submittedAt),
            doneAt: iso(p.doneAt),
          })),
        }
      : {}),
  };
}
