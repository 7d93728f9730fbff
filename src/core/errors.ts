// The error catalog: one stable machine code per failure a caller can act on.
// Transports map these to their own wire form once (HTTP problem+json, SMPP command_status).
import type { MessageKey, MessageParams } from './i18n/translate.ts';

export const errorCatalog = {
  invalid_request: { status: 400, title: 'Invalid request' },
  invalid_json: { status: 400, title: 'Malformed JSON' },
  missing_text: { status: 422, title: 'Message text is missing' },
  empty_text: { status: 422, title: 'Message text is empty' },
  text_too_long: { status: 422, title: 'Message text is too long' },
  invalid_text: { status: 422, title: 'Message text has characters that cannot be sent' },
  invalid_number: { status: 422, title: 'Invalid phone number' },
  no_recipients: { status: 422, title: 'No recipients' },
  too_many_recipients: { status: 413, title: 'Too many recipients' },
  duplicate_recipient: { status: 422, title: 'Duplicate recipient' },
  idempotency_key_reused: { status: 409, title: 'Idempotency key reused with a different request' },
  idempotency_key_in_flight: {
    status: 409,
    title: 'A request with this idempotency key is in progress',
  },
  unauthorized: { status: 401, title: 'Missing or invalid API key' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  payload_too_large: { status: 413, title: 'Request body too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
  insufficient_balance: { status: 402, title: 'Insufficient balance' },
  tenant_pending: { status: 403, title: 'Account not approved yet' },
  tenant_suspended: { status: 403, title: 'Account suspended' },
  tenant_terminated: { status: 403, title: 'Account terminated' },
  invalid_transition: { status: 409, title: 'Not allowed in the current state' },
  invalid_credentials: { status: 401, title: 'Wrong email or password' },
  account_locked: { status: 423, title: 'Account locked' },
  totp_required: { status: 401, title: 'Second factor required' },
  password_change_required: { status: 403, title: 'Password change required' },
  weak_password: { status: 422, title: 'Password too weak' },
  invalid_credit_code: { status: 422, title: 'Invalid unified social credit code' },
  email_taken: { status: 409, title: 'Email already registered' },
  conflict: { status: 409, title: 'Conflict' },
  ip_not_allowed: { status: 403, title: 'Address not allowed for this key' },
  invalid_price_plan: { status: 422, title: 'Invalid price plan' },
  invalid_amount: { status: 422, title: 'Invalid amount' },
  no_price: { status: 422, title: 'No price for this destination' },
  duplicate_reference: { status: 409, title: 'This reference was already recorded' },
  invalid_contract: { status: 422, title: 'Invalid contract' },
  invalid_signature: { status: 422, title: 'Invalid sender signature' },
  invalid_template: { status: 422, title: 'Invalid message template' },
  template_params_invalid: { status: 422, title: 'Template parameters do not fit the template' },
  template_not_approved: { status: 422, title: 'Template not approved' },
  signature_required: { status: 422, title: 'A sender signature is required' },
  signature_not_approved: { status: 422, title: 'Signature not approved' },
  free_text_not_allowed: {
    status: 422,
    title: 'Free text is not allowed for this class; use a template',
  },
  content_blocked: { status: 422, title: 'Content not allowed' },
  content_rejected: { status: 422, title: 'Content rejected by review' },
  recipient_opted_out: { status: 422, title: 'Recipient opted out' },
  recipient_blocked: { status: 422, title: 'Recipient blocked by the operator' },
  // 422, not 429: a refusal about one recipient, not the caller's request rate (issue 11).
  frequency_limited: { status: 422, title: 'Too many messages to this recipient' },
  already_decided: { status: 409, title: 'Already decided' },
  invalid_proof: { status: 422, title: 'Invalid proof of payment' },
  invalid_route: { status: 422, title: 'Invalid route' },
  invalid_url: { status: 422, title: 'Invalid webhook or callback URL' },
  target_not_allowed: { status: 422, title: 'Webhook or callback URL not on the public internet' },
  invalid_channel: { status: 422, title: 'Invalid channel configuration' },
  channel_in_use: { status: 409, title: 'Channel still used by a route' },
  invalid_extension: { status: 422, title: 'Invalid extension code' },
  extension_taken: { status: 409, title: 'Extension code used by another tenant' },
  invalid_keyword: { status: 422, title: 'Invalid inbound keyword' },
  contract_expired: { status: 403, title: 'The service contract has ended' },
  contract_not_started: { status: 403, title: 'The service contract has not started' },
  rate_limited: { status: 429, title: 'Too many requests' },
  export_too_large: { status: 422, title: 'Too many rows to export' },
  internal_error: { status: 500, title: 'Internal error' },
} as const;

export type ErrorCode = keyof typeof errorCatalog;

/** A failure the domain expects and names; never a bug. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  /** The detail as a catalog entry (core/i18n), so a transport can say it in the caller's language. */
  readonly localized: { key: MessageKey; params: MessageParams } | undefined;

  constructor(
    code: ErrorCode,
    detail: string,
    details?: Record<string, unknown>,
    localized?: { key: MessageKey; params: MessageParams },
  ) {
    super(detail);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
    this.localized = localized;
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}
