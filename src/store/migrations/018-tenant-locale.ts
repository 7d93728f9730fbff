import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

// The language a tenant reads Hongyan in (core/i18n): its notices, statement files, and error
// titles when a request names no language of its own. Simplified Chinese unless the tenant (or the
// operator for it) chooses English.
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('tenants')
    .addColumn('locale', 'text', (c) =>
      c
        .notNull()
        .defaultTo('zh-CN')
        .check(sql`locale in ('zh-CN', 'en')`),
    )
    .execute();
}
