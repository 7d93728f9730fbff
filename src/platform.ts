// The composition root: open and migrate the store, build every repository once, write what a
// start writes (services/bootstrap.ts), then start the roles this node runs (HONGYAN_ROLES; with
// no configuration, all of them), each loaded only when it runs: simulator → dispatcher (channels)
// → worker (the scheduler) → api (HTTP, then the SMPP and CMPP servers). They stop in reverse.
import { sql } from 'kysely';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { systemClock, type Clock } from './core/schedule.ts';
import { keyringCipher, loadKeyring, plaintextCipher } from './security/body-cipher.ts';
import { migrate, openStore, type Store } from './store/db.ts';
import { createStores } from './store/stores.ts';
import { bootstrap, type DemoTenant } from './services/bootstrap.ts';
import type { ChannelDriver } from './channels/channel.ts';
import type { ChannelManager } from './services/channel-manager.ts';
import { ComplianceService } from './services/compliance.ts';
import type { DemoConsole } from './services/demo-console.ts';
import type { DemoSmpp } from './services/demo-smpp.ts';
import type { Dispatcher } from './services/dispatch-messages.ts';
import type { Scheduler } from './services/scheduler.ts';
import type { Access } from './servers/http/auth.ts';
import type { HealthReport } from './servers/http/app.ts';
import type { SmppServer } from './servers/smpp/server.ts';
import type { CmppServer } from './servers/cmpp/server.ts';
import type { SmscSimulator } from './simulator/smsc.ts';
import { channelHealth, channelManagerOf } from './roles/channels.ts';
import { platformJobs, type PlatformJobs } from './roles/jobs.ts';
import { openNode } from './roles/node.ts';
import { Stops, type HealthPart, type RoleContext } from './roles/role.ts';
import type { TenantServers } from './roles/tenant-servers.ts';

export { OPERATOR_TENANT_ID } from './services/bootstrap.ts';

export interface Platform {
  config: Config;
  store: Store;
  httpPort: number | null;
  simulatorPort: number | null;
  /** The demo tenant; `created` on the start that made it (its key is printed on that start only). */
  demo: DemoTenant | null;
  /** The demo's console logins (a tenant owner and an operator admin), printed on the first start. */
  demoConsole: DemoConsole | null;
  dispatcher: Dispatcher | null;
  /** The channels now: configs, drivers, status. */
  channelManager: ChannelManager;
  readonly channels: ChannelDriver[];
  simulator: SmscSimulator | null;
  /** The SMPP server tenants bind to (api role), its port, and the demo tenant's credentials. */
  smpp: SmppServer | null;
  smppPort: number | null;
  demoSmpp: DemoSmpp | null;
  /** The CMPP server tenants connect to as SPs (api role) and its port (docs/cmpp.md). */
  cmpp: CmppServer | null;
  cmppPort: number | null;
  /** Worker jobs, callable directly (tests, operators). */
  jobs: PlatformJobs;
  /** The periodic jobs (worker role): the one place they are scheduled, once per cluster. */
  scheduler: Scheduler | null;
  /** The clock the scheduler and its jobs go by. */
  clock: Clock;
  /** The API's routes and the access each needs. */
  routes: Array<{ method: string; url: string; access: Access }>;
  stop(): Promise<void>;
}

/** What is not configuration: the clock (tests move a fake one), and how often it is asked. */
export interface PlatformOptions {
  clock?: Clock;
  /** How often the scheduler asks the clock whether a job is due (default 1 s). */
  schedulerTickMs?: number;
}

export async function startPlatform(
  config: Config,
  log: Logger,
  options: PlatformOptions = {},
): Promise<Platform> {
  const clock = options.clock ?? systemClock;
  const stops = new Stops(log);
  try {
    const has = (r: string) => config.roles.includes(r as never);
    const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    stops.push(() => store.close());
    const applied = await migrate(store);
    if (applied.length > 0) log.info({ applied, dialect: store.dialect }, 'database migrated');
    // The channel manager is built from the stores; the event feed and inbound handling ask it
    // for channels' rules and service numbers once it exists.
    let channels: ChannelManager | null = null;
    const stores = createStores(store, openCipher(config, store, log), {
      categoryRules: (id) => channels?.categoryRules(id),
    });
    const compliance = new ComplianceService(store.db, stores.compliance, config.compliance);
    const { operator, demo, demoConsole } = await bootstrap({
      db: store.db,
      stores,
      compliance,
      config,
      log,
    });
    const node = await openNode({
      config,
      log,
      clock,
      store,
      stores,
      compliance,
      operator,
      channelConfigs: () => channels?.configs() ?? [],
    });
    stops.push(() => node.stop());
    const role: RoleContext = { node, onStop: (stop) => stops.push(stop) };
    const health: Array<() => HealthPart> = [];

    const simulator = has('simulator')
      ? await (await import('./roles/simulator.ts')).startSimulatorRole(role)
      : null;
    if (simulator) health.push(simulator.health);
    const dispatching = has('dispatcher')
      ? await (
          await import('./roles/dispatcher.ts')
        ).startDispatcherRole(role, simulator?.port ?? null)
      : null;
    const channelManager = dispatching?.channels ?? channelManagerOf(node);
    channels = channelManager;
    if (!dispatching) {
      await channelManager.start();
      stops.push(() => channelManager.stop());
    }
    health.push(() => channelHealth(channelManager));
    if (dispatching) health.push(dispatching.health);

    const jobs = platformJobs(node);
    const worker = has('worker')
      ? await (
          await import('./roles/worker.ts')
        ).startWorkerRole(role, jobs, {
          tickMs: options.schedulerTickMs ?? 1000,
        })
      : null;

    const routes: Platform['routes'] = [];
    const onAccepted = () => dispatching?.dispatcher.nudge();
    let servers: TenantServers | null = null;
    const api = has('api')
      ? await (
          await import('./roles/api.ts')
        ).startApiRole(role, {
          channels: channelManager,
          routes,
          onAccepted,
          tenantServers: () => servers,
          health: () => healthOf(store, health),
        })
      : null;
    if (has('api'))
      servers = await (
        await import('./roles/tenant-servers.ts')
      ).startTenantServers(role, {
        demo,
        onAccepted,
      });

    return {
      config,
      store,
      jobs,
      scheduler: worker?.scheduler ?? null,
      clock,
      routes,
      httpPort: api?.port ?? null,
      simulatorPort: simulator?.port ?? null,
      demo,
      demoConsole,
      dispatcher: dispatching?.dispatcher ?? null,
      channelManager,
      get channels() {
        return channelManager.drivers();
      },
      simulator: simulator?.simulator ?? null,
      smpp: servers?.smpp ?? null,
      smppPort: servers?.smppPort ?? null,
      demoSmpp: servers?.demoSmpp ?? null,
      cmpp: servers?.cmpp ?? null,
      cmppPort: servers?.cmppPort ?? null,
      stop: () => stops.run(),
    };
  } catch (err) {
    await stops.run();
    throw err;
  }
}

/** Message bodies (and other secrets) sealed at rest with the keyring, when there is one. */
function openCipher(config: Config, store: Store, log: Logger) {
  const { keyring, source } = loadKeyring(config.security.encryptionKeys, {
    dataDir: config.dataDir,
    embedded: store.dialect === 'sqlite',
  });
  if (!keyring) {
    log.warn(
      'no encryption keys configured (HONGYAN_ENCRYPTION_KEYS): message bodies are stored in clear',
    );
    return plaintextCipher;
  }
  log.info({ keyId: keyring.currentKeyId, source }, 'message bodies are encrypted at rest');
  return keyringCipher(keyring);
}

/** GET /health: the database, then what each role reports; unwell if any part is. */
async function healthOf(store: Store, roles: Array<() => HealthPart>): Promise<HealthReport> {
  const parts: Record<string, string> = {};
  let ok = true;
  try {
    await sql`select 1`.execute(store.db);
    parts.database = 'up';
  } catch {
    parts.database = 'down';
    ok = false;
  }
  for (const report of roles) {
    const r = report();
    Object.assign(parts, r.parts);
    ok &&= r.ok;
  }
  return { ok, parts };
}
