import type { Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// Periodic jobs (services/scheduler.ts): one row per job, claimed with a guarded update so that
// several nodes on one database run each job once per period; a run's claim is a lease.
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('scheduled_jobs')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('period_ms', 'bigint', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    // The node running it now and until when its claim holds; null when nobody runs it.
    .addColumn('locked_by', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('last_started_at', 'bigint')
    .addColumn('last_finished_at', 'bigint')
    .addColumn('last_node', 'text')
    // ok | failed
    .addColumn('last_result', 'text')
    .addColumn('last_error', 'text')
    // What the last run did (a small JSON document).
    .addColumn('last_summary', 'text')
    .addColumn('runs', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('failures', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
