import type { Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// Monthly statements: where a message went (for charges by destination) and when its hold settled
// (so a month's charges by class and destination add up to the ledger's charges in that month).
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('messages').addColumn('destination', 'text').execute();
  await db.schema.alterTable('messages').addColumn('settled_at', 'bigint').execute();
  await db.schema
    .createIndex('messages_settled')
    .on('messages')
    .columns(['tenant_id', 'settled_at'])
    .execute();
  await db.schema
    .createIndex('ledger_entries_tenant_time')
    .on('ledger_entries')
    .columns(['tenant_id', 'created_at'])
    .execute();
  await db.schema
    .createTable('statements')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('generated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('statements_pk', ['tenant_id', 'month'])
    .execute();
}
