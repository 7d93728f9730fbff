// Compliance, the operator's side: reviewers decide tenants' signatures and templates and the
// messages held for review, keep the content rules and set each tenant's policy.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.ts';
import { MESSAGE_CLASSES } from '../../core/billing/rating.ts';
import { compileRules, type ContentRule } from '../../core/compliance/content-filter.ts';
import { DEFAULT_CAPS } from '../../core/compliance/frequency.ts';
import type { ComplianceService, ComplianceStore, ReviewItem } from '../../services/compliance.ts';
import { setTenantPolicy, tenantPolicy } from '../../services/compliance-policy.ts';
import type { AuditStore, Database, MessageStore } from '../../services/repositories.ts';
import type { Kysely } from 'kysely';
import { actorOf } from './auth.ts';
import { Id, sigView, tplView } from './compliance.ts';
import { iso } from './wire.ts';

const Decision = Type.Object(
  {
    decision: Type.String({ enum: ['approved', 'rejected'] }),
    reason: Type.String({ maxLength: 500 }),
  },
  { additionalProperties: false },
);

const revView = (r: ReviewItem) => ({
  id: r.id,
  tenantId: r.tenantId,
  batchId: r.batchId,
  messages: r.messages,
  rule: r.ruleId,
  category: r.category,
  matched: r.matched,
  status: r.status,
  reason: r.reason,
  createdAt: iso(r.createdAt),
  decidedAt: iso(r.decidedAt),
  expiresAt: iso(r.expiresAt),
});

export interface ComplianceReviewDeps {
  db: Kysely<Database>;
  store: ComplianceStore;
  compliance: ComplianceService;
  messages: MessageStore;
  audit: AuditStore;
}

export function complianceReviewRoutes(app: FastifyInstance, deps: ComplianceReviewDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  for (const kind of ['signatures', 'templates'] as const) {
    r.get(
      `/v1/admin/${kind}`,
      {
        config: { access: 'admin.compliance' },
        schema: {
          tags: ['admin', 'compliance'],
          querystring: Type.Object({
            status: Type.Optional(Type.String({ enum: ['pending', 'approved', 'rejected'] })),
          }),
        },
      },
      async (req) => ({
        data:
          kind === 'signatures'
            ? (await deps.store.signatures(undefined, req.query.status)).map((s) => ({
                ...sigView(s),
                tenantId: s.tenantId,
              }))
            : (await deps.store.templates(undefined, req.query.status)).map((t) => ({
                ...tplView(t),
                tenantId: t.tenantId,
              })),
      }),
    );
    r.post(
      `/v1/admin/${kind}/:id/decision`,
      {
        config: { access: 'admin.compliance' },
        schema: {
          summary: `Approve or reject (once)`,
          tags: ['admin', 'compliance'],
          params: Id,
          body: Decision,
        },
      },
      async (req, reply) => {
        if (req.body.decision === 'rejected' && !req.body.reason.trim())
          throw new DomainError('invalid_request', 'a rejection needs a reason', {
            field: 'reason',
          });
        const item =
          kind === 'signatures'
            ? await deps.store.signature(req.params.id)
            : await deps.store.template(req.params.id);
        if (!item)
          throw new DomainError('not_found', `no such ${kind.slice(0, -1)} ${req.params.id}`);
        if (
          !(await deps.store.decide(
            kind,
            req.params.id,
            req.body.decision as 'approved' | 'rejected',
            req.body.reason,
            actorOf(req).id,
          ))
        )
          throw new DomainError('already_decided', `${req.params.id} was already ${item.status}`);
        await deps.audit.record({
          tenantId: item.tenantId,
          actor: actorOf(req),
          action: `${kind.slice(0, -1)}.${req.body.decision}`,
          targetType: kind.slice(0, -1),
          targetId: item.id,
          details: { reason: req.body.reason },
        });
        return reply.code(204).send();
      },
    );
  }

  r.get(
    '/v1/admin/content-rules',
    { config: { access: 'admin.compliance' }, schema: { tags: ['admin', 'compliance'] } },
    async () => ({ data: await deps.store.contentRules() }),
  );
  r.put(
    '/v1/admin/content-rules',
    {
      config: { access: 'admin.compliance' },
      schema: {
        summary: 'Replace the prohibited-content list',
        tags: ['admin', 'compliance'],
        body: Type.Object(
          {
            rules: Type.Array(
              Type.Object(
                {
                  id: Type.String({ maxLength: 64 }),
                  term: Type.String({ maxLength: 100 }),
                  category: Type.String(),
                  action: Type.String(),
                },
                { additionalProperties: false },
              ),
              { maxItems: 200000 },
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      compileRules(req.body.rules as ContentRule[]); // refuses empty terms, unknown categories/actions, with the field
      await deps.store.replaceContentRules(req.body.rules);
      deps.compliance.invalidate();
      await deps.audit.record({
        tenantId: null,
        actor: actorOf(req),
        action: 'content_rules.replaced',
        details: { count: req.body.rules.length },
      });
      return reply.code(204).send();
    },
  );

  r.get(
    '/v1/admin/reviews',
    {
      config: { access: 'admin.compliance' },
      schema: {
        summary: 'Held messages waiting for a reviewer',
        tags: ['admin', 'compliance'],
        querystring: Type.Object({
          status: Type.Optional(
            Type.String({ enum: ['pending', 'approved', 'rejected', 'expired'] }),
          ),
        }),
      },
    },
    async (req) => ({
      data: (await deps.store.reviewItems(req.query.status ?? 'pending')).map(revView),
    }),
  );
  r.post(
    '/v1/admin/reviews/:id/decision',
    {
      config: { access: 'admin.compliance' },
      schema: {
        summary: 'Approve (they are sent) or reject (they fail with content_rejected)',
        tags: ['admin', 'compliance'],
        params: Id,
        body: Decision,
      },
    },
    async (req) => {
      if (req.body.decision === 'rejected' && !req.body.reason.trim())
        throw new DomainError('invalid_request', 'a rejection needs a reason', { field: 'reason' });
      const item = await deps.compliance.decideReview(
        deps.messages,
        req.params.id,
        req.body.decision as 'approved' | 'rejected',
        req.body.reason,
        actorOf(req).id,
      );
      await deps.audit.record({
        tenantId: item.tenantId,
        actor: actorOf(req),
        action: `review.${req.body.decision}`,
        targetType: 'batch',
        targetId: item.batchId,
        details: { reason: req.body.reason },
      });
      return revView(item);
    },
  );

  r.get(
    '/v1/admin/tenants/:id/compliance',
    {
      config: { access: 'admin.compliance' },
      schema: {
        summary:
          'A tenant’s policy in the shape PUT takes (frequencyCaps null: the defaults, given beside it)',
        tags: ['admin', 'compliance'],
        params: Id,
      },
    },
    async (req) => {
      const policy = await tenantPolicy(deps.db, req.params.id);
      // What a class without its own caps gets (src/core/compliance/frequency.ts).
      return { ...policy, defaultFrequencyCaps: DEFAULT_CAPS };
    },
  );

  r.put(
    '/v1/admin/tenants/:id/compliance',
    {
      config: { access: 'admin.compliance' },
      schema: {
        summary: 'A tenant’s policy: classes allowed free text; frequency caps per class',
        tags: ['admin', 'compliance'],
        params: Id,
        body: Type.Object(
          {
            freeTextClasses: Type.Optional(
              Type.Array(Type.String({ enum: [...MESSAGE_CLASSES] }), { maxItems: 3 }),
            ),
            frequencyCaps: Type.Optional(
              Type.Union([
                Type.Null(),
                Type.Record(
                  Type.String({ enum: [...MESSAGE_CLASSES] }),
                  Type.Object(
                    {
                      perMinute: Type.Integer({ minimum: 1 }),
                      perHour: Type.Integer({ minimum: 1 }),
                      perDay: Type.Integer({ minimum: 1 }),
                      sameTextMinutes: Type.Integer({ minimum: 0 }),
                    },
                    { additionalProperties: false },
                  ),
                ),
              ]),
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      await setTenantPolicy(deps, req.params.id, req.body, actorOf(req));
      return reply.code(204).send();
    },
  );
}
