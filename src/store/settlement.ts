// Settlement: what gives messages their statuses with money attached, in the transaction that
// changes them. Receipts are matched to submitted parts, a message whose parts are all final gets
// its one final status, every status change is written with its event, and the holds of messages
// that may now be charged settle exactly once (charged for what the carrier took or delivered,
// the rest released). The receipt store, the dispatch queue and review decisions all end here.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { Dialect } from './db.ts';
import { chunks, field, jsonRows } from './json-rows.ts';
import { post } from './ledger.ts';
import { categoriseErrorCode, type CategoryRule } from '../core/failure-category.ts';
import { settleByBatch, type SettledHold } from '../core/billing/hold-settlement.ts';

export interface StatusChange {
  id: string;
  tenant_id: string;
  status: string;
}

const FINAL_PART = ['delivered', 'undelivered', 'expired', 'rejected', 'failed', 'unknown'];

/**
 * Match receipts waiting in `receipts` (state pending) to submitted parts, then settle every
 * message whose parts are all final. Runs after receipts are stored and after submit
 * responses are stored, so the order they arrive in does not matter.
 */
export async function matchPendingReceipts(
  trx: Transaction<Database>,
  dialect: Dialect,
  now: number,
): Promise<StatusChange[]> {
  // Receipts and submit responses are written by different transactions (and nodes). Matching
  // under one lock means each matcher sees what the other committed: on PostgreSQL's READ
  // COMMITTED every statement after the lock gets a fresh snapshot. SQLite has one writer anyway.
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(727273)`.execute(trx);
  const touched = await sql<{ message_id: string }>`
    update message_parts set status = r.status, stat = r.stat, err = r.err, done_at = r.received_at
    from receipts r
    where r.state = 'pending' and r.status is not null
      and r.channel_id = message_parts.channel_id and r.carrier_id = message_parts.carrier_id
      and message_parts.status = 'submitted'
    returning message_parts.message_id`.execute(trx);
  // A receipt is done with once its part has settled (by it, or earlier: a duplicate), or when it
  // is an intermediate one (ENROUTE, ACCEPTD) for a part we know.
  await sql`
    update receipts set state = 'matched',
      message_id = (select p.message_id from message_parts p where p.channel_id = receipts.channel_id and p.carrier_id = receipts.carrier_id order by p.submitted_at desc limit 1)
    where state = 'pending'
      and exists (select 1 from message_parts p where p.channel_id = receipts.channel_id and p.carrier_id = receipts.carrier_id
                  and (p.status <> 'submitted' or receipts.status is null))`.execute(trx);
  if (touched.rows.length === 0) return [];
  const ids = [...new Set(touched.rows.map((r) => r.message_id))];
  return settleMessages(trx, dialect, ids, now);
}

/** Give each message whose parts are all final its one final status. */
export async function settleMessages(
  trx: Transaction<Database>,
  dialect: Dialect,
  ids: string[],
  now: number,
): Promise<StatusChange[]> {
  const out: StatusChange[] = [];
  const finals = sql.join(FINAL_PART.map((s) => sql.lit(s)));
  for (const chunk of chunks(ids, 1000)) {
    const r = await sql<StatusChange>`
      update messages set
        status = coalesce((select p.status from message_parts p where p.message_id = messages.id and p.status <> 'delivered' order by p.seq limit 1), 'delivered'),
        error_code = (select p.stat from message_parts p where p.message_id = messages.id and p.status <> 'delivered' order by p.seq limit 1),
        error_detail = (select case when p.err is null then null else 'err:' || p.err end from message_parts p where p.message_id = messages.id and p.status <> 'delivered' order by p.seq limit 1),
        done_at = ${now}, lease_node = null
      where id in (select ${field(0)} from ${jsonRows(
        dialect,
        chunk.map((id) => [id]),
      )})
        and status in ('queued', 'submitted')
        and not exists (select 1 from message_parts p where p.message_id = messages.id and p.status not in (${finals}))
      returning id, tenant_id, status`.execute(trx);
    out.push(...r.rows);
  }
  return out;
}

/** Status changes are written with their events and settle their messages' holds, in one transaction. */
export async function recordChanges(
  trx: Transaction<Database>,
  dialect: Dialect,
  changes: StatusChange[],
  now: number,
): Promise<void> {
  await insertEvents(trx, changes, now);
  if (changes.length > 0) {
    await settleHolds(trx, dialect, [...new Set(changes.map((c) => c.id))], now);
    await storeFailureCategories(trx, dialect, changes);
  }
}

const FAILED_FINAL = new Set(FINAL_PART.filter((s) => s !== 'delivered'));

/** The failure-category rules of the channels these messages went over (none: the defaults). */
export async function channelCategoryRules(
  db: Kysely<Database> | Transaction<Database>,
  rows: Array<{ channel_id: string | null }>,
): Promise<Map<string, CategoryRule[]>> {
  const ids = [...new Set(rows.flatMap((r) => (r.channel_id ? [r.channel_id] : [])))];
  const out = new Map<string, CategoryRule[]>();
  if (ids.length === 0) return out;
  // channels.config is plain JSON but for the sealed password.
  const configs = await db
    .selectFrom('channels')
    .select(['id', 'config'])
    .where('id', 'in', ids)
    .execute();
  for (const c of configs) {
    const rules = c.config
      ? (JSON.parse(c.config) as { categoryRules?: CategoryRule[] }).categoryRules
      : undefined;
    if (rules && rules.length > 0) out.set(c.id, rules);
  }
  return out;
}

/**
 * A message that ends other than delivered keeps the category of its error code, by its channel's
 * rules (core/failure-category.ts), so the message log filters by category with an index instead
 * of re-deriving it row by row.
 */
async function storeFailureCategories(
  trx: Transaction<Database>,
  dialect: Dialect,
  changes: StatusChange[],
): Promise<void> {
  const ids = [...new Set(changes.filter((c) => FAILED_FINAL.has(c.status)).map((c) => c.id))];
  for (const chunk of chunks(ids, 1000)) {
    const rows = await trx
      .selectFrom('messages')
      .select(['id', 'error_code', 'channel_id'])
      .where('id', 'in', chunk)
      .where('error_code', 'is not', null)
      .execute();
    if (rows.length === 0) continue;
    const rulesOf = await channelCategoryRules(trx, rows);
    const values = rows.map((r) => [
      r.id,
      categoriseErrorCode(r.error_code!, r.channel_id ? rulesOf.get(r.channel_id) : undefined),
    ]);
    await sql`
      update messages set failure_category = v.category
      from (select ${field(0)} as id, ${field(1)} as category from ${jsonRows(dialect, values)}) as v
      where messages.id = v.id`.execute(trx);
  }
}

export async function insertEvents(
  trx: Transaction<Database>,
  changes: StatusChange[],
  now: number,
): Promise<void> {
  for (const chunk of chunks(changes, 1000)) {
    await trx
      .insertInto('message_events')
      .values(
        chunk.map((c) => ({
          message_id: c.id,
          tenant_id: c.tenant_id,
          status: c.status,
          detail: null,
          created_at: now,
        })),
      )
      .execute();
  }
}

/**
 * Settle the holds of messages whose status now allows it, exactly once (guarded by
 * billing = 'held'): on_submit tenants pay for every part the carrier took, as soon as the message
 * is submitted; on_delivery tenants pay for delivered parts when the message is final. What is not
 * charged is released. Runs in the transaction that changed the statuses.
 */
export async function settleHolds(
  trx: Transaction<Database>,
  dialect: Dialect,
  messageIds: string[],
  now: number,
): Promise<void> {
  const holds: SettledHold[] = [];
  for (const chunk of chunks(messageIds, 1000)) {
    const rows = await sql<{
      tenant_id: string;
      batch_id: string;
      amount: number;
      charged: number;
      price: number;
    }>`
      update messages set
        charged = price * (select count(*) from message_parts p where p.message_id = messages.id and
          (case when (select t.charge_mode from tenants t where t.id = messages.tenant_id) = 'on_delivery'
                then p.status = 'delivered' else p.carrier_id is not null end)),
        billing = 'settled', settled_at = ${now}
      where id in (select ${field(0)} from ${jsonRows(
        dialect,
        chunk.map((id) => [id]),
      )})
        and billing = 'held'
        and (status in ('delivered', 'undelivered', 'expired', 'rejected', 'failed', 'unknown')
             or (status = 'submitted' and (select t.charge_mode from tenants t where t.id = messages.tenant_id) = 'on_submit'))
      returning tenant_id, batch_id, amount, charged, price`.execute(trx);
    for (const r of rows.rows)
      holds.push({
        tenantId: r.tenant_id,
        batchId: r.batch_id,
        amount: Number(r.amount),
        charged: Number(r.charged),
        price: Number(r.price),
      });
  }
  const batches = settleByBatch(holds);
  if (batches.length === 0) return;
  const tenantIds = [...new Set(batches.map((a) => a.tenantId))];
  const currencies = new Map(
    (
      await trx
        .selectFrom('tenants')
        .select(['id', 'currency'])
        .where('id', 'in', tenantIds)
        .execute()
    ).map((t) => [t.id, t.currency]),
  );
  for (const a of batches) {
    const currency = currencies.get(a.tenantId) ?? 'CNY';
    if (a.charge > 0)
      await post(
        trx,
        {
          tenantId: a.tenantId,
          currency,
          kind: 'charge',
          amount: 0,
          heldChange: -a.charge,
          reason: `${a.chargedParts} parts sent`,
          batchId: a.batchId,
          quantity: a.chargedParts,
        },
        now,
      );
    if (a.release > 0)
      await post(
        trx,
        {
          tenantId: a.tenantId,
          currency,
          kind: 'release',
          amount: a.release,
          heldChange: -a.release,
          reason: `${a.releasedParts} parts not charged`,
          batchId: a.batchId,
          quantity: a.releasedParts,
        },
        now,
      );
  }
}
