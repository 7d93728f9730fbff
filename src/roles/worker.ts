// The worker role: the one scheduler and its periodic jobs (docs/architecture.md, "Periodic
// jobs"), and the webhook worker's delivery loops. Every job runs once per cluster.
import { Scheduler, type PeriodicJob } from '../services/scheduler.ts';
import { Sweeper } from '../services/sweep-messages.ts';
import { WebhookWorker } from '../events/webhooks/worker.ts';
import type { PlatformJobs } from './jobs.ts';
import type { RoleContext } from './role.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface WorkerOptions {
  /** How often the scheduler asks the clock whether a job is due. */
  tickMs: number;
}

export async function startWorkerRole(
  { node, onStop }: RoleContext,
  jobs: PlatformJobs,
  options: WorkerOptions,
): Promise<{ scheduler: Scheduler }> {
  const { config, log, stores } = node;
  const sweeper = new Sweeper(
    stores.receipts,
    {
      receiptTimeoutMs: config.messages.receiptTimeoutSeconds * 1000,
      orphanAfterMs: 10 * MINUTE,
      expireQueued: jobs.expireQueued,
    },
    log.child({ role: 'worker' }),
  );
  onStop(() => sweeper.stop());
  const w = config.webhooks;
  const webhookWorker = new WebhookWorker(
    {
      feed: stores.eventFeed,
      deliveries: stores.webhookDeliveries,
      endpoints: stores.webhookEndpoints,
      horizon: node.eventHorizon,
      sender: node.webhookSender,
      log: log.child({ role: 'webhooks' }),
    },
    {
      node: config.nodeId,
      retry: { baseMs: w.backoffBaseMs, maxMs: w.backoffMaxMs, maxAgeMs: w.maxAgeHours * HOUR },
      perEndpoint: w.perEndpoint,
      perTenant: w.perTenant,
      global: w.global,
      leaseMs: w.leaseSeconds * 1000,
      timeoutMs: w.timeoutMs,
      pollMs: w.pollMs,
      retentionMs: w.retentionDays * 24 * HOUR,
      pruneEveryMs: HOUR,
    },
  );
  await webhookWorker.start();
  onStop(() => webhookWorker.stop());

  const scheduler = new Scheduler(
    stores.scheduledJobs,
    {
      node: config.nodeId,
      clock: node.clock,
      tickMs: options.tickMs,
      leaseMs: 10 * MINUTE,
      retryMs: MINUTE,
    },
    log.child({ role: 'scheduler' }),
  );
  const periodic: PeriodicJob[] = [
    // Reminders 30 and 7 days ahead, auto-renewal once the end date is over, monthly fees.
    { name: 'contracts', periodMs: HOUR, run: (now) => jobs.runContracts(now) },
    // Statements for the month that ended: looked for hourly, made once (on the 1st in practice).
    {
      name: 'statements',
      periodMs: HOUR,
      run: async (now) => ({ made: await jobs.generateStatements(now) }),
    },
    {
      name: 'low-balance',
      periodMs: config.notifications.checkSeconds * 1000,
      run: async () => ({ alerted: (await jobs.checkLowBalances()).length }),
    },
    // Tenants' own termination requests take effect when due (at most 24 h after asking).
    {
      name: 'terminations',
      periodMs: MINUTE,
      run: async (now) => ({ terminated: (await jobs.applyTerminations(now)).length }),
    },
    // Held batches nobody reviewed in time are refused (their holds released).
    {
      name: 'review-expiry',
      periodMs: MINUTE,
      run: async (now) => ({ expired: await jobs.expireReviews(now) }),
    },
    // Announcements' emails to the owners of the tenants addressed, each sent once.
    { name: 'announcements', periodMs: 30_000, run: (now) => jobs.mailAnnouncements(now) },
    // Overdue submitted parts → unknown, stale queued → expired, unmatched receipts → orphan.
    { name: 'message-sweep', periodMs: 30_000, run: (now) => sweeper.sweep(now) },
    // Incomplete long inbound messages stored as partial; interrupted opt-out handling redone.
    { name: 'inbound-sweep', periodMs: 30_000, run: (now) => jobs.sweepInbound(now) },
    // Messages from before migration 023 gain their failure category, 5,000 ids a run.
    { name: 'backfill-categories', periodMs: 5_000, run: () => jobs.backfillCategories() },
  ];
  for (const job of periodic) scheduler.add(job);
  await scheduler.start();
  onStop(() => scheduler.stop());
  return { scheduler };
}
