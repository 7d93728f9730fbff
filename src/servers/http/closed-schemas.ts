// Requests are refused, never trimmed: a field the API does not know is a 400 that names it, at
// every level of every /v1 body and in every query string. A misplaced key that was quietly ignored
// once turned a carrier route into a catch-all; a typo in a filter would list everything.
//
// One mechanism for all routes: when a route is added, every object schema of its body and query
// string that lists its `properties` and says nothing about others gets `additionalProperties:
// false` (Fastify's Ajv runs with removeAdditional: false, so they are refused, not stripped).
// A schema that means to be an open map says so (a Record, `additionalProperties: true`, or a
// value schema), and stays open. A write route without a body schema takes no body.
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import type { DomainError } from '../../core/errors.ts';
import { localizedError } from '../../core/i18n/index.ts';

type Schema = Record<string, unknown>;

/** Keywords whose value is a map of name → schema. */
const SCHEMA_MAPS = new Set([
  'properties',
  'patternProperties',
  'dependentSchemas',
  '$defs',
  'definitions',
]);
/** Keywords whose value is a schema or a list of schemas (never data: not enum, const, default). */
const SCHEMAS = new Set([
  'items',
  'prefixItems',
  'additionalItems',
  'additionalProperties',
  'contains',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
]);
/** Any of these means the schema has decided about unlisted properties itself. */
const DECIDED = ['additionalProperties', 'patternProperties', 'unevaluatedProperties'];

/**
 * A copy of `schema` in which every object that lists its properties refuses the others.
 * (A copy: TypeBox schemas are shared between routes and with response schemas.) The branches of
 * an `allOf` are left as they are, since closing each would refuse the others' fields.
 */
export function closeSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const s = schema as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(s)) {
    if (SCHEMA_MAPS.has(key) && typeof value === 'object' && value !== null)
      out[key] = Object.fromEntries(
        Object.entries(value as Schema).map(([name, sub]) => [name, closeSchema(sub)]),
      );
    else if (SCHEMAS.has(key)) out[key] = closeSchema(value);
    else out[key] = value;
  }
  if (typeof s.properties === 'object' && !DECIDED.some((k) => k in s))
    out.additionalProperties = false;
  return out;
}

/** A query string with no parameters: every /v1 route that declares none refuses any. */
const NO_QUERY = { type: 'object', properties: {}, additionalProperties: false };
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Close the body and query schema of every /v1 route added after this call. */
export function refuseUnknownFields(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith('/v1/')) return;
    const schema = { ...route.schema };
    schema.querystring = schema.querystring ? closeSchema(schema.querystring) : NO_QUERY;
    if (schema.body) schema.body = closeSchema(schema.body);
    else if ([route.method].flat().some((m) => WRITE_METHODS.has(m))) {
      const before = route.preValidation ? [route.preValidation].flat() : [];
      route.preValidation = [...before, refuseBody];
    }
    route.schema = schema;
  });
}

/** A route without a body schema takes no body: nothing, null or `{}`. */
async function refuseBody(req: FastifyRequest): Promise<void> {
  const body = req.body;
  if (body === undefined || body === null) return;
  if (typeof body === 'object' && !Array.isArray(body)) {
    const [first] = Object.keys(body);
    if (first === undefined) return;
    throw unknownField('body', `/${escapePointer(first)}`);
  }
  throw localizedError('invalid_request', 'http.no_body', {}, { in: 'body' });
}

/** Where a validation error is: the request part, as problems name it. */
type Part = 'body' | 'query' | 'params' | 'headers';

const partOf = (context: string | undefined): Part =>
  context === 'querystring' ? 'query' : ((context ?? 'body') as Part);

/**
 * Ajv's first error as a problem: `invalid_request` with the `field` (as other problems name it,
 * `routes[0].target.channel`), its RFC 6901 JSON `pointer` within the part, and `in` (body, query,
 * params), in the caller's language.
 */
export function validationError(
  errors: FastifySchemaValidationError[],
  context: string | undefined,
): DomainError {
  const part = partOf(context);
  const first = mostTelling(errors);
  const params = (first?.params ?? {}) as Record<string, unknown>;
  let pointer = first?.instancePath ?? '';
  switch (first?.keyword) {
    case 'additionalProperties':
      return unknownField(part, `${pointer}/${escapePointer(String(params.additionalProperty))}`);
    case 'required':
      pointer += `/${escapePointer(String(params.missingProperty))}`;
      return invalid(part, pointer, 'http.missing_field', {});
    case 'type': {
      // A union (`Nullable(...)`) fails once per branch at the same place: name every type.
      const types = errors
        .filter((e) => e.keyword === 'type' && e.instancePath === pointer)
        .map((e) => String(e.params.type));
      return invalid(part, pointer, 'http.field_type', { type: [...new Set(types)].join(' | ') });
    }
    case 'enum':
      return invalid(part, pointer, 'http.field_enum', {
        values: ((params.allowedValues as unknown[]) ?? []).map(String).join(', '),
      });
    default:
      return invalid(part, pointer, 'http.invalid_field', {
        reason: first?.message ?? 'is invalid',
      });
  }
}

/**
 * The error to report. A union fails in every branch: an unknown field anywhere is the answer the
 * caller needs most; otherwise the error that reached deepest into the data (not anyOf's summary).
 */
function mostTelling(
  errors: FastifySchemaValidationError[],
): FastifySchemaValidationError | undefined {
  const unknown = errors.find((e) => e.keyword === 'additionalProperties');
  if (unknown) return unknown;
  const depth = (e: FastifySchemaValidationError) =>
    e.instancePath.split('/').length + (e.keyword === 'required' ? 1 : 0);
  return (
    errors
      .filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf')
      .reduce<FastifySchemaValidationError | undefined>(
        (best, e) => (!best || depth(e) > depth(best) ? e : best),
        undefined,
      ) ?? errors[0]
  );
}

function unknownField(part: Part, pointer: string): DomainError {
  const field = fieldOf(pointer) || part;
  return localizedError(
    'invalid_request',
    part === 'query' ? 'http.unknown_query_parameter' : 'http.unknown_field',
    { field },
    { field, pointer, in: part },
  );
}

function invalid(
  part: Part,
  pointer: string,
  key: 'http.missing_field' | 'http.field_type' | 'http.field_enum' | 'http.invalid_field',
  params: Record<string, string>,
): DomainError {
  const field = fieldOf(pointer) || part;
  return localizedError('invalid_request', key, { field, ...params }, { field, pointer, in: part });
}

/** RFC 6901 §3: `~` is written `~0` and `/` is written `~1` inside a reference token. */
function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `/routes/0/target/channel` → `routes[0].target.channel`. */
function fieldOf(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, t) => (/^\d+$/.test(t) ? `${path}[${t}]` : path ? `${path}.${t}` : t), '');
}
