// What a tenant hears about, as webhooks and on the live stream: one envelope per event.
// message_events rows are the source: status 'inbound' is an inbound (MO) message assigned to
// the tenant; every other status is a change of one of the tenant's messages.
import { money, type Money } from '../billing/money.ts';
import { categoriseErrorCode, type CategoryRule } from '../failure-category.ts';
import { isFinal } from '../message/status.ts';

export const EVENT_TYPES = ['message.status', 'inbound.received'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
/** Sent only by POST /v1/webhooks/{id}/test. */
export type DeliveredEventType = EventType | 'webhook.test';

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

/** The status a message_events row carries for an inbound message (agreed with inbound routing). */
export const INBOUND_EVENT_STATUS = 'inbound';

export function eventTypeOf(status: string): EventType {
  return status === INBOUND_EVENT_STATUS ? 'inbound.received' : 'message.status';
}

/** The body of a webhook POST, and the `data:` of a stream event. */
export interface EventEnvelope {
  id: string;
  type: DeliveredEventType;
  createdAt: string;
  data: Record<string, unknown>;
}

/** Event ids on the wire: the message_events id, prefixed so it reads as an id. */
export function eventIdOf(seq: number): string {
  return `evt_${seq}`;
}

/** The message as it was when the event was read (only `status` is the event's own). */
export interface MessageSnapshot {
  id: string;
  batchId: string;
  clientRef: string | null;
  to: string;
  parts: number;
  encoding: string;
  class: string;
  channelId: string | null;
  /** Minor units, in the tenant's currency. */
  price: number;
  amount: number;
  charged: number;
  currency: string;
  errorCode: string | null;
  errorDetail: string | null;
  submittedAt: number | null;
  doneAt: number | null;
}

export interface InboundSnapshot {
  id: string;
  from: string;
  to: string;
  text: string;
  receivedAt: number;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * message.status data: the same fields as GET /v1/messages/{id} shows, named the same way. The
 * error is shown with a failure status only: a `queued` event read after the message failed is
 * still the news that it was queued.
 */
export function messageStatusData(
  status: string,
  m: MessageSnapshot,
  rules?: readonly CategoryRule[],
): Record<string, unknown> {
  const failed = isFinal(status) && status !== 'delivered';
  return {
    messageId: m.id,
    batchId: m.batchId,
    clientRef: m.clientRef,
    to: m.to,
    status,
    parts: m.parts,
    encoding: m.encoding,
    class: m.class,
    channel: m.channelId,
    price: money(m.amount, m.currency) satisfies Money,
    pricePerPart: money(m.price, m.currency),
    charged: money(m.charged, m.currency),
    error:
      failed && m.errorCode
        ? {
            code: m.errorCode,
            detail: m.errorDetail,
            category: categoriseErrorCode(m.errorCode, rules),
          }
        : null,
    submittedAt: iso(m.submittedAt),
    doneAt: iso(m.doneAt),
  };
}

export function inboundData(i: InboundSnapshot): Record<string, unknown> {
  return { id: i.id, from: i.from, to: i.to, text: i.text, receivedAt: iso(i.receivedAt) };
}

export function envelope(
  id: string,
  type: DeliveredEventType,
  createdAt: number,
  data: Record<string, unknown>,
): EventEnvelope {
  return { id, type, createdAt: new Date(createdAt).toISOString(), data };
}
