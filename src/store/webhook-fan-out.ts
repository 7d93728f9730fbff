// The webhook fan-out's persistence: the durable cursor over message_events, the candidates (the
// batch's events, their messages' callback URLs, their tenants' endpoints), and the deliveries
// that core/webhooks/recipients.ts chooses, written with the new cursor in one transaction.
import { sql, type Kysely } from 'kysely';
import type { Database, WebhookDeliveryTable } from './schema.ts';
import type { Dialect } from './db.ts';
import { chunks } from './json-rows.ts';
import type { EventFeed } from './event-feed.ts';
import type { BodyCipher } from '../security/body-cipher.ts';
import { newId } from '../core/ids.ts';
import { INBOUND_EVENT_STATUS } from '../core/webhooks/events.ts';
import {
  routeEvents,
  type OriginOf,
  type Recipient,
  type Subscription,
} from '../core/webhooks/recipients.ts';

const CURSOR = 'fanout';

export interface FanOutOptions {
  /** The event horizon: no event above it is read. */
  upTo: number;
  limit: number;
  now: number;
  /** The origin a callback URL is grouped by; null when it is no valid target. */
  origin: OriginOf;
}

/** The id of the last event fanned out: every event up to it has its deliveries. */
export async function fanOutCursor(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('webhook_cursor')
    .select('last_event_id')
    .where('name', '=', CURSOR)
    .executeTakeFirst();
  return Number(row?.last_event_id ?? 0);
}

/**
 * Fan the events after the cursor (up to `upTo`) out to their recipients. The deliveries and the
 * new cursor are one transaction, and a delivery is unique per event and target, so two nodes
 * (or a replay after a crash) never create one twice.
 */
export async function fanOut(
  db: Kysely<Database>,
  dialect: Dialect,
  cipher: BodyCipher,
  feed: EventFeed,
  o: FanOutOptions,
): Promise<{ events: number; created: number }> {
  return db.transaction().execute(async (trx) => {
    const lock = dialect === 'postgres' ? sql`for update` : sql``;
    const cur = await sql<{
      last_event_id: number;
    }>`select last_event_id from webhook_cursor where name = ${CURSOR} ${lock}`.execute(trx);
    const cursor = Number(cur.rows[0]?.last_event_id ?? 0);
    if (cursor >= o.upTo) return { events: 0, created: 0 };
    const rows = await trx
      .selectFrom('message_events')
      .select(['id', 'message_id', 'tenant_id', 'status', 'created_at'])
      .where('id', '>', cursor)
      .where('id', '<=', o.upTo)
      .orderBy('id')
      .limit(o.limit)
      .execute();
    const next = rows.length < o.limit ? o.upTo : Number(rows[rows.length - 1]!.id);
    const subscriptions = await subscriptionsOf(trx, [...new Set(rows.map((r) => r.tenant_id))]);
    const callbacks = await callbacksOf(
      trx,
      rows.filter((r) => r.status !== INBOUND_EVENT_STATUS).map((r) => r.message_id),
    );
    // Decide before shaping: most events go nowhere, and only those that go somewhere are read.
    const routed = routeEvents(
      rows.map((row) => ({
        row,
        tenantId: row.tenant_id,
        status: row.status,
        callback:
          row.status === INBOUND_EVENT_STATUS ? null : (callbacks.get(row.message_id) ?? null),
      })),
      subscriptions,
      o.origin,
    );
    const recipientsOf = new Map<number, Recipient[]>(
      routed.map((r) => [Number(r.event.row.id), r.recipients]),
    );
    const events = await feed.shape(
      trx,
      routed.map((r) => r.event.row),
    );
    const deliveries: WebhookDeliveryTable[] = [];
    for (const e of events) {
      const json = JSON.stringify(e.envelope);
      for (const t of recipientsOf.get(e.seq) ?? []) {
        const id = newId('dlv', o.now);
        // Inbound messages carry someone's text: sealed at rest like message bodies.
        const payload =
          e.type === 'inbound.received' ? cipher.seal(json, id) : { data: json, keyId: null };
        deliveries.push({
          id,
          tenant_id: e.tenantId,
          endpoint_id: t.endpointId,
          callback_url: t.callbackUrl,
          target: t.target,
          event_id: e.seq,
          event_type: e.type,
          payload: payload.data,
          payload_key_id: payload.keyId,
          status: 'pending',
          attempts: 0,
          next_attempt_at: o.now,
          lease_node: null,
          queued_at: o.now,
          created_at: o.now,
          updated_at: o.now,
          delivered_at: null,
          last_status_code: null,
          last_error: null,
        });
      }
    }
    let created = 0;
    for (const chunk of chunks(deliveries, 500)) {
      const r = await trx
        .insertInto('webhook_deliveries')
        .values(chunk)
        .onConflict((oc) => oc.columns(['event_id', 'target']).doNothing())
        .executeTakeFirst();
      created += Number(r.numInsertedOrUpdatedRows ?? 0);
    }
    await trx
      .updateTable('webhook_cursor')
      .set({ last_event_id: next, updated_at: o.now })
      .where('name', '=', CURSOR)
      .execute();
    return { events: rows.length, created };
  });
}

/** The endpoints of these tenants (enabled or not: recipients.ts decides). */
async function subscriptionsOf(
  trx: Kysely<Database>,
  tenants: readonly string[],
): Promise<Subscription[]> {
  if (tenants.length === 0) return [];
  const rows = await trx
    .selectFrom('webhook_endpoints')
    .select(['id', 'tenant_id', 'events', 'statuses', 'enabled'])
    .where('tenant_id', 'in', tenants)
    .execute();
  return rows.map((e) => ({
    id: e.id,
    tenantId: e.tenant_id,
    events: e.events.split(','),
    statuses: e.statuses,
    enabled: Number(e.enabled) === 1,
  }));
}

/** The callback URL and status selection of those of these messages that have one. */
async function callbacksOf(
  trx: Kysely<Database>,
  messageIds: readonly string[],
): Promise<Map<string, { url: string; statuses: string | null }>> {
  const out = new Map<string, { url: string; statuses: string | null }>();
  for (const ids of chunks([...new Set(messageIds)], 1000)) {
    const found = await trx
      .selectFrom('messages')
      .select(['id', 'callback_url', 'callback_statuses'])
      .where('id', 'in', ids)
      .where('callback_url', 'is not', null)
      .execute();
    for (const f of found) out.set(f.id, { url: f.callback_url!, statuses: f.callback_statuses });
  }
  return out;
}
