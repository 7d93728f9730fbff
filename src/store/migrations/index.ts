import type { Kysely } from 'kysely';
import type { Dialect } from '../db.ts';
import * as m001 from './001-messages.ts';
import * as m002 from './002-accounts.ts';
import * as m003 from './003-billing.ts';
import * as m004 from './004-notifications.ts';
import * as m005 from './005-statements.ts';
import * as m006 from './006-contracts.ts';
import * as m007 from './007-compliance.ts';
import * as m008 from './008-incidents.ts';
import * as m009 from './009-settings.ts';
import * as m010 from './010-channel-configs.ts';
import * as m011 from './011-webhooks.ts';
import * as m012 from './012-smpp-server.ts';
import * as m013 from './013-inbound.ts';
import * as m014 from './014-cmpp-secret.ts';
import * as m015 from './015-webhook-statuses.ts';
import * as m016 from './016-send-limits.ts';
import * as m017 from './017-scheduled-jobs.ts';
import * as m018 from './018-tenant-locale.ts';
import * as m019 from './019-login-throttle.ts';
import * as m020 from './020-announcements.ts';
import * as m021 from './021-recharge-requests.ts';
import * as m022 from './022-user-locale.ts';
import * as m023 from './023-console-messages.ts';

export interface Migration {
  version: string;
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

/** In order; a migration, once released, never changes. */
export const migrations: Migration[] = [
  { version: '001-messages', up: m001.up },
  { version: '002-accounts', up: m002.up },
  { version: '003-billing', up: m003.up },
  { version: '004-notifications', up: m004.up },
  { version: '005-statements', up: m005.up },
  { version: '006-contracts', up: m006.up },
  { version: '007-compliance', up: m007.up },
  { version: '008-incidents', up: m008.up },
  { version: '009-settings', up: m009.up },
  { version: '010-channel-configs', up: m010.up },
  { version: '011-webhooks', up: m011.up },
  { version: '012-smpp-server', up: m012.up },
  { version: '013-inbound', up: m013.up },
  { version: '014-cmpp-secret', up: m014.up },
  { version: '015-webhook-statuses', up: m015.up },
  { version: '016-send-limits', up: m016.up },
  { version: '017-scheduled-jobs', up: m017.up },
  { version: '018-tenant-locale', up: m018.up },
  { version: '019-login-throttle', up: m019.up },
  { version: '020-announcements', up: m020.up },
  { version: '021-recharge-requests', up: m021.up },
  { version: '022-user-locale', up: m022.up },
  { version: '023-console-messages', up: m023.up },
];
