// Monthly statements: computed from the ledger and the messages; once a month has ended, the
// statement is generated (on the 1st, by the worker, or on first request) and kept unchanged.
import {
  monthOf,
  monthRange,
  previousMonth,
  reconcile,
  type Statement,
} from '../core/billing/statement.ts';
import { DomainError } from '../core/errors.ts';
import type { StatementStore } from '../store/statements.ts';
import type { Tenant } from '../store/tenants.ts';

export interface StatementDeps {
  statements: StatementStore;
  utcOffsetMinutes: number;
}

export async function statementFor(
  deps: StatementDeps,
  tenant: Tenant,
  month: string,
  now = Date.now(),
): Promise<Statement> {
  const { start, end } = monthRange(month, deps.utcOffsetMinutes);
  if (start > now)
    throw new DomainError('invalid_request', `${month} has not started yet`, { field: 'month' });
  const kept = await deps.statements.load(tenant.id, month);
  if (kept) return kept;
  const statement = await compute(deps, tenant, month, start, end, now);
  // A finished month's statement is the billing basis: keep it as first generated.
  if (end <= now) await deps.statements.save(statement);
  return statement;
}

/** The worker's monthly run: every tenant's statement for the month that just ended. */
export async function generateDueStatements(
  deps: StatementDeps,
  now = Date.now(),
): Promise<number> {
  const month = previousMonth(monthOf(now, deps.utcOffsetMinutes));
  const { start, end } = monthRange(month, deps.utcOffsetMinutes);
  let made = 0;
  for (const t of await deps.statements.missing(month, end)) {
    await deps.statements.save(
      await compute(deps, { id: t.id, name: t.name, currency: t.currency }, month, start, end, now),
    );
    made += 1;
  }
  return made;
}

async function compute(
  deps: StatementDeps,
  tenant: Pick<Tenant, 'id' | 'name' | 'currency'>,
  month: string,
  start: number,
  end: number,
  now: number,
): Promise<Statement> {
  const figures = await deps.statements.figures(tenant.id, start, end);
  const problems = reconcile(figures);
  // Never hand out a statement that does not add up: it is the billing basis.
  if (problems.length > 0)
    throw new Error(`statement ${tenant.id} ${month} does not reconcile: ${problems.join('; ')}`);
  return {
    tenantId: tenant.id,
    tenantName: tenant.name,
    currency: tenant.currency,
    month,
    from: new Date(start).toISOString(),
    to: new Date(end).toISOString(),
    generatedAt: new Date(now).toISOString(),
    ...figures,
  };
}
