// Contracts: the operator signs them for a tenant; the tenant sees its period and package.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { money } from '../../core/billing/money.ts';
import { signContract, type Contract, type ContractDeps } from '../../services/contracts.ts';
import { actorOf } from './auth.ts';
import { iso } from './wire.ts';

function view(c: Contract, currency: string) {
  return {
    id: c.id,
    number: c.number,
    startDate: c.startDate,
    endDate: c.endDate,
    autoRenew: c.autoRenew,
    renewMonths: c.renewMonths,
    package:
      c.quota === null
        ? null
        : { parts: c.quota, used: c.quotaUsed, remaining: c.quota - c.quotaUsed },
    fees: c.fees.map((f) => ({ name: f.name, when: f.when, amount: money(f.amount, currency) })),
    createdAt: iso(c.createdAt),
  };
}

export function contractRoutes(app: FastifyInstance, deps: ContractDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/v1/contracts',
    {
      config: { access: 'account.read' },
      schema: { summary: 'My service contracts, latest first', tags: ['billing'] },
    },
    async (req) => ({
      data: (await deps.contracts.list(req.tenant!.id)).map((c) => view(c, req.tenant!.currency)),
    }),
  );

  r.get(
    '/v1/admin/tenants/:id/contracts',
    {
      config: { access: 'admin.billing' },
      schema: { tags: ['admin', 'billing'], params: Type.Object({ id: Type.String() }) },
    },
    async (req) => {
      const tenant = await deps.tenants.get(req.params.id);
      return { data: (await deps.contracts.list(tenant.id)).map((c) => view(c, tenant.currency)) };
    },
  );

  r.post(
    '/v1/admin/tenants/:id/contracts',
    {
      config: { access: 'admin.billing' },
      schema: {
        summary:
          'Sign a contract: period, optional package of parts, fee items (signing fees are charged now), auto-renewal',
        tags: ['admin', 'billing'],
        params: Type.Object({ id: Type.String() }),
        body: Type.Object(
          {
            number: Type.String({ maxLength: 64 }),
            startDate: Type.String({ maxLength: 10 }),
            endDate: Type.String({ maxLength: 10 }),
            quota: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
            fees: Type.Optional(
              Type.Array(
                Type.Object(
                  {
                    name: Type.String({ maxLength: 100 }),
                    amount: Type.String({ maxLength: 24 }),
                    when: Type.String(),
                  },
                  { additionalProperties: false },
                ),
                { maxItems: 20 },
              ),
            ),
            autoRenew: Type.Optional(Type.Boolean()),
            renewMonths: Type.Optional(Type.Integer()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const tenant = await deps.tenants.get(req.params.id);
      const c = await signContract(deps, tenant, req.body as Record<string, unknown>, actorOf(req));
      return reply.code(201).send(view(c, tenant.currency));
    },
  );
}
