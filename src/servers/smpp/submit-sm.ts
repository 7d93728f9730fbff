// Reading a tenant's submit_sm from its raw bytes: the mandatory fields, the TLVs we use, the
// user data (short_message or message_payload), its UDH and concatenation information, and the
// text by data_coding. SMPP 3.4 §4.4.1, §5.2, §5.3.
// Our own reader rather than node-smpp's decoded fields: node-smpp decodes text lossily (unknown
// GSM codes become spaces, data_coding 1 is read as GSM) and hides a UDH that lies about its length.
import { decodeGsm7 } from '../../core/message/gsm7.ts';
import { decodeLatin1, decodeUcs2 } from '../../core/message/encoding.ts';
import { checkText } from '../../core/message/text-check.ts';
import { readUserData, type UserData } from '../session/user-data.ts';
import {
  ESME_RINVCMDLEN,
  ESME_RINVDCS,
  ESME_RINVESMCLASS,
  ESME_RINVMSGLEN,
  ESME_RINVOPTPARNOTALLWD,
  HY_INVALID_TEXT,
} from '../../protocols/smpp/command-status.ts';

export interface SubmitSm {
  serviceType: string;
  sourceTon: number;
  sourceNpi: number;
  sourceAddr: string;
  destTon: number;
  destNpi: number;
  destAddr: string;
  esmClass: number;
  registeredDelivery: number;
  dataCoding: number;
  shortMessage: Buffer;
  /** message_payload TLV (0x0424), when present. */
  messagePayload: Buffer | null;
  /** sar_msg_ref_num / sar_total_segments / sar_segment_seqnum TLVs, when all three are present. */
  sar: { ref: number; total: number; seq: number } | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; status: number; detail: string };

const fail = (status: number, detail: string): { ok: false; status: number; detail: string } => ({
  ok: false,
  status,
  detail,
});

const TAG_MESSAGE_PAYLOAD = 0x0424;
const TAG_SAR_MSG_REF_NUM = 0x020c;
const TAG_SAR_TOTAL_SEGMENTS = 0x020e;
const TAG_SAR_SEGMENT_SEQNUM = 0x020f;

/**
 * Parses a submit_sm body as node-smpp reads it after the command_length: command_id at 0, the
 * mandatory fields from offset 12. A field running past the end is ESME_RINVCMDLEN; a
 * short_message longer than the PDU is ESME_RINVMSGLEN.
 */
export function parseSubmitSm(body: Buffer): Parsed<SubmitSm> {
  let o = 12;
  const cstring = (max: number): string | null => {
    const end = body.indexOf(0, o);
    if (end < 0 || end - o >= max) return null;
    const s = body.toString('latin1', o, end);
    o = end + 1;
    return s;
  };
  const octet = (): number | null => (o < body.length ? (body[o++] as number) : null);

  const serviceType = cstring(6);
  const sourceTon = octet();
  const sourceNpi = octet();
  const sourceAddr = cstring(21);
  const destTon = octet();
  const destNpi = octet();
  const destAddr = cstring(21);
  const esmClass = octet();
  const protocolId = octet();
  const priority = octet();
  const schedule = cstring(17);
  const validity = cstring(17);
  const registeredDelivery = octet();
  const replaceIfPresent = octet();
  const dataCoding = octet();
  const defaultMsgId = octet();
  const smLength = octet();
  if (
    serviceType === null ||
    sourceTon === null ||
    sourceNpi === null ||
    sourceAddr === null ||
    destTon === null ||
    destNpi === null ||
    destAddr === null ||
    esmClass === null ||
    protocolId === null ||
    priority === null ||
    schedule === null ||
    validity === null ||
    registeredDelivery === null ||
    replaceIfPresent === null ||
    dataCoding === null ||
    defaultMsgId === null ||
    smLength === null
  )
    return fail(ESME_RINVCMDLEN, 'submit_sm ends inside its mandatory fields');
  if (o + smLength > body.length)
    return fail(ESME_RINVMSGLEN, `sm_length ${smLength} runs past the end of the PDU`);
  const shortMessage = body.subarray(o, o + smLength);
  o += smLength;

  let messagePayload: Buffer | null = null;
  let ref: number | null = null;
  let total: number | null = null;
  let seq: number | null = null;
  // TLVs (§5.3): an unknown tag is skipped; a length past the end ends the PDU.
  while (o + 4 <= body.length) {
    const tag = body.readUInt16BE(o);
    const len = body.readUInt16BE(o + 2);
    o += 4;
    if (o + len > body.length)
      return fail(ESME_RINVCMDLEN, `TLV 0x${tag.toString(16)} runs past the end of the PDU`);
    const v = body.subarray(o, o + len);
    o += len;
    if (tag === TAG_MESSAGE_PAYLOAD) messagePayload = v;
    else if (tag === TAG_SAR_MSG_REF_NUM && len === 2) ref = v.readUInt16BE(0);
    else if (tag === TAG_SAR_TOTAL_SEGMENTS && len === 1) total = v[0] as number;
    else if (tag === TAG_SAR_SEGMENT_SEQNUM && len === 1) seq = v[0] as number;
  }
  return {
    ok: true,
    value: {
      serviceType,
      sourceTon,
      sourceNpi,
      sourceAddr,
      destTon,
      destNpi,
      destAddr,
      esmClass,
      registeredDelivery,
      dataCoding,
      shortMessage,
      messagePayload,
      sar: ref !== null && total !== null && seq !== null ? { ref, total, seq } : null,
    },
  };
}

/**
 * The user data of a submit_sm: short_message or message_payload (never both), its UDH read and
 * removed when esm_class has UDHI (0x40), else the SAR TLVs (session/user-data.ts). A UDH or SAR
 * that does not hold together is ESME_RINVMSGLEN.
 */
export function readSubmitUserData(sm: SubmitSm): Parsed<UserData> {
  // Message type bits (5–2) must be "default": ESME delivery / manual acknowledgements are not taken.
  if ((sm.esmClass & 0x3c) !== 0)
    return fail(ESME_RINVESMCLASS, `esm_class 0x${sm.esmClass.toString(16)} is not a message`);
  if (sm.shortMessage.length > 0 && sm.messagePayload !== null && sm.messagePayload.length > 0)
    return fail(ESME_RINVOPTPARNOTALLWD, 'short_message and message_payload are both filled');
  const read = readUserData(
    sm.messagePayload ?? sm.shortMessage,
    (sm.esmClass & 0x40) !== 0,
    sm.sar,
  );
  return read.ok ? read : fail(ESME_RINVMSGLEN, read.detail);
}

/** data_coding values taken: 0 (GSM 03.38, unpacked), 1 (IA5/ASCII), 3 (Latin-1), 8 (UCS-2), 0xF0–0xF3 (GSM, message class). */
export function supportedDataCoding(dataCoding: number): boolean {
  return (
    dataCoding === 0 ||
    dataCoding === 1 ||
    dataCoding === 3 ||
    dataCoding === 8 ||
    (dataCoding >= 0xf0 && dataCoding <= 0xf3)
  );
}

/**
 * The text of user data by data_coding. 0 and 0xF0–0xF3: GSM 03.38 default alphabet, one septet
 * per octet (SMPP's usual unpacked form), ESC + code for the extension table. 1: IA5 (ASCII; an
 * octet above 0x7F is read as Latin-1 rather than refused). 3: Latin-1. 8: UCS-2 read as UTF-16BE
 * (an odd number of octets is ESME_RINVMSGLEN). Anything else is ESME_RINVDCS. NULs at the end
 * are C-string terminators and dropped (withoutTerminators). A text that cannot be sent (UCS-2
 * that decodes to a lone surrogate, a NUL inside IA5 / Latin-1 / UCS-2 text;
 * core/message/text-check.ts) is HY_INVALID_TEXT, permanent.
 */
export function decodeText(dataCoding: number, bytes: Uint8Array): Parsed<string> {
  if (!supportedDataCoding(dataCoding))
    return fail(ESME_RINVDCS, `data_coding 0x${dataCoding.toString(16)} is not supported`);
  let text: string;
  if (dataCoding === 8) {
    if (bytes.length % 2 !== 0)
      return fail(ESME_RINVMSGLEN, `UCS-2 user data of ${bytes.length} octets (odd)`);
    text = decodeUcs2(withoutTerminators(dataCoding, bytes));
  } else if (dataCoding === 1 || dataCoding === 3)
    text = decodeLatin1(withoutTerminators(dataCoding, bytes));
  else text = decodeGsm7(bytes);
  const check = checkText(text);
  if (!check.ok) return fail(HY_INVALID_TEXT, check.detail);
  return { ok: true, value: text };
}

/**
 * User data without the NULs that end it. short_message is an octet string with its own length
 * (SMPP 3.4 §5.2.22), yet many clients copy a C string with its terminator (or a zero-filled
 * buffer): trailing 0x00 octets in IA5 / Latin-1 and trailing U+0000 code units in UCS-2 carry no
 * text and are dropped; a NUL before other text is still refused. Not in the GSM default alphabet,
 * where 0x00 is '@' (GSM 03.38), a character a text may well end with.
 */
function withoutTerminators(dataCoding: number, bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  if (dataCoding === 8) while (end >= 2 && bytes[end - 1] === 0 && bytes[end - 2] === 0) end -= 2;
  else while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.subarray(0, end);
}
