// Tenants, their API keys and their ledger.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database, TenantTable } from './schema.ts';
import { newId } from '../core/ids.ts';
import { DomainError } from '../core/errors.ts';
import { DEFAULT_LOCALE, type Locale } from '../core/i18n/locale.ts';

export interface Tenant {
  id: string;
  name: string;
  status: string;
  currency: string;
  /** The language of its notices, statement files and error titles (core/i18n). */
  locale: Locale;
}

export interface TenantDetails extends Tenant {
  creditCode: string | null;
  contactName: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  statusReason: string | null;
  terminateAt: number | null;
  chargeMode: string;
  createdAt: number;
  sendLimits: TenantSendLimits;
}

/** The operator's per-tenant sending limits, in messages; null = the config default. */
export interface TenantSendLimits {
  messagesPerSecond: number | null;
  messagesBurst: number | null;
  messagesInFlight: number | null;
}

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  kind: 'live' | 'test';
  scopes: string[];
  ipAllow: string[];
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface AuthenticatedKey {
  tenant: Tenant;
  key: ApiKeyRecord;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `hy_live_` / `hy_test_` + 32 base62 characters (~190 bits). Only its SHA-256 is stored. */
export function generateApiKey(kind: 'live' | 'test' = 'live'): string {
  // 248 is the largest multiple of 62 below 256: rejecting bytes above it keeps the alphabet uniform.
  let body = '';
  while (body.length < 32) {
    for (const b of randomBytes(40)) if (b < 248 && body.length < 32) body += KEY_ALPHABET[b % 62];
  }
  return `hy_${kind}_${body}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

const TENANT_COLUMNS = ['id', 'name', 'status', 'currency', 'locale'] as const;
type Db = Kysely<Database> | Transaction<Database>;

export class TenantStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(
    input: {
      name: string;
      currency?: string;
      id?: string;
      status?: string;
      creditCode?: string;
      contactName?: string;
      contactEmail?: string;
      contactPhone?: string;
      locale?: Locale;
    },
    db: Db = this.db,
  ): Promise<Tenant> {
    const now = Date.now();
    const tenant: Tenant = {
      id: input.id ?? newId('ten'),
      name: input.name,
      status: input.status ?? 'active',
      currency: input.currency ?? 'CNY',
      locale: input.locale ?? DEFAULT_LOCALE,
    };
    await db
      .insertInto('tenants')
      .values({
        ...tenant,
        created_at: now,
        updated_at: now,
        credit_code: input.creditCode ?? null,
        contact_name: input.contactName ?? null,
        contact_email: input.contactEmail ?? null,
        contact_phone: input.contactPhone ?? null,
        status_reason: null,
        terminate_at: null,
        charge_mode: 'on_submit',
        low_balance_threshold: null,
        low_balance_notified: 0,
        free_text_classes: 'verification,notification,marketing',
        frequency_caps: null,
      })
      .execute();
    return tenant;
  }

  async find(id: string, db: Db = this.db): Promise<Tenant | undefined> {
    return db.selectFrom('tenants').select(TENANT_COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  /** The tenant, or not_found (another tenant's id and a missing one look the same). */
  async get(id: string, db: Db = this.db): Promise<Tenant> {
    const t = await this.find(id, db);
    if (!t) throw new DomainError('not_found', `no tenant ${id}`);
    return t;
  }

  async findByName(name: string): Promise<Tenant | undefined> {
    return this.db
      .selectFrom('tenants')
      .select(TENANT_COLUMNS)
      .where('name', '=', name)
      .executeTakeFirst();
  }

  async findByCreditCode(code: string): Promise<Tenant | undefined> {
    return this.db
      .selectFrom('tenants')
      .select(TENANT_COLUMNS)
      .where('credit_code', '=', code)
      .executeTakeFirst();
  }

  async details(id: string): Promise<TenantDetails | undefined> {
    const row = await this.db
      .selectFrom('tenants')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toDetails(row);
  }

  async list(f: { status?: string; after?: string; limit: number }): Promise<TenantDetails[]> {
    let q = this.db.selectFrom('tenants').selectAll();
    if (f.status) q = q.where('status', '=', f.status);
    if (f.after) q = q.where('id', '<', f.after);
    return (await q.orderBy('id', 'desc').limit(f.limit).execute()).map(toDetails);
  }

  /** Guarded by the status we expect, so two operators cannot both move one tenant. */
  async setStatus(
    id: string,
    from: string,
    to: string,
    reason: string,
    db: Db = this.db,
  ): Promise<boolean> {
    const r = await db
      .updateTable('tenants')
      .set({
        status: to,
        status_reason: reason,
        updated_at: Date.now(),
        terminate_at: to === 'terminated' ? null : undefined,
      })
      .where('id', '=', id)
      .where('status', '=', from)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async sendLimits(id: string): Promise<TenantSendLimits | undefined> {
    const r = await this.db
      .selectFrom('tenants')
      .select(['messages_per_second', 'messages_burst', 'messages_in_flight'])
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toSendLimits(r);
  }

  async setSendLimits(id: string, limits: TenantSendLimits): Promise<boolean> {
    const r = await this.db
      .updateTable('tenants')
      .set({
        messages_per_second: limits.messagesPerSecond,
        messages_burst: limits.messagesBurst,
        messages_in_flight: limits.messagesInFlight,
        updated_at: Date.now(),
      })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async setLocale(id: string, locale: Locale): Promise<boolean> {
    const r = await this.db
      .updateTable('tenants')
      .set({ locale, updated_at: Date.now() })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async setChargeMode(id: string, mode: 'on_submit' | 'on_delivery'): Promise<void> {
    await this.db
      .updateTable('tenants')
      .set({ charge_mode: mode, updated_at: Date.now() })
      .where('id', '=', id)
      .execute();
  }

  async setTerminateAt(id: string, at: number | null, db: Db = this.db): Promise<void> {
    await db
      .updateTable('tenants')
      .set({ terminate_at: at, updated_at: Date.now() })
      .where('id', '=', id)
      .execute();
  }

  /** Tenants whose own termination request has come due. */
  async dueTerminations(now: number): Promise<Tenant[]> {
    return this.db
      .selectFrom('tenants')
      .select(TENANT_COLUMNS)
      .where('terminate_at', '<=', now)
      .where('status', '<>', 'terminated')
      .execute();
  }

  /** Returns the key itself once; only its hash is kept. */
  async createApiKey(
    tenantId: string,
    name: string,
    opts: {
      kind?: 'live' | 'test';
      scopes?: string[];
      ipAllow?: string[];
      createdBy?: string;
    } = {},
    db: Db = this.db,
  ): Promise<{ key: string; record: ApiKeyRecord }> {
    const kind = opts.kind ?? 'live';
    const key = generateApiKey(kind);
    const record: ApiKeyRecord = {
      id: newId('key'),
      tenantId,
      name,
      prefix: key.slice(0, 12),
      kind,
      scopes: opts.scopes ?? ['send', 'read'],
      ipAllow: opts.ipAllow ?? [],
      createdAt: Date.now(),
      revokedAt: null,
      lastUsedAt: null,
    };
    await db
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
        kind,
        scopes: record.scopes.join(','),
        ip_allow: record.ipAllow.length ? record.ipAllow.join(',') : null,
        created_by: opts.createdBy ?? null,
      })
      .execute();
    return { key, record };
  }

  async listApiKeys(tenantId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toKey);
  }

  /** The tenant and record of a live (not revoked) key. */
  async authenticate(key: string): Promise<AuthenticatedKey | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .innerJoin('tenants', 'tenants.id', 'api_keys.tenant_id')
      .selectAll('api_keys')
      .select([
        'tenants.name as tenant_name',
        'tenants.status as tenant_status',
        'tenants.currency as tenant_currency',
        'tenants.locale as tenant_locale',
      ])
      .where('api_keys.key_hash', '=', hashApiKey(key))
      .where('api_keys.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      tenant: {
        id: row.tenant_id,
        name: row.tenant_name,
        status: row.tenant_status,
        currency: row.tenant_currency,
        locale: row.tenant_locale,
      },
      key: toKey(row),
    };
  }

  async touchApiKey(keyId: string, at: number): Promise<void> {
    await this.db
      .updateTable('api_keys')
      .set({ last_used_at: at })
      .where('id', '=', keyId)
      .execute();
  }

  async revokeApiKey(tenantId: string, keyId: string, db: Db = this.db): Promise<boolean> {
    const r = await db
      .updateTable('api_keys')
      .set({ revoked_at: Date.now() })
      .where('id', '=', keyId)
      .where('tenant_id', '=', tenantId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}

function toSendLimits(
  r: Pick<TenantTable, 'messages_per_second' | 'messages_burst' | 'messages_in_flight'>,
): TenantSendLimits {
  const n = (v: number | null) => (v === null || v === undefined ? null : Number(v));
  return {
    messagesPerSecond: n(r.messages_per_second),
    messagesBurst: n(r.messages_burst),
    messagesInFlight: n(r.messages_in_flight),
  };
}

function toDetails(r: TenantTable): TenantDetails {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    currency: r.currency,
    locale: r.locale,
    creditCode: r.credit_code,
    contactName: r.contact_name,
    contactEmail: r.contact_email,
    contactPhone: r.contact_phone,
    statusReason: r.status_reason,
    terminateAt: r.terminate_at,
    chargeMode: r.charge_mode,
    createdAt: r.created_at,
    sendLimits: toSendLimits(r),
  };
}

function toKey(r: Database['api_keys']): ApiKeyRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    prefix: r.prefix,
    kind: r.kind === 'test' ? 'test' : 'live',
    scopes: r.scopes ? r.scopes.split(',') : [],
    ipAllow: r.ip_allow ? r.ip_allow.split(',') : [],
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}
