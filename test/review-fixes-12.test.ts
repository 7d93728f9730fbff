// Review of issue 12's routes, on both databases: old messages gain their failure category from a
// batched job (not from migration 023); the dashboards' figures are kept a few seconds per node;
// the operator's day counts SMPP/CMPP messages whose id is older than their created_at; an
// announcement email's lease runs from its claim, and a notice that cannot be recorded after the
// mail server answered does not get the email sent twice.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ulid } from 'ulid';
import { databases } from './support/databases.ts';
import { startMailbox, type Mailbox } from './support/mailbox.ts';
import { startTestPlatform, waitFinal, waitFor, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, registerCompany, type Browser } from './support/people.ts';
import type { Clock } from '../src/core/schedule.ts';
import { createLogger } from '../src/logger.ts';
import { BACKFILL_SETTING, backfillCategories } from '../src/services/backfill-categories.ts';
import { TodayFigures } from '../src/services/dashboard-figures.ts';
import { mailAnnouncements } from '../src/services/announcements.ts';
import { Notifier } from '../src/events/notifications.ts';
import { AnnouncementStore } from '../src/store/announcements.ts';
import { PlatformTraffic } from '../src/store/platform-traffic.ts';
import { SettingsStore } from '../src/store/settings.ts';

class TestClock implements Clock {
  constructor(private at: number) {}
  now(): number {
    return this.at;
  }
  advance(ms: number): number {
    this.at += ms;
    return this.at;
  }
}

const MINUTE = 60_000;

for (const database of databases) {
  describe(`issue 12 review fixes on ${database.dialect}`, () => {
    // Real time, moved by the test only: the scheduler runs each job at start, then when told.
    const clock = new TestClock(Date.now());
    let t: TestPlatform;
    let admin: Browser;

    before(async () => {
      t = await startTestPlatform(
        database,
        {
          limits: { keyPerSecond: 1000, keyBurst: 1000, tenantPerSecond: 1000, tenantBurst: 1000 },
        },
        { clock, schedulerTickMs: 10 },
      );
      admin = await operatorAdmin(t, `rf12-${database.dialect}@operator.test`);
    });
    after(() => t.stop());

    const job = async (name: string) => {
      const r = await admin.call('/v1/admin/jobs');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.data.find((j: any) => j.name === name);
    };
    const send = async (to: string[]) => {
      const r = await t.api('/v1/messages', { body: { to, text: '【鸿雁】review twelve' } });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      const ids: string[] = r.body.messages.map((m: any) => m.id);
      for (const id of ids) await waitFinal(t, id);
      return ids;
    };

    test('messages from before migration 023 gain their category from the job, then the filter finds them', async () => {
      // The job ran at start: no messages then, so nothing to do.
      await waitFor(async () => (await job('backfill-categories'))?.runs >= 1, 10_000, 'a run');
      assert.equal((await job('backfill-categories')).lastSummary.done, true);
      // UNDELIV (invalid_number), REJECTD (content), delivered (no error code).
      const [undeliv, rejectd, ok] = await send(['13800130000', '13800130003', '13800138000']);
      // As they would be after upgrading: written without a category, the backfill not begun.
      const db = t.platform.store.db;
      await db.updateTable('messages').set({ failure_category: null }).execute();
      await db.deleteFrom('settings').where('key', '=', BACKFILL_SETTING).execute();
      assert.deepEqual((await t.api('/v1/messages?category=invalid_number')).body.data, []);

      const runs = (await job('backfill-categories')).runs;
      clock.advance(5_000);
      await waitFor(
        async () => (await job('backfill-categories')).runs > runs,
        10_000,
        'the job to run again',
      );
      const j = await job('backfill-categories');
      assert.equal(j.lastResult, 'ok', j.lastError);
      assert.equal(j.lastSummary.done, true, JSON.stringify(j.lastSummary));
      assert.equal(j.lastSummary.updated, 2, JSON.stringify(j.lastSummary));
      const found = await t.api('/v1/messages?category=invalid_number');
      assert.deepEqual(
        found.body.data.map((m: any) => [m.id, m.error.category]),
        [[undeliv, 'invalid_number']],
      );
      assert.deepEqual(
        (await t.api('/v1/messages?category=content')).body.data.map((m: any) => m.id),
        [rejectd],
      );
      const row = await db
        .selectFrom('messages')
        .select('failure_category')
        .where('id', '=', ok!)
        .executeTakeFirstOrThrow();
      assert.equal(row.failure_category, null, 'delivered: no category');
    });

    test('the backfill walks the table in id ranges, keeps its cursor, and stops at the end', async () => {
      const db = t.platform.store.db;
      const settings = new SettingsStore(db);
      const failed = await db
        .selectFrom('messages')
        .select(['id', 'failure_category'])
        .where('error_code', 'is not', null)
        .orderBy('id')
        .execute();
      assert.ok(failed.length >= 2);
      const total = await db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      // The first failed message got its category meanwhile (it ended): it is left as it is.
      await db.updateTable('messages').set({ failure_category: null }).execute();
      await db
        .updateTable('messages')
        .set({ failure_category: 'carrier' })
        .where('id', '=', failed[0]!.id)
        .execute();
      await db.deleteFrom('settings').where('key', '=', BACKFILL_SETTING).execute();
      const summaries = [];
      for (let i = 0; i < 100; i++) {
        const s = await backfillCategories({ db, dialect: t.platform.store.dialect, settings }, 2);
        summaries.push(s);
        if (s.done) break;
      }
      assert.equal(summaries.length, Math.max(1, Math.ceil(Number(total.n) / 2)));
      assert.ok(summaries.slice(0, -1).every((s) => !s.done));
      assert.equal(summaries.at(-1)!.total, failed.length - 1);
      const after = await db
        .selectFrom('messages')
        .select(['id', 'failure_category'])
        .where('error_code', 'is not', null)
        .orderBy('id')
        .execute();
      assert.equal(after[0]!.failure_category, 'carrier');
      assert.deepEqual(after.slice(1), failed.slice(1));
      // Done: another run reads nothing.
      const again = await backfillCategories(
        { db, dialect: t.platform.store.dialect, settings },
        2,
      );
      assert.deepEqual([again.done, again.updated], [true, 0]);
    });

    test("today's figures are kept 5 s per tenant, the overview 10 s; then the new ones show", async () => {
      // The service itself: one object for both calls within the TTL.
      const figures = new TodayFigures(t.platform.store.db, { clock });
      const day = { from: clock.now() - 3_600_000, to: clock.now() + 3_600_000 };
      const tenantId = t.platform.demo!.tenantId;
      const first = await figures.figures(tenantId, day);
      const c = await registerCompany(t, `rf12-${database.dialect}`);

      const today = (await t.api('/v1/stats/today')).body;
      const overview = (await admin.call('/v1/admin/overview')).body;
      await send(['13800138001']);
      assert.equal(await figures.figures(tenantId, day), first, 'the same object');
      assert.deepEqual((await t.api('/v1/stats/today')).body, today, 'within 5 s');
      assert.deepEqual((await admin.call('/v1/admin/overview')).body, overview, 'within 10 s');
      // Per tenant: another tenant's figures are its own.
      assert.equal((await t.api('/v1/stats/today', { key: c.key })).body.accepted, 0);

      clock.advance(5_000);
      assert.equal((await figures.figures(tenantId, day)).accepted, first.accepted + 1);
      assert.equal((await t.api('/v1/stats/today')).body.accepted, today.accepted + 1);
      assert.deepEqual((await admin.call('/v1/admin/overview')).body, overview, 'within 10 s');
      clock.advance(5_000);
      assert.equal(
        (await admin.call('/v1/admin/overview')).body.today.accepted,
        overview.today.accepted + 1,
      );
    });

    test("the operator's day counts a message whose id was chosen before midnight", async () => {
      const db = t.platform.store.db;
      const tpl = await db.selectFrom('messages').selectAll().limit(1).executeTakeFirstOrThrow();
      // A day long ago, so only this message is in it: the long SMPP message's first part came at
      // 23:50, the last (and the message) at 00:01.
      const from = Date.UTC(2020, 0, 1, 16);
      const to = from + 24 * 3_600_000;
      const traffic = new PlatformTraffic(db);
      assert.equal((await traffic.day(from, to)).accepted, 0);
      await db
        .insertInto('messages')
        .values({
          ...tpl,
          // Not newId: its monotonic factory never goes back in time.
          id: `msg_${ulid(from - 10 * MINUTE)}`,
          created_at: from + MINUTE,
          status: 'delivered',
        })
        .execute();
      assert.deepEqual(await traffic.day(from, to), {
        accepted: 1,
        delivered: 1,
        failed: 0,
        pending: 0,
        parts: Number(tpl.parts_count),
      });
      assert.equal((await traffic.day(from - 24 * 3_600_000, from)).accepted, 0);
    });
  });

  describe(`announcement emails on ${database.dialect}: the lease and the record`, () => {
    const clock = new TestClock(Date.now());
    let t: TestPlatform;
    let mailbox: Mailbox;
    let admin: Browser;
    let c: Awaited<ReturnType<typeof registerCompany>>;
    let notifier: Notifier;
    // The mails received; mailbox.hold makes the server slow to accept one.
    let mails: Mailbox['mails'];
    const LEASE = 10 * MINUTE;

    before(async () => {
      mailbox = await startMailbox();
      mails = mailbox.mails;
      const smtpSettings = mailbox.smtp;
      // A clock the test does not move: the scheduler's own announcements run is over at start.
      t = await startTestPlatform(database, { notifications: { smtp: smtpSettings } }, { clock });
      admin = await operatorAdmin(t, `rf12-ann-${database.dialect}@operator.test`);
      c = await registerCompany(t, `rf12ann${database.dialect}`);
      await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
        body: { status: 'active', reason: 'ok' },
      });
      notifier = new Notifier(t.platform.store.db, smtpSettings, null, createLogger('silent'));
    });
    after(async () => {
      notifier.close();
      await t.stop();
      await mailbox.close();
    });

    const announce = async (title: string) => {
      const r = await admin.call('/v1/admin/announcements', {
        body: {
          kind: 'notice',
          title,
          body: 'x',
          audience: 'tenants',
          tenantIds: [c.tenantId],
          email: true,
        },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.id as string;
    };
    const row = (id: string) =>
      t.platform.store.db
        .selectFrom('announcement_emails')
        .select(['status', 'lease_until', 'detail'])
        .where('announcement_id', '=', id)
        .executeTakeFirst();
    const opts = { utcOffsetMinutes: 480, leaseMs: LEASE, retryMs: 5 * MINUTE, perRun: 10 };

    test('the lease starts when the email is claimed, not when the run began', async () => {
      const id = await announce('lease');
      const store = new AnnouncementStore(t.platform.store.db);
      // The run began 20 minutes before this claim (earlier emails took that long).
      const runStart = clock.now() - 20 * MINUTE;
      let release!: () => void;
      mailbox.hold = new Promise<void>((resolve) => (release = resolve));
      const run = mailAnnouncements(store, notifier, opts, runStart, clock);
      await waitFor(async () => (await row(id))?.status === 'sending', 10_000, 'the claim');
      assert.equal(Number((await row(id))!.lease_until), clock.now() + LEASE);
      release();
      mailbox.hold = null;
      const out = await run;
      assert.equal(out.sent, 1, JSON.stringify(out));
      assert.equal((await row(id))!.status, 'sent');
    });

    test('a notice that cannot be recorded after the mail server answered: sent once', async () => {
      const id = await announce('record');
      const db = t.platform.store.db;
      const store = new AnnouncementStore(db);
      const before = mails.length;
      // The notices' table is away: recording the outcome fails after the send.
      await db.schema.alterTable('notifications').renameTo('notifications_away').execute();
      let out;
      try {
        out = await mailAnnouncements(store, notifier, opts, clock.now(), clock);
      } finally {
        await db.schema.alterTable('notifications_away').renameTo('notifications').execute();
      }
      assert.equal(out.sent, 1, JSON.stringify(out));
      assert.equal(mails.length, before + 1);
      const r = (await row(id))!;
      assert.equal(r.status, 'sent');
      assert.match(r.detail ?? '', /recording the notice failed/);
      // Long after any lease: nothing to send again.
      const later = new TestClock(clock.now() + 2 * LEASE);
      const again = await mailAnnouncements(store, notifier, opts, later.now(), later);
      assert.equal(again.sent, 0, JSON.stringify(again));
      assert.equal(mails.length, before + 1);
    });
  });
}
