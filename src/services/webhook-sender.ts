// One webhook POST: keep-alive connections, a hard deadline, no redirects followed, the first
// KB of the answer kept for the tenant to read. Never throws: every way it can go wrong is an
// outcome to record.
import http from 'node:http';
import https from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { checkTargetUrl, isPrivateAddress } from '../core/webhooks/target-url.ts';
import { SIGNATURE_HEADER, signatureHeader } from '../security/webhook-signature.ts';

export const USER_AGENT = 'Hongyan-Webhooks/1';
const SNIPPET_BYTES = 1024;
/** Read at most this much of an answer (so the connection can be reused), then hang up. */
const DRAIN_BYTES = 64 * 1024;

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  response: string | null;
  durationMs: number;
}

export class WebhookSender {
  readonly #http = new http.Agent({ keepAlive: true, scheduling: 'lifo' });
  readonly #https = new https.Agent({ keepAlive: true, scheduling: 'lifo' });
  readonly #lookup: LookupFunction | undefined;

  constructor(private readonly opts: { timeoutMs: number; allowPrivateNetworks: boolean }) {
    // Checked after DNS too: a public name may resolve to a private address.
    this.#lookup = opts.allowPrivateNetworks ? undefined : publicOnlyLookup;
  }

  async send(
    url: string,
    body: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<SendResult> {
    const started = performance.now();
    const took = () => Math.round(performance.now() - started);
    const checked = checkTargetUrl(url, { allowPrivateNetworks: this.opts.allowPrivateNetworks });
    if (!checked.ok)
      return { ok: false, statusCode: null, error: checked.detail, response: null, durationMs: 0 };
    const https_ = url.startsWith('https:');
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      let statusCode: number | null = null;
      const chunks: Buffer[] = [];
      let kept = 0;
      const finish = (error: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        // `stream: true` holds back a character cut at the KB boundary instead of mangling it.
        const response =
          kept > 0 ? new TextDecoder().decode(Buffer.concat(chunks), { stream: true }) : null;
        const ok = error === null && statusCode !== null && statusCode >= 200 && statusCode < 300;
        resolve({ ok, statusCode, error, response, durationMs: took() });
      };
      const req = (https_ ? https : http).request(url, {
        method: 'POST',
        agent: https_ ? this.#https : this.#http,
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        ...(this.#lookup ? { lookup: this.#lookup } : {}),
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish(`no answer within ${this.opts.timeoutMs} ms`);
      }, this.opts.timeoutMs);
      const onAbort = () => {
        req.destroy();
        finish('cancelled: the worker stopped');
      };
      signal?.addEventListener('abort', onAbort);
      req.on('error', (err: NodeJS.ErrnoException) => finish(describe(err)));
      req.on('response', (res) => {
        statusCode = res.statusCode ?? null;
        let read = 0;
        res.on('data', (c: Buffer) => {
          read += c.length;
          if (kept < SNIPPET_BYTES) {
            const part = c.subarray(0, SNIPPET_BYTES - kept);
            chunks.push(part);
            kept += part.length;
          }
          if (read > DRAIN_BYTES) {
            res.destroy();
            finish(verdict(statusCode, res.headers.location));
          }
        });
        res.on('end', () => finish(verdict(statusCode, res.headers.location)));
        res.on('error', (err: NodeJS.ErrnoException) => finish(describe(err)));
        res.on('close', () =>
          finish(
            res.complete
              ? verdict(statusCode, res.headers.location)
              : 'the connection closed mid-answer',
          ),
        );
      });
      req.end(body);
    });
  }

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

/** Only a 2xx is delivered; anything else is said in words next to the status code. */
function verdict(status: number | null, location: string | undefined): string | null {
  if (status === null) return 'no status';
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 400)
    return `redirect${location ? ` to ${location.slice(0, 200)}` : ''} not followed`;
  return `HTTP ${status}`;
}

function describe(err: NodeJS.ErrnoException): string {
  const what: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    EPROTO: 'TLS handshake failed',
  };
  const code = err.code ?? '';
  return `${what[code] ?? err.message}${code ? ` (${code})` : ''}`.slice(0, 500);
}

const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const usable = addresses.filter((a) => !isPrivateAddress(a.address));
    if (usable.length === 0) {
      const refused: NodeJS.ErrnoException = new Error(
        `${hostname} resolves to a private address only`,
      );
      refused.code = 'EPRIVATE';
      return callback(refused, '', 0);
    }
    if (options.all)
      return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
    callback(null, usable[0]!.address, usable[0]!.family);
  });
};

/** The headers of every webhook POST; signed with each secret valid now (rotation grace). */
export function webhookHeaders(
  d: { eventId: string; deliveryId: string; payload: string },
  secrets: readonly string[],
  now: number,
): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'User-Agent': USER_AGENT,
    'Hongyan-Event-Id': d.eventId,
    'Hongyan-Delivery-Id': d.deliveryId,
    [SIGNATURE_HEADER]: signatureHeader(secrets, Math.floor(now / 1000), d.payload),
  };
}
