// Who is calling, and may they? API keys (Bearer hy_live_/hy_test_) for machines, a session
// cookie for people. Each route names what it needs in `config.access`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import { DomainError } from '../../core/errors.ts';
import {
  ipAllowed,
  permissionsOfRole,
  permissionsOfScopes,
  type Permission,
} from '../../core/security/access.ts';
import { RateLimiter } from '../../core/security/rate-limit.ts';
import type {
  Actor,
  ApiKeyRecord,
  SessionRecord,
  Tenant,
  TenantStore,
  User,
  UserStore,
} from '../../services/accounts.ts';
import { problem, sendProblem } from './problem.ts';

export const SESSION_COOKIE = 'hy_session';

export type Principal =
  | { kind: 'key'; tenant: Tenant; key: ApiKeyRecord; permissions: ReadonlySet<Permission> }
  | {
      kind: 'user';
      user: User;
      tenant: Tenant | null;
      session: SessionRecord;
      permissions: ReadonlySet<Permission>;
    };

/** public: anyone; authenticated: any signed-in caller (also one who must change the password); else a permission. */
export type Access = 'public' | 'authenticated' | Permission;

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    tenant?: Tenant;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export interface RateLimits {
  keyPerSecond: number;
  keyBurst: number;
  tenantPerSecond: number;
  tenantBurst: number;
}

export function actorOf(req: FastifyRequest): Actor {
  const p = req.principal;
  if (!p) return { type: 'anonymous', id: null, ip: req.ip };
  return p.kind === 'key'
    ? { type: 'api_key', id: p.key.id, ip: req.ip }
    : { type: 'user', id: p.user.id, ip: req.ip };
}

export function registerAuth(
  app: FastifyInstance,
  deps: {
    tenants: TenantStore;
    users: UserStore;
    limits: RateLimits;
    routes: Array<{ method: string; url: string; access: Access }>;
  },
): void {
  const perKey = new RateLimiter({
    capacity: deps.limits.keyBurst,
    refillPerSecond: deps.limits.keyPerSecond,
  });
  const perTenant = new RateLimiter({
    capacity: deps.limits.tenantBurst,
    refillPerSecond: deps.limits.tenantPerSecond,
  });
  // last_used_at is written at most once a minute per key: not a write per request.
  const touched = new Map<string, number>();

  // Fail at start-up, not in production: every API route must say who may call it.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1/')) return;
    const access = route.config?.access;
    if (access === undefined)
      throw new Error(`route ${route.method} ${route.url} declares no config.access`);
    for (const method of [route.method].flat())
      if (method !== 'HEAD') deps.routes.push({ method, url: route.url, access });
  });

  // A refusal that says when to come back (login throttling, rate limits) says it in Retry-After
  // too (RFC 9110 §10.2.3), which clients and proxies honour without reading the body.
  app.addHook('onError', async (_req, reply, err) => {
    const retry: unknown = err instanceof DomainError ? err.details?.retryAfterSeconds : undefined;
    if (typeof retry === 'number' && retry > 0 && !reply.hasHeader('Retry-After'))
      reply.header('Retry-After', String(Math.ceil(retry)));
  });

  app.addHook('onRequest', async (req, reply) => {
    const access = req.routeOptions.config?.access;
    if (access === undefined || access === 'public') return;
    const now = Date.now();
    const principal = await resolve(req, now);
    if (principal instanceof DomainError) return deny(reply, principal);
    req.principal = principal;
    if (principal.tenant) req.tenant = principal.tenant;

    const limited = perKey.take(
      principal.kind === 'key' ? principal.key.id : principal.user.id,
      now,
    );
    const tenantLimited = principal.tenant
      ? perTenant.take(principal.tenant.id, now)
      : ({ ok: true } as const);
    if (!limited.ok || !tenantLimited.ok) {
      const retry = Math.max(
        limited.ok ? 0 : limited.retryAfterSeconds,
        tenantLimited.ok ? 0 : tenantLimited.retryAfterSeconds,
      );
      return sendProblem(
        reply,
        problem('rate_limited', `too many requests; retry after ${retry} s`, {
          retryAfterSeconds: retry,
        }),
        { 'Retry-After': String(retry) },
      );
    }
    if (
      principal.kind === 'user' &&
      principal.user.mustChangePassword &&
      access !== 'authenticated'
    ) {
      return sendProblem(
        reply,
        problem('password_change_required', 'change your password first (POST /v1/auth/password)'),
      );
    }
    if (access === 'authenticated') return;
    const operatorRoute = access.startsWith('admin.');
    const isOperator = principal.kind === 'user' && principal.user.tenantId === null;
    if (operatorRoute !== isOperator || !principal.permissions.has(access)) {
      return sendProblem(
        reply,
        problem(
          'forbidden',
          `this ${principal.kind === 'key' ? 'key' : 'account'} may not do that (needs ${access})`,
        ),
      );
    }
  });

  async function resolve(req: FastifyRequest, now: number): Promise<Principal | DomainError> {
    const header = req.headers.authorization;
    if (typeof header === 'string') {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m)
        return new DomainError('unauthorized', 'send an API key as Authorization: Bearer <key>');
      const found = await deps.tenants.authenticate(m[1]!);
      if (!found) return new DomainError('unauthorized', 'this API key is unknown or revoked');
      if (!ipAllowed(req.ip, found.key.ipAllow))
        return new DomainError('ip_not_allowed', `this key may not be used from ${req.ip}`);
      const last = touched.get(found.key.id) ?? found.key.lastUsedAt ?? 0;
      if (now - last > 60_000) {
        touched.set(found.key.id, now);
        await deps.tenants.touchApiKey(found.key.id, now);
      }
      return {
        kind: 'key',
        tenant: found.tenant,
        key: found.key,
        permissions: permissionsOfScopes(found.key.scopes),
      };
    }
    const token = req.cookies?.[SESSION_COOKIE];
    if (token) {
      const found = await deps.users.sessionByToken(token, now);
      if (!found || found.user.status !== 'active')
        return new DomainError('unauthorized', 'your session has ended; log in again');
      if (now - found.session.lastSeenAt > 60_000)
        await deps.users.touchSession(found.session.id, now);
      const tenant = found.user.tenantId
        ? ((await deps.tenants.find(found.user.tenantId)) ?? null)
        : null;
      const operator = found.user.tenantId === null;
      return {
        kind: 'user',
        user: found.user,
        tenant,
        session: found.session,
        permissions: permissionsOfRole(found.user.role, operator),
      };
    }
    return new DomainError(
      'unauthorized',
      'send an API key as Authorization: Bearer <key>, or log in',
    );
  }
}

function deny(reply: FastifyReply, err: DomainError): FastifyReply {
  const headers: Record<string, string> =
    err.code === 'unauthorized' ? { 'WWW-Authenticate': 'Bearer' } : {};
  return sendProblem(reply, problem(err.code, err.message), headers);
}
