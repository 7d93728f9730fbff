// Contracts: signing (and its fees), the gate on every send, the daily run that reminds, renews
// and charges monthly fees. Every fee posting carries a reference naming its contract and period,
// so a rerun or a second worker never charges it twice.
import { DomainError } from '../core/errors.ts';
import { addMonths, parseTerms, remindersDue, servicePeriod } from '../core/billing/contract.ts';
import { monthOf } from '../core/billing/statement.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { AuditStore, Actor } from '../store/audit.ts';
import type { Contract, ContractStore } from '../store/contracts.ts';
import type { Tenant, TenantStore } from '../store/tenants.ts';
import type { Notifier } from '../events/notifications.ts';

export type { Contract };

export interface ContractDeps {
  db: Kysely<Database>;
  contracts: ContractStore;
  tenants: TenantStore;
  audit: AuditStore;
  utcOffsetMinutes: number;
}

export async function signContract(
  deps: ContractDeps,
  tenant: Tenant,
  input: Record<string, unknown>,
  actor: Actor,
): Promise<Contract> {
  const terms = parseTerms(input);
  if (await deps.contracts.numberTaken(terms.number))
    throw new DomainError('conflict', `contract ${terms.number} exists already`, {
      field: 'number',
    });
  return deps.db.transaction().execute(async (trx) => {
    const c = await deps.contracts.create(tenant.id, terms, trx);
    for (const fee of terms.fees.filter((f) => f.when === 'signing'))
      await deps.contracts.chargeFee(
        tenant.id,
        tenant.currency,
        fee,
        `fee:${c.id}:signing:${fee.name}`,
        trx,
      );
    await deps.audit.record(
      {
        tenantId: tenant.id,
        actor,
        action: 'contract.signed',
        targetType: 'contract',
        targetId: c.id,
        details: { number: c.number, startDate: c.startDate, endDate: c.endDate, quota: c.quota },
      },
      trx,
    );
    return c;
  });
}

/** Sending is allowed only inside the current contract's period (tenants without one are not gated). */
export function checkContract(
  c: Contract | undefined,
  now: number,
  utcOffsetMinutes: number,
): void {
  if (!c) return;
  const { from, until } = servicePeriod(c.startDate, c.endDate, utcOffsetMinutes);
  if (now < from)
    throw new DomainError('contract_not_started', `contract ${c.number} starts on ${c.startDate}`);
  if (now >= until)
    throw new DomainError(
      'contract_expired',
      `contract ${c.number} ended on ${c.endDate}; renew it to send again`,
    );
}

/**
 * The `contracts` job (hourly, services/scheduler.ts): reminders 30 and 7 days before the end,
 * auto-renewal at the end, monthly fees. Safe to run twice at once: every write is guarded.
 */
export async function runContracts(
  deps: ContractDeps,
  notifier: Notifier,
  now = Date.now(),
): Promise<{ reminded: number; renewed: number; fees: number }> {
  const out = { reminded: 0, renewed: 0, fees: 0 };
  const month = monthOf(now, deps.utcOffsetMinutes);
  for (let c of await deps.contracts.all()) {
    const tenant = await deps.tenants.find(c.tenantId);
    if (!tenant || tenant.status === 'terminated') continue;
    let { from, until } = servicePeriod(c.startDate, c.endDate, deps.utcOffsetMinutes);
    if (now >= until && c.autoRenew) {
      const newEnd = addMonths(c.endDate, c.renewMonths);
      const renewed = await deps.db.transaction().execute(async (trx) => {
        if (!(await deps.contracts.renew(c.id, c.endDate, newEnd, trx, now))) return false;
        for (const fee of c.fees.filter((f) => f.when === 'renewal'))
          await deps.contracts.chargeFee(
            tenant.id,
            tenant.currency,
            fee,
            `fee:${c.id}:renewal:${newEnd}:${fee.name}`,
            trx,
            now,
          );
        await deps.audit.record(
          {
            tenantId: tenant.id,
            actor: { type: 'system', id: null, ip: null },
            action: 'contract.renewed',
            targetType: 'contract',
            targetId: c.id,
            details: { from: c.endDate, to: newEnd },
          },
          trx,
        );
        return true;
      });
      if (renewed) {
        out.renewed += 1;
        c = { ...c, endDate: newEnd, quotaUsed: 0 };
        ({ from, until } = servicePeriod(c.startDate, c.endDate, deps.utcOffsetMinutes));
      }
    }
    if (now >= from && now < until) {
      for (const fee of c.fees.filter((f) => f.when === 'monthly')) {
        if (
          await deps.contracts.chargeFee(
            tenant.id,
            tenant.currency,
            fee,
            `fee:${c.id}:monthly:${month}:${fee.name}`,
            undefined,
            now,
          )
        )
          out.fees += 1;
      }
    }
    const due = remindersDue(c.endDate, until, now, c.reminded);
    if (due.length > 0) {
      // Mark first: a crash after marking loses a reminder; the other order could send it twice.
      // Guarded by the marks read: a run that loses the race to another sends nothing.
      const marks = [...c.reminded, ...due.map((d) => `${c.endDate}:${d}`)];
      if (!(await deps.contracts.markReminded(c.id, c.reminded, marks, now))) continue;
      const days = Math.min(...due);
      await notifier.notify({
        tenantId: tenant.id,
        kind: 'contract_expiring',
        subject: { key: 'notice.contract_expiring.subject', params: { number: c.number, days } },
        text: c.autoRenew
          ? {
              key: 'notice.contract_expiring.text_auto_renew',
              params: { number: c.number, endDate: c.endDate, months: c.renewMonths },
            }
          : {
              key: 'notice.contract_expiring.text_renew',
              params: { number: c.number, endDate: c.endDate },
            },
      });
      out.reminded += 1;
    }
  }
  return out;
}
