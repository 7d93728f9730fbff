// Delivery receipts as the SMPP server sends them to tenants: the ids a client was given, the
// stat word and message_state for a Hongyan final status, and the receipt text of SMPP 3.4
// Appendix B. Pure functions; docs/smpp.md shows the format.
import { yymmddhhmm } from '../session/receipt-outcome.ts';

/** registered_delivery & 3 (SMPP 3.4 §5.2.17): 0 no receipt, 1 always, 2 on failure only, 3 reserved (≈ 1). */
export function receiptRequest(registeredDelivery: number): 0 | 1 | 2 {
  const bits = registeredDelivery & 0x03;
  return bits === 2 ? 2 : bits === 0 ? 0 : 1;
}

/**
 * The message_id a client gets for a Hongyan message: its id without the `msg_` prefix (the
 * 26-character ULID, digits and capitals only). `_` is 0x5F in ASCII but 0x11 in GSM 03.38, so an
 * id with it would read differently in a receipt's text depending on how the client decodes
 * data_coding 0; digits and capitals read the same everywhere. `msg_` + it is the API's id.
 */
export function smppMessageId(messageId: string): string {
  return messageId.startsWith('msg_') ? messageId.slice(4) : messageId;
}

/** The Hongyan message id for an SMPP message_id (a part's `-n` suffix dropped). */
export function hongyanMessageId(smppId: string): string {
  return `msg_${smppId.replace(/-\d+$/, '')}`;
}

/**
 * The message ids the client holds for one Hongyan message: its SMPP id for a single submit_sm;
 * `<id>-1` … `<id>-n` when the client sent it as n concatenated parts (each part's
 * submit_sm_resp carried its own id, and each gets its own receipt).
 */
export function clientIds(messageId: string, parts: number | null): string[] {
  if (parts === null || parts <= 1) return [smppMessageId(messageId)];
  return Array.from({ length: parts }, (_, i) => partId(messageId, i + 1));
}

/** The id answered to part `seq` (1-based) of a concatenated message. */
export function partId(messageId: string, seq: number): string {
  return `${smppMessageId(messageId)}-${seq}`;
}

/** YYMMDDhhmm in UTC, the receipt text's date form. */
export const smppDate = yymmddhhmm;

// The text goes as data_coding 0: keep only characters with the same code in ASCII and GSM 03.38
// (`@`, `$`, `_` and every non-ASCII character differ or are missing), the rest shows as '.'.
const SAFE = /^[A-Za-z0-9 !"#%&'()*+,\-./:;<=>?]$/;

/** The receipt's `text:` field: the first 20 characters (code points) of the message, made safe. */
export function receiptSnippet(text: string): string {
  return Array.from(text)
    .slice(0, 20)
    .map((ch) => (SAFE.test(ch) ? ch : '.'))
    .join('');
}

export interface ReceiptTextFields {
  id: string;
  submittedAt: number;
  doneAt: number;
  stat: string;
  err: string;
  /** Already cut and made safe (receiptSnippet). */
  snippet: string;
}

/** `id:… sub:001 dlvrd:001 submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DELIVRD err:000 text:…` */
export function receiptText(f: ReceiptTextFields): string {
  const dlvrd = f.stat === 'DELIVRD' ? '001' : '000';
  return (
    `id:${f.id} sub:001 dlvrd:${dlvrd} submit date:${smppDate(f.submittedAt)}` +
    ` done date:${smppDate(f.doneAt)} stat:${f.stat} err:${f.err} text:${f.snippet}`
  );
}
