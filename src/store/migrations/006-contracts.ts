import type { Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// Service contracts: number, period, package quota, fee items, auto-renewal, reminder flags.
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('contracts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('start_date', 'text', (c) => c.notNull())
    .addColumn('end_date', 'text', (c) => c.notNull())
    // A package: this many parts, paid by the package fee, before the price plan applies.
    .addColumn('quota', 'integer')
    .addColumn('quota_used', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('fees', 'text', (c) => c.notNull())
    .addColumn('auto_renew', 'integer', (c) => c.notNull())
    .addColumn('renew_months', 'integer', (c) => c.notNull())
    .addColumn('reminded', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('contracts_tenant')
    .on('contracts')
    .columns(['tenant_id', 'end_date'])
    .execute();
}
