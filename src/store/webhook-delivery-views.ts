// Webhook deliveries as a tenant sees them (GET /v1/webhooks/…/deliveries): each with its
// attempts, and the payload when one delivery is read.
import type { Kysely } from 'kysely';
import type { Database, WebhookDeliveryTable } from './schema.ts';
import type { BodyCipher } from '../security/body-cipher.ts';

/** One attempt as a tenant may see it: when, the status code, our words for a failure, how long. */
export interface AttemptRecord {
  at: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface DeliveryView {
  id: string;
  webhookId: string | null;
  callbackUrl: string | null;
  eventId: number | null;
  eventType: string;
  status: string;
  attempts: number;
  nextAttemptAt: number | null;
  createdAt: number;
  queuedAt: number;
  deliveredAt: number | null;
  lastStatusCode: number | null;
  lastError: string | null;
  attemptLog: AttemptRecord[];
  payload?: unknown;
}

/** Views of delivery rows, each with its attempts (oldest first). */
export async function withAttempts(
  db: Kysely<Database>,
  cipher: BodyCipher,
  rows: WebhookDeliveryTable[],
  payload: boolean,
): Promise<DeliveryView[]> {
  const ids = rows.map((r) => r.id);
  const attempts =
    ids.length === 0
      ? []
      : await db
          .selectFrom('webhook_attempts')
          .selectAll()
          .where('delivery_id', 'in', ids)
          .orderBy('id')
          .execute();
  const byDelivery = new Map<string, AttemptRecord[]>();
  for (const a of attempts)
    byDelivery.set(a.delivery_id, [
      ...(byDelivery.get(a.delivery_id) ?? []),
      {
        at: Number(a.at),
        statusCode: a.status_code === null ? null : Number(a.status_code),
        error: a.error,
        durationMs: Number(a.duration_ms),
      },
    ]);
  return rows.map((r) => ({
    id: r.id,
    webhookId: r.endpoint_id,
    callbackUrl: r.callback_url,
    eventId: r.event_id === null ? null : Number(r.event_id),
    eventType: r.event_type,
    status: r.status,
    attempts: Number(r.attempts),
    nextAttemptAt:
      r.status === 'pending' || r.status === 'failed' ? Number(r.next_attempt_at) : null,
    createdAt: Number(r.created_at),
    queuedAt: Number(r.queued_at),
    deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
    lastStatusCode: r.last_status_code === null ? null : Number(r.last_status_code),
    lastError: r.last_error,
    attemptLog: byDelivery.get(r.id) ?? [],
    ...(payload
      ? {
          payload: JSON.parse(cipher.open(r.payload, r.payload_key_id, r.id)) as unknown,
        }
      : {}),
  }));
}
