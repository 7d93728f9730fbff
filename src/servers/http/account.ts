// Tenant-side account routes: the account (language, termination), users, API keys, the audit
// log. Every object is looked up within the caller's tenant: another tenant's id is a 404.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.ts';
import { LOCALES, type Locale } from '../../core/i18n/index.ts';
import * as accounts from '../../services/accounts.ts';
import * as apiKeys from '../../services/api-keys.ts';
import { setTenantLocale } from '../../services/account-locale.ts';
import type { ApiKeyRecord, User } from '../../services/accounts.ts';
import { actorOf } from './auth.ts';
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

export function accountRoutes(app: FastifyInstance, deps: accounts.AccountDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

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
      await setTenantLocale(deps, req.tenant!.id, req.body.locale as Locale, actorOf(req));
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
      const { key, record } = await apiKeys.createApiKey(
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
      await apiKeys.revokeApiKey(deps, req.tenant!.id, req.params.id, actorOf(req));
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
