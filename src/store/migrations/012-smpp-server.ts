import type { Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// The tenant-facing SMPP server (docs/smpp.md). A message remembers how it came in, so its
// receipt can go back the same way: `source` ('smpp'; null = HTTP API or the platform itself),
// the SMPP account (system_id) and the client's source_addr, whether a receipt was asked for
// (registered_delivery & 3: 0 none, 1 always, 2 on failure only), and into how many submit_sm
// the client had split it (each of those got its own id and gets its own receipt).
// smpp_cursors: per SMPP account, the last message_events id whose deliver_sm the client has
// acknowledged (receipts and inbound messages wait there while no receiver is bound).
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('messages').addColumn('source', 'text').execute();
  await db.schema.alterTable('messages').addColumn('source_account', 'text').execute();
  await db.schema.alterTable('messages').addColumn('source_addr', 'text').execute();
  await db.schema
    .alterTable('messages')
    .addColumn('receipt_wanted', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('messages').addColumn('source_parts', 'integer').execute();

  await db.schema
    .createTable('smpp_cursors')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
