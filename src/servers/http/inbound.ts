// Inbound (MO) messages on the wire (docs/inbound.md). Tenants read their own replies and their
// reply address; operators set extension codes and keywords, and see every inbound message —
// unassigned ones included — with the sender masked and the text only when their role allows.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.ts';
import { isId } from '../../core/ids.ts';
import { maskNumber } from '../../core/phone.ts';
import { addressDigits, senderNumber } from '../../core/inbound/address.ts';
import { normaliseKeyword } from '../../core/inbound/keywords.ts';
import type { ExtensionCodes } from '../../services/extension-codes.ts';
import type { AuditStore, InboundStore, InboundView } from '../../services/repositories.ts';
import type { TenantStore } from '../../services/accounts.ts';
import { actorOf } from './auth.ts';
import { problem, ProblemSchema, sendProblem } from './problem.ts';
import { iso, parseLimit, parseTime } from './wire.ts';
import { Nullable } from './message-schemas.ts';

export interface InboundHttpDeps {
  store: InboundStore;
  extensions: ExtensionCodes;
  /** The service numbers (sourceAddr) of the channels now configured. */
  serviceNumbers: () => string[];
  /** Opt-out replies cannot be routing keywords. */
  optOutKeywords: readonly string[];
  defaultRegion: string;
}

const RoutedBy = Nullable(
  Type.String({
    enum: ['extension', 'keyword', 'recent'],
    description:
      'extension: the address replied to carried your extension code; keyword: the text starts with your keyword; recent: you were the last to send to this number (7 days)',
  }),
);

const Inbound = Type.Object({
  id: Type.String(),
  from: Type.String({ description: 'The sender, E.164 when it is a phone number' }),
  to: Type.String({ description: 'The address replied to: service number + extension code' }),
  text: Type.String(),
  subCode: Nullable(
    Type.String({ description: 'Digits after your extension code in the address replied to' }),
  ),
  routedBy: RoutedBy,
  keyword: Nullable(Type.String()),
  parts: Type.Integer({ description: 'Segments of a long message' }),
  partsReceived: Type.Integer(),
  partial: Type.Boolean({ description: 'Some segments never arrived; text is what did' }),
  receivedAt: Type.String(),
});

const ExtensionView = Type.Object({
  tenantId: Type.String(),
  extension: Nullable(Type.String()),
  assignedBy: Nullable(Type.String({ enum: ['auto', 'operator'] })),
  updatedAt: Nullable(Type.String()),
  replyAddresses: Type.Array(Type.String()),
});

const KeywordList = Type.Object({
  data: Type.Array(
    Type.Object({ keyword: Type.String(), tenantId: Type.String(), createdAt: Type.String() }),
  ),
});

function tenantView(v: InboundView) {
  return {
    id: v.id,
    from: v.from,
    to: v.to,
    text: v.text,
    subCode: v.subCode,
    routedBy: v.routedBy,
    keyword: v.routedBy === 'keyword' ? v.routeKey : null,
    parts: v.partsTotal,
    partsReceived: v.partsReceived,
    partial: v.partsReceived < v.partsTotal,
    receivedAt: iso(v.receivedAt)!,
  };
}

export function inboundRoutes(
  app: FastifyInstance,
  deps: InboundHttpDeps & { audit: AuditStore; tenants: TenantStore },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const replyAddresses = (code: string | null) =>
    code === null ? [] : [...new Set(deps.serviceNumbers().map((n) => n + code))].sort();

  // ---- tenants ------------------------------------------------------------------------------

  r.get(
    '/v1/inbound/settings',
    {
      config: { access: 'messages.read' },
      schema: {
        summary: 'Your extension code, the addresses replies reach you at, and your keywords',
        tags: ['inbound'],
        response: {
          200: Type.Object({
            extension: Type.String(),
            replyAddresses: Type.Array(Type.String(), {
              description: "Each channel's service number followed by your extension code",
            }),
            keywords: Type.Array(Type.String()),
          }),
        },
      },
    },
    async (req) => {
      const tenantId = req.tenant!.id;
      const extension = await deps.extensions.ensure(tenantId);
      return {
        extension,
        replyAddresses: replyAddresses(extension),
        keywords: (await deps.store.keywords(tenantId)).map((k) => k.keyword),
      };
    },
  );

  r.get(
    '/v1/inbound',
    {
      config: { access: 'messages.read' },
      schema: {
        summary: 'Inbound messages (replies) routed to you, newest first',
        tags: ['inbound'],
        querystring: Type.Object(
          {
            limit: Type.Optional(
              Type.String({ pattern: '^[0-9]{1,4}$', description: '1-1000, default 50' }),
            ),
            after: Type.Optional(
              Type.String({ maxLength: 40, description: 'The nextCursor of the previous page' }),
            ),
            from: Type.Optional(Type.String({ maxLength: 32, description: 'The sender' })),
            to: Type.Optional(
              Type.String({ maxLength: 32, description: 'The address replied to' }),
            ),
            since: Type.Optional(Type.String({ description: 'ISO-8601 time, inclusive' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ data: Type.Array(Inbound), nextCursor: Nullable(Type.String()) }),
          400: ProblemSchema,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const limit = parseLimit(q.limit, 50, 1000);
      const rows = await deps.store.list({
        tenantId: req.tenant!.id,
        limit,
        ...(q.after ? { after: q.after } : {}),
        ...(q.from ? { from: senderNumber(q.from, deps.defaultRegion) ?? q.from.trim() } : {}),
        ...(q.to ? { to: addressDigits(q.to) } : {}),
        ...(q.since ? { since: parseTime(q.since, 'since') } : {}),
      });
      return {
        data: rows.map(tenantView),
        nextCursor: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  r.get(
    '/v1/inbound/:inboundId',
    {
      config: { access: 'messages.read' },
      schema: {
        summary: 'One inbound message',
        tags: ['inbound'],
        params: Type.Object({ inboundId: Type.String() }),
        response: { 200: Inbound, 404: ProblemSchema },
      },
    },
    async (req, reply) => {
      // Another tenant's message and a missing one look the same.
      const v = isId('inb', req.params.inboundId)
        ? await deps.store.get(req.tenant!.id, req.params.inboundId)
        : undefined;
      if (!v)
        return sendProblem(
          reply,
          problem('not_found', `no inbound message ${req.params.inboundId}`),
        );
      return tenantView(v);
    },
  );

  // ---- operators ----------------------------------------------------------------------------

  const extensionView = async (tenantId: string) => {
    const e = await deps.store.extensionOf(tenantId);
    return {
      tenantId,
      extension: e?.code ?? null,
      assignedBy: e?.assignedBy ?? null,
      updatedAt: e ? iso(e.updatedAt) : null,
      replyAddresses: replyAddresses(e?.code ?? null),
    };
  };

  r.get(
    '/v1/admin/tenants/:id/extension',
    {
      config: { access: 'admin.tenants.read' },
      schema: {
        summary: "A tenant's extension code and reply addresses",
        tags: ['admin'],
        params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
        response: { 200: ExtensionView, 404: ProblemSchema },
      },
    },
    async (req) => extensionView((await deps.tenants.get(req.params.id)).id),
  );

  r.put(
    '/v1/admin/tenants/:id/extension',
    {
      config: { access: 'admin.tenants.status' },
      schema: {
        summary:
          "Set a tenant's extension code: digits; not another tenant's exact code (prefixes may be: the longest match wins)",
        tags: ['admin'],
        params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
        body: Type.Object(
          { extension: Type.String({ maxLength: 32 }) },
          { additionalProperties: false },
        ),
        response: {
          200: ExtensionView,
          404: ProblemSchema,
          409: ProblemSchema,
          422: ProblemSchema,
        },
      },
    },
    async (req) => {
      const tenant = await deps.tenants.get(req.params.id);
      const code = req.body.extension.trim();
      const { previous } = await deps.extensions.set(tenant.id, code, deps.serviceNumbers());
      await deps.audit.record({
        tenantId: tenant.id,
        actor: actorOf(req),
        action: 'operator.set_extension',
        targetType: 'tenant',
        targetId: tenant.id,
        details: { from: previous, to: code },
      });
      return extensionView(tenant.id);
    },
  );

  r.get(
    '/v1/admin/inbound/keywords',
    {
      config: { access: 'admin.tenants.read' },
      schema: {
        summary: 'Routing keywords: a reply starting with one goes to its tenant',
        tags: ['admin'],
        response: { 200: KeywordList },
      },
    },
    async () => ({
      data: (await deps.store.keywords()).map((k) => ({ ...k, createdAt: iso(k.createdAt)! })),
    }),
  );

  r.put(
    '/v1/admin/inbound/keywords',
    {
      config: { access: 'admin.tenants.status' },
      schema: {
        summary: 'Replace the routing keywords',
        tags: ['admin'],
        body: Type.Object(
          {
            keywords: Type.Array(
              Type.Object(
                {
                  keyword: Type.String({ maxLength: 64 }),
                  tenantId: Type.String({ maxLength: 40 }),
                },
                { additionalProperties: false },
              ),
              { maxItems: 10000 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: KeywordList, 400: ProblemSchema, 422: ProblemSchema },
      },
    },
    async (req) => {
      const optOut = new Set(
        deps.optOutKeywords.map((k) => {
          const n = normaliseKeyword(k);
          return n.ok ? n.keyword : k;
        }),
      );
      const seen = new Set<string>();
      const list: Array<{ keyword: string; tenantId: string }> = [];
      for (const [i, k] of req.body.keywords.entries()) {
        const field = `keywords[${i}]`;
        const n = normaliseKeyword(k.keyword);
        if (!n.ok)
          throw new DomainError('invalid_keyword', n.reason, { field: `${field}.keyword` });
        if (optOut.has(n.keyword))
          throw new DomainError(
            'invalid_keyword',
            `${n.keyword} is an opt-out reply and cannot route`,
            { field: `${field}.keyword` },
          );
        if (seen.has(n.keyword))
          throw new DomainError('invalid_keyword', `keyword ${n.keyword} appears twice`, {
            field: `${field}.keyword`,
          });
        seen.add(n.keyword);
        if (!(await deps.store.tenantExists(k.tenantId)))
          throw new DomainError('invalid_keyword', `no tenant ${k.tenantId}`, {
            field: `${field}.tenantId`,
          });
        list.push({ keyword: n.keyword, tenantId: k.tenantId });
      }
      await deps.store.replaceKeywords(list, Date.now());
      await deps.audit.record({
        tenantId: null,
        actor: actorOf(req),
        action: 'operator.set_inbound_keywords',
        targetType: 'inbound_keywords',
        details: { count: list.length },
      });
      return {
        data: (await deps.store.keywords()).map((k) => ({ ...k, createdAt: iso(k.createdAt)! })),
      };
    },
  );

  r.get(
    '/v1/admin/inbound',
    {
      config: { access: 'admin.messages.read' },
      schema: {
        summary:
          'Inbound messages of every tenant (or none: ?unassigned=true), senders masked; text only with ?bodies=true, for roles allowed to, audited',
        tags: ['admin'],
        querystring: Type.Object(
          {
            unassigned: Type.Optional(Type.String({ enum: ['true', 'false'] })),
            tenantId: Type.Optional(Type.String({ maxLength: 40 })),
            bodies: Type.Optional(Type.String({ enum: ['true', 'false'] })),
            limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
            after: Type.Optional(Type.String({ maxLength: 40 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const q = req.query;
      const withBodies = q.bodies === 'true';
      if (withBodies && !req.principal!.permissions.has('admin.messages.bodies'))
        throw new DomainError('forbidden', 'your role may not read message bodies');
      const limit = parseLimit(q.limit, 50, 500);
      const rows = await deps.store.list({
        limit,
        ...(q.tenantId ? { tenantId: q.tenantId } : {}),
        ...(q.unassigned === 'true' ? { unassigned: true } : {}),
        ...(q.after ? { after: q.after } : {}),
      });
      // Reading replies is itself audited (their content is the tenants' confidential data).
      await deps.audit.record({
        tenantId: q.tenantId ?? null,
        actor: actorOf(req),
        action: withBodies ? 'operator.read_inbound_bodies' : 'operator.read_inbound',
        targetType: 'inbound_messages',
        details: { count: rows.length, unassigned: q.unassigned === 'true' },
      });
      return {
        data: rows.map((v) => ({
          id: v.id,
          tenantId: v.tenantId,
          channel: v.channelId,
          from: maskNumber(v.from),
          to: v.to,
          routedBy: v.routedBy,
          routeKey: v.routeKey,
          subCode: v.subCode,
          parts: v.partsTotal,
          partsReceived: v.partsReceived,
          partial: v.partsReceived < v.partsTotal,
          receivedAt: iso(v.receivedAt),
          ...(withBodies ? { text: v.text } : {}),
        })),
        nextCursor: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );
}
