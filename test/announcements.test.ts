// Announcements end to end on both databases: the operator announces to every tenant or some,
// tenants read what is current or upcoming, each addressed tenant's owners get one email (a real
// local SMTP server), in their language; withdrawing stops showing it and stops its mailing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from './support/databases.ts';
import { header, startMailbox, type Mailbox } from './support/mailbox.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';
import {
  browser,
  GOOD_PASSWORD,
  operatorAdmin,
  registerCompany,
  type Browser,
} from './support/people.ts';

const HOUR = 3600_000;

async function staff(admin: Browser, t: TestPlatform, email: string, role: string) {
  const created = await admin.call('/v1/admin/users', { body: { email, name: role, role } });
  assert.equal(created.status, 201);
  const s = browser(t);
  await s.call('/v1/auth/login', { body: { email, password: created.body.temporaryPassword } });
  await s.call('/v1/auth/password', {
    body: { currentPassword: created.body.temporaryPassword, newPassword: GOOD_PASSWORD },
  });
  return s;
}

for (const database of databases) {
  describe(`announcements on ${database.dialect}`, () => {
    let t: TestPlatform;
    let mailbox: Mailbox;
    let mails: Mailbox['mails'];
    let admin: Browser;
    let a: Awaited<ReturnType<typeof registerCompany>>;
    let b: Awaited<ReturnType<typeof registerCompany>>;

    before(async () => {
      mailbox = await startMailbox();
      mails = mailbox.mails;
      t = await startTestPlatform(database, {
        limits: { keyPerSecond: 1000, keyBurst: 1000, tenantPerSecond: 1000, tenantBurst: 1000 },
        notifications: { smtp: mailbox.smtp },
      });
      admin = await operatorAdmin(t, `ann-${database.dialect}@operator.test`);
      a = await registerCompany(t, `anna${database.dialect}`);
      b = await registerCompany(t, `annb${database.dialect}`);
      for (const x of [a, b])
        await admin.call(`/v1/admin/tenants/${x.tenantId}/status`, {
          body: { status: 'active', reason: 'ok' },
        });
    });
    after(async () => {
      await t.stop();
      await mailbox.close();
    });

    test('bad input is refused with the field, and nothing is written', async () => {
      const good = { kind: 'notice', title: 'T', body: 'B', audience: 'all' };
      const soon = new Date(Date.now() + HOUR).toISOString();
      const cases: Array<[object, number, string]> = [
        [{ ...good, kind: 'party' }, 400, 'kind'],
        [{ ...good, title: '   ' }, 400, 'title'],
        [{ ...good, title: 'x'.repeat(121) }, 400, 'title'],
        [{ ...good, body: 'a\u0007b' }, 400, 'body'],
        [{ ...good, audience: 'tenants' }, 400, 'tenantIds'],
        [{ ...good, tenantIds: [a.tenantId] }, 400, 'tenantIds'],
        [{ ...good, audience: 'tenants', tenantIds: ['ten_nope'] }, 400, 'tenantIds[0]'],
        [{ ...good, startsAt: 'tomorrow' }, 400, 'startsAt'],
        [{ ...good, startsAt: soon, endsAt: soon }, 400, 'endsAt'],
        [{ ...good, endsAt: new Date(Date.now() - HOUR).toISOString() }, 400, 'endsAt'],
        [{ ...good, banner: true }, 400, 'banner'],
        [{ ...good, email: 'yes' }, 400, 'email'],
      ];
      for (const [body, status, field] of cases) {
        const r = await admin.call('/v1/admin/announcements', { body });
        assert.equal(r.status, status, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.field, field, JSON.stringify(r.body));
      }
      assert.deepEqual((await admin.call('/v1/admin/announcements')).body.data, []);
    });

    test('who may announce: admin and support staff, not finance, not tenants', async () => {
      const body = { kind: 'notice', title: 'x', body: 'y', audience: 'all' };
      const finance = await staff(admin, t, `fin-ann@${database.dialect}.test`, 'finance');
      assert.equal((await finance.call('/v1/admin/announcements', { body })).status, 403);
      assert.equal((await finance.call('/v1/admin/announcements')).status, 403);
      assert.equal((await t.api('/v1/admin/announcements', { key: a.key, body })).status, 403);
      assert.equal((await a.owner.call('/v1/admin/announcements', { body })).status, 403);
      const support = await staff(admin, t, `sup-ann@${database.dialect}.test`, 'support');
      const made = await support.call('/v1/admin/announcements', { body });
      assert.equal(made.status, 201);
      // Withdrawn at once: the other tests count what tenants see.
      assert.equal(
        (await support.call(`/v1/admin/announcements/${made.body.id}`, { method: 'DELETE' }))
          .status,
        204,
      );
    });

    test('tenants see what is addressed to them, current or upcoming, newest first', async () => {
      const start = Date.now() + 24 * HOUR;
      const maint = await admin.call('/v1/admin/announcements', {
        body: {
          kind: 'maintenance',
          title: '核心网关维护',
          body: '维护期间短信可能延迟。',
          audience: 'all',
          startsAt: new Date(start).toISOString(),
          endsAt: new Date(start + 2 * HOUR).toISOString(),
        },
      });
      assert.equal(maint.status, 201, JSON.stringify(maint.body));
      assert.equal(maint.body.status, 'upcoming');
      assert.equal(maint.body.audience, 'all');
      const onlyA = await admin.call('/v1/admin/announcements', {
        body: {
          kind: 'change',
          title: 'New price plan',
          body: 'From next month.',
          audience: 'tenants',
          tenantIds: [a.tenantId],
        },
      });
      assert.equal(onlyA.status, 201);
      assert.deepEqual(onlyA.body.tenantIds, [a.tenantId]);

      const seenByA = (await t.api('/v1/announcements', { key: a.key })).body.data;
      assert.deepEqual(
        seenByA.map((x: any) => x.id),
        [onlyA.body.id, maint.body.id],
      );
      assert.equal(seenByA[0].status, 'current');
      assert.equal(seenByA[1].status, 'upcoming');
      assert.equal(seenByA[0].tenantIds, undefined, 'a tenant is not told who else was addressed');
      const seenByB = (await b.owner.call('/v1/announcements')).body.data;
      assert.deepEqual(
        seenByB.map((x: any) => x.id),
        [maint.body.id],
      );
      // Paginated.
      const page = await t.api('/v1/announcements?limit=1', { key: a.key });
      assert.equal(page.body.data.length, 1);
      const next = await t.api(`/v1/announcements?limit=1&after=${page.body.nextCursor}`, {
        key: a.key,
      });
      assert.equal(next.body.data[0].id, maint.body.id);
      assert.equal((await t.api('/v1/announcements?limit=0', { key: a.key })).status, 400);

      // Withdrawn: no longer shown, kept for the operator and the audit.
      const del = await admin.call(`/v1/admin/announcements/${onlyA.body.id}`, {
        method: 'DELETE',
      });
      assert.equal(del.status, 204);
      assert.deepEqual(
        (await t.api('/v1/announcements', { key: a.key })).body.data.map((x: any) => x.id),
        [maint.body.id],
      );
      const again = await admin.call(`/v1/admin/announcements/${onlyA.body.id}`, {
        method: 'DELETE',
      });
      assert.equal(again.status, 409);
      assert.equal(
        (
          await admin.call('/v1/admin/announcements/ann_01J00000000000000000000000', {
            method: 'DELETE',
          })
        ).status,
        404,
      );
      const listed = (await admin.call('/v1/admin/announcements')).body.data;
      assert.equal(listed.find((x: any) => x.id === onlyA.body.id).status, 'withdrawn');
      const audit = (await admin.call('/v1/admin/audit?action=announcement.withdrawn')).body.data;
      assert.ok(audit.some((x: any) => x.targetId === onlyA.body.id));
      assert.ok(
        (await admin.call('/v1/admin/audit?action=announcement.created')).body.data.some(
          (x: any) => x.targetId === maint.body.id,
        ),
      );
      // Clean up for the mailing test.
      await admin.call(`/v1/admin/announcements/${maint.body.id}`, { method: 'DELETE' });
    });

    test('the email goes once to each addressed owner, in their language', async () => {
      // A's owner reads English; B's follows its account (zh-CN).
      assert.equal(
        (await a.owner.call('/v1/me/locale', { method: 'PUT', body: { locale: 'en' } })).status,
        204,
      );
      const withdrawnFirst = await admin.call('/v1/admin/announcements', {
        body: { kind: 'notice', title: 'never mailed', body: 'x', audience: 'all', email: true },
      });
      await admin.call(`/v1/admin/announcements/${withdrawnFirst.body.id}`, { method: 'DELETE' });
      const start = Date.now() + 48 * HOUR;
      const ann = await admin.call('/v1/admin/announcements', {
        body: {
          kind: 'maintenance',
          title: '数据库升级',
          body: '升级期间暂停发送。',
          audience: 'tenants',
          tenantIds: [a.tenantId, b.tenantId],
          startsAt: new Date(start).toISOString(),
          endsAt: new Date(start + HOUR).toISOString(),
          email: true,
        },
      });
      assert.equal(ann.status, 201);
      const before = mails.length;
      const run = await t.platform.jobs.mailAnnouncements();
      assert.equal(run.sent, 2, JSON.stringify(run));
      const sent = mails.slice(before);
      assert.deepEqual(sent.map((m) => m.to[0]).sort(), [a.email, b.email].sort());
      const toA = sent.find((m) => m.to[0] === a.email)!;
      const toB = sent.find((m) => m.to[0] === b.email)!;
      assert.equal(header(toA, 'Subject'), 'Maintenance: 数据库升级');
      assert.equal(header(toB, 'Subject'), '维护通知：数据库升级');
      assert.match(header(toA, 'Message-ID')!, new RegExp(`^<${ann.body.id}\\.usr_`));
      // Again: nothing more (each email once), and the withdrawn one was never sent.
      const rerun = await t.platform.jobs.mailAnnouncements();
      assert.equal(rerun.sent, 0);
      assert.equal(mails.length, before + 2);
      assert.ok(!mails.some((m) => (header(m, 'Subject') ?? '').includes('never mailed')));
      const listed = (await admin.call('/v1/admin/announcements')).body.data;
      assert.deepEqual(listed.find((x: any) => x.id === ann.body.id).emails, {
        listed: true,
        sent: 2,
      });
      // Recorded as notices of each tenant.
      const notes = (await t.api('/v1/notifications?kind=announcement', { key: b.key })).body.data;
      assert.equal(notes.length, 1);
      assert.equal(notes[0].status, 'sent');

      // A node died after the mail server took one email and before marking it: after the lease
      // it is sent again, with the same Message-ID.
      const db = t.platform.store.db;
      await db
        .updateTable('announcement_emails')
        .set({ status: 'sending', lease_until: Date.now() - 1 })
        .where('announcement_id', '=', ann.body.id)
        .where('email', '=', b.email)
        .execute();
      assert.equal((await t.platform.jobs.mailAnnouncements()).sent, 1);
      assert.equal(header(mails.at(-1)!, 'Message-ID'), header(toB, 'Message-ID'));
    });
  });
}

describe('announcements without an SMTP server', () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform(databases[0]!);
  });
  after(() => t.stop());

  test('no email is sent; each is recorded as skipped', async () => {
    const admin = await operatorAdmin(t, 'ann-nosmtp@operator.test');
    const c = await registerCompany(t, 'annnosmtp');
    await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
      body: { status: 'active', reason: 'ok' },
    });
    const ann = await admin.call('/v1/admin/announcements', {
      body: {
        kind: 'change',
        title: 'x',
        body: 'y',
        audience: 'tenants',
        tenantIds: [c.tenantId],
        email: true,
      },
    });
    assert.equal(ann.status, 201);
    const run = await t.platform.jobs.mailAnnouncements();
    assert.equal(run.sent, 0);
    assert.equal(run.skipped, 1);
    const notes = (await t.api('/v1/notifications?kind=announcement', { key: c.key })).body.data;
    assert.equal(notes[0].status, 'skipped');
  });
});
