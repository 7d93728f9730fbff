// Message templates (短信模板): an approved body with `${name}` variables, filled per message.
// Carriers review the body once; what varies per send is only the parameters, so they are held
// to tight rules here (short, plain, no nested placeholders) to keep a template from becoming a
// free-text channel around the review.
//
// Syntax: `${name}`, name = [A-Za-z_][A-Za-z0-9_]{0,31}, nothing else inside the braces (no
// spaces). A `$` not followed by `{`, a lone `{` and a lone `}` are literal text. There is no
// escape: a body cannot contain a literal `${`.
import { DomainError } from '../errors.ts';
import type { MessageClass } from '../billing/rating.ts';
import { assertSendableText } from '../message/text-check.ts';

export const MAX_TEMPLATE_VARIABLES = 20;
export const DEFAULT_MAX_PARAM_LENGTH = 20;

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;
const VERIFICATION_CODE = /^[0-9]{4,8}$/;
const CONTROL = /\p{Cc}/u;

export interface ParsedTemplate {
  body: string;
  /** Distinct variable names in order of first appearance. */
  variables: string[];
}

export interface Template extends ParsedTemplate {
  class: MessageClass;
}

export interface RenderOptions {
  /** Longest parameter value, in code points. Default 20. */
  maxParamLength?: number;
}

export type ParamProblem =
  'missing' | 'unknown' | 'type' | 'empty' | 'too_long' | 'placeholder' | 'control' | 'code_format';

type Piece = { text: string } | { name: string };

function invalidTemplate(detail: string, position?: number): never {
  throw new DomainError(
    'invalid_template',
    detail,
    position === undefined ? { field: 'body' } : { field: 'body', position },
  );
}

function invalidParam(name: string, problem: ParamProblem, detail: string): never {
  const field = name === '' ? 'params' : `params.${name}`;
  throw new DomainError('template_params_invalid', detail, { field, problem });
}

/** Split a body into literal text and variables; positions are UTF-16 offsets into the body. */
function tokenize(body: string): Piece[] {
  const pieces: Piece[] = [];
  let from = 0;
  for (;;) {
    const open = body.indexOf('${', from);
    if (open < 0) break;
    const close = body.indexOf('}', open + 2);
    if (close < 0) invalidTemplate(`"\${" at ${open} is never closed with "}"`, open);
    const name = body.slice(open + 2, close);
    if (name === '') invalidTemplate(`empty variable name "\${}" at ${open}`, open);
    if (!NAME.test(name))
      invalidTemplate(
        `invalid variable name "${name}" at ${open}: use a letter or _ then letters, digits or _, at most 32`,
        open,
      );
    if (open > from) pieces.push({ text: body.slice(from, open) });
    pieces.push({ name });
    from = close + 1;
  }
  if (from < body.length) pieces.push({ text: body.slice(from) });
  return pieces;
}

function variablesOf(pieces: readonly Piece[]): string[] {
  const seen = new Set<string>();
  for (const p of pieces) if ('name' in p) seen.add(p.name);
  return [...seen];
}

/**
 * Check a template body and list its variables. Throws invalid_template (field `body`), or
 * invalid_text when the body has a character that cannot be sent (core/message/text-check.ts).
 */
export function parseTemplate(body: string): ParsedTemplate {
  if (typeof body !== 'string') invalidTemplate('the template body must be a string');
  if (body.trim() === '') invalidTemplate('the template body is empty');
  // A body that could never be sent is refused when it is submitted, not at every send.
  assertSendableText(body, 'body');
  const variables = variablesOf(tokenize(body));
  if (variables.length > MAX_TEMPLATE_VARIABLES)
    invalidTemplate(
      `a template may have at most ${MAX_TEMPLATE_VARIABLES} variables, this one has ${variables.length}`,
    );
  return { body, variables };
}

/**
 * Fill a template. Every variable needs a parameter and every parameter a variable. A value is
 * a non-empty string or a finite number (written with `String(n)`; send codes with leading
 * zeros as strings), at most `maxParamLength` code points, without control characters
 * (newlines included) or `${`. In a verification template the variable `code` must be 4-8 ASCII
 * digits. All occurrences are replaced in one pass, so a value is never expanded again.
 * Problems are reported for the template's variables in order, then for unknown parameters.
 * Throws template_params_invalid (field `params.<name>`, `problem`), invalid_text (field
 * `params.<name>`) for a value with a character that cannot be sent, or invalid_template when
 * `t.variables` does not match its body.
 */
export function renderTemplate(
  t: Template,
  params: Record<string, unknown>,
  opts: RenderOptions = {},
): string {
  const max = opts.maxParamLength ?? DEFAULT_MAX_PARAM_LENGTH;
  if (!Number.isSafeInteger(max) || max < 1)
    throw new RangeError(`maxParamLength must be a positive integer, got ${max}`);
  const pieces = tokenize(t.body);
  const declared = new Set(t.variables);
  const found = variablesOf(pieces);
  if (found.length !== declared.size || found.some((v) => !declared.has(v)))
    invalidTemplate('the template variables do not match its body');
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    invalidParam('', 'type', 'params must be an object of variable names to values');

  const values = new Map<string, string>();
  for (const name of found) {
    if (!Object.hasOwn(params, name) || params[name] === undefined)
      invalidParam(name, 'missing', `parameter "${name}" is missing`);
    const raw = params[name];
    let value: string;
    if (typeof raw === 'string') value = raw;
    else if (typeof raw === 'number' && Number.isFinite(raw)) value = String(raw);
    else invalidParam(name, 'type', `parameter "${name}" must be a string or a finite number`);
    if (value.trim() === '') invalidParam(name, 'empty', `parameter "${name}" is empty`);
    assertSendableText(value, `params.${name}`);
    const length = [...value].length;
    if (length > max)
      invalidParam(
        name,
        'too_long',
        `parameter "${name}" is ${length} characters, at most ${max} allowed`,
      );
    if (CONTROL.test(value))
      invalidParam(name, 'control', `parameter "${name}" contains control characters`);
    if (value.includes('${'))
      invalidParam(name, 'placeholder', `parameter "${name}" must not contain "\${"`);
    if (t.class === 'verification' && name === 'code' && !VERIFICATION_CODE.test(value))
      invalidParam(name, 'code_format', 'a verification code must be 4-8 digits');
    values.set(name, value);
  }
  for (const key of Object.keys(params))
    if (!declared.has(key))
      invalidParam(key, 'unknown', `parameter "${key}" is not a variable of this template`);

  return pieces.map((p) => ('name' in p ? values.get(p.name)! : p.text)).join('');
}
