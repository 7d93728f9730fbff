// The operator's routing table, kept in memory for the dispatcher (it routes every part, so the
// look-up is synchronous). Read at start and every 30 s, because another node may have changed
// it; a change made through this node's API is seen at once. Every node keeps its own copy: this
// is not a periodic job of the cluster (docs/architecture.md, "Not jobs").
import type { Logger } from '../logger.ts';
import type { Route } from '../core/routing/routes.ts';
import type { SettingsStore } from '../store/settings.ts';

const KEY = 'routes';

export class RoutingTable {
  #routes: Route[] | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly settings: SettingsStore,
    private readonly log: Logger,
    private readonly refreshMs = 30_000,
  ) {}

  async start(): Promise<void> {
    this.#routes = await this.settings.get<Route[]>(KEY);
    this.#timer = setInterval(() => {
      this.settings.get<Route[]>(KEY).then(
        (r) => (this.#routes = r),
        (err: unknown) => this.log.error({ err }, 'reading routes failed'),
      );
    }, this.refreshMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** The table as last read (null: none; the first bound channel takes everything). */
  current(): Route[] | null {
    return this.#routes;
  }

  async replace(routes: Route[]): Promise<void> {
    await this.settings.set(KEY, routes);
    this.#routes = routes;
  }
}
