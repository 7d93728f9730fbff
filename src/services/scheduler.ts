// The one place periodic jobs run (the worker role owns it). Each job has a row in
// `scheduled_jobs`; on every short tick the scheduler asks its clock whether a job is due and, if
// so, claims the row with a guarded update: on several nodes sharing one database exactly one
// runs it. The due time lives in the database, so a job that came due while every node was down
// runs as soon as one starts. A failed run is logged and tried again after `retryMs`.
import type { Logger } from '../logger.ts';
import { nextDueAt, nextLook, retryAt, type Clock } from '../core/schedule.ts';
import type { ScheduledJobStore } from '../store/scheduled-jobs.ts';

export interface PeriodicJob {
  /** Stable: it names the job's row, the log lines and the entry in GET /v1/admin/jobs. */
  name: string;
  periodMs: number;
  /** One run at `now` (the scheduler's clock). Must be idempotent: a run may be repeated. */
  run(now: number): Promise<unknown>;
}

export interface SchedulerOptions {
  node: string;
  clock: Clock;
  /** How often the clock is asked (a comparison; the database is asked only when a job is due). */
  tickMs: number;
  /** How long a claim holds without renewal; a node that dies mid-run is taken over after it. */
  leaseMs: number;
  /** A failed run is tried again after this long (sooner if its next slot comes first). */
  retryMs: number;
}

interface Entry {
  job: PeriodicJob;
  /** When to ask the database again: the job's due time as last seen; null to (re)register. */
  lookAt: number | null;
  run: Promise<void> | null;
}

export class Scheduler {
  readonly #entries = new Map<string, Entry>();
  #timer: NodeJS.Timeout | null = null;
  #ticking: Promise<void> | null = null;
  #started = false;
  #stopped = false;

  constructor(
    private readonly store: ScheduledJobStore,
    private readonly opts: SchedulerOptions,
    private readonly log: Logger,
  ) {}

  /** Register a job (before or after start; it is picked up on the next tick). */
  add(job: PeriodicJob): void {
    if (this.#entries.has(job.name)) throw new Error(`periodic job ${job.name} exists already`);
    if (!(job.periodMs > 0)) throw new RangeError(`periodic job ${job.name}: period must be > 0`);
    this.#entries.set(job.name, { job, lookAt: null, run: null });
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    // This node is starting, so it runs nothing: claims its previous life left are void.
    const released = await this.store.releaseClaims(this.opts.node, this.opts.clock.now());
    if (released.length > 0)
      this.log.info({ jobs: released }, 'released job claims left by an earlier run');
    await this.tick();
    this.#schedule();
  }

  /** Stop looking; wait for the runs in progress (they record their outcome). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#ticking;
    await Promise.all([...this.#entries.values()].map((e) => e.run));
  }

  /** One tick, and wait for every run in progress to be recorded (tests, `hongyan` commands). */
  async runDue(): Promise<void> {
    await this.tick();
    await Promise.all([...this.#entries.values()].map((e) => e.run));
  }

  /** Ask the clock; claim and start every job now due. Runs go on beside each other. */
  async tick(): Promise<void> {
    const now = this.opts.clock.now();
    for (const entry of this.#entries.values()) {
      if (this.#stopped) return;
      if (entry.run) continue;
      if (entry.lookAt === null) {
        try {
          const row = await this.store.register(entry.job.name, entry.job.periodMs, now);
          entry.lookAt = nextLook(row.dueAt, row.leaseUntil, entry.job.periodMs, now);
        } catch (err) {
          this.log.error({ err, job: entry.job.name }, 'registering a periodic job failed');
          continue;
        }
      }
      // Another tick may have started it while this one waited for the database.
      if (entry.run || now < entry.lookAt) continue;
      const run: Promise<void> = this.#run(entry).finally(() => {
        if (entry.run === run) entry.run = null;
      });
      entry.run = run;
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#ticking = this.tick()
        .catch((err: unknown) => this.log.error({ err }, 'scheduler tick failed'))
        .finally(() => {
          this.#ticking = null;
          this.#schedule();
        });
    }, this.opts.tickMs);
    this.#timer.unref();
  }

  async #run(entry: Entry): Promise<void> {
    const { job } = entry;
    const { node, clock, leaseMs, retryMs } = this.opts;
    const log = this.log.child({ job: job.name });
    const now = clock.now();
    let slot: number | null;
    try {
      slot = await this.store.claim(job.name, node, now, leaseMs);
      if (slot === null) {
        // Not due any more (another node ran it) or running elsewhere: look again when it may be.
        const row = await this.store.get(job.name);
        entry.lookAt = row ? nextLook(row.dueAt, row.leaseUntil, job.periodMs, now) : null;
        return;
      }
    } catch (err) {
      log.error({ err }, 'claiming a periodic job failed; trying again later');
      entry.lookAt = now + Math.min(retryMs, job.periodMs);
      return;
    }
    // A long run keeps its claim; a node that dies stops renewing and another takes over.
    const renewal = setInterval(
      () => {
        const at = clock.now();
        this.store.renew(job.name, node, at + leaseMs, at).then(
          (kept) => {
            if (!kept) log.warn('the claim on a running job was lost');
          },
          (err: unknown) => log.error({ err }, 'renewing a job claim failed'),
        );
      },
      Math.max(1000, Math.floor(leaseMs / 3)),
    );
    renewal.unref();
    let ok = true;
    let error: string | null = null;
    let summary: unknown;
    const started = Date.now();
    try {
      summary = await job.run(now);
    } catch (err) {
      ok = false;
      error = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
      log.error({ err }, 'periodic job failed; it is tried again later');
    } finally {
      clearInterval(renewal);
    }
    const finishedAt = clock.now();
    const next = ok
      ? nextDueAt(slot, job.periodMs, finishedAt)
      : retryAt(slot, job.periodMs, finishedAt, retryMs);
    try {
      const kept = await this.store.finish(job.name, node, {
        finishedAt,
        nextDueAt: next,
        ok,
        error,
        summary,
      });
      if (!kept) log.warn('a periodic job finished after another node took its claim over');
      entry.lookAt = kept ? next : null;
      if (ok) log.debug({ ms: Date.now() - started, summary }, 'periodic job ran');
    } catch (err) {
      // The claim stays until its lease ends; then this node or another runs the job again.
      log.error({ err }, 'recording a periodic job run failed');
      entry.lookAt = null;
    }
  }
}
