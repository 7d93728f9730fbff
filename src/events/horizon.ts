// The event horizon of this process (core/webhooks/horizon.ts): the id up to which
// message_events can be read without ever missing a late commit. The webhook fan-out and every
// live stream share one, refreshed at most every `minIntervalMs`.
import { advanceHorizon, type Gap } from '../core/webhooks/horizon.ts';
import type { EventFeed } from '../store/event-feed.ts';

const SCAN = 10_000;

export class EventHorizon {
  #horizon: number | null = null;
  #gaps: Gap[] = [];
  #refreshedAt = 0;
  #refreshing: Promise<number> | null = null;

  constructor(
    private readonly feed: EventFeed,
    private readonly opts: {
      /** A point known to be safe to start from (the webhook cursor: it only moves over a horizon). */
      start: () => Promise<number>;
      /** How long a missing id may be a transaction still in flight. */
      waitMs: number;
      minIntervalMs: number;
    },
  ) {}

  /** The horizon now (refreshed if older than minIntervalMs). */
  async current(): Promise<number> {
    if (this.#refreshing) return this.#refreshing;
    if (this.#horizon !== null && Date.now() - this.#refreshedAt < this.opts.minIntervalMs)
      return this.#horizon;
    this.#refreshing = this.#refresh().finally(() => (this.#refreshing = null));
    return this.#refreshing;
  }

  async #refresh(): Promise<number> {
    let h = this.#horizon ?? (await this.opts.start());
    for (;;) {
      const ids = await this.feed.idsAfter(h, SCAN);
      const next = advanceHorizon(h, ids, this.#gaps, Date.now(), this.opts.waitMs);
      const stuck = next !== ids[ids.length - 1];
      h = next;
      if (ids.length < SCAN || stuck) break;
    }
    this.#horizon = h;
    this.#refreshedAt = Date.now();
    return h;
  }
}
