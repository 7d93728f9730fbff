// Webhook deliveries: fanned out from message_events after a durable cursor (webhook-fan-out.ts),
// claimed with a lease (like the message queue), and settled in batches with every attempt
// recorded; read back as views with their attempts (webhook-delivery-views.ts).
import { sql, type Kysely } from 'kysely';
import type { Database, WebhookDeliveryTable } from './schema.ts';
import type { Dialect } from './db.ts';
import { chunks, field, intField, jsonRows } from './json-rows.ts';
import type { EventFeed } from './event-feed.ts';
import { fanOut, fanOutCursor, type FanOutOptions } from './webhook-fan-out.ts';
import { withAttempts, type AttemptRecord, type DeliveryView } from './webhook-delivery-views.ts';
import type { BodyCipher } from '../security/body-cipher.ts';
import { eventIdOf } from '../core/webhooks/events.ts';

export type { AttemptRecord, DeliveryView } from './webhook-delivery-views.ts';

export type DeliveryStatus = 'pending' | 'failed' | 'delivered' | 'dead';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  'pending',
  'failed',
  'delivered',
  'dead',
];

/** What a claim hands the worker. */
export interface ClaimedDelivery {
  id: string;
  tenantId: string;
  endpointId: string | null;
  callbackUrl: string | null;
  target: string;
  eventType: string;
  /** The envelope's id (Hongyan-Event-Id). */
  eventId: string;
  /** The JSON body, as first built: every attempt (and a re-send) sends the same bytes. */
  payload: string;
  attempts: number;
  queuedAt: number;
  /** The claim's lease: the delivery is ours until then. */
  leaseUntil: number;
}

/** How one claimed delivery ends this round. */
export interface DeliveryOutcome {
  id: string;
  /** The claim it settles: a lease that was lost to another node settles nothing. */
  node: string;
  leaseUntil: number;
  /** Null when nothing was sent (endpoint disabled or gone). */
  attempt: AttemptRecord | null;
  status: 'delivered' | 'failed' | 'dead' | 'pending';
  nextAttemptAt: number;
}

export interface DeliveryFilter {
  webhookId?: string;
  /** Only deliveries to per-message callback URLs. */
  callbacks?: boolean;
  status?: DeliveryStatus;
  after?: string;
  limit: number;
}

export class WebhookDeliveryStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly cipher: BodyCipher,
  ) {}

  /** The id of the last event fanned out. */
  async cursor(): Promise<number> {
    return fanOutCursor(this.db);
  }

  /** Fan the events after the cursor, up to the event horizon, out to their recipients. */
  async fanOut(feed: EventFeed, o: FanOutOptions): Promise<{ events: number; created: number }> {
    return fanOut(this.db, this.dialect, this.cipher, feed, o);
  }

  /** A test event for one endpoint, created already claimed by `node` (sent at once, not queued). */
  async insertClaimed(
    d: {
      id: string;
      tenantId: string;
      endpointId: string;
      eventId: string;
      eventType: string;
      payload: string;
    },
    node: string,
    leaseUntil: number,
    now: number,
  ): Promise<ClaimedDelivery> {
    const id = d.id;
    await this.db
      .insertInto('webhook_deliveries')
      .values({
        id,
        tenant_id: d.tenantId,
        endpoint_id: d.endpointId,
        callback_url: null,
        target: d.endpointId,
        event_id: null,
        event_type: d.eventType,
        payload: d.payload,
        payload_key_id: null,
        status: 'pending',
        attempts: 0,
        next_attempt_at: leaseUntil,
        lease_node: node,
        queued_at: now,
        created_at: now,
        updated_at: now,
        delivered_at: null,
        last_status_code: null,
        last_error: null,
      })
      .execute();
    return {
      id,
      tenantId: d.tenantId,
      endpointId: d.endpointId,
      callbackUrl: null,
      target: d.endpointId,
      eventType: d.eventType,
      eventId: d.eventId,
      payload: d.payload,
      attempts: 0,
      queuedAt: now,
      leaseUntil,
    };
  }

  /**
   * Claim due deliveries for this node. At most `perTarget` per target in one claim, none for the
   * targets and tenants the caller already holds enough of: one slow endpoint's backlog never
   * fills the worker while others wait.
   */
  async claim(o: {
    node: string;
    now: number;
    leaseMs: number;
    limit: number;
    perTarget: number;
    skipTargets: readonly string[];
    skipTenants: readonly string[];
  }): Promise<ClaimedDelivery[]> {
    const lock = this.dialect === 'postgres' ? sql`for update skip locked` : sql``;
    const skipTargets =
      o.skipTargets.length > 0
        ? sql`and target not in (${sql.join(o.skipTargets.map((t) => sql`${t}`))})`
        : sql``;
    const skipTenants =
      o.skipTenants.length > 0
        ? sql`and tenant_id not in (${sql.join(o.skipTenants.map((t) => sql`${t}`))})`
        : sql``;
    // Mostly nothing is due: find that out with a read, not a write (no write lock on SQLite).
    const due = await sql`
      select 1 from webhook_deliveries
      where status in ('pending', 'failed') and next_attempt_at <= ${o.now} ${skipTargets} ${skipTenants}
      limit 1`.execute(this.db);
    if (due.rows.length === 0) return [];
    const leaseUntil = o.now + o.leaseMs;
    // Look a little past `limit` so one busy target's rows do not hide everyone else's.
    const scan = Math.min(o.limit * 4, Math.max(o.limit, o.perTarget * 4));
    const rows = await sql<
      Pick<
        WebhookDeliveryTable,
        | 'id'
        | 'tenant_id'
        | 'endpoint_id'
        | 'callback_url'
        | 'target'
        | 'event_id'
        | 'event_type'
        | 'payload'
        | 'payload_key_id'
        | 'attempts'
        | 'queued_at'
      >
    >`
      update webhook_deliveries set next_attempt_at = ${leaseUntil}, lease_node = ${o.node}
      where id in (
        select id from (
          select id, next_attempt_at,
            row_number() over (partition by target order by next_attempt_at, id) as rn
          from (
            select id, target, next_attempt_at from webhook_deliveries
            where status in ('pending', 'failed') and next_attempt_at <= ${o.now} ${skipTargets} ${skipTenants}
            order by next_attempt_at, id limit ${scan} ${lock}) as due) as ranked
        where rn <= ${o.perTarget}
        order by next_attempt_at, id limit ${o.limit})
      returning id, tenant_id, endpoint_id, callback_url, target, event_id, event_type, payload, payload_key_id, attempts, queued_at`.execute(
      this.db,
    );
    return rows.rows.map((r) => {
      const payload = this.cipher.open(r.payload, r.payload_key_id, r.id);
      return {
        id: r.id,
        tenantId: r.tenant_id,
        endpointId: r.endpoint_id,
        callbackUrl: r.callback_url,
        target: r.target,
        eventType: r.event_type,
        eventId:
          r.event_id === null
            ? (JSON.parse(payload) as { id: string }).id
            : eventIdOf(Number(r.event_id)),
        payload,
        attempts: Number(r.attempts),
        queuedAt: Number(r.queued_at),
        leaseUntil,
      };
    });
  }

  /** Record attempts and settle deliveries, in one transaction (a batch of outcomes). */
  async settle(outcomes: readonly DeliveryOutcome[], now: number): Promise<void> {
    if (outcomes.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      const attempts = outcomes.filter((o) => o.attempt !== null);
      for (const chunk of chunks(attempts, 500)) {
        await trx
          .insertInto('webhook_attempts')
          .values(
            chunk.map((o) => ({
              delivery_id: o.id,
              at: o.attempt!.at,
              status_code: o.attempt!.statusCode,
              error: o.attempt!.error,
              // Never the answer's body (docs/security.md): the column stays empty.
              response: null,
              duration_ms: o.attempt!.durationMs,
            })),
          )
          .execute();
      }
      for (const chunk of chunks(outcomes, 1000)) {
        const rows = chunk.map((o) => [
          o.id,
          o.status,
          o.nextAttemptAt,
          o.attempt ? 1 : 0,
          o.attempt?.statusCode ?? null,
          o.attempt?.error ?? null,
          o.node,
          o.leaseUntil,
          o.status === 'delivered' ? (o.attempt?.at ?? now) : null,
        ]);
        await sql`
          update webhook_deliveries set status = v.new_status, next_attempt_at = v.next_at,
            attempts = webhook_deliveries.attempts + v.tried, lease_node = null,
            updated_at = ${now},
            last_status_code = case when v.tried = 1 then v.code
              else webhook_deliveries.last_status_code end,
            last_error = case when v.tried = 1 then v.error_text
              else webhook_deliveries.last_error end,
            delivered_at = coalesce(v.done_at, webhook_deliveries.delivered_at)
          from (select ${field(0)} as delivery_id, ${field(1)} as new_status,
                  ${intField(2)} as next_at, ${intField(3)} as tried, ${intField(4)} as code,
                  ${field(5)} as error_text, ${field(6)} as node, ${intField(7)} as lease_until,
                  ${intField(8)} as done_at
                from ${jsonRows(this.dialect, rows)}) as v
          where webhook_deliveries.id = v.delivery_id and webhook_deliveries.lease_node = v.node
            and webhook_deliveries.next_attempt_at = v.lease_until
            and webhook_deliveries.status in ('pending', 'failed')`.execute(trx);
      }
    });
  }

  /** Give claimed deliveries back unsent: due again now, for whoever has room. */
  async release(ids: readonly string[], node: string, now: number): Promise<void> {
    for (const chunk of chunks(ids, 1000))
      await this.db
        .updateTable('webhook_deliveries')
        .set({ next_attempt_at: now, lease_node: null })
        .where('id', 'in', chunk)
        .where('lease_node', '=', node)
        .where('status', 'in', ['pending', 'failed'])
        .execute();
  }

  /** A node that starts (or stops) owns nothing in flight: its claims are due now. */
  async releaseLeases(node: string, now: number): Promise<number> {
    const r = await this.db
      .updateTable('webhook_deliveries')
      .set({ next_attempt_at: now, lease_node: null })
      .where('lease_node', '=', node)
      .where('status', 'in', ['pending', 'failed'])
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Newest first, each with its attempts. */
  async list(tenantId: string, f: DeliveryFilter): Promise<DeliveryView[]> {
    let q = this.db.selectFrom('webhook_deliveries').selectAll().where('tenant_id', '=', tenantId);
    if (f.webhookId) q = q.where('endpoint_id', '=', f.webhookId);
    if (f.callbacks) q = q.where('endpoint_id', 'is', null);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.after) q = q.where('id', '<', f.after);
    const rows = await q.orderBy('id', 'desc').limit(f.limit).execute();
    return withAttempts(this.db, this.cipher, rows, false);
  }

  async get(tenantId: string, id: string): Promise<DeliveryView | undefined> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? (await withAttempts(this.db, this.cipher, [row], true))[0] : undefined;
  }

  /**
   * Queue a dead or delivered delivery again, now, with a fresh 24 h of retries. Returns the
   * status it had (null: no such delivery for this tenant); only dead and delivered ones move.
   */
  async resend(tenantId: string, id: string, now: number): Promise<string | null> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .select('status')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return null;
    await this.db
      .updateTable('webhook_deliveries')
      .set({
        status: 'pending',
        next_attempt_at: now,
        queued_at: now,
        lease_node: null,
        updated_at: now,
      })
      .where('id', '=', id)
      .where('status', 'in', ['dead', 'delivered'])
      .execute();
    return row.status;
  }

  /**
   * Retention: delivered deliveries made before `before`, dead ones given up before it, their
   * attempts, and message events older than it that the fan-out has passed. Other readers of
   * message_events (the SMPP server's receipts) see only what is younger than the retention.
   */
  async prune(before: number): Promise<{ deliveries: number; events: number }> {
    let deliveries = 0;
    for (;;) {
      const ids = (
        await this.db
          .selectFrom('webhook_deliveries')
          .select('id')
          .where((eb) =>
            eb.or([
              eb.and([eb('status', '=', 'delivered'), eb('created_at', '<', before)]),
              eb.and([eb('status', '=', 'dead'), eb('updated_at', '<', before)]),
            ]),
          )
          .limit(1000)
          .execute()
      ).map((r) => r.id);
      if (ids.length === 0) break;
      await this.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('webhook_attempts').where('delivery_id', 'in', ids).execute();
        await trx.deleteFrom('webhook_deliveries').where('id', 'in', ids).execute();
      });
      deliveries += ids.length;
    }
    const cursor = await this.cursor();
    // Ids grow with time: the first young event bounds the range worth looking at.
    const young = await this.db
      .selectFrom('message_events')
      .select('id')
      .where('created_at', '>=', before)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    const upTo = Math.min(cursor, young ? Number(young.id) - 1 : cursor);
    let events = 0;
    for (;;) {
      const r = await sql`
        delete from message_events where id in (
          select id from message_events where id <= ${upTo} and created_at < ${before}
          order by id limit 5000)`.execute(this.db);
      const n = Number(r.numAffectedRows ?? 0);
      events += n;
      if (n < 5000) break;
    }
    return { deliveries, events };
  }

  async countByStatus(tenantId?: string): Promise<Record<string, number>> {
    let q = this.db
      .selectFrom('webhook_deliveries')
      .select(['status', sql<number>`count(*)`.as('n')])
      .groupBy('status');
    if (tenantId) q = q.where('tenant_id', '=', tenantId);
    const rows = await q.execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }
}
