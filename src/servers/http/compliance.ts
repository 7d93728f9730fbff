// Compliance on the wire, the tenant's side: tenants submit signatures and templates and manage
// opt-outs and consents (operators decide them: compliance-review.ts).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.ts';
import { MESSAGE_CLASSES } from '../../core/billing/rating.ts';
import { normaliseNumber } from '../../core/phone.ts';
import { parseSignature } from '../../core/compliance/signatures.ts';
import { parseTemplate } from '../../core/compliance/templates.ts';
import type { ComplianceStore, Signature, Template } from '../../services/compliance.ts';
import type { AuditStore } from '../../services/repositories.ts';
import { actorOf } from './auth.ts';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { iso } from './wire.ts';

export const Id = Type.Object({ id: Type.String() });
// Lists come as JSON `{numbers, evidence}` or as CSV (`text/csv`: number[,evidence] per line, a header allowed).
const NumbersJson = Type.Object(
  {
    numbers: Type.Array(Type.String({ maxLength: 32 }), { minItems: 1, maxItems: 10000 }),
    evidence: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const sigView = (s: Signature) => ({
  id: s.id,
  text: s.text,
  proofRef: s.proofRef,
  default: s.isDefault,
  status: s.status,
  reason: s.reason,
  createdAt: iso(s.createdAt),
  reviewedAt: iso(s.reviewedAt),
});
export const tplView = (t: Template) => ({
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
  store: ComplianceStore;
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
}
