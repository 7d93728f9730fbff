// What the SP side puts into and reads out of CMPP frames: the CONNECT login (CMPP 3.0 §7.4.1),
// a part's SUBMIT (§7.4.3.1), an MO DELIVER's text and concatenation (§7.4.5.1, UDH per 3GPP TS
// 23.040 §9.2.3.24.1/.8) and a status report in either version's layout.
//
// Text encoding. CMPP has no GSM 03.38 alphabet, and the dispatcher hands us parts already split and
// encoded for SMPP (data_coding 0 = unpacked GSM septets, 8 = UCS-2). So:
// - data_coding 8 → Msg_Fmt 8 (UCS-2), the bytes as given;
// - data_coding 0 → the septets are decoded to text; pure ASCII goes as Msg_Fmt 0 with ASCII bytes
//   (the spec's Msg_Length < 160 for Msg_Fmt 0, CMPP 3.0 §7.4.3.1, but up to 160 bytes so that a
//   full single GSM part fits, as gateways accept); anything else
//   (£ € è …) goes as Msg_Fmt 8 when UDH + UCS-2 fits 140 bytes, and is otherwise refused as
//   `rejected` / `cmpp_unencodable` (a GSM part of up to 160/153 septets can need 320/306 UCS-2
//   bytes; re-splitting is the dispatcher's job, never the driver's).

import { TextDecoder } from 'node:util';
import { decodeGsm7 } from '../core/message/gsm7.ts';
import { decodeLatin1, decodeUcs2, encodeUcs2 } from '../core/message/encoding.ts';
import type { CmppChannelConfig } from '../core/channels/channel-config.ts';
import {
  CMPP_VERSION_2,
  CMPP_VERSION_3,
  authenticatorIsmg,
  authenticatorSource,
  encode,
  timestampOf,
  type DeliverPdu,
  MSG_FMT_ASCII,
  MSG_FMT_BINARY,
  MSG_FMT_GBK,
  MSG_FMT_UCS2,
  parseStatusReport,
  statusReportLength,
  type CmppVersion,
  type StatusReport,
} from '../protocols/cmpp/codec.ts';
import { failure, type ChannelInbound, type OutboundPart, type SubmitOutcome } from './channel.ts';

const ASCII = /^\p{ASCII}*$/u;
/** The spec says Msg_Length < 160 for Msg_Fmt 0; gateways take 160, and a full GSM single part
 * (160 characters, priced as one part) must not be refused for one byte. */
const MAX_ASCII_CONTENT = 160;
const MAX_CONTENT = 140;
const ZERO_MSG_ID = Buffer.alloc(8);

/** The CONNECT frame and the AuthenticatorSource it carries (checked against the ISMG's answer). */
export function connectFrame(
  cfg: Pick<CmppChannelConfig, 'spId' | 'password' | 'authSourceAddr'>,
  version: CmppVersion,
  sequenceId: number,
  now: Date,
): { frame: Buffer; authSource: Buffer } {
  const timestamp = timestampOf(now);
  const authSource = authenticatorSource(cfg.spId, cfg.password, timestamp, cfg.authSourceAddr);
  const frame = encode(
    {
      command: 'connect',
      sequenceId,
      sourceAddr: cfg.spId,
      authenticatorSource: authSource,
      version,
      timestamp: Number(timestamp),
    },
    version,
  );
  return { frame, authSource };
}

/**
 * AuthenticatorISMG = MD5(Status ‖ AuthenticatorSource ‖ secret) (CMPP 3.0 §7.4.2). Status is
 * hashed at its wire width (1 byte in 2.0) by gocmpp, as 4 bytes by SMSGate-based gateways:
 * accept either.
 */
export function ismgAuthenticated(authIsmg: Buffer, authSource: Buffer, password: string): boolean {
  return (
    authIsmg.equals(authenticatorIsmg(0, authSource, password, CMPP_VERSION_3)) ||
    authIsmg.equals(authenticatorIsmg(0, authSource, password, CMPP_VERSION_2))
  );
}

/** The SUBMIT frame (Sequence_Id 0, set when sent), or the outcome refusing it. */
export function submitFrame(
  part: OutboundPart,
  cfg: Pick<CmppChannelConfig, 'serviceId' | 'spId' | 'sourceAddr'>,
  version: CmppVersion,
): Buffer | SubmitOutcome {
  const content = submitContent(part);
  if (!('msgFmt' in content)) return content;
  const [pkTotal, pkNumber] = part.udh ? concatCounts(part.udh) : [1, 1];
  const to = part.to.replace(/^\+/, '');
  try {
    return encode(
      {
        command: 'submit',
        sequenceId: 0,
        msgId: ZERO_MSG_ID,
        pkTotal,
        pkNumber,
        registeredDelivery: part.wantReceipt ? 1 : 0,
        msgLevel: 0,
        serviceId: cfg.serviceId,
        feeUserType: 0,
        feeTerminalId: '',
        feeTerminalType: 0,
        tpPid: 0,
        tpUdhi: part.udh ? 1 : 0,
        msgFmt: content.msgFmt,
        msgSrc: cfg.spId,
        feeType: '01',
        feeCode: '000000',
        validTime: '',
        atTime: '',
        srcId: (part.from ?? cfg.sourceAddr + (part.extension ?? '')).replace(/^\+/, ''),
        // Chinese ISMGs expect the national 11 digits (or 86…): strip the country code of +86 numbers.
        destTerminalIds: [/^86\d{11}$/.test(to) ? to.slice(2) : to],
        destTerminalType: 0,
        msgContent: content.bytes,
        linkId: '',
        reserve: '',
      },
      version,
    );
  } catch (err) {
    // A field that does not fit its CMPP width (a sender longer than Src_Id's 21 bytes, …).
    return failure('rejected', 'cmpp_bad_field', (err as Error).message);
  }
}

/** An MO DELIVER as the channel reports it: the UDH, if any, removed and its concatenation kept. */
export function inboundOf(pdu: DeliverPdu): ChannelInbound {
  const inbound: ChannelInbound = { from: pdu.srcTerminalId, to: pdu.destId, text: '' };
  let content = pdu.msgContent;
  if (pdu.tpUdhi === 1 && content.length > 0) {
    const udhEnd = 1 + (content[0] as number);
    if (udhEnd <= content.length) {
      const concat = concatInfo(content.subarray(0, udhEnd));
      if (concat) inbound.concat = concat;
      content = content.subarray(udhEnd);
    }
  }
  inbound.text = moText(pdu.msgFmt, content);
  return inbound;
}

/** The report in this connection's layout, else the other version's (a 2.0-style report on 3.0). */
export function statusReportOf(content: Buffer, version: CmppVersion): StatusReport {
  try {
    return parseStatusReport(content, version);
  } catch (err) {
    const other = version === CMPP_VERSION_3 ? CMPP_VERSION_2 : CMPP_VERSION_3;
    if (content.length >= statusReportLength(other)) return parseStatusReport(content, other);
    throw err;
  }
}

/** Msg_Fmt and Msg_Content (UDH included) for a part, by the rule at the top of this file. */
export function submitContent(
  part: OutboundPart,
): { msgFmt: number; bytes: Buffer } | SubmitOutcome {
  const udh = part.udh ?? new Uint8Array(0);
  const join = (body: Uint8Array) => Buffer.concat([udh, body]);
  const tooLong = (detail: string) => failure('rejected', 'cmpp_unencodable', detail);
  switch (part.dataCoding) {
    case 8: {
      if (udh.length + part.userData.length > MAX_CONTENT)
        return tooLong(`UCS-2 content of ${udh.length + part.userData.length} bytes exceeds 140`);
      return { msgFmt: MSG_FMT_UCS2, bytes: join(part.userData) };
    }
    case 4: {
      if (udh.length + part.userData.length > MAX_CONTENT)
        return tooLong(`binary content of ${udh.length + part.userData.length} bytes exceeds 140`);
      return { msgFmt: MSG_FMT_BINARY, bytes: join(part.userData) };
    }
    case 0:
    case 1:
    case 3: {
      const text = part.dataCoding === 3 ? decodeLatin1(part.userData) : decodeGsm7(part.userData);
      if (ASCII.test(text)) {
        if (udh.length + text.length > MAX_ASCII_CONTENT)
          return tooLong(
            `ASCII content of ${udh.length + text.length} bytes exceeds ${MAX_ASCII_CONTENT}`,
          );
        return { msgFmt: MSG_FMT_ASCII, bytes: join(Buffer.from(text, 'latin1')) };
      }
      const ucs2 = encodeUcs2(text);
      if (udh.length + ucs2.length > MAX_CONTENT)
        return tooLong(
          `text outside ASCII needs UCS-2 on CMPP: ${udh.length + ucs2.length} bytes exceed 140`,
        );
      return { msgFmt: MSG_FMT_UCS2, bytes: join(ucs2) };
    }
    default:
      return tooLong(`data_coding ${part.dataCoding} has no CMPP Msg_Fmt`);
  }
}

/** [Pk_total, Pk_number] from a concatenation UDH (8-bit IE 0x00 or 16-bit IE 0x08); [1, 1] otherwise. */
export function concatCounts(udh: Uint8Array): [number, number] {
  const c = concatInfo(udh);
  return c ? [c.total, c.seq] : [1, 1];
}

/** The concatenation IE of a UDH (its length octet first), or undefined. */
export function concatInfo(
  udh: Uint8Array,
): { ref: number; total: number; seq: number } | undefined {
  const end = Math.min(udh.length, 1 + (udh[0] ?? 0));
  let i = 1;
  while (i + 1 < end) {
    const iei = udh[i] as number;
    const len = udh[i + 1] as number;
    const v = i + 2;
    if (v + len > end) return undefined;
    if (iei === 0x00 && len === 3)
      return { ref: udh[v] as number, total: udh[v + 1] as number, seq: udh[v + 2] as number };
    if (iei === 0x08 && len === 4)
      return {
        ref: ((udh[v] as number) << 8) | (udh[v + 1] as number),
        total: udh[v + 2] as number,
        seq: udh[v + 3] as number,
      };
    i = v + len;
  }
  return undefined;
}

let gbk: TextDecoder | null = null;

/** MO text by Msg_Fmt: 0 ASCII, 8 UCS-2 (UTF-16BE), 15 GBK, anything else Latin-1 (best effort). */
export function moText(msgFmt: number, bytes: Uint8Array): string {
  switch (msgFmt) {
    case MSG_FMT_UCS2:
      return decodeUcs2(bytes);
    case MSG_FMT_GBK:
      gbk ??= new TextDecoder('gbk');
      return gbk.decode(bytes);
    default:
      return decodeLatin1(bytes);
  }
}
