// Delivery receipts (DLRs): reading a receipt from a deliver_sm's TLVs and text, mapping `stat` /
// `message_state` to a final status, and matching carrier message ids. What a carrier's
// submit_sm_resp command_status means lives with the wire vocabulary: protocols/smpp/command-status.ts.
// Sources: SMPP 3.4 §5.3.2 (TLVs: receipted_message_id, message_state, network_error_code),
// SMPP 3.4 Appendix B (the receipt text), CMPP 3.0 §7.4.5.1 (the Stat of a status report).
// Pure: no I/O, no Buffer (bytes are Uint8Array).

// ---------------------------------------------------------------------------------------------
// Receipt text
// ---------------------------------------------------------------------------------------------

/** The fields of the (vendor-specific) receipt text, as raw strings. Only `id` is required. */
export interface ReceiptText {
  id: string;
  sub?: string;
  dlvrd?: string;
  /** YYMMDDhhmm or YYMMDDhhmmss, verbatim. */
  submitDate?: string;
  /** YYMMDDhhmm or YYMMDDhhmmss, verbatim. */
  doneDate?: string;
  stat?: string;
  err?: string;
  /** Everything after `text:` (first 20 characters of the message, by convention). */
  text?: string;
}

type TextKey = 'id' | 'sub' | 'dlvrd' | 'submitDate' | 'doneDate' | 'stat' | 'err' | 'text';

// A key is one of the known words, at the start or after whitespace, then a colon. Keys are found
// first and each value is whatever lies up to the next key, so values may hold colons (`stat:MK:0005`)
// or be empty (`err: text:`), and extra spaces do not matter. Everything after `text:` is the text,
// even if it looks like more keys.
const KEY_RE = /(?:^|\s)(id|sub|dlvrd|submit[\s_-]*date|done[\s_-]*date|stat|err|text)\s*:/gi;

function keyName(raw: string): TextKey {
  const k = raw.toLowerCase();
  if (k.startsWith('submit')) return 'submitDate';
  if (k.startsWith('done')) return 'doneDate';
  return k as TextKey;
}

/**
 * Parses `id:IIII sub:001 dlvrd:001 submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DELIVRD err:000
 * text:....`. Tolerant of key case (`Text:`, `Stat:`), 10- or 12-digit dates, hex / decimal / dashed
 * ids, missing fields, extra spaces and field order. Returns null when there is no non-empty `id`.
 * The first occurrence of a key wins.
 */
export function parseReceiptText(text: string): ReceiptText | null {
  if (typeof text !== 'string' || text.length === 0) return null;
  const found: Array<{ key: TextKey; valueStart: number; keyStart: number }> = [];
  KEY_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = KEY_RE.exec(text)) !== null) {
    const key = keyName(m[1] as string);
    const keyStart = m.index + (m[0].length - m[0].trimStart().length);
    found.push({ key, valueStart: m.index + m[0].length, keyStart });
    if (key === 'text') break;
  }
  KEY_RE.lastIndex = 0;

  const out: Partial<Record<TextKey, string>> = {};
  for (let i = 0; i < found.length; i++) {
    const f = found[i] as (typeof found)[number];
    if (f.key in out) continue;
    if (f.key === 'text') {
      out.text = text
        .slice(f.valueStart)
        .replace(/^ /, '')
        .replace(/[\r\n\0]+$/, '');
      continue;
    }
    const end =
      i + 1 < found.length ? (found[i + 1] as (typeof found)[number]).keyStart : text.length;
    out[f.key] = text.slice(f.valueStart, end).trim();
  }

  // The id is the first token of its value ("id:123 456 sub:…" → "123"); a receipt needs one.
  const id = out.id?.split(/\s/, 1)[0];
  if (id === undefined || id.length === 0) return null;
  const result: ReceiptText = { id };
  if (out.sub !== undefined) result.sub = out.sub;
  if (out.dlvrd !== undefined) result.dlvrd = out.dlvrd;
  if (out.submitDate !== undefined) result.submitDate = out.submitDate;
  if (out.doneDate !== undefined) result.doneDate = out.doneDate;
  if (out.stat !== undefined && out.stat.length > 0) result.stat = out.stat;
  if (out.err !== undefined && out.err.length > 0) result.err = out.err;
  if (out.text !== undefined) result.text = out.text;
  return result;
}

// ---------------------------------------------------------------------------------------------
// stat / message_state → final status
// ---------------------------------------------------------------------------------------------

export type FinalStatus = 'delivered' | 'undelivered' | 'expired' | 'rejected' | 'unknown';

/** SMPP 3.4 message_state TLV (0x0427) values → the 7-character receipt `stat` word (SMPP 3.4 §5.2.28, Appendix B). */
const MESSAGE_STATES: Readonly<Record<number, string>> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};

/** message_state (1 ENROUTE … 8 REJECTED) → stat word; null for anything else (0/9 are SMPP 5.0). */
export function statFromMessageState(n: number): string | null {
  return MESSAGE_STATES[n] ?? null;
}

/**
 * The message_state value for a stat word (the inverse of statFromMessageState, also accepting the
 * spelled-out names). Carrier-specific failure codes (`MK:0005`, `UNDELIV_601`…) count by their
 * final status, unknown failures as UNDELIVERABLE (5).
 */
export function messageStateFromStat(stat: string): number {
  const s = stat.trim().toUpperCase();
  const direct = STATE_BY_WORD[s];
  if (direct !== undefined) return direct;
  switch (statusFromStat(s)) {
    case 'delivered':
      return 2;
    case 'expired':
      return 3;
    case 'rejected':
      return 8;
    case 'unknown':
      return 7;
    case null:
      return 1;
    default:
      return 5;
  }
}

const STATE_BY_WORD: Readonly<Record<string, number>> = {
  ENROUTE: 1,
  DELIVRD: 2,
  DELIVERED: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIV: 5,
  UNDELIVERABLE: 5,
  ACCEPTD: 6,
  ACCEPTED: 6,
  UNKNOWN: 7,
  REJECTD: 8,
  REJECTED: 8,
};

const STAT_WORDS: Readonly<Record<string, FinalStatus | null>> = {
  DELIVRD: 'delivered',
  DELIVERED: 'delivered',
  UNDELIV: 'undelivered',
  UNDELIVERABLE: 'undelivered',
  EXPIRED: 'expired',
  DELETED: 'undelivered',
  REJECTD: 'rejected',
  REJECTED: 'rejected',
  UNKNOWN: 'unknown',
  ACCEPTD: null,
  ACCEPTED: null,
  ENROUTE: null,
};

/**
 * Receipt `stat` → final status, or null when the state is not final (ACCEPTD, ENROUTE) or empty.
 * Case-insensitive. Besides the SMPP words (and the spelled-out message_state names), handles the
 * forms Chinese carriers send (CMPP 3.0 §7.4.5.1 Stat, SMGP 3.0): `UNDELIV_601` / `EXPIRED_601` / `REJECTD_006` (SMGP: word + `_` +
 * code) map by their word, and any other non-empty code (`MK:0005`, `DB:0141`, `BLACK`, `SGIP:23`…)
 * is a carrier-specific FAILURE → 'undelivered'. Keep the raw stat next to it for normalisation.
 */
export function statusFromStat(stat: string): FinalStatus | null {
  const s = stat.trim().toUpperCase();
  if (s.length === 0) return null;
  if (s in STAT_WORDS) return STAT_WORDS[s] as FinalStatus | null;
  const word = /^([A-Z]+)_/.exec(s)?.[1];
  if (word !== undefined && word in STAT_WORDS && STAT_WORDS[word] !== null)
    return STAT_WORDS[word] as FinalStatus;
  return 'undelivered';
}

// ---------------------------------------------------------------------------------------------
// Reading a receipt from a deliver_sm / data_sm
// ---------------------------------------------------------------------------------------------

export interface ReceiptInput {
  esmClass: number;
  /** The decoded short_message (or message_payload); null/empty for TLV-only receipts. */
  text: string | null;
  /** receipted_message_id TLV (0x001E). */
  receiptedMessageId?: string | null;
  /** message_state TLV (0x0427). */
  messageState?: number | null;
  /** network_error_code TLV (0x0423): network type (1 octet) + error code (2 octets). */
  networkErrorCode?: Uint8Array | null;
}

export interface Receipt {
  /** The carrier's message id, verbatim (trimmed); match it with normaliseCarrierId / carrierIdVariants. */
  carrierId: string;
  /** Raw stat, verbatim: the text's `stat` when present (it may carry a carrier code), else from message_state. */
  stat: string;
  /** Final status (message_state TLV first, then the stat text); null = not final (ENROUTE/ACCEPTD). */
  status: FinalStatus | null;
  /** The text's `err`; else the network_error_code TLV's code as 3+ decimal digits; else null. */
  err: string | null;
  /** The text's done date, verbatim, when it is 10 or 12 digits (YYMMDDhhmm[ss]). */
  doneAt?: string;
}

/** True when esm_class marks an SMSC delivery receipt: message type bits 5–2 = 0001 (SMPP 3.4 §5.2.12). */
export function isReceiptEsmClass(esmClass: number): boolean {
  return (esmClass & 0x3c) === 0x04;
}

/**
 * Reads a delivery receipt. Null when esm_class does not mark a receipt, or no carrier id or no
 * state can be found. Like Jasmin: the id and the state come from the TLVs
 * (receipted_message_id, message_state) when present, otherwise from the text. A valid
 * message_state decides `status`; the raw `stat` stays the text's when the text has one, so a
 * carrier code such as `MK:0005` is not lost.
 */
export function readReceipt(input: ReceiptInput): Receipt | null {
  if (!isReceiptEsmClass(input.esmClass)) return null;
  const parsed = input.text ? parseReceiptText(input.text) : null;

  const tlvId =
    typeof input.receiptedMessageId === 'string'
      ? input.receiptedMessageId.replace(/\0+$/, '').trim()
      : '';
  const carrierId = tlvId.length > 0 ? tlvId : (parsed?.id.trim() ?? '');
  if (carrierId.length === 0) return null;

  const tlvStat =
    typeof input.messageState === 'number' ? statFromMessageState(input.messageState) : null;
  const textStat = parsed?.stat;
  const stat = textStat ?? tlvStat;
  if (stat === null || stat === undefined) return null;
  const status = tlvStat !== null ? statusFromStat(tlvStat) : statusFromStat(stat);

  let err: string | null = parsed?.err ?? null;
  const nec = input.networkErrorCode;
  if (err === null && nec && nec.length >= 3) {
    err = String(((nec[1] as number) << 8) | (nec[2] as number)).padStart(3, '0');
  }

  const receipt: Receipt = { carrierId, stat, status, err };
  if (parsed?.doneDate !== undefined && /^\d{10}(\d{2})?$/.test(parsed.doneDate))
    receipt.doneAt = parsed.doneDate;
  return receipt;
}

// ---------------------------------------------------------------------------------------------
// Carrier message ids
// ---------------------------------------------------------------------------------------------

/** Trim, lowercase, strip leading zeros ("000" → "0"). Dashes and other characters are kept. */
export function normaliseCarrierId(id: string): string {
  const s = id.replace(/\0+$/, '').trim().toLowerCase();
  const stripped = s.replace(/^0+/, '');
  if (stripped.length === 0) return s.length > 0 ? '0' : '';
  return stripped;
}

/**
 * Per-connection message-id format (Jasmin `dlr_msgid`):
 * 'same' (0) — both sides use the same form; 'hex-resp-dec-dlr' (1) — submit_sm_resp gives hex, the
 * receipt decimal; 'dec-resp-hex-dlr' (2) — the reverse.
 */
export type CarrierIdMode = 'same' | 'hex-resp-dec-dlr' | 'dec-resp-hex-dlr';

const DEC_RE = /^[0-9]+$/;
const HEX_RE = /^[0-9a-f]+$/;

/**
 * The normalised ids to try when matching `id` against the other side: the id itself first, then
 * (per mode) its hex⇄decimal conversion. `from` says where `id` came from: 'dlr' (default: a receipt,
 * looked up against stored submit_sm_resp ids) or 'resp' (a submit_sm_resp id, e.g. to store both keys).
 * An id that is not a number in the expected base yields only itself.
 */
export function carrierIdVariants(
  id: string,
  mode: CarrierIdMode,
  from: 'dlr' | 'resp' = 'dlr',
): string[] {
  const own = normaliseCarrierId(id);
  if (mode === 'same' || own.length === 0) return [own];
  // Which base is `id` written in? The response side is hex in mode 1, decimal in mode 2.
  const idIsHex = (mode === 'hex-resp-dec-dlr') === (from === 'resp');
  let converted: string | null = null;
  if (idIsHex && HEX_RE.test(own)) converted = BigInt('0x' + own).toString(10);
  else if (!idIsHex && DEC_RE.test(own)) converted = BigInt(own).toString(16);
  return converted === null || converted === own ? [own] : [own, converted];
}
