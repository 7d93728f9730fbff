// The operator's overview (GET /v1/admin/overview) and the block list's reading and pruning
// (GET, DELETE /v1/admin/block-list) on both databases: figures over every tenant, the queue with
// the age of its oldest message, read through indexes (the SQLite plan is checked), bad input named,
// operator permissions enforced.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFinal, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, registerCompany, type Browser } from './support/people.ts';
import { createUser } from '../src/services/accounts.ts';
import { AuditStore } from '../src/store/audit.ts';
import { TenantStore } from '../src/store/tenants.ts';
import { UserStore } from '../src/store/users.ts';
import { browser, GOOD_PASSWORD } from './support/people.ts';
import { messageIdFloor } from '../src/store/platform-traffic.ts';
import { newId } from '../src/core/ids.ts';

/** An operator of another role than admin, logged in. */
async function operatorOf(t: TestPlatform, role: string, email: string): Promise<Browser> {
  const db = t.platform.store.db;
  const deps = {
    db,
    tenants: new TenantStore(db),
    users: new UserStore(db),
    audit: new AuditStore(db),
  };
  const { temporaryPassword } = await createUser(
    deps,
    { tenantId: null, email, name: role, role },
    { type: 'system', id: null, ip: null },
  );
  const b = browser(t);
  await b.call('/v1/auth/login', { body: { email, password: temporaryPassword } });
  await b.call('/v1/auth/password', {
    body: { currentPassword: temporaryPassword, newPassword: GOOD_PASSWORD },
  });
  return b;
}

test('a message id floor sorts before every id of its millisecond and after the floors before it', () => {
  const at = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
  for (let i = 0; i < 50; i++) {
    assert.ok(newId('msg', at) >= messageIdFloor(at));
  }
  assert.ok(messageIdFloor(at) < messageIdFloor(at + 1));
});

for (const database of databases) {
  describe(`operator overview and block list on ${database.dialect}`, () => {
    let t: TestPlatform;
    let admin: Browser;
    let a: Awaited<ReturnType<typeof registerCompany>>;
    // Real time, moved on by the test past the overview's cache.
    let at = Date.now();
    const clock = { now: () => at, advance: (ms: number) => (at += ms) };

    before(async () => {
      t = await startTestPlatform(
        database,
        {
          limits: { keyPerSecond: 1000, keyBurst: 1000, tenantPerSecond: 1000, tenantBurst: 1000 },
        },
        { clock },
      );
      admin = await operatorAdmin(t, `ov-${database.dialect}@operator.test`);
      a = await registerCompany(t, `ova${database.dialect}`);
    });
    after(() => t.stop());

    test("today's figures count every tenant's messages; the queue shows its oldest message", async () => {
      const before = (await admin.call('/v1/admin/overview')).body;
      assert.equal(typeof before.today.accepted, 'number');
      const sent = await t.api('/v1/messages', {
        body: { to: ['13800138000', '13800138001'], text: '【鸿雁】overview one' },
      });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      for (const m of sent.body.messages)
        assert.equal((await waitFinal(t, m.id)).status, 'delivered');
      // The figures are kept 10 s (services/dashboard-figures.ts): read them again after that.
      clock.advance(10_000);
      const r = await admin.call('/v1/admin/overview');
      assert.equal(r.status, 200);
      assert.equal(r.body.today.accepted, before.today.accepted + 2);
      assert.equal(r.body.today.delivered, before.today.delivered + 2);
      assert.ok(
        Date.parse(r.body.today.from) <= clock.now() && clock.now() < Date.parse(r.body.today.to),
      );

      // Yesterday's message is not today's; a queued one (not yet due) is in the queue with its age.
      const db = t.platform.store.db;
      const [tpl] = await db
        .selectFrom('messages')
        .selectAll()
        .where('id', '=', sent.body.messages[0].id)
        .execute();
      const yesterday = Date.parse(r.body.today.from) - 3_600_000;
      // Two minutes before the platform's clock (real time moved on by the test; a slow setup
      // leaves it behind the wall clock, so the wall clock would make the age come out short).
      const old = clock.now() - 120_000;
      await db
        .insertInto('messages')
        .values([
          { ...tpl!, id: newId('msg', yesterday), created_at: yesterday, status: 'delivered' },
          {
            ...tpl!,
            id: newId('msg', old),
            tenant_id: a.tenantId ?? tpl!.tenant_id,
            created_at: old,
            status: 'queued',
            parts_count: 3,
            next_attempt_at: Date.now() + 3_600_000,
            billing: 'free',
          },
        ])
        .execute();
      clock.advance(10_000);
      const q = (await admin.call('/v1/admin/overview')).body;
      assert.equal(q.today.accepted, before.today.accepted + 3);
      assert.equal(q.today.pending, r.body.today.pending + 1);
      assert.ok(q.queue.messages >= 1 && q.queue.parts >= 3, JSON.stringify(q.queue));
      assert.ok(q.queue.oldestAgeSeconds >= 119, JSON.stringify(q.queue));
      assert.equal(Date.parse(q.queue.oldestQueuedAt), old);
    });

    if (database.dialect === 'sqlite')
      test('both figures are read through indexes, never by scanning messages', async () => {
        const plan = async (query: string) =>
          (
            await sql
              .raw<{ detail: string }>(`explain query plan ${query}`)
              .execute(t.platform.store.db)
          ).rows
            .map((x) => x.detail)
            .join(' | ');
        const day = await plan(
          `select count(*) from messages where id >= 'msg_0' and id < 'msg_Z' and created_at >= 0 and created_at < 1`,
        );
        assert.match(day, /SEARCH messages USING .*(PRIMARY KEY|INDEX)/, day);
        const queue = await plan(
          `select count(*), min(created_at) from messages where status = 'queued'`,
        );
        assert.match(
          queue,
          /SEARCH messages USING INDEX|SCAN messages USING INDEX messages_queue/,
          queue,
        );
      });

    test('bad input is named; tenants and operators without the permission are refused', async () => {
      const extra = await admin.call('/v1/admin/overview?tenant=x');
      assert.equal(extra.status, 400);
      assert.equal(extra.body.field, 'tenant');
      const tenantUser = await a.owner.call('/v1/admin/overview');
      assert.equal(tenantUser.status, 403);
      assert.equal((await t.api('/v1/admin/overview')).status, 403, 'an API key');
      assert.equal((await t.api('/v1/admin/overview', { key: null })).status, 401);
      const support = await operatorOf(t, 'support', `ovs-${database.dialect}@operator.test`);
      assert.equal((await support.call('/v1/admin/overview')).status, 200, 'any operator role');
      assert.equal((await support.call('/v1/admin/block-list')).status, 403);
      assert.equal((await a.owner.call('/v1/admin/block-list')).status, 403);
      assert.equal(
        (await a.owner.call('/v1/admin/block-list/13800138000', { method: 'DELETE' })).status,
        403,
      );
    });

    test('the block list pages, searches and takes numbers off; a removed number can be sent to again', async () => {
      for (const n of ['13900000001', '13900000002', '13900000003', '15000000009'])
        assert.equal(
          (await admin.call('/v1/admin/block-list', { body: { number: n, reason: 'complaint' } }))
            .status,
          204,
        );
      const p1 = await admin.call('/v1/admin/block-list?limit=2');
      assert.equal(p1.status, 200);
      assert.deepEqual(
        p1.body.data.map((x: { number: string }) => x.number),
        ['+8613900000001', '+8613900000002'],
      );
      assert.equal(p1.body.data[0].reason, 'complaint');
      assert.ok(Date.parse(p1.body.data[0].createdAt) > 0);
      const p2 = await admin.call(
        `/v1/admin/block-list?limit=2&after=${encodeURIComponent(p1.body.nextCursor)}`,
      );
      assert.deepEqual(
        p2.body.data.map((x: { number: string }) => x.number),
        ['+8613900000003', '+8615000000009'],
      );
      const found = await admin.call('/v1/admin/block-list?q=0009');
      assert.deepEqual(
        found.body.data.map((x: { number: string }) => x.number),
        ['+8615000000009'],
      );
      assert.equal(found.body.nextCursor, null);

      const blocked = await t.api('/v1/messages', {
        body: { to: ['15000000009', '13800138000'], text: '【鸿雁】blocked?' },
      });
      assert.deepEqual(
        blocked.body.rejected.map((x: { to: string; code: string }) => [x.to, x.code]),
        [['+8615000000009', 'recipient_blocked']],
      );

      const bad = await admin.call('/v1/admin/block-list?q=13%25');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, 'q');
      const badLimit = await admin.call('/v1/admin/block-list?limit=0');
      assert.equal(badLimit.body.field, 'limit');
      const badNumber = await admin.call('/v1/admin/block-list/abc', { method: 'DELETE' });
      assert.equal(badNumber.status, 422);
      assert.equal(badNumber.body.field, 'number');
      const missing = await admin.call('/v1/admin/block-list/13700000000', { method: 'DELETE' });
      assert.equal(missing.status, 404);

      // Any common form of the number: 0086, spaces, dashes.
      const del = await admin.call(
        `/v1/admin/block-list/${encodeURIComponent('0086 150-0000-0009')}`,
        {
          method: 'DELETE',
        },
      );
      assert.equal(del.status, 204);
      assert.deepEqual((await admin.call('/v1/admin/block-list?q=0009')).body.data, []);
      const audit = await admin.call('/v1/admin/audit?action=block_list.removed');
      assert.ok(JSON.stringify(audit.body).includes('+8615000000009'), JSON.stringify(audit.body));
      const sent = await t.api('/v1/messages', {
        body: { to: '15000000009', text: '【鸿雁】not blocked now' },
      });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      assert.deepEqual(sent.body.rejected ?? [], []);
    });
  });
}
