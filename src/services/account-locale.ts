// The language a tenant's notices, statement files and error titles use, and each user's console
// language (null: the account's). Both changes are audited.
import { DomainError } from '../core/errors.ts';
import type { Locale } from '../core/i18n/index.ts';
import type { AccountDeps, Actor, User } from './accounts.ts';

/** The language of the tenant's notices and console defaults. */
export async function setTenantLocale(
  deps: Pick<AccountDeps, 'tenants' | 'audit'>,
  tenantId: string,
  locale: Locale,
  actor: Actor,
): Promise<void> {
  if (!(await deps.tenants.setLocale(tenantId, locale)))
    throw new DomainError('not_found', `no tenant ${tenantId}`);
  await deps.audit.record({
    tenantId,
    actor,
    action: 'account.locale_set',
    targetType: 'tenant',
    targetId: tenantId,
    details: { locale },
  });
}

/** The user's console language; null follows the account's. */
export async function setUserLocale(
  deps: Pick<AccountDeps, 'users' | 'audit'>,
  user: User,
  locale: Locale | null,
  actor: Actor,
): Promise<void> {
  await deps.users.setLocale(user.id, locale);
  await deps.audit.record({
    tenantId: user.tenantId,
    actor,
    action: 'user.locale_set',
    targetType: 'user',
    targetId: user.id,
    details: { locale },
  });
}
