// What the account pages read from the API (src/servers/http/account.ts), as the wire carries it.
export interface AccountDetails {
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
}

export interface SessionRow {
  id: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string | null;
  expiresAt: string;
  current: boolean;
}

export interface TenantUser {
  id: string;
  email: string;
  name: string;
  role: string;
  status: string;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface AuditRow {
  id: number;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  ip: string | null;
  details?: Record<string, unknown>;
  createdAt: string;
}

export const TENANT_ROLES = ['owner', 'developer', 'sender', 'viewer'] as const;
