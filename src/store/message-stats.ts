// Figures for the console's dashboard, each read through an index made for it (migration 023):
// a day's messages by (tenant_id, created_at), final-status events by (tenant_id, created_at).
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface DayFigures {
  accepted: number;
  /** Taken by the carrier (submitted or since settled). */
  submitted: number;
  delivered: number;
  /** Ended other than delivered. */
  failed: number;
  /** Not final yet: held, queued or submitted. */
  pending: number;
  parts: number;
  /** Charged so far plus still held, minor units. */
  amount: number;
}

const FAILED = ['undelivered', 'expired', 'rejected', 'failed', 'unknown'];

export class MessageStats {
  constructor(private readonly db: Kysely<Database>) {}

  /** The tenant's messages created in [from, to). */
  async figures(tenantId: string, from: number, to: number): Promise<DayFigures> {
    const failed = sql.join(FAILED.map((s) => sql.lit(s)));
    const r = await sql<Record<keyof DayFigures, number | string | null>>`
      select count(*) as accepted,
        sum(case when submitted_at is not null then 1 else 0 end) as submitted,
        sum(case when status = 'delivered' then 1 else 0 end) as delivered,
        sum(case when status in (${failed}) then 1 else 0 end) as failed,
        sum(case when status in ('held', 'queued', 'submitted') then 1 else 0 end) as pending,
        sum(parts_count) as parts,
        sum(case when billing = 'held' then amount else charged end) as amount
      from messages
      where tenant_id = ${tenantId} and created_at >= ${from} and created_at < ${to}`.execute(
      this.db,
    );
    const row = r.rows[0];
    const n = (k: keyof DayFigures) => Number(row?.[k] ?? 0);
    return {
      accepted: n('accepted'),
      submitted: n('submitted'),
      delivered: n('delivered'),
      failed: n('failed'),
      pending: n('pending'),
      parts: n('parts'),
      amount: n('amount'),
    };
  }

  /** Final statuses per minute since `since` (epoch ms of a minute's start): minute → counts. */
  async finalsPerMinute(
    tenantId: string,
    since: number,
  ): Promise<Map<number, { delivered: number; failed: number }>> {
    // The status list repeats the partial index's WHERE, so SQLite can use that index.
    const r = await sql<{
      minute: number | string;
      delivered: number | string;
      n: number | string;
    }>`
      select (created_at / 60000) as minute,
        sum(case when status = 'delivered' then 1 else 0 end) as delivered, count(*) as n
      from message_events
      where tenant_id = ${tenantId} and created_at >= ${since}
        and status in ('delivered', 'undelivered', 'expired', 'rejected', 'failed', 'unknown')
      group by created_at / 60000`.execute(this.db);
    return new Map(
      r.rows.map((x) => [
        Number(x.minute) * 60_000,
        { delivered: Number(x.delivered), failed: Number(x.n) - Number(x.delivered) },
      ]),
    );
  }
}
