import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// Notifications to tenants (low balance, contract reminders, …), each delivery recorded; the
// low-balance flag so a crossing notifies once.
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const serial =
    dialect === 'postgres'
      ? sql`bigint generated always as identity primary key`
      : sql`integer primary key autoincrement`;
  await db.schema
    .createTable('notifications')
    .addColumn('id', serial)
    .addColumn('tenant_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    // sent, failed, skipped (no channel configured or no address)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('notifications_tenant')
    .on('notifications')
    .columns(['tenant_id', 'id'])
    .execute();
  await db.schema
    .alterTable('tenants')
    .addColumn('low_balance_notified', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
