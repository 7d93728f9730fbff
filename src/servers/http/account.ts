// Tenant-side account routes: registration, login and sessions, the account, users, API keys,
// the audit log. Every object is looked up within the caller's tenant: another tenant's id is a 404.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.ts';
import { LOCALES, type Locale } from '../../core/i18n/index.ts';
import { generateTotpSecret, totpUri, verifyTotp } from '../../security/totp.ts';
import * as accounts from '../../services/accounts.ts';
import { logIn, type LoginPolicy } from '../../services/log-in.ts';
import type { ApiKeyRecord } from '../../store/tenants.ts';
import type { SessionRecord, User } from '../../store/users.ts';
import { actorOf, SESSION_COOKIE } from './auth.ts';

import { iso } from './wire.ts';
const Str = (max = 200) => Type.String({ maxLength: max });
const Id = Type.Object({ id: Type.String() });

export function userView(u: User) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    status: u.status,
    tenantId: u.tenantId,
    mustChangePassword: u.mustChangePassword,
    totpEnabled: u.totpEnabled,
    lockedUntil: iso(u.lockedUntil),
    lastLoginAt: iso(u.lastLoginAt),
    createdAt: iso(u.createdAt),
    /** The person's console language; null follows the account's. */
    locale: u.locale,
  };
}
export function keyView(k: ApiKeyRecord) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    kind: k.kind,
    scopes: k.scopes,
    ipAllow: k.ipAllow,
    createdAt: iso(k.createdAt),
    lastUsedAt: iso(k.lastUsedAt),
    revokedAt: iso(k.revokedAt),
  };
}
function sessionView(s: SessionRecord, current: string | null) {
  return {
    id: s.id,
    ip: s.ip,
    userAgent: s.userAgent,
    createdAt: iso(s.createdAt),
    lastSeenAt: iso(s.lastSeenAt),
    expiresAt: iso(s.expiresAt),
    current: s.id === current,
  };
}

export function accountRoutes(
  app: FastifyInstance,
  deps: accounts.AccountDeps & { loginPolicy: LoginPolicy; secureCookies: boolean },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const cookie = {
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: deps.secureCookies,
    path: '/',
  };

  r.post(
    '/v1/register',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Register a company (the account is pending until the operator approves it)',
        tags: ['account'],
        body: Type.Object(
          {
            companyName: Str(),
            creditCode: Str(40),
            contactName: Str(),
            contactEmail: Str(254),
            contactPhone: Str(40),
            password: Str(200),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const { tenantId, user } = await accounts.registerTenant(deps, req.body, actorOf(req));
      return reply.code(201).send({ tenantId, status: 'pending', user: userView(user) });
    },
  );

  r.post(
    '/v1/auth/login',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Log in; sets the session cookie',
        tags: ['auth'],
        body: Type.Object(
          { email: Str(254), password: Str(200), totp: Type.Optional(Str(10)) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const { token, session, user } = await logIn(
        { users: deps.users, audit: deps.audit, policy: deps.loginPolicy },
        { ...req.body, ip: req.ip, userAgent: req.headers['user-agent'] ?? null },
      );
      reply.setCookie(SESSION_COOKIE, token, { ...cookie, expires: new Date(session.expiresAt) });
      return { user: userView(user), session: sessionView(session, session.id) };
    },
  );

  r.post(
    '/v1/auth/logout',
    { config: { access: 'authenticated' }, schema: { tags: ['auth'] } },
    async (req, reply) => {
      const p = req.principal!;
      if (p.kind !== 'user')
        throw new DomainError('invalid_request', 'API keys do not log out; revoke the key instead');
      await deps.users.revokeSession(p.user.id, p.session.id);
      await deps.audit.record({
        tenantId: p.user.tenantId,
        actor: actorOf(req),
        action: 'logout',
      });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );

  r.get(
    '/v1/auth/sessions',
    {
      config: { access: 'authenticated' },
      schema: { summary: 'My active sessions', tags: ['auth'] },
    },
    async (req) => {
      const p = userOnly(req.principal);
      return {
        data: (await deps.users.listSessions(p.user.id, Date.now())).map((s) =>
          sessionView(s, p.session.id),
        ),
      };
    },
  );

  r.delete(
    '/v1/auth/sessions/:id',
    {
      config: { access: 'authenticated' },
      schema: { summary: 'End one of my sessions', tags: ['auth'], params: Id },
    },
    async (req, reply) => {
      const p = userOnly(req.principal);
      if (!(await deps.users.revokeSession(p.user.id, req.params.id)))
        throw new DomainError('not_found', `no session ${req.params.id}`);
      await deps.audit.record({
        tenantId: p.user.tenantId,
        actor: actorOf(req),
        action: 'session.revoked',
        targetType: 'session',
        targetId: req.params.id,
      });
      return reply.code(204).send();
    },
  );

  r.post(
    '/v1/auth/password',
    {
      config: { access: 'authenticated' },
      schema: {
        summary: 'Change my password (ends my other sessions)',
        tags: ['auth'],
        body: Type.Object(
          { currentPassword: Str(200), newPassword: Str(200) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const p = userOnly(req.principal);
      await accounts.changePassword(
        deps,
        p.user,
        req.body.currentPassword,
        req.body.newPassword,
        p.session.id,
        actorOf(req),
      );
      return reply.code(204).send();
    },
  );

  r.post(
    '/v1/auth/totp/setup',
    {
      config: { access: 'authenticated' },
      schema: {
        summary: 'Start two-factor set-up: a secret for an authenticator app',
        tags: ['auth'],
      },
    },
    async (req) => {
      const p = userOnly(req.principal);
      if (p.user.totpEnabled) throw new DomainError('conflict', 'two-factor login is already on');
      const secret = generateTotpSecret();
      await deps.users.setTotp(p.user.id, secret, false);
      return { secret, uri: totpUri(secret, p.user.email) };
    },
  );

  r.post(
    '/v1/auth/totp/enable',
    {
      config: { access: 'authenticated' },
      schema: {
        summary: 'Turn two-factor login on with a first code',
        tags: ['auth'],
        body: Type.Object({ code: Str(10) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const p = userOnly(req.principal);
      const full = await deps.users.byId(p.user.id);
      const v = full?.totpSecret
        ? verifyTotp(full.totpSecret, req.body.code, Date.now())
        : { ok: false as const };
      if (!v.ok)
        throw new DomainError(
          'invalid_request',
          'that code is not right; check the time on your phone',
          { field: 'code' },
        );
      await deps.users.setTotp(p.user.id, full!.totpSecret, true, v.step);
      await deps.audit.record({
        tenantId: p.user.tenantId,
        actor: actorOf(req),
        action: 'user.totp_enabled',
      });
      return reply.code(204).send();
    },
  );

  r.delete(
    '/v1/auth/totp',
    {
      config: { access: 'authenticated' },
      schema: {
        summary:
          'Turn my two-factor login off with my password and a current code (ends my other sessions)',
        tags: ['auth'],
        body: Type.Object(
          { password: Str(200), totp: Type.String({ pattern: '^[0-9]{6}$' }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const p = userOnly(req.principal);
      await accounts.disableTotp(
        deps,
        p.user,
        req.body.password,
        req.body.totp,
        p.session.id,
        actorOf(req),
      );
      return reply.code(204).send();
    },
  );

  r.get(
    '/v1/me',
    { config: { access: 'authenticated' }, schema: { summary: 'Who am I', tags: ['account'] } },
    async (req) => {
      const p = req.principal!;
      return p.kind === 'key'
        ? {
            kind: 'api_key',
            key: keyView(p.key),
            tenant: p.tenant,
            permissions: [...p.permissions],
          }
        : {
            kind: 'user',
            user: userView(p.user),
            tenant: p.tenant,
            permissions: [...p.permissions],
          };
    },
  );

  r.put(
    '/v1/me/locale',
    {
      config: { access: 'authenticated' },
      schema: {
        summary:
          'My console language (zh-CN or en); null follows my account’s. Also the language of my error titles',
        tags: ['account'],
        body: Type.Object(
          { locale: Type.Union([Type.String({ enum: [...LOCALES] }), Type.Null()]) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const p = userOnly(req.principal);
      const locale = req.body.locale as Locale | null;
      await deps.users.setLocale(p.user.id, locale);
      await deps.audit.record({
        tenantId: p.user.tenantId,
        actor: actorOf(req),
        action: 'user.locale_set',
        targetType: 'user',
        targetId: p.user.id,
        details: { locale },
      });
      return reply.code(204).send();
    },
  );

  r.get(
    '/v1/account',
    {
      config: { access: 'account.read' },
      schema: { summary: 'My company account', tags: ['account'] },
    },
    async (req) => {
      const t = await deps.tenants.details(req.tenant!.id);
      return { ...t, terminateAt: iso(t!.terminateAt), createdAt: iso(t!.createdAt) };
    },
  );

  r.put(
    '/v1/account/locale',
    {
      config: { access: 'account.manage' },
      schema: {
        summary:
          'The language of my notices, statement files and error titles (zh-CN by default, or en)',
        tags: ['account'],
        body: Type.Object(
          { locale: Type.String({ enum: [...LOCALES] }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      await deps.tenants.setLocale(req.tenant!.id, req.body.locale as Locale);
      await deps.audit.record({
        tenantId: req.tenant!.id,
        actor: actorOf(req),
        action: 'account.locale_set',
        targetType: 'tenant',
        targetId: req.tenant!.id,
        details: { locale: req.body.locale },
      });
      return reply.code(204).send();
    },
  );

  r.get(
    '/v1/account/termination',
    {
      config: { access: 'account.read' },
      schema: {
        summary: 'My pending termination request (when it takes effect, why, who asked), or null',
        tags: ['account'],
      },
    },
    async (req, reply) => {
      const t = await deps.tenants.details(req.tenant!.id);
      if (!t?.terminateAt) return reply.send(null);
      // The request itself is the audit entry written with it (services/accounts.ts).
      const [asked] = await deps.audit.list({
        tenantId: req.tenant!.id,
        action: 'tenant.termination_requested',
        limit: 1,
      });
      return {
        effectiveAt: iso(t.terminateAt),
        requestedAt: asked ? iso(asked.createdAt) : null,
        requestedBy: asked?.actorId ?? null,
        reason: typeof asked?.details?.reason === 'string' ? asked.details.reason : null,
      };
    },
  );

  r.post(
    '/v1/account/termination',
    {
      config: { access: 'account.manage' },
      schema: {
        summary: 'Ask to end the service (effective within 24 hours)',
        tags: ['account'],
        body: Type.Object({ reason: Str(500) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const at = await accounts.requestTermination(
        deps,
        req.tenant!.id,
        req.body.reason,
        actorOf(req),
      );
      return reply.code(202).send({ effectiveAt: iso(at) });
    },
  );

  r.delete(
    '/v1/account/termination',
    {
      config: { access: 'account.manage' },
      schema: { summary: 'Withdraw a termination request', tags: ['account'] },
    },
    async (req, reply) => {
      await accounts.cancelTermination(deps, req.tenant!.id, actorOf(req));
      return reply.code(204).send();
    },
  );

  r.get(
    '/v1/api-keys',
    {
      config: { access: 'keys.manage' },
      schema: { summary: 'API keys of my account', tags: ['api keys'] },
    },
    async (req) => ({
      data: (await deps.tenants.listApiKeys(req.tenant!.id)).map(keyView),
    }),
  );

  r.post(
    '/v1/api-keys',
    {
      config: { access: 'keys.manage' },
      schema: {
        summary: 'Create an API key (shown once)',
        tags: ['api keys'],
        body: Type.Object(
          {
            name: Type.Optional(Str(100)),
            kind: Type.Optional(Type.String({ enum: ['live', 'test'] })),
            scopes: Type.Optional(
              Type.Array(Type.String({ enum: ['send', 'read', 'manage'] }), { minItems: 1 }),
            ),
            ipAllow: Type.Optional(Type.Array(Str(50), { maxItems: 50 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const { key, record } = await accounts.createApiKey(
        deps,
        req.tenant!.id,
        req.body ?? {},
        actorOf(req),
      );
      return reply.code(201).send({ key, ...keyView(record) });
    },
  );

  r.delete(
    '/v1/api-keys/:id',
    {
      config: { access: 'keys.manage' },
      schema: {
        summary: 'Revoke an API key (effective on its next request)',
        tags: ['api keys'],
        params: Id,
      },
    },
    async (req, reply) => {
      await accounts.revokeApiKey(deps, req.tenant!.id, req.params.id, actorOf(req));
      return reply.code(204).send();
    },
  );

  r.get(
    '/v1/users',
    {
      config: { access: 'users.manage' },
      schema: { summary: 'Users of my account', tags: ['users'] },
    },
    async (req) => ({
      data: (await deps.users.list(req.tenant!.id)).map(userView),
    }),
  );

  r.post(
    '/v1/users',
    {
      config: { access: 'users.manage' },
      schema: {
        summary: 'Add a user (a temporary password is returned once)',
        tags: ['users'],
        body: Type.Object(
          {
            email: Str(254),
            name: Str(),
            role: Type.String({ enum: ['owner', 'developer', 'sender', 'viewer'] }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const { user, temporaryPassword } = await accounts.createUser(
        deps,
        { tenantId: req.tenant!.id, ...req.body },
        actorOf(req),
      );
      return reply.code(201).send({ user: userView(user), temporaryPassword });
    },
  );

  r.patch(
    '/v1/users/:id',
    {
      config: { access: 'users.manage' },
      schema: {
        summary:
          'Change a user’s role, or their status: active enables a disabled user again, disabled is DELETE',
        tags: ['users'],
        params: Id,
        body: Type.Object(
          {
            role: Type.Optional(Type.String({ enum: ['owner', 'developer', 'sender', 'viewer'] })),
            status: Type.Optional(Type.String({ enum: ['active', 'disabled'] })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const { role, status } = req.body;
      if (role === undefined && status === undefined)
        throw new DomainError('invalid_request', 'give a role or a status', { field: 'role' });
      const tenantId = req.tenant!.id;
      if (role !== undefined)
        await accounts.changeRole(deps, tenantId, req.params.id, role, actorOf(req));
      if (status === 'active')
        await accounts.enableUser(deps, tenantId, req.params.id, actorOf(req));
      if (status === 'disabled')
        await accounts.disableUser(deps, tenantId, req.params.id, actorOf(req));
      return reply.code(204).send();
    },
  );

  r.delete(
    '/v1/users/:id',
    {
      config: { access: 'users.manage' },
      schema: { summary: 'Disable a user and end their sessions', tags: ['users'], params: Id },
    },
    async (req, reply) => {
      await accounts.disableUser(deps, req.tenant!.id, req.params.id, actorOf(req));
      return reply.code(204).send();
    },
  );

  r.get(
    '/v1/audit',
    {
      config: { access: 'audit.read' },
      schema: {
        summary: 'Audit log of my account, newest first',
        tags: ['account'],
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
            before: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
            action: Type.Optional(Str(64)),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const limit = Math.min(500, Math.max(1, Number(req.query.limit ?? 100)));
      const rows = await deps.audit.list({
        tenantId: req.tenant!.id,
        limit,
        ...(req.query.before ? { before: Number(req.query.before) } : {}),
        ...(req.query.action ? { action: req.query.action } : {}),
      });
      return {
        data: rows.map((a) => ({ ...a, createdAt: iso(a.createdAt) })),
        nextBefore: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );
}

function userOnly(p: import('./auth.ts').Principal | undefined) {
  if (!p || p.kind !== 'user')
    throw new DomainError('invalid_request', 'this needs a logged-in user, not an API key');
  return p;
}
