import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// Inbound (MO) messages routed to tenants (docs/inbound.md):
// - tenant_extensions: each tenant's extension code (unique; prefixes of each other are allowed,
//   the longest match wins), set automatically or by an operator; released_extensions: codes an
//   operator replaced, kept out of automatic assignment for a while.
// - inbound_keywords: keyword (folded) → tenant, for replies without a known extension.
// - inbound_segments: segments of long MO messages held until the set is complete (or expires),
//   so a crash loses none; one row per segment number, bodies sealed like message bodies.
// - inbound_messages: the body sealed (text_key_id; null = stored in clear, rows from before),
//   how it was routed, the digits after the extension (sub_code), how many segments it had and
//   how many arrived, and whether its opt-out handling ran (handled; 0 only while it has not).
// - messages (to, created_at): the "last sender within 7 days" fallback reads it.
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('tenant_extensions')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('assigned_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // Codes an operator replaced: not handed out again automatically for a while (late replies).
  await db.schema
    .createTable('released_extensions')
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('released_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('inbound_keywords')
    .addColumn('keyword', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('inbound_segments')
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('from', 'text', (c) => c.notNull())
    .addColumn('ref', 'integer', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('to', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('text_key_id', 'text')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('inbound_segments_pk', ['channel_id', 'from', 'ref', 'total', 'seq'])
    .execute();
  await db.schema
    .createIndex('inbound_segments_received')
    .on('inbound_segments')
    .columns(['received_at'])
    .execute();

  await db.schema.alterTable('inbound_messages').addColumn('text_key_id', 'text').execute();
  await db.schema.alterTable('inbound_messages').addColumn('sub_code', 'text').execute();
  await db.schema.alterTable('inbound_messages').addColumn('routed_by', 'text').execute();
  await db.schema.alterTable('inbound_messages').addColumn('route_key', 'text').execute();
  await db.schema
    .alterTable('inbound_messages')
    .addColumn('parts_total', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('inbound_messages')
    .addColumn('parts_received', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('inbound_messages')
    .addColumn('handled', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createIndex('inbound_messages_tenant')
    .on('inbound_messages')
    .columns(['tenant_id', 'id'])
    .execute();
  await db.schema
    .createIndex('inbound_messages_unhandled')
    .on('inbound_messages')
    .columns(['received_at'])
    .where(sql.ref('handled'), '=', 0)
    .execute();

  await db.schema
    .createIndex('messages_to_created')
    .on('messages')
    .columns(['to', 'created_at'])
    .execute();
}
