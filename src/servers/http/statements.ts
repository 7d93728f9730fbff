// Monthly statements: JSON, CSV, XLSX and a printable page, for the tenant and for the operator.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { formatAmount } from '../../core/billing/money.ts';
import type { Statement } from '../../core/billing/statement.ts';
import type { Locale } from '../../core/i18n/index.ts';
import { statementCsv, statementHtml, statementXlsx } from '../../reports/statement-files.ts';
import { statementFor, type StatementDeps } from '../../services/statements.ts';
import type { TenantStore } from '../../services/accounts.ts';
import { actorOf } from './auth.ts';
import type { AuditStore } from '../../services/repositories.ts';

const Format = Type.Object(
  { format: Type.Optional(Type.String({ enum: ['json', 'csv', 'xlsx', 'html'] })) },
  { additionalProperties: false },
);

export function statementRoutes(
  app: FastifyInstance,
  deps: StatementDeps & { tenants: TenantStore; audit: AuditStore },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/v1/statements',
    {
      config: { access: 'account.read' },
      schema: { summary: 'Months with a kept statement', tags: ['billing'] },
    },
    async (req) => ({
      data: await deps.statements.months(req.tenant!.id),
    }),
  );

  r.get(
    '/v1/statements/:month',
    {
      config: { access: 'account.read' },
      schema: {
        summary: 'A month’s statement (对账单): ?format=json|csv|xlsx|html',
        tags: ['billing'],
        params: Type.Object({ month: Type.String({ maxLength: 7 }) }),
        querystring: Format,
      },
    },
    async (req, reply) =>
      send(
        reply,
        await statementFor(deps, req.tenant!, req.params.month),
        req.tenant!.locale,
        req.query.format,
      ),
  );

  r.get(
    '/v1/admin/tenants/:id/statements/:month',
    {
      config: { access: 'admin.billing' },
      schema: {
        summary: 'A tenant’s statement for a month',
        tags: ['admin', 'billing'],
        params: Type.Object({ id: Type.String(), month: Type.String({ maxLength: 7 }) }),
        querystring: Format,
      },
    },
    async (req, reply) => {
      const tenant = await deps.tenants.get(req.params.id);
      await deps.audit.record({
        tenantId: tenant.id,
        actor: actorOf(req),
        action: 'operator.read_statement',
        targetType: 'tenant',
        targetId: tenant.id,
        details: { month: req.params.month },
      });
      return send(
        reply,
        await statementFor(deps, tenant, req.params.month),
        tenant.locale,
        req.query.format,
      );
    },
  );
}

/** Files are labelled in the tenant's language; the JSON form has no labels. */
async function send(
  reply: FastifyReply,
  s: Statement,
  locale: Locale,
  format = 'json',
): Promise<FastifyReply> {
  const name = `statement-${s.tenantId}-${s.month}`;
  switch (format) {
    case 'csv':
      return reply
        .type('text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="${name}.csv"`)
        .send(statementCsv(s, locale));
    case 'xlsx':
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('Content-Disposition', `attachment; filename="${name}.xlsx"`)
        .send(await statementXlsx(s, locale));
    case 'html':
      return reply.type('text/html; charset=utf-8').send(statementHtml(s, locale));
    default: {
      const m = (v: number) => ({ amount: formatAmount(v), currency: s.currency });
      return reply.send({
        tenantId: s.tenantId,
        tenantName: s.tenantName,
        month: s.month,
        from: s.from,
        to: s.to,
        opening: m(s.opening),
        recharges: m(s.recharges),
        charges: m(s.charges),
        refunds: m(s.refunds),
        fees: m(s.fees),
        adjustments: m(s.adjustments),
        closing: m(s.closing),
        heldAtClose: m(s.heldAtClose),
        lines: s.lines.map((l) => ({
          class: l.class,
          destination: l.destination,
          parts: l.parts,
          amount: m(l.amount),
        })),
        generatedAt: s.generatedAt,
      });
    }
  }
}
