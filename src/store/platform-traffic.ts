// The operator's view of the whole platform's traffic (GET /v1/admin/overview), read through
// indexes, never by scanning the messages table: a day of messages is a range of the primary key
// (message ids are ULIDs, whose first ten characters are the creation time: ulid/spec), widened by
// the margins below and narrowed to the exact day by created_at; the queue is read through the partial index of queued rows.
import { sql, type Kysely } from 'kysely';
import { encodeTime } from 'ulid';
import type { Database } from './schema.ts';
import { ID_EARLIER_MS } from './messages.ts';

export interface PlatformDay {
  accepted: number;
  delivered: number;
  /** Ended other than delivered. */
  failed: number;
  /** Not final yet: held, queued or submitted. */
  pending: number;
  parts: number;
}

export interface PlatformQueue {
  /** Messages waiting for a dispatcher (status queued, claimed ones included). */
  messages: number;
  parts: number;
  /** Creation time of the oldest queued message (epoch ms), null when the queue is empty. */
  oldestCreatedAt: number | null;
}

const FAILED = ['undelivered', 'expired', 'rejected', 'failed', 'unknown'];
// A message id's time may be before its created_at (SMPP/CMPP ids are chosen when the first part
// of a long message arrives, store/messages.ts), so the id range starts the list's margin before the
// day; it may be a little after it (the monotonic ULID factory reuses the last time it gave out, a
// clock stepped back), so the range ends this much after the day. created_at is the exact test.
const ID_SLACK_MS = 60 * 60_000;

/** The smallest message id of a millisecond: every id created at or after `ms` sorts at or after it. */
export function messageIdFloor(ms: number): string {
  return `msg_${encodeTime(Math.max(0, ms), 10)}`;
}

export class PlatformTraffic {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every tenant's messages created in [from, to). */
  async day(from: number, to: number): Promise<PlatformDay> {
    const failed = sql.join(FAILED.map((s) => sql.lit(s)));
    const r = await sql<Record<keyof PlatformDay, number | string | null>>`
      select count(*) as accepted,
        sum(case when status = 'delivered' then 1 else 0 end) as delivered,
        sum(case when status in (${failed}) then 1 else 0 end) as failed,
        sum(case when status in ('held', 'queued', 'submitted') then 1 else 0 end) as pending,
        sum(parts_count) as parts
      from messages
      where id >= ${messageIdFloor(from - ID_EARLIER_MS)} and id < ${messageIdFloor(to + ID_SLACK_MS)}
        and created_at >= ${from} and created_at < ${to}`.execute(this.db);
    const row = r.rows[0];
    const n = (k: keyof PlatformDay) => Number(row?.[k] ?? 0);
    return {
      accepted: n('accepted'),
      delivered: n('delivered'),
      failed: n('failed'),
      pending: n('pending'),
      parts: n('parts'),
    };
  }

  /** The dispatch queue now. */
  async queue(): Promise<PlatformQueue> {
    // `status = 'queued'` is the WHERE of the messages_queue partial index, so only queued rows are read.
    const r = await sql<{
      messages: number | string;
      parts: number | string | null;
      oldest: number | string | null;
    }>`
      select count(*) as messages, sum(parts_count) as parts, min(created_at) as oldest
      from messages where status = 'queued'`.execute(this.db);
    const row = r.rows[0];
    return {
      messages: Number(row?.messages ?? 0),
      parts: Number(row?.parts ?? 0),
      oldestCreatedAt:
        row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest),
    };
  }
}
