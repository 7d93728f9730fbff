import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// Recharge requests (docs/billing.md): a tenant says it paid by bank transfer, with the payment
// reference and optionally a proof file (kept in the database, so every node can serve it); an
// operator confirms it into one ledger recharge (its entry id recorded here) or rejects it.
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('recharge_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('payment_reference', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('pending', 'confirmed', 'rejected')`),
    )
    .addColumn('proof', dialect === 'postgres' ? 'bytea' : 'blob')
    .addColumn('proof_type', 'text')
    .addColumn('proof_size', 'integer')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'bigint')
    .addColumn('credited_amount', 'bigint')
    .addColumn('ledger_entry_id', 'bigint')
    .addColumn('reject_reason', 'text')
    .execute();
  await db.schema
    .createIndex('recharge_requests_tenant')
    .on('recharge_requests')
    .columns(['tenant_id', 'id'])
    .execute();
  await db.schema
    .createIndex('recharge_requests_status')
    .on('recharge_requests')
    .columns(['status', 'id'])
    .execute();
  // One open or confirmed request per bank transfer: a rejected one may be asked again.
  await db.schema
    .createIndex('recharge_requests_reference')
    .unique()
    .on('recharge_requests')
    .columns(['tenant_id', 'payment_reference'])
    .where(sql.ref('status'), '<>', 'rejected')
    .execute();
}
