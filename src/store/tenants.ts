// Tenants, their API keys and their ledger.
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { newId } from '../core/ids.ts';

export interface Tenant {
  id: string;
  name: string;
  status: string;
  currency: string;
}

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `hy_live_` + 32 base62 characters (~190 bits). Only its SHA-256 is stored. */
export function generateApiKey(kind: 'live' | 'test' = 'live'): string {
  const bytes = randomBytes(32);
  let body = '';
  for (const b of bytes) body += KEY_ALPHABET[b % 62];
  return `hy_${kind}_${body}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export class TenantStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: { name: string; currency?: string; id?: string }): Promise<Tenant> {
    const tenant: Tenant = {
      id: input.id ?? newId('ten'),
      name: input.name,
      status: 'active',
      currency: input.currency ?? 'CNY',
    };
    await this.db
      .insertInto('tenants')
      .values({ ...tenant, created_at: Date.now() })
      .execute();
    return tenant;
  }

  async find(id: string): Promise<Tenant | undefined> {
    return this.db
      .selectFrom('tenants')
      .select(['id', 'name', 'status', 'currency'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async findByName(name: string): Promise<Tenant | undefined> {
    return this.db
      .selectFrom('tenants')
      .select(['id', 'name', 'status', 'currency'])
      .where('name', '=', name)
      .executeTakeFirst();
  }

  /** Returns the key itself once; only its hash is kept. */
  async createApiKey(
    tenantId: string,
    name: string,
  ): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = generateApiKey('live');
    const record: ApiKeyRecord = {
      id: newId('key'),
      tenantId,
      name,
      prefix: key.slice(0, 12),
      createdAt: Date.now(),
      revokedAt: null,
    };
    await this.db
      .insertInto('api_keys')
      .values({
        id: record.id,
        tenant_id: tenantId,
        name,
        prefix: record.prefix,
        key_hash: hashApiKey(key),
        created_at: record.createdAt,
        revoked_at: null,
        last_used_at: null,
      })
      .execute();
    return { key, record };
  }

  /** The tenant a live (not revoked) key belongs to. */
  async authenticate(key: string): Promise<{ tenant: Tenant; keyId: string } | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .innerJoin('tenants', 'tenants.id', 'api_keys.tenant_id')
      .select([
        'api_keys.id as key_id',
        'tenants.id',
        'tenants.name',
        'tenants.status',
        'tenants.currency',
      ])
      .where('api_keys.key_hash', '=', hashApiKey(key))
      .where('api_keys.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      tenant: { id: row.id, name: row.name, status: row.status, currency: row.currency },
      keyId: row.key_id,
    };
  }

  async revokeApiKey(tenantId: string, keyId: string): Promise<boolean> {
    const r = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: Date.now() })
      .where('id', '=', keyId)
      .where('tenant_id', '=', tenantId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Every balance change is a ledger row; this is the only way to add one here. */
  async addLedgerEntry(entry: {
    tenantId: string;
    amount: number;
    currency: string;
    kind: string;
    reason: string;
    reference?: string;
  }): Promise<void> {
    await this.db
      .insertInto('ledger_entries')
      .values({
        tenant_id: entry.tenantId,
        amount: entry.amount,
        currency: entry.currency,
        kind: entry.kind,
        reason: entry.reason,
        reference: entry.reference ?? null,
        created_at: Date.now(),
      })
      .execute();
  }

  async balance(tenantId: string): Promise<number> {
    const row = await this.db
      .selectFrom('ledger_entries')
      .select(sql<number>`coalesce(sum(amount), 0)`.as('balance'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow();
    return Number(row.balance);
  }
}
