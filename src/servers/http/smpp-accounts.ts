// /v1/smpp-accounts: a tenant's SMPP credentials (used by the tenant-facing SMPP server).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.ts';
import { hashPassword } from '../../security/passwords.ts';
import type { AuditStore } from '../../store/audit.ts';
import type { SmppAccount, SmppAccountStore } from '../../store/smpp-accounts.ts';
import { actorOf } from './auth.ts';

import { iso } from './wire.ts';
const view = (a: SmppAccount) => ({
  id: a.id,
  systemId: a.systemId,
  bindTypes: a.bindTypes,
  maxBinds: a.maxBinds,
  throughput: a.throughput,
  createdAt: iso(a.createdAt),
  revokedAt: iso(a.revokedAt),
});

export function smppAccountRoutes(
  app: FastifyInstance,
  deps: { smppAccounts: SmppAccountStore; audit: AuditStore },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/v1/smpp-accounts',
    {
      config: { access: 'smpp.manage' },
      schema: { summary: 'SMPP credentials of my account', tags: ['smpp'] },
    },
    async (req) => ({
      data: (await deps.smppAccounts.list(req.tenant!.id)).map(view),
    }),
  );

  r.post(
    '/v1/smpp-accounts',
    {
      config: { access: 'smpp.manage' },
      schema: {
        summary: 'Create SMPP credentials (the password is stored hashed)',
        tags: ['smpp'],
        body: Type.Object(
          {
            // SMPP 3.4 §5.2.1/5.2.2: system_id is a C-string of 16 octets, password of 9 (NUL included).
            systemId: Type.String({ pattern: '^[A-Za-z0-9_.-]{3,15}$' }),
            password: Type.String({ minLength: 6, maxLength: 8 }),
            bindTypes: Type.Optional(
              Type.Array(Type.String({ enum: ['transmitter', 'receiver', 'transceiver'] }), {
                minItems: 1,
                maxItems: 3,
              }),
            ),
            maxBinds: Type.Optional(Type.Integer({ minimum: 1, maximum: 32 })),
            throughput: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (await deps.smppAccounts.systemIdTaken(b.systemId))
        throw new DomainError('conflict', `system_id ${b.systemId} is taken`, {
          field: 'systemId',
        });
      const account = await deps.smppAccounts.create({
        tenantId: req.tenant!.id,
        systemId: b.systemId,
        passwordHash: await hashPassword(b.password),
        bindTypes: [...new Set(b.bindTypes ?? ['transceiver'])],
        maxBinds: b.maxBinds ?? 2,
        throughput: b.throughput ?? 100,
      });
      const actor = actorOf(req);
      await deps.audit.record({
        tenantId: req.tenant!.id,
        actor,
        action: 'smpp_account.created',
        targetType: 'smpp_account',
        targetId: account.id,
        details: { systemId: account.systemId },
      });
      return reply.code(201).send(view(account));
    },
  );

  r.delete(
    '/v1/smpp-accounts/:id',
    {
      config: { access: 'smpp.manage' },
      schema: {
        summary: 'Revoke SMPP credentials',
        tags: ['smpp'],
        params: Type.Object({ id: Type.String() }),
      },
    },
    async (req, reply) => {
      if (!(await deps.smppAccounts.revoke(req.tenant!.id, req.params.id)))
        throw new DomainError('not_found', `no SMPP account ${req.params.id}`);
      const actor = actorOf(req);
      await deps.audit.record({
        tenantId: req.tenant!.id,
        actor,
        action: 'smpp_account.revoked',
        targetType: 'smpp_account',
        targetId: req.params.id,
      });
      return reply.code(204).send();
    },
  );
}
