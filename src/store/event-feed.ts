// message_events as a feed of tenant events: ids for the event horizon, and events shaped as
// the envelopes webhooks and the live stream send (core/webhooks/events.ts).
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { CategoryRule } from '../core/failure-category.ts';
import type { BodyCipher } from '../security/body-cipher.ts';
import {
  envelope,
  eventIdOf,
  eventTypeOf,
  inboundData,
  messageStatusData,
  type EventEnvelope,
  type EventType,
  type InboundSnapshot,
  type MessageSnapshot,
} from '../core/webhooks/events.ts';

/** Committed message_events ids above `after`, ascending: what an event horizon advances over. */
export async function eventIdsAfter(
  db: Kysely<Database>,
  after: number,
  limit: number,
): Promise<number[]> {
  const rows = await db
    .selectFrom('message_events')
    .select('id')
    .where('id', '>', after)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => Number(r.id));
}

export interface EventRow {
  id: number;
  message_id: string;
  tenant_id: string;
  status: string;
  created_at: number;
}

export interface FeedEvent {
  seq: number;
  tenantId: string;
  type: EventType;
  envelope: EventEnvelope;
  /** The message_events status (`inbound` for an inbound message). */
  status: string;
}

/** Per-channel failure-category rules, when a channel has its own. */
export type CategoryRulesOf = (channelId: string | null) => readonly CategoryRule[] | undefined;

export class EventFeed {
  constructor(
    private readonly db: Kysely<Database>,
    /** Opens inbound bodies, sealed at rest like message bodies. */
    private readonly cipher: BodyCipher,
    private readonly rulesOf?: CategoryRulesOf,
  ) {}

  /** Committed event ids above `after`, ascending (the event horizon reads these). */
  idsAfter(after: number, limit: number): Promise<number[]> {
    return eventIdsAfter(this.db, after, limit);
  }

  /** One tenant's events in (after, upTo], oldest first, and the last id read. */
  async tenantEvents(
    tenantId: string,
    after: number,
    upTo: number,
    limit: number,
  ): Promise<{ events: FeedEvent[]; last: number; full: boolean }> {
    const rows = await this.db
      .selectFrom('message_events')
      .select(['id', 'message_id', 'tenant_id', 'status', 'created_at'])
      .where('tenant_id', '=', tenantId)
      .where('id', '>', after)
      .where('id', '<=', upTo)
      .orderBy('id')
      .limit(limit)
      .execute();
    return {
      events: await this.shape(this.db, rows),
      last: rows.length > 0 ? Number(rows[rows.length - 1]!.id) : after,
      full: rows.length === limit,
    };
  }

  /**
   * Envelopes for event rows, read through `db` (a transaction, for the fan-out). Events whose
   * message or inbound row is gone (pruned) are left out.
   */
  async shape(db: Kysely<Database>, rows: readonly EventRow[]): Promise<FeedEvent[]> {
    if (rows.length === 0) return [];
    const messageIds = rows.filter((r) => eventTypeOf(r.status) === 'message.status');
    const inboundIds = rows.filter((r) => eventTypeOf(r.status) === 'inbound.received');
    const messages =
      messageIds.length === 0
        ? []
        : await db
            .selectFrom('messages')
            .innerJoin('tenants', 'tenants.id', 'messages.tenant_id')
            .select([
              'messages.id',
              'messages.batch_id',
              'messages.client_ref',
              'messages.to',
              'messages.parts_count',
              'messages.encoding',
              'messages.class',
              'messages.channel_id',
              'messages.price',
              'messages.amount',
              'messages.charged',
              'messages.error_code',
              'messages.error_detail',
              'messages.submitted_at',
              'messages.done_at',
              'tenants.currency',
            ])
            .where('messages.id', 'in', [...new Set(messageIds.map((r) => r.message_id))])
            .execute();
    const inbound =
      inboundIds.length === 0
        ? []
        : await db
            .selectFrom('inbound_messages')
            .select(['id', 'from', 'to', 'text', 'text_key_id', 'received_at'])
            .where('id', 'in', [...new Set(inboundIds.map((r) => r.message_id))])
            .execute();
    const snapshots = new Map(
      messages.map((m): [string, MessageSnapshot] => [
        m.id,
        {
          id: m.id,
          batchId: m.batch_id,
          clientRef: m.client_ref,
          to: m.to,
          parts: Number(m.parts_count),
          encoding: m.encoding,
          class: m.class,
          channelId: m.channel_id,
          price: Number(m.price),
          amount: Number(m.amount),
          charged: Number(m.charged),
          currency: m.currency,
          errorCode: m.error_code,
          errorDetail: m.error_detail,
          submittedAt: m.submitted_at === null ? null : Number(m.submitted_at),
          doneAt: m.done_at === null ? null : Number(m.done_at),
        },
      ]),
    );
    const inbounds = new Map(
      inbound.map((i): [string, InboundSnapshot] => [
        i.id,
        {
          id: i.id,
          from: i.from,
          to: i.to,
          text: this.cipher.open(i.text, i.text_key_id, i.id),
          receivedAt: Number(i.received_at),
        },
      ]),
    );
    const out: FeedEvent[] = [];
    for (const r of rows) {
      const seq = Number(r.id);
      const type = eventTypeOf(r.status);
      let data: Record<string, unknown> | null = null;
      if (type === 'message.status') {
        const m = snapshots.get(r.message_id);
        if (m) data = messageStatusData(r.status, m, this.rulesOf?.(m.channelId));
      } else {
        const i = inbounds.get(r.message_id);
        if (i) data = inboundData(i);
      }
      if (!data) continue;
      out.push({
        seq,
        tenantId: r.tenant_id,
        type,
        envelope: envelope(eventIdOf(seq), type, Number(r.created_at), data),
        status: r.status,
      });
    }
    return out;
  }
}
