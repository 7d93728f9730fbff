// The platform's block list on the wire, beside POST /v1/admin/block-list (compliance.ts): operators
// page and search it and take numbers off it. A removal takes effect with the next message.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { DomainError } from '../../core/errors.ts';
import { normaliseNumber } from '../../core/phone.ts';
import type { AuditStore } from '../../store/audit.ts';
import { BlockListStore } from '../../store/block-list.ts';
import type { Database } from '../../store/schema.ts';
import { actorOf } from './auth.ts';
import { iso, parseLimit } from './wire.ts';

const Entry = Type.Object({
  number: Type.String({ description: 'E.164' }),
  reason: Type.String(),
  createdAt: Type.String(),
});

export function blockListRoutes(
  app: FastifyInstance,
  deps: { db: Kysely<Database>; audit: AuditStore; defaultRegion: string },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const store = new BlockListStore(deps.db);

  r.get(
    '/v1/admin/block-list',
    {
      config: { access: 'admin.compliance' },
      schema: {
        summary: 'Blocked numbers in number order: ?q=<digits>&limit=&after=',
        tags: ['admin', 'compliance'],
        querystring: Type.Object(
          {
            q: Type.Optional(
              Type.String({
                maxLength: 20,
                description: 'Digits (a leading + allowed) the number contains',
              }),
            ),
            limit: Type.Optional(
              Type.String({ pattern: '^[0-9]{1,4}$', description: '1-200, default 50' }),
            ),
            after: Type.Optional(
              Type.String({ maxLength: 32, description: 'The previous page’s nextCursor' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            data: Type.Array(Entry),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (req) => {
      const limit = parseLimit(req.query.limit, 50, 200);
      const q = req.query.q?.trim() ?? '';
      if (q !== '' && !/^\+?[0-9]{1,19}$/.test(q))
        throw new DomainError('invalid_request', 'q is digits, a leading + allowed', {
          field: 'q',
        });
      const rows = await store.list({
        limit,
        ...(q ? { contains: q } : {}),
        ...(req.query.after ? { after: req.query.after } : {}),
      });
      return {
        data: rows.map((b) => ({
          number: b.number,
          reason: b.reason,
          createdAt: iso(b.createdAt)!,
        })),
        nextCursor: rows.length === limit ? rows[rows.length - 1]!.number : null,
      };
    },
  );

  r.delete(
    '/v1/admin/block-list/:number',
    {
      config: { access: 'admin.compliance' },
      schema: {
        summary: 'Take a number off the block list',
        tags: ['admin', 'compliance'],
        params: Type.Object({ number: Type.String({ maxLength: 32 }) }),
      },
    },
    async (req, reply) => {
      const n = normaliseNumber(req.params.number, deps.defaultRegion);
      if (!n.ok) throw new DomainError('invalid_number', n.detail, { field: 'number' });
      if (!(await store.remove(n.e164)))
        throw new DomainError('not_found', `${n.e164} is not on the block list`);
      await deps.audit.record({
        tenantId: null,
        actor: actorOf(req),
        action: 'block_list.removed',
        targetType: 'number',
        targetId: n.e164,
        details: {},
      });
      return reply.code(204).send();
    },
  );
}
