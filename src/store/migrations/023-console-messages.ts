import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// The console's message log (docs/http.md "Messages"): a failure category stored with the final
// status (store/settlement.ts recordChanges), so `?category=` is an index lookup, and one index per
// list filter, each ending in `id` so a filtered page is read newest-first without sorting:
// status, category, class, batch, client reference. Today's figures read by (tenant, created_at); receipts per minute
// by (tenant, created_at) over final-status events only (a partial index: the busiest table pays
// for one more index entry per final status, not per event).
// Rows written before this migration get their category from the `backfill-categories` job
// (services/backfill-categories.ts), in batches: a backfill here would hold `messages` for
// the whole run of the migration's transaction.
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('messages').addColumn('failure_category', 'text').execute();
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
