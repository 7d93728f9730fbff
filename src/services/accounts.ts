// Account use cases: register a tenant, move it through its lifecycle, manage users, passwords
// and API keys. Every change is audited with its actor; every refusal is a DomainError.
import type { Kysely } from 'kysely';
import { DomainError } from '../core/errors.ts';
import { checkTenantMove, SELF_TERMINATION_MAX_DELAY_MS } from '../core/tenancy/lifecycle.ts';
import { validateCreditCode } from '../core/tenancy/credit-code.ts';
import { checkPassword } from '../core/security/password-policy.ts';
import { isOperatorRole, isTenantRole } from '../core/security/access.ts';
import { generatePassword, hashPassword, verifyPassword } from '../security/passwords.ts';
import { verifyTotp } from '../security/totp.ts';
import { refundUnused } from '../store/ledger.ts';
import type { Database } from '../store/schema.ts';
import type { Actor, AuditStore } from '../store/audit.ts';
import type { ApiKeyRecord, TenantStore } from '../store/tenants.ts';
import type { User, UserStore } from '../store/users.ts';

export type { Actor, ApiKeyRecord, TenantStore, User, UserStore };
export type { Tenant, TenantDetails } from '../store/tenants.ts';
export type { SessionRecord } from '../store/users.ts';

export interface AccountDeps {
  db: Kysely<Database>;
  tenants: TenantStore;
  users: UserStore;
  audit: AuditStore;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface Registration {
  companyName: string;
  creditCode: string;
  contactName: string;
  contactEmail: string;
  contactPhone: string;
  password: string;
}

/** A company registers: the tenant is `pending` until an operator approves it; its contact is the owner. */
export async function registerTenant(
  deps: AccountDeps,
  r: Registration,
  actor: Actor,
): Promise<{ tenantId: string; user: User }> {
  const name = r.companyName?.trim();
  if (!name)
    throw new DomainError('invalid_request', 'companyName is required', { field: 'companyName' });
  const code = validateCreditCode(r.creditCode ?? '');
  if (!code.ok) throw new DomainError('invalid_credit_code', code.detail, { field: 'creditCode' });
  const email = checkEmail(r.contactEmail);
  if (!r.contactName?.trim())
    throw new DomainError('invalid_request', 'contactName is required', { field: 'contactName' });
  if (!r.contactPhone?.trim())
    throw new DomainError('invalid_request', 'contactPhone is required', { field: 'contactPhone' });
  checkStrength(r.password, email, r.contactName);
  if (await deps.users.emailTaken(email))
    throw new DomainError('email_taken', `${email} is already registered`, {
      field: 'contactEmail',
    });
  if (await deps.tenants.findByCreditCode(code.code))
    throw new DomainError('conflict', 'a company with this credit code is already registered', {
      field: 'creditCode',
    });
  const passwordHash = await hashPassword(r.password);
  return deps.db.transaction().execute(async (trx) => {
    const tenant = await deps.tenants.create(
      {
        name,
        status: 'pending',
        creditCode: code.code,
        contactName: r.contactName.trim(),
        contactEmail: email,
        contactPhone: r.contactPhone.trim(),
      },
      trx,
    );
    const user = await deps.users.create(
      { tenantId: tenant.id, email, name: r.contactName.trim(), role: 'owner', passwordHash },
      trx,
    );
    await deps.audit.record(
      {
        tenantId: tenant.id,
        actor: { type: actor.type, id: user.id, ip: actor.ip },
        action: 'tenant.registered',
        targetType: 'tenant',
        targetId: tenant.id,
      },
      trx,
    );
    return { tenantId: tenant.id, user };
  });
}

/** Operator moves: approve (pending → active), suspend, reactivate, terminate (immediate). */
export async function changeTenantStatus(
  deps: AccountDeps,
  tenantId: string,
  to: string,
  reason: string,
  actor: Actor,
): Promise<void> {
  if (!reason?.trim())
    throw new DomainError('invalid_request', 'a reason is required', { field: 'reason' });
  const tenant = await deps.tenants.find(tenantId);
  if (!tenant) throw new DomainError('not_found', `no tenant ${tenantId}`);
  checkTenantMove(tenant.status, to);
  await deps.db.transaction().execute(async (trx) => {
    if (!(await deps.tenants.setStatus(tenantId, tenant.status, to, reason.trim(), trx))) {
      throw new DomainError('conflict', 'the tenant changed meanwhile; reload and try again');
    }
    await deps.audit.record(
      {
        tenantId,
        actor,
        action: 'tenant.status_changed',
        targetType: 'tenant',
        targetId: tenantId,
        details: { from: tenant.status, to, reason: reason.trim() },
      },
      trx,
    );
    if (to === 'terminated')
      await refundUnused(trx, tenantId, tenant.currency, actor.id, Date.now());
  });
}

/** The tenant's own termination request: effective after at most 24 hours; cancellable until then. */
export async function requestTermination(
  deps: AccountDeps,
  tenantId: string,
  reason: string,
  actor: Actor,
  delayMs = SELF_TERMINATION_MAX_DELAY_MS,
): Promise<number> {
  const tenant = await deps.tenants.find(tenantId);
  if (!tenant) throw new DomainError('not_found', `no tenant ${tenantId}`);
  if (tenant.status === 'terminated')
    throw new DomainError('invalid_transition', 'the account is already terminated');
  const at = Date.now() + Math.min(delayMs, SELF_TERMINATION_MAX_DELAY_MS);
  await deps.tenants.setTerminateAt(tenantId, at);
  await deps.audit.record({
    tenantId,
    actor,
    action: 'tenant.termination_requested',
    targetType: 'tenant',
    targetId: tenantId,
    details: { effectiveAt: new Date(at).toISOString(), reason },
  });
  return at;
}

export async function cancelTermination(
  deps: AccountDeps,
  tenantId: string,
  actor: Actor,
): Promise<void> {
  await deps.tenants.setTerminateAt(tenantId, null);
  await deps.audit.record({
    tenantId,
    actor,
    action: 'tenant.termination_cancelled',
    targetType: 'tenant',
    targetId: tenantId,
  });
}

/** Worker: apply termination requests that came due. */
export async function applyDueTerminations(deps: AccountDeps, now: number): Promise<string[]> {
  const done: string[] = [];
  for (const t of await deps.tenants.dueTerminations(now)) {
    await changeTenantStatus(deps, t.id, 'terminated', 'terminated at the tenant’s request', {
      type: 'system',
      id: null,
      ip: null,
    });
    done.push(t.id);
  }
  return done;
}

/** A user in a tenant (tenantId) or operator staff (tenantId null). */
export async function createUser(
  deps: AccountDeps,
  input: { tenantId: string | null; email: string; name: string; role: string; password?: string },
  actor: Actor,
): Promise<{ user: User; temporaryPassword: string | null }> {
  const operator = input.tenantId === null;
  if (operator ? !isOperatorRole(input.role) : !isTenantRole(input.role)) {
    throw new DomainError(
      'invalid_request',
      `"${input.role}" is not a ${operator ? 'staff' : 'tenant user'} role`,
      { field: 'role' },
    );
  }
  const email = checkEmail(input.email);
  if (!input.name?.trim())
    throw new DomainError('invalid_request', 'name is required', { field: 'name' });
  // No password given: a temporary one, to be changed at first login.
  const temporaryPassword =
    input.password === undefined ? generatePassword({ email, name: input.name }) : null;
  const password = input.password ?? temporaryPassword!;
  if (input.password !== undefined) checkStrength(password, email, input.name);
  if (await deps.users.emailTaken(email))
    throw new DomainError('email_taken', `${email} is already registered`, { field: 'email' });
  const passwordHash = await hashPassword(password);
  const user = await deps.users.create({
    tenantId: input.tenantId,
    email,
    name: input.name.trim(),
    role: input.role,
    passwordHash,
    mustChangePassword: temporaryPassword !== null,
  });
  await deps.audit.record({
    tenantId: input.tenantId,
    actor,
    action: 'user.created',
    targetType: 'user',
    targetId: user.id,
    details: { role: input.role },
  });
  return { user, temporaryPassword };
}

export async function changeRole(
  deps: AccountDeps,
  tenantId: string | null,
  userId: string,
  role: string,
  actor: Actor,
): Promise<void> {
  const user = await deps.users.byId(userId);
  if (!user || user.tenantId !== tenantId) throw new DomainError('not_found', `no user ${userId}`);
  if (tenantId === null ? !isOperatorRole(role) : !isTenantRole(role))
    throw new DomainError('invalid_request', `"${role}" is not a valid role here`, {
      field: 'role',
    });
  if (user.id === actor.id) throw new DomainError('conflict', 'you cannot change your own role');
  await deps.users.setRole(userId, role);
  await deps.audit.record({
    tenantId,
    actor,
    action: 'user.role_changed',
    targetType: 'user',
    targetId: userId,
    details: { from: user.role, to: role },
  });
}

export async function disableUser(
  deps: AccountDeps,
  tenantId: string | null,
  userId: string,
  actor: Actor,
): Promise<void> {
  const user = await deps.users.byId(userId);
  if (!user || user.tenantId !== tenantId) throw new DomainError('not_found', `no user ${userId}`);
  if (user.id === actor.id) throw new DomainError('conflict', 'you cannot disable yourself');
  await deps.db.transaction().execute(async (trx) => {
    await deps.users.setStatus(userId, 'disabled', trx);
    await deps.users.revokeAllSessions(userId, undefined, trx);
    await deps.audit.record(
      {
        tenantId,
        actor,
        action: 'user.disabled',
        targetType: 'user',
        targetId: userId,
      },
      trx,
    );
  });
}

/** A disabled user may log in again (their sessions ended when they were disabled). */
export async function enableUser(
  deps: AccountDeps,
  tenantId: string | null,
  userId: string,
  actor: Actor,
): Promise<void> {
  const user = await deps.users.byId(userId);
  if (!user || user.tenantId !== tenantId) throw new DomainError('not_found', `no user ${userId}`);
  if (user.status === 'active') return;
  await deps.db.transaction().execute(async (trx) => {
    await deps.users.setStatus(userId, 'active', trx);
    await deps.audit.record(
      { tenantId, actor, action: 'user.enabled', targetType: 'user', targetId: userId },
      trx,
    );
  });
}

/**
 * Turn my two-factor login off: the current password and a current code (a code already used
 * to log in is refused, RFC 6238 §5.2). Like a password change, it ends my other sessions.
 * A wrong password is 403, not 401: the caller's session is fine, only this proof failed.
 */
export async function disableTotp(
  deps: AccountDeps,
  user: User,
  password: string,
  code: string,
  sessionId: string | null,
  actor: Actor,
  now = Date.now(),
): Promise<void> {
  const full = await deps.users.byId(user.id);
  if (!full || !(await verifyPassword(password, full.passwordHash)))
    throw new DomainError('forbidden', 'the password is wrong', { field: 'password' });
  if (!full.totpEnabled || !full.totpSecret)
    throw new DomainError('conflict', 'two-factor login is already off');
  const v = verifyTotp(full.totpSecret, code, now);
  if (!v.ok || (full.totpLastStep !== null && v.step <= full.totpLastStep))
    throw new DomainError(
      'invalid_request',
      'that code is not right; check the time on your phone',
      {
        field: 'totp',
      },
    );
  await deps.db.transaction().execute(async (trx) => {
    await deps.users.setTotp(user.id, null, false, null, trx);
    await deps.users.revokeAllSessions(user.id, sessionId ?? undefined, trx);
    await deps.audit.record(
      {
        tenantId: user.tenantId,
        actor,
        action: 'user.totp_disabled',
        targetType: 'user',
        targetId: user.id,
      },
      trx,
    );
  });
}

export async function changePassword(
  deps: AccountDeps,
  user: User,
  current: string,
  next: string,
  sessionId: string | null,
  actor: Actor,
): Promise<void> {
  const full = await deps.users.byId(user.id);
  if (!full || !(await verifyPassword(current ?? '', full.passwordHash)))
    throw new DomainError('invalid_credentials', 'the current password is wrong', {
      field: 'currentPassword',
    });
  if (current === next)
    throw new DomainError('weak_password', 'the new password must differ from the current one', {
      field: 'newPassword',
      rules: ['different'],
    });
  checkStrength(next, user.email, user.name);
  const hash = await hashPassword(next);
  await deps.db.transaction().execute(async (trx) => {
    await deps.users.setPassword(user.id, hash, false, trx);
    // Other sessions may be an attacker's: end them all but this one.
    await deps.users.revokeAllSessions(user.id, sessionId ?? undefined, trx);
    await deps.audit.record(
      {
        tenantId: user.tenantId,
        actor,
        action: 'user.password_changed',
        targetType: 'user',
        targetId: user.id,
      },
      trx,
    );
  });
}

/** Operator admin resets a password: a temporary one, changed at the next login; sessions end. */
export async function resetPassword(
  deps: AccountDeps,
  userId: string,
  actor: Actor,
): Promise<string> {
  const user = await deps.users.byId(userId);
  if (!user) throw new DomainError('not_found', `no user ${userId}`);
  const temporary = generatePassword({ email: user.email, name: user.name });
  const hash = await hashPassword(temporary);
  await deps.db.transaction().execute(async (trx) => {
    await deps.users.setPassword(userId, hash, true, trx);
    await deps.users.unlock(userId, trx);
    await deps.users.revokeAllSessions(userId, undefined, trx);
    await deps.audit.record(
      {
        tenantId: user.tenantId,
        actor,
        action: 'user.password_reset',
        targetType: 'user',
        targetId: userId,
      },
      trx,
    );
  });
  await deps.users.throttle.forgetName(user.email);
  return temporary;
}

export async function unlockUser(deps: AccountDeps, userId: string, actor: Actor): Promise<void> {
  const user = await deps.users.byId(userId);
  if (!user) throw new DomainError('not_found', `no user ${userId}`);
  await deps.users.unlock(userId);
  // The email's failure counters on every address: the user may try again at once.
  await deps.users.throttle.forgetName(user.email);
  await deps.audit.record({
    tenantId: user.tenantId,
    actor,
    action: 'user.unlocked',
    targetType: 'user',
    targetId: userId,
  });
}

function checkEmail(value: string | undefined): string {
  const email = (value ?? '').trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 254)
    throw new DomainError('invalid_request', `"${value ?? ''}" is not an email address`, {
      field: 'email',
    });
  return email;
}

function checkStrength(
  password: string | undefined,
  email: string,
  name: string | undefined,
): void {
  if (typeof password !== 'string')
    throw new DomainError('invalid_request', 'password is required', { field: 'password' });
  const r = checkPassword(password, { email, ...(name ? { name } : {}) });
  if (!r.ok)
    throw new DomainError('weak_password', r.detail, { field: 'password', rules: r.rules });
}
