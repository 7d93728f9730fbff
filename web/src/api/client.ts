// The console talks to the documented /v1 API and nothing else. Errors come back as
// application/problem+json (RFC 9457) and become an ApiError carrying its code, detail and field.
import { currentLanguage } from '../i18n/index.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | null;
  readonly field: string | null;
  readonly body: Record<string, unknown>;
  constructor(status: number, body: Record<string, unknown>) {
    const title = typeof body.title === 'string' ? body.title : `HTTP ${status}`;
    const detail = typeof body.detail === 'string' ? body.detail : null;
    super(detail ?? title);
    this.status = status;
    this.code = typeof body.code === 'string' ? body.code : 'http_error';
    this.title = title;
    this.detail = detail;
    this.field = typeof body.field === 'string' ? body.field : null;
    this.body = body;
  }
}

/** The server could not be reached at all (no answer). */
export class NetworkError extends Error {}

/** Called on any 401 from a route that needs a session: the session kit sends the user to log in. */
let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(fn: (() => void) | null): void {
  onUnauthorized = fn;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** Don't treat a 401 as "session gone" (the login form itself). */
  quiet401?: boolean;
  /** Extra request headers (e.g. Idempotency-Key on a send). */
  headers?: Record<string, string>;
}

async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': currentLanguage(),
    ...opts.headers,
  };
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData) body = opts.body;
  else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), {
      method,
      headers,
      body: body ?? null,
      credentials: 'same-origin',
      signal: opts.signal ?? null,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new NetworkError((err as Error).message);
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const data: unknown = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const problem =
      data && typeof data === 'object'
        ? (data as Record<string, unknown>)
        : { title: String(data) };
    // Only a missing or expired session sends the user to log in: a wrong current password
    // (invalid_credentials) or a second factor asked for (totp_required) is the form's problem.
    if (res.status === 401 && !opts.quiet401 && problem.code === 'unauthorized') onUnauthorized?.();
    throw new ApiError(res.status, problem);
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) =>
    request<T>('GET', path, { query, ...(signal ? { signal } : {}) }),
  post: <T>(path: string, body?: unknown, opts: Omit<RequestOptions, 'body'> = {}) =>
    request<T>('POST', path, { ...opts, body }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, { body }),
  delete: <T>(path: string, body?: unknown) => request<T>('DELETE', path, { body }),
};

/** A file download through the API (exports, statements, proofs): the browser saves it. */
export function downloadUrl(path: string, query?: Query): string {
  return withQuery(path, query);
}

/** Money on the wire: a decimal string and its currency. */
export interface Money {
  amount: string;
  currency: string;
}

/** A list page: rows and the cursor of the next page (null: last page). */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
