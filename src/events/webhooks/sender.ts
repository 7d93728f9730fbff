// One webhook POST: keep-alive connections, a hard deadline, no redirects followed. Every
// address connected to is checked by the egress policy (DNS resolved by the agents' `lookup`), and
// of the answer only its status code and timing are kept: never its body, which a tenant must not
// be able to read from a host it could not otherwise reach. Never throws: every way it can go
// wrong is an outcome to record.
import http from 'node:http';
import https from 'node:https';
import { REFUSED_TARGET, type EgressPolicy } from '../../net/egress-policy.ts';
import { SIGNATURE_HEADER, signatureHeader } from '../../security/webhook-signature.ts';

export const USER_AGENT = 'Hongyan-Webhooks/1';
/** Read at most this much of an answer (so the connection can be reused), then hang up. */
const DRAIN_BYTES = 64 * 1024;

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** The operator's log: what a tenant is not told (see describe). */
export interface SenderLogger {
  info(obj: object, msg?: string): void;
}

export class WebhookSender {
  readonly #http: http.Agent;
  readonly #https: https.Agent;

  constructor(
    private readonly opts: { timeoutMs: number; policy: EgressPolicy; log?: SenderLogger },
  ) {
    // On the agents, so every connection (pooled or new) is made to an address the policy passed.
    const lookup = opts.policy.lookup;
    this.#http = new http.Agent({ keepAlive: true, scheduling: 'lifo', lookup });
    this.#https = new https.Agent({ keepAlive: true, scheduling: 'lifo', lookup });
  }

  async send(
    url: string,
    body: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<SendResult> {
    const started = performance.now();
    const took = () => Math.round(performance.now() - started);
    // A literal address is connected to without a lookup: the policy judges it here.
    const checked = this.opts.policy.checkUrl(url);
    if (!checked.ok) return { ok: false, statusCode: null, error: checked.detail, durationMs: 0 };
    const https_ = checked.url.startsWith('https:');
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      let statusCode: number | null = null;
      const finish = (error: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const ok = error === null && statusCode !== null && statusCode >= 200 && statusCode < 300;
        resolve({ ok, statusCode, error, durationMs: took() });
      };
      const req = (https_ ? https : http).request(checked.url, {
        method: 'POST',
        agent: https_ ? this.#https : this.#http,
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
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
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === REFUSED_TARGET || err.code === 'ENOTFOUND')
          this.opts.log?.info(
            { host: new URL(checked.url).hostname, code: err.code, detail: err.message },
            'webhook target name not usable',
          );
        finish(describe(err));
      });
      req.on('response', (res) => {
        statusCode = res.statusCode ?? null;
        let read = 0;
        res.on('data', (c: Buffer) => {
          read += c.length;
          if (read > DRAIN_BYTES) {
            res.destroy();
            finish(verdict(statusCode));
          }
        });
        res.on('end', () => finish(verdict(statusCode)));
        res.on('error', (err: NodeJS.ErrnoException) => finish(describe(err)));
        res.on('close', () =>
          finish(res.complete ? verdict(statusCode) : 'the connection closed mid-answer'),
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

/**
 * Only a 2xx is delivered; anything else is said in words next to the status code. A redirect
 * is never followed (its target would escape the policy's check), nor is its Location repeated.
 */
function verdict(status: number | null): string | null {
  if (status === null) return 'no status';
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 400) return 'redirect not followed';
  return `HTTP ${status}`;
}

/**
 * A name that does not resolve and a name that resolves only to internal addresses read the same to
 * a tenant: telling them apart would let a tenant probe which internal host names exist. The
 * operator's log keeps the difference.
 */
export const NO_PUBLIC_HOST = 'host not found or not public';

const FAILURES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPROTO: 'TLS handshake failed',
};

/** In our own words: a library's message can quote the far end (certificate names, headers). */
function describe(err: NodeJS.ErrnoException): string {
  const code = err.code ?? '';
  if (code === REFUSED_TARGET || code === 'ENOTFOUND') return NO_PUBLIC_HOST;
  const what =
    FAILURES[code] ??
    (/CERT|TLS|SSL/.test(code) ? 'TLS certificate not accepted' : 'connection failed');
  return `${what}${code ? ` (${code})` : ''}`.slice(0, 500);
}

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
