// Logging in: a generic error for a wrong email or password (never which one), every try counted
// before the password is checked (core/security/login-throttle.ts: an email is locked only from
// the address that failed, an address that sprays is throttled), and the second factor.
import type { DomainError } from '../core/errors.ts';
import { localizedError } from '../core/i18n/translate.ts';
import { addressKey } from '../core/security/access.ts';
import {
  beginAttempt,
  DEFAULT_THROTTLE_POLICY,
  type Attempt,
  type Refusal,
  type ThrottlePolicy,
} from '../core/security/login-throttle.ts';
import { verifyPassword } from '../security/passwords.ts';
import { verifyTotp } from '../security/totp.ts';
import type { AuditStore } from '../store/audit.ts';
import type { SessionRecord, User, UserStore } from '../store/users.ts';

export interface LoginPolicy {
  sessionTtlMs: number;
  /** The same policy guards SMPP binds and CMPP logins (servers/smpp/bind-guard.ts). */
  throttle: ThrottlePolicy;
}

export const DEFAULT_LOGIN_POLICY: LoginPolicy = {
  sessionTtlMs: 12 * 3600_000,
  throttle: DEFAULT_THROTTLE_POLICY,
};

/** The operator's `login` options (config.ts) as the policy. */
export function loginPolicyOf(login: {
  maxFailures: number;
  lockMinutes: number;
  maxFailuresPerAddress: number;
  maxFailuresPerName: number;
  maxDelaySeconds: number;
  knownAddressDays: number;
  sessionHours: number;
}): LoginPolicy {
  return {
    sessionTtlMs: login.sessionHours * 3600_000,
    throttle: {
      ...DEFAULT_THROTTLE_POLICY,
      perPair: login.maxFailures,
      perAddress: login.maxFailuresPerAddress,
      perName: login.maxFailuresPerName,
      windowMs: login.lockMinutes * 60_000,
      lockMs: login.lockMinutes * 60_000,
      nameDelayMaxMs: login.maxDelaySeconds * 1000,
      knownMs: login.knownAddressDays * 24 * 3600_000,
    },
  };
}

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
  const email =
    typeof input.email === 'string' ? input.email.trim().toLowerCase().slice(0, 254) : '';
  const password = typeof input.password === 'string' ? input.password : '';
  const attempt = await beginAttempt(
    deps.users.throttle,
    policy.throttle,
    email,
    addressKey(input.ip ?? 'unknown'),
    now,
  );
  if (!attempt.ok) throw await refused(deps, email, input.ip, attempt);
  try {
    return await check(deps, policy, attempt, { ...input, email, password }, now);
  } finally {
    // Anything that ended without a verdict (a missing second factor, an error) gives its slot back.
    await attempt.abandon(now);
  }
}

async function check(
  deps: { users: UserStore; audit: AuditStore },
  policy: LoginPolicy,
  attempt: Attempt,
  input: {
    email: string;
    password: string;
    totp?: unknown;
    ip: string | null;
    userAgent: string | null;
  },
  now: number,
): Promise<{ token: string; session: SessionRecord; user: User }> {
  const { email, password } = input;
  const user = email ? await deps.users.byEmail(email) : undefined;
  const fail = async (detail: Record<string, unknown> = {}) => {
    attempt.fail();
    await deps.audit.record({
      tenantId: user?.tenantId ?? null,
      actor: { type: 'anonymous', id: user?.id ?? null, ip: input.ip },
      action: 'login.failed',
      details: { email, ...detail },
    });
    if (user && attempt.locksPair) {
      await deps.audit.record({
        tenantId: user.tenantId,
        actor: { type: 'system', id: null, ip: input.ip },
        action: 'user.locked',
        targetType: 'user',
        targetId: user.id,
        details: { address: input.ip, until: new Date(now + policy.throttle.lockMs).toISOString() },
      });
    }
    return localizedError('invalid_credentials', 'login.wrong_credentials');
  };
  if (!user) {
    await verifyPassword(password, DUMMY_HASH);
    throw await fail();
  }
  if (!(await verifyPassword(password, user.passwordHash)) || user.status !== 'active') {
    const failures = await deps.users.recordFailedLogin(user.id);
    throw await fail({ failures });
  }
  let totpStep: number | undefined;
  if (user.totpEnabled && user.totpSecret) {
    if (typeof input.totp !== 'string' || input.totp === '')
      throw localizedError('totp_required', 'login.totp_required');
    const v = verifyTotp(user.totpSecret, input.totp, now);
    // A code already used cannot log in again (RFC 6238 §5.2).
    if (!v.ok || (user.totpLastStep !== null && v.step <= user.totpLastStep)) {
      const failures = await deps.users.recordFailedLogin(user.id);
      throw await fail({ failures, factor: 'totp' });
    }
    totpStep = v.step;
  }
  await attempt.succeed(now);
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

/** A try refused before its password was checked: 423 for a locked pair, else 429. */
async function refused(
  deps: { users: UserStore; audit: AuditStore },
  email: string,
  ip: string | null,
  r: Refusal,
): Promise<DomainError> {
  const user = email ? await deps.users.byEmail(email) : undefined;
  await deps.audit.record({
    tenantId: user?.tenantId ?? null,
    actor: { type: 'anonymous', id: user?.id ?? null, ip },
    action: r.reason === 'locked' ? 'login.refused_locked' : 'login.throttled',
    details: { email, counter: r.counter, until: new Date(r.until).toISOString() },
  });
  const until = new Date(r.until).toISOString();
  const details = { unlockAt: until, retryAfterSeconds: r.retryAfterSeconds };
  const seconds = r.retryAfterSeconds;
  if (r.reason === 'locked')
    return localizedError('account_locked', 'login.locked', { until, seconds }, details);
  return localizedError(
    'rate_limited',
    r.counter === 'address' ? 'login.throttled_address' : 'login.throttled_account',
    { seconds },
    details,
  );
}
