// What a role is to the composition root (src/platform.ts): something started with the node's
// shared services, that registers how to stop what it started and reports its part of /health.
import type { Logger } from '../logger.ts';
import type { NodeServices } from './node.ts';

/** One entry of GET /health: named parts ("up", "running", a channel's state) and whether all is well. */
export interface HealthPart {
  parts: Record<string, string>;
  ok: boolean;
}

export interface RoleContext {
  node: NodeServices;
  /** Register how to stop something just started; the platform stops in the reverse order. */
  onStop(stop: () => Promise<void> | void): void;
}

/** Stop functions, run last-registered first; one that fails is logged and the rest still run. */
export class Stops {
  readonly #stops: Array<() => Promise<void> | void> = [];
  constructor(private readonly log: Logger) {}

  push(stop: () => Promise<void> | void): void {
    this.#stops.push(stop);
  }

  async run(): Promise<void> {
    for (const stop of this.#stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        this.log.error({ err }, 'error while stopping');
      }
    }
  }
}
