// The web console (web/dist) at `/`: hashed assets cached for a year, index.html never cached,
// and every other path that is not the API answered with index.html so the console's own router
// draws it. Pages get a strict Content-Security-Policy: only this origin's scripts and API.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';

const API_PREFIXES = ['/v1/', '/v1', '/docs', '/health', '/openapi.json'];

// Ant Design writes its styles at run time (CSS-in-JS), hence style-src 'unsafe-inline'; no
// script runs that this origin did not serve.
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function secureHeaders(reply: FastifyReply): void {
  reply.header('Content-Security-Policy', CONSOLE_CSP);
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('X-Frame-Options', 'DENY');
  reply.header('Referrer-Policy', 'same-origin');
}

export function isConsolePath(url: string): boolean {
  const path = url.split('?')[0]!;
  return !API_PREFIXES.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : p + '/'));
}

export type IndexHandler = (req: FastifyRequest, reply: FastifyReply) => FastifyReply;

/**
 * Serve the built console from `dir`. Returns the handler that answers with index.html (the
 * not-found handler uses it for deep links such as /messages/msg_…), or null when not built.
 */
export async function registerConsole(
  app: FastifyInstance,
  dir: string,
): Promise<IndexHandler | null> {
  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) return null;
  // Read per request (a small file, in the page cache): a rebuild swaps web/dist under a running
  // server, and the old index.html would name assets that are gone.
  const index = () => (existsSync(indexFile) ? readFileSync(indexFile) : null);
  await app.register(fastifyStatic, {
    root: join(dir, 'assets'),
    prefix: '/assets/',
    decorateReply: false,
    immutable: true,
    preCompressed: true,
    maxAge: '365d',
    setHeaders: (res) => res.setHeader('X-Content-Type-Options', 'nosniff'),
  });
  const sendIndex: IndexHandler = (_req, reply) => {
    secureHeaders(reply);
    const body = index();
    if (!body)
      return reply.code(503).type('text/plain; charset=utf-8').send('console is being built');
    return reply.header('Cache-Control', 'no-cache').type('text/html; charset=utf-8').send(body);
  };
  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, sendIndex);
  return sendIndex;
}

/** For the not-found handler: a browser GET outside the API gets the console's index.html. */
export function wantsConsole(req: FastifyRequest): boolean {
  return (
    (req.method === 'GET' || req.method === 'HEAD') &&
    isConsolePath(req.url) &&
    !req.url.startsWith('/assets/') &&
    (req.headers.accept ?? '').includes('text/html')
  );
}
