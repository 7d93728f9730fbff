// Tenants manage their webhook endpoints: create (the secret is shown once), change, rotate
// the secret, delete, send a test event now, and re-send a delivery.
import { DomainError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { envelope, type EventType } from '../../core/webhooks/events.ts';
import type { StatusSelector } from '../../core/webhooks/status-filter.ts';
import type { EgressPolicy } from '../../net/egress-policy.ts';
import { newWebhookSecret } from '../../security/webhook-signature.ts';
import type { DeliveryView, WebhookDeliveryStore } from '../../store/webhook-deliveries.ts';
import type { EndpointPatch, WebhookEndpoint, WebhookStore } from '../../store/webhooks.ts';
import { webhookHeaders, type WebhookSender } from './sender.ts';

/** Enough for every integration we know of; a tenant with more is probably looping. */
export const MAX_ENDPOINTS_PER_TENANT = 20;

export interface WebhookAdminDeps {
  endpoints: WebhookStore;
  deliveries: WebhookDeliveryStore;
  sender: WebhookSender;
  node: string;
  /** Where webhooks may go (webhooks.allowedTargets); the sender applies it again at send time. */
  policy: EgressPolicy;
  timeoutMs: number;
}

export interface EndpointInput {
  url: string;
  events?: EventType[];
  /** Which message.status events it wants (default all). */
  statuses?: StatusSelector[];
  enabled?: boolean;
  description?: string | null;
}

export async function createEndpoint(
  deps: WebhookAdminDeps,
  tenantId: string,
  input: EndpointInput,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const url = checkedUrl(deps.policy, input.url, 'url');
  if ((await deps.endpoints.count(tenantId)) >= MAX_ENDPOINTS_PER_TENANT)
    throw new DomainError(
      'conflict',
      `an account has at most ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints; delete one first`,
    );
  const secret = newWebhookSecret();
  const endpoint = await deps.endpoints.create(
    {
      id: newId('whk'),
      tenantId,
      url,
      events: uniqueEvents(input.events ?? ['message.status', 'inbound.received']),
      statuses: input.statuses ?? ['all'],
      enabled: input.enabled ?? true,
      description: input.description ?? null,
    },
    secret,
    Date.now(),
  );
  return { endpoint, secret };
}

export async function updateEndpoint(
  deps: WebhookAdminDeps,
  tenantId: string,
  id: string,
  patch: EndpointPatch,
): Promise<WebhookEndpoint> {
  const clean: EndpointPatch = { ...patch };
  if (patch.url !== undefined) clean.url = checkedUrl(deps.policy, patch.url, 'url');
  if (patch.events !== undefined) clean.events = uniqueEvents(patch.events);
  const updated = await deps.endpoints.update(tenantId, id, clean, Date.now());
  if (!updated) throw new DomainError('not_found', `no webhook ${id}`);
  return updated;
}

export async function rotateEndpointSecret(
  deps: WebhookAdminDeps,
  tenantId: string,
  id: string,
  keepPreviousHours: number,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const secret = newWebhookSecret();
  const endpoint = await deps.endpoints.rotateSecret(
    tenantId,
    id,
    secret,
    keepPreviousHours * 3_600_000,
    Date.now(),
  );
  if (!endpoint) throw new DomainError('not_found', `no webhook ${id}`);
  return { endpoint, secret };
}

export async function rotateCallbackSecret(
  deps: WebhookAdminDeps,
  tenantId: string,
  keepPreviousHours: number,
): Promise<string> {
  const secret = newWebhookSecret();
  await deps.endpoints.rotateCallbackSecret(
    tenantId,
    secret,
    keepPreviousHours * 3_600_000,
    Date.now(),
  );
  return secret;
}

/**
 * A `webhook.test` event to one endpoint, now, whatever its state: recorded as a delivery with
 * its one attempt (delivered, or dead — a test is not retried; re-send it to try again).
 */
export async function sendTestEvent(
  deps: WebhookAdminDeps,
  tenantId: string,
  endpointId: string,
): Promise<DeliveryView> {
  const now = Date.now();
  const endpoint = await deps.endpoints.get(tenantId, endpointId);
  if (!endpoint) throw new DomainError('not_found', `no webhook ${endpointId}`);
  const target = (await deps.endpoints.targets([endpointId], now)).get(endpointId);
  if (!target) throw new DomainError('not_found', `no webhook ${endpointId}`);
  const id = newId('dlv', now);
  const eventId = `evt_test_${id.slice(4)}`;
  const payload = JSON.stringify(
    envelope(eventId, 'webhook.test', now, {
      webhookId: endpointId,
      message: 'A test event from Hongyan: answer 2xx to acknowledge.',
    }),
  );
  // Claimed by this node for longer than the request can take: no worker sends it too.
  const leaseUntil = now + deps.timeoutMs + 60_000;
  const claimed = await deps.deliveries.insertClaimed(
    { id, tenantId, endpointId, eventId, eventType: 'webhook.test', payload },
    deps.node,
    leaseUntil,
    now,
  );
  const sentAt = Date.now();
  const result = await deps.sender.send(
    target.url,
    payload,
    webhookHeaders({ eventId, deliveryId: id, payload }, target.secrets, sentAt),
  );
  await deps.deliveries.settle(
    [
      {
        id: claimed.id,
        node: deps.node,
        leaseUntil,
        attempt: {
          at: sentAt,
          statusCode: result.statusCode,
          error: result.error,
          durationMs: result.durationMs,
        },
        status: result.ok ? 'delivered' : 'dead',
        nextAttemptAt: Date.now(),
      },
    ],
    Date.now(),
  );
  return (await deps.deliveries.get(tenantId, id))!;
}

export async function resendDelivery(
  deps: WebhookAdminDeps,
  tenantId: string,
  deliveryId: string,
): Promise<DeliveryView> {
  const was = await deps.deliveries.resend(tenantId, deliveryId, Date.now());
  if (was === null) throw new DomainError('not_found', `no delivery ${deliveryId}`);
  if (was !== 'dead' && was !== 'delivered')
    throw new DomainError(
      'invalid_transition',
      `delivery ${deliveryId} is ${was}: it is still being tried; only dead or delivered ones are re-sent`,
    );
  return (await deps.deliveries.get(tenantId, deliveryId))!;
}

/**
 * A URL a tenant gives (an endpoint's, or a message's callbackUrl): `invalid_url` when it is not
 * a usable http(s) URL, `target_not_allowed` when it names a host the egress policy refuses.
 */
export function checkedUrl(policy: EgressPolicy, url: string, field: string): string {
  const c = policy.checkUrl(url);
  if (!c.ok)
    throw new DomainError(
      c.reason === 'invalid' ? 'invalid_url' : 'target_not_allowed',
      field === 'url' ? c.detail : `${field}: ${c.detail}`,
      { field },
    );
  return c.url;
}

function uniqueEvents(events: EventType[]): EventType[] {
  const out = [...new Set(events)];
  if (out.length === 0)
    throw new DomainError('invalid_request', 'subscribe to at least one event type', {
      field: 'events',
    });
  return out;
}
