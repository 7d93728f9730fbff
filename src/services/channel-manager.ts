// The live set of carrier channels. Configs are data (ChannelStore); this keeps one driver per
// enabled channel and reconciles when configs change (an API call here, or another node's change
// seen by the periodic reload): new channels start, changed ones are drained and restarted,
// disabled or removed ones are drained and stopped. Parts waiting in a stopped driver are handed
// back as temporary failures, so the dispatcher retries them on another channel: nothing is lost.
//
// Each driver is wrapped in a guard that counts submit errors: a burst takes the channel out of
// routing for a cool-down (its failover list carries the traffic), recorded as an incident.
import type { Logger } from '../logger.ts';
import type {
  ChannelDriver,
  ChannelEvents,
  ChannelState,
  OutboundPart,
  SubmitOutcome,
} from '../channels/channel.ts';
import type { ChannelConfig } from '../core/channels/channel-config.ts';
import { BurstBreaker } from '../core/channels/burst.ts';
import type { CategoryRule } from '../core/failure-category.ts';
import type { ChannelStore, StoredChannel } from '../store/channels.ts';
import type { IncidentStore } from '../store/incidents.ts';

export type DriverFactory = (config: ChannelConfig, events: ChannelEvents) => ChannelDriver;

export interface ChannelManagerDeps {
  store: ChannelStore;
  incidents: IncidentStore;
  node: string;
  log: Logger;
  /** Build a driver (null: this node sends nothing, it only reads configs). */
  makeDriver: DriverFactory | null;
  /** Receipts and inbound messages from a channel. */
  events: (channelId: string) => Pick<ChannelEvents, 'onReceipt' | 'onInbound'>;
  reloadMs?: number;
}

export interface ChannelStatus {
  id: string;
  state: ChannelState | 'disabled';
  /** Taken out of routing after an error burst, until this time (ISO). */
  pausedUntil: string | null;
  detail: Record<string, unknown>;
}

/** A driver with its error-burst breaker. The dispatcher sees only this. */
class GuardedChannel implements ChannelDriver {
  readonly id: string;
  readonly use: 'live' | 'test' | 'both';
  readonly breaker: BurstBreaker;
  #reported = false;

  constructor(
    readonly inner: ChannelDriver,
    readonly config: ChannelConfig,
    private readonly onBurst: (open: boolean) => void,
  ) {
    this.id = inner.id;
    this.use = inner.use;
    this.breaker = new BurstBreaker({
      errors: config.burstErrors,
      windowMs: config.burstWindowSeconds * 1000,
      cooldownMs: config.burstCooldownSeconds * 1000,
    });
  }

  start(): Promise<void> {
    return this.inner.start();
  }
  stop(opts?: { drain?: boolean }): Promise<void> {
    return this.inner.stop(opts);
  }
  state(): ChannelState {
    return this.inner.state();
  }
  /** No room while the breaker is open: routing passes the channel over. */
  capacity(): number {
    if (this.paused(Date.now())) return 0;
    return this.inner.capacity();
  }
  paused(now: number): boolean {
    const open = this.breaker.isOpen(now);
    if (!open && this.#reported) {
      this.#reported = false;
      this.onBurst(false);
    }
    return open;
  }
  async submit(part: OutboundPart): Promise<SubmitOutcome> {
    const out = await this.inner.submit(part);
    if (out.ok) this.breaker.success();
    else if (out.reason !== 'rejected' && out.code !== 'channel_down') {
      // Refusals of one message are about the message; timeouts, throttling and errors are the channel's.
      if (this.breaker.error(Date.now())) {
        this.#reported = true;
        this.onBurst(true);
      }
    }
    return out;
  }
}

export class ChannelManager {
  #configs: StoredChannel[] = [];
  #guards = new Map<string, GuardedChannel>();
  #list: ChannelDriver[] = [];
  #reconciling: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  /** Channels whose traffic a failover route moved elsewhere (open incident), by this node. */
  #failedOver = new Set<string>();

  constructor(private readonly deps: ChannelManagerDeps) {}

  /** The drivers the dispatcher may use now. */
  drivers(): ChannelDriver[] {
    return this.#list;
  }

  configs(): ChannelConfig[] {
    return this.#configs.map((c) => c.config);
  }

  stored(): StoredChannel[] {
    return this.#configs;
  }

  categoryRules(channelId: string | null): readonly CategoryRule[] | undefined {
    if (!channelId) return undefined;
    const rules = this.#configs.find((c) => c.config.id === channelId)?.config.categoryRules;
    return rules && rules.length > 0 ? rules : undefined;
  }

  status(): ChannelStatus[] {
    const now = Date.now();
    return this.#configs.map(({ config }) => {
      const g = this.#guards.get(config.id);
      const inner = g?.inner as
        (ChannelDriver & { health?: () => Record<string, unknown> }) | undefined;
      return {
        id: config.id,
        state: !config.enabled ? 'disabled' : (g?.state() ?? 'stopped'),
        pausedUntil: g && g.paused(now) ? new Date(g.breaker.until()).toISOString() : null,
        detail: inner?.health?.() ?? {},
      };
    });
  }

  async start(): Promise<void> {
    await this.reload();
    this.#timer = setInterval(() => {
      this.reload().catch((err: unknown) =>
        this.deps.log.error({ err }, 'reloading channel configs failed'),
      );
      this.#checkFailovers();
    }, this.deps.reloadMs ?? 5000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#reconciling;
    const all = [...this.#guards.values()];
    this.#guards.clear();
    this.#list = [];
    await Promise.all(all.map((g) => g.stop({ drain: false })));
  }

  /** Read the configs and bring the drivers in line (one reconciliation at a time). */
  reload(): Promise<void> {
    const next = this.#reconciling.then(() => this.#reconcile());
    this.#reconciling = next.catch(() => {});
    return next;
  }

  /** A failover route skipped `from` (down or paused) and used `to`: one open incident per episode. */
  noteFailover(from: string, to: string): void {
    if (this.#failedOver.has(from)) return;
    this.#failedOver.add(from);
    this.deps.log.warn({ channel: from, to }, 'failover: traffic moved to another channel');
    this.#incident('open', from, 'failover', `traffic moved to ${to}`);
  }

  async #reconcile(): Promise<void> {
    const stored = await this.deps.store.list();
    this.#configs = stored;
    if (!this.deps.makeDriver) return;
    const wanted = new Map(stored.filter((s) => s.config.enabled).map((s) => [s.config.id, s]));
    const stops: Array<Promise<void>> = [];
    for (const [id, g] of this.#guards) {
      const s = wanted.get(id);
      if (s && JSON.stringify(s.config) === JSON.stringify(g.config)) continue;
      // Changed, disabled or removed: out of the dispatcher's list first, then drained.
      this.#guards.delete(id);
      this.deps.log.info(
        { channel: id, change: s ? 'changed' : 'stopped' },
        'channel reconfigured',
      );
      stops.push(
        g.stop({ drain: true }).then(() => {
          if (!s) this.#incident('close', id, 'bind_lost');
        }),
      );
    }
    this.#list = [...this.#guards.values()];
    await Promise.all(stops);
    for (const [id, s] of wanted) {
      if (this.#guards.has(id)) continue;
      const g = this.#build(s.config);
      if (!g) continue;
      this.#guards.set(id, g);
      await g.start();
    }
    // Config order is id order; keep it stable for the first-bound fallback.
    this.#list = stored.map((s) => this.#guards.get(s.config.id)).filter((g) => g !== undefined);
  }

  #build(config: ChannelConfig): GuardedChannel | null {
    const { log } = this.deps;
    const forward = this.deps.events(config.id);
    const events: ChannelEvents = {
      onReceipt: forward.onReceipt,
      onInbound: forward.onInbound,
      onState: (state, detail) => {
        log.info({ channel: config.id, state, detail }, 'channel state');
        // The incident log: a lost bind opens an incident, binding again closes it.
        if (state === 'down') this.#incident('open', config.id, 'bind_lost', detail ?? null);
        else if (state === 'bound') this.#incident('close', config.id, 'bind_lost');
      },
    };
    let driver: ChannelDriver;
    try {
      driver = this.deps.makeDriver!(config, events);
    } catch (err) {
      log.error({ channel: config.id, err }, 'cannot build channel driver');
      return null;
    }
    return new GuardedChannel(driver, config, (open) => {
      if (open) {
        log.warn({ channel: config.id }, 'error burst: channel paused');
        this.#incident(
          'open',
          config.id,
          'error_burst',
          `${config.burstErrors} errors within ${config.burstWindowSeconds}s; paused ${config.burstCooldownSeconds}s`,
        );
      } else this.#incident('close', config.id, 'error_burst');
    });
  }

  /** Close failover incidents of channels that take traffic again. */
  #checkFailovers(): void {
    const now = Date.now();
    for (const id of this.#failedOver) {
      const g = this.#guards.get(id);
      if (!g || (g.state() === 'bound' && !g.paused(now))) {
        this.#failedOver.delete(id);
        this.#incident('close', id, 'failover');
      }
    }
  }

  #incident(what: 'open' | 'close', channelId: string, kind: string, detail: string | null = null) {
    const at = Date.now();
    const write =
      what === 'open'
        ? this.deps.incidents.open(channelId, kind, detail, this.deps.node, at)
        : this.deps.incidents.close(channelId, kind, at);
    write.catch((err: unknown) =>
      this.deps.log.error({ err }, 'recording a channel incident failed'),
    );
  }
}
