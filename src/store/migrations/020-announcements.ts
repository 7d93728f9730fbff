import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// Announcements from the operator to all tenants or some (contract 1 §2.5, contract 2 annex 7:
// advance notice of changes and maintenance). Withdrawn ones stay for the audit. The emails to
// each addressed tenant's owners are an outbox: one row per (announcement, user), claimed and
// marked by the `announcements` job, so a crash neither loses nor repeats the whole mailing.
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('announcements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('notice', 'maintenance', 'change')`),
    )
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    // all: every tenant (also later ones); tenants: those in announcement_tenants
    .addColumn('audience', 'text', (c) => c.notNull().check(sql`audience in ('all', 'tenants')`))
    .addColumn('starts_at', 'bigint')
    .addColumn('ends_at', 'bigint')
    .addColumn('email', 'integer', (c) => c.notNull())
    // none (no email asked) → pending (recipients not listed yet) → listed (rows in announcement_emails)
    .addColumn('email_state', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('withdrawn_at', 'bigint')
    .addColumn('withdrawn_by', 'text')
    .execute();
  await db.schema
    .createIndex('announcements_email_state')
    .on('announcements')
    .column('email_state')
    .execute();
  await db.schema
    .createTable('announcement_tenants')
    .addColumn('announcement_id', 'text', (c) => c.notNull().references('announcements.id'))
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addPrimaryKeyConstraint('announcement_tenants_pk', ['announcement_id', 'tenant_id'])
    .execute();
  await db.schema
    .createIndex('announcement_tenants_tenant')
    .on('announcement_tenants')
    .columns(['tenant_id', 'announcement_id'])
    .execute();
  await db.schema
    .createTable('announcement_emails')
    .addColumn('announcement_id', 'text', (c) => c.notNull().references('announcements.id'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    // pending → sending (claimed, lease_until) → sent | skipped | failed | cancelled (withdrawn)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_until', 'bigint')
    .addColumn('detail', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('announcement_emails_pk', ['announcement_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('announcement_emails_status')
    .on('announcement_emails')
    .columns(['status', 'announcement_id'])
    .execute();
}
