import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// Which message.status events an endpoint and a per-message callbackUrl want
// (core/webhooks/status-filter.ts): comma-separated selectors (`final`, `submitted`, `delivered`,
// …), null = all of them, as before. And the answers' bodies, which a tenant could read back from
// the delivery log, are no longer kept: the ones already stored go (docs/security.md).
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('webhook_endpoints').addColumn('statuses', 'text').execute();
  await db.schema.alterTable('messages').addColumn('callback_statuses', 'text').execute();
  await sql`update webhook_attempts set response = null where response is not null`.execute(db);
}
