// The HTTP transport: Fastify, OpenAPI at /docs, API-key auth on /v1, problem+json errors.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from '../../logger.ts';
import cookie from '@fastify/cookie';
import type { TenantStore } from '../../store/tenants.ts';
import type { UserStore } from '../../store/users.ts';
import type { AuditStore } from '../../store/audit.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { LoginPolicy } from '../../services/log-in.ts';
import type { Clock } from '../../core/schedule.ts';
import { registerAuth, type Access, type RateLimits } from './auth.ts';
import { accountRoutes } from './account.ts';
import { adminRoutes } from './admin.ts';
import { smppAccountRoutes, type Listeners } from './smpp-accounts.ts';
import { billingRoutes } from './billing.ts';
import { statementRoutes } from './statements.ts';
import { contractRoutes } from './contracts.ts';
import { complianceRoutes } from './compliance.ts';
import { routingRoutes, type RoutingDeps } from './routes.ts';
import type { ComplianceService } from '../../services/compliance.ts';
import type { ComplianceStore } from '../../store/compliance.ts';
import { ContractStore } from '../../store/contracts.ts';
import { StatementStore } from '../../store/statements.ts';
import type { LedgerStore } from '../../store/ledger.ts';
import type { PricePlanStore } from '../../store/price-plans.ts';
import { SmppAccountStore } from '../../store/smpp-accounts.ts';
import type { AcceptDeps } from '../../services/accept-messages.ts';
import type { MessageStore } from '../../store/messages.ts';
import { errorHandler, problem, sendProblem } from './problem.ts';
import { registerConsole, wantsConsole, type IndexHandler } from './console.ts';
import { refuseUnknownFields } from './closed-schemas.ts';
import { messageRoutes, type CategoryRulesOf } from './messages.ts';
import { messageExportRoutes } from './message-export.ts';
import { statsRoutes } from './stats.ts';
import { channelRoutes, type ChannelAdminDeps } from './channels.ts';
import { webhookRoutes } from './webhooks.ts';
import { eventStreamRoutes, type EventStreamDeps } from './events-stream.ts';
import { inboundRoutes, type InboundHttpDeps } from './inbound.ts';
import { jobRoutes } from './jobs.ts';
import { adminOverviewRoutes } from './admin-overview.ts';
import { blockListRoutes } from './block-list.ts';
import { ScheduledJobStore } from '../../store/scheduled-jobs.ts';
import type { WebhookAdminDeps } from '../../services/webhook-endpoints.ts';
import { announcementRoutes } from './announcements.ts';
import { rechargeRequestRoutes } from './recharge-requests.ts';
import { AnnouncementStore } from '../../store/announcements.ts';
import { RechargeRequestStore } from '../../store/recharge-requests.ts';
import { TenantDirectory } from '../../store/tenant-directory.ts';
import type { Dialect } from '../../store/db.ts';
import type { Notifier } from '../../services/notify.ts';

export interface HealthReport {
  ok: boolean;
  parts: Record<string, string>;
}

export interface HttpDeps {
  log: Logger;
  bodyLimitBytes: number;
  db: Kysely<Database>;
  dialect: Dialect;
  /** Tells tenants of decisions on their recharge requests (email and SMS to the contact). */
  notifier?: Notifier;
  /** SMPP accounts with the body cipher (their CMPP secret is sealed); default: a plain store. */
  smppAccounts?: SmppAccountStore;
  /** The SMPP and CMPP ports this node listens on, once they are started (GET /v1/connect-info). */
  listeners?: () => Listeners;
  tenants: TenantStore;
  users: UserStore;
  audit: AuditStore;
  ledger: LedgerStore;
  prices: PricePlanStore;
  statementUtcOffsetMinutes: number;
  /** What the dashboards' short caches go by (services/dashboard-figures.ts); default: the system's. */
  clock?: Clock;
  compliance?: { store: ComplianceStore; compliance: ComplianceService };
  routing?: Omit<RoutingDeps, 'audit'>;
  channels?: Omit<ChannelAdminDeps, 'audit'>;
  /** Per-channel failure-category rules, for the messages' error view. */
  categoryRules?: CategoryRulesOf;
  /** Webhook endpoints and deliveries (/v1/webhooks), the live stream (/v1/events/stream). */
  webhooks?: WebhookAdminDeps;
  events?: EventStreamDeps;
  /** Inbound messages, extension codes and keywords (/v1/inbound, /v1/admin/inbound). */
  inbound?: InboundHttpDeps;
  messages: MessageStore;
  limits: RateLimits;
  /** Filled with every /v1 route and the access it needs (the isolation test walks them). */
  routes: Array<{ method: string; url: string; access: Access }>;
  loginPolicy: LoginPolicy;
  secureCookies: boolean;
  accept: AcceptDeps;
  defaultRegion: string;
  health(): Promise<HealthReport>;
  /** The built web console to serve at `/` (null: API only). */
  consoleDir?: string | null;
  onAccepted(): void;
  /** A tenant's status changed (transports drop the binds of one that may no longer send). */
  onTenantStatus?(tenantId: string, status: string): void;
}

export async function buildHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log.child({ role: 'api' }) as FastifyBaseLogger,
    // One log line per event we care about, not two per request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimitBytes,
    // Bodies are validated as sent: no silent type coercion, no silent dropping of unknown fields.
    // `discriminator`: a tagged union (a route's target) is checked against the branch its tag
    // names, so an unknown field in it is named, not lost among every branch's errors.
    ajv: {
      customOptions: {
        coerceTypes: false,
        removeAdditional: false,
        allErrors: false,
        discriminator: true,
      },
    },
  });
  // Before any route: every /v1 body and query string refuses what it does not declare.
  refuseUnknownFields(app);
  app.setErrorHandler(errorHandler);
  let consoleIndex: IndexHandler | null = null;
  app.setNotFoundHandler((req, reply) =>
    consoleIndex && wantsConsole(req)
      ? consoleIndex(req, reply)
      : sendProblem(reply, problem('not_found', `no route ${req.method} ${req.url.split('?')[0]}`)),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Hongyan SMS API',
        version: '1',
        description:
          'Send SMS, follow delivery. Errors are application/problem+json with a stable `code`.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: hy_live_…' },
        },
      },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // The OpenAPI 3.1 document, generated from the route schemas (also at /docs/json).
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  await app.register(cookie);
  if (deps.consoleDir) consoleIndex = await registerConsole(app, deps.consoleDir);
  registerAuth(app, {
    tenants: deps.tenants,
    users: deps.users,
    limits: deps.limits,
    routes: deps.routes,
  });

  app.get(
    '/health',
    { config: { access: 'public' }, schema: { hide: true } },
    async (_req, reply) => {
      const report = await deps.health();
      return reply
        .code(report.ok ? 200 : 503)
        .send({ status: report.ok ? 'ok' : 'degraded', parts: report.parts });
    },
  );

  messageRoutes(app, {
    accept: deps.accept,
    messages: deps.messages,
    audit: deps.audit,
    defaultRegion: deps.defaultRegion,
    onAccepted: deps.onAccepted,
    ...(deps.categoryRules ? { categoryRules: deps.categoryRules } : {}),
    ledger: deps.ledger,
  });
  messageExportRoutes(app, {
    messages: deps.messages,
    audit: deps.audit,
    defaultRegion: deps.defaultRegion,
    ...(deps.categoryRules ? { categoryRules: deps.categoryRules } : {}),
  });
  statsRoutes(app, {
    db: deps.db,
    utcOffsetMinutes: deps.statementUtcOffsetMinutes,
    clock: deps.clock,
  });
  const accountDeps = { db: deps.db, tenants: deps.tenants, users: deps.users, audit: deps.audit };
  accountRoutes(app, {
    ...accountDeps,
    loginPolicy: deps.loginPolicy,
    secureCookies: deps.secureCookies,
  });
  adminRoutes(app, {
    ...accountDeps,
    messages: deps.messages,
    directory: new TenantDirectory(deps.db, deps.dialect),
    ...(deps.onTenantStatus ? { onTenantStatus: deps.onTenantStatus } : {}),
    ...(deps.accept.limiter ? { sendLimiter: deps.accept.limiter } : {}),
  });
  billingRoutes(app, {
    db: deps.db,
    ledger: deps.ledger,
    prices: deps.prices,
    tenants: deps.tenants,
    audit: deps.audit,
  });
  announcementRoutes(app, {
    db: deps.db,
    announcements: new AnnouncementStore(deps.db),
    audit: deps.audit,
  });
  rechargeRequestRoutes(app, {
    db: deps.db,
    requests: new RechargeRequestStore(deps.db),
    ledger: deps.ledger,
    tenants: deps.tenants,
    audit: deps.audit,
    log: deps.log,
    ...(deps.notifier ? { notifier: deps.notifier } : {}),
  });
  statementRoutes(app, {
    statements: new StatementStore(deps.db),
    utcOffsetMinutes: deps.statementUtcOffsetMinutes,
    tenants: deps.tenants,
    audit: deps.audit,
  });
  contractRoutes(app, {
    db: deps.db,
    contracts: new ContractStore(deps.db),
    tenants: deps.tenants,
    audit: deps.audit,
    utcOffsetMinutes: deps.statementUtcOffsetMinutes,
  });
  if (deps.compliance)
    complianceRoutes(app, {
      ...deps.compliance,
      db: deps.db,
      audit: deps.audit,
      messages: deps.messages,
      defaultRegion: deps.defaultRegion,
    });
  if (deps.routing) routingRoutes(app, { ...deps.routing, audit: deps.audit });
  if (deps.channels) channelRoutes(app, { ...deps.channels, audit: deps.audit });
  if (deps.webhooks) webhookRoutes(app, { ...deps.webhooks, audit: deps.audit });
  if (deps.events) eventStreamRoutes(app, deps.events);
  if (deps.inbound)
    inboundRoutes(app, { ...deps.inbound, audit: deps.audit, tenants: deps.tenants });
  jobRoutes(app, { jobs: new ScheduledJobStore(deps.db) });
  adminOverviewRoutes(app, {
    db: deps.db,
    utcOffsetMinutes: deps.statementUtcOffsetMinutes,
    clock: deps.clock,
  });
  if (deps.compliance)
    blockListRoutes(app, { db: deps.db, audit: deps.audit, defaultRegion: deps.defaultRegion });
  smppAccountRoutes(app, {
    smppAccounts: deps.smppAccounts ?? new SmppAccountStore(deps.db),
    audit: deps.audit,
    ...(deps.listeners ? { listeners: deps.listeners } : {}),
  });
  return app;
}
