// command_status values the tenant-facing SMPP server answers with, and how a domain error code
// (core/errors.ts) becomes one. SMPP 3.4 §5.1.3 (reference sms-domain.md §1.6); the table is
// documented in docs/smpp.md — change both together.
//
// Refusals that SMPP 3.4 has no word for (a short balance, blocked content, an opted-out
// recipient…) use the range §5.1.3 reserves for SMSC vendors, 0x0400–0x04FF, so a client can
// tell them apart; clients that do not know them treat them as a generic permanent failure.

export const ESME_ROK = 0x00;
export const ESME_RINVMSGLEN = 0x01;
export const ESME_RINVCMDLEN = 0x02;
export const ESME_RINVCMDID = 0x03;
export const ESME_RINVBNDSTS = 0x04;
export const ESME_RALYBND = 0x05;
export const ESME_RSYSERR = 0x08;
export const ESME_RINVDSTADR = 0x0b;
export const ESME_RBINDFAIL = 0x0d;
export const ESME_RINVPASWD = 0x0e;
export const ESME_RINVSYSID = 0x0f;
export const ESME_RMSGQFUL = 0x14;
export const ESME_RINVESMCLASS = 0x43;
export const ESME_RSUBMITFAIL = 0x45;
export const ESME_RTHROTTLED = 0x58;
export const ESME_RX_T_APPN = 0x64;
export const ESME_RX_P_APPN = 0x65;
export const ESME_RX_R_APPN = 0x66;
export const ESME_RINVOPTPARNOTALLWD = 0xc1;
/** SMPP 5.0 §4.7.6 "Invalid Data Coding Scheme", in the range 3.4 reserved for SMPP extensions. */
export const ESME_RINVDCS = 0x104;

/** Hongyan's vendor codes (SMPP 3.4 §5.1.3: 0x0400–0x04FF "reserved for SMSC vendor specific errors"). */
export const HY_INSUFFICIENT_BALANCE = 0x400;
export const HY_CONTENT_BLOCKED = 0x401;
export const HY_RECIPIENT_OPTED_OUT = 0x402;
export const HY_RECIPIENT_BLOCKED = 0x403;
export const HY_SIGNATURE = 0x404;
export const HY_TEMPLATE = 0x405;
export const HY_ACCOUNT_NOT_ACTIVE = 0x406;
export const HY_CONTRACT = 0x407;
export const HY_NO_PRICE = 0x408;
export const HY_FREQUENCY_LIMITED = 0x409;
/** The text has a character that cannot be sent (a lone UTF-16 surrogate, NUL): permanent, do not retry. */
export const HY_INVALID_TEXT = 0x40a;

const NAMES: Readonly<Record<number, string>> = {
  [ESME_ROK]: 'ESME_ROK',
  [ESME_RINVMSGLEN]: 'ESME_RINVMSGLEN',
  [ESME_RINVCMDLEN]: 'ESME_RINVCMDLEN',
  [ESME_RINVCMDID]: 'ESME_RINVCMDID',
  [ESME_RINVBNDSTS]: 'ESME_RINVBNDSTS',
  [ESME_RALYBND]: 'ESME_RALYBND',
  [ESME_RSYSERR]: 'ESME_RSYSERR',
  [ESME_RINVDSTADR]: 'ESME_RINVDSTADR',
  [ESME_RBINDFAIL]: 'ESME_RBINDFAIL',
  [ESME_RINVPASWD]: 'ESME_RINVPASWD',
  [ESME_RINVSYSID]: 'ESME_RINVSYSID',
  [ESME_RMSGQFUL]: 'ESME_RMSGQFUL',
  [ESME_RINVESMCLASS]: 'ESME_RINVESMCLASS',
  [ESME_RSUBMITFAIL]: 'ESME_RSUBMITFAIL',
  [ESME_RTHROTTLED]: 'ESME_RTHROTTLED',
  [ESME_RX_T_APPN]: 'ESME_RX_T_APPN',
  [ESME_RX_P_APPN]: 'ESME_RX_P_APPN',
  [ESME_RX_R_APPN]: 'ESME_RX_R_APPN',
  [ESME_RINVOPTPARNOTALLWD]: 'ESME_RINVOPTPARNOTALLWD',
  [ESME_RINVDCS]: 'ESME_RINVDCS',
  [HY_INSUFFICIENT_BALANCE]: 'HY_INSUFFICIENT_BALANCE',
  [HY_CONTENT_BLOCKED]: 'HY_CONTENT_BLOCKED',
  [HY_RECIPIENT_OPTED_OUT]: 'HY_RECIPIENT_OPTED_OUT',
  [HY_RECIPIENT_BLOCKED]: 'HY_RECIPIENT_BLOCKED',
  [HY_SIGNATURE]: 'HY_SIGNATURE',
  [HY_TEMPLATE]: 'HY_TEMPLATE',
  [HY_ACCOUNT_NOT_ACTIVE]: 'HY_ACCOUNT_NOT_ACTIVE',
  [HY_CONTRACT]: 'HY_CONTRACT',
  [HY_NO_PRICE]: 'HY_NO_PRICE',
  [HY_FREQUENCY_LIMITED]: 'HY_FREQUENCY_LIMITED',
  [HY_INVALID_TEXT]: 'HY_INVALID_TEXT',
};

/** `ESME_RTHROTTLED`, or `0x00000123` for a value we never send. */
export function commandStatusName(status: number): string {
  return NAMES[status] ?? `0x${status.toString(16).padStart(8, '0')}`;
}

/** Domain error code → submit_sm_resp command_status. */
const BY_CODE: Readonly<Record<string, number>> = {
  invalid_number: ESME_RINVDSTADR,
  no_recipients: ESME_RINVDSTADR,
  duplicate_recipient: ESME_RINVDSTADR,
  missing_text: ESME_RINVMSGLEN,
  empty_text: ESME_RINVMSGLEN,
  text_too_long: ESME_RINVMSGLEN,
  invalid_text: HY_INVALID_TEXT,
  invalid_request: ESME_RSUBMITFAIL,
  insufficient_balance: HY_INSUFFICIENT_BALANCE,
  content_blocked: HY_CONTENT_BLOCKED,
  content_rejected: HY_CONTENT_BLOCKED,
  recipient_opted_out: HY_RECIPIENT_OPTED_OUT,
  recipient_blocked: HY_RECIPIENT_BLOCKED,
  signature_required: HY_SIGNATURE,
  signature_not_approved: HY_SIGNATURE,
  invalid_signature: HY_SIGNATURE,
  template_not_approved: HY_TEMPLATE,
  template_params_invalid: HY_TEMPLATE,
  invalid_template: HY_TEMPLATE,
  free_text_not_allowed: HY_TEMPLATE,
  tenant_pending: HY_ACCOUNT_NOT_ACTIVE,
  tenant_suspended: HY_ACCOUNT_NOT_ACTIVE,
  tenant_terminated: HY_ACCOUNT_NOT_ACTIVE,
  contract_expired: HY_CONTRACT,
  contract_not_started: HY_CONTRACT,
  no_price: HY_NO_PRICE,
  frequency_limited: HY_FREQUENCY_LIMITED,
  rate_limited: ESME_RTHROTTLED,
  service_unavailable: ESME_RSYSERR,
  internal_error: ESME_RSYSERR,
};

/** The command_status for a domain error code; ESME_RSUBMITFAIL for one this table lacks. */
export function commandStatusFor(code: string): number {
  return BY_CODE[code] ?? ESME_RSUBMITFAIL;
}

/** Every code with an entry (for the docs test). */
export function mappedCodes(): string[] {
  return Object.keys(BY_CODE);
}
