// The notices sent to a tenant (low balance, contract reminders, recharge decisions …), newest
// first, as the notifier recorded them (events/notifications.ts).
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../store/schema.ts';

export type SentNotice = Selectable<Database['notifications']>;

export async function sentNotices(
  db: Kysely<Database>,
  tenantId: string,
  page: { limit: number; before?: number; kind?: string },
): Promise<SentNotice[]> {
  let q = db.selectFrom('notifications').selectAll().where('tenant_id', '=', tenantId);
  if (page.before !== undefined) q = q.where('id', '<', page.before);
  if (page.kind) q = q.where('kind', '=', page.kind);
  return q.orderBy('id', 'desc').limit(page.limit).execute();
}
