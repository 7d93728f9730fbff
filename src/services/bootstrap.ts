// What a start writes before any role runs, in one place: a cut-short acceptance published, the
// config file's channels applied, the default price plan, the operator's own tenant and
// signature, the sample content rules, and (when the demo is on) the demo tenant with its key,
// signature and console logins. Every step is idempotent: a later start finds what an earlier one
// made and changes nothing. The demo's SMPP/CMPP account is seeded by the tenant servers once
// they listen (its file records their ports): seedDemoSmpp below.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { parseAmount } from '../core/billing/money.ts';
import type { Database } from '../store/schema.ts';
import type { Stores } from '../store/stores.ts';
import type { Tenant } from '../store/tenants.ts';
import { post } from '../store/ledger.ts';
import type { ComplianceService } from './compliance.ts';
import { ensureDemoConsole, type DemoConsole } from './demo-console.ts';
import { ensureDemoSmpp, type DemoSmpp } from './demo-smpp.ts';

export const OPERATOR_TENANT_ID = 'ten_operator';

/** The demo tenant; `created` on the start that made it (its key is printed on that start only). */
export interface DemoTenant {
  tenantId: string;
  apiKey: string | null;
  keyFile: string;
  created: boolean;
}

export interface Bootstrapped {
  /** The operator's own account: sends the platform's notices; its messages cost nothing. */
  operator: Tenant;
  demo: DemoTenant | null;
  demoConsole: DemoConsole | null;
}

export interface BootstrapDeps {
  db: Kysely<Database>;
  stores: Stores;
  compliance: ComplianceService;
  config: Config;
  log: Logger;
}

export async function bootstrap(deps: BootstrapDeps): Promise<Bootstrapped> {
  const { stores, config, log } = deps;
  // A large acceptance cut short by a stop or crash: publish what it committed (store/messages.ts).
  const republished = await stores.messages.publishStaged();
  if (republished > 0)
    log.warn({ messages: republished }, 'published messages a stopped acceptance had committed');
  // Channels are data: the config file's are applied to the database, the API and CLI change them.
  const fromFile = await stores.channels.applyFile(config.channels, Date.now());
  if (fromFile.length > 0)
    log.info({ channels: fromFile }, 'channels from the config file applied');
  // Tenants without a plan of their own pay the default price per part, everywhere.
  if (!(await stores.prices.hasDefault()))
    await stores.prices.set(
      null,
      [{ price: parseAmount(config.billing.defaultPrice) }],
      config.billing.currency,
    );
  const operator = await ensureOperatorTenant(deps);
  await deps.compliance.seedRules();
  // The operator's own notices are signed with its name.
  await ensureSignature(deps, operator.id, config.notifications.smsSignature, {
    proofRef: 'operator',
    reason: 'the operator itself',
    unless: 'approved',
  });
  const demo = config.demo.enabled ? await ensureDemoTenant(deps) : null;
  // The demo account can send Chinese-style messages at once: 【鸿雁】 is approved for it.
  if (demo)
    await ensureSignature(deps, demo.tenantId, '鸿雁', {
      proofRef: 'demo',
      reason: 'demo account',
      unless: 'any',
    });
  // The demo's console logins exist only where the demo tenant itself was made by this platform
  // (its key file is there): an install that upgrades with the demo on gains no admin it never
  // asked for; see ensureDemoConsole.
  const demoConsole =
    demo && config.demo.consoleUsers
      ? await ensureDemoConsole(
          { db: deps.db, tenants: stores.tenants, users: stores.users, audit: stores.audit },
          { tenantId: demo.tenantId, dataDir: config.dataDir, create: demo.created },
        )
      : null;
  return { operator, demo, demoConsole };
}

/** The demo tenant's SMPP/CMPP account, written with the ports its servers listen on. */
export function seedDemoSmpp(
  stores: Stores,
  config: Config,
  demo: DemoTenant,
  ports: { smpp: number; cmpp: number },
): Promise<DemoSmpp | null> {
  return ensureDemoSmpp(stores.smppAccounts, {
    tenantId: demo.tenantId,
    dataDir: config.dataDir,
    host: config.smpp.host,
    port: ports.smpp,
    cmppPort: ports.cmpp,
  });
}

async function ensureOperatorTenant({ db, stores }: BootstrapDeps): Promise<Tenant> {
  const existing = await stores.tenants.find(OPERATOR_TENANT_ID);
  if (existing) return existing;
  const tenant = await db
    .transaction()
    .execute((trx) =>
      stores.tenants.create(
        { id: OPERATOR_TENANT_ID, name: 'Operator (platform notices)', currency: 'CNY' },
        trx,
      ),
    );
  await stores.prices.set(tenant.id, [{ price: 0 }], 'CNY');
  return tenant;
}

/** An approved default signature for a tenant with no signature (or none with `status`). */
async function ensureSignature(
  { stores }: BootstrapDeps,
  tenantId: string,
  text: string,
  how: { proofRef: string; reason: string; unless: 'any' | 'approved' },
): Promise<void> {
  const compliance = stores.compliance;
  const status = how.unless === 'approved' ? 'approved' : undefined;
  if ((await compliance.signatures(tenantId, status)).length > 0) return;
  const sig = await compliance.addSignature(tenantId, text, how.proofRef);
  await compliance.decide('signatures', sig.id, 'approved', how.reason, null);
  await compliance.setDefaultSignature(tenantId, sig.id);
}

/** The demo tenant is created once; its key is shown on that start and kept in the data dir. */
async function ensureDemoTenant({ db, stores, config, log }: BootstrapDeps): Promise<DemoTenant> {
  const keyFile = join(config.dataDir, 'demo-api-key.txt');
  const existing = await stores.tenants.findByName('Demo');
  if (existing) {
    const apiKey = existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : null;
    return { tenantId: existing.id, apiKey, keyFile, created: false };
  }
  // One transaction: a crash never leaves a demo tenant without its key or its balance.
  const { tenant, key } = await db.transaction().execute(async (trx) => {
    const tenant = await stores.tenants.create({ name: 'Demo', currency: 'CNY' }, trx);
    const { key } = await stores.tenants.createApiKey(
      tenant.id,
      'demo',
      // The demo key can do everything a tenant's own key can: send, read, webhooks and keys.
      { scopes: ['send', 'read', 'manage'] },
      trx,
    );
    await post(
      trx,
      {
        tenantId: tenant.id,
        currency: 'CNY',
        kind: 'recharge',
        amount: parseAmount(config.demo.openingBalance),
        reason: 'demo opening balance',
        externalRef: 'demo-opening',
      },
      Date.now(),
    );
    return { tenant, key };
  });
  writeFileSync(keyFile, key + '\n', { mode: 0o600 });
  log.info({ tenant: tenant.id, keyFile }, 'demo tenant created');
  return { tenantId: tenant.id, apiKey: key, keyFile, created: true };
}
