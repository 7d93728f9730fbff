// What the CMPP ISMG simulator decides and builds: the CONNECT check (CMPP 3.0 §7.4.1–7.4.2), the
// Result of an outcome rule, Msg_Ids (§7.4.3.2: time, gateway
// code, sequence), an MO DELIVER's segments, and a status-report DELIVER (§7.4.5.1), with the
// ISMG's Beijing-time clock.
import { encodeUcs2 } from '../core/message/encoding.ts';
import { concatUdh, splitMessage } from '../core/message/parts.ts';
import {
  CMPP_VERSION_2,
  CMPP_VERSION_3,
  MSG_FMT_ASCII,
  MSG_FMT_UCS2,
  authenticatorIsmg,
  authenticatorSourceForm,
  encode,
  encodeMsgId,
  encodeStatusReport,
  type AuthSourceAddrForm,
  type CmppVersion,
  type ConnectPdu,
} from '../protocols/cmpp/codec.ts';
import {
  CONNECT_AUTH,
  CONNECT_BAD_SOURCE,
  CONNECT_OK,
  CONNECT_STRUCTURE,
  CONNECT_VERSION,
  RESULT_BAD_DEST,
  RESULT_FLOW_CONTROL,
  RESULT_OK,
  RESULT_OTHER,
} from '../protocols/cmpp/results.ts';
import {
  ESME_RINVDSTADR,
  ESME_RMSGQFUL,
  ESME_ROK,
  ESME_RTHROTTLED,
} from '../protocols/smpp/command-status.ts';
import type { InboundMessage } from './carrier-core.ts';

const ASCII = /^\p{ASCII}*$/u;

/** Beijing time (UTC+8, the ISMG's clock) split into fields, cached per second. */
let clockSecond = -1;
let clock = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
function beijing(ms: number): typeof clock {
  const s = Math.floor(ms / 1000);
  if (s !== clockSecond) {
    const d = new Date(s * 1000 + 8 * 3600_000);
    clock = {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
    };
    clockSecond = s;
  }
  return clock;
}

/** YYMMDDHHMM, the report's Submit_time / Done_time. */
export function reportTime(ms: number): string {
  const c = beijing(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return p(c.year % 100) + p(c.month) + p(c.day) + p(c.hour) + p(c.minute);
}

/** The DELIVER contents of an MO: ASCII as Msg_Fmt 0 (< 160 bytes), else UCS-2 (≤ 140), split with a UDH. */
export function moSegments(
  text: string,
  ref: number,
): Array<{ msgFmt: number; udhi: boolean; content: Buffer }> {
  if (ASCII.test(text)) {
    if (text.length <= 159)
      return [{ msgFmt: MSG_FMT_ASCII, udhi: false, content: Buffer.from(text, 'latin1') }];
    const per = 153;
    const total = Math.ceil(text.length / per);
    return Array.from({ length: total }, (_, k) => ({
      msgFmt: MSG_FMT_ASCII,
      udhi: true,
      content: Buffer.concat([
        concatUdh(ref, total, k + 1),
        Buffer.from(text.slice(k * per, (k + 1) * per), 'latin1'),
      ]),
    }));
  }
  if (text.length <= 70)
    return [{ msgFmt: MSG_FMT_UCS2, udhi: false, content: Buffer.from(encodeUcs2(text)) }];
  const split = splitMessage(text, { concatRef: ref, encoding: 'ucs2', maxParts: 255 });
  return split.parts.map((p) => ({
    msgFmt: MSG_FMT_UCS2,
    udhi: p.udh !== null,
    content: Buffer.concat([p.udh ?? new Uint8Array(0), p.userData]),
  }));
}

/** Msg_Ids of one ISMG: its 22-bit gateway code, the time, and a 16-bit sequence. */
export class MsgIds {
  #seq = 0;

  constructor(private readonly gatewayId: number) {}

  next(): Buffer {
    const c = beijing(Date.now());
    this.#seq = (this.#seq + 1) & 0xffff;
    return encodeMsgId({
      month: c.month,
      day: c.day,
      hour: c.hour,
      minute: c.minute,
      second: c.second,
      gateway: this.gatewayId,
      sequence: this.#seq,
    });
  }
}

export type MoSegment = ReturnType<typeof moSegments>[number];

/** One segment of an MO as a DELIVER (Registered_Delivery 0). */
export function moDeliver(
  msg: InboundMessage,
  s: MoSegment,
  sequenceId: number,
  msgId: Buffer,
  version: CmppVersion,
): Buffer {
  return encode(
    {
      command: 'deliver',
      sequenceId,
      msgId,
      destId: msg.to.replace(/^\+/, ''),
      serviceId: '',
      tpPid: 0,
      tpUdhi: s.udhi ? 1 : 0,
      msgFmt: s.msgFmt,
      srcTerminalId: msg.from.replace(/^\+/, ''),
      srcTerminalType: 0,
      registeredDelivery: 0,
      msgContent: s.content,
      linkId: '',
      reserve: '',
    },
    version,
  );
}

/** What a status report says, and to whom. */
export interface ReportFields {
  /** The Msg_Id from the SUBMIT_RESP. */
  msgId: Buffer;
  stat: string;
  /** The handset: the SUBMIT's Dest_terminal_Id, the report's Src_terminal_Id. */
  terminal: string;
  /** The SUBMIT's Src_Id, the report's Dest_Id. */
  srcId: string;
  serviceId: string;
  submitTime: string;
}

/** A status-report DELIVER (Registered_Delivery 1), done `now`. Throws RangeError when a field
 * does not fit this version (a 3.0 terminal id of 32 bytes on a 2.0 connection). */
export function reportDeliver(
  job: ReportFields,
  now: number,
  smscSequence: number,
  sequenceId: number,
  msgId: Buffer,
  version: CmppVersion,
): Buffer {
  const report = encodeStatusReport(
    {
      msgId: job.msgId,
      stat: job.stat,
      submitTime: job.submitTime,
      doneTime: reportTime(now),
      destTerminalId: job.terminal,
      smscSequence,
    },
    version,
  );
  return encode(
    {
      command: 'deliver',
      sequenceId,
      msgId,
      destId: job.srcId,
      serviceId: job.serviceId,
      tpPid: 0,
      tpUdhi: 0,
      msgFmt: MSG_FMT_ASCII,
      srcTerminalId: job.terminal,
      srcTerminalType: 0,
      registeredDelivery: 1,
      msgContent: report,
      linkId: '',
      reserve: '',
    },
    version,
  );
}

/** The SMPP command_status of an outcome rule as a CMPP SUBMIT_RESP Result. */
export function resultFor(submitStatus: number): number {
  if (submitStatus === ESME_ROK) return RESULT_OK;
  if (submitStatus === ESME_RTHROTTLED || submitStatus === ESME_RMSGQFUL)
    return RESULT_FLOW_CONTROL;
  if (submitStatus === ESME_RINVDSTADR) return RESULT_BAD_DEST;
  return RESULT_OTHER;
}

export interface ConnectCheck {
  /** CONNECT_RESP Status. */
  status: number;
  /** The version the connection speaks from now on. */
  version: CmppVersion;
  /** The secret AuthenticatorISMG is signed with. */
  secret: string;
  /** How the SP hashed a short Source_Addr; null when not checked or matched neither form. */
  authSourceAddr: AuthSourceAddrForm | null;
}

/** Whether a CONNECT logs in: a second CONNECT on one connection, a version that is not 2.x or
 * 3.x, an unknown SP or a wrong AuthenticatorSource is refused (checked only with `credentials`). */
export function checkConnect(
  pdu: ConnectPdu,
  credentials: Record<string, string> | undefined,
  defaultSecret: string,
  loggedIn: boolean,
): ConnectCheck {
  const spId = pdu.sourceAddr;
  const major = pdu.version >> 4;
  const known = credentials ? credentials[spId] : undefined;
  const authSourceAddr =
    known === undefined
      ? null
      : authenticatorSourceForm(
          pdu.authenticatorSource,
          spId,
          known,
          String(pdu.timestamp).padStart(10, '0'),
        );
  let status = CONNECT_OK;
  if (loggedIn) status = CONNECT_STRUCTURE;
  else if (major !== 2 && major !== 3) status = CONNECT_VERSION;
  else if (credentials && !Object.hasOwn(credentials, spId)) status = CONNECT_BAD_SOURCE;
  else if (known !== undefined && authSourceAddr === null) status = CONNECT_AUTH;
  const version = major === 3 ? CMPP_VERSION_3 : CMPP_VERSION_2;
  return { status, version, secret: known ?? defaultSecret, authSourceAddr };
}

/** The CONNECT_RESP; AuthenticatorISMG is all zeros when the login fails (CMPP 3.0 §7.4.2). */
export function connectResp(pdu: ConnectPdu, login: ConnectCheck, version: CmppVersion): Buffer {
  const authIsmg =
    login.status === CONNECT_OK
      ? authenticatorIsmg(0, pdu.authenticatorSource, login.secret, version)
      : Buffer.alloc(16);
  return encode(
    {
      command: 'connect_resp',
      sequenceId: pdu.sequenceId,
      status: login.status,
      authenticatorIsmg: authIsmg,
      version,
    },
    version,
  );
}
