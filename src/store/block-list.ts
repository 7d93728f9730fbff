// The platform's block list (numbers no tenant may send to), as operators page, search and prune
// it. Numbers are E.164 and the primary key, so pages are read in number order through it.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface BlockedNumber {
  number: string;
  reason: string;
  createdAt: number;
}

export class BlockListStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** A page in number order after `after`; `contains` keeps numbers with these digits in them. */
  async list(f: { contains?: string; after?: string; limit: number }): Promise<BlockedNumber[]> {
    let q = this.db.selectFrom('block_list').selectAll();
    // The caller allows only digits and "+", so the pattern holds no LIKE wildcard of the user's.
    if (f.contains) q = q.where('number', 'like', `%${f.contains}%`);
    if (f.after) q = q.where('number', '>', f.after);
    const rows = await q.orderBy('number').limit(f.limit).execute();
    return rows.map((r) => ({
      number: r.number,
      reason: r.reason,
      createdAt: Number(r.created_at),
    }));
  }

  /** False when the number was not on the list. */
  async remove(number: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('block_list')
      .where('number', '=', number)
      .executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }
}
