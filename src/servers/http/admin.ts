// Operator routes (/v1/admin): tenants and their lifecycle, staff users, the whole audit log,
// and a tenant's messages with numbers masked and bodies hidden unless the role allows it.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.ts';
import { LOCALES, type Locale } from '../../core/i18n/index.ts';
import { maskNumber } from '../../core/phone.ts';
import * as accounts from '../../services/accounts.ts';
import { setTenantLocale } from '../../services/account-locale.ts';
import type { MessageStore, TenantDirectory } from '../../services/repositories.ts';
import { actorOf } from './auth.ts';
import { userView } from './account.ts';
import { channelIncidents, type IncidentStore } from '../../services/channel-incidents.ts';
import { stringify } from 'csv-stringify';
import { once } from 'node:events';
import { safeCell } from '../../reports/csv-cells.ts';
import { money } from '../../core/billing/money.ts';
import { iso, parseLimit, parseTime } from './wire.ts';
import { effectiveLimits, type SendLimiter } from '../../services/send-limits.ts';
const Id = Type.Object({ id: Type.String() });
const Str = (max = 200) => Type.String({ maxLength: max });

export function adminRoutes(
  app: FastifyInstance,
  deps: accounts.AccountDeps & {
    messages: MessageStore;
    /** The operator's tenant table: search, status, balances. */
    directory: TenantDirectory;
    incidents: IncidentStore;
    onTenantStatus?: (tenantId: string, status: string) => void;
    /** Per-tenant message limits: the defaults, and forgetting a changed tenant's at once. */
    sendLimiter?: SendLimiter;
  },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/v1/admin/tenants',
    {
      config: { access: 'admin.tenants.read' },
      schema: {
        summary:
          'Tenants, newest first, with their balances: ?q= (an id, an email, or the start of the name)&status=',
        tags: ['admin'],
        querystring: Type.Object(
          {
            q: Type.Optional(Str(100)),
            status: Type.Optional(
              Type.String({ enum: ['pending', 'active', 'suspended', 'terminated'] }),
            ),
            after: Type.Optional(Str(40)),
            limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const limit = parseLimit(req.query.limit, 100, 500);
      const rows = await deps.directory.list({
        limit,
        ...(req.query.q ? { q: req.query.q } : {}),
        ...(req.query.status ? { status: req.query.status } : {}),
        ...(req.query.after ? { after: req.query.after } : {}),
      });
      return {
        data: rows.map(({ available, held, ...t }) => ({
          ...t,
          available: money(available, t.currency),
          held: money(held, t.currency),
          terminateAt: iso(t.terminateAt),
          createdAt: iso(t.createdAt),
        })),
        nextCursor: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  r.get(
    '/v1/admin/tenants/:id',
    { config: { access: 'admin.tenants.read' }, schema: { tags: ['admin'], params: Id } },
    async (req) => {
      const t = await deps.tenants.details(req.params.id);
      if (!t) throw new DomainError('not_found', `no tenant ${req.params.id}`);
      return {
        ...t,
        sendLimits: sendLimitsView(t, deps.sendLimiter),
        terminateAt: iso(t.terminateAt),
        createdAt: iso(t.createdAt),
        users: (await deps.users.list(t.id)).map(userView),
      };
    },
  );

  const Limit = Type.Union([Type.Integer({ minimum: 1, maximum: 10_000_000 }), Type.Null()]);
  r.put(
    '/v1/admin/tenants/:id/limits',
    {
      config: { access: 'admin.tenants.status' },
      schema: {
        summary: 'A tenant’s sending limits in messages (null: the configured default)',
        tags: ['admin'],
        params: Id,
        body: Type.Object(
          {
            messagesPerSecond: Limit,
            messagesBurst: Limit,
            messagesInFlight: Limit,
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const limits = {
        messagesPerSecond: req.body.messagesPerSecond,
        messagesBurst: req.body.messagesBurst,
        messagesInFlight: req.body.messagesInFlight,
      };
      if (!(await deps.tenants.setSendLimits(req.params.id, limits)))
        throw new DomainError('not_found', `no tenant ${req.params.id}`);
      deps.sendLimiter?.forget(req.params.id);
      await deps.audit.record({
        tenantId: req.params.id,
        actor: actorOf(req),
        action: 'account.limits_set',
        targetType: 'tenant',
        targetId: req.params.id,
        details: limits,
      });
      const t = await deps.tenants.details(req.params.id);
      return { sendLimits: sendLimitsView(t!, deps.sendLimiter) };
    },
  );

  r.post(
    '/v1/admin/tenants/:id/status',
    {
      config: { access: 'admin.tenants.status' },
      schema: {
        summary: 'Approve, suspend, reactivate or terminate a tenant',
        tags: ['admin'],
        params: Id,
        body: Type.Object(
          {
            status: Type.String({ enum: ['active', 'suspended', 'terminated'] }),
            reason: Str(500),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      await accounts.changeTenantStatus(
        deps,
        req.params.id,
        req.body.status,
        req.body.reason,
        actorOf(req),
      );
      deps.onTenantStatus?.(req.params.id, req.body.status);
      return reply.code(204).send();
    },
  );

  r.put(
    '/v1/admin/tenants/:id/locale',
    {
      config: { access: 'admin.tenants.status' },
      schema: {
        summary: 'The language of a tenant’s notices, statement files and error titles',
        tags: ['admin'],
        params: Id,
        body: Type.Object(
          { locale: Type.String({ enum: [...LOCALES] }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      await setTenantLocale(deps, req.params.id, req.body.locale as Locale, actorOf(req));
      return reply.code(204).send();
    },
  );

  r.get(
    '/v1/admin/tenants/:id/messages',
    {
      config: { access: 'admin.messages.read' },
      schema: {
        summary:
          'A tenant’s messages: numbers masked; bodies only with ?bodies=true, for roles allowed to, audited',
        tags: ['admin'],
        params: Id,
        querystring: Type.Object(
          {
            bodies: Type.Optional(Type.String({ enum: ['true', 'false'] })),
            limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
            after: Type.Optional(Str(40)),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const p = req.principal!;
      const withBodies = req.query.bodies === 'true';
      if (withBodies && !p.permissions.has('admin.messages.bodies'))
        throw new DomainError('forbidden', 'your role may not read message bodies');
      const tenant = await deps.tenants.get(req.params.id);
      const limit = Math.min(500, Math.max(1, Number(req.query.limit ?? 50)));
      const rows = await deps.messages.list(tenant.id, {
        limit,
        ...(req.query.after ? { after: req.query.after } : {}),
      });
      // Reading a tenant's data is itself audited: message content is confidential.
      await deps.audit.record({
        tenantId: tenant.id,
        actor: actorOf(req),
        action: withBodies ? 'operator.read_message_bodies' : 'operator.read_messages',
        targetType: 'tenant',
        targetId: tenant.id,
        details: { count: rows.length },
      });
      const bodies = withBodies
        ? await deps.messages.texts(
            tenant.id,
            rows.map((m) => m.id),
          )
        : null;
      return {
        data: rows.map((m) => ({
          id: m.id,
          to: maskNumber(m.to),
          status: m.status,
          parts: m.parts,
          createdAt: iso(m.createdAt),
          doneAt: iso(m.doneAt),
          ...(bodies ? { text: bodies.get(m.id) ?? null } : {}),
        })),
        nextCursor: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  r.get(
    '/v1/admin/channels/incidents',
    {
      config: { access: 'admin.tenants.read' },
      schema: {
        summary:
          'Channel incidents (bind losses) with start and end: ?channel=&from=&to=&format=csv',
        tags: ['admin', 'channels'],
        querystring: Type.Object(
          {
            channel: Type.Optional(Str(40)),
            from: Type.Optional(Str(30)),
            to: Type.Optional(Str(30)),
            format: Type.Optional(Type.String({ enum: ['json', 'csv'] })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const from = req.query.from === undefined ? undefined : parseTime(req.query.from, 'from');
      const to = req.query.to === undefined ? undefined : parseTime(req.query.to, 'to');
      const rows = await channelIncidents(deps.incidents, {
        ...(req.query.channel ? { channelId: req.query.channel } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
      });
      const view = rows.map((i) => ({
        id: i.id,
        channel: i.channelId,
        kind: i.kind,
        detail: i.detail,
        node: i.node,
        startedAt: iso(i.startedAt),
        endedAt: iso(i.endedAt),
        seconds: i.endedAt === null ? null : Math.round((i.endedAt - i.startedAt) / 1000),
      }));
      if (req.query.format === 'csv') {
        // Streamed row by row; text from carriers and channel names cannot become a formula.
        const csv = stringify({
          header: true,
          columns: ['id', 'channel', 'kind', 'started_at', 'ended_at', 'seconds', 'detail'],
        });
        void (async () => {
          for (const v of view) {
            const row = [
              v.id,
              safeCell(v.channel),
              safeCell(v.kind),
              v.startedAt ?? '',
              v.endedAt ?? '',
              v.seconds === null ? '' : String(v.seconds),
              safeCell(v.detail),
            ];
            if (!csv.write(row)) await once(csv, 'drain');
          }
          csv.end();
        })().catch((err: unknown) => csv.destroy(err as Error));
        return reply
          .type('text/csv; charset=utf-8')
          .header('Content-Disposition', 'attachment; filename="incidents.csv"')
          .send(csv);
      }
      return { data: view };
    },
  );

  r.get(
    '/v1/admin/users',
    {
      config: { access: 'admin.users.manage' },
      schema: { summary: 'Operator staff', tags: ['admin'] },
    },
    async () => ({ data: (await deps.users.list(null)).map(userView) }),
  );

  r.post(
    '/v1/admin/users',
    {
      config: { access: 'admin.users.manage' },
      schema: {
        summary: 'Add operator staff (a temporary password is returned once)',
        tags: ['admin'],
        body: Type.Object(
          {
            email: Str(254),
            name: Str(),
            role: Type.String({ enum: ['admin', 'reviewer', 'finance', 'support'] }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const { user, temporaryPassword } = await accounts.createUser(
        deps,
        { tenantId: null, ...req.body },
        actorOf(req),
      );
      return reply.code(201).send({ user: userView(user), temporaryPassword });
    },
  );

  r.post(
    '/v1/admin/users/:id/reset-password',
    {
      config: { access: 'admin.users.manage' },
      schema: {
        summary: 'Reset any user’s password: a temporary one, to change at next login',
        tags: ['admin'],
        params: Id,
      },
    },
    async (req) => ({
      temporaryPassword: await accounts.resetPassword(deps, req.params.id, actorOf(req)),
    }),
  );

  r.post(
    '/v1/admin/users/:id/unlock',
    { config: { access: 'admin.users.manage' }, schema: { tags: ['admin'], params: Id } },
    async (req, reply) => {
      await accounts.unlockUser(deps, req.params.id, actorOf(req));
      return reply.code(204).send();
    },
  );

  r.get(
    '/v1/admin/audit',
    {
      config: { access: 'admin.audit.read' },
      schema: {
        summary: 'The whole audit log, newest first',
        tags: ['admin'],
        querystring: Type.Object(
          {
            tenantId: Type.Optional(Str(40)),
            action: Type.Optional(Str(64)),
            before: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
            limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const limit = Math.min(500, Math.max(1, Number(req.query.limit ?? 100)));
      const rows = await deps.audit.list({
        limit,
        ...(req.query.tenantId ? { tenantId: req.query.tenantId } : {}),
        ...(req.query.action ? { action: req.query.action } : {}),
        ...(req.query.before ? { before: Number(req.query.before) } : {}),
      });
      return {
        data: rows.map((a) => ({ ...a, createdAt: iso(a.createdAt) })),
        nextBefore: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );
}

/** The operator's overrides (null = default) and what applies. */
function sendLimitsView(t: accounts.TenantDetails, limiter: SendLimiter | undefined) {
  const applied = limiter ? effectiveLimits(limiter.defaults, t.sendLimits) : null;
  return {
    ...t.sendLimits,
    effective: applied && {
      messagesPerSecond: applied.perSecond,
      messagesBurst: applied.burst,
      messagesInFlight: applied.inFlight,
    },
  };
}
