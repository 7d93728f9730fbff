import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// Prepaid billing: the ledger records both what is available and what is held; a balances row
// per tenant caches the sums (checked by `hongyan billing verify`); price plans; message prices.
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  void dialect;
  await db.schema
    .alterTable('ledger_entries')
    .addColumn('held_change', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('ledger_entries')
    .addColumn('balance_after', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('ledger_entries')
    .addColumn('held_after', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('ledger_entries').addColumn('batch_id', 'text').execute();
  await db.schema.alterTable('ledger_entries').addColumn('quantity', 'integer').execute();
  await db.schema.alterTable('ledger_entries').addColumn('actor', 'text').execute();
  await db.schema.alterTable('ledger_entries').addColumn('external_ref', 'text').execute();
  // A recharge's payment reference is recorded once per tenant.
  await db.schema
    .createIndex('ledger_entries_external_ref')
    .unique()
    .on('ledger_entries')
    .columns(['tenant_id', 'external_ref'])
    .execute();
  await db.schema
    .createIndex('ledger_entries_batch')
    .on('ledger_entries')
    .columns(['batch_id'])
    .execute();
  await sql`update ledger_entries set kind = 'recharge' where kind = 'credit'`.execute(db);

  await db.schema
    .createTable('balances')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
    .addColumn('available', 'bigint', (c) => c.notNull())
    .addColumn('held', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into balances (tenant_id, available, held, updated_at)
    select t.id, coalesce((select sum(l.amount) from ledger_entries l where l.tenant_id = t.id), 0), 0, 0 from tenants t`.execute(
    db,
  );
  // Entries written before balances existed: their running balance, in order.
  await sql`update ledger_entries set balance_after = (select sum(l2.amount) from ledger_entries l2 where l2.tenant_id = ledger_entries.tenant_id and l2.id <= ledger_entries.id)`.execute(
    db,
  );

  await db.schema
    .createTable('price_plans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // null: the default plan for tenants without their own.
    .addColumn('tenant_id', 'text', (c) => c.unique().references('tenants.id'))
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // on_submit: charged when the carrier takes the part; on_delivery: when the receipt says DELIVRD.
  await db.schema
    .alterTable('tenants')
    .addColumn('charge_mode', 'text', (c) => c.notNull().defaultTo('on_submit'))
    .execute();
  await db.schema.alterTable('tenants').addColumn('low_balance_threshold', 'bigint').execute();

  await db.schema
    .alterTable('messages')
    .addColumn('class', 'text', (c) => c.notNull().defaultTo('notification'))
    .execute();
  await db.schema
    .alterTable('messages')
    .addColumn('price', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('messages')
    .addColumn('amount', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('messages')
    .addColumn('charged', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  // held → charged | released (| partly both); free: test messages and rows from before billing.
  await db.schema
    .alterTable('messages')
    .addColumn('billing', 'text', (c) => c.notNull().defaultTo('free'))
    .execute();
  await db.schema
    .createIndex('messages_billing_held')
    .on('messages')
    .columns(['tenant_id'])
    .where(sql.ref('billing'), '=', 'held')
    .execute();
}
