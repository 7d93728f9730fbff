// The text of a CMPP SUBMIT's Msg_Content by Msg_Fmt (CMPP 3.0 CMPP_SUBMIT): 0 ASCII, 8 UCS-2,
// 15 GBK; each refusal is the SUBMIT_RESP Result it is answered with.
import { TextDecoder } from 'node:util';
import { decodeLatin1, decodeUcs2 } from '../../core/message/encoding.ts';
import { checkText } from '../../core/message/text-check.ts';
import { MSG_FMT_ASCII, MSG_FMT_GBK, MSG_FMT_UCS2 } from '../../protocols/cmpp/codec.ts';
import {
  RESULT_INVALID_TEXT,
  RESULT_LENGTH,
  RESULT_STRUCTURE,
} from '../../protocols/cmpp/results.ts';

const GBK = new TextDecoder('gbk', { fatal: true });

/** The Msg_Fmt values taken. */
export function supportedMsgFmt(msgFmt: number): boolean {
  return msgFmt === MSG_FMT_ASCII || msgFmt === MSG_FMT_UCS2 || msgFmt === MSG_FMT_GBK;
}

/**
 * Text by Msg_Fmt: 0 ASCII (octets above 0x7F read as Latin-1), 8 UCS-2 (UTF-16BE), 15 GBK. Odd
 * UCS-2 is Result 4, GBK that does not decode Result 1; a text that cannot be sent (a lone
 * surrogate, NUL; core/message/text-check.ts) is Result 110, permanent.
 */
export function decodeMsgContent(
  msgFmt: number,
  bytes: Uint8Array,
): { ok: true; text: string } | { ok: false; result: number } {
  let text: string;
  if (msgFmt === MSG_FMT_UCS2) {
    if (bytes.length % 2 !== 0) return { ok: false, result: RESULT_LENGTH };
    text = decodeUcs2(bytes);
  } else if (msgFmt === MSG_FMT_GBK) {
    try {
      text = GBK.decode(bytes);
    } catch {
      return { ok: false, result: RESULT_STRUCTURE };
    }
  } else text = decodeLatin1(bytes);
  return checkText(text).ok ? { ok: true, text } : { ok: false, result: RESULT_INVALID_TEXT };
}
