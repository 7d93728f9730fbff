// The operator's table of tenants: a page of tenants with their balances, found by status and by
// a search that an index answers — exact id, exact email (the contact's or a user's), or the
// start of the name, case-insensitively (migration 022 has the indexes).
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { Dialect } from './db.ts';
import type { TenantDetails } from './tenants.ts';
import type { Locale } from '../core/i18n/locale.ts';

export interface TenantRow extends TenantDetails {
  available: number;
  held: number;
}

export interface TenantQuery {
  /** An id, an email, or the start of a name. */
  q?: string;
  status?: string;
  /** The last id of the previous page (newest first). */
  after?: string;
  limit: number;
}

export class TenantDirectory {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async list(f: TenantQuery): Promise<TenantRow[]> {
    let q = this.db
      .selectFrom('tenants as t')
      .leftJoin('balances as b', 'b.tenant_id', 't.id')
      .selectAll('t')
      .select([
        sql<number>`coalesce(b.available, 0)`.as('available'),
        sql<number>`coalesce(b.held, 0)`.as('held'),
      ]);
    if (f.status) q = q.where('t.status', '=', f.status);
    if (f.after) q = q.where('t.id', '<', f.after);
    const text = f.q?.trim();
    if (text) {
      if (text.includes('@')) {
        const email = text.toLowerCase();
        q = q.where((eb) =>
          eb.or([
            eb('t.contact_email', '=', email),
            eb(
              't.id',
              'in',
              eb.selectFrom('users as u').select('u.tenant_id').where('u.email', '=', email),
            ),
          ]),
        );
      } else {
        // LIKE with its wildcards escaped: the text is a prefix, never a pattern.
        const prefix = `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        const byName =
          this.dialect === 'postgres'
            ? sql<boolean>`lower(t.name) like ${prefix.toLowerCase()} escape '\\'`
            : sql<boolean>`t.name like ${prefix} escape '\\'`;
        q = q.where((eb) => eb.or([eb('t.id', '=', text), byName]));
      }
    }
    const rows = await q.orderBy('t.id', 'desc').limit(f.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      status: r.status,
      currency: r.currency,
      locale: r.locale as Locale,
      creditCode: r.credit_code,
      contactName: r.contact_name,
      contactEmail: r.contact_email,
      contactPhone: r.contact_phone,
      statusReason: r.status_reason,
      terminateAt: r.terminate_at === null ? null : Number(r.terminate_at),
      chargeMode: r.charge_mode,
      createdAt: Number(r.created_at),
      sendLimits: {
        messagesPerSecond: r.messages_per_second,
        messagesBurst: r.messages_burst,
        messagesInFlight: r.messages_in_flight,
      },
      available: Number(r.available),
      held: Number(r.held),
    }));
  }
}
