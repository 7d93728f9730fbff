// Channel configs as data. The secret is sealed with the body cipher (bound to the channel id), so a
// database dump does not hand out carrier passwords.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { ChannelConfig } from '../core/channels/channel-config.ts';
import { openColumn, sealToColumn, type BodyCipher } from '../security/body-cipher.ts';

export interface StoredChannel {
  config: ChannelConfig;
  /** As the config file says, or created / changed through the API or CLI since. */
  source: 'file' | 'api';
  updatedAt: number;
}

export class ChannelStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cipher: BodyCipher,
  ) {}

  async list(): Promise<StoredChannel[]> {
    const rows = await this.db
      .selectFrom('channels')
      .selectAll()
      .where('removed_at', 'is', null)
      .where('config', 'is not', null)
      .orderBy('id')
      .execute();
    return rows.map((r) => this.#read(r));
  }

  async get(id: string): Promise<StoredChannel | null> {
    const row = await this.db
      .selectFrom('channels')
      .selectAll()
      .where('id', '=', id)
      .where('removed_at', 'is', null)
      .where('config', 'is not', null)
      .executeTakeFirst();
    return row ? this.#read(row) : null;
  }

  /** Add a channel; false when one with this id exists (a removed id may be used again). */
  async create(config: ChannelConfig, now: number): Promise<boolean> {
    const existing = await this.db
      .selectFrom('channels')
      .select(['removed_at', 'config'])
      .where('id', '=', config.id)
      .executeTakeFirst();
    if (existing && existing.removed_at === null && existing.config !== null) return false;
    const values = {
      name: config.name,
      kind: config.kind,
      config: this.#seal(config),
      file_hash: null,
      updated_at: now,
      removed_at: null,
    };
    if (existing)
      await this.db.updateTable('channels').set(values).where('id', '=', config.id).execute();
    else
      await this.db
        .insertInto('channels')
        .values({ id: config.id, created_at: now, ...values })
        .execute();
    return true;
  }

  async update(config: ChannelConfig, now: number): Promise<void> {
    await this.db
      .updateTable('channels')
      .set({ name: config.name, kind: config.kind, config: this.#seal(config), updated_at: now })
      .where('id', '=', config.id)
      .execute();
  }

  /** Removed channels keep their row: old messages still name them. */
  async remove(id: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('channels')
      .set({ removed_at: now, updated_at: now })
      .where('id', '=', id)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * Apply the config file's channels: a new entry is created, an entry that changed since it was
   * last applied overwrites the stored one (even if removed or edited through the API since), an
   * unchanged entry leaves API edits and removals in place.
   * Returns the ids written.
   */
  async applyFile(configs: ChannelConfig[], now: number): Promise<string[]> {
    const written: string[] = [];
    for (const config of configs) {
      const hash = hashOf(config);
      const row = await this.db
        .selectFrom('channels')
        .select(['file_hash', 'config', 'removed_at'])
        .where('id', '=', config.id)
        .executeTakeFirst();
      if (row && row.config !== null && row.file_hash === hash) continue;
      if (row && row.config !== null && row.file_hash === null && row.removed_at === null) continue; // managed through the API since: the file no longer decides
      if (row && row.removed_at !== null && row.file_hash === hash) continue; // removed on purpose
      const values = {
        name: config.name,
        kind: config.kind,
        config: this.#seal(config),
        file_hash: hash,
        updated_at: now,
        removed_at: null,
      };
      if (row)
        await this.db.updateTable('channels').set(values).where('id', '=', config.id).execute();
      else
        await this.db
          .insertInto('channels')
          .values({ id: config.id, created_at: now, ...values })
          .execute();
      written.push(config.id);
    }
    return written;
  }

  #seal(config: ChannelConfig): string {
    return JSON.stringify({
      ...config,
      password: sealToColumn(this.cipher, config.password, `channel:${config.id}`),
    });
  }

  #read(row: {
    id: string;
    config: string | null;
    file_hash: string | null;
    updated_at: number | null;
    created_at: number;
  }): StoredChannel {
    const raw = JSON.parse(row.config!) as ChannelConfig;
    const config = { ...raw, password: openColumn(this.cipher, raw.password, `channel:${row.id}`) };
    return {
      config,
      // As the file says, or changed through the API since.
      source: row.file_hash !== null && row.file_hash === hashOf(config) ? 'file' : 'api',
      updatedAt: Number(row.updated_at ?? row.created_at),
    };
  }
}

function hashOf(config: ChannelConfig): string {
  const sorted = Object.fromEntries(Object.entries(config).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 32);
}
