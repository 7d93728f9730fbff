// Receipts and inbound messages from carriers: buffered for a few milliseconds, stored in one
// transaction, and only then acknowledged to the carrier, so a crash never loses one
// (the carrier sends again what we did not acknowledge).
import type { Logger } from '../logger.ts';
import type { ChannelInbound, ChannelReceipt } from '../channels/channel.ts';
import { newId } from '../core/ids.ts';
import { maskNumber } from '../core/phone.ts';
import type { IncomingReceipt, ReceiptStore } from '../store/receipts.ts';
import type { IncomingInbound } from '../store/inbound-rows.ts';
import type { RecordedInbound } from './handle-inbound.ts';

/** Where inbound messages go: stored (one transaction), then what follows from them. */
export interface InboundSink {
  record(rows: IncomingInbound[]): Promise<RecordedInbound[]>;
  afterCommit(recorded: RecordedInbound[]): Promise<void>;
}

export class ReceiptRecorder {
  #receipts: Array<{ row: IncomingReceipt; ack: () => void }> = [];
  #inbound: Array<{ row: IncomingInbound; ack: () => void }> = [];
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> | null = null;

  constructor(
    private readonly store: ReceiptStore,
    private readonly log: Logger,
    /** Inbound messages and segments: reassembled, routed and stored (services/handle-inbound.ts). */
    private readonly inboundSink: InboundSink,
  ) {}

  receipt(channelId: string, r: ChannelReceipt, ack: () => void): void {
    this.#receipts.push({
      row: {
        channelId,
        carrierId: r.carrierId,
        stat: r.stat,
        err: r.err,
        status: r.status,
        receivedAt: Date.now(),
      },
      ack,
    });
    this.#schedule();
  }

  inbound(channelId: string, m: ChannelInbound, ack: () => void): void {
    this.#inbound.push({
      row: {
        id: newId('inb'),
        channelId,
        from: m.from,
        to: m.to,
        text: m.text,
        concat: m.concat ?? null,
        receivedAt: Date.now(),
      },
      ack,
    });
    this.log.info(
      { channel: channelId, from: maskNumber(m.from), to: m.to, ...(m.concat ?? {}) },
      m.concat ? 'inbound segment' : 'inbound message',
    );
    this.#schedule();
  }

  #schedule(): void {
    if (this.#receipts.length >= 2000) {
      void this.flush();
      return;
    }
    if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        void this.flush();
      }, 10);
    }
  }

  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#receipts.length === 0 && this.#inbound.length === 0) return;
    const receipts = this.#receipts;
    const inbound = this.#inbound;
    this.#receipts = [];
    this.#inbound = [];
    this.#flushing = (async () => {
      try {
        if (inbound.length > 0) {
          const recorded = await this.inboundSink.record(inbound.map((i) => i.row));
          // Acknowledged once stored (a segment too): the carrier resends what we did not answer.
          for (const i of inbound) i.ack();
          await this.inboundSink
            .afterCommit(recorded)
            .catch((err: unknown) => this.log.error({ err }, 'handling inbound messages failed'));
        }
      } catch (err) {
        this.log.error({ err }, 'storing inbound messages failed; will retry');
        this.#inbound.unshift(...inbound);
        this.#schedule();
      }
      try {
        if (receipts.length > 0) {
          await this.store.record(
            receipts.map((r) => r.row),
            Date.now(),
          );
          for (const r of receipts) r.ack();
        }
      } catch (err) {
        this.log.error({ err }, 'storing receipts failed; will retry');
        this.#receipts.unshift(...receipts);
        this.#schedule();
      }
    })().finally(() => {
      this.#flushing = null;
    });
    await this.#flushing;
  }
}
