import type { Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// Login throttling counters shared by the nodes (core/security/login-throttle.ts,
// docs/security.md "Lock-outs and throttling"). One row per counter: `p:<address>|<name>`,
// `a:<address>`, `n:<name>`, and `k:<address>|<name>` for an address a name logged in from.
// `name` lets an operator's unlock forget a user's counters; rows past `expires_at` are deleted.
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('login_throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('blocked_until', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_throttle_name').on('login_throttle').column('name').execute();
  await db.schema
    .createIndex('login_throttle_expires')
    .on('login_throttle')
    .column('expires_at')
    .execute();
}
