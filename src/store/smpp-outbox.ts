// What the tenant-facing SMPP server sends back as deliver_sm, read from the message_events
// outbox: final statuses of messages an account submitted with registered_delivery, and inbound
// (MO) messages of its tenant (status 'inbound', message_id = the inbound_messages id). Each SMPP
// account has a cursor: the event id up to which its client has acknowledged everything. The
// CMPP server (docs/cmpp.md) reads the same outbox with source 'cmpp': its messages, and the
// CMPP Msg_Ids its SPs were given (cmpp_msg_ids).
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { eventIdsAfter } from './event-feed.ts';
import { FINAL_STATUSES } from '../core/message/status.ts';
import { plaintextCipher, type BodyCipher } from '../security/body-cipher.ts';

export interface OutboxReceipt {
  kind: 'receipt';
  eventId: number;
  messageId: string;
  status: string;
  to: string;
  /** The client's source_addr (the receipt's destination_addr). */
  sourceAddr: string | null;
  receiptWanted: number;
  /** Into how many submit_sm the client split it; null or 1 = one. */
  parts: number | null;
  errorCode: string | null;
  errorDetail: string | null;
  createdAt: number;
  doneAt: number;
  text: string;
  /** CMPP only: the Msg_Ids (16 hex digits) the SP was answered, in part order. */
  cmppMsgIds?: string[];
}

export interface OutboxInbound {
  kind: 'inbound';
  eventId: number;
  inboundId: string;
  from: string;
  to: string;
  text: string;
  receivedAt: number;
}

export type OutboxItem = OutboxReceipt | OutboxInbound;

interface Row {
  event_id: number | string;
  status: string;
  message_id: string;
  event_at: number | string;
  m_to: string | null;
  source_addr: string | null;
  receipt_wanted: number | string | null;
  source_parts: number | string | null;
  error_code: string | null;
  error_detail: string | null;
  m_created: number | string | null;
  done_at: number | string | null;
  m_text: string | null;
  text_key_id: string | null;
  i_from: string | null;
  i_to: string | null;
  i_text: string | null;
  i_key: string | null;
  received_at: number | string | null;
  cmpp_ids?: string | null;
}

const FINALS = sql.join(FINAL_STATUSES.map((s) => sql.lit(s)));

export class SmppOutboxStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cipher: BodyCipher = plaintextCipher,
    /** Whose receipts: messages submitted over SMPP (the default) or over CMPP. */
    private readonly source: 'smpp' | 'cmpp' = 'smpp',
  ) {}

  /** CMPP: the Msg_Ids answered for each message, written before the messages are accepted. */
  async saveCmppMsgIds(rows: Array<{ messageId: string; msgIds: string[] }>, now = Date.now()) {
    if (rows.length === 0) return;
    await this.db
      .insertInto('cmpp_msg_ids')
      .values(
        rows.map((r) => ({
          message_id: r.messageId,
          msg_ids: r.msgIds.join(','),
          created_at: now,
        })),
      )
      .onConflict((oc) => oc.column('message_id').doNothing())
      .execute();
  }

  /** CMPP: the ids of messages that were refused after all. */
  async dropCmppMsgIds(messageIds: string[]): Promise<void> {
    if (messageIds.length === 0) return;
    await this.db.deleteFrom('cmpp_msg_ids').where('message_id', 'in', messageIds).execute();
  }

  /**
   * The account's cursor; created on its first bind at the newest event, so what happens from
   * then on (its receipts, its tenant's inbound messages) waits for a receiver.
   */
  async ensureCursor(accountId: string, tenantId: string, now = Date.now()): Promise<number> {
    // `where true`: SQLite cannot tell `on conflict` from a join constraint after a bare `from`.
    await sql`insert into smpp_cursors (account_id, tenant_id, event_id, updated_at)
      select ${accountId}, ${tenantId}, coalesce(max(id), 0), ${now} from message_events where true
      on conflict (account_id) do nothing`.execute(this.db);
    const row = await this.db
      .selectFrom('smpp_cursors')
      .select('event_id')
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    return Number(row.event_id);
  }

  async saveCursor(accountId: string, eventId: number, now = Date.now()): Promise<void> {
    await this.db
      .updateTable('smpp_cursors')
      .set({ event_id: eventId, updated_at: now })
      .where('account_id', '=', accountId)
      .where('event_id', '<', eventId)
      .execute();
  }

  /** Event ids above `after`, ascending (every tenant's): for the commit horizon. */
  eventIdsAfter(after: number, limit: number): Promise<number[]> {
    return eventIdsAfter(this.db, after, limit);
  }

  /**
   * What account `systemId` of `tenantId` has to send, for events in (after, upTo], in order:
   * final statuses of its own messages that asked for a receipt, and the tenant's inbound messages.
   */
  async fetch(
    tenantId: string,
    systemId: string,
    after: number,
    upTo: number,
    limit: number,
  ): Promise<OutboxItem[]> {
    const cmpp = this.source === 'cmpp';
    const r = await sql<Row>`
      select ${cmpp ? sql`c.msg_ids as cmpp_ids,` : sql``} e.id as event_id, e.status, e.message_id, e.created_at as event_at,
        m."to" as m_to, m.source_addr, m.receipt_wanted, m.source_parts, m.error_code, m.error_detail,
        m.created_at as m_created, m.done_at, m.text as m_text, m.text_key_id,
        i."from" as i_from, i."to" as i_to, i.text as i_text, i.text_key_id as i_key, i.received_at
      from message_events e
      left join messages m on e.status <> 'inbound' and m.id = e.message_id
      left join inbound_messages i on e.status = 'inbound' and i.id = e.message_id
      ${cmpp ? sql`left join cmpp_msg_ids c on e.status <> 'inbound' and c.message_id = e.message_id` : sql``}
      where e.tenant_id = ${tenantId} and e.id > ${after} and e.id <= ${upTo}
        and ((e.status = 'inbound' and i.id is not null)
          or (e.status in (${FINALS}) and m.source = ${this.source} and m.source_account = ${systemId}
              and m.receipt_wanted > 0))
      order by e.id
      limit ${limit}`.execute(this.db);
    return r.rows.map((row) => this.#item(row));
  }

  #item(row: Row): OutboxItem {
    const eventId = Number(row.event_id);
    if (row.status === 'inbound') {
      return {
        kind: 'inbound',
        eventId,
        inboundId: row.message_id,
        from: row.i_from ?? '',
        to: row.i_to ?? '',
        // Sealed like message bodies, bound to the inbound row's id (store/inbound.ts).
        text: row.i_text === null ? '' : this.cipher.open(row.i_text, row.i_key, row.message_id),
        receivedAt: Number(row.received_at ?? row.event_at),
      };
    }
    return {
      kind: 'receipt',
      eventId,
      messageId: row.message_id,
      status: row.status,
      to: row.m_to ?? '',
      sourceAddr: row.source_addr,
      receiptWanted: Number(row.receipt_wanted ?? 0),
      parts: row.source_parts === null ? null : Number(row.source_parts),
      errorCode: row.error_code,
      errorDetail: row.error_detail,
      createdAt: Number(row.m_created ?? row.event_at),
      doneAt: Number(row.done_at ?? row.event_at),
      text:
        row.m_text === null ? '' : this.cipher.open(row.m_text, row.text_key_id, row.message_id),
      ...(row.cmpp_ids != null ? { cmppMsgIds: row.cmpp_ids.split(',') } : {}),
    };
  }
}
