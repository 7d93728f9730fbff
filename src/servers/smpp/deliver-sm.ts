// The deliver_sm the server sends a tenant: a delivery receipt (esm_class 0x04, the receipt text,
// receipted_message_id and message_state TLVs) or an inbound message (esm_class 0). Plain field
// objects for node-smpp's PDU; pure. SMPP 3.4 §4.6.1, Appendix B.
import { encodeUcs2 } from '../../core/message/encoding.ts';
import { encodeGsm7, isGsm7Text } from '../../core/message/gsm7.ts';
import {
  ESME_ROK,
  ESME_RX_P_APPN,
  ESME_RX_R_APPN,
  commandStatusName,
} from '../../protocols/smpp/command-status.ts';
import type { DeliveryAnswer } from '../session/deliveries.ts';
import { receiptOutcome, wantsReceipt } from '../session/receipt-outcome.ts';
import { clientIds, receiptSnippet, receiptText } from './receipt.ts';

export type DeliverFields = Record<string, unknown>;

/** TON/NPI for an address: E.164 digits international/ISDN, short numbers network-specific, else alphanumeric. */
export function addressType(addr: string): { ton: number; npi: number } {
  const digits = addr.replace(/^\+/, '');
  if (!/^\d+$/.test(digits)) return { ton: 5, npi: 0 };
  if (addr.startsWith('+') || digits.length > 11) return { ton: 1, npi: 1 };
  return { ton: digits.length <= 8 ? 3 : 0, npi: digits.length <= 8 ? 0 : 1 };
}

export interface ReceiptInput {
  messageId: string;
  status: string;
  /** The recipient (E.164): the receipt's source_addr. */
  to: string;
  /** What the client put in source_addr: the receipt's destination_addr. */
  sourceAddr: string | null;
  parts: number | null;
  errorCode: string | null;
  errorDetail: string | null;
  createdAt: number;
  doneAt: number;
  text: string;
}

/** One deliver_sm per id the client holds for the message (see clientIds). */
export function receiptDeliverSms(r: ReceiptInput): DeliverFields[] {
  const outcome = receiptOutcome(r.status, r.errorCode, r.errorDetail);
  const src = addressType(r.to);
  const dst = addressType(r.sourceAddr ?? '');
  const snippet = receiptSnippet(r.text);
  const errCode = /^\d{1,5}$/.test(outcome.err) ? Number(outcome.err) : 0;
  return clientIds(r.messageId, r.parts).map((id) => {
    const text = receiptText({
      id,
      submittedAt: r.createdAt,
      doneAt: r.doneAt,
      stat: outcome.stat,
      err: outcome.err,
      snippet,
    });
    const fields: DeliverFields = {
      source_addr_ton: src.ton,
      source_addr_npi: src.npi,
      source_addr: r.to.replace(/^\+/, ''),
      dest_addr_ton: dst.ton,
      dest_addr_npi: dst.npi,
      destination_addr: r.sourceAddr ?? '',
      esm_class: 0x04,
      data_coding: 0,
      // sm_length is one octet.
      short_message: Buffer.from(text, 'latin1').subarray(0, 254),
      receipted_message_id: id,
      message_state: outcome.messageState,
    };
    if (outcome.stat !== 'DELIVRD' && errCode > 0 && errCode <= 0xffff)
      // network_error_code: network type 3 (GSM) + the error code (SMPP 3.4 §5.3.2.31).
      fields.network_error_code = Buffer.from([3, errCode >> 8, errCode & 0xff]);
    return fields;
  });
}

export interface InboundInput {
  from: string;
  to: string;
  text: string;
}

/**
 * An inbound (MO) message: GSM 03.38 text as data_coding 0, anything else as UCS-2 (8). Text
 * longer than one SMS goes whole in message_payload rather than as concatenated parts.
 */
export function inboundDeliverSm(m: InboundInput): DeliverFields {
  const gsm = isGsm7Text(m.text);
  const bytes = Buffer.from(gsm ? encodeGsm7(m.text) : encodeUcs2(m.text));
  const single = bytes.length <= (gsm ? 160 : 140);
  const src = addressType(m.from);
  const dst = addressType(m.to);
  return {
    source_addr_ton: src.ton,
    source_addr_npi: src.npi,
    source_addr: m.from.replace(/^\+/, ''),
    dest_addr_ton: dst.ton,
    dest_addr_npi: dst.npi,
    destination_addr: m.to.replace(/^\+/, ''),
    esm_class: 0,
    data_coding: gsm ? 0 : 8,
    ...(single
      ? { short_message: bytes }
      : { short_message: Buffer.alloc(0), message_payload: bytes }),
  };
}

/**
 * A failure receipt for ids answered ESME_ROK that never became a message (a concatenated
 * message whose last part was refused, or whose parts did not all come in time): REJECTD.
 */
export function refusedPartReceipt(p: {
  id: string;
  to: string;
  sourceAddr: string;
  at: number;
}): DeliverFields {
  const src = addressType(p.to);
  const dst = addressType(p.sourceAddr);
  const text = receiptText({
    id: p.id,
    submittedAt: p.at,
    doneAt: p.at,
    stat: 'REJECTD',
    err: '000',
    snippet: '',
  });
  return {
    source_addr_ton: src.ton,
    source_addr_npi: src.npi,
    source_addr: p.to.replace(/^\+/, ''),
    dest_addr_ton: dst.ton,
    dest_addr_npi: dst.npi,
    destination_addr: p.sourceAddr,
    esm_class: 0x04,
    data_coding: 0,
    short_message: Buffer.from(text, 'latin1'),
    receipted_message_id: p.id,
    message_state: 8,
  };
}

/** An outbox item as the SMPP server reads it (the outbox store's items satisfy it). */
export type SmppOutboxItem =
  | (ReceiptInput & { kind: 'receipt'; eventId: number; receiptWanted: number })
  | (InboundInput & { kind: 'inbound'; eventId: number });

/** The deliver_sm for an outbox item: an inbound message, or the receipts the client asked for. */
export function deliverSmsFor(item: SmppOutboxItem): DeliverFields[] {
  if (item.kind === 'inbound') return [inboundDeliverSm(item)];
  if (wantsReceipt(item.receiptWanted, item.status)) return receiptDeliverSms(item);
  return [];
}

/**
 * A deliver_sm_resp's (or generic_nack's) command_status as a delivery answer: ESME_ROK taken,
 * ESME_RX_P_APPN / ESME_RX_R_APPN (SMPP 3.4 §5.1.3: permanent / reject) dropped, else retried.
 */
export function deliveryAnswer(status: number): DeliveryAnswer {
  const verdict =
    status === ESME_ROK
      ? 'ok'
      : status === ESME_RX_P_APPN || status === ESME_RX_R_APPN
        ? 'drop'
        : 'retry';
  return { verdict, status: commandStatusName(status) };
}
