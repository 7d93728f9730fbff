// The HTTP transport: Fastify, OpenAPI at /docs, API-key auth on /v1, problem+json errors.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from '../../logger.ts';
import type { Tenant, TenantStore } from '../../store/tenants.ts';
import type { AcceptDeps } from '../../services/accept-messages.ts';
import type { MessageStore } from '../../store/messages.ts';
import { errorHandler, problem, sendProblem } from './problem.ts';
import { messageRoutes } from './messages.ts';

declare module 'fastify' {
  interface FastifyRequest {
    tenant?: Tenant;
  }
}

export interface HealthReport {
  ok: boolean;
  parts: Record<string, string>;
}

export interface HttpDeps {
  log: Logger;
  bodyLimitBytes: number;
  tenants: TenantStore;
  messages: MessageStore;
  accept: AcceptDeps;
  defaultRegion: string;
  health(): Promise<HealthReport>;
  onAccepted(): void;
}

export async function buildHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log.child({ role: 'api' }) as FastifyBaseLogger,
    // One log line per event we care about, not two per request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimitBytes,
    // Bodies are validated as sent: no silent type coercion, no silent dropping of unknown fields.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, problem('not_found', `no route ${req.method} ${req.url.split('?')[0]}`)),
  );

  await app.register(swagger, {
    openapi: {
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

  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/v1/')) return;
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!m)
      return sendProblem(
        reply,
        problem('unauthorized', 'send an API key as Authorization: Bearer <key>'),
        { 'WWW-Authenticate': 'Bearer' },
      );
    const found = await deps.tenants.authenticate(m[1]!);
    if (!found)
      return sendProblem(reply, problem('unauthorized', 'this API key is unknown or revoked'), {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    req.tenant = found.tenant;
  });

  app.get('/health', { schema: { hide: true } }, async (_req, reply) => {
    const report = await deps.health();
    return reply
      .code(report.ok ? 200 : 503)
      .send({ status: report.ok ? 'ok' : 'degraded', parts: report.parts });
  });

  messageRoutes(app, {
    accept: deps.accept,
    messages: deps.messages,
    defaultRegion: deps.defaultRegion,
    onAccepted: deps.onAccepted,
  });
  return app;
}
