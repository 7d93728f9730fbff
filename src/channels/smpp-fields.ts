// Fields of SMPP PDUs as the `smpp` package hands them to the driver: the text and concatenation
// of a deliver_sm (SMPP 3.4 §4.6.1, UDH per 3GPP TS 23.040 §9.2.3.24.1/.8), and the TON/NPI of a
// sender address (SMPP 3.4 §5.2.5–5.2.6).
import { decodeUserData } from '../core/message/encoding.ts';

/** Concatenation info from the UDH node-smpp split off (8- or 16-bit reference). */
export function concatOf(
  sm: { udh?: Buffer[] } | Buffer | undefined,
): { ref: number; total: number; seq: number } | null {
  if (!sm || Buffer.isBuffer(sm) || !Array.isArray(sm.udh)) return null;
  for (const ie of sm.udh) {
    if (!Buffer.isBuffer(ie) || ie.length < 2) continue;
    if (ie[0] === 0x00 && ie[1] === 3 && ie.length >= 5)
      return { ref: ie[2]!, total: ie[3]!, seq: ie[4]! };
    if (ie[0] === 0x08 && ie[1] === 4 && ie.length >= 6)
      return { ref: ie.readUInt16BE(2), total: ie[4]!, seq: ie[5]! };
  }
  return null;
}

export function addressing(source: string): { source_addr_ton: number; source_addr_npi: number } {
  if (!/^\+?\d+$/.test(source)) return { source_addr_ton: 5, source_addr_npi: 0 }; // alphanumeric
  if (source.replace('+', '').length <= 8) return { source_addr_ton: 3, source_addr_npi: 0 }; // short code / 106 number
  return { source_addr_ton: 1, source_addr_npi: 1 };
}

export function textOf(
  value: { message?: string | Buffer } | Buffer | string | undefined,
  dataCoding: number,
): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return decodeUserData(dataCoding, value);
  const m = value.message;
  if (typeof m === 'string') return m;
  if (Buffer.isBuffer(m)) return decodeUserData(dataCoding, m);
  return '';
}
