// CMPP Result and Status codes: the one home of their values, their names, what an ISMG's
// SUBMIT_RESP Result means for a submit (channels/cmpp-channel.ts), and which Result the
// tenant-facing CMPP server answers a domain error code (core/errors.ts) with. CMPP 3.0 §7.4.3.2
// defines 0–13; refusals it has no word for use the range §8.7.2 leaves to vendors, 100–199. The
// tenant table is documented in docs/cmpp.md — change both together.

export const RESULT_OK = 0;
/** Bad message structure: unreadable UDH, unsupported Msg_Fmt, text that does not decode. */
export const RESULT_STRUCTURE = 1;
/** Wrong Msg_Length: empty text, odd UCS-2 length, text too long. */
export const RESULT_LENGTH = 4;
/** Flow control: over the account's throughput, or too many SUBMITs waiting for an answer. */
export const RESULT_FLOW_CONTROL = 8;
/** Other error (internal trouble, a refusal this table does not name). */
export const RESULT_OTHER = 9;
/** Wrong Dest_terminal_Id: not a valid number, no recipient, more than 99. */
export const RESULT_BAD_DEST = 13;

export const RESULT_INSUFFICIENT_BALANCE = 100;
export const RESULT_CONTENT_BLOCKED = 101;
export const RESULT_RECIPIENT_OPTED_OUT = 102;
export const RESULT_RECIPIENT_BLOCKED = 103;
export const RESULT_SIGNATURE = 104;
export const RESULT_TEMPLATE = 105;
export const RESULT_ACCOUNT_NOT_ACTIVE = 106;
export const RESULT_CONTRACT = 107;
export const RESULT_NO_PRICE = 108;
export const RESULT_FREQUENCY_LIMITED = 109;
/** The text has a character that cannot be sent (a lone UTF-16 surrogate, NUL): permanent. */
export const RESULT_INVALID_TEXT = 110;

/** Results about the ISMG's own links (not connected, link down, timeout inside the gateway): the
 * part is tried again later instead of failing. */
const GATEWAY_TROUBLE = new Set([51, 52, 53, 54, 70, 73]);

/** What to do with an ISMG's non-zero SUBMIT_RESP Result (the same classes as SMPP's). */
export function classifySubmitResult(result: number): 'rejected' | 'throttled' | 'temporary' {
  if (result === RESULT_FLOW_CONTROL) return 'throttled';
  return GATEWAY_TROUBLE.has(result) ? 'temporary' : 'rejected';
}

/** SUBMIT_RESP Result (CMPP 3.0 §7.4.3.2). */
const RESULT_NAMES: Readonly<Record<number, string>> = {
  1: 'message structure error',
  2: 'command word error',
  3: 'duplicate Msg_Id / sequence',
  4: 'wrong Msg_Length',
  5: 'wrong fee code',
  6: 'over the maximum message length',
  7: 'wrong Service_Id',
  8: 'flow control',
  9: 'gateway does not serve the charged number',
  10: 'wrong Src_Id',
  11: 'wrong Msg_src',
  12: 'wrong Fee_terminal_Id',
  13: 'wrong Dest_terminal_Id',
};

/** An ISMG's Result in words ('flow control'); 'other error' for one the spec does not name. */
export function resultName(result: number): string {
  return RESULT_NAMES[result] ?? 'other error';
}

/** CMPP_CONNECT_RESP Status (CMPP 3.0 §7.4.2). */
export const CONNECT_OK = 0;
export const CONNECT_STRUCTURE = 1;
export const CONNECT_BAD_SOURCE = 2;
export const CONNECT_AUTH = 3;
export const CONNECT_VERSION = 4;
/** Other: the tenant may not send, too many connections, too many failed logins (locked). */
export const CONNECT_OTHER = 5;

/** CONNECT_RESP Status (CMPP 3.0 §7.4.2; 55–57 as ISMGs send them). */
const CONNECT_NAMES: Readonly<Record<number, string>> = {
  1: 'message structure error',
  2: 'illegal source address',
  3: 'authentication failed',
  4: 'version too high',
  55: 'too many connections (system)',
  56: 'too many connections (account)',
  57: 'login from a wrong IP address',
};

/** An ISMG's CONNECT_RESP Status in words; 'other error' for one the spec does not name. */
export function connectStatusName(status: number): string {
  return CONNECT_NAMES[status] ?? 'other error';
}

/** Domain error code → SUBMIT_RESP Result. */
const BY_CODE: Readonly<Record<string, number>> = {
  invalid_number: RESULT_BAD_DEST,
  no_recipients: RESULT_BAD_DEST,
  duplicate_recipient: RESULT_BAD_DEST,
  too_many_recipients: RESULT_BAD_DEST,
  missing_text: RESULT_LENGTH,
  empty_text: RESULT_LENGTH,
  text_too_long: RESULT_LENGTH,
  invalid_text: RESULT_INVALID_TEXT,
  invalid_request: RESULT_STRUCTURE,
  insufficient_balance: RESULT_INSUFFICIENT_BALANCE,
  content_blocked: RESULT_CONTENT_BLOCKED,
  content_rejected: RESULT_CONTENT_BLOCKED,
  recipient_opted_out: RESULT_RECIPIENT_OPTED_OUT,
  recipient_blocked: RESULT_RECIPIENT_BLOCKED,
  signature_required: RESULT_SIGNATURE,
  signature_not_approved: RESULT_SIGNATURE,
  invalid_signature: RESULT_SIGNATURE,
  template_not_approved: RESULT_TEMPLATE,
  template_params_invalid: RESULT_TEMPLATE,
  invalid_template: RESULT_TEMPLATE,
  free_text_not_allowed: RESULT_TEMPLATE,
  tenant_pending: RESULT_ACCOUNT_NOT_ACTIVE,
  tenant_suspended: RESULT_ACCOUNT_NOT_ACTIVE,
  tenant_terminated: RESULT_ACCOUNT_NOT_ACTIVE,
  contract_expired: RESULT_CONTRACT,
  contract_not_started: RESULT_CONTRACT,
  no_price: RESULT_NO_PRICE,
  frequency_limited: RESULT_FREQUENCY_LIMITED,
  rate_limited: RESULT_FLOW_CONTROL,
  service_unavailable: RESULT_OTHER,
  internal_error: RESULT_OTHER,
};

/** The Result for a domain error code; RESULT_OTHER (9) for one this table lacks. */
export function resultFor(code: string): number {
  return BY_CODE[code] ?? RESULT_OTHER;
}

/** Every code with an entry (for the docs). */
export function mappedResultCodes(): string[] {
  return Object.keys(BY_CODE);
}
