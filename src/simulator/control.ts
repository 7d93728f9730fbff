// A tiny HTTP control API for the carrier simulator (loopback by default):
//   POST /inbound {from, to, text} → 200 {"sessions": n}   (an MO deliver_sm to every receiver)
//   GET  /stats                    → 200 SimulatorStats
// Errors are JSON {"error": "..."} with 400 (bad body), 404 (unknown path), 405 (wrong method), 413.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InboundMessage, SimulatorStats } from './smsc.ts';

/** What the control API needs from the simulator (SmscSimulator satisfies it). */
export interface ControllableSimulator {
  injectInbound(msg: InboundMessage): number;
  stats(): SimulatorStats;
}

export interface ControlServerOptions {
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
}

export interface ControlServer {
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

function reply(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) tooBig = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooBig ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseInbound(raw: string): InboundMessage | string {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return 'body is not valid JSON';
  }
  if (body === null || typeof body !== 'object') return 'body must be a JSON object';
  const { from, to, text } = body as Record<string, unknown>;
  if (typeof from !== 'string' || from.length === 0) return '"from" must be a non-empty string';
  if (typeof to !== 'string' || to.length === 0) return '"to" must be a non-empty string';
  if (typeof text !== 'string') return '"text" must be a string';
  return { from, to, text };
}

async function handle(
  sim: ControllableSimulator,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === '/stats') {
    if (req.method !== 'GET') return reply(res, 405, { error: 'use GET' });
    return reply(res, 200, sim.stats());
  }
  if (path === '/inbound') {
    if (req.method !== 'POST') return reply(res, 405, { error: 'use POST' });
    const raw = await readBody(req);
    if (raw === null) return reply(res, 413, { error: 'body too large' });
    const msg = parseInbound(raw);
    if (typeof msg === 'string') return reply(res, 400, { error: msg });
    return reply(res, 200, { sessions: sim.injectInbound(msg) });
  }
  reply(res, 404, { error: 'not found' });
}

/** Starts the control API. Resolves once listening, with the port and a close() that ends it. */
export async function startControlServer(
  sim: ControllableSimulator,
  opts: ControlServerOptions = {},
): Promise<ControlServer> {
  const server = createServer((req, res) => {
    handle(sim, req, res).catch((err: unknown) => {
      if (!res.headersSent)
        reply(res, 500, { error: err instanceof Error ? err.message : 'internal error' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
