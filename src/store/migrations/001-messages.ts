import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  // An auto-incrementing id: cursor order for events and receipts.
  const serial = (t: 'integer' | 'bigint') =>
    dialect === 'postgres'
      ? sql`bigint generated always as identity primary key`
      : sql`${sql.raw(t)} primary key autoincrement`;

  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .execute();

  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', serial('integer'))
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ledger_entries_tenant')
    .on('ledger_entries')
    .columns(['tenant_id', 'id'])
    .execute();

  await db.schema
    .createTable('channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('batch_id', 'text', (c) => c.notNull())
    .addColumn('client_ref', 'text')
    .addColumn('to', 'text', (c) => c.notNull())
    .addColumn('from', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('encoding', 'text', (c) => c.notNull())
    .addColumn('parts_count', 'integer', (c) => c.notNull())
    .addColumn('concat_ref', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_detail', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_node', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('submitted_at', 'bigint')
    .addColumn('done_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('messages_tenant')
    .on('messages')
    .columns(['tenant_id', 'id'])
    .execute();
  await db.schema
    .createIndex('messages_tenant_to')
    .on('messages')
    .columns(['tenant_id', 'to', 'id'])
    .execute();
  await db.schema
    .createIndex('messages_tenant_client_ref')
    .on('messages')
    .columns(['tenant_id', 'client_ref'])
    .execute();
  await db.schema.createIndex('messages_batch').on('messages').columns(['batch_id']).execute();
  // The queue: only queued rows are in this index, so claiming stays cheap however large the table.
  await db.schema
    .createIndex('messages_queue')
    .on('messages')
    .columns(['next_attempt_at', 'id'])
    .where(sql.ref('status'), '=', 'queued')
    .execute();
  await db.schema
    .createIndex('messages_in_flight')
    .on('messages')
    .columns(['submitted_at'])
    .where(sql.ref('status'), '=', 'submitted')
    .execute();

  await db.schema
    .createTable('message_parts')
    .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text')
    .addColumn('carrier_id', 'text')
    .addColumn('command_status', 'integer')
    .addColumn('stat', 'text')
    .addColumn('err', 'text')
    .addColumn('submitted_at', 'bigint')
    .addColumn('done_at', 'bigint')
    .addPrimaryKeyConstraint('message_parts_pk', ['message_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('message_parts_carrier')
    .on('message_parts')
    .columns(['channel_id', 'carrier_id'])
    .execute();

  await db.schema
    .createTable('message_events')
    .addColumn('id', serial('integer'))
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('message_events_tenant')
    .on('message_events')
    .columns(['tenant_id', 'id'])
    .execute();
  await db.schema
    .createIndex('message_events_message')
    .on('message_events')
    .columns(['message_id'])
    .execute();

  await db.schema
    .createTable('receipts')
    .addColumn('id', serial('integer'))
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('carrier_id', 'text', (c) => c.notNull())
    .addColumn('stat', 'text', (c) => c.notNull())
    .addColumn('err', 'text')
    .addColumn('status', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('receipts_pending')
    .on('receipts')
    .columns(['channel_id', 'carrier_id'])
    .where(sql.ref('state'), '=', 'pending')
    .execute();
  await db.schema.createIndex('receipts_message').on('receipts').columns(['message_id']).execute();

  await db.schema
    .createTable('inbound_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('from', 'text', (c) => c.notNull())
    .addColumn('to', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['tenant_id', 'key'])
    .execute();
}
