// Tenants' extension codes (扩展码), kept in memory for the dispatcher: it appends the sender's
// code to the channel's service number on every part it submits, so the look-up must be
// synchronous. Codes are read at start and every few seconds (another node or an operator may
// have changed one); each refresh also gives a code to every tenant that has none yet (new
// tenants), and a tenant the dispatcher asks about before that gets one at once.
import type { Logger } from '../logger.ts';
import { DomainError } from '../core/errors.ts';
import {
  DEFAULT_EXTENSION_DIGITS,
  ExtensionAllocator,
  extensionProblem,
} from '../core/inbound/extension.ts';
import type { InboundStore } from '../store/inbound.ts';
import type { ExtensionRow } from '../store/inbound-rows.ts';

export interface ExtensionCodesOptions {
  /** Length of automatically assigned codes. */
  digits?: number;
  refreshMs?: number;
  /** Tenants that get no code (the operator's own account: its notices are not conversations). */
  exclude?: readonly string[];
  log: Logger;
}

export class ExtensionCodes {
  #byTenant = new Map<string, string>();
  #timer: NodeJS.Timeout | null = null;
  #assigning = new Map<string, Promise<string>>();
  readonly #digits: number;
  readonly #exclude: Set<string>;

  constructor(
    private readonly store: InboundStore,
    private readonly opts: ExtensionCodesOptions,
  ) {
    this.#digits = opts.digits ?? DEFAULT_EXTENSION_DIGITS;
    this.#exclude = new Set(opts.exclude ?? []);
  }

  async start(): Promise<void> {
    await this.refresh();
    this.#timer = setInterval(() => {
      this.refresh().catch((err: unknown) =>
        this.opts.log.error({ err }, 'refreshing extension codes failed'),
      );
    }, this.opts.refreshMs ?? 5000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Give every tenant without a code one, then read them all. */
  async refresh(): Promise<void> {
    const missing = await this.store.tenantsWithoutExtension([...this.#exclude]);
    if (missing.length > 0) {
      let codes = new ExtensionAllocator(await this.#taken(), this.#digits);
      for (const tenantId of missing) {
        const code = codes.next();
        if (await this.store.insertAutoExtension(tenantId, code, Date.now())) {
          codes.add(code);
          this.opts.log.info({ tenant: tenantId, extension: code }, 'extension code assigned');
        } else {
          // Another node was quicker (with this code or this tenant): read again, go on.
          codes = new ExtensionAllocator(await this.#taken(), this.#digits);
          if (!(await this.store.extensionOf(tenantId))) await this.ensure(tenantId);
        }
      }
    }
    this.#load(await this.store.extensions());
  }

  /**
   * The tenant's code, from memory (null: none yet; one is being assigned, and the tenant's
   * next messages carry it).
   */
  extensionOf(tenantId: string): string | null {
    const code = this.#byTenant.get(tenantId);
    if (code !== undefined) return code;
    if (!this.#exclude.has(tenantId))
      this.ensure(tenantId).catch((err: unknown) =>
        this.opts.log.error({ err, tenant: tenantId }, 'assigning an extension code failed'),
      );
    return null;
  }

  /** The tenant's code, assigned now if it has none. */
  ensure(tenantId: string): Promise<string> {
    const running = this.#assigning.get(tenantId);
    if (running) return running;
    const p = this.#assign(tenantId).finally(() => this.#assigning.delete(tenantId));
    this.#assigning.set(tenantId, p);
    return p;
  }

  async #assign(tenantId: string): Promise<string> {
    // Another node may take the same next code at the same moment: the unique index refuses
    // one of the two, and that one tries the next code.
    for (let attempt = 0; attempt < 10; attempt++) {
      const existing = await this.store.extensionOf(tenantId);
      if (existing) {
        this.#byTenant.set(tenantId, existing.code);
        return existing.code;
      }
      const taken = await this.#taken();
      const code = new ExtensionAllocator(taken, this.#digits).next();
      if (await this.store.insertAutoExtension(tenantId, code, Date.now())) {
        this.#byTenant.set(tenantId, code);
        this.opts.log.info({ tenant: tenantId, extension: code }, 'extension code assigned');
        return code;
      }
    }
    throw new Error(`could not assign an extension code to ${tenantId}`);
  }

  /** An operator's choice: digits only, not exactly another tenant's code (prefixes may be). */
  async set(tenantId: string, code: string, serviceNumbers: readonly string[]) {
    const problem = extensionProblem(code, serviceNumbers);
    if (problem) throw new DomainError('invalid_extension', problem, { field: 'extension' });
    const out = await this.store.setExtension(tenantId, code, Date.now());
    this.#byTenant.set(tenantId, code);
    return out;
  }

  /** Codes in use or released within 90 days: late replies to a released code reach nobody new. */
  #taken(): Promise<string[]> {
    return this.store.takenCodes(Date.now() - 90 * 24 * 3600_000);
  }

  #load(rows: readonly ExtensionRow[]): void {
    this.#byTenant = new Map(rows.map((r) => [r.tenantId, r.code]));
  }
}
