// SMPP credentials of tenants, for the tenant-facing SMPP server: system_id + hashed password,
// allowed bind types, how many binds at once, and a throughput limit. The same account logs in
// to the CMPP server (Source_Addr = system_id) with its CMPP secret, sealed at rest (docs/cmpp.md).
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { newId } from '../core/ids.ts';
import {
  openColumn,
  plaintextCipher,
  sealToColumn,
  type BodyCipher,
} from '../security/body-cipher.ts';

export interface SmppAccount {
  id: string;
  tenantId: string;
  systemId: string;
  bindTypes: string[];
  maxBinds: number;
  throughput: number;
  createdAt: number;
  revokedAt: number | null;
  /** Whether the account has a CMPP secret (may log in over CMPP). */
  cmpp: boolean;
}

export class SmppAccountStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cipher: BodyCipher = plaintextCipher,
  ) {}

  async create(a: {
    tenantId: string;
    systemId: string;
    passwordHash: string;
    bindTypes: string[];
    maxBinds: number;
    throughput: number;
    /** The CMPP shared secret in clear (sealed here); none: no CMPP login. */
    cmppSecret?: string | null;
  }): Promise<SmppAccount> {
    const id = newId('smp');
    const row = {
      id,
      tenant_id: a.tenantId,
      system_id: a.systemId,
      password_hash: a.passwordHash,
      bind_types: a.bindTypes.join(','),
      max_binds: a.maxBinds,
      throughput: a.throughput,
      created_at: Date.now(),
      revoked_at: null,
      cmpp_secret: a.cmppSecret ? sealToColumn(this.cipher, a.cmppSecret, id) : null,
    };
    await this.db.insertInto('smpp_accounts').values(row).execute();
    return toAccount(row);
  }

  async systemIdTaken(systemId: string): Promise<boolean> {
    return (
      (await this.db
        .selectFrom('smpp_accounts')
        .select('id')
        .where('system_id', '=', systemId)
        .executeTakeFirst()) !== undefined
    );
  }

  async list(tenantId: string): Promise<SmppAccount[]> {
    return (
      await this.db
        .selectFrom('smpp_accounts')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .execute()
    ).map(toAccount);
  }

  /** For the SMPP server's bind: the live account and its password hash. */
  async bySystemId(
    systemId: string,
  ): Promise<(SmppAccount & { passwordHash: string }) | undefined> {
    const row = await this.db
      .selectFrom('smpp_accounts')
      .selectAll()
      .where('system_id', '=', systemId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row && { ...toAccount(row), passwordHash: row.password_hash };
  }

  /** For the CMPP server's CONNECT: the live account and its CMPP secret in clear (null: none). */
  async forCmpp(
    systemId: string,
  ): Promise<(SmppAccount & { cmppSecret: string | null }) | undefined> {
    const row = await this.db
      .selectFrom('smpp_accounts')
      .selectAll()
      .where('system_id', '=', systemId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    const secret =
      row.cmpp_secret === null ? null : openColumn(this.cipher, row.cmpp_secret, row.id);
    return { ...toAccount(row), cmppSecret: secret };
  }

  /** Sets (or with null, removes) the CMPP secret of a live account of the tenant. */
  async setCmppSecret(
    tenantId: string,
    id: string,
    secret: string | null,
  ): Promise<SmppAccount | undefined> {
    const r = await this.db
      .updateTable('smpp_accounts')
      .set({ cmpp_secret: secret === null ? null : sealToColumn(this.cipher, secret, id) })
      .where('id', '=', id)
      .where('tenant_id', '=', tenantId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return undefined;
    const row = await this.db
      .selectFrom('smpp_accounts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return toAccount(row);
  }

  async revoke(tenantId: string, id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('smpp_accounts')
      .set({ revoked_at: Date.now() })
      .where('id', '=', id)
      .where('tenant_id', '=', tenantId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}

function toAccount(r: Database['smpp_accounts']): SmppAccount {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    systemId: r.system_id,
    bindTypes: r.bind_types.split(','),
    maxBinds: Number(r.max_binds),
    throughput: Number(r.throughput),
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    cmpp: r.cmpp_secret !== null,
  };
}
