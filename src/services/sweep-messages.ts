// Housekeeping that keeps "every accepted message reaches one final status" true when a
// carrier goes quiet: overdue submitted parts end as `unknown`; unmatched receipts become orphans.
import type { Logger } from '../logger.ts';
import type { StatusChange } from '../store/messages.ts';
import type { ReceiptStore } from '../store/receipts.ts';

export interface SweepOptions {
  receiptTimeoutMs: number;
  orphanAfterMs: number;
  everyMs: number;
  /** Queued messages past their validity end `expired` (no channel took them in time). */
  expireQueued?: (now: number) => Promise<StatusChange[]>;
}

export class Sweeper {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;

  constructor(
    private readonly receipts: ReceiptStore,
    private readonly opts: SweepOptions,
    private readonly log: Logger,
    private readonly onChanges?: (changes: StatusChange[]) => void,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.sweep(), this.opts.everyMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }

  async sweep(now = Date.now()): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = (async () => {
      try {
        const rematched = await this.receipts.rematch(now);
        if (rematched.length > 0) this.onChanges?.(rematched);
        const orphans = await this.receipts.markOrphans(now - this.opts.orphanAfterMs);
        for (const o of orphans)
          this.log.warn(
            { channel: o.channel_id, carrierId: o.carrier_id, stat: o.stat },
            'receipt for an unknown message id kept as orphan',
          );
        const stale = (await this.opts.expireQueued?.(now)) ?? [];
        if (stale.length > 0) {
          this.log.warn(
            { count: stale.length },
            'messages not submitted within their validity marked expired',
          );
          this.onChanges?.(stale);
        }
        const expired = await this.receipts.expireOverdue(now - this.opts.receiptTimeoutMs, now);
        if (expired.length > 0) {
          this.log.warn(
            { count: expired.length },
            'messages with no receipt in time marked unknown',
          );
          this.onChanges?.(expired);
        }
      } catch (err) {
        this.log.error({ err }, 'sweep failed');
      }
    })().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }
}
