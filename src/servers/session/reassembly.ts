// Parts of a concatenated message (SMPP submit_sm, CMPP SUBMIT) held until the message is
// complete (3GPP TS 23.040 §9.2.3.24.1: the receiver reassembles by sender, recipient, reference
// and total). Bounded: at most `maxPerScope` incomplete messages per account and `maxBytes` held overall; a message
// not complete within `ttlMs` is dropped. Parts may arrive in any order and on any bind of the
// account; a part sent twice replaces the first. Pure: the caller passes the clock.

export interface HeldPart<M> {
  seq: number;
  bytes: Buffer;
  /** What the caller keeps per part (its wish for a receipt…). */
  meta: M;
}

export interface Held<M> {
  key: string;
  scope: string;
  /** The id chosen when the first part came: every part is answered `<id>-<seq>`. */
  messageId: string;
  total: number;
  dataCoding: number;
  firstAt: number;
  parts: Map<number, HeldPart<M>>;
  bytes: number;
}

export type AddResult<M> =
  | { kind: 'held'; held: Held<M> }
  | { kind: 'complete'; held: Held<M>; bytes: Buffer }
  /** Every part must use the same coding (data_coding, Msg_Fmt) as the first. */
  | { kind: 'mixed_coding'; held: Held<M> }
  /** Over the bounds: refuse the part (SMPP ESME_RMSGQFUL, CMPP Result 8). */
  | { kind: 'full' };

export interface ReassemblyOptions {
  ttlMs: number;
  maxPerScope: number;
  maxBytes: number;
}

export class Reassembly<M> {
  readonly #held = new Map<string, Held<M>>();
  readonly #perScope = new Map<string, number>();
  #bytes = 0;

  constructor(private readonly opts: ReassemblyOptions) {}

  get size(): number {
    return this.#held.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The key of one concatenated message of one account. */
  static key(
    scope: string,
    source: string,
    destination: string,
    ref: number,
    refBits: number,
    total: number,
  ): string {
    return `${scope}\u0000${source}\u0000${destination}\u0000${refBits}:${ref}\u0000${total}`;
  }

  add(
    input: {
      key: string;
      scope: string;
      total: number;
      seq: number;
      dataCoding: number;
      bytes: Buffer;
      meta: M;
      newId: () => string;
    },
    now: number,
  ): AddResult<M> {
    let held = this.#held.get(input.key);
    if (held && held.dataCoding !== input.dataCoding) return { kind: 'mixed_coding', held };
    const previous = held?.parts.get(input.seq);
    const growth = input.bytes.length - (previous?.bytes.length ?? 0);
    if (this.#bytes + growth > this.opts.maxBytes) return { kind: 'full' };
    if (!held) {
      if ((this.#perScope.get(input.scope) ?? 0) >= this.opts.maxPerScope) return { kind: 'full' };
      held = {
        key: input.key,
        scope: input.scope,
        messageId: input.newId(),
        total: input.total,
        dataCoding: input.dataCoding,
        firstAt: now,
        parts: new Map(),
        bytes: 0,
      };
      this.#held.set(input.key, held);
      this.#perScope.set(input.scope, (this.#perScope.get(input.scope) ?? 0) + 1);
    }
    // Copy: the PDU's buffer belongs to the socket's read.
    held.parts.set(input.seq, {
      seq: input.seq,
      bytes: Buffer.from(input.bytes),
      meta: input.meta,
    });
    held.bytes += growth;
    this.#bytes += growth;
    if (held.parts.size < held.total) return { kind: 'held', held };
    this.#remove(held);
    const ordered = [...held.parts.values()].sort((a, b) => a.seq - b.seq).map((p) => p.bytes);
    return { kind: 'complete', held, bytes: Buffer.concat(ordered) };
  }

  /** Drops and returns the messages whose first part came more than ttlMs ago. */
  expire(now: number): Held<M>[] {
    const out: Held<M>[] = [];
    for (const held of this.#held.values()) {
      if (now - held.firstAt >= this.opts.ttlMs) out.push(held);
    }
    for (const held of out) this.#remove(held);
    return out;
  }

  #remove(held: Held<M>): void {
    if (!this.#held.delete(held.key)) return;
    this.#bytes -= held.bytes;
    const n = (this.#perScope.get(held.scope) ?? 1) - 1;
    if (n <= 0) this.#perScope.delete(held.scope);
    else this.#perScope.set(held.scope, n);
  }
}
