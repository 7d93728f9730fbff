// The operator API's shapes these pages read (src/servers/http/admin.ts, billing.ts, …).
import type { Money } from '../../../api/client.ts';

export { MESSAGE_CLASSES } from '@core/billing/rating.ts';

export const TENANT_STATUSES = ['pending', 'active', 'suspended', 'terminated'] as const;

export interface SendLimits {
  messagesPerSecond: number | null;
  messagesBurst: number | null;
  messagesInFlight: number | null;
  effective?: {
    messagesPerSecond: number;
    messagesBurst: number;
    messagesInFlight: number;
  } | null;
}

/** A row of GET /v1/admin/tenants. */
export interface TenantRow {
  id: string;
  name: string;
  status: string;
  currency: string;
  locale: string;
  creditCode: string | null;
  contactName: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  statusReason: string | null;
  terminateAt: string | null;
  chargeMode: string;
  createdAt: string;
  available: Money;
  held: Money;
}

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: string;
  status: string;
  tenantId: string | null;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  createdAt: string;
}

/** GET /v1/admin/tenants/:id. */
export interface TenantDetail extends Omit<TenantRow, 'available' | 'held'> {
  sendLimits: SendLimits;
  users: UserRow[];
}

/** An audit entry (GET /v1/admin/audit). */
export interface AuditRow {
  id: number;
  tenantId: string | null;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  ip: string | null;
  details?: Record<string, unknown>;
  createdAt: string;
}
