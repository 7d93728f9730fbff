// The dispatch queue: queued messages are claimed by a node's dispatcher under a lease, what the
// carrier answered is written back in batches, a restarted node releases its old claims, and
// messages no channel took within their validity expire. Claims are set-based (one statement per
// batch) so the queue keeps up on SQLite and PostgreSQL.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { Dialect } from './db.ts';
import { chunks, field, intField, jsonRows } from './json-rows.ts';
import { plaintextCipher, type BodyCipher } from '../security/body-cipher.ts';
import { matchPendingReceipts, recordChanges, type StatusChange } from './settlement.ts';

export interface ClaimedMessage {
  id: string;
  tenantId: string;
  to: string;
  text: string;
  encoding: string;
  partsCount: number;
  concatRef: number;
  attempts: number;
  /** Parts still to submit (1-based); on a first attempt, all of them. */
  pendingSeqs: number[];
  class: string;
  /** CN-mobile, GB…: for routing. */
  destination: string | null;
}

export interface SubmittedPart {
  messageId: string;
  seq: number;
  channelId: string;
  carrierId: string;
  at: number;
}

export interface FailedMessage {
  messageId: string;
  seq: number;
  channelId: string | null;
  commandStatus: number | null;
  errorCode: string;
  detail: string;
}

export interface RetryMessage {
  messageId: string;
  notBefore: number;
  detail: string;
}

export class DispatchQueue {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    /** Opens the bodies of claimed messages (encryption at rest). */
    private readonly cipher: BodyCipher = plaintextCipher,
  ) {}

  /**
   * Claim due queued messages for this node's dispatcher. The claim pushes `next_attempt_at`
   * past the lease: if this node dies, the messages come due again for whoever is alive.
   */
  async claim(opts: {
    node: string;
    now: number;
    leaseMs: number;
    limit: number;
    /** Only test (true) or only live (false) messages; undefined = both. */
    test?: boolean;
  }): Promise<ClaimedMessage[]> {
    const lock = this.dialect === 'postgres' ? sql`for update skip locked` : sql``;
    const kind = opts.test === undefined ? sql`` : sql`and test = ${opts.test ? 1 : 0}`;
    const rows = await sql<{
      id: string;
      tenant_id: string;
      to: string;
      text: string;
      text_key_id: string | null;
      encoding: string;
      parts_count: number;
      concat_ref: number;
      attempts: number;
      class: string;
      destination: string | null;
    }>`
      update messages set next_attempt_at = ${opts.now + opts.leaseMs}, lease_node = ${opts.node}, attempts = attempts + 1
      where id in (
        select id from messages where status = 'queued' and next_attempt_at <= ${opts.now} ${kind}
        order by next_attempt_at, id limit ${opts.limit} ${lock})
      returning id, tenant_id, "to", text, text_key_id, encoding, parts_count, concat_ref, attempts, class, destination`.execute(
      this.db,
    );
    const claimed = rows.rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      to: r.to,
      text: this.cipher.open(r.text, r.text_key_id, r.id),
      encoding: r.encoding,
      partsCount: Number(r.parts_count),
      concatRef: Number(r.concat_ref),
      attempts: Number(r.attempts),
      pendingSeqs: Array.from({ length: Number(r.parts_count) }, (_, i) => i + 1),
      class: r.class,
      destination: r.destination,
    }));
    // A retried message may have some parts at the carrier already: send only the rest.
    const retried = claimed.filter((m) => m.attempts > 1);
    if (retried.length > 0) {
      const open = await this.db
        .selectFrom('message_parts')
        .select(['message_id', 'seq'])
        .where(
          'message_id',
          'in',
          retried.map((m) => m.id),
        )
        .where('status', '=', 'queued')
        .execute();
      const bySeq = new Map<string, number[]>();
      for (const p of open)
        bySeq.set(p.message_id, [...(bySeq.get(p.message_id) ?? []), Number(p.seq)]);
      for (const m of retried) m.pendingSeqs = (bySeq.get(m.id) ?? []).sort((a, b) => a - b);
    }
    return claimed;
  }

  /** A restarted node owns nothing in flight: make its old claims due now. */
  async releaseLeases(node: string, now: number): Promise<number> {
    const r = await this.db
      .updateTable('messages')
      .set({ next_attempt_at: now, lease_node: null })
      .where('status', '=', 'queued')
      .where('lease_node', '=', node)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Record what the carrier answered, in one transaction; returns the status changes made. */
  async applyDispatchOutcomes(out: {
    submitted: SubmittedPart[];
    failed: FailedMessage[];
    retry: RetryMessage[];
    now: number;
  }): Promise<StatusChange[]> {
    return this.db.transaction().execute(async (trx) => {
      const changes: StatusChange[] = [];
      if (out.submitted.length > 0) {
        const rows = out.submitted.map((s) => [s.messageId, s.seq, s.carrierId, s.channelId, s.at]);
        await sql`
          update message_parts set status = 'submitted', carrier_id = v.carrier_id, channel_id = v.channel_id, submitted_at = v.at
          from (select ${field(0)} as message_id, ${intField(1)} as seq, ${field(2)} as carrier_id, ${field(3)} as channel_id, ${intField(4)} as at
                from ${jsonRows(this.dialect, rows)}) as v
          where message_parts.message_id = v.message_id and message_parts.seq = v.seq and message_parts.status = 'queued'`.execute(
          trx,
        );
        const ids = [...new Set(out.submitted.map((s) => s.messageId))];
        const done = await sql<StatusChange>`
          update messages set status = 'submitted', submitted_at = ${out.now}, lease_node = null,
            channel_id = (select p.channel_id from message_parts p where p.message_id = messages.id and p.seq = 1)
          where id in (select ${field(0)} from ${jsonRows(
            this.dialect,
            ids.map((id) => [id]),
          )})
            and status = 'queued'
            and not exists (select 1 from message_parts p where p.message_id = messages.id and p.status = 'queued')
          returning id, tenant_id, status`.execute(trx);
        changes.push(...done.rows);
      }
      for (const f of out.failed) {
        await trx
          .updateTable('message_parts')
          .set({
            status: 'failed',
            channel_id: f.channelId,
            command_status: f.commandStatus,
            done_at: out.now,
          })
          .where('message_id', '=', f.messageId)
          .where('seq', '=', f.seq)
          .where('status', '=', 'queued')
          .execute();
        const row = await trx
          .updateTable('messages')
          .set({
            status: 'failed',
            error_code: f.errorCode,
            error_detail: f.detail,
            channel_id: f.channelId,
            done_at: out.now,
            lease_node: null,
          })
          .where('id', '=', f.messageId)
          .where('status', '=', 'queued')
          .returning(['id', 'tenant_id', 'status'])
          .executeTakeFirst();
        if (row) changes.push(row);
      }
      for (const r of out.retry) {
        await trx
          .updateTable('messages')
          .set({ next_attempt_at: r.notBefore, lease_node: null, error_detail: r.detail })
          .where('id', '=', r.messageId)
          .where('status', '=', 'queued')
          .execute();
      }
      // Receipts that overtook their submit_sm_resp can be matched now.
      changes.push(...(await matchPendingReceipts(trx, this.dialect, out.now)));
      await recordChanges(trx, this.dialect, changes, out.now);
      return changes;
    });
  }

  /**
   * Messages still queued when their validity has passed (no channel took them in time) end as
   * `expired`; their holds are released. `validityMs` is per message class.
   */
  async expireQueued(validityMs: Record<string, number>, now: number): Promise<StatusChange[]> {
    return this.db.transaction().execute(async (trx) => {
      const classes = Object.entries(validityMs);
      const overdue = sql.join(
        classes.map(([cls, ms]) => sql`(class = ${cls} and created_at < ${now - ms})`),
        sql` or `,
      );
      const rows = await sql<StatusChange>`
        update messages set status = 'expired', error_code = 'expired', error_detail = 'not submitted within its validity', done_at = ${now}, lease_node = null
        where status = 'queued' and (${overdue})
        returning id, tenant_id, status`.execute(trx);
      if (rows.rows.length === 0) return [];
      for (const ids of chunks(
        rows.rows.map((r) => r.id),
        1000,
      )) {
        await trx
          .updateTable('message_parts')
          .set({ status: 'expired', done_at: now })
          .where('message_id', 'in', ids)
          .where('status', '=', 'queued')
          .execute();
      }
      await recordChanges(trx, this.dialect, rows.rows, now);
      return rows.rows;
    });
  }
}
