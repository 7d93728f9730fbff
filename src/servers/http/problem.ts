// Errors on the wire: application/problem+json (RFC 9457) with a stable machine `code`.
// Never a stack trace; unexpected errors are logged with their id and answered as internal_error.
// The title (and a detail written as a catalog entry) is in the caller's language: Accept-Language,
// else the user's own locale, else the tenant's, else zh-CN (core/i18n); `code` is the same in
// every language.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { DomainError, errorCatalog, type ErrorCode } from '../../core/errors.ts';
import {
  DEFAULT_LOCALE,
  errorTitle,
  negotiateLocale,
  translate,
  type Locale,
} from '../../core/i18n/index.ts';
import { validationError } from './closed-schemas.ts';

/** The problem document's schema, for the routes' documented error answers. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.String(),
  },
  { additionalProperties: true },
);

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

export function problem(
  code: ErrorCode,
  detail: string,
  extra: Record<string, unknown> = {},
): Problem {
  const entry = errorCatalog[code];
  return {
    type: `urn:hongyan:error:${code}`,
    title: entry.title,
    status: entry.status,
    code,
    detail,
    ...extra,
  };
}

/**
 * The language to answer a request in: what it accepts, else the signed-in person's own choice,
 * else its tenant's, else zh-CN.
 */
export function requestLocale(req: FastifyRequest): Locale {
  const accept = req.headers['accept-language'];
  const own = req.principal?.kind === 'user' ? req.principal.user.locale : null;
  return negotiateLocale(
    typeof accept === 'string' ? accept : undefined,
    own ?? req.tenant?.locale ?? DEFAULT_LOCALE,
  );
}

export function sendProblem(
  reply: FastifyReply,
  p: Problem,
  headers: Record<string, string> = {},
): FastifyReply {
  const locale = requestLocale(reply.request);
  return reply
    .code(p.status)
    .headers({ 'Content-Language': locale, Vary: 'Accept-Language', ...headers })
    .type('application/problem+json')
    .send({ ...p, title: errorTitle(locale, p.code) });
}

/** Map anything thrown by a route to one problem. */
export function errorHandler(
  err: FastifyError | DomainError | Error,
  req: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const fe = err as FastifyError;
  // A schema refused the request: the field, its JSON pointer and where (closed-schemas.ts).
  if (fe.validation) err = validationError(fe.validation, fe.validationContext);
  const locale = requestLocale(req);
  if (err instanceof DomainError) {
    const detail = err.localized
      ? translate(locale, err.localized.key, err.localized.params)
      : err.message;
    return sendProblem(reply, problem(err.code, detail, err.details ?? {}));
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return sendProblem(reply, problem('invalid_json', translate(locale, 'http.invalid_json')));
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return sendProblem(
        reply,
        problem('payload_too_large', translate(locale, 'http.payload_too_large')),
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return sendProblem(
        reply,
        problem('unsupported_media_type', translate(locale, 'http.unsupported_media_type')),
      );
  }
  if (err instanceof SyntaxError)
    return sendProblem(reply, problem('invalid_json', translate(locale, 'http.invalid_json')));
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return sendProblem(reply, problem('invalid_request', fe.message));
  }
  req.log.error({ err }, 'unhandled error');
  return sendProblem(
    reply,
    problem('internal_error', translate(locale, 'http.internal_error', { requestId: req.id })),
  );
}
