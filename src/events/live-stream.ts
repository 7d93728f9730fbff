// The live stream (GET /v1/events/stream adapts it to Server-Sent Events): one tenant's events,
// read after a cursor and never past the event horizon, so ids come in order and none is skipped
// (a late commit below the horizon cannot exist). The cursor lives with the client: it resumes
// with the last id it saw. A node keeps at most `maxPerTenant` streams open per tenant.
import type { EventFeed, FeedEvent } from '../store/event-feed.ts';
import type { EventHorizon } from './horizon.ts';

const BATCH = 500;

export interface LiveStreamOptions {
  /** Streams open at once per tenant on this node. */
  maxPerTenant: number;
  /** How long a stream that is caught up waits before it reads again. */
  pollMs: number;
}

export class LiveStreams {
  readonly #perTenant = new Map<string, number>();

  constructor(
    private readonly feed: EventFeed,
    private readonly horizon: EventHorizon,
    private readonly opts: LiveStreamOptions,
  ) {}

  /**
   * A stream of the tenant's events after `resume` (null: from now on), or null when the tenant
   * already has `maxPerTenant` open here. Close it when its reader goes.
   */
  async open(tenantId: string, resume: number | null): Promise<LiveStream | null> {
    if ((this.#perTenant.get(tenantId) ?? 0) >= this.opts.maxPerTenant) return null;
    const after = resume ?? (await this.horizon.current());
    this.#perTenant.set(tenantId, (this.#perTenant.get(tenantId) ?? 0) + 1);
    return new LiveStream(this.feed, this.horizon, tenantId, after, this.opts.pollMs, () => {
      const n = (this.#perTenant.get(tenantId) ?? 1) - 1;
      if (n > 0) this.#perTenant.set(tenantId, n);
      else this.#perTenant.delete(tenantId);
    });
  }
}

export class LiveStream {
  #closed = false;
  #wake: (() => void) | null = null;

  constructor(
    private readonly feed: EventFeed,
    private readonly horizon: EventHorizon,
    readonly tenantId: string,
    /** The cursor: the id of the last event read. */
    private after: number,
    private readonly pollMs: number,
    private readonly onClose: () => void,
  ) {}

  /** The id the stream reads after. */
  get cursor(): number {
    return this.after;
  }

  /** The events, a batch at a time and in id order, until the stream is closed. */
  async *batches(): AsyncGenerator<FeedEvent[]> {
    while (!this.#closed) {
      const upTo = await this.horizon.current();
      const page = await this.feed.tenantEvents(this.tenantId, this.after, upTo, BATCH);
      this.after = page.last;
      if (this.#closed) break;
      if (page.events.length > 0) yield page.events;
      if (!page.full) await this.#pause();
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onClose();
    this.#wake?.();
  }

  #pause(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.#wake = null;
        resolve();
      };
      const t = setTimeout(done, this.pollMs);
      this.#wake = done;
    });
  }
}
