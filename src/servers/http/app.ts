// The HTTP transport: Fastify, OpenAPI at /docs, API-key auth on /v1, problem+json errors.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from '../../logger.ts';
import cookie from '@fastify/cookie';
import type { Kysely } from 'kysely';
import type { Database, Stores } from '../../services/repositories.ts';
import type { LoginPolicy } from '../../services/log-in.ts';
import type { Clock } from '../../core/schedule.ts';
import type { AcceptDeps } from '../../services/accept-messages.ts';
import type { ComplianceService } from '../../services/compliance.ts';
import type { Notifier } from '../../events/notifications.ts';
import type { WebhookAdminDeps } from '../../events/webhooks/endpoints.ts';
import { registerAuth, type Access, type RateLimits } from './auth.ts';
import { errorHandler, problem, sendProblem } from './problem.ts';
import { registerConsole, wantsConsole, type IndexHandler } from './console.ts';
import { refuseUnknownFields } from './closed-schemas.ts';
import { accountRoutes } from './account.ts';
import { loginRoutes } from './login.ts';
import { adminRoutes } from './admin.ts';
import { adminOverviewRoutes } from './admin-overview.ts';
import { announcementRoutes } from './announcements.ts';
import { billingRoutes } from './billing.ts';
import { blockListRoutes } from './block-list.ts';
import { channelRoutes, type ChannelAdminDeps } from './channels.ts';
import { complianceRoutes } from './compliance.ts';
import { complianceReviewRoutes } from './compliance-review.ts';
import { contractRoutes } from './contracts.ts';
import { eventStreamRoutes, type EventStreamDeps } from './events-stream.ts';
import { inboundRoutes, type InboundHttpDeps } from './inbound.ts';
import { jobRoutes } from './jobs.ts';
import { messageRoutes, type CategoryRulesOf } from './messages.ts';
import { messageExportRoutes } from './message-export.ts';
import { rechargeRequestRoutes } from './recharge-requests.ts';
import { routingRoutes, type RoutingDeps } from './routes.ts';
import { smppAccountRoutes, type Listeners } from './smpp-accounts.ts';
import { statementRoutes } from './statements.ts';
import { statsRoutes } from './stats.ts';
import { webhookRoutes } from './webhooks.ts';

export interface HealthReport {
  ok: boolean;
  parts: Record<string, string>;
}

export interface HttpDeps {
  log: Logger;
  bodyLimitBytes: number;
  /** Every repository, built once for the process (store/stores.ts). */
  stores: Stores;
  /** The database, for the use cases that write in one transaction and the dashboards' figures. */
  db: Kysely<Database>;
  /** Tells tenants of decisions on their recharge requests (email and SMS to the contact). */
  notifier?: Notifier;
  /** The SMPP and CMPP ports this node listens on, once they are started (GET /v1/connect-info). */
  listeners?: () => Listeners;
  statementUtcOffsetMinutes: number;
  /** What the dashboards' short caches go by (services/dashboard-figures.ts); default: the system's. */
  clock?: Clock;
  /** Signatures, templates, opt-outs, reviews, the block list; absent: those routes are not served. */
  compliance?: ComplianceService;
  routing?: Omit<RoutingDeps, 'audit'>;
  channels?: Omit<ChannelAdminDeps, 'audit' | 'store'>;
  /** Per-channel failure-category rules, for the messages' error view. */
  categoryRules?: CategoryRulesOf;
  /** Webhook endpoints and deliveries (/v1/webhooks), the live stream (/v1/events/stream). */
  webhooks?: Omit<WebhookAdminDeps, 'endpoints' | 'deliveries'>;
  events?: EventStreamDeps;
  /** Inbound messages, extension codes and keywords (/v1/inbound, /v1/admin/inbound). */
  inbound?: Omit<InboundHttpDeps, 'store'>;
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
    tenants: deps.stores.tenants,
    users: deps.stores.users,
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

  // Each route group is a plugin of its own: what one adds (a body parser, a hook) stays in it. The
  // root's auth hooks, error and not-found handlers and the OpenAPI collector, all set above,
  // reach every group.
  const group = (routes: (scope: FastifyInstance) => void) =>
    app.register(async (scope) => routes(scope));
  const { stores, db, defaultRegion } = deps;
  const { tenants, users, audit, messages, ledger } = stores;
  const utcOffsetMinutes = deps.statementUtcOffsetMinutes;
  const categoryRules = deps.categoryRules ? { categoryRules: deps.categoryRules } : {};
  const accountDeps = { db, tenants, users, audit };

  group((s) =>
    messageRoutes(s, {
      accept: deps.accept,
      messages,
      audit,
      defaultRegion,
      onAccepted: deps.onAccepted,
      ...categoryRules,
      ledger,
    }),
  );
  group((s) => messageExportRoutes(s, { messages, audit, defaultRegion, ...categoryRules }));
  group((s) => statsRoutes(s, { db, utcOffsetMinutes, clock: deps.clock }));
  group((s) =>
    loginRoutes(s, {
      ...accountDeps,
      loginPolicy: deps.loginPolicy,
      secureCookies: deps.secureCookies,
    }),
  );
  group((s) => accountRoutes(s, accountDeps));
  group((s) =>
    adminRoutes(s, {
      ...accountDeps,
      messages,
      directory: stores.directory,
      incidents: stores.incidents,
      ...(deps.onTenantStatus ? { onTenantStatus: deps.onTenantStatus } : {}),
      ...(deps.accept.limiter ? { sendLimiter: deps.accept.limiter } : {}),
    }),
  );
  group((s) => billingRoutes(s, { db, ledger, prices: stores.prices, tenants, audit }));
  group((s) => announcementRoutes(s, { db, announcements: stores.announcements, audit }));
  group((s) =>
    rechargeRequestRoutes(s, {
      db,
      requests: stores.rechargeRequests,
      ledger,
      tenants,
      audit,
      log: deps.log,
      ...(deps.notifier ? { notifier: deps.notifier } : {}),
    }),
  );
  group((s) =>
    statementRoutes(s, { statements: stores.statements, utcOffsetMinutes, tenants, audit }),
  );
  group((s) =>
    contractRoutes(s, { db, contracts: stores.contracts, tenants, audit, utcOffsetMinutes }),
  );
  const compliance = deps.compliance;
  if (compliance) {
    group((s) => complianceRoutes(s, { store: stores.compliance, audit, defaultRegion }));
    group((s) =>
      complianceReviewRoutes(s, { db, store: stores.compliance, compliance, messages, audit }),
    );
  }
  const routing = deps.routing;
  if (routing) group((s) => routingRoutes(s, { ...routing, audit }));
  const channels = deps.channels;
  if (channels) group((s) => channelRoutes(s, { ...channels, store: stores.channels, audit }));
  const webhooks = deps.webhooks;
  if (webhooks)
    group((s) =>
      webhookRoutes(s, {
        ...webhooks,
        endpoints: stores.webhookEndpoints,
        deliveries: stores.webhookDeliveries,
        audit,
      }),
    );
  const events = deps.events;
  if (events) group((s) => eventStreamRoutes(s, events));
  const inbound = deps.inbound;
  if (inbound)
    group((s) => inboundRoutes(s, { ...inbound, store: stores.inbound, audit, tenants }));
  group((s) => jobRoutes(s, { jobs: stores.scheduledJobs }));
  group((s) => adminOverviewRoutes(s, { db, utcOffsetMinutes, clock: deps.clock }));
  if (compliance)
    group((s) =>
      blockListRoutes(s, {
        blockList: stores.blockList,
        compliance: stores.compliance,
        audit,
        defaultRegion,
      }),
    );
  group((s) =>
    smppAccountRoutes(s, {
      smppAccounts: stores.smppAccounts,
      audit,
      ...(deps.listeners ? { listeners: deps.listeners } : {}),
    }),
  );
  // The groups are loaded now, so the routes (and deps.routes) exist when this returns.
  await app.after();
  return app;
}
