import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// A person's own console language (null: follow the tenant's, zh-CN by default), and the indexes
// behind the operator's tenant search (GET /v1/admin/tenants?q=&status=): by status in id order,
// by contact email, and by name prefix, case-insensitively (SQLite: LIKE on a NOCASE index;
// PostgreSQL: LIKE on lower(name) with text_pattern_ops).
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('locale', 'text', (c) => c.check(sql`locale in ('zh-CN', 'en')`))
    .execute();
  await db.schema
    .createIndex('tenants_status_id')
    .on('tenants')
    .columns(['status', 'id'])
    .execute();
  await db.schema
    .createIndex('tenants_contact_email')
    .on('tenants')
    .column('contact_email')
    .execute();
  if (dialect === 'postgres')
    await sql`create index tenants_name_prefix on tenants (lower(name) text_pattern_ops)`.execute(
      db,
    );
  else await sql`create index tenants_name_prefix on tenants (name collate nocase)`.execute(db);
}
