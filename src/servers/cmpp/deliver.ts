// What the CMPP server sends a tenant's SP as CMPP_DELIVER, read from the outbox
// (store/smpp-outbox.ts, source 'cmpp'): status reports (Registered_Delivery 1) for messages it
// submitted asking for one, one per Msg_Id it was answered, and inbound (MO) messages of its
// tenant (Registered_Delivery 0). Version-free values: the report struct's width depends on the
// connection's CMPP version, so it is encoded when sent. Reference sms-domain.md §3.1.
import { encodeUcs2 } from '../../core/message/encoding.ts';
import type { OutboxInbound, OutboxReceipt } from '../../store/smpp-outbox.ts';
import { MSG_FMT_ASCII, MSG_FMT_UCS2 } from '../../protocols/cmpp/codec.ts';
import { receiptOutcome, wantsReceipt } from '../smpp/receipt.ts';

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
  const d = new Date(ms + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    p(d.getUTCFullYear() % 100) +
    p(d.getUTCMonth() + 1) +
    p(d.getUTCDate()) +
    p(d.getUTCHours()) +
    p(d.getUTCMinutes())
  );
}

const digits = (addr: string, width: number) => addr.replace(/^\+/, '').slice(0, width);

/** One status report per Msg_Id the SP holds for the message (none if it asked for none). */
export function reportDeliveries(r: OutboxReceipt, newMsgId: () => Buffer): CmppDelivery[] {
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
export function moDeliveries(
  m: OutboxInbound,
  newMsgId: () => Buffer,
  ref: number,
): CmppDelivery[] {
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
