import type { Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// Per-tenant sending limits in messages (docs/http.md "Sending limits"): null = the config's
// `limits.messages…` default.
// accept_slices: a large accepted request's messages, committed with its balance hold and its
// idempotency record in one short transaction, then moved into messages/message_parts/
// message_events one slice per transaction (store/messages.ts). A slice row is deleted in the
// transaction that publishes it, so a crash in between leaves exactly the slices still to publish.
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('tenants').addColumn('messages_per_second', 'integer').execute();
  await db.schema.alterTable('tenants').addColumn('messages_burst', 'integer').execute();
  await db.schema.alterTable('tenants').addColumn('messages_in_flight', 'integer').execute();
  await db.schema
    .createTable('accept_slices')
    .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('batch_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('rows', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
