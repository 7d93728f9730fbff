// /v1/smpp-accounts: a tenant's SMPP credentials (used by the tenant-facing SMPP server), and
// their CMPP secret for the CMPP server (docs/cmpp.md).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../core/errors.ts';
import { hashPassword } from '../../security/passwords.ts';
import type { AuditStore, SmppAccount, SmppAccountStore } from '../../services/repositories.ts';
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
  cmpp: a.cmpp,
});

// CMPP CONNECT: Source_Addr is 6 octets, so a CMPP login needs a system_id of at most 6 characters.
const CMPP_SYSTEM_ID = /^.{1,6}$/;
// The secret is hashed into the MD5 authenticator as is; no ':' (the sealed column's separator).
const cmppSecretSchema = Type.String({ pattern: '^[A-Za-z0-9!#$%&*+.=?@^_~-]{6,32}$' });

function checkCmppSystemId(systemId: string): void {
  if (!CMPP_SYSTEM_ID.test(systemId))
    throw new DomainError(
      'invalid_request',
      `a CMPP login needs a system_id of at most 6 characters (CMPP Source_Addr); ${systemId} has ${systemId.length}`,
      { field: 'systemId' },
    );
}

/** Where this node's tenant-facing servers listen (null: not running here). */
export interface Listeners {
  smppPort: number | null;
  cmppPort: number | null;
}

export function smppAccountRoutes(
  app: FastifyInstance,
  deps: { smppAccounts: SmppAccountStore; audit: AuditStore; listeners?: () => Listeners },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/v1/connect-info',
    {
      config: { access: 'account.read' },
      schema: {
        summary:
          'The ports of the SMPP and CMPP servers on this node (null: not running); plain TCP, no TLS',
        tags: ['smpp'],
      },
    },
    async () => {
      const l = deps.listeners?.() ?? { smppPort: null, cmppPort: null };
      // The servers speak plain TCP (docs/smpp.md): TLS, if any, is a terminator in front of them.
      return {
        smpp: l.smppPort === null ? null : { port: l.smppPort, tls: false },
        cmpp: l.cmppPort === null ? null : { port: l.cmppPort, tls: false },
      };
    },
  );

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
            /** Lets the account log in to the CMPP server too (system_id of at most 6 characters). */
            cmppSecret: Type.Optional(cmppSecretSchema),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (b.cmppSecret !== undefined) checkCmppSystemId(b.systemId);
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
        cmppSecret: b.cmppSecret ?? null,
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

  r.put(
    '/v1/smpp-accounts/:id/cmpp-secret',
    {
      config: { access: 'smpp.manage' },
      schema: {
        summary: 'Set or remove (null) the CMPP secret of SMPP credentials (stored sealed)',
        tags: ['smpp'],
        params: Type.Object({ id: Type.String() }),
        body: Type.Object(
          { cmppSecret: Type.Union([cmppSecretSchema, Type.Null()]) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const tenantId = req.tenant!.id;
      const current = (await deps.smppAccounts.list(tenantId)).find(
        (a) => a.id === req.params.id && a.revokedAt === null,
      );
      if (!current) throw new DomainError('not_found', `no SMPP account ${req.params.id}`);
      if (req.body.cmppSecret !== null) checkCmppSystemId(current.systemId);
      const account = await deps.smppAccounts.setCmppSecret(
        tenantId,
        req.params.id,
        req.body.cmppSecret,
      );
      if (!account) throw new DomainError('not_found', `no SMPP account ${req.params.id}`);
      await deps.audit.record({
        tenantId,
        actor: actorOf(req),
        action:
          req.body.cmppSecret === null ? 'smpp_account.cmpp_removed' : 'smpp_account.cmpp_set',
        targetType: 'smpp_account',
        targetId: account.id,
        details: { systemId: account.systemId },
      });
      return view(account);
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
