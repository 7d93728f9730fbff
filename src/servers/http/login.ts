// Logging in and the signed-in user: registration, login and logout, sessions, password, two-factor
// login (TOTP), the user's own profile and language. Sessions are cookies (SESSION_COOKIE).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.ts';
import { LOCALES, type Locale } from '../../core/i18n/index.ts';
import { generateTotpSecret, totpUri, verifyTotp } from '../../security/totp.ts';
import * as accounts from '../../services/accounts.ts';
import { setUserLocale } from '../../services/account-locale.ts';
import type { SessionRecord } from '../../services/accounts.ts';
import { logIn, type LoginPolicy } from '../../services/log-in.ts';
import { actorOf, SESSION_COOKIE, type Principal } from './auth.ts';
import { keyView, userView } from './account.ts';
import { iso } from './wire.ts';

const Str = (max = 200) => Type.String({ maxLength: max });
const Id = Type.Object({ id: Type.String() });

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

export function loginRoutes(
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
      await setUserLocale(deps, p.user, locale, actorOf(req));
      return reply.code(204).send();
    },
  );
}

function userOnly(p: Principal | undefined) {
  if (!p || p.kind !== 'user')
    throw new DomainError('invalid_request', 'this needs a logged-in user, not an API key');
  return p;
}
