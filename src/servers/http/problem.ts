// Errors on the wire: application/problem+json (RFC 9457) with a stable machine `code`.
// Never a stack trace; unexpected errors are logged with their id and answered as internal_error.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, errorCatalog, type ErrorCode } from '../../core/errors.ts';

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

export function sendProblem(
  reply: FastifyReply,
  p: Problem,
  headers: Record<string, string> = {},
): FastifyReply {
  return reply.code(p.status).headers(headers).type('application/problem+json').send(p);
}

/** Map anything thrown by a route to one problem. */
export function errorHandler(
  err: FastifyError | DomainError | Error,
  req: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (err instanceof DomainError)
    return sendProblem(reply, problem(err.code, err.message, err.details ?? {}));
  const fe = err as FastifyError;
  if (fe.validation) {
    const first = fe.validation[0];
    const where = first?.instancePath
      ? `${fe.validationContext ?? 'body'}${first.instancePath.replace(/\//g, '.')}`
      : (fe.validationContext ?? 'body');
    const detail = first
      ? `${where} ${first.message ?? 'is invalid'}${first.params && 'additionalProperty' in first.params ? ` ("${String(first.params.additionalProperty)}")` : ''}`
      : fe.message;
    return sendProblem(reply, problem('invalid_request', detail));
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return sendProblem(reply, problem('invalid_json', 'the request body is not valid JSON'));
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return sendProblem(
        reply,
        problem('payload_too_large', 'the request body is larger than this server accepts'),
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return sendProblem(
        reply,
        problem('unsupported_media_type', 'send JSON with Content-Type: application/json'),
      );
  }
  if (err instanceof SyntaxError)
    return sendProblem(reply, problem('invalid_json', 'the request body is not valid JSON'));
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return sendProblem(reply, problem('invalid_request', fe.message));
  }
  req.log.error({ err }, 'unhandled error');
  return sendProblem(
    reply,
    problem('internal_error', `something went wrong on our side (request ${req.id})`),
  );
}
