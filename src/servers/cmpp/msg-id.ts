// Msg_Ids the CMPP server hands out (SUBMIT_RESP, and each DELIVER it sends): the spec's 64-bit
// layout (CMPP 3.0, SUBMIT_RESP Msg_Id) with the time in China time, this node's gateway code and
// a 16-bit sequence. A group send reserves a block: one SUBMIT to N recipients is answered X and
// its reports carry X … X+N−1, so a block never straddles the sequence's wrap.
import { encodeMsgId } from '../../protocols/cmpp/codec.ts';

export class MsgIdSource {
  #seq = 0;

  /** `gateway`: 22 bits; distinct per node so two nodes never hand out the same id. */
  constructor(private readonly gateway: number) {}

  /** The first of `count` consecutive Msg_Ids (count 1–256). */
  next(count = 1, now = Date.now()): Buffer {
    if (this.#seq + count > 0x10000) this.#seq = 0;
    const sequence = this.#seq;
    this.#seq = (this.#seq + count) % 0x10000;
    const t = new Date(now + 8 * 3600_000);
    return encodeMsgId({
      month: t.getUTCMonth() + 1,
      day: t.getUTCDate(),
      hour: t.getUTCHours(),
      minute: t.getUTCMinutes(),
      second: t.getUTCSeconds(),
      gateway: this.gateway & 0x3fffff,
      sequence,
    });
  }
}

/** The Msg_Id `offset` after `base` (a group send's i-th recipient). */
export function msgIdPlus(base: Buffer, offset: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE((base.readBigUInt64BE(0) + BigInt(offset)) & 0xffffffffffffffffn);
  return b;
}

/** A gateway code (22 bits) from the node id, so the nodes of one database differ. */
export function gatewayCodeOf(nodeId: string): number {
  let h = 0x811c9dc5;
  for (const ch of Buffer.from(nodeId, 'utf8')) h = Math.imul(h ^ ch, 0x01000193) >>> 0;
  return h & 0x3fffff;
}
