// Choosing and applying the message encoding, and decoding inbound user data.
// Source: SMPP 3.4 §5.2.19 (data_coding), 3GPP TS 23.038 §5 (UCS-2; characters beyond the BMP
// travel as UTF-16 surrogate pairs).

import { decodeGsm7, isGsm7Text } from './gsm7.ts';

export type Encoding = 'gsm7' | 'ucs2';

/**
 * GSM-7 when every character is in the GSM 03.38 default or extension table, else UCS-2.
 * One non-GSM character moves the whole message to UCS-2 (70/67 units) (reference §2.6).
 */
export function chooseEncoding(text: string): Encoding {
  return isGsm7Text(text) ? 'gsm7' : 'ucs2';
}

/** SMPP data_coding: 0x00 SMSC default alphabet (GSM-7), 0x08 UCS-2 (SMPP 3.4 §5.2.19). */
export function dataCodingFor(encoding: Encoding): 0 | 8 {
  return encoding === 'gsm7' ? 0 : 8;
}

/**
 * "UCS-2" as SMSCs actually use it: UTF-16BE code units, so a code point above U+FFFF is a
 * surrogate pair of 2 units / 4 octets (node-smpp encodes with iconv `utf16-be`; reference §2.6).
 */
export function encodeUcs2(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out[2 * i] = unit >> 8;
    out[2 * i + 1] = unit & 0xff;
  }
  return out;
}

/**
 * Decodes UTF-16BE. Surrogate pairs join into one code point naturally in a JS string; a stray
 * trailing odd octet (a broken sender) is ignored rather than failing the inbound message.
 */
export function decodeUcs2(bytes: Uint8Array): string {
  const units = bytes.length >> 1;
  let text = '';
  // fromCharCode in chunks: one call per unit is slow, one call for everything can overflow the stack.
  const CHUNK = 4096;
  for (let start = 0; start < units; start += CHUNK) {
    const end = Math.min(units, start + CHUNK);
    const chunk = new Array<number>(end - start);
    for (let u = start; u < end; u++) {
      chunk[u - start] = ((bytes[2 * u] as number) << 8) | (bytes[2 * u + 1] as number);
    }
    text += String.fromCharCode(...chunk);
  }
  return text;
}

/** ISO-8859-1: each octet is the code point of the same value. */
export function decodeLatin1(bytes: Uint8Array): string {
  let text = '';
  const CHUNK = 4096;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    text += String.fromCharCode(...bytes.subarray(start, start + CHUNK));
  }
  return text;
}

/**
 * Decodes inbound short_message / message_payload by SMPP data_coding (reference §1 table):
 * - 0 (SMSC default) → GSM-7 unpacked;
 * - 1 (nominally IA5/ASCII) → GSM-7 unpacked too, because node-smpp-style peers label GSM-7 text
 *   as 0x01 while encoding it with the GSM table (reference §1 "Pitfall");
 * - 3 → Latin-1; 8 → UTF-16BE;
 * - anything else (binary, national sets) → Latin-1, best effort so the text is never lost.
 */
export function decodeUserData(dataCoding: number, bytes: Uint8Array): string {
  switch (dataCoding) {
    case 0:
    case 1:
      return decodeGsm7(bytes);
    case 3:
      return decodeLatin1(bytes);
    case 8:
      return decodeUcs2(bytes);
    default:
      return decodeLatin1(bytes);
  }
}
