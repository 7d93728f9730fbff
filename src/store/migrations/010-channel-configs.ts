import type { Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// Channels become data: their full config (secret sealed) lives in the database so operators can
// add, change and disable them through the API and CLI without a restart. `file_hash` remembers
// the config-file entry last applied, so a changed file wins once and API edits are kept otherwise.
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('channels').addColumn('config', 'text').execute();
  await db.schema.alterTable('channels').addColumn('file_hash', 'text').execute();
  await db.schema.alterTable('channels').addColumn('updated_at', 'bigint').execute();
  await db.schema.alterTable('channels').addColumn('removed_at', 'bigint').execute();
}
