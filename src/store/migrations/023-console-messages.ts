import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';
import { categoriseErrorCode, type CategoryRule } from '../../core/failure-category.ts';
import { jsonRows, field } from '../json-rows.ts';

// The console's message log (docs/http.md "Messages"): a failure category stored with the final
// status (store/messages.ts recordChanges), so `?category=` is an index lookup, and one index per
// list filter, each ending in `id` so a filtered page is read newest-first without sorting:
// status, category, class, batch, client reference. Today's figures read by (tenant, created_at); receipts per minute
// by (tenant, created_at) over final-status events only (a partial index: the busiest table pays
// for one more index entry per final status, not per event).
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('messages').addColumn('failure_category', 'text').execute();
  await backfill(db, dialect);
  await db.schema
    .createIndex('messages_tenant_status')
    .on('messages')
    .columns(['tenant_id', 'status', 'id'])
    .execute();
  await db.schema
    .createIndex('messages_tenant_category')
    .on('messages')
    .columns(['tenant_id', 'failure_category', 'id'])
    .where(sql.ref('failure_category'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('messages_tenant_class')
    .on('messages')
    .columns(['tenant_id', 'class', 'id'])
    .execute();
  // (batch_id, id) serves everything (batch_id) did, and lists a batch in id order.
  await db.schema
    .createIndex('messages_batch_id')
    .on('messages')
    .columns(['batch_id', 'id'])
    .execute();
  await db.schema.dropIndex('messages_batch').execute();
  // Likewise (tenant_id, client_ref, id) for (tenant_id, client_ref): without id, SQLite prefers
  // walking the whole tenant in id order to sorting one reference's messages.
  await db.schema
    .createIndex('messages_tenant_client_ref_id')
    .on('messages')
    .columns(['tenant_id', 'client_ref', 'id'])
    .execute();
  await db.schema.dropIndex('messages_tenant_client_ref').execute();
  await db.schema
    .createIndex('messages_tenant_created')
    .on('messages')
    .columns(['tenant_id', 'created_at'])
    .execute();
  await sql`create index message_events_final on message_events (tenant_id, created_at)
    where status in ('delivered', 'undelivered', 'expired', 'rejected', 'failed', 'unknown')`.execute(
    db,
  );
}

/** Messages that already have an error code get the category the API showed for them. */
async function backfill(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const pairs = await sql<{ error_code: string; channel_id: string | null }>`
    select distinct error_code, channel_id from messages where error_code is not null`.execute(db);
  if (pairs.rows.length === 0) return;
  const channels = await sql<{ id: string; config: string | null }>`
    select id, config from channels`.execute(db);
  const rulesOf = new Map<string, CategoryRule[]>();
  for (const c of channels.rows) {
    if (!c.config) continue;
    const rules = (JSON.parse(c.config) as { categoryRules?: CategoryRule[] }).categoryRules;
    if (rules && rules.length > 0) rulesOf.set(c.id, rules);
  }
  const rows = pairs.rows.map((p) => [
    p.error_code,
    p.channel_id ?? '',
    categoriseErrorCode(p.error_code, p.channel_id ? rulesOf.get(p.channel_id) : undefined),
  ]);
  for (let i = 0; i < rows.length; i += 500) {
    await sql`
      update messages set failure_category = v.category
      from (select ${field(0)} as error_code, ${field(1)} as channel_id, ${field(2)} as category
            from ${jsonRows(dialect, rows.slice(i, i + 500))}) as v
      where messages.error_code = v.error_code and coalesce(messages.channel_id, '') = v.channel_id`.execute(
      db,
    );
  }
}
