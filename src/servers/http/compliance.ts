// Compliance on the wire: tenants submit signatures and templates and manage opt-outs and
// consents; operator reviewers decide signatures, templates and held messages, and keep the
// content rules and the block list.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.ts';
import { MESSAGE_CLASSES } from '../../core/billing/rating.ts';
import { normaliseNumber } from '../../core/phone.ts';
import { compileRules, type ContentRule } from '../../core/compliance/content-filter.ts';
import { parseSignature } from '../../core/compliance/signatures.ts';
import { parseTemplate } from '../../core/compliance/templates.ts';
import { DEFAULT_CAPS, type FrequencyCaps } from '../../core/compliance/frequency.ts';
import type { ComplianceService } from '../../services/compliance.ts';
import type { AuditStore } from '../../store/audit.ts';
import type { ComplianceStore, ReviewItem, Signature, Template } from '../../store/compliance.ts';
import type { MessageStore } from '../../store/messages.ts';
import { actorOf } from './auth.ts';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { iso } from './wire.ts';

const Id = Type.Object({ id: Type.String() });
const Decision = Type.Object(
  {
    decision: Type.String({ enum: ['approved', 'rejected'] }),
    reason: Type.String({ maxLength: 500 }),
  },
  { additionalProperties: false },
);
// Lists come as JSON `{numbers, evidence}` or as CSV (`text/csv`: number[,evidence] per line, a header allowed).
const NumbersJson = Type.Object(
  {
    numbers: Type.Array(Type.String({ maxLength: 32 }), { minItems: 1, maxItems: 10000 }),
    evidence: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

const sigView = (s: Signature) => ({
  id: s.id,
  text: s.text,
  proofRef: s.proofRef,
  default: s.isDefault,
  status: s.status,
  reason: s.reason,
  createdAt: iso(s.createdAt),
  reviewedAt: iso(s.reviewedAt),
});
const tplView = (t: Template) => ({
  id: t.id,
  name: t.name,
  body: t.body,
  variables: t.variables,
  class: t.class,
  status: t.status,
  reason: t.reason,
  createdAt: iso(t.createdAt),
  reviewedAt: iso(t.reviewedAt),
});
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

const Numbers = Type.Union([NumbersJson, Type.String({ maxLength: 2_000_000 })]);

function listFrom(body: unknown): {
  numbers: string[];
  evidence: string | undefined;
  perRow: Map<string, string>;
} {
  if (typeof body !== 'string') {
    const b = body as { numbers: string[]; evidence?: string };
    return { numbers: b.numbers, evidence: b.evidence, perRow: new Map() };
  }
  let rows: string[][];
  try {
    rows = parse(body, {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
    }) as string[][];
  } catch (err) {
    throw new DomainError(
      'invalid_request',
      `the CSV could not be read: ${(err as Error).message}`,
      { field: 'body' },
    );
  }
  if (rows[0]?.[0] && /^(number|phone|mobile|手机|号码)/i.test(rows[0][0])) rows = rows.slice(1);
  if (rows.length === 0 || rows.length > 10_000)
    throw new DomainError('invalid_request', 'the CSV must have 1 to 10,000 numbers', {
      field: 'body',
    });
  const perRow = new Map<string, string>();
  for (const r of rows) if (r[1]) perRow.set(r[0]!, r[1]);
  return { numbers: rows.map((r) => r[0]!), evidence: undefined, perRow };
}

export interface ComplianceRouteDeps {
  db: Kysely<Database>;
  store: ComplianceStore;
  compliance: ComplianceService;
  messages: MessageStore;
  audit: AuditStore;
  defaultRegion: string;
}

export function complianceRoutes(app: FastifyInstance, deps: ComplianceRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'string', bodyLimit: 2_000_000 },
    (_req, body, done) => done(null, body),
  );
  const e164 = (n: string) => {
    const x = normaliseNumber(n, deps.defaultRegion);
    if (!x.ok) throw new DomainError('invalid_number', x.detail, { field: 'numbers' });
    return x.e164;
  };

  r.get(
    '/v1/signatures',
    { config: { access: 'compliance.manage' }, schema: { tags: ['compliance'] } },
    async (req) => ({ data: (await deps.store.signatures(req.tenant!.id)).map(sigView) }),
  );
  r.post(
    '/v1/signatures',
    {
      config: { access: 'compliance.manage' },
      schema: {
        summary: 'Submit a signature (【…】) for review',
        tags: ['compliance'],
        body: Type.Object(
          {
            text: Type.String({ maxLength: 40 }),
            proofRef: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const text = parseSignature(req.body.text);
      const s = await deps.store.addSignature(req.tenant!.id, text, req.body.proofRef ?? null);
      await deps.audit.record({
        tenantId: req.tenant!.id,
        actor: actorOf(req),
        action: 'signature.submitted',
        targetType: 'signature',
        targetId: s.id,
        details: { text },
      });
      return reply.code(201).send(sigView(s));
    },
  );
  r.post(
    '/v1/signatures/:id/default',
    {
      config: { access: 'compliance.manage' },
      schema: {
        summary: 'Use this approved signature when a message has none',
        tags: ['compliance'],
        params: Id,
      },
    },
    async (req, reply) => {
      if (!(await deps.store.setDefaultSignature(req.tenant!.id, req.params.id)))
        throw new DomainError('not_found', `no approved signature ${req.params.id}`);
      return reply.code(204).send();
    },
  );

  r.get(
    '/v1/templates',
    { config: { access: 'compliance.manage' }, schema: { tags: ['compliance'] } },
    async (req) => ({ data: (await deps.store.templates(req.tenant!.id)).map(tplView) }),
  );
  r.post(
    '/v1/templates',
    {
      config: { access: 'compliance.manage' },
      schema: {
        summary: 'Submit a template (variables as ${name}) for review',
        tags: ['compliance'],
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            body: Type.String({ maxLength: 1000 }),
            class: Type.String({ enum: [...MESSAGE_CLASSES] }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const parsed = parseTemplate(req.body.body);
      const t = await deps.store.addTemplate(req.tenant!.id, {
        name: req.body.name,
        body: parsed.body,
        variables: parsed.variables,
        class: req.body.class,
      });
      await deps.audit.record({
        tenantId: req.tenant!.id,
        actor: actorOf(req),
        action: 'template.submitted',
        targetType: 'template',
        targetId: t.id,
      });
      return reply.code(201).send(tplView(t));
    },
  );

  r.get(
    '/v1/opt-outs',
    {
      config: { access: 'compliance.manage' },
      schema: {
        summary: 'Numbers that opted out (?format=csv)',
        tags: ['compliance'],
        querystring: Type.Object({ format: Type.Optional(Type.String({ enum: ['json', 'csv'] })) }),
      },
    },
    async (req, reply) => {
      const rows = await deps.store.optOuts(req.tenant!.id);
      if (req.query.format === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .send(
            [
              'number,source,created_at',
              ...rows.map((o) => `${o.number},${o.source},${iso(o.createdAt)}`),
            ].join('\n') + '\n',
          );
      return {
        data: rows.map((o) => ({
          number: o.number,
          source: o.source,
          createdAt: iso(o.createdAt),
        })),
      };
    },
  );
  r.post(
    '/v1/opt-outs',
    {
      config: { access: 'compliance.manage' },
      schema: { summary: 'Import opt-outs', tags: ['compliance'], body: Numbers },
    },
    async (req, reply) => {
      const numbers = listFrom(req.body).numbers.map(e164);
      let added = 0;
      for (const n of numbers) if (await deps.store.optOut(req.tenant!.id, n, 'import')) added += 1;
      return reply.code(201).send({ added });
    },
  );
  r.delete(
    '/v1/opt-outs/:number',
    {
      config: { access: 'compliance.manage' },
      schema: {
        summary: 'Re-subscribe a number (needs a consent on record)',
        tags: ['compliance'],
        params: Type.Object({ number: Type.String({ maxLength: 32 }) }),
      },
    },
    async (req, reply) => {
      const n = e164(req.params.number);
      const r2 = await deps.store.resubscribe(req.tenant!.id, n);
      if (r2 === 'no_consent')
        throw new DomainError(
          'conflict',
          `${n} can be re-subscribed only with a recorded consent (POST /v1/consents)`,
          { field: 'number' },
        );
      if (r2 === 'not_opted_out')
        throw new DomainError('not_found', `${n} is not on the opt-out list`);
      await deps.audit.record({
        tenantId: req.tenant!.id,
        actor: actorOf(req),
        action: 'opt_out.resubscribed',
        targetType: 'number',
        targetId: n,
      });
      return reply.code(204).send();
    },
  );
  r.get(
    '/v1/consents',
    {
      config: { access: 'compliance.manage' },
      schema: {
        summary: 'Consents on record (?format=csv)',
        tags: ['compliance'],
        querystring: Type.Object({ format: Type.Optional(Type.String({ enum: ['json', 'csv'] })) }),
      },
    },
    async (req, reply) => {
      const rows = await deps.store.consents(req.tenant!.id);
      if (req.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .send(
            '\ufeff' +
              stringify([
                ['number', 'evidence', 'created_at'],
                ...rows.map((c) => [c.number, c.evidence, iso(c.createdAt) ?? '']),
              ]),
          );
      }
      return {
        data: rows.map((c) => ({
          number: c.number,
          evidence: c.evidence,
          createdAt: iso(c.createdAt),
        })),
      };
    },
  );
  r.post(
    '/v1/consents',
    {
      config: { access: 'compliance.manage' },
      schema: {
        summary: 'Record consents (with what proves them)',
        tags: ['compliance'],
        body: Numbers,
      },
    },
    async (req, reply) => {
      const list = listFrom(req.body);
      const rows = list.numbers.map((n) => ({
        number: e164(n),
        evidence: (list.perRow.get(n) ?? list.evidence ?? '').trim(),
      }));
      if (rows.some((x) => !x.evidence)) {
        throw new DomainError(
          'invalid_request',
          'every consent needs evidence (e.g. "signed up on the web shop 2026-11-02")',
          { field: 'evidence' },
        );
      }
      const added = await deps.store.addConsents(req.tenant!.id, rows);
      return reply.code(201).send({ added });
    },
  );

  // Operator side.
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
      const t = await deps.db
        .selectFrom('tenants')
        .select(['free_text_classes', 'frequency_caps'])
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (!t) throw new DomainError('not_found', `no tenant ${req.params.id}`);
      return {
        freeTextClasses: MESSAGE_CLASSES.filter((c) => t.free_text_classes.split(',').includes(c)),
        frequencyCaps: t.frequency_caps
          ? (JSON.parse(t.frequency_caps) as Record<string, FrequencyCaps>)
          : null,
        // What a class without its own caps gets (src/core/compliance/frequency.ts).
        defaultFrequencyCaps: DEFAULT_CAPS,
      };
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
      const b = req.body;
      const set: { free_text_classes?: string; frequency_caps?: string | null } = {};
      if (b.freeTextClasses) set.free_text_classes = [...new Set(b.freeTextClasses)].join(',');
      if (b.frequencyCaps !== undefined)
        set.frequency_caps = b.frequencyCaps === null ? null : JSON.stringify(b.frequencyCaps);
      const r2 = await deps.db
        .updateTable('tenants')
        .set(set)
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (Number(r2.numUpdatedRows) !== 1)
        throw new DomainError('not_found', `no tenant ${req.params.id}`);
      await deps.audit.record({
        tenantId: req.params.id,
        actor: actorOf(req),
        action: 'compliance.policy_set',
        targetType: 'tenant',
        targetId: req.params.id,
        details: b as Record<string, unknown>,
      });
      return reply.code(204).send();
    },
  );

  r.post(
    '/v1/admin/block-list',
    {
      config: { access: 'admin.compliance' },
      schema: {
        summary: 'Block a number for every tenant',
        tags: ['admin', 'compliance'],
        body: Type.Object(
          {
            number: Type.String({ maxLength: 32 }),
            reason: Type.String({ minLength: 1, maxLength: 500 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const n = e164(req.body.number);
      await deps.store.block(n, req.body.reason);
      await deps.audit.record({
        tenantId: null,
        actor: actorOf(req),
        action: 'block_list.added',
        targetType: 'number',
        targetId: n,
        details: { reason: req.body.reason },
      });
      return reply.code(204).send();
    },
  );
}
