// The schedule itself: a running platform whose clock the test moves (no sleeps). A contract near
// its end gets its reminder, its renewal and its monthly fees from the scheduler alone, observed
// through the API; a job due while the node was down runs when it starts; a failed run is retried;
// two nodes on one PostgreSQL run a job once per slot, not twice.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases, tempDir } from './support/databases.ts';
import { startTestPlatform, waitFor, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, registerCompany, type Browser } from './support/people.ts';
import { addMonths } from '../src/core/billing/contract.ts';
import type { Clock } from '../src/core/schedule.ts';
import { LedgerStore } from '../src/store/ledger.ts';
import { ScheduledJobStore } from '../src/store/scheduled-jobs.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { startPlatform, type Platform } from '../src/platform.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const localDate = (at: number) => new Date(at + 8 * HOUR).toISOString().slice(0, 10);

class TestClock implements Clock {
  constructor(private at: number) {}
  now(): number {
    return this.at;
  }
  advance(ms: number): number {
    this.at += ms;
    return this.at;
  }
  set(at: number): number {
    this.at = at;
    return at;
  }
}

const JOBS = [
  'announcements',
  'backfill-categories',
  'contracts',
  'inbound-sweep',
  'low-balance',
  'message-sweep',
  'review-expiry',
  'statements',
  'terminations',
];

for (const database of databases) {
  describe(`periodic jobs on ${database.dialect}`, () => {
    // 10 March next year, 12:00 in China: a month boundary lies between now and a month on.
    const T0 = Date.UTC(new Date().getUTCFullYear() + 1, 2, 10, 4);
    const clock = new TestClock(T0);
    let t: TestPlatform;
    let admin: Browser;
    let stopped = false;
    before(async () => {
      t = await startTestPlatform(database, {}, { clock, schedulerTickMs: 10 });
      admin = await operatorAdmin(t, `jobs-${database.dialect}@operator.test`);
    });
    after(async () => {
      if (!stopped) await t.stop();
    });

    const jobs = async (): Promise<any[]> => {
      const r = await admin.call('/v1/admin/jobs');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.data;
    };
    const job = async (name: string) => (await jobs()).find((j) => j.name === name);

    test('every periodic job is on one schedule, ran at start, and the operator sees it', async () => {
      await waitFor(
        async () => (await jobs()).filter((j) => j.runs >= 1).length === JOBS.length,
        10_000,
        'every job to have run once',
      );
      const all = await jobs();
      assert.deepEqual(
        all.map((j) => j.name),
        JOBS,
      );
      for (const j of all) {
        assert.equal(j.lastResult, 'ok', `${j.name}: ${j.lastError}`);
        assert.equal(j.lastRunAt, new Date(T0).toISOString(), j.name);
        assert.equal(Date.parse(j.nextDueAt), T0 + j.periodSeconds * 1000, j.name);
        assert.equal(j.lastNode, 'node-1');
        assert.equal(j.running, null);
      }
      assert.equal(all.find((j) => j.name === 'contracts').periodSeconds, 3600);
      // Read-only, for the operator's staff: a tenant's key does not see it.
      const c = await registerCompany(t, `jobs-tenant-${database.dialect}`);
      assert.notEqual((await t.api('/v1/admin/jobs', { key: c.key })).status, 200);
    });

    test('a contract near its end: reminder, renewal and monthly fees come by the clock alone', async () => {
      const c = await registerCompany(t, `jobs-contract-${database.dialect}`);
      await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
        body: { status: 'active', reason: 'ok' },
      });
      const number = `SCHED-${database.dialect}`;
      const end = localDate(clock.now() + 29 * DAY);
      const until = Date.parse(`${end}T00:00:00+08:00`) + DAY;
      const signed = await admin.call(`/v1/admin/tenants/${c.tenantId}/contracts`, {
        body: {
          number,
          startDate: localDate(clock.now() - 60 * DAY),
          endDate: end,
          fees: [
            { name: 'monthly maintenance', amount: '50', when: 'monthly' },
            { name: 'renewal', amount: '200', when: 'renewal' },
          ],
        },
      });
      assert.equal(signed.status, 201, JSON.stringify(signed.body));
      const notices = async () =>
        (await t.api('/v1/notifications?kind=contract_expiring', { key: c.key })).body.data.filter(
          (n: any) => n.channel === 'sms',
        );
      const fees = async () =>
        (await t.api('/v1/ledger?kind=fee', { key: c.key })).body.data
          .map((e: any) => `${e.reason} ${e.amount.amount}`)
          .sort();
      // Nothing happens until the job's next slot comes.
      assert.deepEqual(await notices(), []);
      assert.deepEqual(await fees(), []);

      // An hour on: the contracts job runs, 29½ days before the end.
      clock.advance(HOUR);
      await waitFor(async () => (await notices()).length > 0, 10_000, 'the 30-day reminder');
      const [reminder] = await notices();
      assert.ok(reminder.subject.includes(number), reminder.subject);
      assert.deepEqual(await fees(), ['monthly maintenance -50.0000']);

      // Past the end (auto-renewal is on): renewed for 12 months, renewal fee, April's fee.
      clock.set(until + HOUR);
      await waitFor(
        async () =>
          (await t.api('/v1/contracts', { key: c.key })).body.data[0].endDate ===
          addMonths(end, 12),
        10_000,
        'the renewal',
      );
      await waitFor(async () => (await fees()).length === 3, 10_000, 'the fees');
      assert.deepEqual(await fees(), [
        'monthly maintenance -50.0000',
        'monthly maintenance -50.0000',
        'renewal -200.0000',
      ]);
      const contractsJob = await job('contracts');
      assert.equal(contractsJob.lastResult, 'ok');
      assert.equal(contractsJob.lastRunAt, new Date(until + HOUR).toISOString());

      // More runs change nothing: every charge and reminder is made once.
      clock.advance(HOUR);
      await t.platform.scheduler!.runDue();
      await waitFor(
        async () => (await job('contracts')).lastRunAt === new Date(clock.now()).toISOString(),
        10_000,
        'one more contracts run',
      );
      assert.equal((await fees()).length, 3);
      assert.equal((await notices()).length, 1);
      assert.deepEqual(
        (await new LedgerStore(t.platform.store.db, t.platform.store.dialect).verify()).differences,
        [],
      );
    });

    test('a failed run is recorded and tried again on a later tick', async () => {
      let calls = 0;
      t.platform.scheduler!.add({
        name: 'test-flaky',
        periodMs: DAY,
        run: async () => {
          calls += 1;
          if (calls === 1) throw new Error('the first try fails');
          return { calls };
        },
      });
      await waitFor(async () => (await job('test-flaky'))?.runs === 1, 10_000, 'the first try');
      const failed = await job('test-flaky');
      assert.deepEqual(
        [failed.lastResult, failed.lastError, failed.failuresInARow],
        ['failed', 'the first try fails', 1],
      );
      // Retried after a minute, not a day.
      assert.equal(Date.parse(failed.nextDueAt), clock.now() + MINUTE);
      clock.advance(MINUTE);
      await waitFor(async () => (await job('test-flaky')).runs === 2, 10_000, 'the retry');
      const ok = await job('test-flaky');
      assert.deepEqual(
        [ok.lastResult, ok.lastError, ok.failuresInARow, ok.lastSummary],
        ['ok', null, 0, { calls: 2 }],
      );
    });

    test('a job due while the node was down runs when it starts; its stale claim is released', async () => {
      const config = t.platform.config;
      const store = new ScheduledJobStore(t.platform.store.db);
      const dueBefore = (await store.get('statements'))!.dueAt;
      // As if node-1 died in the middle of a run: its claim is still on the row.
      await t.platform.store.db
        .updateTable('scheduled_jobs')
        .set({ locked_by: 'node-1', lease_until: clock.now() + DAY })
        .where('name', '=', 'statements')
        .execute();
      await t.platform.stop();
      stopped = true;
      const back = clock.advance(5 * HOUR);
      assert.ok(back > dueBefore);
      const p = await startPlatform(config, createLogger('silent'), {
        clock,
        schedulerTickMs: 10,
      });
      try {
        const restarted = new ScheduledJobStore(p.store.db);
        await waitFor(
          async () => (await restarted.get('statements'))!.lastStartedAt === back,
          10_000,
          'the overdue statements job to run on start',
        );
        const s = (await restarted.get('statements'))!;
        assert.equal(s.lockedBy, null);
        // Back on its hourly grid: one run, not one per missed hour.
        assert.ok(s.dueAt > back && s.dueAt <= back + HOUR && (s.dueAt - dueBefore) % HOUR === 0);
      } finally {
        await p.stop();
      }
    });
  });
}

// Several nodes on one PostgreSQL: each job runs once per slot, whichever node gets it.
const postgres = databases.find((d) => d.dialect === 'postgres')!;
describe('periodic jobs on two nodes sharing postgres', () => {
  const clock = new TestClock(Date.UTC(new Date().getUTCFullYear() + 1, 5, 15, 4));
  let t: TestPlatform;
  let second: Platform;
  before(async () => {
    t = await startTestPlatform(postgres, {}, { clock, schedulerTickMs: 10 });
    second = await startPlatform(
      loadConfig(
        {},
        {
          databaseUrl: t.platform.config.databaseUrl,
          dataDir: tempDir(),
          nodeId: 'node-2',
          roles: ['worker'],
          logLevel: 'silent',
        },
      ),
      createLogger('silent'),
      { clock, schedulerTickMs: 10 },
    );
  });
  after(async () => {
    await second?.stop();
    await t?.stop();
  });

  test('a job runs once per slot, not once per node; a contract reminder is sent once', async () => {
    const ran: string[] = [];
    for (const [p, node] of [
      [t.platform, 'node-1'],
      [second, 'node-2'],
    ] as const)
      p.scheduler!.add({
        name: 'test-once',
        periodMs: HOUR,
        run: async () => {
          ran.push(node);
          // A run that takes a while: the other node must see the claim, not run beside it.
          await new Promise((r) => setImmediate(r));
          return { node };
        },
      });
    const both = () => Promise.all([t.platform.scheduler!.runDue(), second.scheduler!.runDue()]);
    await both();
    assert.equal(ran.length, 1);
    for (let slot = 1; slot <= 6; slot++) {
      clock.advance(HOUR);
      await both();
      assert.equal(ran.length, slot + 1, `slot ${slot}: ${ran.join(',')}`);
    }
    const row = (await new ScheduledJobStore(t.platform.store.db).get('test-once'))!;
    assert.equal(row.runs, 7);

    // The real contracts job, both nodes asking at once: one reminder, one monthly fee.
    const admin = await operatorAdmin(t, 'jobs-two-nodes@operator.test');
    const c = await registerCompany(t, 'jobs-two-nodes');
    await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
      body: { status: 'active', reason: 'ok' },
    });
    await admin.call(`/v1/admin/tenants/${c.tenantId}/contracts`, {
      body: {
        number: 'TWO-NODES-1',
        startDate: localDate(clock.now() - 60 * DAY),
        endDate: localDate(clock.now() + 20 * DAY),
        fees: [{ name: 'monthly maintenance', amount: '50', when: 'monthly' }],
      },
    });
    clock.advance(HOUR);
    await both();
    const notices = (
      await t.api('/v1/notifications?kind=contract_expiring', { key: c.key })
    ).body.data.filter((n: any) => n.channel === 'sms');
    assert.equal(notices.length, 1);
    const fees = (await t.api('/v1/ledger?kind=fee', { key: c.key })).body.data;
    assert.equal(fees.length, 1);
  });
});
