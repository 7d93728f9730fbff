// Every area's catalog, one namespace each (t('billing:…')). A new area adds one line here.
import type { Catalog } from '../define.ts';
import common from './common.ts';
import auth from './auth.ts';
import dashboard from './dashboard.ts';
import send from './send.ts';
import messages from './messages.ts';
import monitor from './monitor.ts';
import compliance from './compliance.ts';
import inbound from './inbound.ts';
import billing from './billing.ts';
import developer from './developer.ts';
import account from './account.ts';
import opTenants from './opTenants.ts';
import opReview from './opReview.ts';
import opAnnouncements from './opAnnouncements.ts';
import opAudit from './opAudit.ts';
import opSystem from './opSystem.ts';
import opChannels from './opChannels.ts';
import opRules from './opRules.ts';

export const catalogs: Record<string, Catalog> = {
  common,
  auth,
  dashboard,
  send,
  messages,
  monitor,
  compliance,
  inbound,
  billing,
  developer,
  account,
  opTenants,
  opReview,
  opAnnouncements,
  opAudit,
  opSystem,
  opChannels,
  opRules,
};
