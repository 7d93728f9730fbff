// The SMPP PDUs the SMSC simulator reads and writes beyond what the `smpp` package does for it:
// the raw short_message of a submit_sm (SMPP 3.4 §4.4.1), the 'submit' event, an MO deliver_sm and
// a delivery receipt deliver_sm (§4.6.1; receipt text per Appendix B, message_state and
// network_error_code TLVs per §5.3.2.35 and §5.3.2.31).
import { randomBytes, randomInt } from 'node:crypto';
import smpp, { type PDU } from 'smpp';
import { messageStateFromStat } from '../core/receipts.ts';
import { chooseEncoding, dataCodingFor, encodeUcs2 } from '../core/message/encoding.ts';
import { encodeGsm7 } from '../core/message/gsm7.ts';
import type { InboundMessage } from './carrier-core.ts';
import type { OwedReceipt } from './receipt-journal.ts';
import type { SubmitEvent } from './smsc-types.ts';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

// YYMMDDhhmm (UTC) for the receipt text, cached per minute.
let dateMinute = -1;
let dateText = '';
export function receiptDate(ms: number): string {
  const minute = Math.floor(ms / 60_000);
  if (minute !== dateMinute) {
    const d = new Date(minute * 60_000);
    const p = (n: number) => String(n).padStart(2, '0');
    dateText =
      p(d.getUTCFullYear() % 100) +
      p(d.getUTCMonth() + 1) +
      p(d.getUTCDate()) +
      p(d.getUTCHours()) +
      p(d.getUTCMinutes());
    dateMinute = minute;
  }
  return dateText;
}

// Receipt text is sent as data_coding 0; keep only characters with the same code in ASCII and GSM 03.38.
const UNSAFE_TEXT = /[^A-Za-z0-9 !"#%&'()*+,\-./:;<=>?]/g;

function skipCString(b: Buffer, offset: number): number {
  const end = b.indexOf(0, offset);
  return end < 0 ? b.length : end + 1;
}

/**
 * The raw short_message (or message_payload) of a submit_sm, from the PDU body as read after the
 * 4-octet command_length (so command_id is at 0 and the mandatory fields start at 12).
 */
export function rawUserData(body: Buffer): Buffer {
  let o = 12;
  o = skipCString(body, o); // service_type
  o = skipCString(body, o + 2); // source_addr_ton, _npi, source_addr
  o = skipCString(body, o + 2); // dest_addr_ton, _npi, destination_addr
  o += 3; // esm_class, protocol_id, priority_flag
  o = skipCString(body, o); // schedule_delivery_time
  o = skipCString(body, o); // validity_period
  o += 4; // registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id
  if (o >= body.length) return Buffer.alloc(0);
  const length = body[o] as number;
  o += 1;
  const sm = body.subarray(o, Math.min(body.length, o + length));
  o += length;
  if (sm.length === 0) {
    while (o + 4 <= body.length) {
      const tag = body.readUInt16BE(o);
      const len = body.readUInt16BE(o + 2);
      o += 4;
      if (tag === 0x0424) return Buffer.from(body.subarray(o, Math.min(body.length, o + len)));
      o += len;
    }
  }
  return Buffer.from(sm);
}

function decodedText(field: unknown): string | null {
  if (typeof field === 'string') return field;
  if (field && typeof field === 'object' && 'message' in field) {
    const m = (field as { message: unknown }).message;
    return typeof m === 'string' ? m : null;
  }
  return null;
}

function addressTonNpi(addr: string): [number, number] {
  if (/^\+?[0-9]+$/.test(addr)) return [1, 1]; // international, E.164
  return [5, 0]; // alphanumeric
}

/** The first 20 characters of the submitted text, for the receipt's `text:` field. */
export function receiptExcerpt(pdu: PDU): string {
  const text = decodedText(pdu.short_message) || decodedText(pdu.message_payload) || '';
  return text.slice(0, 20).replace(UNSAFE_TEXT, '.');
}

/** The 'submit' event of a submit_sm; `body` is its raw bytes (the next PDU overwrites them). */
export function submitEventOf(
  sessionId: number,
  systemId: string | null,
  pdu: PDU,
  body: Buffer | null,
): Omit<SubmitEvent, 'commandStatus' | 'messageId'> {
  const esmClass = num(pdu.esm_class);
  const shortMessage = body ? rawUserData(body) : Buffer.alloc(0);
  const udhi =
    (esmClass & 0x40) !== 0 &&
    shortMessage.length > 0 &&
    (shortMessage[0] as number) + 1 <= shortMessage.length;
  return {
    sessionId,
    systemId,
    sequenceNumber: pdu.sequence_number,
    sourceAddr: str(pdu.source_addr),
    destinationAddr: str(pdu.destination_addr),
    esmClass,
    dataCoding: num(pdu.data_coding),
    registeredDelivery: num(pdu.registered_delivery),
    shortMessage,
    udh: udhi ? shortMessage.subarray(0, (shortMessage[0] as number) + 1) : null,
    text: decodedText(pdu.short_message) || decodedText(pdu.message_payload),
  };
}

/**
 * A mobile-originated deliver_sm (esm_class 0). GSM-7 text goes as data_coding 0, anything else as
 * UCS-2 (8); text longer than one SMS goes in message_payload.
 */
export function inboundDeliverSm(msg: InboundMessage): PDU {
  const encoding = chooseEncoding(msg.text);
  const bytes = Buffer.from(encoding === 'gsm7' ? encodeGsm7(msg.text) : encodeUcs2(msg.text));
  const single = bytes.length <= (encoding === 'gsm7' ? 160 : 140);
  const [srcTon, srcNpi] = addressTonNpi(msg.from);
  const [dstTon, dstNpi] = addressTonNpi(msg.to);
  return new smpp.PDU('deliver_sm', {
    source_addr_ton: srcTon,
    source_addr_npi: srcNpi,
    source_addr: msg.from.replace(/^\+/, ''),
    dest_addr_ton: dstTon,
    dest_addr_npi: dstNpi,
    destination_addr: msg.to.replace(/^\+/, ''),
    esm_class: 0,
    data_coding: dataCodingFor(encoding),
    ...(single
      ? { short_message: bytes }
      : { short_message: Buffer.alloc(0), message_payload: bytes }),
  });
}

/** The fields of a receipt's deliver_sm: the text form and the TLVs, done `now`. */
export function receiptDeliverSm(
  job: Omit<OwedReceipt, 'seq' | 'due' | 'systemId'> & { text: string },
  now: number,
): Record<string, unknown> {
  const delivered = job.stat === 'DELIVRD';
  const text =
    `id:${job.id} sub:001 dlvrd:${delivered ? '001' : '000'} submit date:${job.submitDate}` +
    ` done date:${receiptDate(now)} stat:${job.stat} err:${job.err} text:${job.text}`;
  const fields: Record<string, unknown> = {
    source_addr_ton: job.srcTon,
    source_addr_npi: job.srcNpi,
    source_addr: job.src,
    dest_addr_ton: job.dstTon,
    dest_addr_npi: job.dstNpi,
    destination_addr: job.dst,
    esm_class: 0x04,
    data_coding: 0,
    short_message: Buffer.from(text, 'latin1').subarray(0, 254), // sm_length is one octet
    receipted_message_id: job.id,
    message_state: messageStateFromStat(job.stat),
  };
  const errCode = /^\d{1,5}$/.test(job.err) ? Number(job.err) : 0;
  if (!delivered && errCode > 0 && errCode <= 0xffff) {
    // network_error_code: network type 3 (GSM) + the error code (SMPP 3.4 §5.3.2.31).
    fields.network_error_code = Buffer.from([3, errCode >> 8, errCode & 0xff]);
  }
  return fields;
}

/** The SMSC's message ids: unique per instance (a random prefix, then a counter), in submit_sm_resp
 * as hex or decimal, and in receipts in that form or the other (Jasmin `dlr_msgid`). */
export class SmscMessageIds {
  readonly #prefix: string;
  #counter = 0;

  constructor(
    private readonly format: 'hex' | 'decimal',
    private readonly receiptFormat: 'same' | 'hex' | 'decimal',
  ) {
    this.#prefix =
      format === 'hex' ? randomBytes(4).toString('hex') : String(randomInt(100_000, 1_000_000));
  }

  next(): string {
    const n = ++this.#counter;
    return this.format === 'hex'
      ? this.#prefix + n.toString(16).padStart(8, '0')
      : this.#prefix + String(n).padStart(10, '0');
  }

  /** The id as the receipt carries it. */
  inReceipt(messageId: string): string {
    const to = this.receiptFormat;
    if (to === 'same' || to === this.format) return messageId;
    return to === 'decimal'
      ? BigInt('0x' + messageId).toString(10)
      : BigInt(messageId).toString(16);
  }
}

/** What the journal keeps of a receipt: everything but the text and the session. */
export function ownedOf(job: OwedReceipt): Omit<OwedReceipt, 'seq'> {
  return {
    id: job.id,
    systemId: job.systemId,
    src: job.src,
    srcTon: job.srcTon,
    srcNpi: job.srcNpi,
    dst: job.dst,
    dstTon: job.dstTon,
    dstNpi: job.dstNpi,
    submitDate: job.submitDate,
    stat: job.stat,
    err: job.err,
    due: job.due,
  };
}

/** The receipt a submit_sm is owed (src = the handset, dst = the original source), as of `now`. */
export function owedReceiptOf(
  pdu: PDU,
  id: string,
  outcome: { stat: string; err: string },
  now: number,
  due: number,
): Omit<OwedReceipt, 'seq' | 'systemId'> & { text: string } {
  return {
    id,
    src: str(pdu.destination_addr),
    srcTon: num(pdu.dest_addr_ton),
    srcNpi: num(pdu.dest_addr_npi),
    dst: str(pdu.source_addr),
    dstTon: num(pdu.source_addr_ton),
    dstNpi: num(pdu.source_addr_npi),
    submitDate: receiptDate(now),
    stat: outcome.stat,
    err: outcome.err,
    text: receiptExcerpt(pdu),
    due,
  };
}
