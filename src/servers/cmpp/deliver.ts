// What the CMPP server sends a tenant's SP as CMPP_DELIVER, read from the outbox
// (store/smpp-outbox.ts, source 'cmpp'): status reports (Registered_Delivery 1) for messages it
// submitted asking for one, one per Msg_Id it was answered, and inbound (MO) messages of its
// tenant (Registered_Delivery 0). Version-free values: the report struct's width depends on the
// connection's CMPP version, so it is encoded when sent (CMPP 3.0 CMPP_DELIVER).
import { encodeUcs2 } from '../../core/message/encoding.ts';
import {
  MSG_FMT_ASCII,
  MSG_FMT_UCS2,
  encodeStatusReport,
  type CmppPdu,
  type CmppVersion,
} from '../../protocols/cmpp/codec.ts';
import { receiptOutcome, wantsReceipt, yymmddhhmm } from '../session/receipt-outcome.ts';

/** A final status to report, as read from the outbox (the outbox store's receipts satisfy it). */
export interface OutboxReport {
  kind: 'receipt';
  eventId: number;
  status: string;
  to: string;
  sourceAddr: string | null;
  receiptWanted: number;
  errorCode: string | null;
  errorDetail: string | null;
  createdAt: number;
  doneAt: number;
  /** The Msg_Ids (16 hex digits) the SP was answered, in part order. */
  cmppMsgIds?: string[];
}

/** An inbound message, as read from the outbox. */
export interface OutboxMo {
  kind: 'inbound';
  eventId: number;
  from: string;
  to: string;
  text: string;
}

export type CmppOutboxItem = OutboxReport | OutboxMo;

export interface CmppReportDelivery {
  kind: 'report';
  /** This DELIVER's own Msg_Id. */
  msgId: Buffer;
  /** The SP's Src_Id of the submit. */
  destId: string;
  /** The recipient. */
  srcTerminalId: string;
  /** Msg_Id from the SUBMIT_RESP: the SP's correlation key. */
  reportMsgId: Buffer;
  stat: string;
  submitTime: string;
  doneTime: string;
}

export interface CmppMoDelivery {
  kind: 'mo';
  msgId: Buffer;
  /** Service number + extension the user sent to. */
  destId: string;
  srcTerminalId: string;
  msgFmt: number;
  tpUdhi: number;
  content: Buffer;
}

export type CmppDelivery = CmppReportDelivery | CmppMoDelivery;

/** YYMMDDHHMM in China time (UTC+8), the report's time form. */
export function cmppTime(ms: number): string {
  return yymmddhhmm(ms + 8 * 3600_000);
}

const digits = (addr: string, width: number) => addr.replace(/^\+/, '').slice(0, width);

/** One status report per Msg_Id the SP holds for the message (none if it asked for none). */
export function reportDeliveries(r: OutboxReport, newMsgId: () => Buffer): CmppDelivery[] {
  if (!wantsReceipt(r.receiptWanted, r.status)) return [];
  const stat = receiptOutcome(r.status, r.errorCode, r.errorDetail).stat;
  return (r.cmppMsgIds ?? []).map((hex) => ({
    kind: 'report',
    msgId: newMsgId(),
    destId: (r.sourceAddr ?? '').slice(0, 21),
    srcTerminalId: digits(r.to, 21),
    reportMsgId: Buffer.from(hex, 'hex'),
    stat,
    submitTime: cmppTime(r.createdAt),
    doneTime: cmppTime(r.doneAt),
  }));
}

/** A REJECTD report for a Msg_Id answered Result 0 that never became a message. */
export function refusedReport(p: {
  reportMsgId: Buffer;
  to: string;
  srcId: string;
  at: number;
  msgId: Buffer;
}): CmppDelivery {
  return {
    kind: 'report',
    msgId: p.msgId,
    destId: p.srcId.slice(0, 21),
    srcTerminalId: digits(p.to, 21),
    reportMsgId: p.reportMsgId,
    stat: 'REJECTD',
    submitTime: cmppTime(p.at),
    doneTime: cmppTime(p.at),
  };
}

const ASCII = /^[\x20-\x7e\r\n]*$/;

/**
 * An inbound message: ASCII as Msg_Fmt 0 (up to 160 octets), anything else UCS-2 (8). Longer
 * text goes as concatenated DELIVERs (TP_udhi 1, UDH `05 00 03 ref total seq`, 134 octets each).
 */
export function moDeliveries(m: OutboxMo, newMsgId: () => Buffer, ref: number): CmppDelivery[] {
  const ascii = ASCII.test(m.text);
  const bytes = ascii ? Buffer.from(m.text, 'latin1') : Buffer.from(encodeUcs2(m.text));
  const msgFmt = ascii ? MSG_FMT_ASCII : MSG_FMT_UCS2;
  const base = { destId: digits(m.to, 21), srcTerminalId: digits(m.from, 21), msgFmt };
  if (bytes.length <= (ascii ? 160 : 140))
    return [{ kind: 'mo', msgId: newMsgId(), ...base, tpUdhi: 0, content: bytes }];
  const chunks: Buffer[] = [];
  for (let o = 0; o < bytes.length;) {
    let end = Math.min(bytes.length, o + 134);
    // UCS-2: never cut a surrogate pair (a high surrogate ends the chunk: move it to the next).
    if (!ascii && end < bytes.length) {
      const unit = bytes.readUInt16BE(end - 2);
      if (unit >= 0xd800 && unit <= 0xdbff) end -= 2;
    }
    chunks.push(bytes.subarray(o, end));
    o = end;
  }
  const total = Math.min(chunks.length, 255);
  return chunks.slice(0, total).map((c, i) => ({
    kind: 'mo',
    msgId: newMsgId(),
    ...base,
    tpUdhi: 1,
    content: Buffer.concat([Buffer.from([0x05, 0x00, 0x03, ref & 0xff, total, i + 1]), c]),
  }));
}

/** The CMPP_DELIVER for a delivery at the connection's version. */
export function deliverPdu(d: CmppDelivery, sequenceId: number, version: CmppVersion): CmppPdu {
  const content =
    d.kind === 'report'
      ? encodeStatusReport(
          {
            msgId: d.reportMsgId,
            stat: d.stat,
            submitTime: d.submitTime,
            doneTime: d.doneTime,
            destTerminalId: d.srcTerminalId,
            smscSequence: 0,
          },
          version,
        )
      : d.content;
  return {
    command: 'deliver',
    sequenceId,
    msgId: d.msgId,
    destId: d.destId,
    serviceId: '',
    tpPid: 0,
    tpUdhi: d.kind === 'mo' ? d.tpUdhi : 0,
    msgFmt: d.kind === 'mo' ? d.msgFmt : MSG_FMT_ASCII,
    srcTerminalId: d.srcTerminalId,
    srcTerminalType: 0,
    registeredDelivery: d.kind === 'report' ? 1 : 0,
    msgContent: content,
    linkId: '',
    reserve: '',
  };
}
