// /v1/messages: send, look up, list. The route only translates; acceptMessages decides.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.ts';
import { isId } from '../../core/ids.ts';
import { isMessageStatus, MESSAGE_STATUSES } from '../../core/message/status.ts';
import { STATUS_SELECTORS } from '../../core/webhooks/status-filter.ts';
import { normaliseNumber } from '../../core/phone.ts';
import { acceptMessages, type AcceptDeps } from '../../services/accept-messages.ts';
import type { MessageStore, MessageView } from '../../store/messages.ts';
import { localizedError } from '../../core/i18n/index.ts';
import type { AuditStore } from '../../store/audit.ts';
import { actorOf } from './auth.ts';

import { iso, parseLimit, parseTime } from './wire.ts';
import { money } from '../../core/billing/money.ts';
import { categoriseErrorCode, type CategoryRule } from '../../core/failure-category.ts';
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

const SendBody = Type.Object(
  {
    to: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.String())], {
        description: 'One number or up to 10,000, in any common form; stored as E.164.',
      }),
    ),
    text: Type.Optional(
      Type.String({ description: 'The message; split into parts (GSM-7 160/153, UCS-2 70/67).' }),
    ),
    clientRef: Type.Optional(
      Type.String({ maxLength: 64, description: 'Your own reference, searchable.' }),
    ),
    class: Type.Optional(
      Type.String({
        enum: ['verification', 'notification', 'marketing'],
        description: 'Priced by class; default notification.',
      }),
    ),
    templateId: Type.Optional(
      Type.String({ maxLength: 40, description: 'An approved template, instead of text.' }),
    ),
    params: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String({ maxLength: 200 }), Type.Number()]), {
        description: 'The template variables.',
      }),
    ),
    partial: Type.Optional(
      Type.Boolean({
        description:
          'When the balance does not cover everyone: send to those it covers (in order) and reject the rest, instead of refusing the request.',
      }),
    ),
    callbackUrl: Type.Optional(
      Type.String({
        maxLength: 2048,
        description:
          "An http(s) URL that gets these messages' status events instead of your webhook endpoints, signed with your callback secret (docs/webhooks.md).",
      }),
    ),
    callbackStatuses: Type.Optional(
      Type.Array(Type.String({ enum: [...STATUS_SELECTORS] }), {
        minItems: 1,
        maxItems: STATUS_SELECTORS.length,
        uniqueItems: true,
        description:
          'Which status events the callbackUrl gets: all (default), final (only the final status), or statuses by name (docs/webhooks.md).',
      }),
    ),
  },
  { additionalProperties: false },
);

const MoneySchema = Type.Object({ amount: Type.String(), currency: Type.String() });

const Accepted = Type.Object({
  batchId: Type.String(),
  messages: Type.Array(
    Type.Object({
      id: Type.String(),
      to: Type.String(),
      status: Type.String(),
      parts: Type.Integer(),
      encoding: Type.String(),
      price: MoneySchema,
    }),
  ),
  rejected: Type.Array(
    Type.Object({ to: Type.String(), code: Type.String(), detail: Type.String() }),
  ),
});

const Part = Type.Object({
  seq: Type.Integer(),
  status: Type.String(),
  carrierId: Nullable(Type.String()),
  stat: Nullable(Type.String()),
  err: Nullable(Type.String()),
  commandStatus: Nullable(Type.Integer()),
  submittedAt: Nullable(Type.String()),
  doneAt: Nullable(Type.String()),
});

const Message = Type.Object({
  id: Type.String(),
  batchId: Type.String(),
  clientRef: Nullable(Type.String()),
  to: Type.String(),
  status: Type.String({ enum: [...MESSAGE_STATUSES] }),
  parts: Type.Integer(),
  encoding: Type.String(),
  channel: Nullable(Type.String()),
  class: Type.String(),
  price: MoneySchema,
  pricePerPart: MoneySchema,
  charged: MoneySchema,
  compliance: Nullable(
    Type.Object(
      {
        rule: Type.String(),
        category: Type.String(),
        action: Type.String(),
        term: Type.String(),
        matched: Type.String(),
      },
      { description: 'The content rule that held this message, and the text it matched.' },
    ),
  ),
  billing: Type.String({
    description: 'held (reserved), settled (charged and/or released), free (test key)',
  }),
  error: Nullable(
    Type.Object({
      code: Type.String(),
      detail: Nullable(Type.String()),
      category: Type.String({
        description:
          'Whose fault: invalid_number, handset, recipient_blocked, content, carrier, platform, expired',
      }),
    }),
  ),
  createdAt: Type.String(),
  submittedAt: Nullable(Type.String()),
  doneAt: Nullable(Type.String()),
  text: Type.Optional(
    Type.String({
      description:
        'With ?include=text: the text as the recipient got it, signature and opt-out hint included. Each read is audited (messages.read_text).',
    }),
  ),
  partDetails: Type.Optional(Type.Array(Part)),
});

const Include = Type.Optional(
  Type.String({
    enum: ['text'],
    description:
      'text: add each message’s text as sent (decrypted, and recorded in your audit log as messages.read_text)',
  }),
);

const ListQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,4}$', description: '1-1000, default 50' }),
    ),
    after: Type.Optional(Type.String({ description: 'The nextCursor of the previous page' })),
    status: Type.Optional(Type.String({ enum: [...MESSAGE_STATUSES] })),
    to: Type.Optional(Type.String()),
    clientRef: Type.Optional(Type.String()),
    batchId: Type.Optional(Type.String()),
    createdAfter: Type.Optional(Type.String({ description: 'ISO-8601 time, inclusive' })),
    createdBefore: Type.Optional(Type.String({ description: 'ISO-8601 time, exclusive' })),
    include: Include,
  },
  { additionalProperties: false },
);

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
  },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

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
        summary: 'One message with its parts (and its text with ?include=text)',
        tags: ['messages'],
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object({ include: Include }, { additionalProperties: false }),
        response: { 200: Message, 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (req) => {
      const withText = req.query.include === 'text';
      // Another tenant's message and a missing one look the same: never reveal existence.
      const view = isId('msg', req.params.id)
        ? await deps.messages.get(req.tenant!.id, req.params.id, { text: withText })
        : undefined;
      if (!view) throw localizedError('not_found', 'http.message_not_found', { id: req.params.id });
      if (withText)
        await deps.audit.record({
          tenantId: req.tenant!.id,
          actor: actorOf(req),
          action: 'messages.read_text',
          targetType: 'message',
          targetId: view.id,
        });
      return toApi(view, req.tenant!.currency, deps.categoryRules);
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
      if (q.status && !isMessageStatus(q.status))
        throw localizedError('invalid_request', 'http.unknown_status', { status: q.status });
      let to: string | undefined;
      if (q.to) {
        const n = normaliseNumber(q.to, deps.defaultRegion);
        if (!n.ok) throw new DomainError('invalid_number', n.detail);
        to = n.e164;
      }
      const filter = {
        limit,
        ...(q.after ? { after: q.after } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(to ? { to } : {}),
        ...(q.clientRef ? { clientRef: q.clientRef } : {}),
        ...(q.batchId ? { batchId: q.batchId } : {}),
        ...(q.createdAfter ? { createdFrom: parseTime(q.createdAfter, 'createdAfter') } : {}),
        ...(q.createdBefore ? { createdTo: parseTime(q.createdBefore, 'createdBefore') } : {}),
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

function toApi(v: MessageView, currency: string, rulesOf?: CategoryRulesOf) {
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
