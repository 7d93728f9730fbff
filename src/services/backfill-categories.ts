// The `backfill-categories` job: messages written before migration 023 gain the failure category
// the API shows for them (core/failure-category.ts, by their channel's rules), so the message log's
// `?category=` filter finds them too. In short batches, not in the migration: one statement over
// the whole table would hold `messages` for as long as it takes. Each run reads the next id range
// by primary key after a cursor kept in the settings store, updates by id the rows that have an
// error code and no category, and moves the cursor; the end is the newest id seen on the first
// run (every later message gets its category when it ends, store/settlement.ts recordChanges).
import { sql, type Kysely } from 'kysely';
import { categoriseErrorCode } from '../core/failure-category.ts';
import type { Dialect } from '../store/db.ts';
import { field, jsonRows } from '../store/json-rows.ts';
import type { Database } from '../store/schema.ts';
import type { SettingsStore } from '../store/settings.ts';
import { channelCategoryRules } from '../store/settlement.ts';

export const BACKFILL_SETTING = 'jobs.backfill-categories';

interface Progress {
  /** Every id up to and including this one has been looked at (null: none yet). */
  after: string | null;
  /** The newest id when the backfill began; null when there were no messages. */
  end: string | null;
  done: boolean;
  updated: number;
}

export interface BackfillSummary {
  done: boolean;
  /** Rows given a category by this run, and by every run so far. */
  updated: number;
  total: number;
  /** The last id looked at. */
  after: string | null;
}

export async function backfillCategories(
  deps: { db: Kysely<Database>; dialect: Dialect; settings: SettingsStore },
  batch = 5000,
): Promise<BackfillSummary> {
  const { db, dialect, settings } = deps;
  let p = await settings.get<Progress>(BACKFILL_SETTING);
  if (p === null) {
    const newest = await db
      .selectFrom('messages')
      .select('id')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    p = { after: null, end: newest?.id ?? null, done: newest === undefined, updated: 0 };
    await settings.set(BACKFILL_SETTING, p);
  }
  if (p.done || p.end === null) return { done: true, updated: 0, total: p.updated, after: p.after };

  // The next `batch` ids by primary key: a bounded range read whatever the table holds.
  let q = db
    .selectFrom('messages')
    .select(['id', 'error_code', 'channel_id', 'failure_category'])
    .where('id', '<=', p.end)
    .orderBy('id')
    .limit(batch);
  if (p.after !== null) q = q.where('id', '>', p.after);
  const rows = await q.execute();
  const todo = rows.filter((r) => r.error_code !== null && r.failure_category === null);
  let updated = 0;
  if (todo.length > 0) {
    const rulesOf = await channelCategoryRules(db, todo);
    const values = todo.map((r) => [
      r.id,
      categoriseErrorCode(r.error_code!, r.channel_id ? rulesOf.get(r.channel_id) : undefined),
    ]);
    // `failure_category is null`: a message that ended meanwhile keeps what recordChanges wrote.
    const r = await sql`
      update messages set failure_category = v.category
      from (select ${field(0)} as id, ${field(1)} as category from ${jsonRows(dialect, values)}) as v
      where messages.id = v.id and messages.failure_category is null`.execute(db);
    updated = Number(r.numAffectedRows ?? 0);
  }
  const last = rows.at(-1)?.id ?? p.end;
  const next: Progress = {
    after: last,
    end: p.end,
    done: rows.length < batch || last >= p.end,
    updated: p.updated + updated,
  };
  await settings.set(BACKFILL_SETTING, next);
  return { done: next.done, updated, total: next.updated, after: next.after };
}
