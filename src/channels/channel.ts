// The upstream channel contract, in the spirit of Kannel's smscconn: drivers connect, submit
// parts and report receipts and inbound messages; they never route and never touch the store.
// The core decides retries from the failure `reason`.

export interface OutboundPart {
  /** Our reference, echoed back with the outcome. */
  messageId: string;
  seq: number;
  to: string;
  /** A full sender address; null = the channel's service number (sourceAddr) + `extension`. */
  from: string | null;
  /** The tenant's extension code (扩展码), appended to the channel's service number: replies to
   * that address come back to the tenant. */
  extension?: string | null;
  /** SMPP data_coding: 0 GSM 03.38, 8 UCS-2. */
  dataCoding: number;
  /** UDH (concatenation) or null for a single-part message. */
  udh: Uint8Array | null;
  /** Encoded user data, without the UDH. */
  userData: Uint8Array;
  /** Ask for a delivery receipt. */
  wantReceipt: boolean;
}

export type SubmitOutcome =
  | { ok: true; carrierId: string }
  | {
      ok: false;
      /** rejected: never retry; throttled / temporary: retry later; unanswered: the carrier may have it. */
      reason: 'rejected' | 'throttled' | 'temporary' | 'unanswered';
      code: string;
      commandStatus: number | null;
      detail: string;
    };

export interface ChannelReceipt {
  carrierId: string;
  stat: string;
  err: string | null;
  status: string | null;
}

export interface ChannelInbound {
  from: string;
  to: string;
  /** The text of this segment (the UDH, if any, removed). */
  text: string;
  /** Set when this is one segment of a concatenated message (reassembled upstream of the driver). */
  concat?: { ref: number; total: number; seq: number };
}

export type ChannelState = 'connecting' | 'bound' | 'down' | 'stopped';

export interface ChannelEvents {
  /** A receipt arrived; call `ack` once it is stored, and the carrier is answered then. */
  onReceipt(receipt: ChannelReceipt, ack: () => void): void;
  onInbound(inbound: ChannelInbound, ack: () => void): void;
  onState(state: ChannelState, detail?: string): void;
}

export interface ChannelDriver {
  readonly id: string;
  /** Which traffic it may carry: test messages only ever go to a test (simulator) channel. */
  readonly use: 'live' | 'test' | 'both';
  start(): Promise<void>;
  /** With drain, wait (bounded) for outstanding submits to be answered. */
  stop(opts?: { drain?: boolean }): Promise<void>;
  submit(part: OutboundPart): Promise<SubmitOutcome>;
  state(): ChannelState;
  /** Parts it can take now without queueing: the dispatcher claims no more than this. */
  capacity(): number;
}

/** A failed submit; without a carrier status for connection, timeout and encoding troubles. */
export function failure(
  reason: 'rejected' | 'throttled' | 'temporary' | 'unanswered',
  code: string,
  detail: string,
  commandStatus: number | null = null,
): SubmitOutcome {
  return { ok: false, reason, code, commandStatus, detail };
}

/** A driver's state as the channel manager sees it: each change reported once, 'bound' logged. */
export class ChannelStatus {
  #state: ChannelState = 'stopped';

  constructor(
    private readonly channelId: string,
    private readonly events: ChannelEvents,
    private readonly log: { info(obj: object, msg: string): void },
  ) {}

  get current(): ChannelState {
    return this.#state;
  }

  set(state: ChannelState, detail?: string): void {
    if (state === this.#state) return;
    this.#state = state;
    if (state === 'bound') this.log.info({ channel: this.channelId }, 'channel bound');
    this.events.onState(state, detail);
  }
}
