// The api role: the HTTP API (and the web console it serves) over the node's stores and services.
// The tenant servers (roles/tenant-servers.ts) start after it and are handed in late: the API
// reads their ports, and drops a suspended tenant's binds on them.
import type { FastifyInstance } from 'fastify';
import { CONSOLE_DIST } from '../console/build.ts';
import type { Route } from '../core/routing/routes.ts';
import type { Access } from '../servers/http/auth.ts';
import { buildHttpServer, type HealthReport } from '../servers/http/app.ts';
import type { ChannelManager } from '../services/channel-manager.ts';
import type { RoleContext } from './role.ts';
import type { TenantServers } from './tenant-servers.ts';

export interface ApiRole {
  http: FastifyInstance;
  port: number;
}

export interface ApiOptions {
  channels: ChannelManager;
  /** Filled with every /v1 route and the access it needs. */
  routes: Array<{ method: string; url: string; access: Access }>;
  health(): Promise<HealthReport>;
  /** A message was accepted: wake this node's dispatcher (if it runs one). */
  onAccepted(): void;
  /** The SMPP and CMPP servers, once started (null before, and on a node without them). */
  tenantServers(): TenantServers | null;
}

export async function startApiRole({ node, onStop }: RoleContext, o: ApiOptions): Promise<ApiRole> {
  const { config, log, stores, store, routing } = node;
  const { channels } = o;
  const routesNow = () => routing.current();
  const http = await buildHttpServer({
    log,
    routes: o.routes,
    consoleDir: config.http.console ? CONSOLE_DIST : null,
    stores,
    db: store.db,
    notifier: node.notifier,
    listeners: () => ({
      smppPort: o.tenantServers()?.smppPort ?? null,
      cmppPort: o.tenantServers()?.cmppPort ?? null,
    }),
    statementUtcOffsetMinutes: config.billing.statementUtcOffsetMinutes,
    clock: node.clock,
    compliance: node.compliance,
    routing: {
      current: routesNow,
      replace: (r: Route[]) => routing.replace(r),
      channels: () =>
        channels.configs().map((c) => ({
          id: c.id,
          up:
            channels
              .drivers()
              .find((d) => d.id === c.id)
              ?.state() === 'bound',
        })),
      defaultRegion: config.defaultRegion,
      utcOffsetMinutes: config.billing.statementUtcOffsetMinutes,
    },
    channels: {
      status: () => channels.status(),
      reload: () => channels.reload(),
      routes: routesNow,
    },
    categoryRules: (id) => channels.categoryRules(id),
    inbound: {
      extensions: node.extensionCodes,
      serviceNumbers: () =>
        channels
          .configs()
          .filter((c) => c.enabled && c.use !== 'test')
          .map((c) => c.sourceAddr),
      optOutKeywords: config.compliance.optOutKeywords,
      defaultRegion: config.defaultRegion,
    },
    webhooks: {
      sender: node.webhookSender,
      node: config.nodeId,
      policy: node.egressPolicy,
      timeoutMs: config.webhooks.timeoutMs,
    },
    events: {
      feed: stores.eventFeed,
      horizon: node.eventHorizon,
      maxPerTenant: config.stream.maxPerTenant,
      heartbeatMs: config.stream.heartbeatSeconds * 1000,
      pollMs: config.stream.pollMs,
    },
    limits: config.limits,
    loginPolicy: node.loginPolicy,
    secureCookies: config.http.secureCookies,
    bodyLimitBytes: config.http.bodyLimitBytes,
    defaultRegion: config.defaultRegion,
    accept: node.accept,
    onAccepted: o.onAccepted,
    // A tenant that may no longer send loses its live binds at once (other nodes: within 2 s).
    onTenantStatus: (tenantId, status) => {
      if (status !== 'active') o.tenantServers()?.kickTenant(tenantId, `tenant ${status}`);
    },
    health: o.health,
  });
  await http.listen({ host: config.http.host, port: config.http.port });
  const addr = http.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.http.port;
  onStop(() => http.close());
  log.info(
    { url: `http://${config.http.host}:${port}`, docs: `http://${config.http.host}:${port}/docs` },
    'HTTP API listening',
  );
  return { http, port };
}
