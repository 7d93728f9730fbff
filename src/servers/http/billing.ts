// Money on the wire: a tenant's balance, ledger and prices; the operator's recharges, price plans
// and the reconciliation check.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.ts';
import { formatAmount, money, parseAmount } from '../../core/billing/money.ts';
import { parsePlan, type PriceRule } from '../../core/billing/rating.ts';
import type { Kysely } from 'kysely';
import type {
  AuditStore,
  Database,
  LedgerEntry,
  LedgerStore,
  PricePlanStore,
} from '../../services/repositories.ts';
import type { TenantStore } from '../../services/accounts.ts';
import { lowBalanceThreshold, setLowBalanceThreshold } from '../../services/low-balance.ts';
import { sentNotices } from '../../services/notification-log.ts';
import { actorOf } from './auth.ts';
import { iso } from './wire.ts';

const Id = Type.Object({ id: Type.String() });
const Page = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
    before: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
    kind: Type.Optional(Type.String({ maxLength: 20 })),
  },
  { additionalProperties: false },
);

export interface BillingDeps {
  db: Kysely<Database>;
  ledger: LedgerStore;
  prices: PricePlanStore;
  tenants: TenantStore;
  audit: AuditStore;
}

export function billingRoutes(app: FastifyInstance, deps: BillingDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/v1/balance',
    {
      config: { access: 'account.read' },
      schema: {
        summary: 'Available and held balance, and the low-balance alert threshold in force',
        tags: ['billing'],
      },
    },
    async (req) => {
      const b = await deps.ledger.balance(req.tenant!.id);
      const c = req.tenant!.currency;
      const threshold = await lowBalanceThreshold(deps.db, req.tenant!.id);
      return {
        available: money(b.available, c),
        held: money(b.held, c),
        total: money(b.available + b.held, c),
        lowBalanceThreshold: threshold === null ? null : money(threshold, c),
      };
    },
  );

  r.get(
    '/v1/ledger',
    {
      config: { access: 'account.read' },
      schema: { summary: 'Ledger entries, newest first', tags: ['billing'], querystring: Page },
    },
    async (req) => {
      const limit = Math.min(500, Math.max(1, Number(req.query.limit ?? 100)));
      const rows = await deps.ledger.entries(req.tenant!.id, {
        limit,
        ...(req.query.before ? { before: Number(req.query.before) } : {}),
        ...(req.query.kind ? { kind: req.query.kind } : {}),
      });
      return {
        data: rows.map(entryView),
        nextBefore: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  r.get(
    '/v1/prices',
    {
      config: { access: 'account.read' },
      schema: { summary: 'My price plan: price per SMS part', tags: ['billing'] },
    },
    async (req) => {
      const plan = await deps.prices.planFor(req.tenant!.id);
      const details = await deps.tenants.details(req.tenant!.id);
      return {
        default: plan?.tenantId === null,
        chargeMode: details?.chargeMode ?? 'on_submit',
        currency: plan?.currency ?? req.tenant!.currency,
        rules: (plan?.rules ?? []).map(ruleView),
      };
    },
  );

  r.put(
    '/v1/account/low-balance-threshold',
    {
      config: { access: 'account.manage' },
      schema: {
        summary:
          'Be told (email and SMS to the contact) when the available balance falls below this; null turns it off',
        tags: ['billing'],
        body: Type.Object(
          { threshold: Type.Union([Type.String({ maxLength: 24 }), Type.Null()]) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const threshold =
        req.body.threshold === null ? null : amountField(req.body.threshold, 'threshold');
      await setLowBalanceThreshold(
        deps,
        req.tenant!.id,
        threshold,
        actorOf(req),
        req.body.threshold,
      );
      return reply.code(204).send();
    },
  );

  r.get(
    '/v1/notifications',
    {
      config: { access: 'account.read' },
      schema: {
        summary: 'Notices sent to my account, newest first',
        tags: ['account'],
        querystring: Page,
      },
    },
    async (req) => {
      const limit = Math.min(500, Math.max(1, Number(req.query.limit ?? 100)));
      const rows = await sentNotices(deps.db, req.tenant!.id, {
        limit,
        ...(req.query.before ? { before: Number(req.query.before) } : {}),
        ...(req.query.kind ? { kind: req.query.kind } : {}),
      });
      return {
        data: rows.map((n) => ({
          id: Number(n.id),
          kind: n.kind,
          channel: n.channel,
          recipient: n.recipient,
          subject: n.subject,
          text: n.body,
          status: n.status,
          detail: n.detail,
          createdAt: iso(n.created_at),
        })),
        nextBefore: rows.length === limit ? Number(rows[rows.length - 1]!.id) : null,
      };
    },
  );

  r.post(
    '/v1/admin/tenants/:id/recharges',
    {
      config: { access: 'admin.billing' },
      schema: {
        summary: 'Record a payment received from a tenant (once per payment reference)',
        tags: ['admin', 'billing'],
        params: Id,
        body: Type.Object(
          {
            amount: Type.String({ maxLength: 24 }),
            reference: Type.String({ minLength: 1, maxLength: 100 }),
            note: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const tenant = await deps.tenants.get(req.params.id);
      const amount = amountField(req.body.amount);
      const actor = actorOf(req);
      const b = await deps.ledger.recharge(
        tenant.id,
        tenant.currency,
        amount,
        req.body.reference,
        req.body.note ?? '',
        actor.id,
      );
      await deps.audit.record({
        tenantId: tenant.id,
        actor,
        action: 'billing.recharged',
        targetType: 'tenant',
        targetId: tenant.id,
        details: { amount: formatAmount(amount), reference: req.body.reference },
      });
      return reply.code(201).send({
        available: money(b.available, tenant.currency),
        held: money(b.held, tenant.currency),
      });
    },
  );

  r.post(
    '/v1/admin/tenants/:id/refunds',
    {
      config: { access: 'admin.billing' },
      schema: {
        summary:
          'Credit a tenant for the operator’s mistake: a whole batch (what was charged for it) or an amount',
        tags: ['admin', 'billing'],
        params: Id,
        body: Type.Object(
          {
            batchId: Type.Optional(Type.String({ maxLength: 40 })),
            amount: Type.Optional(Type.String({ maxLength: 24 })),
            reason: Type.String({ maxLength: 500 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const tenant = await deps.tenants.get(req.params.id);
      if ((req.body.batchId === undefined) === (req.body.amount === undefined))
        throw new DomainError('invalid_request', 'give either batchId or amount', {
          field: 'batchId',
        });
      const actor = actorOf(req);
      const amount = req.body.amount !== undefined ? amountField(req.body.amount) : undefined;
      const r = await deps.ledger.refund(
        tenant.id,
        tenant.currency,
        {
          ...(req.body.batchId ? { batchId: req.body.batchId } : {}),
          ...(amount !== undefined ? { amount } : {}),
        },
        req.body.reason,
        actor.id,
      );
      await deps.audit.record({
        tenantId: tenant.id,
        actor,
        action: 'billing.refunded',
        targetType: 'tenant',
        targetId: tenant.id,
        details: {
          amount: formatAmount(r.amount),
          batchId: req.body.batchId ?? null,
          reason: req.body.reason,
        },
      });
      return reply.code(201).send({
        refunded: money(r.amount, tenant.currency),
        available: money(r.balance.available, tenant.currency),
      });
    },
  );

  r.get(
    '/v1/admin/tenants/:id/price-plan',
    {
      config: { access: 'admin.billing' },
      schema: {
        summary:
          'A tenant’s price plan in force, in the shape PUT takes (default: true when it is the standard plan)',
        tags: ['admin', 'billing'],
        params: Id,
      },
    },
    async (req) => {
      const tenant = await deps.tenants.get(req.params.id);
      const plan = await deps.prices.planFor(tenant.id);
      const details = await deps.tenants.details(tenant.id);
      return {
        rules: (plan?.rules ?? []).map(ruleView),
        chargeMode: details?.chargeMode ?? 'on_submit',
        currency: plan?.currency ?? tenant.currency,
        default: plan?.tenantId !== tenant.id,
        updatedAt: plan ? iso(plan.updatedAt) : null,
      };
    },
  );

  r.put(
    '/v1/admin/tenants/:id/price-plan',
    {
      config: { access: 'admin.billing' },
      schema: {
        summary: 'Set a tenant’s price plan and when it is charged',
        tags: ['admin', 'billing'],
        params: Id,
        body: Type.Object(
          {
            // The shape; parsePlan checks the values (422 invalid_price_plan with the field).
            rules: Type.Array(
              Type.Object(
                {
                  country: Type.Optional(Type.String({ description: 'ISO 3166 region, e.g. CN' })),
                  carrier: Type.Optional(
                    Type.String({ description: 'CN only: mobile, unicom, telecom, broadnet' }),
                  ),
                  class: Type.Optional(
                    Type.String({ description: 'verification, notification or marketing' }),
                  ),
                  price: Type.String({ description: 'Per part, a decimal string: "0.0450"' }),
                },
                { additionalProperties: false },
              ),
              { maxItems: 200 },
            ),
            chargeMode: Type.Optional(Type.String({ enum: ['on_submit', 'on_delivery'] })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const tenant = await deps.tenants.get(req.params.id);
      const rules = parsePlan(req.body.rules);
      await deps.prices.set(tenant.id, rules, tenant.currency);
      if (req.body.chargeMode)
        await deps.tenants.setChargeMode(
          tenant.id,
          req.body.chargeMode as 'on_submit' | 'on_delivery',
        );
      await deps.audit.record({
        tenantId: tenant.id,
        actor: actorOf(req),
        action: 'billing.price_plan_set',
        targetType: 'tenant',
        targetId: tenant.id,
        details: { rules: rules.map(ruleView), chargeMode: req.body.chargeMode },
      });
      return reply.code(204).send();
    },
  );

  r.get(
    '/v1/admin/billing/verify',
    {
      config: { access: 'admin.billing' },
      schema: {
        summary: 'Recompute every balance from the ledger and the messages',
        tags: ['admin', 'billing'],
      },
    },
    async () => deps.ledger.verify(),
  );
}

function amountField(text: string, field = 'amount'): number {
  let amount: number;
  try {
    amount = parseAmount(text);
  } catch {
    throw new DomainError('invalid_amount', `"${text}" is not an amount with at most 4 decimals`, {
      field,
    });
  }
  if (amount <= 0)
    throw new DomainError('invalid_amount', `the ${field} must be more than zero`, { field });
  return amount;
}

function ruleView(r: PriceRule) {
  return {
    ...(r.country ? { country: r.country } : {}),
    ...(r.carrier ? { carrier: r.carrier } : {}),
    ...(r.class ? { class: r.class } : {}),
    price: formatAmount(r.price),
  };
}

function entryView(e: LedgerEntry) {
  return {
    id: e.id,
    kind: e.kind,
    amount: money(e.amount, e.currency),
    heldChange: money(e.heldChange, e.currency),
    availableAfter: money(e.balanceAfter, e.currency),
    heldAfter: money(e.heldAfter, e.currency),
    reason: e.reason,
    reference: e.reference,
    batchId: e.batchId,
    parts: e.quantity,
    paymentReference: e.externalRef,
    createdAt: iso(e.createdAt),
  };
}
