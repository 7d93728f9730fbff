// Recharge requests on the wire (docs/billing.md, "Recharge requests"): a tenant submits one as
// multipart/form-data (amount, paymentReference, note, proof file) and follows it; an operator
// lists, downloads the proof, confirms (into one ledger recharge) or rejects.
//
// Only the submit route reads multipart: @fastify/multipart is registered in a scope of its own,
// so every other route stays JSON-only. The form's fields are put on the body (`keyValues`, the
// file as a Buffer) and checked by the same closed schema as a JSON body (accepted too, without a
// file): an unknown field or a second file is refused, named.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.ts';
import { localizedError } from '../../core/i18n/index.ts';
import { money } from '../../core/billing/money.ts';
import { PROOF_MAX_BYTES } from '../../core/billing/recharge-request.ts';
import * as service from '../../services/recharge-requests.ts';
import type { RechargeRequest } from '../../services/recharge-requests.ts';
import type { TenantStore } from '../../services/accounts.ts';
import { actorOf } from './auth.ts';
import { errorHandler } from './problem.ts';
import { iso, parseLimit } from './wire.ts';

export interface RechargeRequestHttpDeps extends service.RechargeRequestDeps {
  tenants: TenantStore;
}

const Id = Type.Object({ id: Type.String({ maxLength: 40 }) });
const Page = {
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
  after: Type.Optional(Type.String({ maxLength: 40 })),
};
const Status = Type.String({ enum: ['pending', 'confirmed', 'rejected'] });

const EXTENSION: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'application/pdf': 'pdf',
};

export function rechargeRequestView(r: RechargeRequest) {
  return {
    id: r.id,
    tenantId: r.tenantId,
    amount: money(r.amount, r.currency),
    paymentReference: r.paymentReference,
    note: r.note,
    status: r.status,
    proof: r.proofType ? { type: r.proofType, bytes: r.proofSize } : null,
    createdAt: iso(r.createdAt),
    decidedAt: iso(r.decidedAt),
    credited: r.creditedAmount === null ? null : money(r.creditedAmount, r.currency),
    ledgerEntryId: r.ledgerEntryId,
    rejectReason: r.rejectReason,
  };
}

export function rechargeRequestRoutes(app: FastifyInstance, deps: RechargeRequestHttpDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  // The one multipart route, in its own scope.
  app.register(async (scope) => {
    await scope.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: {
        fileSize: PROOF_MAX_BYTES,
        files: 1,
        fields: 3,
        parts: 4,
        fieldNameSize: 64,
        fieldSize: 8 * 1024,
        headerPairs: 50,
      },
    });
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/v1/recharge-requests',
      {
        config: { access: 'account.manage' },
        errorHandler: uploadErrors,
        schema: {
          summary:
            'Ask the operator to credit a bank transfer (multipart/form-data; proof: PNG, JPEG or PDF, at most 5 MB)',
          tags: ['billing'],
          consumes: ['multipart/form-data', 'application/json'],
          body: Type.Object(
            {
              amount: Type.String({
                maxLength: 24,
                description: 'In the account’s currency, e.g. "1000.00"',
              }),
              paymentReference: Type.String({
                maxLength: 64,
                description: 'The bank transfer’s reference',
              }),
              note: Type.Optional(Type.String({ maxLength: 500 })),
              proof: Type.Optional(
                Type.Unsafe<Buffer>({
                  type: 'object',
                  description: 'A file: PNG, JPEG or PDF (checked by its content), at most 5 MB',
                }),
              ),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const b = req.body;
        // Only a form carries a file: `proof` in JSON is not one.
        if (b.proof !== undefined && !Buffer.isBuffer(b.proof))
          throw new DomainError('invalid_request', 'send the proof as a file in a form', {
            field: 'proof',
          });
        const request = await service.submitRechargeRequest(
          deps,
          req.tenant!,
          {
            amount: b.amount,
            paymentReference: b.paymentReference,
            ...(b.note !== undefined ? { note: b.note } : {}),
            ...(b.proof !== undefined ? { proof: b.proof } : {}),
          },
          actorOf(req),
        );
        return reply.code(201).send(rechargeRequestView(request));
      },
    );
  });

  r.get(
    '/v1/recharge-requests',
    {
      config: { access: 'account.read' },
      schema: {
        summary: 'My recharge requests, newest first',
        tags: ['billing'],
        querystring: Type.Object({ ...Page, status: Type.Optional(Status) }),
      },
    },
    async (req) => {
      const limit = parseLimit(req.query.limit, 50, 200);
      const rows = await deps.requests.list({
        tenantId: req.tenant!.id,
        limit,
        ...(req.query.status ? { status: req.query.status as RechargeRequest['status'] } : {}),
        ...(req.query.after ? { after: req.query.after } : {}),
      });
      return {
        data: rows.map(rechargeRequestView),
        nextCursor: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  r.get(
    '/v1/recharge-requests/:id/proof',
    {
      config: { access: 'account.read' },
      schema: { summary: 'The proof file of my recharge request', tags: ['billing'], params: Id },
    },
    async (req, reply) => sendProof(reply, req.params.id, req.tenant!.id),
  );

  r.get(
    '/v1/admin/recharge-requests',
    {
      config: { access: 'admin.billing' },
      schema: {
        summary: 'Recharge requests of every tenant, newest first: ?status=&tenantId=',
        tags: ['admin', 'billing'],
        querystring: Type.Object({
          ...Page,
          status: Type.Optional(Status),
          tenantId: Type.Optional(Type.String({ maxLength: 40 })),
        }),
      },
    },
    async (req) => {
      const limit = parseLimit(req.query.limit, 50, 200);
      const rows = await deps.requests.list({
        limit,
        ...(req.query.tenantId ? { tenantId: req.query.tenantId } : {}),
        ...(req.query.status ? { status: req.query.status as RechargeRequest['status'] } : {}),
        ...(req.query.after ? { after: req.query.after } : {}),
      });
      const names = new Map<string, string | null>();
      for (const id of new Set(rows.map((x) => x.tenantId)))
        names.set(id, (await deps.tenants.find(id))?.name ?? null);
      return {
        data: rows.map((x) => ({ ...rechargeRequestView(x), tenantName: names.get(x.tenantId) })),
        nextCursor: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  r.get(
    '/v1/admin/recharge-requests/:id/proof',
    {
      config: { access: 'admin.billing' },
      schema: {
        summary: 'The proof file of a recharge request',
        tags: ['admin', 'billing'],
        params: Id,
      },
    },
    async (req, reply) => sendProof(reply, req.params.id),
  );

  r.post(
    '/v1/admin/recharge-requests/:id/confirm',
    {
      config: { access: 'admin.billing' },
      // No body at all is the same as `{}`: confirm for the amount asked.
      preValidation: async (req) => {
        req.body ??= {};
      },
      schema: {
        summary:
          'Confirm a recharge request into one ledger recharge (optionally for the amount the bank shows)',
        tags: ['admin', 'billing'],
        params: Id,
        body: Type.Object(
          {
            amount: Type.Optional(
              Type.String({ maxLength: 24, description: 'A correction of the amount asked' }),
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const { request, balance } = await service.confirmRechargeRequest(
        deps,
        req.params.id,
        req.body.amount,
        actorOf(req),
      );
      return {
        ...rechargeRequestView(request),
        balance: {
          available: money(balance.available, request.currency),
          held: money(balance.held, request.currency),
        },
      };
    },
  );

  r.post(
    '/v1/admin/recharge-requests/:id/reject',
    {
      config: { access: 'admin.billing' },
      schema: {
        summary: 'Reject a recharge request, with the reason the tenant is told',
        tags: ['admin', 'billing'],
        params: Id,
        body: Type.Object(
          { reason: Type.String({ maxLength: 500 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) =>
      rechargeRequestView(
        await service.rejectRechargeRequest(deps, req.params.id, req.body.reason, actorOf(req)),
      ),
  );

  async function sendProof(reply: FastifyReply, id: string, tenantId?: string) {
    const proof = await deps.requests.proof(id, tenantId);
    if (proof === undefined) throw new DomainError('not_found', `no recharge request ${id}`);
    if (proof === null) throw new DomainError('not_found', `recharge request ${id} has no proof`);
    return reply
      .type(proof.type)
      .header(
        'Content-Disposition',
        `attachment; filename="${id}.${EXTENSION[proof.type] ?? 'bin'}"`,
      )
      .header('X-Content-Type-Options', 'nosniff')
      .header('Cache-Control', 'private, no-store')
      .send(proof.data);
  }
}

/** The upload's own failures (size, count, content type) as the problems the API names. */
function uploadErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  switch (err.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return errorHandler(
        localizedError(
          'payload_too_large',
          'http.proof_too_large',
          { max: PROOF_MAX_BYTES / 1024 / 1024 },
          { field: 'proof' },
        ),
        req,
        reply,
      );
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_PROTO_VIOLATION':
      return errorHandler(
        localizedError('invalid_request', 'http.too_many_parts', {}, { in: 'body' }),
        req,
        reply,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return errorHandler(
        localizedError('unsupported_media_type', 'http.multipart_expected'),
        req,
        reply,
      );
  }
  return errorHandler(err, req, reply);
}
