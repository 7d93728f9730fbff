// Tenants' webhook endpoints and callback secrets. Signing secrets are sealed at rest
// (security/body-cipher.ts) and leave the store only to sign, or once when made.
import type { Kysely } from 'kysely';
import type { Database, WebhookCallbackSecretTable, WebhookEndpointTable } from './schema.ts';
import { openColumn, sealToColumn, type BodyCipher } from '../security/body-cipher.ts';
import { isEventType, type EventType } from '../core/webhooks/events.ts';
import {
  selectionView,
  storedSelection,
  type StatusSelector,
} from '../core/webhooks/status-filter.ts';

export interface WebhookEndpoint {
  id: string;
  tenantId: string;
  url: string;
  events: EventType[];
  /** Which message.status events it wants (`['all']` by default). */
  statuses: StatusSelector[];
  enabled: boolean;
  description: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewEndpoint {
  id: string;
  tenantId: string;
  url: string;
  events: EventType[];
  /** Absent: all. */
  statuses?: StatusSelector[];
  enabled: boolean;
  description: string | null;
}

export interface EndpointPatch {
  url?: string;
  events?: EventType[];
  statuses?: StatusSelector[];
  enabled?: boolean;
  description?: string | null;
}

/** Where an endpoint delivery goes and what signs it (current secret first). */
export interface EndpointTarget {
  id: string;
  url: string;
  enabled: boolean;
  secrets: string[];
}

export class WebhookStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cipher: BodyCipher,
  ) {}

  async count(tenantId: string): Promise<number> {
    const r = await this.db
      .selectFrom('webhook_endpoints')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async create(e: NewEndpoint, secret: string, now: number): Promise<WebhookEndpoint> {
    const row: WebhookEndpointTable = {
      id: e.id,
      tenant_id: e.tenantId,
      url: e.url,
      events: e.events.join(','),
      statuses: storedSelection(e.statuses ?? ['all']),
      enabled: e.enabled ? 1 : 0,
      description: e.description,
      secret: sealToColumn(this.cipher, secret, e.id),
      previous_secret: null,
      previous_secret_until: null,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('webhook_endpoints').values(row).execute();
    return toEndpoint(row);
  }

  async list(tenantId: string): Promise<WebhookEndpoint[]> {
    const rows = await this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('id')
      .execute();
    return rows.map(toEndpoint);
  }

  async get(tenantId: string, id: string): Promise<WebhookEndpoint | undefined> {
    const row = await this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toEndpoint(row);
  }

  async update(
    tenantId: string,
    id: string,
    patch: EndpointPatch,
    now: number,
  ): Promise<WebhookEndpoint | undefined> {
    const set: Partial<WebhookEndpointTable> = { updated_at: now };
    if (patch.url !== undefined) set.url = patch.url;
    if (patch.events !== undefined) set.events = patch.events.join(',');
    if (patch.statuses !== undefined) set.statuses = storedSelection(patch.statuses);
    if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0;
    if (patch.description !== undefined) set.description = patch.description;
    const row = await this.db
      .updateTable('webhook_endpoints')
      .set(set)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toEndpoint(row);
  }

  /** The endpoint goes with its deliveries and their attempts: nothing is sent to it again. */
  async delete(tenantId: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const gone = await trx
        .deleteFrom('webhook_endpoints')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(gone.numDeletedRows) === 0) return false;
      await trx
        .deleteFrom('webhook_attempts')
        .where('delivery_id', 'in', (eb) =>
          eb
            .selectFrom('webhook_deliveries')
            .select('webhook_deliveries.id')
            .where('webhook_deliveries.endpoint_id', '=', id),
        )
        .execute();
      await trx.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
      return true;
    });
  }

  /** A new secret; the old one still signs (a second v1) until `keepPreviousMs` from now. */
  async rotateSecret(
    tenantId: string,
    id: string,
    secret: string,
    keepPreviousMs: number,
    now: number,
  ): Promise<WebhookEndpoint | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('webhook_endpoints')
        .select(['secret'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      const updated = await trx
        .updateTable('webhook_endpoints')
        .set({
          secret: sealToColumn(this.cipher, secret, id),
          previous_secret: keepPreviousMs > 0 ? row.secret : null,
          previous_secret_until: keepPreviousMs > 0 ? now + keepPreviousMs : null,
          updated_at: now,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return updated && toEndpoint(updated);
    });
  }

  /** Endpoints as targets: URL, enabled, secrets to sign with now. */
  async targets(ids: readonly string[], now: number): Promise<Map<string, EndpointTarget>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('webhook_endpoints')
      .select(['id', 'url', 'enabled', 'secret', 'previous_secret', 'previous_secret_until'])
      .where('id', 'in', [...ids])
      .execute();
    return new Map(
      rows.map((r) => [
        r.id,
        {
          id: r.id,
          url: r.url,
          enabled: Number(r.enabled) === 1,
          secrets: this.#secrets(r, r.id, now),
        },
      ]),
    );
  }

  /** Replace the tenant's callback secret (made on first use if never asked for). */
  async rotateCallbackSecret(
    tenantId: string,
    secret: string,
    keepPreviousMs: number,
    now: number,
  ): Promise<void> {
    const sealed = sealToColumn(this.cipher, secret, tenantId);
    await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('webhook_callback_secrets')
        .select('secret')
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      if (!row) {
        await trx
          .insertInto('webhook_callback_secrets')
          .values(firstCallbackSecret(tenantId, sealed, now))
          .onConflict((oc) => oc.column('tenant_id').doNothing())
          .execute();
        return;
      }
      await trx
        .updateTable('webhook_callback_secrets')
        .set({
          secret: sealed,
          previous_secret: keepPreviousMs > 0 ? row.secret : null,
          previous_secret_until: keepPreviousMs > 0 ? now + keepPreviousMs : null,
          updated_at: now,
        })
        .where('tenant_id', '=', tenantId)
        .execute();
    });
  }

  /**
   * The secrets that sign callbacks, per tenant. A tenant that never asked for one gets one made
   * by `make` (it can be learnt only by rotating: POST /v1/webhooks/callback-secret).
   */
  async callbackSecrets(
    tenantIds: readonly string[],
    now: number,
    make: () => string,
  ): Promise<Map<string, string[]>> {
    if (tenantIds.length === 0) return new Map();
    const read = () =>
      this.db
        .selectFrom('webhook_callback_secrets')
        .selectAll()
        .where('tenant_id', 'in', [...tenantIds])
        .execute();
    let rows = await read();
    const missing = tenantIds.filter((t) => !rows.some((r) => r.tenant_id === t));
    if (missing.length > 0) {
      await this.db
        .insertInto('webhook_callback_secrets')
        .values(
          missing.map((t) => firstCallbackSecret(t, sealToColumn(this.cipher, make(), t), now)),
        )
        .onConflict((oc) => oc.column('tenant_id').doNothing())
        .execute();
      rows = await read();
    }
    return new Map(rows.map((r) => [r.tenant_id, this.#secrets(r, r.tenant_id, now)]));
  }

  #secrets(
    r: { secret: string; previous_secret: string | null; previous_secret_until: number | null },
    rowId: string,
    now: number,
  ): string[] {
    const current = openColumn(this.cipher, r.secret, rowId);
    const previous =
      r.previous_secret && r.previous_secret_until !== null && Number(r.previous_secret_until) > now
        ? [openColumn(this.cipher, r.previous_secret, rowId)]
        : [];
    return [current, ...previous];
  }
}

/** A tenant's callback secret row as first made: no previous secret. */
function firstCallbackSecret(
  tenantId: string,
  sealed: string,
  now: number,
): WebhookCallbackSecretTable {
  return {
    tenant_id: tenantId,
    secret: sealed,
    previous_secret: null,
    previous_secret_until: null,
    created_at: now,
    updated_at: now,
  };
}

function toEndpoint(r: WebhookEndpointTable): WebhookEndpoint {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    url: r.url,
    events: r.events.split(',').filter(isEventType),
    statuses: selectionView(r.statuses),
    enabled: Number(r.enabled) === 1,
    description: r.description,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}
