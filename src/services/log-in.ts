// Logging in: a generic error for a wrong email or password (never which one), a cheap
// per-address request limit in this process's memory before anything touches the database,
// every try counted before the password is checked (core/security/login-throttle.ts: an email is
// locked only from the address that failed, an address that sprays is throttled), and the
// second factor.
import type { Config } from '../config.ts';
import type { DomainError } from '../core/errors.ts';
import { localizedError } from '../core/i18n/translate.ts';
import { addressKey } from '../core/security/access.ts';
import {
  beginAttempt,
  DEFAULT_THROTTLE_POLICY,
  UNKNOWN_NAME_HASH,
  type Attempt,
  type Refusal,
  type ThrottlePolicy,
} from '../core/security/login-throttle.ts';
import { RateLimiter } from '../core/security/rate-limit.ts';
import { verifyPassword } from '../security/passwords.ts';
import { verifyTotp } from '../security/totp.ts';
import type { AuditStore } from '../store/audit.ts';
import type { SessionRecord, User, UserStore } from '../store/users.ts';

export interface LoginPolicy {
  sessionTtlMs: number;
  /** The same policy guards SMPP binds and CMPP logins (servers/session/bind-guard.ts). */
  throttle: ThrottlePolicy;
  /** Login requests per minute from one address, whatever their outcome (a token bucket of this
   * size, refilled at this rate); past it `429` before the database is asked anything. */
  requestsPerMinute: number;
}

export const DEFAULT_LOGIN_POLICY: LoginPolicy = {
  sessionTtlMs: 12 * 3600_000,
  throttle: DEFAULT_THROTTLE_POLICY,
  requestsPerMinute: 30,
};

/** The operator's `login` options (config.ts) as the policy. */
export function loginPolicyOf(login: Config['login']): LoginPolicy {
  return {
    sessionTtlMs: login.sessionHours * 3600_000,
    requestsPerMinute: login.requestsPerMinute,
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

// One request bucket per address and per platform (its user store), in this process's memory:
// each node limits what reaches it, at the cost of a Map entry, before any query is made.
const requestLimiters = new WeakMap<UserStore, RateLimiter>();

function requestLimiter(users: UserStore, policy: LoginPolicy): RateLimiter {
  let limiter = requestLimiters.get(users);
  if (!limiter) {
    limiter = new RateLimiter({
      capacity: policy.requestsPerMinute,
      refillPerSecond: policy.requestsPerMinute / 60,
    });
    requestLimiters.set(users, limiter);
  }
  return limiter;
}

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
  const address = addressKey(input.ip ?? 'unknown');
  // Cheap and first: a flood from one address costs a Map lookup, not queries and audit rows.
  const allowed = requestLimiter(deps.users, policy).take(address, now);
  if (!allowed.ok) {
    const seconds = allowed.retryAfterSeconds;
    throw localizedError(
      'rate_limited',
      'login.too_many_requests',
      { seconds },
      {
        retryAfterSeconds: seconds,
      },
    );
  }
  const attempt = await beginAttempt(deps.users.throttle, policy.throttle, email, address, now);
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
    await verifyPassword(password, UNKNOWN_NAME_HASH);
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

/** A try refused before its password was checked: 423 for a locked pair, else 429 (the address
 * throttled, the email's delay, or the delay of an email known at the address). */
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
