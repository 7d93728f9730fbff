// Low-balance alerts: crossing below the tenant's threshold notifies once; rising back above it
// re-arms the alert. The flag is flipped with a guarded update before notifying, so several
// workers never send the same alert twice. The notice is worded in the tenant's language
// (events/notifications.ts).
import { sql, type Kysely } from 'kysely';
import { formatAmount } from '../core/billing/money.ts';
import type { Database } from '../store/schema.ts';
import type { Actor, AuditStore } from '../store/audit.ts';
import type { Notifier } from '../events/notifications.ts';

/** The tenant's alert threshold in minor units (null: no alerts). */
export async function lowBalanceThreshold(
  db: Kysely<Database>,
  tenantId: string,
): Promise<number | null> {
  const t = await db
    .selectFrom('tenants')
    .select('low_balance_threshold')
    .where('id', '=', tenantId)
    .executeTakeFirst();
  const threshold = t?.low_balance_threshold ?? null;
  return threshold === null ? null : Number(threshold);
}

/** A new threshold re-arms the alert, so the next crossing below it notifies. */
export async function setLowBalanceThreshold(
  deps: { db: Kysely<Database>; audit: AuditStore },
  tenantId: string,
  threshold: number | null,
  actor: Actor,
  given: string | null,
): Promise<void> {
  await deps.db
    .updateTable('tenants')
    .set({ low_balance_threshold: threshold, low_balance_notified: 0 })
    .where('id', '=', tenantId)
    .execute();
  await deps.audit.record({
    tenantId,
    actor,
    action: 'billing.low_balance_threshold_set',
    targetType: 'tenant',
    targetId: tenantId,
    details: { threshold: given },
  });
}

export async function checkLowBalances(
  db: Kysely<Database>,
  notifier: Notifier,
): Promise<string[]> {
  const rows = await sql<{
    id: string;
    currency: string;
    threshold: number;
    available: number;
    notified: number;
  }>`
    select t.id, t.currency, t.low_balance_threshold as threshold, coalesce(b.available, 0) as available, t.low_balance_notified as notified
    from tenants t left join balances b on b.tenant_id = t.id
    where t.low_balance_threshold is not null and t.status <> 'terminated'`.execute(db);
  const alerted: string[] = [];
  for (const r of rows.rows) {
    const low = Number(r.available) < Number(r.threshold);
    const notified = Number(r.notified) === 1;
    if (low === notified) continue;
    const flipped = await db
      .updateTable('tenants')
      .set({ low_balance_notified: low ? 1 : 0 })
      .where('id', '=', r.id)
      .where('low_balance_notified', '=', notified ? 1 : 0)
      .executeTakeFirst();
    if (!low || Number(flipped.numUpdatedRows) !== 1) continue;
    await notifier.notify({
      tenantId: r.id,
      kind: 'low_balance',
      subject: { key: 'notice.low_balance.subject' },
      text: {
        key: 'notice.low_balance.text',
        params: {
          available: formatAmount(Number(r.available)),
          threshold: formatAmount(Number(r.threshold)),
          currency: r.currency,
        },
      },
    });
    alerted.push(r.id);
  }
  return alerted;
}
