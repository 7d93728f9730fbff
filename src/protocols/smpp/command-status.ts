// SMPP command_status: the one home of its values (SMPP 3.4 §5.1.3, Table 5-2), their names, what
// a carrier's refusal means for a submit (channels/smpp-channel.ts), and which value the
// tenant-facing SMPP server answers a domain error code (core/errors.ts) with. The tenant table is
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
export const ESME_RINVSRCADR = 0x0a;
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

/** Names beyond SMPP 3.4's own (smppStatusName): SMPP 5.0's DCS code and our vendor codes. */
const NAMES: Readonly<Record<number, string>> = {
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

/** `ESME_RTHROTTLED`, `HY_CONTENT_BLOCKED` (our vendor codes), or `0x00000123` for a value we never send. */
export function commandStatusName(status: number): string {
  return NAMES[status] ?? smppStatusName(status);
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

// ---------------------------------------------------------------------------------------------
// A carrier's submit_sm_resp
// ---------------------------------------------------------------------------------------------

export type SubmitFailure = 'rejected' | 'throttled' | 'temporary';

/**
 * What to do with a non-zero submit_sm_resp command_status from a carrier (SMPP 3.4 §5.1.3, and
 * Jasmin's retry table):
 * - 'throttled': 0x58 RTHROTTLED, 0x14 RMSGQFUL — slow the connection down and retry later.
 * - 'rejected' (permanent for THIS message; retrying cannot help): the message/field errors 0x01–0x03,
 *   0x06, 0x07, 0x0A RINVSRCADR, 0x0B RINVDSTADR, 0x0C, 0x15, 0x33, 0x34, 0x40, 0x42–0x45 (incl. 0x45
 *   RSUBMITFAIL, "usually permanent for that message"), 0x48–0x49, 0x50–0x51, 0x53–0x55, 0x61–0x63,
 *   0xC0–0xC4 (TLV errors), 0xFE RDELIVERYFAILURE, and the SMPP 5.0 range 0x100–0x112
 *   (service type / DCS / broadcast errors, SMPP 5.0 §4.7.6).
 * - 'temporary' (retry, bounded): 0x08 RSYSERR, 0x04 RINVBNDSTS (re-bind), 0x05, 0x0D–0x0F (bind
 *   problems surfacing on submit), 0xFF RUNKNOWNERR, and by DEFAULT everything else, including the
 *   reserved and vendor ranges (0x0400–0x04FF). A failed submit was not accepted, so a bounded retry
 *   cannot duplicate the message; map vendor codes per channel where they are known.
 * Throws RangeError for 0 (ESME_ROK is not a failure).
 */
export function classifySubmitStatus(commandStatus: number): SubmitFailure {
  if (commandStatus === ESME_ROK)
    throw new RangeError('command_status 0 (ESME_ROK) is not a failure');
  if (commandStatus === ESME_RTHROTTLED || commandStatus === ESME_RMSGQFUL) return 'throttled';
  if (PERMANENT.has(commandStatus)) return 'rejected';
  if (commandStatus >= 0xc0 && commandStatus <= 0xc4) return 'rejected';
  if (commandStatus >= 0x100 && commandStatus <= 0x112) return 'rejected';
  return 'temporary';
}

const PERMANENT = new Set<number>([
  0x01, 0x02, 0x03, 0x06, 0x07, 0x0a, 0x0b, 0x0c, 0x15, 0x33, 0x34, 0x40, 0x42, 0x43, 0x44, 0x45,
  0x48, 0x49, 0x50, 0x51, 0x53, 0x54, 0x55, 0x61, 0x62, 0x63, 0xfe,
]);

/** Every command_status SMPP 3.4 names (Table 5-2). */
const SMPP_NAMES: Readonly<Record<number, string>> = {
  0x00: 'ESME_ROK',
  0x01: 'ESME_RINVMSGLEN',
  0x02: 'ESME_RINVCMDLEN',
  0x03: 'ESME_RINVCMDID',
  0x04: 'ESME_RINVBNDSTS',
  0x05: 'ESME_RALYBND',
  0x06: 'ESME_RINVPRTFLG',
  0x07: 'ESME_RINVREGDLVFLG',
  0x08: 'ESME_RSYSERR',
  0x0a: 'ESME_RINVSRCADR',
  0x0b: 'ESME_RINVDSTADR',
  0x0c: 'ESME_RINVMSGID',
  0x0d: 'ESME_RBINDFAIL',
  0x0e: 'ESME_RINVPASWD',
  0x0f: 'ESME_RINVSYSID',
  0x11: 'ESME_RCANCELFAIL',
  0x13: 'ESME_RREPLACEFAIL',
  0x14: 'ESME_RMSGQFUL',
  0x15: 'ESME_RINVSERTYP',
  0x33: 'ESME_RINVNUMDESTS',
  0x34: 'ESME_RINVDLNAME',
  0x40: 'ESME_RINVDESTFLAG',
  0x42: 'ESME_RINVSUBREP',
  0x43: 'ESME_RINVESMCLASS',
  0x44: 'ESME_RCNTSUBDL',
  0x45: 'ESME_RSUBMITFAIL',
  0x48: 'ESME_RINVSRCTON',
  0x49: 'ESME_RINVSRCNPI',
  0x50: 'ESME_RINVDSTTON',
  0x51: 'ESME_RINVDSTNPI',
  0x53: 'ESME_RINVSYSTYP',
  0x54: 'ESME_RINVREPFLAG',
  0x55: 'ESME_RINVNUMMSGS',
  0x58: 'ESME_RTHROTTLED',
  0x61: 'ESME_RINVSCHED',
  0x62: 'ESME_RINVEXPIRY',
  0x63: 'ESME_RINVDFTMSGID',
  0x64: 'ESME_RX_T_APPN',
  0x65: 'ESME_RX_P_APPN',
  0x66: 'ESME_RX_R_APPN',
  0x67: 'ESME_RQUERYFAIL',
  0xc0: 'ESME_RINVOPTPARSTREAM',
  0xc1: 'ESME_ROPTPARNOTALLWD',
  0xc2: 'ESME_RINVPARLEN',
  0xc3: 'ESME_RMISSINGOPTPARAM',
  0xc4: 'ESME_RINVOPTPARAMVAL',
  0xfe: 'ESME_RDELIVERYFAILURE',
  0xff: 'ESME_RUNKNOWNERR',
};

/**
 * SMPP 3.4 name of a carrier's command_status (0x45 → 'ESME_RSUBMITFAIL'); anything else, a vendor
 * code among them, → '0x000004A1'. This is the error code stored for a failed part.
 */
export function smppStatusName(code: number): string {
  return SMPP_NAMES[code] ?? '0x' + (code >>> 0).toString(16).toUpperCase().padStart(8, '0');
}
