// Over 500 lines: one spec table, CMPP 3.0 §7.4's PDU layouts with encode and decode side by side.
// CMPP 2.0 / 3.0 wire codec (China Mobile, SP <-> ISMG). Pure: Buffer + node:crypto only.
//
// Layouts follow CMPP 3.0 §7 (China Mobile QB-GF-028), with the CMPP 2.0 differences noted where
// they apply. All integers are big-endian; fixed-width octet
// strings are NUL-padded on the right and read up to the first NUL.
//
// Error contract:
// - decode()/CmppFrameReader/parseStatusReport/decodeMsgId throw only CmppProtocolError on bad
//   input (every read is bounds-checked first, so no RangeError from Buffer can escape).
// - encode()/encodeMsgId/encodeStatusReport throw RangeError on caller errors (a value that does not
//   fit its field): those are programming errors, not wire errors.

import { createHash, timingSafeEqual } from 'node:crypto';

export type CmppVersion = 0x20 | 0x30;
export const CMPP_VERSION_2 = 0x20 as const;
export const CMPP_VERSION_3 = 0x30 as const;

export const HEADER_LENGTH = 12;
/** Default upper bound on Total_Length accepted by the frame reader (the largest real PDU, a
 * 3.0 SUBMIT to 99 recipients with 255 bytes of content, is 151 + 32*99 + 255 + 12 = 3586). */
export const DEFAULT_MAX_FRAME_LENGTH = 4096;

export const CMPP_CONNECT = 0x00000001;
export const CMPP_CONNECT_RESP = 0x80000001;
export const CMPP_TERMINATE = 0x00000002;
export const CMPP_TERMINATE_RESP = 0x80000002;
export const CMPP_SUBMIT = 0x00000004;
export const CMPP_SUBMIT_RESP = 0x80000004;
export const CMPP_DELIVER = 0x00000005;
export const CMPP_DELIVER_RESP = 0x80000005;
export const CMPP_QUERY = 0x00000006; // id only: not decoded by this codec
export const CMPP_QUERY_RESP = 0x80000006; // id only: not decoded by this codec
export const CMPP_CANCEL = 0x00000007;
export const CMPP_CANCEL_RESP = 0x80000007;
export const CMPP_ACTIVE_TEST = 0x00000008;
export const CMPP_ACTIVE_TEST_RESP = 0x80000008;
export const CMPP_FWD = 0x00000009; // ISMG <-> ISMG, id only
export const CMPP_FWD_RESP = 0x80000009; // ISMG <-> ISMG, id only

/** Msg_Fmt values. */
export const MSG_FMT_ASCII = 0;
export const MSG_FMT_WRITE_CARD = 3;
export const MSG_FMT_BINARY = 4;
export const MSG_FMT_UCS2 = 8;
export const MSG_FMT_GBK = 15;

export type CmppErrorCode = 'bad_length' | 'unknown_command' | 'truncated';

export class CmppProtocolError extends Error {
  readonly code: CmppErrorCode;
  constructor(code: CmppErrorCode, message: string) {
    super(message);
    this.name = 'CmppProtocolError';
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------
// PDU types

interface PduBase {
  /** Sequence_Id (uint32). A response repeats its request's value. */
  sequenceId: number;
}

export interface ConnectPdu extends PduBase {
  command: 'connect';
  /** Source_Addr (6): the SP_Id. */
  sourceAddr: string;
  /** AuthenticatorSource (16 bytes). */
  authenticatorSource: Buffer;
  /** Version byte: 0x20, 0x30 (0x21 also seen). */
  version: number;
  /** Timestamp as the uint32 MMDDHHMMSS (e.g. 1225093000). */
  timestamp: number;
}

export interface ConnectRespPdu extends PduBase {
  command: 'connect_resp';
  /** Status: 1 byte in 2.0, 4 bytes in 3.0. 0 = OK. */
  status: number;
  /** AuthenticatorISMG (16 bytes). */
  authenticatorIsmg: Buffer;
  version: number;
}

export interface TerminatePdu extends PduBase {
  command: 'terminate';
}
export interface TerminateRespPdu extends PduBase {
  command: 'terminate_resp';
}
export interface ActiveTestPdu extends PduBase {
  command: 'active_test';
}
export interface ActiveTestRespPdu extends PduBase {
  command: 'active_test_resp';
  reserved: number;
}

export interface SubmitPdu extends PduBase {
  command: 'submit';
  /** Msg_Id (8 bytes); the SP sends zeros, the ISMG assigns. */
  msgId: Buffer;
  pkTotal: number;
  pkNumber: number;
  registeredDelivery: number;
  msgLevel: number;
  /** Service_Id (10). */
  serviceId: string;
  feeUserType: number;
  /** Fee_terminal_Id: 21 bytes in 2.0, 32 in 3.0. */
  feeTerminalId: string;
  /** Fee_terminal_type (3.0 only; ignored by the 2.0 encoder, absent from 2.0 decodes). */
  feeTerminalType?: number;
  tpPid: number;
  tpUdhi: number;
  msgFmt: number;
  /** Msg_src (6): the SP_Id. */
  msgSrc: string;
  /** FeeType (2): "01" free, "02" per message, "03" monthly. */
  feeType: string;
  /** FeeCode (6), in fen. */
  feeCode: string;
  /** ValId_Time (17). */
  validTime: string;
  /** At_Time (17). */
  atTime: string;
  /** Src_Id (21): the sender number shown to the user. */
  srcId: string;
  /** Dest_terminal_Id x DestUsr_tl: 21 bytes each in 2.0, 32 in 3.0. 1..99 recipients. */
  destTerminalIds: string[];
  /** Dest_terminal_type (3.0 only). */
  destTerminalType?: number;
  /** Msg_Content (Msg_Length <= 255 bytes); includes the UDH when tpUdhi = 1. */
  msgContent: Buffer;
  /** Reserve (8), 2.0 only. */
  reserve?: string;
  /** LinkID (20), 3.0 only. */
  linkId?: string;
}

export interface SubmitRespPdu extends PduBase {
  command: 'submit_resp';
  msgId: Buffer;
  /** Result: 1 byte in 2.0, 4 in 3.0. */
  result: number;
}

export interface DeliverPdu extends PduBase {
  command: 'deliver';
  /** Msg_Id (8) of this DELIVER (not of the MT). */
  msgId: Buffer;
  /** Dest_Id (21): service code + extension (MO routing key). */
  destId: string;
  /** Service_Id (10). */
  serviceId: string;
  tpPid: number;
  tpUdhi: number;
  msgFmt: number;
  /** Src_terminal_Id: 21 bytes in 2.0, 32 in 3.0. */
  srcTerminalId: string;
  /** Src_terminal_type (3.0 only). */
  srcTerminalType?: number;
  /** 0 = MO message, 1 = status report (see parseStatusReport). */
  registeredDelivery: number;
  msgContent: Buffer;
  /** Reserved (8), 2.0 only. */
  reserve?: string;
  /** LinkID (20), 3.0 only. */
  linkId?: string;
}

export interface DeliverRespPdu extends PduBase {
  command: 'deliver_resp';
  msgId: Buffer;
  /** Result: 1 byte in 2.0, 4 in 3.0. */
  result: number;
}

export interface CancelPdu extends PduBase {
  command: 'cancel';
  msgId: Buffer;
}

export interface CancelRespPdu extends PduBase {
  command: 'cancel_resp';
  /** Success_Id: 1 byte in 2.0, 4 in 3.0 (0 = success, 1 = failure). */
  successId: number;
}

export type CmppPdu =
  | ConnectPdu
  | ConnectRespPdu
  | TerminatePdu
  | TerminateRespPdu
  | SubmitPdu
  | SubmitRespPdu
  | DeliverPdu
  | DeliverRespPdu
  | CancelPdu
  | CancelRespPdu
  | ActiveTestPdu
  | ActiveTestRespPdu;

export type CmppCommand = CmppPdu['command'];

export const COMMAND_IDS: Readonly<Record<CmppCommand, number>> = {
  connect: CMPP_CONNECT,
  connect_resp: CMPP_CONNECT_RESP,
  terminate: CMPP_TERMINATE,
  terminate_resp: CMPP_TERMINATE_RESP,
  submit: CMPP_SUBMIT,
  submit_resp: CMPP_SUBMIT_RESP,
  deliver: CMPP_DELIVER,
  deliver_resp: CMPP_DELIVER_RESP,
  cancel: CMPP_CANCEL,
  cancel_resp: CMPP_CANCEL_RESP,
  active_test: CMPP_ACTIVE_TEST,
  active_test_resp: CMPP_ACTIVE_TEST_RESP,
};

const COMMAND_NAMES = new Map<number, CmppCommand>(
  Object.entries(COMMAND_IDS).map(([name, id]) => [id, name as CmppCommand]),
);

/** The command name for a Command_Id, or undefined when this codec does not handle it. */
export function commandName(commandId: number): CmppCommand | undefined {
  return COMMAND_NAMES.get(commandId);
}

// ---------------------------------------------------------------------------------------------
// Field widths per version

interface Widths {
  terminalId: number; // Fee_terminal_Id, Dest_terminal_Id, Src_terminal_Id, report Dest_terminal_Id
  status: number; // every response status/result field
  tail: number; // Reserve (2.0) / LinkID (3.0)
}

function widths(version: CmppVersion): Widths {
  return version === CMPP_VERSION_3
    ? { terminalId: 32, status: 4, tail: 20 }
    : { terminalId: 21, status: 1, tail: 8 };
}

// ---------------------------------------------------------------------------------------------
// Writer (caller errors -> RangeError)

class Writer {
  readonly buf: Buffer;
  private pos = 0;
  constructor(size: number) {
    this.buf = Buffer.alloc(size); // zero-filled: fixed strings come out NUL-padded
  }
  u8(v: number, field: string): void {
    checkUint(v, 0xff, field);
    this.buf[this.pos] = v;
    this.pos += 1;
  }
  u32(v: number, field: string): void {
    checkUint(v, 0xffffffff, field);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }
  /** 1- or 4-byte unsigned status, per version. */
  uint(v: number, width: number, field: string): void {
    if (width === 1) this.u8(v, field);
    else this.u32(v, field);
  }
  bytes(b: Buffer, width: number, field: string): void {
    if (b.length !== width)
      throw new RangeError(`${field}: must be ${width} bytes, got ${b.length}`);
    b.copy(this.buf, this.pos);
    this.pos += width;
  }
  str(s: string, width: number, field: string): void {
    const b = octets(s, field);
    if (b.length > width) throw new RangeError(`${field}: longer than ${width} bytes: "${s}"`);
    b.copy(this.buf, this.pos);
    this.pos += width;
  }
  raw(b: Buffer): void {
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }
  done(): Buffer {
    if (this.pos !== this.buf.length) {
      throw new Error(`cmpp codec bug: wrote ${this.pos} of ${this.buf.length} bytes`);
    }
    return this.buf;
  }
}

function checkUint(v: number, max: number, field: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new RangeError(`${field}: ${v} is not an integer in 0..${max}`);
  }
}

/** Fixed-width fields are octet strings (ASCII in practice). Encoded as latin1, which is
 * byte-for-byte lossless with the decoder; characters above U+00FF are refused. */
function octets(s: string, field: string): Buffer {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) throw new RangeError(`${field}: non-octet character in "${s}"`);
  }
  return Buffer.from(s, 'latin1');
}

// ---------------------------------------------------------------------------------------------
// Reader (every read bounds-checked -> CmppProtocolError('truncated'))

class Reader {
  private pos: number;
  constructor(
    private readonly buf: Buffer,
    start: number,
    private readonly what: string,
  ) {
    this.pos = start;
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  private need(n: number, field: string): void {
    if (this.remaining < n) {
      throw new CmppProtocolError(
        'truncated',
        `${this.what}: truncated at ${field} (need ${n} bytes, have ${this.remaining})`,
      );
    }
  }
  u8(field: string): number {
    this.need(1, field);
    const v = this.buf[this.pos] as number;
    this.pos += 1;
    return v;
  }
  u32(field: string): number {
    this.need(4, field);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  uint(width: number, field: string): number {
    return width === 1 ? this.u8(field) : this.u32(field);
  }
  /** A copy, so decoded PDUs do not pin the (possibly large) source buffer. */
  bytes(n: number, field: string): Buffer {
    this.need(n, field);
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return b;
  }
  str(n: number, field: string): string {
    this.need(n, field);
    const slice = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    const nul = slice.indexOf(0);
    return slice.toString('latin1', 0, nul === -1 ? n : nul);
  }
  end(): void {
    if (this.remaining !== 0) {
      throw new CmppProtocolError(
        'bad_length',
        `${this.what}: ${this.remaining} unexpected trailing byte(s)`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// encode

function bodyLength(pdu: CmppPdu, version: CmppVersion): number {
  const w = widths(version);
  switch (pdu.command) {
    case 'connect':
      return 27;
    case 'connect_resp':
      return w.status + 16 + 1;
    case 'terminate':
    case 'terminate_resp':
    case 'active_test':
      return 0;
    case 'active_test_resp':
      return 1;
    case 'submit':
      return version === CMPP_VERSION_3
        ? 151 + 32 * pdu.destTerminalIds.length + pdu.msgContent.length
        : 126 + 21 * pdu.destTerminalIds.length + pdu.msgContent.length;
    case 'submit_resp':
    case 'deliver_resp':
      return 8 + w.status;
    case 'deliver':
      return (version === CMPP_VERSION_3 ? 97 : 73) + pdu.msgContent.length;
    case 'cancel':
      return 8;
    case 'cancel_resp':
      return w.status;
  }
}

/** Encodes a whole frame, header (Total_Length, Command_Id, Sequence_Id) included. */
export function encode(pdu: CmppPdu, version: CmppVersion): Buffer {
  const w = widths(version);
  const v3 = version === CMPP_VERSION_3;
  const total = HEADER_LENGTH + bodyLength(pdu, version);
  const out = new Writer(total);
  out.u32(total, 'Total_Length');
  out.u32(COMMAND_IDS[pdu.command], 'Command_Id');
  out.u32(pdu.sequenceId, 'Sequence_Id');
  switch (pdu.command) {
    case 'connect':
      out.str(pdu.sourceAddr, 6, 'Source_Addr');
      out.bytes(pdu.authenticatorSource, 16, 'AuthenticatorSource');
      out.u8(pdu.version, 'Version');
      out.u32(pdu.timestamp, 'Timestamp');
      break;
    case 'connect_resp':
      out.uint(pdu.status, w.status, 'Status');
      out.bytes(pdu.authenticatorIsmg, 16, 'AuthenticatorISMG');
      out.u8(pdu.version, 'Version');
      break;
    case 'terminate':
    case 'terminate_resp':
    case 'active_test':
      break;
    case 'active_test_resp':
      out.u8(pdu.reserved, 'Reserved');
      break;
    case 'submit': {
      const n = pdu.destTerminalIds.length;
      // The spec bounds DestUsr_tl to < 100; 0 recipients is meaningless.
      if (n < 1 || n > 99) throw new RangeError(`DestUsr_tl: ${n} is not in 1..99`);
      if (pdu.msgContent.length > 0xff) {
        throw new RangeError(`Msg_Length: ${pdu.msgContent.length} bytes exceed 255`);
      }
      out.bytes(pdu.msgId, 8, 'Msg_Id');
      out.u8(pdu.pkTotal, 'Pk_total');
      out.u8(pdu.pkNumber, 'Pk_number');
      out.u8(pdu.registeredDelivery, 'Registered_Delivery');
      out.u8(pdu.msgLevel, 'Msg_level');
      out.str(pdu.serviceId, 10, 'Service_Id');
      out.u8(pdu.feeUserType, 'Fee_UserType');
      out.str(pdu.feeTerminalId, w.terminalId, 'Fee_terminal_Id');
      if (v3) out.u8(pdu.feeTerminalType ?? 0, 'Fee_terminal_type');
      out.u8(pdu.tpPid, 'TP_pId');
      out.u8(pdu.tpUdhi, 'TP_udhi');
      out.u8(pdu.msgFmt, 'Msg_Fmt');
      out.str(pdu.msgSrc, 6, 'Msg_src');
      out.str(pdu.feeType, 2, 'FeeType');
      out.str(pdu.feeCode, 6, 'FeeCode');
      out.str(pdu.validTime, 17, 'ValId_Time');
      out.str(pdu.atTime, 17, 'At_Time');
      out.str(pdu.srcId, 21, 'Src_Id');
      out.u8(n, 'DestUsr_tl');
      for (const id of pdu.destTerminalIds) out.str(id, w.terminalId, 'Dest_terminal_Id');
      if (v3) out.u8(pdu.destTerminalType ?? 0, 'Dest_terminal_type');
      out.u8(pdu.msgContent.length, 'Msg_Length');
      out.raw(pdu.msgContent);
      if (v3) out.str(pdu.linkId ?? '', 20, 'LinkID');
      else out.str(pdu.reserve ?? '', 8, 'Reserve');
      break;
    }
    case 'submit_resp':
    case 'deliver_resp':
      out.bytes(pdu.msgId, 8, 'Msg_Id');
      out.uint(pdu.result, w.status, 'Result');
      break;
    case 'deliver':
      if (pdu.msgContent.length > 0xff) {
        throw new RangeError(`Msg_Length: ${pdu.msgContent.length} bytes exceed 255`);
      }
      out.bytes(pdu.msgId, 8, 'Msg_Id');
      out.str(pdu.destId, 21, 'Dest_Id');
      out.str(pdu.serviceId, 10, 'Service_Id');
      out.u8(pdu.tpPid, 'TP_pid');
      out.u8(pdu.tpUdhi, 'TP_udhi');
      out.u8(pdu.msgFmt, 'Msg_Fmt');
      out.str(pdu.srcTerminalId, w.terminalId, 'Src_terminal_Id');
      if (v3) out.u8(pdu.srcTerminalType ?? 0, 'Src_terminal_type');
      out.u8(pdu.registeredDelivery, 'Registered_Delivery');
      out.u8(pdu.msgContent.length, 'Msg_Length');
      out.raw(pdu.msgContent);
      if (v3) out.str(pdu.linkId ?? '', 20, 'LinkID');
      else out.str(pdu.reserve ?? '', 8, 'Reserved');
      break;
    case 'cancel':
      out.bytes(pdu.msgId, 8, 'Msg_Id');
      break;
    case 'cancel_resp':
      out.uint(pdu.successId, w.status, 'Success_Id');
      break;
  }
  return out.done();
}

// ---------------------------------------------------------------------------------------------
// decode

/** Decodes one whole frame (as produced by CmppFrameReader). Throws only CmppProtocolError. */
export function decode(buf: Buffer, version: CmppVersion): CmppPdu {
  if (buf.length < HEADER_LENGTH) {
    throw new CmppProtocolError(
      'truncated',
      `frame of ${buf.length} bytes is shorter than the header`,
    );
  }
  const total = buf.readUInt32BE(0);
  const commandId = buf.readUInt32BE(4);
  const sequenceId = buf.readUInt32BE(8);
  if (total < HEADER_LENGTH) {
    throw new CmppProtocolError('bad_length', `Total_Length ${total} is below ${HEADER_LENGTH}`);
  }
  if (total > buf.length) {
    throw new CmppProtocolError(
      'truncated',
      `Total_Length ${total} but only ${buf.length} bytes given`,
    );
  }
  if (total < buf.length) {
    throw new CmppProtocolError(
      'bad_length',
      `Total_Length ${total} but ${buf.length} bytes given (trailing data)`,
    );
  }
  const command = COMMAND_NAMES.get(commandId);
  if (command === undefined) {
    throw new CmppProtocolError(
      'unknown_command',
      `unknown or unsupported Command_Id 0x${commandId.toString(16).padStart(8, '0')}`,
    );
  }
  const w = widths(version);
  const v3 = version === CMPP_VERSION_3;
  const r = new Reader(buf, HEADER_LENGTH, command);
  let pdu: CmppPdu;
  switch (command) {
    case 'connect':
      pdu = {
        command,
        sequenceId,
        sourceAddr: r.str(6, 'Source_Addr'),
        authenticatorSource: r.bytes(16, 'AuthenticatorSource'),
        version: r.u8('Version'),
        timestamp: r.u32('Timestamp'),
      };
      break;
    case 'connect_resp':
      pdu = {
        command,
        sequenceId,
        status: r.uint(w.status, 'Status'),
        authenticatorIsmg: r.bytes(16, 'AuthenticatorISMG'),
        version: r.u8('Version'),
      };
      break;
    case 'terminate':
    case 'terminate_resp':
    case 'active_test':
      pdu = { command, sequenceId };
      break;
    case 'active_test_resp':
      // The spec has a 1-byte Reserved; some ISMGs send an empty body. Accept both.
      pdu = { command, sequenceId, reserved: r.remaining === 0 ? 0 : r.u8('Reserved') };
      break;
    case 'submit': {
      const msgId = r.bytes(8, 'Msg_Id');
      const pkTotal = r.u8('Pk_total');
      const pkNumber = r.u8('Pk_number');
      const registeredDelivery = r.u8('Registered_Delivery');
      const msgLevel = r.u8('Msg_level');
      const serviceId = r.str(10, 'Service_Id');
      const feeUserType = r.u8('Fee_UserType');
      const feeTerminalId = r.str(w.terminalId, 'Fee_terminal_Id');
      const feeTerminalType = v3 ? r.u8('Fee_terminal_type') : undefined;
      const tpPid = r.u8('TP_pId');
      const tpUdhi = r.u8('TP_udhi');
      const msgFmt = r.u8('Msg_Fmt');
      const msgSrc = r.str(6, 'Msg_src');
      const feeType = r.str(2, 'FeeType');
      const feeCode = r.str(6, 'FeeCode');
      const validTime = r.str(17, 'ValId_Time');
      const atTime = r.str(17, 'At_Time');
      const srcId = r.str(21, 'Src_Id');
      const n = r.u8('DestUsr_tl');
      const destTerminalIds: string[] = [];
      for (let i = 0; i < n; i++) destTerminalIds.push(r.str(w.terminalId, 'Dest_terminal_Id'));
      const destTerminalType = v3 ? r.u8('Dest_terminal_type') : undefined;
      const msgLength = r.u8('Msg_Length');
      const msgContent = r.bytes(msgLength, 'Msg_Content');
      const s: SubmitPdu = {
        command,
        sequenceId,
        msgId,
        pkTotal,
        pkNumber,
        registeredDelivery,
        msgLevel,
        serviceId,
        feeUserType,
        feeTerminalId,
        tpPid,
        tpUdhi,
        msgFmt,
        msgSrc,
        feeType,
        feeCode,
        validTime,
        atTime,
        srcId,
        destTerminalIds,
        msgContent,
      };
      if (v3) {
        s.feeTerminalType = feeTerminalType;
        s.destTerminalType = destTerminalType;
        s.linkId = r.str(20, 'LinkID');
      } else {
        s.reserve = r.str(8, 'Reserve');
      }
      pdu = s;
      break;
    }
    case 'submit_resp':
    case 'deliver_resp':
      pdu = {
        command,
        sequenceId,
        msgId: r.bytes(8, 'Msg_Id'),
        result: r.uint(w.status, 'Result'),
      };
      break;
    case 'deliver': {
      const msgId = r.bytes(8, 'Msg_Id');
      const destId = r.str(21, 'Dest_Id');
      const serviceId = r.str(10, 'Service_Id');
      const tpPid = r.u8('TP_pid');
      const tpUdhi = r.u8('TP_udhi');
      const msgFmt = r.u8('Msg_Fmt');
      const srcTerminalId = r.str(w.terminalId, 'Src_terminal_Id');
      const srcTerminalType = v3 ? r.u8('Src_terminal_type') : undefined;
      const registeredDelivery = r.u8('Registered_Delivery');
      const msgLength = r.u8('Msg_Length');
      const msgContent = r.bytes(msgLength, 'Msg_Content');
      const d: DeliverPdu = {
        command,
        sequenceId,
        msgId,
        destId,
        serviceId,
        tpPid,
        tpUdhi,
        msgFmt,
        srcTerminalId,
        registeredDelivery,
        msgContent,
      };
      if (v3) {
        d.srcTerminalType = srcTerminalType;
        d.linkId = r.str(20, 'LinkID');
      } else {
        d.reserve = r.str(8, 'Reserved');
      }
      pdu = d;
      break;
    }
    case 'cancel':
      pdu = { command, sequenceId, msgId: r.bytes(8, 'Msg_Id') };
      break;
    case 'cancel_resp':
      pdu = { command, sequenceId, successId: r.uint(w.status, 'Success_Id') };
      break;
  }
  r.end();
  return pdu;
}

// ---------------------------------------------------------------------------------------------
// Frame reader

/**
 * Reassembles frames from a TCP byte stream. push() returns every frame completed by the chunk
 * (each a standalone Buffer holding exactly Total_Length bytes). A Total_Length below 12 or above
 * maxLength throws CmppProtocolError('bad_length'); the stream cannot be resynchronised after
 * that, so the reader stays failed (every later push throws the same error) and the caller should
 * drop the connection.
 */
export class CmppFrameReader {
  private pending: Buffer = Buffer.alloc(0);
  private failure: CmppProtocolError | undefined;

  constructor(readonly maxLength: number = DEFAULT_MAX_FRAME_LENGTH) {}

  /** Bytes held waiting for the rest of a frame. */
  get buffered(): number {
    return this.pending.length;
  }

  push(chunk: Buffer): Buffer[] {
    if (this.failure) throw this.failure;
    const data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    let pos = 0;
    while (data.length - pos >= 4) {
      const total = data.readUInt32BE(pos);
      if (total < HEADER_LENGTH || total > this.maxLength) {
        this.pending = Buffer.alloc(0);
        this.failure = new CmppProtocolError(
          'bad_length',
          `Total_Length ${total} is outside ${HEADER_LENGTH}..${this.maxLength}`,
        );
        throw this.failure;
      }
      if (data.length - pos < total) break;
      frames.push(Buffer.from(data.subarray(pos, pos + total)));
      pos += total;
    }
    // Copy the remainder so we never retain the caller's (possibly large) chunk.
    this.pending = pos === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(pos));
    return frames;
  }
}

// ---------------------------------------------------------------------------------------------
// Authentication and timestamps

/** MMDDHHMMSS of the given instant in Asia/Shanghai (UTC+8, no DST). */
export function timestampOf(date: Date): string {
  const t = new Date(date.getTime() + 8 * 3600_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return (
    p(t.getUTCMonth() + 1) +
    p(t.getUTCDate()) +
    p(t.getUTCHours()) +
    p(t.getUTCMinutes()) +
    p(t.getUTCSeconds())
  );
}

/**
 * How Source_Addr enters AuthenticatorSource when the SP_Id is shorter than the 6-octet field:
 * `padded` hashes the whole field, the id and NUL up to 6 octets (CMPP 3.0 §7.4.2.1 read
 * literally: the hash is over the field); `unpadded` hashes only the id's characters. Both are
 * found in deployed SPs and ISMGs; for a 6-character SP_Id they are the same bytes.
 */
export type AuthSourceAddrForm = 'padded' | 'unpadded';
export const AUTH_SOURCE_ADDR_FORMS: readonly AuthSourceAddrForm[] = ['padded', 'unpadded'];

/**
 * AuthenticatorSource = MD5(Source_Addr || 9 x 0x00 || shared_secret || timestamp), timestamp as
 * the 10 ASCII digits MMDDHHMMSS, Source_Addr in the `form` given (default `padded`); the secret
 * is hashed as UTF-8 (ASCII in practice).
 */
export function authenticatorSource(
  sourceAddr: string,
  secret: string,
  timestamp: string,
  form: AuthSourceAddrForm = 'padded',
): Buffer {
  const id = Buffer.from(sourceAddr, 'latin1');
  const field =
    form === 'padded' && id.length < 6 ? Buffer.concat([id, Buffer.alloc(6 - id.length)]) : id;
  return createHash('md5')
    .update(field)
    .update(Buffer.alloc(9))
    .update(Buffer.from(secret, 'utf8'))
    .update(Buffer.from(timestamp, 'latin1'))
    .digest();
}

/**
 * The form in which `received` is the AuthenticatorSource of this Source_Addr, secret and
 * timestamp, or null when it is neither (compared in constant time). An ISMG accepts both, so
 * an SP works whichever form its software uses.
 */
export function authenticatorSourceForm(
  received: Buffer,
  sourceAddr: string,
  secret: string,
  timestamp: string,
): AuthSourceAddrForm | null {
  let found: AuthSourceAddrForm | null = null;
  for (const form of AUTH_SOURCE_ADDR_FORMS) {
    const expected = authenticatorSource(sourceAddr, secret, timestamp, form);
    if (received.length === expected.length && timingSafeEqual(received, expected) && !found)
      found = form;
  }
  return found;
}

/** AuthenticatorISMG = MD5(Status || AuthenticatorSource || shared_secret), Status at its wire
 * width (1 byte in 2.0, 4 bytes big-endian in 3.0). */
export function authenticatorIsmg(
  status: number,
  authSource: Buffer,
  secret: string,
  version: CmppVersion,
): Buffer {
  const s = Buffer.alloc(widths(version).status);
  if (s.length === 1) {
    checkUint(status, 0xff, 'Status');
    s[0] = status;
  } else {
    checkUint(status, 0xffffffff, 'Status');
    s.writeUInt32BE(status);
  }
  return createHash('md5')
    .update(s)
    .update(authSource)
    .update(Buffer.from(secret, 'utf8'))
    .digest();
}

// ---------------------------------------------------------------------------------------------
// Msg_Id

export interface MsgIdParts {
  month: number; // 1..12 (4 bits)
  day: number; // 1..31 (5 bits)
  hour: number; // 0..23 (5 bits)
  minute: number; // 0..59 (6 bits)
  second: number; // 0..59 (6 bits)
  gateway: number; // ISMG code, 22 bits
  sequence: number; // 16 bits
}

const MSG_ID_FIELDS: ReadonlyArray<readonly [keyof MsgIdParts, number, number]> = [
  // name, bit width, max value
  ['month', 4, 12],
  ['day', 5, 31],
  ['hour', 5, 23],
  ['minute', 6, 59],
  ['second', 6, 59],
  ['gateway', 22, 0x3fffff],
  ['sequence', 16, 0xffff],
];

/** Packs the parts into the 8-byte Msg_Id (bits 64..1: month, day, hour, minute, second,
 * gateway, sequence). Throws RangeError for out-of-range parts. */
export function encodeMsgId(parts: MsgIdParts): Buffer {
  let v = 0n;
  for (const [name, bits, max] of MSG_ID_FIELDS) {
    const x = parts[name];
    checkUint(x, max, `Msg_Id.${name}`);
    v = (v << BigInt(bits)) | BigInt(x);
  }
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(v);
  return b;
}

/** Unpacks an 8-byte Msg_Id. Values are returned as stored (not range-checked). */
export function decodeMsgId(buf: Buffer): MsgIdParts {
  if (buf.length < 8) {
    throw new CmppProtocolError('truncated', `Msg_Id needs 8 bytes, got ${buf.length}`);
  }
  let v = buf.readBigUInt64BE(0);
  const out = {} as MsgIdParts;
  for (let i = MSG_ID_FIELDS.length - 1; i >= 0; i--) {
    const [name, bits] = MSG_ID_FIELDS[i] as readonly [keyof MsgIdParts, number, number];
    out[name] = Number(v & ((1n << BigInt(bits)) - 1n));
    v >>= BigInt(bits);
  }
  return {
    month: out.month,
    day: out.day,
    hour: out.hour,
    minute: out.minute,
    second: out.second,
    gateway: out.gateway,
    sequence: out.sequence,
  };
}

/** The carrier id: the 8 raw Msg_Id bytes as 16 lowercase hex characters. */
export function msgIdHex(buf: Buffer): string {
  if (buf.length < 8) {
    throw new CmppProtocolError('truncated', `Msg_Id needs 8 bytes, got ${buf.length}`);
  }
  return buf.toString('hex', 0, 8);
}

// ---------------------------------------------------------------------------------------------
// Status report (Msg_Content of a DELIVER with Registered_Delivery = 1)

export interface StatusReport {
  /** Msg_Id from the SUBMIT_RESP: the correlation key. */
  msgId: Buffer;
  /** Stat (7): DELIVRD, UNDELIV, MK:0001, ... */
  stat: string;
  /** Submit_time (10): YYMMDDHHMM. */
  submitTime: string;
  /** Done_time (10): YYMMDDHHMM. */
  doneTime: string;
  /** Dest_terminal_Id: 21 bytes in 2.0, 32 in 3.0. */
  destTerminalId: string;
  /** SMSC_sequence (uint32). */
  smscSequence: number;
}

/** Size of the status report struct: 60 bytes in 2.0, 71 in 3.0. */
export function statusReportLength(version: CmppVersion): number {
  return 39 + widths(version).terminalId;
}

/**
 * Parses the status report in a DELIVER's Msg_Content. Throws CmppProtocolError('truncated') if
 * the content is shorter than the struct; trailing bytes beyond it (seen from some gateways) are
 * ignored.
 */
export function parseStatusReport(content: Buffer, version: CmppVersion): StatusReport {
  const r = new Reader(content, 0, 'status report');
  return {
    msgId: r.bytes(8, 'Msg_Id'),
    stat: r.str(7, 'Stat'),
    submitTime: r.str(10, 'Submit_time'),
    doneTime: r.str(10, 'Done_time'),
    destTerminalId: r.str(widths(version).terminalId, 'Dest_terminal_Id'),
    smscSequence: r.u32('SMSC_sequence'),
  };
}

/** Builds the status report struct (for simulators and tests). Throws RangeError on bad input. */
export function encodeStatusReport(report: StatusReport, version: CmppVersion): Buffer {
  const out = new Writer(statusReportLength(version));
  out.bytes(report.msgId, 8, 'Msg_Id');
  out.str(report.stat, 7, 'Stat');
  out.str(report.submitTime, 10, 'Submit_time');
  out.str(report.doneTime, 10, 'Done_time');
  out.str(report.destTerminalId, widths(version).terminalId, 'Dest_terminal_Id');
  out.u32(report.smscSequence, 'SMSC_sequence');
  return out.done();
}
