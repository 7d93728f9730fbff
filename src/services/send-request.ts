// Reading a send request (HTTP body, or what the SMPP/CMPP servers build from a submit): its own
// shape — text, recipients, client reference, callback — before anything is looked up. Malformed
// input throws the DomainError that names it; nothing is written.
import { DomainError } from '../core/errors.ts';
import { assertSendableText } from '../core/message/text-check.ts';
import { isStatusSelector, storedSelection } from '../core/webhooks/status-filter.ts';
import { EgressPolicy } from '../net/egress-policy.ts';
import { checkedUrl } from '../events/webhooks/endpoints.ts';

export interface SendRequest {
  to?: unknown;
  text?: unknown;
  clientRef?: unknown;
  /** verification | notification | marketing: priced and checked differently. */
  class?: unknown;
  /** Accept the recipients the balance covers, reject the rest, instead of refusing the request. */
  partial?: unknown;
  /** An approved template and its parameters, instead of `text`. */
  templateId?: unknown;
  params?: unknown;
  /** Status events of these messages go here instead of the tenant's webhook endpoints. */
  callbackUrl?: unknown;
  /** Which of those events: status selectors (`final`, `delivered`, …; default all). */
  callbackStatuses?: unknown;
}

/** What reading a request depends on (AcceptDeps has both). */
export interface RequestLimits {
  maxRecipients: number;
  /** Where a callbackUrl may point (default: public addresses only). */
  callbackPolicy?: EgressPolicy;
}

const CLIENT_REF_MAX = 64;

/** The request's own shape: text, recipients, client reference, callback (malformed: throws). */
export function readSendRequest(
  deps: RequestLimits,
  req: SendRequest,
): ReturnType<typeof validate> & ReturnType<typeof callbackOf> {
  return { ...validate(deps, req), ...callbackOf(deps, req) };
}

export function validate(
  deps: RequestLimits,
  req: SendRequest,
): { text: string | null; recipients: unknown[]; clientRef: string | null } {
  // With a template, compliance renders the text.
  if (req.templateId === undefined) {
    if (req.text === undefined || req.text === null)
      throw new DomainError('missing_text', 'the request has no "text"');
    if (typeof req.text !== 'string')
      throw new DomainError('invalid_request', '"text" must be a string');
    if (req.text.trim() === '') throw new DomainError('empty_text', '"text" is empty');
    assertSendableText(req.text);
  }
  if (req.to === undefined || req.to === null)
    throw new DomainError('no_recipients', 'the request has no "to"');
  const recipients = Array.isArray(req.to) ? req.to : [req.to];
  if (recipients.length === 0) throw new DomainError('no_recipients', '"to" is an empty list');
  if (recipients.length > deps.maxRecipients) {
    throw new DomainError(
      'too_many_recipients',
      `${recipients.length} recipients; at most ${deps.maxRecipients} per request`,
      { count: recipients.length, max: deps.maxRecipients },
    );
  }
  let clientRef: string | null = null;
  if (req.clientRef !== undefined && req.clientRef !== null) {
    if (typeof req.clientRef !== 'string' || req.clientRef.length > CLIENT_REF_MAX) {
      throw new DomainError(
        'invalid_request',
        `"clientRef" must be a string of at most ${CLIENT_REF_MAX} characters`,
      );
    }
    clientRef = req.clientRef;
  }
  return { text: typeof req.text === 'string' ? req.text : null, recipients, clientRef };
}

const publicOnly = new EgressPolicy();

export function callbackOf(
  deps: RequestLimits,
  req: SendRequest,
): { callbackUrl: string | null; callbackStatuses: string | null } {
  const statuses = req.callbackStatuses;
  if (req.callbackUrl === undefined || req.callbackUrl === null) {
    if (statuses !== undefined && statuses !== null)
      throw new DomainError('invalid_request', '"callbackStatuses" needs a "callbackUrl"', {
        field: 'callbackStatuses',
      });
    return { callbackUrl: null, callbackStatuses: null };
  }
  if (typeof req.callbackUrl !== 'string')
    throw new DomainError('invalid_url', '"callbackUrl" must be a string', {
      field: 'callbackUrl',
    });
  const callbackUrl = checkedUrl(deps.callbackPolicy ?? publicOnly, req.callbackUrl, 'callbackUrl');
  if (statuses === undefined || statuses === null) return { callbackUrl, callbackStatuses: null };
  if (
    !Array.isArray(statuses) ||
    statuses.length === 0 ||
    !statuses.every((s): s is string => typeof s === 'string' && isStatusSelector(s))
  )
    throw new DomainError(
      'invalid_request',
      '"callbackStatuses" must be a non-empty list of: all, final, or status names',
      { field: 'callbackStatuses' },
    );
  return { callbackUrl, callbackStatuses: storedSelection(statuses.filter(isStatusSelector)) };
}
