// Delivery receipts are stored before they are acknowledged to the carrier, then matched to
// their parts in bulk. A receipt that comes before its submit_sm_resp waits as `pending`.
// (Inbound messages: store/inbound.ts.)
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { Dialect } from './db.ts';
import {
  matchPendingReceipts,
  recordChanges,
  settleMessages,
  type StatusChange,
} from './settlement.ts';
import { chunks } from './json-rows.ts';

export interface IncomingReceipt {
  channelId: string;
  carrierId: string;
  stat: string;
  err: string | null;
  /** Final status the receipt reports, null for intermediate ones (ENROUTE, ACCEPTD). */
  status: string | null;
  receivedAt: number;
}

export class ReceiptStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** Store a batch of receipts and settle what they complete, in one transaction. */
  async record(receipts: IncomingReceipt[], now: number): Promise<StatusChange[]> {
    return this.db.transaction().execute(async (trx) => {
      for (const chunk of chunks(receipts, 1000)) {
        await trx
          .insertInto('receipts')
          .values(
            chunk.map((r) => ({
              channel_id: r.channelId,
              carrier_id: r.carrierId,
              stat: r.stat,
              err: r.err,
              status: r.status,
              state: 'pending',
              message_id: null,
              received_at: r.receivedAt,
            })),
          )
          .execute();
      }
      const changes = await matchPendingReceipts(trx, this.dialect, now);
      await recordChanges(trx, this.dialect, changes, now);
      return changes;
    });
  }

  /** Match what is still pending (a safety net; normally every flush matches). */
  async rematch(now: number): Promise<StatusChange[]> {
    return this.db.transaction().execute(async (trx) => {
      const changes = await matchPendingReceipts(trx, this.dialect, now);
      await recordChanges(trx, this.dialect, changes, now);
      return changes;
    });
  }

  /** Receipts still unmatched after the window are orphans: kept for the operator, never matched. */
  async markOrphans(
    olderThan: number,
  ): Promise<Array<{ id: number; channel_id: string; carrier_id: string; stat: string }>> {
    const r = await sql<{ id: number; channel_id: string; carrier_id: string; stat: string }>`
      update receipts set state = 'orphan' where state = 'pending' and received_at < ${olderThan}
      returning id, channel_id, carrier_id, stat`.execute(this.db);
    return r.rows;
  }

  /** Submitted parts with no receipt for too long end as `unknown`; their messages settle. */
  async expireOverdue(submittedBefore: number, now: number): Promise<StatusChange[]> {
    return this.db.transaction().execute(async (trx) => {
      const parts = await sql<{ message_id: string }>`
        update message_parts set status = 'unknown', done_at = ${now}
        where status = 'submitted' and submitted_at < ${submittedBefore}
        returning message_id`.execute(trx);
      if (parts.rows.length === 0) return [];
      const changes = await settleMessages(
        trx,
        this.dialect,
        [...new Set(parts.rows.map((p) => p.message_id))],
        now,
      );
      await recordChanges(trx, this.dialect, changes, now);
      return changes;
    });
  }

  async countByState(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('receipts')
      .select(['state', sql<number>`count(*)`.as('n')])
      .groupBy('state')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }
}
