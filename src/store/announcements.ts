// Announcements and the outbox of their emails. A withdrawn announcement is kept (for the audit)
// and no longer shown; its emails not yet sent are cancelled.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AnnouncementTable, Database } from './schema.ts';
import { newId } from '../core/ids.ts';
import { isLocale, type Locale } from '../core/i18n/locale.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type AnnouncementKind = 'notice' | 'maintenance' | 'change';

export interface Announcement {
  id: string;
  kind: AnnouncementKind;
  title: string;
  body: string;
  /** null: every tenant. */
  tenantIds: string[] | null;
  startsAt: number | null;
  endsAt: number | null;
  email: boolean;
  emailState: 'none' | 'pending' | 'listed';
  createdBy: string | null;
  createdAt: number;
  withdrawnAt: number | null;
  withdrawnBy: string | null;
}

export interface NewAnnouncement {
  kind: AnnouncementKind;
  title: string;
  body: string;
  tenantIds: string[] | null;
  startsAt: number | null;
  endsAt: number | null;
  email: boolean;
  createdBy: string | null;
}

/** One email of the outbox, with what is needed to word it. */
export interface AnnouncementEmail {
  announcementId: string;
  userId: string;
  tenantId: string;
  email: string;
  attempts: number;
  /** The owner's language, else the tenant's. */
  locale: Locale;
}

/** How many times a mail server's refusal is tried again before the email is `failed`. */
export const MAX_EMAIL_ATTEMPTS = 3;

export class AnnouncementStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(a: NewAnnouncement, db: Db = this.db, now = Date.now()): Promise<Announcement> {
    const id = newId('ann', now);
    await db
      .insertInto('announcements')
      .values({
        id,
        kind: a.kind,
        title: a.title,
        body: a.body,
        audience: a.tenantIds === null ? 'all' : 'tenants',
        starts_at: a.startsAt,
        ends_at: a.endsAt,
        email: a.email ? 1 : 0,
        email_state: a.email ? 'pending' : 'none',
        created_by: a.createdBy,
        created_at: now,
        withdrawn_at: null,
        withdrawn_by: null,
      })
      .execute();
    if (a.tenantIds !== null && a.tenantIds.length > 0)
      await db
        .insertInto('announcement_tenants')
        .values(a.tenantIds.map((t) => ({ announcement_id: id, tenant_id: t })))
        .execute();
    return (await this.get(id, db))!;
  }

  async get(id: string, db: Db = this.db): Promise<Announcement | undefined> {
    const row = await db
      .selectFrom('announcements')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && (await this.#withAudience([row], db))[0];
  }

  /** Every announcement, withdrawn ones too, newest first (the operator's list). */
  async list(f: { after?: string; limit: number }): Promise<Announcement[]> {
    let q = this.db.selectFrom('announcements').selectAll();
    if (f.after) q = q.where('id', '<', f.after);
    return this.#withAudience(await q.orderBy('id', 'desc').limit(f.limit).execute());
  }

  /** What one tenant sees: addressed to it (or to all), not withdrawn, not over; newest first. */
  async forTenant(
    tenantId: string,
    now: number,
    f: { after?: string; limit: number },
  ): Promise<Announcement[]> {
    let q = this.db
      .selectFrom('announcements as a')
      .selectAll('a')
      .where('a.withdrawn_at', 'is', null)
      .where((eb) => eb.or([eb('a.ends_at', 'is', null), eb('a.ends_at', '>', now)]))
      .where((eb) =>
        eb.or([
          eb('a.audience', '=', 'all'),
          eb.exists(
            eb
              .selectFrom('announcement_tenants as t')
              .select('t.tenant_id')
              .whereRef('t.announcement_id', '=', 'a.id')
              .where('t.tenant_id', '=', tenantId),
          ),
        ]),
      );
    if (f.after) q = q.where('a.id', '<', f.after);
    const rows = await q.orderBy('a.id', 'desc').limit(f.limit).execute();
    // A tenant is not told whom else an announcement was addressed to.
    return rows.map((r) => ({ ...toAnnouncement(r), tenantIds: null }));
  }

  /** Withdraw once: false if there is no such announcement or it was withdrawn already. */
  async withdraw(id: string, by: string | null, db: Db = this.db, now = Date.now()) {
    const r = await db
      .updateTable('announcements')
      .set({ withdrawn_at: now, withdrawn_by: by })
      .where('id', '=', id)
      .where('withdrawn_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await db
      .updateTable('announcement_emails')
      .set({ status: 'cancelled', lease_until: null, updated_at: now })
      .where('announcement_id', '=', id)
      .where('status', '=', 'pending')
      .execute();
    return true;
  }

  /**
   * List the recipients of announcements whose mailing is still to be listed: the active owners
   * of the tenants addressed that are active or suspended. One transaction per announcement, the
   * rows inserted once (primary key) and the state moved with a guarded update, so a repeat
   * lists nobody twice. Returns how many announcements were listed.
   */
  async listRecipients(now: number): Promise<number> {
    const due = await this.db
      .selectFrom('announcements')
      .select(['id', 'audience'])
      .where('email_state', '=', 'pending')
      .execute();
    let listed = 0;
    for (const a of due) {
      await this.db.transaction().execute(async (trx) => {
        const moved = await trx
          .updateTable('announcements')
          .set({ email_state: 'listed' })
          .where('id', '=', a.id)
          .where('email_state', '=', 'pending')
          .returning('withdrawn_at')
          .executeTakeFirst();
        // Another run listed it, or it was withdrawn before anyone was mailed.
        if (!moved || moved.withdrawn_at !== null) return;
        const audience =
          a.audience === 'all'
            ? sql`true`
            : sql`u.tenant_id in (select tenant_id from announcement_tenants where announcement_id = ${a.id})`;
        await sql`
          insert into announcement_emails (announcement_id, user_id, tenant_id, email, status, attempts, updated_at)
          select ${a.id}, u.id, u.tenant_id, u.email, 'pending', 0, ${now}
          from users u join tenants t on t.id = u.tenant_id
          where u.role = 'owner' and u.status = 'active' and t.status in ('active', 'suspended')
            and ${audience}
          on conflict do nothing`.execute(trx);
        listed += 1;
      });
    }
    return listed;
  }

  /**
   * Claim up to `limit` emails to send: pending ones, and ones whose sender's lease ran out (a
   * node that died mid-send). The claim is a guarded update, so two senders never take one row.
   * `now` is the moment of the claim: the lease runs `leaseMs` from it.
   */
  async claimEmails(now: number, leaseMs: number, limit: number): Promise<AnnouncementEmail[]> {
    // lease_until: a sender's lease while `sending`; "not before" for a pending retry.
    const candidates = await this.db
      .selectFrom('announcement_emails')
      .select(['announcement_id', 'user_id', 'status', 'lease_until'])
      .where('status', 'in', ['pending', 'sending'])
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
      .orderBy('announcement_id')
      .limit(limit)
      .execute();
    const claimed: AnnouncementEmail[] = [];
    for (const c of candidates) {
      const r = await this.db
        .updateTable('announcement_emails')
        .set((eb) => ({
          status: 'sending',
          lease_until: now + leaseMs,
          attempts: eb('attempts', '+', 1),
          updated_at: now,
        }))
        .where('announcement_id', '=', c.announcement_id)
        .where('user_id', '=', c.user_id)
        .where('status', '=', c.status)
        .where((eb) =>
          c.lease_until === null
            ? eb('lease_until', 'is', null)
            : eb('lease_until', '=', c.lease_until),
        )
        .returning(['announcement_id', 'user_id', 'tenant_id', 'email', 'attempts'])
        .executeTakeFirst();
      if (!r) continue;
      const who = await this.db
        .selectFrom('users as u')
        .innerJoin('tenants as t', 't.id', 'u.tenant_id')
        .select(['u.locale as userLocale', 't.locale as tenantLocale'])
        .where('u.id', '=', r.user_id)
        .executeTakeFirst();
      claimed.push({
        announcementId: r.announcement_id,
        userId: r.user_id,
        tenantId: r.tenant_id,
        email: r.email,
        attempts: Number(r.attempts),
        locale: isLocale(who?.userLocale)
          ? who.userLocale
          : isLocale(who?.tenantLocale)
            ? who.tenantLocale
            : 'zh-CN',
      });
    }
    return claimed;
  }

  /**
   * The outcome of one claimed email: sent, skipped (no SMTP server), failed for good, cancelled
   * (withdrawn meanwhile), or pending again, to be retried not before `retryAt`.
   */
  async finishEmail(
    e: Pick<AnnouncementEmail, 'announcementId' | 'userId'>,
    outcome: { status: 'sent' | 'skipped' | 'failed' | 'cancelled' | 'pending'; detail: string },
    now: number,
    retryAt: number | null = null,
  ): Promise<void> {
    await this.db
      .updateTable('announcement_emails')
      .set({
        status: outcome.status,
        detail: outcome.detail.slice(0, 500),
        lease_until: outcome.status === 'pending' ? retryAt : null,
        updated_at: now,
      })
      .where('announcement_id', '=', e.announcementId)
      .where('user_id', '=', e.userId)
      .where('status', '=', 'sending')
      .execute();
  }

  /** The outbox of some announcements, counted by status. */
  async emailCounts(ids: string[]): Promise<Map<string, Record<string, number>>> {
    const out = new Map<string, Record<string, number>>();
    if (ids.length === 0) return out;
    const rows = await this.db
      .selectFrom('announcement_emails')
      .select(['announcement_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('announcement_id', 'in', ids)
      .groupBy(['announcement_id', 'status'])
      .execute();
    for (const r of rows) {
      const counts = out.get(r.announcement_id) ?? {};
      counts[r.status] = Number(r.n);
      out.set(r.announcement_id, counts);
    }
    return out;
  }

  async #withAudience(rows: AnnouncementTable[], db: Db = this.db): Promise<Announcement[]> {
    const listed = rows.filter((r) => r.audience === 'tenants').map((r) => r.id);
    const byId = new Map<string, string[]>();
    if (listed.length > 0) {
      const links = await db
        .selectFrom('announcement_tenants')
        .select(['announcement_id', 'tenant_id'])
        .where('announcement_id', 'in', listed)
        .orderBy('tenant_id')
        .execute();
      for (const l of links)
        byId.set(l.announcement_id, [...(byId.get(l.announcement_id) ?? []), l.tenant_id]);
    }
    return rows.map((r) => ({
      ...toAnnouncement(r),
      tenantIds: r.audience === 'all' ? null : (byId.get(r.id) ?? []),
    }));
  }
}

function toAnnouncement(r: AnnouncementTable): Announcement {
  return {
    id: r.id,
    kind: r.kind as AnnouncementKind,
    title: r.title,
    body: r.body,
    tenantIds: null,
    startsAt: r.starts_at === null ? null : Number(r.starts_at),
    endsAt: r.ends_at === null ? null : Number(r.ends_at),
    email: Number(r.email) === 1,
    emailState: r.email_state as Announcement['emailState'],
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    withdrawnAt: r.withdrawn_at === null ? null : Number(r.withdrawn_at),
    withdrawnBy: r.withdrawn_by,
  };
}
