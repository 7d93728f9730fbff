// Logging in: a generic error for a wrong email or password (never which one), a counted
// failure, a lock after repeated failures with the time it ends, and the second factor.
import { DomainError } from '../core/errors.ts';
import { verifyPassword } from '../security/passwords.ts';
import { verifyTotp } from '../security/totp.ts';
import type { AuditStore } from '../store/audit.ts';
import type { SessionRecord, User, UserStore } from '../store/users.ts';

export interface LoginPolicy {
  maxFailures: number;
  lockMs: number;
  sessionTtlMs: number;
}

export const DEFAULT_LOGIN_POLICY: LoginPolicy = {
  maxFailures: 5,
  lockMs: 15 * 60_000,
  sessionTtlMs: 12 * 3600_000,
};

// Verify against a real hash even for an unknown email, so timing does not tell which emails exist.
const DUMMY_HASH =
  'scrypt$N=32768,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export async function logIn(
  deps: { users: UserStore; audit: AuditStore; policy?: LoginPolicy },
  input: {
    email?: unknown;
    password?: unknown;
    totp?: unknown;
    ip: string | null;
    userAgent: string | null;
  },
  now = Date.now(),
): Promise<{ token: string; session: SessionRecord; user: User }> {
  const policy = deps.policy ?? DEFAULT_LOGIN_POLICY;
  const email = typeof input.email === 'string' ? input.email : '';
  const password = typeof input.password === 'string' ? input.password : '';
  const user = email ? await deps.users.byEmail(email) : undefined;
  const fail = async (detail: Record<string, unknown> = {}) => {
    await deps.audit.record({
      tenantId: user?.tenantId ?? null,
      actor: { type: 'anonymous', id: user?.id ?? null, ip: input.ip },
      action: 'login.failed',
      details: { email: email.slice(0, 254), ...detail },
    });
    return new DomainError('invalid_credentials', 'wrong email or password');
  };
  if (!user) {
    await verifyPassword(password, DUMMY_HASH);
    throw await fail();
  }
  if (user.lockedUntil !== null && user.lockedUntil > now) {
    await deps.audit.record({
      tenantId: user.tenantId,
      actor: { type: 'anonymous', id: user.id, ip: input.ip },
      action: 'login.refused_locked',
    });
    throw new DomainError(
      'account_locked',
      `too many failed logins; try again after ${new Date(user.lockedUntil).toISOString()}`,
      { unlockAt: new Date(user.lockedUntil).toISOString() },
    );
  }
  if (!(await verifyPassword(password, user.passwordHash)) || user.status !== 'active') {
    const failures = user.failedLogins + 1;
    const lockedUntil = failures >= policy.maxFailures ? now + policy.lockMs : null;
    await deps.users.recordFailedLogin(user.id, lockedUntil);
    const err = await fail({ failures });
    if (lockedUntil) {
      await deps.audit.record({
        tenantId: user.tenantId,
        actor: { type: 'system', id: null, ip: input.ip },
        action: 'user.locked',
        targetType: 'user',
        targetId: user.id,
        details: { until: new Date(lockedUntil).toISOString() },
      });
    }
    throw err;
  }
  let totpStep: number | undefined;
  if (user.totpEnabled && user.totpSecret) {
    if (typeof input.totp !== 'string' || input.totp === '')
      throw new DomainError('totp_required', 'enter the code from your authenticator app');
    const v = verifyTotp(user.totpSecret, input.totp, now);
    // A code already used cannot log in again (RFC 6238 §5.2).
    if (!v.ok || (user.totpLastStep !== null && v.step <= user.totpLastStep)) {
      const failures = user.failedLogins + 1;
      await deps.users.recordFailedLogin(
        user.id,
        failures >= policy.maxFailures ? now + policy.lockMs : null,
      );
      throw await fail({ failures, factor: 'totp' });
    }
    totpStep = v.step;
  }
  await deps.users.recordLogin(user.id, now, totpStep);
  const { token, session } = await deps.users.createSession(
    user.id,
    policy.sessionTtlMs,
    input.ip,
    input.userAgent,
  );
  await deps.audit.record({
    tenantId: user.tenantId,
    actor: { type: 'user', id: user.id, ip: input.ip },
    action: 'login.succeeded',
    details: { session: session.id },
  });
  return { token, session, user };
}
