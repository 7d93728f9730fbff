// What the developer pages read from the API (src/servers/http/account.ts, smpp-accounts.ts,
// webhooks.ts), as the wire carries it.
export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  kind: 'live' | 'test';
  scopes: string[];
  ipAllow: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface SmppAccount {
  id: string;
  systemId: string;
  bindTypes: string[];
  maxBinds: number;
  throughput: number;
  createdAt: string;
  revokedAt: string | null;
  cmpp: boolean;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  statuses: string[];
  enabled: boolean;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryAttempt {
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface Delivery {
  id: string;
  webhookId: string | null;
  callbackUrl: string | null;
  eventId: string | null;
  eventType: string;
  status: 'pending' | 'failed' | 'delivered' | 'dead';
  nextAttemptAt: string | null;
  createdAt: string;
  queuedAt: string;
  deliveredAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  attempts: DeliveryAttempt[];
}

export const KEY_SCOPES = ['send', 'read', 'manage'] as const;
export const BIND_TYPES = ['transmitter', 'receiver', 'transceiver'] as const;
export const EVENT_TYPES = ['message.status', 'inbound.received'] as const;
/** The statuses a webhook may choose. */
export { STATUS_SELECTORS } from '@core/webhooks/status-filter.ts';
export const DELIVERY_STATUSES = ['pending', 'failed', 'delivered', 'dead'] as const;
