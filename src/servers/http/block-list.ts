// The platform's block list on the wire: operators add numbers, page and search the list and take
// numbers off it. A change takes effect with the next message.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.ts';
import { normaliseNumber } from '../../core/phone.ts';
import {
  blockedNumbers,
  blockNumber,
  unblockNumber,
  type BlockListDeps,
} from '../../services/block-list.ts';
import { actorOf } from './auth.ts';
import { iso, parseLimit } from './wire.ts';

const Entry = Type.Object({
  number: Type.String({ description: 'E.164' }),
  reason: Type.String(),
  createdAt: Type.String(),
});

export function blockListRoutes(
  app: FastifyInstance,
  deps: BlockListDeps & { defaultRegion: string },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/v1/admin/block-list',
    {
      config: { access: 'admin.compliance' },
      schema: {
        summary: 'Block a number for every tenant',
        tags: ['admin', 'compliance'],
        body: Type.Object(
          {
            number: Type.String({ maxLength: 32 }),
            reason: Type.String({ minLength: 1, maxLength: 500 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const n = normaliseNumber(req.body.number, deps.defaultRegion);
      if (!n.ok) throw new DomainError('invalid_number', n.detail, { field: 'numbers' });
      await blockNumber(deps, n.e164, req.body.reason, actorOf(req));
      return reply.code(204).send();
    },
  );

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
      const rows = await blockedNumbers(deps, {
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
      await unblockNumber(deps, n.e164, actorOf(req));
      return reply.code(204).send();
    },
  );
}
