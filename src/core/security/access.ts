// Who may do what. Tenant users and API keys act inside one tenant; operator staff act on the
// platform. A route names one permission; roles and key scopes grant sets of them.

export const TENANT_ROLES = ['owner', 'developer', 'sender', 'viewer'] as const;
export const OPERATOR_ROLES = ['admin', 'reviewer', 'finance', 'support'] as const;
export const KEY_SCOPES = ['send', 'read', 'manage'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];
export type OperatorRole = (typeof OPERATOR_ROLES)[number];
export type KeyScope = (typeof KEY_SCOPES)[number];

export type Permission =
  | 'messages.send'
  | 'messages.read'
  | 'account.read'
  | 'account.manage'
  | 'keys.manage'
  | 'smpp.manage'
  | 'users.manage'
  | 'audit.read'
  | 'admin.tenants.read'
  | 'admin.tenants.status'
  | 'admin.users.manage'
  | 'admin.audit.read'
  | 'admin.messages.read'
  | 'admin.messages.bodies'
  | 'admin.billing'
  | 'admin.channels'
  | 'admin.announcements'
  | 'compliance.manage'
  | 'admin.compliance';

const tenantRoles: Record<TenantRole, readonly Permission[]> = {
  owner: [
    'messages.send',
    'messages.read',
    'account.read',
    'account.manage',
    'keys.manage',
    'smpp.manage',
    'users.manage',
    'audit.read',
    'compliance.manage',
  ],
  developer: [
    'messages.send',
    'messages.read',
    'account.read',
    'keys.manage',
    'smpp.manage',
    'compliance.manage',
  ],
  sender: ['messages.send', 'messages.read', 'account.read'],
  viewer: ['messages.read', 'account.read'],
};

const operatorRoles: Record<OperatorRole, readonly Permission[]> = {
  admin: [
    'admin.tenants.read',
    'admin.tenants.status',
    'admin.users.manage',
    'admin.audit.read',
    'admin.messages.read',
    'admin.messages.bodies',
    'admin.billing',
    'admin.channels',
    'admin.compliance',
    'admin.announcements',
  ],
  reviewer: [
    'admin.tenants.read',
    'admin.tenants.status',
    'admin.messages.read',
    'admin.messages.bodies',
    'admin.compliance',
  ],
  finance: ['admin.tenants.read', 'admin.billing'],
  // Support tells tenants about maintenance and changes (announcements).
  support: ['admin.tenants.read', 'admin.messages.read', 'admin.announcements'],
};

const keyScopes: Record<KeyScope, readonly Permission[]> = {
  send: ['messages.send'],
  read: ['messages.read', 'account.read'],
  manage: ['keys.manage', 'smpp.manage', 'account.read', 'compliance.manage'],
};

export function isTenantRole(v: string): v is TenantRole {
  return (TENANT_ROLES as readonly string[]).includes(v);
}
export function isOperatorRole(v: string): v is OperatorRole {
  return (OPERATOR_ROLES as readonly string[]).includes(v);
}
export function isKeyScope(v: string): v is KeyScope {
  return (KEY_SCOPES as readonly string[]).includes(v);
}

export function permissionsOfRole(role: string, operator: boolean): ReadonlySet<Permission> {
  if (operator) return new Set(isOperatorRole(role) ? operatorRoles[role] : []);
  return new Set(isTenantRole(role) ? tenantRoles[role] : []);
}

export function permissionsOfScopes(scopes: readonly string[]): ReadonlySet<Permission> {
  return new Set(scopes.filter(isKeyScope).flatMap((s) => keyScopes[s]));
}

/** Does `ip` fall in the allow-list (exact IPv4/IPv6 addresses or IPv4 CIDRs)? Empty = anyone. */
export function ipAllowed(ip: string, allow: readonly string[]): boolean {
  if (allow.length === 0) return true;
  const addr = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return allow.some((entry) => {
    const [net, bits] = entry.split('/');
    if (bits === undefined) return net === addr;
    const a = ipv4(addr);
    const n = ipv4(net ?? '');
    const b = Number(bits);
    if (a === null || n === null || !Number.isInteger(b) || b < 0 || b > 32) return false;
    const mask = b === 0 ? 0 : (~0 << (32 - b)) >>> 0;
    return (a & mask) >>> 0 === (n & mask) >>> 0;
  });
}

export function isValidAllowEntry(entry: string): boolean {
  const [net, bits] = entry.split('/');
  if (bits !== undefined)
    return ipv4(net ?? '') !== null && /^\d{1,2}$/.test(bits) && Number(bits) <= 32;
  return ipv4(entry) !== null || /^[0-9a-f:]+$/i.test(entry);
}

function ipv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/**
 * The address a client is counted under by login throttling: IPv4 (also IPv4-mapped IPv6) as
 * is; IPv6 by its /64, because one subscriber is routinely given a whole /64 (RFC 6177) and
 * could otherwise change address for every try.
 */
export function addressKey(ip: string): string {
  const bare = ip
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '')
    .toLowerCase();
  if (ipv4(bare) !== null) return bare;
  const groups = ipv6Groups(bare);
  if (!groups) return bare;
  // ::ffff:a.b.c.d is the IPv4 client of a dual-stack socket (RFC 4291 §2.5.5.2).
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

function ipv6Groups(s: string): number[] | null {
  if (!/^[0-9a-f:.]+$/.test(s) || !s.includes(':')) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (const [i, piece] of pieces.entries()) {
      // A trailing dotted quad is two groups (RFC 4291 §2.2, form 3).
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = ipv4(piece);
        if (v4 === null) return null;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9a-f]{1,4}$/.test(piece)) out.push(parseInt(piece, 16));
      else return null;
    }
    return out;
  };
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}
