// Which targets receive an outbox event as a webhook: the webhook fan-out's whole rule, kept
// apart from the SQL that reads the candidates and writes the deliveries it chooses.
//   - Only the event's own tenant's endpoints, and only enabled ones.
//   - An endpoint receives the event types it subscribed to; for message.status, only the
//     statuses it chose (status-filter.ts: all, final, or a set — Kannel's dlr-mask in spirit).
//   - A message sent with a callbackUrl has its status events go there instead of to the
//     endpoints, filtered by its own status selection; a callback URL that is not a valid target
//     receives nothing. Callbacks to one origin are one target (they share one concurrency bound).
import { eventTypeOf, type EventType } from './events.ts';
import { wantsStatus } from './status-filter.ts';

/** An outbox event as the fan-out sees it, before it is shaped into an envelope. */
export interface RoutableEvent {
  tenantId: string;
  /** The message_events status (`inbound` for an inbound message). */
  status: string;
  /** The message's own callback URL and its stored status selection (null: none given). */
  callback: { url: string; statuses: string | null } | null;
}

/** A webhook endpoint that may receive events. */
export interface Subscription {
  id: string;
  tenantId: string;
  events: readonly string[];
  /** Stored status selection (status-filter.ts), null = all. */
  statuses: string | null;
  enabled: boolean;
}

/** Where one delivery goes. `target` groups deliveries under one concurrency bound. */
export interface Recipient {
  target: string;
  endpointId: string | null;
  callbackUrl: string | null;
}

/** The origin callbacks are grouped by, or null when the URL is no valid target. */
export type OriginOf = (url: string) => string | null;

/** `cb:<origin>`: callbacks to one origin share one concurrency bound. */
export function callbackTarget(origin: string): string {
  return `cb:${origin}`;
}

function subscribed(s: Subscription, type: EventType, status: string): boolean {
  return s.events.includes(type) && (type !== 'message.status' || wantsStatus(s.statuses, status));
}

/** The recipients of one event among `subscriptions` (any tenant's; others' are skipped). */
export function recipientsOf(
  event: RoutableEvent,
  subscriptions: readonly Subscription[],
  originOf: OriginOf,
): Recipient[] {
  const type = eventTypeOf(event.status);
  if (type === 'message.status' && event.callback) {
    if (!wantsStatus(event.callback.statuses, event.status)) return [];
    const origin = originOf(event.callback.url);
    return origin
      ? [{ target: callbackTarget(origin), endpointId: null, callbackUrl: event.callback.url }]
      : [];
  }
  const out: Recipient[] = [];
  for (const s of subscriptions)
    if (s.enabled && s.tenantId === event.tenantId && subscribed(s, type, event.status))
      out.push({ target: s.id, endpointId: s.id, callbackUrl: null });
  return out;
}

/**
 * A batch of events and their recipients, in the events' order; events nobody receives (most of
 * them, usually) are left out.
 */
export function routeEvents<E extends RoutableEvent>(
  events: readonly E[],
  subscriptions: readonly Subscription[],
  originOf: OriginOf,
): Array<{ event: E; recipients: Recipient[] }> {
  const byTenant = new Map<string, Subscription[]>();
  for (const s of subscriptions) {
    const list = byTenant.get(s.tenantId);
    if (list) list.push(s);
    else byTenant.set(s.tenantId, [s]);
  }
  const out: Array<{ event: E; recipients: Recipient[] }> = [];
  for (const event of events) {
    const recipients = recipientsOf(event, byTenant.get(event.tenantId) ?? [], originOf);
    if (recipients.length > 0) out.push({ event, recipients });
  }
  return out;
}
