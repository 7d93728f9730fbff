// Housekeeping that keeps "every accepted message reaches one final status" true when a
// carrier goes quiet: overdue submitted parts end as `unknown`; unmatched receipts become orphans.
// The scheduler (services/scheduler.ts) runs it as the `messages.sweep` job.
import type { Logger } from '../logger.ts';
import type { StatusChange } from '../store/settlement.ts';
import type { ReceiptStore } from '../store/receipts.ts';

export interface SweepOptions {
  receiptTimeoutMs: number;
  orphanAfterMs: number;
  /** Queued messages past their validity end `expired` (no channel took them in time). */
  expireQueued?: (now: number) => Promise<StatusChange[]>;
}

export interface SweepResult {
  rematched: number;
  orphans: number;
  expired: number;
  unknown: number;
}

export class Sweeper {
  #running: Promise<SweepResult> | null = null;

  constructor(
    private readonly receipts: ReceiptStore,
    private readonly opts: SweepOptions,
    private readonly log: Logger,
  ) {}

  /** Wait for a sweep in progress. */
  async stop(): Promise<void> {
    await this.#running?.catch(() => undefined);
  }

  /** One sweep; a call while one runs joins it. Errors go to the caller (the scheduler logs them). */
  sweep(now = Date.now()): Promise<SweepResult> {
    this.#running ??= this.#sweep(now).finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #sweep(now: number): Promise<SweepResult> {
    const rematched = await this.receipts.rematch(now);
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
    }
    const expired = await this.receipts.expireOverdue(now - this.opts.receiptTimeoutMs, now);
    if (expired.length > 0) {
      this.log.warn({ count: expired.length }, 'messages with no receipt in time marked unknown');
    }
    return {
      rematched: rematched.length,
      orphans: orphans.length,
      expired: stale.length,
      unknown: expired.length,
    };
  }
}
