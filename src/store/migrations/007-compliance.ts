import type { Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// Compliance: signatures and templates with approval, operator content rules, the manual review
// queue, opt-outs, consents and the operator's block list, per-tenant policy.
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  for (const table of ['signatures', 'templates'] as const) {
    let t = db.schema
      .createTable(table)
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'));
    t =
      table === 'signatures'
        ? t
            .addColumn('text', 'text', (c) => c.notNull())
            .addColumn('proof_ref', 'text')
            .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
        : t
            .addColumn('name', 'text', (c) => c.notNull())
            .addColumn('body', 'text', (c) => c.notNull())
            .addColumn('variables', 'text', (c) => c.notNull())
            .addColumn('class', 'text', (c) => c.notNull());
    await t
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('reviewed_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('reviewed_at', 'bigint')
      .execute();
    await db.schema
      .createIndex(`${table}_tenant`)
      .on(table)
      .columns(['tenant_id', 'status'])
      .execute();
  }

  await db.schema
    .createTable('content_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('term', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('review_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('batch_id', 'text', (c) => c.notNull())
    .addColumn('messages', 'integer', (c) => c.notNull())
    .addColumn('rule_id', 'text')
    .addColumn('category', 'text')
    .addColumn('matched', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('decided_at', 'bigint')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('review_items_status')
    .on('review_items')
    .columns(['status', 'created_at'])
    .execute();

  await db.schema
    .createTable('opt_outs')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('opt_outs_pk', ['tenant_id', 'number'])
    .execute();
  await db.schema
    .createTable('consents')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('consents_pk', ['tenant_id', 'number'])
    .execute();
  await db.schema
    .createTable('block_list')
    .addColumn('number', 'text', (c) => c.primaryKey())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // Per-tenant policy: which classes may send free text (else templates only); frequency caps.
  await db.schema
    .alterTable('tenants')
    .addColumn('free_text_classes', 'text', (c) =>
      c.notNull().defaultTo('verification,notification,marketing'),
    )
    .execute();
  await db.schema.alterTable('tenants').addColumn('frequency_caps', 'text').execute();
  // Why a message was held or refused: the rule and the matched text.
  await db.schema.alterTable('messages').addColumn('compliance', 'text').execute();
  await db.schema.alterTable('messages').addColumn('template_id', 'text').execute();
  // A digest of the text (bodies may be encrypted): "the same text to the same number" caps.
  await db.schema.alterTable('messages').addColumn('text_hash', 'text').execute();
  await db.schema
    .createIndex('messages_frequency')
    .on('messages')
    .columns(['tenant_id', 'to', 'created_at'])
    .execute();
}
