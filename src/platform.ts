// The composition root: config → store → simulator → channels → roles, wired by hand.
// A node runs only the roles it is given (HONGYAN_ROLES); with no configuration, all of them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Database } from './store/schema.ts';
import { LedgerStore, post } from './store/ledger.ts';
import { PricePlanStore } from './store/price-plans.ts';
import { Notifier } from './services/notify.ts';
import { generateDueStatements } from './services/statements.ts';
import { StatementStore } from './store/statements.ts';
import { ContractStore } from './store/contracts.ts';
import { runContracts } from './services/contracts.ts';
import { ComplianceStore } from './store/compliance.ts';
import { IncidentStore } from './store/incidents.ts';
import { SettingsStore } from './store/settings.ts';
import { backfillCategories } from './services/backfill-categories.ts';
import type { Route } from './core/routing/routes.ts';
import { ComplianceService } from './services/compliance.ts';
import { InboundHandler } from './services/handle-inbound.ts';
import { ExtensionCodes } from './services/extension-codes.ts';
import { InboundStore } from './store/inbound.ts';
import { checkLowBalances } from './services/low-balance.ts';
import { mailAnnouncements } from './services/announcements.ts';
import { AnnouncementStore } from './store/announcements.ts';
import { acceptMessages } from './services/accept-messages.ts';
import { loginPolicyOf } from './services/log-in.ts';
import type { Tenant } from './store/tenants.ts';

export const OPERATOR_TENANT_ID = 'ten_operator';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { migrate, openStore, type Store } from './store/db.ts';
import { MessageStore, type StatusChange } from './store/messages.ts';
import { ReceiptStore } from './store/receipts.ts';
import { TenantStore } from './store/tenants.ts';
import { UserStore } from './store/users.ts';
import { AuditStore } from './store/audit.ts';
import { keyringCipher, loadKeyring, plaintextCipher } from './security/body-cipher.ts';
import { applyDueTerminations } from './services/accounts.ts';
import { parseAmount } from './core/billing/money.ts';
import type { ChannelDriver } from './channels/channel.ts';
import { SmppChannel } from './channels/smpp-channel.ts';
import { CmppChannel } from './channels/cmpp-channel.ts';
import { ChannelManager } from './services/channel-manager.ts';
import { ChannelStore } from './store/channels.ts';
import { Dispatcher } from './services/dispatch-messages.ts';
import { ReceiptRecorder } from './services/record-receipts.ts';
import { Sweeper } from './services/sweep-messages.ts';
import { Scheduler } from './services/scheduler.ts';
import { ScheduledJobStore } from './store/scheduled-jobs.ts';
import { systemClock, type Clock } from './core/schedule.ts';
import { buildHttpServer } from './servers/http/app.ts';
import { CONSOLE_DIST } from './console/build.ts';
import { ensureDemoConsole, type DemoConsole } from './services/demo-console.ts';
import type { Access } from './servers/http/auth.ts';
import { SmscSimulator } from './simulator/smsc.ts';
import { SmppServer } from './servers/smpp/server.ts';
import { CmppServer } from './servers/cmpp/server.ts';
import { gatewayCodeOf } from './servers/cmpp/msg-id.ts';
import { ensureDemoSmpp, type DemoSmpp } from './servers/smpp/demo-account.ts';
import { SmppAccountStore } from './store/smpp-accounts.ts';
import { SmppOutboxStore } from './store/smpp-outbox.ts';
import { EventFeed } from './store/event-feed.ts';
import { WebhookStore } from './store/webhooks.ts';
import { WebhookDeliveryStore } from './store/webhook-deliveries.ts';
import { EventHorizon } from './services/event-horizon.ts';
import { WebhookSender } from './services/webhook-sender.ts';
import { EgressPolicy } from './net/egress-policy.ts';
import { SendLimiter } from './services/send-limits.ts';
import { WebhookWorker } from './services/webhooks.ts';

export interface Platform {
  config: Config;
  store: Store;
  httpPort: number | null;
  simulatorPort: number | null;
  /** The demo tenant; `created` on the start that made it (its key is printed on that start only). */
  demo: { tenantId: string; apiKey: string | null; keyFile: string; created: boolean } | null;
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
  jobs: {
    checkLowBalances(): Promise<string[]>;
    generateStatements(now?: number): Promise<number>;
    runContracts(now?: number): Promise<{ reminded: number; renewed: number; fees: number }>;
    expireReviews(now?: number): Promise<number>;
    expireQueued(now?: number): Promise<StatusChange[]>;
    /** Incomplete long inbound messages stored as partial; interrupted opt-out handling redone. */
    sweepInbound(now?: number): Promise<{ expired: number; retried: number }>;
    /** Announcements' emails to the tenants' owners, each once (services/announcements.ts). */
    mailAnnouncements(
      now?: number,
    ): Promise<{ listed: number; sent: number; skipped: number; failed: number; retry: number }>;
  };
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
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        log.error({ err }, 'error while stopping');
      }
    }
  };
  try {
    const has = (r: string) => config.roles.includes(r as never);
    // One login policy for HTTP, SMPP and CMPP (docs/security.md, "Lock-outs and throttling").
    const loginPolicy = loginPolicyOf(config.login);
    const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    stops.push(() => store.close());
    const applied = await migrate(store);
    if (applied.length > 0) log.info({ applied, dialect: store.dialect }, 'database migrated');

    const tenants = new TenantStore(store.db);
    const { keyring, source } = loadKeyring(config.security.encryptionKeys, {
      dataDir: config.dataDir,
      embedded: store.dialect === 'sqlite',
    });
    const cipher = keyring ? keyringCipher(keyring) : plaintextCipher;
    if (keyring)
      log.info({ keyId: keyring.currentKeyId, source }, 'message bodies are encrypted at rest');
    else
      log.warn(
        'no encryption keys configured (HONGYAN_ENCRYPTION_KEYS): message bodies are stored in clear',
      );
    const messages = new MessageStore(store.db, store.dialect, cipher);
    // A large acceptance cut short by a stop or crash: publish what it committed (store/messages.ts).
    const republished = await messages.publishStaged();
    if (republished > 0)
      log.warn({ messages: republished }, 'published messages a stopped acceptance had committed');
    // Webhooks and the live stream read message_events up to this process's event horizon.
    const eventFeed = new EventFeed(store.db, cipher, (id) => channelManager.categoryRules(id));
    const webhookEndpoints = new WebhookStore(store.db, cipher);
    const webhookDeliveries = new WebhookDeliveryStore(store.db, store.dialect, cipher);
    const eventHorizon = new EventHorizon(eventFeed, {
      start: () => webhookDeliveries.cursor(),
      waitMs: config.webhooks.gapWaitMs,
      minIntervalMs: Math.min(config.webhooks.pollMs, config.stream.pollMs) / 2,
    });
    // Where webhooks and callbackUrls may go: public addresses, plus what the operator allows.
    const egressPolicy = new EgressPolicy(config.webhooks.allowedTargets);
    const webhookSender = new WebhookSender({
      timeoutMs: config.webhooks.timeoutMs,
      policy: egressPolicy,
      log: log.child({ role: 'webhooks' }),
    });
    stops.push(async () => webhookSender.close());
    const receipts = new ReceiptStore(store.db, store.dialect);
    const users = new UserStore(store.db, cipher);
    const prices = new PricePlanStore(store.db);
    const ledger = new LedgerStore(store.db, store.dialect);
    // Tenants without a plan of their own pay the default price per part, everywhere.
    if (!(await prices.hasDefault()))
      await prices.set(
        null,
        [{ price: parseAmount(config.billing.defaultPrice) }],
        config.billing.currency,
      );
    const audit = new AuditStore(store.db);
    const operator = await ensureOperatorTenant(store.db, tenants, prices);
    const contracts = new ContractStore(store.db);
    const incidents = new IncidentStore(store.db);
    // The routing table: read at start, refreshed every 30 s (another node may have changed it).
    const settings = new SettingsStore(store.db);
    let routingTable = await settings.get<Route[]>('routes');
    const routesRefresh = setInterval(() => {
      settings.get<Route[]>('routes').then(
        (r) => (routingTable = r),
        (err: unknown) => log.error({ err }, 'reading routes failed'),
      );
    }, 30_000);
    routesRefresh.unref();
    stops.push(async () => clearInterval(routesRefresh));
    const complianceStore = new ComplianceStore(store.db);
    const compliance = new ComplianceService(store.db, complianceStore, config.compliance);
    await compliance.seedRules();
    if ((await complianceStore.signatures(operator.id, 'approved')).length === 0) {
      // The operator's own notices are signed with its name.
      const sig = await complianceStore.addSignature(
        operator.id,
        config.notifications.smsSignature,
        'operator',
      );
      await complianceStore.decide('signatures', sig.id, 'approved', 'the operator itself', null);
      await complianceStore.setDefaultSignature(operator.id, sig.id);
    }
    const acceptDeps = {
      messages,
      prices,
      contracts,
      ...(config.compliance.enabled ? { compliance } : {}),
      utcOffsetMinutes: config.billing.statementUtcOffsetMinutes,
      defaultRegion: config.defaultRegion,
      maxRecipients: config.messages.maxRecipients,
      maxParts: config.messages.maxParts,
      callbackPolicy: egressPolicy,
      // Per tenant, in messages, on every sending path (services/send-limits.ts).
      limiter: new SendLimiter(tenants, {
        perSecond: config.limits.messagesPerSecond,
        burst: config.limits.messagesBurst,
        inFlight: config.limits.messagesInFlight,
      }),
    };
    // The operator's own notices go out as SMS through the platform itself.
    const sendSms = async (to: string, text: string) => {
      const out = await acceptMessages(acceptDeps, operator, {
        to,
        text: `【${config.notifications.smsSignature}】${text}`,
        class: 'notification',
      });
      return out.body.messages[0]?.id ?? '';
    };
    const notifier = new Notifier(
      store.db,
      config.notifications.smtp,
      sendSms,
      log.child({ role: 'notify' }),
    );
    stops.push(async () => notifier.close());
    const statementDeps = {
      statements: new StatementStore(store.db),
      utcOffsetMinutes: config.billing.statementUtcOffsetMinutes,
    };
    // Inbound messages: tenants' extension codes (in memory for the dispatcher), keywords.
    const inboundStore = new InboundStore(store.db, store.dialect, cipher);
    const extensionCodes = new ExtensionCodes(inboundStore, {
      exclude: [operator.id],
      log: log.child({ role: 'inbound' }),
    });
    stops.push(async () => extensionCodes.stop());
    let inboundHandler: InboundHandler | null = null;
    const jobs = {
      sweepInbound: (now?: number) =>
        inboundHandler?.sweep(now) ?? Promise.resolve({ expired: 0, retried: 0 }),
      checkLowBalances: () => checkLowBalances(store.db, notifier),
      mailAnnouncements: (now: number = clock.now()) =>
        mailAnnouncements(
          new AnnouncementStore(store.db),
          notifier,
          {
            utcOffsetMinutes: config.billing.statementUtcOffsetMinutes,
            leaseMs: 10 * 60_000,
            retryMs: 5 * 60_000,
            perRun: 1000,
          },
          now,
          clock,
        ),
      generateStatements: (now?: number) => generateDueStatements(statementDeps, now),
      expireReviews: (now?: number) => compliance.expireReviews(messages, now),
      expireQueued: (now: number = Date.now()) => {
        const h = config.messages.validityHours;
        return messages.expireQueued(
          {
            verification: h.verification * 3600_000,
            notification: h.notification * 3600_000,
            marketing: h.marketing * 3600_000,
          },
          now,
        );
      },
      runContracts: (now?: number) =>
        runContracts(
          {
            db: store.db,
            contracts,
            tenants,
            audit,
            utcOffsetMinutes: config.billing.statementUtcOffsetMinutes,
          },
          notifier,
          now,
        ),
    };
    const demo = config.demo.enabled
      ? await ensureDemoTenant(store.db, tenants, config, log)
      : null;
    if (demo && (await complianceStore.signatures(demo.tenantId)).length === 0) {
      // The demo account can send Chinese-style messages at once: 【鸿雁】 is approved for it.
      const sig = await complianceStore.addSignature(demo.tenantId, '鸿雁', 'demo');
      await complianceStore.decide('signatures', sig.id, 'approved', 'demo account', null);
      await complianceStore.setDefaultSignature(demo.tenantId, sig.id);
    }
    // The demo's console logins exist only where the demo tenant itself was made by this platform
    // (its key file is there): an install that upgrades with the demo on gains no admin it never
    // asked for; see ensureDemoConsole.
    const demoConsole =
      demo && config.demo.consoleUsers
        ? await ensureDemoConsole(
            { db: store.db, tenants, users, audit },
            { tenantId: demo.tenantId, dataDir: config.dataDir, create: demo.created },
          )
        : null;
    // Every tenant (the demo one too) has its extension code before anything is sent.
    await extensionCodes.start();
    const onChanges = (_changes: StatusChange[]) => {};

    let simulator: SmscSimulator | null = null;
    let simulatorPort: number | null = null;
    if (has('simulator')) {
      simulator = new SmscSimulator({
        host: config.simulator.host,
        port: config.simulator.port,
        receiptDelayMs: config.simulator.receiptDelayMs,
        // It keeps the receipts it owes on disk, as a carrier does: a crash loses none of them.
        stateFile: config.simulator.stateFile ?? join(config.dataDir, 'smpp-simulator.journal'),
        receiptMaxAgeMs: config.simulator.receiptMaxAgeSeconds * 1000,
        logger: log.child({ role: 'simulator' }),
      });
      simulatorPort = (await simulator.start()).port;
      stops.push(() => simulator!.stop());
      log.info({ port: simulatorPort }, 'carrier simulator listening (SMPP)');
    }

    // Channels are data: the config file's are applied to the database, the API and CLI change them.
    const channelStore = new ChannelStore(store.db, cipher);
    const fromFile = await channelStore.applyFile(config.channels, Date.now());
    if (fromFile.length > 0)
      log.info({ channels: fromFile }, 'channels from the config file applied');
    let dispatcher: Dispatcher | null = null;
    let recorder: ReceiptRecorder | null = null;
    // Inbound handling: the dispatcher's receipts and MO, and the worker's inbound sweep job.
    if (has('dispatcher') || has('worker')) {
      inboundHandler = new InboundHandler({
        store: inboundStore,
        compliance,
        defaultRegion: config.defaultRegion,
        log: log.child({ role: 'inbound' }),
        // One confirmation, from the operator's account (free): the number no longer hears from the tenant.
        confirm: async (to: string, tenantName: string) => {
          await sendSms(to, `您已退订 ${tenantName} 的短信，将不再收到其营销和通知短信。`);
        },
        // The channel a reply came in on says which service number to strip (docs/inbound.md).
        serviceNumbers: (channelId): { own: string | null; all: string[] } => {
          const all = channelManager.configs();
          return {
            own: all.find((c) => c.id === channelId)?.sourceAddr ?? null,
            all: all.map((c) => c.sourceAddr),
          };
        },
        notRepliedTo: [operator.id],
      });
    }
    if (has('dispatcher') && inboundHandler) {
      recorder = new ReceiptRecorder(
        receipts,
        log.child({ role: 'receipts' }),
        onChanges,
        inboundHandler,
      );
    }
    const rec = recorder;
    const channelLog = log.child({ role: 'channel' });
    const channelManager = new ChannelManager({
      store: channelStore,
      incidents,
      node: config.nodeId,
      log: channelLog,
      makeDriver: rec
        ? (cfg, events) => {
            if (cfg.kind === 'cmpp') return new CmppChannel(cfg, events, channelLog);
            // Port 0 of the simulator kind means "the embedded simulator, wherever it listens".
            const port = cfg.port === 0 ? (simulatorPort ?? config.simulator.port) : cfg.port;
            return new SmppChannel({ ...cfg, port }, events, channelLog);
          }
        : null,
      events: (channelId) => ({
        onReceipt: (r, ack) => rec!.receipt(channelId, r, ack),
        onInbound: (m, ack) => rec!.inbound(channelId, m, ack),
      }),
    });
    await channelManager.start();
    stops.push(async () => {
      await channelManager.stop();
      await recorder?.flush();
    });
    if (has('dispatcher')) {
      dispatcher = new Dispatcher(
        messages,
        () => channelManager.drivers(),
        {
          node: config.nodeId,
          batchSize: config.dispatcher.batchSize,
          idleMs: config.dispatcher.idleMs,
          leaseMs: config.dispatcher.leaseSeconds * 1000,
          maxParts: config.messages.maxParts,
          maxAttempts: config.messages.maxSubmitAttempts,
          routes: () => routingTable,
          utcOffsetMinutes: config.billing.statementUtcOffsetMinutes,
          onChanges,
          onFailover: (from, to) => channelManager.noteFailover(from, to),
          extensionOf: (tenantId) => extensionCodes.extensionOf(tenantId),
        },
        log.child({ role: 'dispatcher' }),
      );
      await dispatcher.start();
      stops.push(() => dispatcher!.stop());
    }

    let scheduler: Scheduler | null = null;
    if (has('worker')) {
      const sweeper = new Sweeper(
        receipts,
        {
          receiptTimeoutMs: config.messages.receiptTimeoutSeconds * 1000,
          orphanAfterMs: 10 * 60_000,
          expireQueued: jobs.expireQueued,
        },
        log.child({ role: 'worker' }),
        onChanges,
      );
      stops.push(async () => sweeper.stop());
      const w = config.webhooks;
      const webhookWorker = new WebhookWorker(
        {
          feed: eventFeed,
          deliveries: webhookDeliveries,
          endpoints: webhookEndpoints,
          horizon: eventHorizon,
          sender: webhookSender,
          log: log.child({ role: 'webhooks' }),
        },
        {
          node: config.nodeId,
          retry: {
            baseMs: w.backoffBaseMs,
            maxMs: w.backoffMaxMs,
            maxAgeMs: w.maxAgeHours * 3600_000,
          },
          perEndpoint: w.perEndpoint,
          perTenant: w.perTenant,
          global: w.global,
          leaseMs: w.leaseSeconds * 1000,
          timeoutMs: w.timeoutMs,
          pollMs: w.pollMs,
          retentionMs: w.retentionDays * 24 * 3600_000,
          pruneEveryMs: 3600_000,
        },
      );
      await webhookWorker.start();
      stops.push(() => webhookWorker.stop());
      // Every periodic job of the platform, once per cluster (docs/architecture.md, "Periodic
      // jobs"). Each is idempotent: a run repeated after a crash or a lost claim changes nothing.
      scheduler = new Scheduler(
        new ScheduledJobStore(store.db),
        {
          node: config.nodeId,
          clock,
          tickMs: options.schedulerTickMs ?? 1000,
          leaseMs: 10 * 60_000,
          retryMs: 60_000,
        },
        log.child({ role: 'scheduler' }),
      );
      const MINUTE = 60_000;
      const HOUR = 60 * MINUTE;
      // Reminders 30 and 7 days ahead, auto-renewal once the end date is over, monthly fees.
      scheduler.add({ name: 'contracts', periodMs: HOUR, run: (now) => jobs.runContracts(now) });
      // Statements for the month that ended: looked for hourly, made once (on the 1st in practice).
      scheduler.add({
        name: 'statements',
        periodMs: HOUR,
        run: async (now) => ({ made: await jobs.generateStatements(now) }),
      });
      scheduler.add({
        name: 'low-balance',
        periodMs: config.notifications.checkSeconds * 1000,
        run: async () => ({ alerted: (await jobs.checkLowBalances()).length }),
      });
      // Tenants' own termination requests take effect when due (at most 24 h after asking).
      scheduler.add({
        name: 'terminations',
        periodMs: MINUTE,
        run: async (now) => ({
          terminated: (await applyDueTerminations({ db: store.db, tenants, users, audit }, now))
            .length,
        }),
      });
      // Held batches nobody reviewed in time are refused (their holds released).
      scheduler.add({
        name: 'review-expiry',
        periodMs: MINUTE,
        run: async (now) => ({ expired: await jobs.expireReviews(now) }),
      });
      // Announcements' emails to the owners of the tenants addressed, each sent once.
      scheduler.add({
        name: 'announcements',
        periodMs: 30_000,
        run: (now) => jobs.mailAnnouncements(now),
      });
      // Overdue submitted parts → unknown, stale queued → expired, unmatched receipts → orphan.
      scheduler.add({ name: 'message-sweep', periodMs: 30_000, run: (now) => sweeper.sweep(now) });
      // Incomplete long inbound messages stored as partial; interrupted opt-out handling redone.
      scheduler.add({
        name: 'inbound-sweep',
        periodMs: 30_000,
        run: (now) => jobs.sweepInbound(now),
      });
      // Messages from before migration 023 gain their failure category, 5,000 ids a run.
      scheduler.add({
        name: 'backfill-categories',
        periodMs: 5_000,
        run: () => backfillCategories({ db: store.db, dialect: store.dialect, settings }),
      });
      await scheduler.start();
      const started = scheduler;
      stops.push(() => started.stop());
    }

    let smppServer: SmppServer | null = null;
    let cmppServer: CmppServer | null = null;
    const routes: Platform['routes'] = [];
    let http: FastifyInstance | null = null;
    let httpPort: number | null = null;
    if (has('api')) {
      http = await buildHttpServer({
        log,
        routes,
        consoleDir: config.http.console ? CONSOLE_DIST : null,
        db: store.db,
        dialect: store.dialect,
        notifier,
        smppAccounts: new SmppAccountStore(store.db, cipher),
        // Read at request time: the SMPP and CMPP servers start after the HTTP server.
        listeners: () => ({ smppPort, cmppPort }),
        users,
        audit,
        ledger,
        prices,
        statementUtcOffsetMinutes: config.billing.statementUtcOffsetMinutes,
        clock,
        compliance: { store: complianceStore, compliance },
        routing: {
          current: () => routingTable,
          replace: async (r: Route[]) => {
            await settings.set('routes', r);
            routingTable = r;
          },
          channels: () =>
            channelManager.configs().map((c) => ({
              id: c.id,
              up:
                channelManager
                  .drivers()
                  .find((d) => d.id === c.id)
                  ?.state() === 'bound',
            })),
          defaultRegion: config.defaultRegion,
          utcOffsetMinutes: config.billing.statementUtcOffsetMinutes,
        },
        channels: {
          store: channelStore,
          status: () => channelManager.status(),
          reload: () => channelManager.reload(),
          routes: () => routingTable,
        },
        categoryRules: (id) => channelManager.categoryRules(id),
        inbound: {
          store: inboundStore,
          extensions: extensionCodes,
          serviceNumbers: () =>
            channelManager
              .configs()
              .filter((c) => c.enabled && c.use !== 'test')
              .map((c) => c.sourceAddr),
          optOutKeywords: config.compliance.optOutKeywords,
          defaultRegion: config.defaultRegion,
        },
        webhooks: {
          endpoints: webhookEndpoints,
          deliveries: webhookDeliveries,
          sender: webhookSender,
          node: config.nodeId,
          policy: egressPolicy,
          timeoutMs: config.webhooks.timeoutMs,
        },
        events: {
          feed: eventFeed,
          horizon: eventHorizon,
          maxPerTenant: config.stream.maxPerTenant,
          heartbeatMs: config.stream.heartbeatSeconds * 1000,
          pollMs: config.stream.pollMs,
        },
        limits: config.limits,
        loginPolicy,
        secureCookies: config.http.secureCookies,
        bodyLimitBytes: config.http.bodyLimitBytes,
        tenants,
        messages,
        defaultRegion: config.defaultRegion,
        accept: acceptDeps,
        onAccepted: () => dispatcher?.nudge(),
        // A tenant that may no longer send loses its live binds at once (other nodes: within 2 s).
        onTenantStatus: (tenantId, status) => {
          if (status !== 'active') smppServer?.kickTenant(tenantId, `tenant ${status}`);
          if (status !== 'active') cmppServer?.kickTenant(tenantId, `tenant ${status}`);
        },
        health: async () => {
          const parts: Record<string, string> = {};
          let ok = true;
          try {
            await sql`select 1`.execute(store.db);
            parts.database = 'up';
          } catch {
            parts.database = 'down';
            ok = false;
          }
          if (simulator) parts.simulator = 'up';
          for (const c of channelManager.status()) {
            parts[`channel:${c.id}`] = c.pausedUntil ? 'paused' : c.state;
            if (c.state !== 'bound' && c.state !== 'disabled') ok = false;
          }
          if (has('dispatcher')) parts.dispatcher = dispatcher ? 'running' : 'down';
          return { ok, parts };
        },
      });
      await http.listen({ host: config.http.host, port: config.http.port });
      const addr = http.server.address();
      httpPort = typeof addr === 'object' && addr ? addr.port : config.http.port;
      // Stop taking requests first.
      stops.push(() => http!.close());
      log.info(
        {
          url: `http://${config.http.host}:${httpPort}`,
          docs: `http://${config.http.host}:${httpPort}/docs`,
        },
        'HTTP API listening',
      );
    }

    // The SMPP server tenants bind to: started last, so it is stopped first.
    let smppPort: number | null = null;
    let demoSmpp: DemoSmpp | null = null;
    let cmppPort: number | null = null;
    if (has('api')) {
      const smppAccounts = new SmppAccountStore(store.db, cipher);
      smppServer = new SmppServer({
        host: config.smpp.host,
        port: config.smpp.port,
        accounts: smppAccounts,
        tenants,
        outbox: new SmppOutboxStore(store.db, cipher),
        accept: acceptDeps,
        onAccepted: () => dispatcher?.nudge(),
        horizon: eventHorizon,
        throttle: loginPolicy.throttle,
        log: log.child({ role: 'smpp' }),
      });
      smppPort = (await smppServer.start()).port;
      stops.push(() => smppServer!.stop());
      // The CMPP server beside it (docs/cmpp.md): started after it, so stopped before it.
      cmppServer = new CmppServer({
        host: config.cmpp.host,
        port: config.cmpp.port,
        accounts: smppAccounts,
        tenants,
        outbox: new SmppOutboxStore(store.db, cipher, 'cmpp'),
        accept: acceptDeps,
        onAccepted: () => dispatcher?.nudge(),
        horizon: eventHorizon,
        gatewayCode: gatewayCodeOf(config.nodeId),
        throttle: loginPolicy.throttle,
        log: log.child({ role: 'cmpp' }),
      });
      cmppPort = (await cmppServer.start()).port;
      stops.push(() => cmppServer!.stop());
      if (demo)
        demoSmpp = await ensureDemoSmpp(smppAccounts, {
          tenantId: demo.tenantId,
          dataDir: config.dataDir,
          host: config.smpp.host,
          port: smppPort,
          cmppPort,
        });
    }

    // Stop in the reverse order of start: SMPP, HTTP, dispatcher, channels, simulator, store.
    return {
      config,
      store,
      jobs,
      scheduler,
      clock,
      routes,
      httpPort,
      simulatorPort,
      demo,
      demoConsole,
      dispatcher,
      channelManager,
      get channels() {
        return channelManager.drivers();
      },
      simulator,
      smpp: smppServer,
      smppPort,
      demoSmpp,
      cmpp: cmppServer,
      cmppPort,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The operator's own account: sends the platform's notices; its messages cost nothing. */
async function ensureOperatorTenant(
  db: Kysely<Database>,
  tenants: TenantStore,
  prices: PricePlanStore,
): Promise<Tenant> {
  const existing = await tenants.find(OPERATOR_TENANT_ID);
  if (existing) return existing;
  const tenant = await db
    .transaction()
    .execute((trx) =>
      tenants.create(
        { id: OPERATOR_TENANT_ID, name: 'Operator (platform notices)', currency: 'CNY' },
        trx,
      ),
    );
  await prices.set(tenant.id, [{ price: 0 }], 'CNY');
  return tenant;
}

/** The demo tenant is created once; its key is shown on that start and kept in the data dir. */
async function ensureDemoTenant(
  db: Kysely<Database>,
  tenants: TenantStore,
  config: Config,
  log: Logger,
): Promise<Platform['demo']> {
  const keyFile = join(config.dataDir, 'demo-api-key.txt');
  const existing = await tenants.findByName('Demo');
  if (existing) {
    const apiKey = existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : null;
    return { tenantId: existing.id, apiKey, keyFile, created: false };
  }
  // One transaction: a crash never leaves a demo tenant without its key or its balance.
  const { tenant, key } = await db.transaction().execute(async (trx) => {
    const tenant = await tenants.create({ name: 'Demo', currency: 'CNY' }, trx);
    const { key } = await tenants.createApiKey(
      tenant.id,
      'demo',
      // The demo key can do everything a tenant's own key can: send, read, webhooks and keys.
      { scopes: ['send', 'read', 'manage'] },
      trx,
    );
    const opening = parseAmount(config.demo.openingBalance);
    await post(
      trx,
      {
        tenantId: tenant.id,
        currency: 'CNY',
        kind: 'recharge',
        amount: opening,
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
