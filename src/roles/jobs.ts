// The platform's periodic jobs as plain calls over the node's services: the worker role schedules
// them (roles/worker.ts), and `platform.jobs` lets tests and operators run one by hand. Each is
// idempotent: a run repeated after a crash or a lost claim changes nothing.
import type { StatusChange } from '../store/settlement.ts';
import { applyDueTerminations } from '../services/accounts.ts';
import { mailAnnouncements } from '../services/announcements.ts';
import { backfillCategories } from '../services/backfill-categories.ts';
import { runContracts } from '../services/contracts.ts';
import { checkLowBalances } from '../services/low-balance.ts';
import { generateDueStatements } from '../services/statements.ts';
import type { NodeServices } from './node.ts';

export interface PlatformJobs {
  checkLowBalances(): Promise<string[]>;
  generateStatements(now?: number): Promise<number>;
  runContracts(now?: number): Promise<{ reminded: number; renewed: number; fees: number }>;
  expireReviews(now?: number): Promise<number>;
  expireQueued(now?: number): Promise<StatusChange[]>;
  /** Incomplete long inbound messages stored as partial; interrupted opt-out handling redone. */
  sweepInbound(now?: number): Promise<{ expired: number; retried: number }>;
  /** Announcements' emails to the tenants' owners, each once (services/announcements.ts). */
  mailAnnouncements(
    now?: number,
  ): Promise<{ listed: number; sent: number; skipped: number; failed: number; retry: number }>;
  /** Tenants' own termination requests that are due; the ids of the tenants terminated. */
  applyTerminations(now: number): Promise<string[]>;
  /** Messages from before migration 023 gain their failure category, 5,000 ids a run. */
  backfillCategories(): ReturnType<typeof backfillCategories>;
}

export function platformJobs(node: NodeServices): PlatformJobs {
  const { config, clock, stores, notifier } = node;
  const db = node.store.db;
  const utcOffsetMinutes = config.billing.statementUtcOffsetMinutes;
  const accounts = { db, tenants: stores.tenants, users: stores.users, audit: stores.audit };
  return {
    sweepInbound: (now?: number) =>
      node.inbound?.sweep(now) ?? Promise.resolve({ expired: 0, retried: 0 }),
    checkLowBalances: () => checkLowBalances(db, notifier),
    mailAnnouncements: (now: number = clock.now()) =>
      mailAnnouncements(
        stores.announcements,
        notifier,
        { utcOffsetMinutes, leaseMs: 10 * 60_000, retryMs: 5 * 60_000, perRun: 1000 },
        now,
        clock,
      ),
    generateStatements: (now?: number) =>
      generateDueStatements({ statements: stores.statements, utcOffsetMinutes }, now),
    expireReviews: (now?: number) => node.compliance.expireReviews(stores.messages, now),
    expireQueued: (now: number = Date.now()) => {
      const h = config.messages.validityHours;
      return stores.dispatchQueue.expireQueued(
        {
          verification: h.verification * 3600_000,
          notification: h.notification * 3600_000,
          marketing: h.marketing * 3600_000,
        },
        now,
      );
    },
    runContracts: (now?: number) =>
      runContracts({ ...accounts, contracts: stores.contracts, utcOffsetMinutes }, notifier, now),
    applyTerminations: (now: number) => applyDueTerminations(accounts, now),
    backfillCategories: () =>
      backfillCategories({ db, dialect: node.store.dialect, settings: stores.settings }),
  };
}
