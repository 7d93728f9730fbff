// Announcements on the wire (docs/security.md, "Announcements"): the operator writes, lists and
// withdraws them; a tenant reads those addressed to it that are current or upcoming.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import * as service from '../../services/announcements.ts';
import type { Announcement, AnnouncementKind } from '../../services/announcements.ts';
import { actorOf } from './auth.ts';
import { iso, parseLimit, parseTime } from './wire.ts';

const Id = Type.Object({ id: Type.String({ maxLength: 40 }) });
const Page = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
  after: Type.Optional(Type.String({ maxLength: 40 })),
});
const When = Type.Optional(
  Type.Union([Type.String({ maxLength: 40, description: 'ISO-8601' }), Type.Null()]),
);

function tenantView(a: Announcement, now: number) {
  return {
    id: a.id,
    kind: a.kind,
    title: a.title,
    body: a.body,
    startsAt: iso(a.startsAt),
    endsAt: iso(a.endsAt),
    status: service.announcementStatus(a, now),
    createdAt: iso(a.createdAt),
  };
}

function operatorView(a: Announcement, now: number, emails: Record<string, number> | undefined) {
  return {
    ...tenantView(a, now),
    audience: a.tenantIds === null ? 'all' : 'tenants',
    tenantIds: a.tenantIds,
    email: a.email,
    // The mailing: listed or not yet, and its emails by status (pending, sent, skipped, failed…).
    emails: a.email ? { listed: a.emailState === 'listed', ...emails } : null,
    createdBy: a.createdBy,
    withdrawnAt: iso(a.withdrawnAt),
    withdrawnBy: a.withdrawnBy,
  };
}

export function announcementRoutes(app: FastifyInstance, deps: service.AnnouncementDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/v1/admin/announcements',
    {
      config: { access: 'admin.announcements' },
      schema: {
        summary:
          'Announce a notice, maintenance or change to every tenant or some (console banner; email to owners when asked)',
        tags: ['admin', 'announcements'],
        body: Type.Object(
          {
            kind: Type.String({ enum: ['notice', 'maintenance', 'change'] }),
            title: Type.String({ maxLength: service.TITLE_MAX }),
            body: Type.String({ maxLength: service.BODY_MAX }),
            audience: Type.String({ enum: ['all', 'tenants'] }),
            tenantIds: Type.Optional(
              Type.Array(Type.String({ maxLength: 40 }), { maxItems: service.AUDIENCE_MAX }),
            ),
            startsAt: When,
            endsAt: When,
            email: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const a = await service.createAnnouncement(
        deps,
        {
          kind: b.kind as AnnouncementKind,
          title: b.title,
          body: b.body,
          audience: b.audience as 'all' | 'tenants',
          ...(b.tenantIds !== undefined ? { tenantIds: b.tenantIds } : {}),
          startsAt: b.startsAt == null ? null : parseTime(b.startsAt, 'startsAt'),
          endsAt: b.endsAt == null ? null : parseTime(b.endsAt, 'endsAt'),
          email: b.email ?? false,
        },
        actorOf(req),
      );
      return reply.code(201).send(operatorView(a, Date.now(), {}));
    },
  );

  r.get(
    '/v1/admin/announcements',
    {
      config: { access: 'admin.announcements' },
      schema: {
        summary: 'Every announcement, withdrawn ones too, newest first',
        tags: ['admin', 'announcements'],
        querystring: Page,
      },
    },
    async (req) => {
      const limit = parseLimit(req.query.limit, 50, 200);
      const rows = await deps.announcements.list({
        limit,
        ...(req.query.after ? { after: req.query.after } : {}),
      });
      const counts = await deps.announcements.emailCounts(
        rows.filter((a) => a.email).map((a) => a.id),
      );
      const now = Date.now();
      return {
        data: rows.map((a) => operatorView(a, now, counts.get(a.id))),
        nextCursor: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  r.delete(
    '/v1/admin/announcements/:id',
    {
      config: { access: 'admin.announcements' },
      schema: {
        summary:
          'Withdraw an announcement: no longer shown, emails not yet sent are not sent (kept for the audit)',
        tags: ['admin', 'announcements'],
        params: Id,
      },
    },
    async (req, reply) => {
      await service.withdrawAnnouncement(deps, req.params.id, actorOf(req));
      return reply.code(204).send();
    },
  );

  r.get(
    '/v1/announcements',
    {
      config: { access: 'account.read' },
      schema: {
        summary: 'Announcements to my account that are current or upcoming, newest first',
        tags: ['account', 'announcements'],
        querystring: Page,
      },
    },
    async (req) => {
      const limit = parseLimit(req.query.limit, 20, 100);
      const now = Date.now();
      const rows = await deps.announcements.forTenant(req.tenant!.id, now, {
        limit,
        ...(req.query.after ? { after: req.query.after } : {}),
      });
      return {
        data: rows.map((a) => tenantView(a, now)),
        nextCursor: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );
}
