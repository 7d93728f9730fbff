// Operator settings stored as JSON documents under a key.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export class SettingsStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get<T>(key: string): Promise<T | null> {
    const row = await this.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row ? (JSON.parse(row.value) as T) : null;
  }

  async set(key: string, value: unknown): Promise<void> {
    const now = Date.now();
    const text = JSON.stringify(value);
    await this.db
      .insertInto('settings')
      .values({ key, value: text, updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: text, updated_at: now }))
      .execute();
  }
}
