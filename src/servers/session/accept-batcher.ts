// Submits from tenant sessions (SMPP submit_sm, CMPP SUBMIT) go through the same accept service
// as HTTP (services/accept-messages.ts), one recipient each. Accepting costs a few statements and one transaction whatever the number of
// recipients, so submits that arrive together and share everything but the recipient (text,
// class, account, source_addr, receipt wish) are accepted by one call with `partial: true`:
// each recipient still gets its own answer (accepted, or refused with its own code), exactly as
// if it had been sent alone. Ids are chosen up front, so each answer is found by its id.
import { DomainError, isDomainError } from '../../core/errors.ts';
import { normaliseNumber } from '../../core/phone.ts';
import type { Logger } from '../../logger.ts';
import {
  acceptMessages,
  type AcceptDeps,
  type RejectedRecipient,
} from '../../services/accept-messages.ts';

type Tenant = Parameters<typeof acceptMessages>[1];
/** How a message came in (stored on it): protocol, account, source address, receipt wish, parts. */
export type MessageOrigin = NonNullable<
  NonNullable<Parameters<typeof acceptMessages>[3]>['origin']
>;

/** The tenants an accept call is made for (the tenant store satisfies it). */
export interface TenantLookup {
  find(id: string): Promise<Tenant | undefined>;
}

export interface AcceptJob {
  tenantId: string;
  id: string;
  to: string;
  text: string;
  class: string;
  origin: MessageOrigin;
  /** The answer: null when accepted, else the domain error code (each protocol maps it). */
  done(code: string | null): void;
}

export interface AcceptBatcherOptions {
  /** acceptMessages calls in flight at once. */
  concurrency: number;
  /** Recipients per call. */
  maxBatch: number;
}

export class AcceptBatcher {
  #queue: AcceptJob[] = [];
  /** Jobs in acceptMessages calls now, and how many calls. */
  #inFlight = 0;
  #calls = 0;
  #scheduled = false;
  #idle: Array<() => void> = [];

  constructor(
    private readonly deps: AcceptDeps,
    private readonly tenants: TenantLookup,
    private readonly opts: AcceptBatcherOptions,
    private readonly log: Logger,
    private readonly onAccepted: () => void = () => {},
  ) {}

  get pending(): number {
    return this.#queue.length + this.#inFlight;
  }

  push(job: AcceptJob): void {
    this.#queue.push(job);
    if (!this.#scheduled) {
      this.#scheduled = true;
      // Everything read from the sockets in this turn can join the same call.
      setImmediate(() => {
        this.#scheduled = false;
        this.#run();
      });
    }
  }

  /** Resolves when nothing is queued or in flight (for stop). */
  drained(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Starts calls while there is room. Jobs wait in the queue until a call can take them, so what
   * arrives while the calls are busy is grouped into as few calls as possible.
   */
  #run(): void {
    while (this.#calls < this.opts.concurrency && this.#queue.length > 0) {
      const chunk = this.#take();
      this.#calls++;
      this.#inFlight += chunk.length;
      this.#accept(chunk)
        .catch((err: unknown) => {
          this.log.error({ err }, 'accepting tenant submits failed');
          for (const job of chunk) job.done('internal_error');
        })
        .finally(() => {
          this.#calls--;
          this.#inFlight -= chunk.length;
          this.#run();
          if (this.pending === 0) for (const resolve of this.#idle.splice(0)) resolve();
        });
    }
  }

  /** The first queued job and those that can share its call (same everything but the recipient). */
  #take(): AcceptJob[] {
    const key = keyOf(this.#queue[0] as AcceptJob);
    const chunk: AcceptJob[] = [];
    const to = new Set<string>();
    const rest: AcceptJob[] = [];
    for (const job of this.#queue) {
      // One recipient once per call (the service refuses duplicates within a request).
      if (chunk.length < this.opts.maxBatch && !to.has(job.to) && keyOf(job) === key) {
        chunk.push(job);
        to.add(job.to);
      } else rest.push(job);
    }
    this.#queue = rest;
    return chunk;
  }

  async #accept(jobs: AcceptJob[]): Promise<void> {
    const first = jobs[0] as AcceptJob;
    const tenant = await this.tenants.find(first.tenantId);
    if (!tenant) throw new Error(`tenant ${first.tenantId} is gone`);
    let accepted: Set<string>;
    let rejected: RejectedRecipient[];
    try {
      const out = await acceptMessages(
        this.deps,
        tenant,
        { to: jobs.map((j) => j.to), text: first.text, class: first.class, partial: true },
        // Past the tenant's message budget only the submits beyond it are throttled
        // (ESME_RTHROTTLED / CMPP result 8), as if each had been sent alone.
        { origin: first.origin, messageIds: jobs.map((j) => j.id), limitPerRecipient: true },
      );
      accepted = new Set(out.body.messages.map((m) => m.id));
      rejected = out.body.rejected;
    } catch (err) {
      if (!isDomainError(err)) throw err;
      const list = (err as DomainError).details?.rejected;
      if (!Array.isArray(list)) {
        // Refused as a whole (the text, the account's status, the balance…): the same for all.
        for (const job of jobs) job.done(err.code);
        return;
      }
      accepted = new Set();
      rejected = list as RejectedRecipient[];
    }
    if (accepted.size > 0) this.onAccepted();
    const refused = this.#refusals(
      jobs.filter((j) => !accepted.has(j.id)),
      rejected,
    );
    for (const job of jobs) {
      if (accepted.has(job.id)) {
        job.done(null);
        continue;
      }
      const code = refused.get(job) ?? 'internal_error';
      // The same number written two ways in one call: it goes again, alone, in the next batch.
      if (code === 'duplicate_recipient') this.push(job);
      else job.done(code);
    }
  }

  /** Which refusal is whose: the service names a recipient as written, or as E.164. */
  #refusals(jobs: AcceptJob[], rejected: RejectedRecipient[]): Map<AcceptJob, string> {
    const out = new Map<AcceptJob, string>();
    if (jobs.length === 0) return out;
    const byTo = new Map<string, AcceptJob>();
    for (const job of jobs) {
      byTo.set(job.to, job);
      const n = normaliseNumber(job.to, this.deps.defaultRegion);
      if (n.ok && !byTo.has(n.e164)) byTo.set(n.e164, job);
    }
    for (const r of rejected) {
      const job = byTo.get(r.to);
      if (job && !out.has(job)) out.set(job, r.code);
    }
    return out;
  }
}

const keys = new WeakMap<AcceptJob, string>();

/** What a job shares with the others of its call: everything but the recipient and its id. */
function keyOf(job: AcceptJob): string {
  let key = keys.get(job);
  if (key === undefined) {
    const o = job.origin;
    key = [job.tenantId, job.class, o.account, o.sourceAddr, o.receipt, o.parts, job.text]
      .map(String)
      .join('\u0000');
    keys.set(job, key);
  }
  return key;
}
