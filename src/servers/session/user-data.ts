// The user data of a submitted short message, whatever the protocol carried it in (SMPP
// short_message / message_payload with esm_class UDHI, CMPP Msg_Content with TP_udhi): its User
// Data Header read and removed, and the concatenation it names (3GPP TS 23.040 §9.2.3.24: IEI
// 0x00 with an 8-bit reference, 0x08 with a 16-bit one), or the SMPP 3.4 §5.3.2.22–24 SAR TLVs
// when there is no header. Each protocol maps a refusal to its own answer.

export interface Concat {
  /** 8- or 16-bit reference (UDH IEI 0x00 / 0x08), or SAR TLVs (16-bit). */
  ref: number;
  refBits: 8 | 16;
  total: number;
  /** 1-based. */
  seq: number;
}

export interface UserData {
  /** The text's bytes, UDH removed. */
  bytes: Buffer;
  concat: Concat | null;
}

export type UserDataRead = { ok: true; value: UserData } | { ok: false; detail: string };

const fail = (detail: string): UserDataRead => ({ ok: false, detail });

/**
 * Reads `data`: with `udhi` its first octet is the header's length and the header is removed. A
 * header whose length octet or information elements run past their bounds, or a concatenation
 * element with a part number of 0 or above the total, is refused. Information elements other than
 * concatenation are skipped. `sar` (SMPP only) stands for the header when there is none.
 */
export function readUserData(
  data: Buffer,
  udhi: boolean,
  sar: { ref: number; total: number; seq: number } | null = null,
): UserDataRead {
  if (!udhi) {
    const concat =
      sar === null ? null : { ref: sar.ref, refBits: 16 as const, total: sar.total, seq: sar.seq };
    if (concat && !validParts(concat)) return fail(`SAR segment ${concat.seq} of ${concat.total}`);
    return { ok: true, value: { bytes: data, concat } };
  }
  if (data.length === 0) return fail('UDHI is set but there is no user data');
  const udhl = data[0] as number;
  if (1 + udhl > data.length)
    return fail(`UDH length ${udhl} is longer than the ${data.length - 1} octets`);
  let concat: Concat | null = null;
  let o = 1;
  while (o < 1 + udhl) {
    if (o + 2 > 1 + udhl) return fail('UDH ends inside an information element');
    const iei = data[o] as number;
    const len = data[o + 1] as number;
    if (o + 2 + len > 1 + udhl) return fail(`UDH element 0x${iei.toString(16)} runs past the UDH`);
    const v = data.subarray(o + 2, o + 2 + len);
    if (iei === 0x00 || iei === 0x08) {
      const size = iei === 0x00 ? 3 : 4;
      if (len !== size) return fail(`concatenation element of ${len} octets, not ${size}`);
      concat =
        iei === 0x00
          ? { ref: v[0] as number, refBits: 8, total: v[1] as number, seq: v[2] as number }
          : { ref: v.readUInt16BE(0), refBits: 16, total: v[2] as number, seq: v[3] as number };
      if (!validParts(concat)) return fail(`concatenated part ${concat.seq} of ${concat.total}`);
    }
    o += 2 + len;
  }
  return { ok: true, value: { bytes: data.subarray(1 + udhl), concat } };
}

function validParts(c: Concat): boolean {
  return c.total >= 1 && c.seq >= 1 && c.seq <= c.total;
}
