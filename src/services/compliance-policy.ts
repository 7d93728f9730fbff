// A tenant's compliance policy, set by an operator: which message classes may send free text
// (the rest need an approved template), and frequency caps per class (null: the defaults).
import type { Kysely } from 'kysely';
import { MESSAGE_CLASSES, type MessageClass } from '../core/billing/rating.ts';
import type { FrequencyCaps } from '../core/compliance/frequency.ts';
import { DomainError } from '../core/errors.ts';
import type { Actor, AuditStore } from '../store/audit.ts';
import type { Database } from '../store/schema.ts';

export interface TenantPolicy {
  freeTextClasses: MessageClass[];
  frequencyCaps: Record<string, FrequencyCaps> | null;
}

export interface PolicyChange {
  freeTextClasses?: string[];
  frequencyCaps?: Record<string, FrequencyCaps> | null;
}

export async function tenantPolicy(db: Kysely<Database>, tenantId: string): Promise<TenantPolicy> {
  const t = await db
    .selectFrom('tenants')
    .select(['free_text_classes', 'frequency_caps'])
    .where('id', '=', tenantId)
    .executeTakeFirst();
  if (!t) throw new DomainError('not_found', `no tenant ${tenantId}`);
  return {
    freeTextClasses: MESSAGE_CLASSES.filter((c) => t.free_text_classes.split(',').includes(c)),
    frequencyCaps: t.frequency_caps
      ? (JSON.parse(t.frequency_caps) as Record<string, FrequencyCaps>)
      : null,
  };
}

export async function setTenantPolicy(
  deps: { db: Kysely<Database>; audit: AuditStore },
  tenantId: string,
  change: PolicyChange,
  actor: Actor,
): Promise<void> {
  const set: { free_text_classes?: string; frequency_caps?: string | null } = {};
  if (change.freeTextClasses)
    set.free_text_classes = [...new Set(change.freeTextClasses)].join(',');
  if (change.frequencyCaps !== undefined)
    set.frequency_caps =
      change.frequencyCaps === null ? null : JSON.stringify(change.frequencyCaps);
  const r = await deps.db
    .updateTable('tenants')
    .set(set)
    .where('id', '=', tenantId)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw new DomainError('not_found', `no tenant ${tenantId}`);
  await deps.audit.record({
    tenantId,
    actor,
    action: 'compliance.policy_set',
    targetType: 'tenant',
    targetId: tenantId,
    details: change as Record<string, unknown>,
  });
}
