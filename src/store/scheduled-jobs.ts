// The schedule of periodic jobs: one row per job. A node runs a job only after claiming its row
// with a guarded update (due, and nobody's lease live), so a cluster runs each job once per slot.
import type { Kysely } from 'kysely';
import type { Database, ScheduledJobTable } from './schema.ts';
import { dueAfterPeriodChange } from '../core/schedule.ts';

export interface ScheduledJob {
  name: string;
  periodMs: number;
  dueAt: number;
  lockedBy: string | null;
  leaseUntil: number | null;
  lastStartedAt: number | null;
  lastFinishedAt: number | null;
  lastNode: string | null;
  lastResult: 'ok' | 'failed' | null;
  lastError: string | null;
  lastSummary: unknown;
  runs: number;
  failures: number;
}

export interface RunOutcome {
  finishedAt: number;
  nextDueAt: number;
  ok: boolean;
  error: string | null;
  summary: unknown;
}

export class ScheduledJobStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Make the job known: a new job is due at once; a known one keeps its due time (restarts). */
  async register(name: string, periodMs: number, now: number): Promise<ScheduledJob> {
    await this.db
      .insertInto('scheduled_jobs')
      .values({ name, period_ms: periodMs, due_at: now, runs: 0, failures: 0, updated_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.#row(name);
    if (row.period_ms === periodMs) return toJob(row);
    const dueAt = dueAfterPeriodChange(row.due_at, periodMs, now);
    await this.db
      .updateTable('scheduled_jobs')
      .set({ period_ms: periodMs, due_at: dueAt, updated_at: now })
      .where('name', '=', name)
      .execute();
    return toJob({ ...row, period_ms: periodMs, due_at: dueAt });
  }

  /**
   * Claim a due job for `node` until `now + leaseMs`. Guarded: of several nodes asking at once
   * exactly one gets it (PostgreSQL re-checks the WHERE on the row it waited for). Returns the
   * slot claimed (its due time), or null when the job is not due or another node holds it.
   */
  async claim(name: string, node: string, now: number, leaseMs: number): Promise<number | null> {
    const row = await this.db
      .updateTable('scheduled_jobs')
      .set({ locked_by: node, lease_until: now + leaseMs, last_started_at: now, updated_at: now })
      .where('name', '=', name)
      .where('due_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
      .returning('due_at')
      .executeTakeFirst();
    return row ? Number(row.due_at) : null;
  }

  /** Extend a run's lease while it lasts; false when the claim was lost (another node took over). */
  async renew(name: string, node: string, leaseUntil: number, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('scheduled_jobs')
      .set({ lease_until: leaseUntil, updated_at: now })
      .where('name', '=', name)
      .where('locked_by', '=', node)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Record a run and give the job back; guarded by the claim, so a lost claim writes nothing. */
  async finish(name: string, node: string, o: RunOutcome): Promise<boolean> {
    const r = await this.db
      .updateTable('scheduled_jobs')
      .set((eb) => ({
        locked_by: null,
        lease_until: null,
        due_at: o.nextDueAt,
        last_finished_at: o.finishedAt,
        last_node: node,
        last_result: o.ok ? 'ok' : 'failed',
        last_error: o.error,
        last_summary: o.summary === undefined ? null : JSON.stringify(o.summary),
        runs: eb('runs', '+', 1),
        failures: o.ok ? 0 : eb('failures', '+', 1),
        updated_at: o.finishedAt,
      }))
      .where('name', '=', name)
      .where('locked_by', '=', node)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** A node that starts again gives up the claims its earlier run left (it is not running them). */
  async releaseClaims(node: string, now: number): Promise<string[]> {
    const rows = await this.db
      .updateTable('scheduled_jobs')
      .set({ locked_by: null, lease_until: null, updated_at: now })
      .where('locked_by', '=', node)
      .returning('name')
      .execute();
    return rows.map((r) => r.name);
  }

  async get(name: string): Promise<ScheduledJob | undefined> {
    const row = await this.db
      .selectFrom('scheduled_jobs')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row && toJob(row);
  }

  async list(): Promise<ScheduledJob[]> {
    return (await this.db.selectFrom('scheduled_jobs').selectAll().orderBy('name').execute()).map(
      toJob,
    );
  }

  async #row(name: string): Promise<ScheduledJobTable> {
    return this.db
      .selectFrom('scheduled_jobs')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
  }
}

function toJob(r: ScheduledJobTable): ScheduledJob {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    name: r.name,
    periodMs: Number(r.period_ms),
    dueAt: Number(r.due_at),
    lockedBy: r.locked_by,
    leaseUntil: n(r.lease_until),
    lastStartedAt: n(r.last_started_at),
    lastFinishedAt: n(r.last_finished_at),
    lastNode: r.last_node,
    lastResult: r.last_result === 'ok' || r.last_result === 'failed' ? r.last_result : null,
    lastError: r.last_error,
    lastSummary: r.last_summary === null ? null : (JSON.parse(r.last_summary) as unknown),
    runs: Number(r.runs),
    failures: Number(r.failures),
  };
}
