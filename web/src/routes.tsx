// Every page of the console: where it lives, who may see it, its menu entry, and the module that
// draws it (loaded on first visit, so each page is its own chunk). Menus and route guards are
// both built from this list; the server still enforces every call.
import type { ComponentType } from 'react';

type Loader = () => Promise<{ default: ComponentType }>;

export interface ConsolePage {
  path: string;
  portal: 'tenant' | 'operator';
  /** Any one of these permissions shows the page (none: every signed-in user of the portal). */
  permission?: string | readonly string[];
  /** Menu entry: a common:nav.* key and the menu group; absent for detail pages. */
  nav?: { label: string; group?: string };
  load: Loader;
}

export const PAGES: ConsolePage[] = [
  // Tenant portal
  {
    path: '/',
    portal: 'tenant',
    nav: { label: 'dashboard' },
    permission: 'account.read',
    load: () => import('./pages/tenant/Dashboard.tsx'),
  },
  {
    path: '/send',
    portal: 'tenant',
    nav: { label: 'send' },
    permission: 'messages.send',
    load: () => import('./pages/tenant/Send.tsx'),
  },
  {
    path: '/messages',
    portal: 'tenant',
    nav: { label: 'messages' },
    permission: 'messages.read',
    load: () => import('./pages/tenant/Messages.tsx'),
  },
  {
    path: '/messages/:id',
    portal: 'tenant',
    permission: 'messages.read',
    load: () => import('./pages/tenant/MessageDetail.tsx'),
  },
  {
    path: '/monitor',
    portal: 'tenant',
    nav: { label: 'monitor' },
    permission: 'messages.read',
    load: () => import('./pages/tenant/Monitor.tsx'),
  },
  {
    path: '/signatures',
    portal: 'tenant',
    nav: { label: 'signatures', group: 'compliance' },
    permission: 'compliance.manage',
    load: () => import('./pages/tenant/Signatures.tsx'),
  },
  {
    path: '/templates',
    portal: 'tenant',
    nav: { label: 'templates', group: 'compliance' },
    permission: 'compliance.manage',
    load: () => import('./pages/tenant/Templates.tsx'),
  },
  {
    path: '/opt-outs',
    portal: 'tenant',
    nav: { label: 'optOuts', group: 'compliance' },
    permission: 'compliance.manage',
    load: () => import('./pages/tenant/OptOuts.tsx'),
  },
  {
    path: '/inbound',
    portal: 'tenant',
    nav: { label: 'inbound' },
    permission: 'messages.read',
    load: () => import('./pages/tenant/Inbound.tsx'),
  },
  {
    path: '/billing',
    portal: 'tenant',
    nav: { label: 'billing' },
    permission: 'account.read',
    load: () => import('./pages/tenant/Billing.tsx'),
  },
  {
    path: '/developer/keys',
    portal: 'tenant',
    nav: { label: 'apiKeys', group: 'developer' },
    permission: 'keys.manage',
    load: () => import('./pages/tenant/ApiKeys.tsx'),
  },
  {
    path: '/developer/smpp',
    portal: 'tenant',
    nav: { label: 'smppAccounts', group: 'developer' },
    permission: 'smpp.manage',
    load: () => import('./pages/tenant/SmppAccounts.tsx'),
  },
  {
    path: '/developer/webhooks',
    portal: 'tenant',
    nav: { label: 'webhooks', group: 'developer' },
    permission: 'keys.manage',
    load: () => import('./pages/tenant/Webhooks.tsx'),
  },
  {
    path: '/account',
    portal: 'tenant',
    nav: { label: 'account', group: 'account' },
    load: () => import('./pages/tenant/Account.tsx'),
  },
  {
    path: '/account/users',
    portal: 'tenant',
    nav: { label: 'users', group: 'account' },
    permission: 'users.manage',
    load: () => import('./pages/tenant/Users.tsx'),
  },
  {
    path: '/account/audit',
    portal: 'tenant',
    nav: { label: 'audit', group: 'account' },
    permission: 'audit.read',
    load: () => import('./pages/tenant/Audit.tsx'),
  },

  // Operator portal
  {
    path: '/admin',
    portal: 'operator',
    nav: { label: 'opOverview' },
    load: () => import('./pages/operator/Overview.tsx'),
  },
  {
    path: '/admin/tenants',
    portal: 'operator',
    nav: { label: 'opTenants', group: 'tenants' },
    permission: 'admin.tenants.read',
    load: () => import('./pages/operator/Tenants.tsx'),
  },
  {
    path: '/admin/tenants/:id',
    portal: 'operator',
    permission: 'admin.tenants.read',
    load: () => import('./pages/operator/TenantDetail.tsx'),
  },
  {
    path: '/admin/recharges',
    portal: 'operator',
    nav: { label: 'opRecharges', group: 'tenants' },
    permission: 'admin.billing',
    load: () => import('./pages/operator/RechargeRequests.tsx'),
  },
  {
    path: '/admin/reviews',
    portal: 'operator',
    nav: { label: 'opReviews', group: 'tenants' },
    permission: 'admin.compliance',
    load: () => import('./pages/operator/Reviews.tsx'),
  },
  {
    path: '/admin/announcements',
    portal: 'operator',
    nav: { label: 'opAnnouncements', group: 'tenants' },
    permission: 'admin.announcements',
    load: () => import('./pages/operator/Announcements.tsx'),
  },
  {
    path: '/admin/channels',
    portal: 'operator',
    nav: { label: 'opChannels', group: 'network' },
    permission: 'admin.channels',
    load: () => import('./pages/operator/Channels.tsx'),
  },
  {
    path: '/admin/routes',
    portal: 'operator',
    nav: { label: 'opRoutes', group: 'network' },
    permission: 'admin.channels',
    load: () => import('./pages/operator/Routes.tsx'),
  },
  {
    path: '/admin/incidents',
    portal: 'operator',
    nav: { label: 'opIncidents', group: 'network' },
    permission: 'admin.channels',
    load: () => import('./pages/operator/Incidents.tsx'),
  },
  {
    path: '/admin/rules',
    portal: 'operator',
    nav: { label: 'opRules', group: 'network' },
    permission: 'admin.compliance',
    load: () => import('./pages/operator/ContentRules.tsx'),
  },
  {
    path: '/admin/audit',
    portal: 'operator',
    nav: { label: 'opAudit', group: 'system' },
    permission: 'admin.audit.read',
    load: () => import('./pages/operator/Audit.tsx'),
  },
  {
    path: '/admin/staff',
    portal: 'operator',
    nav: { label: 'opStaff', group: 'system' },
    permission: 'admin.users.manage',
    load: () => import('./pages/operator/Staff.tsx'),
  },
];

export const NAV_GROUPS: Record<string, string> = {
  compliance: 'groupCompliance',
  developer: 'groupDeveloper',
  account: 'groupAccount',
  tenants: 'groupTenants',
  network: 'groupNetwork',
  system: 'groupSystem',
};

/** Where a portal's user lands after logging in. */
export function homeOf(portal: 'tenant' | 'operator'): string {
  return portal === 'tenant' ? '/' : '/admin';
}
