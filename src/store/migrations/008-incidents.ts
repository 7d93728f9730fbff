import type { Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// The channel incident log (contract 1 clause 2.4: network delays must be proven): every bind
// loss with when it started and ended.
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('channel_incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('channel_incidents_channel')
    .on('channel_incidents')
    .columns(['channel_id', 'started_at'])
    .execute();
}
