// The operator console's tables on both databases: tenants found by id, email or name with their
// balances, page by page; channel incidents filtered by time and exported as CSV that a
// spreadsheet cannot run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from './support/databases.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';
import { IncidentStore } from '../src/store/incidents.ts';
import { operatorAdmin, registerCompany, type Browser } from './support/people.ts';

for (const database of databases) {
  describe(`the operator's tenant table and incidents on ${database.dialect}`, () => {
    let t: TestPlatform;
    let admin: Browser;
    before(async () => {
      t = await startTestPlatform(database, {
        limits: { keyPerSecond: 1000, keyBurst: 1000, tenantPerSecond: 1000, tenantBurst: 1000 },
      });
      admin = await operatorAdmin(t, `ten-${database.dialect}@operator.test`);
    });
    after(() => t.stop());

    test('search by id, email or name start; status; balances; cursor pages', async () => {
      const x = await registerCompany(t, `Zhongxin${database.dialect}`);
      const y = await registerCompany(t, `zhonghua${database.dialect}`);
      const z = await registerCompany(t, `Other${database.dialect}`);
      await admin.call(`/v1/admin/tenants/${x.tenantId}/status`, {
        body: { status: 'active', reason: 'ok' },
      });
      await admin.call(`/v1/admin/tenants/${x.tenantId}/recharges`, {
        body: { amount: '123.45', reference: `t-${x.tenantId}` },
      });
      const ids = (r: { body: { data: Array<{ id: string }> } }) => r.body.data.map((d) => d.id);

      // By the start of the name, whatever the case; a LIKE wildcard is only a character.
      const byName = await admin.call('/v1/admin/tenants?q=ZHONG');
      assert.equal(byName.status, 200);
      assert.deepEqual(ids(byName), [y.tenantId, x.tenantId]);
      assert.deepEqual(ids(await admin.call('/v1/admin/tenants?q=%25hong')), []);
      assert.deepEqual(ids(await admin.call('/v1/admin/tenants?q=zhong_ua')), []);
      // By id, by the contact's (or a user's) email.
      assert.deepEqual(ids(await admin.call(`/v1/admin/tenants?q=${z.tenantId}`)), [z.tenantId]);
      assert.deepEqual(
        ids(await admin.call(`/v1/admin/tenants?q=${encodeURIComponent(x.email.toUpperCase())}`)),
        [x.tenantId],
      );
      // Status, with the search.
      assert.deepEqual(ids(await admin.call('/v1/admin/tenants?q=zhong&status=active')), [
        x.tenantId,
      ]);
      const row = (await admin.call(`/v1/admin/tenants?q=${x.tenantId}`)).body.data[0];
      assert.deepEqual(row.available, { amount: '123.4500', currency: 'CNY' });
      assert.deepEqual(row.held, { amount: '0.0000', currency: 'CNY' });
      assert.equal(row.status, 'active');
      assert.match(row.createdAt, /^\d{4}-\d{2}-\d{2}T/);
      assert.equal(row.contactEmail, x.email.toLowerCase());

      // Pages: newest first, nextCursor until the end.
      const first = await admin.call('/v1/admin/tenants?q=zhong&limit=1');
      assert.deepEqual(ids(first), [y.tenantId]);
      const second = await admin.call(
        `/v1/admin/tenants?q=zhong&limit=1&after=${first.body.nextCursor}`,
      );
      assert.deepEqual(ids(second), [x.tenantId]);
      const all = await admin.call('/v1/admin/tenants?limit=500');
      assert.ok(ids(all).includes(z.tenantId));
      assert.equal(all.body.nextCursor, null);

      // Bad input, and who may read it.
      for (const [query, field] of [
        ['status=open', 'status'],
        ['limit=0', 'limit'],
        ['limit=abc', 'limit'],
        ['sort=name', 'sort'],
      ]) {
        const r = await admin.call(`/v1/admin/tenants?${query}`);
        assert.equal(r.status, 400, query);
        assert.equal(r.body.field, field, query);
      }
      assert.equal((await x.owner.call('/v1/admin/tenants')).status, 403);
      assert.equal((await t.api('/v1/admin/tenants', { key: x.key })).status, 403);
    });

    test('incidents: times parsed strictly; CSV streamed with formula cells neutralised', async () => {
      const incidents = new IncidentStore(t.platform.store.db);
      const at = Date.UTC(2026, 10, 1, 8);
      await incidents.open('evil', '=cmd|calc', '+SUM(1)', 'node-1', at);
      await incidents.close('evil', '=cmd|calc', at + 90_000);
      await incidents.open('evil', 'bind_lost', '@import', 'node-1', at - 86_400_000);

      const json = await admin.call(
        '/v1/admin/channels/incidents?channel=evil&from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z',
      );
      assert.equal(json.status, 200);
      // The open one started the day before and is still open: it overlaps the window.
      assert.equal(json.body.data.length, 2);
      for (const bad of ['from=yesterday', 'to=12345', 'from=2026-13-45T00:00:00Z']) {
        const r = await admin.call(`/v1/admin/channels/incidents?${bad}`);
        assert.equal(r.status, 400, bad);
        assert.equal(r.body.field, bad.split('=')[0]);
      }
      const csv = await admin.call('/v1/admin/channels/incidents?channel=evil&format=csv');
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get('content-type')!, /^text\/csv/);
      assert.match(csv.headers.get('content-disposition')!, /attachment/);
      const lines = (csv.body as string).trim().split('\n');
      assert.equal(lines[0], 'id,channel,kind,started_at,ended_at,seconds,detail');
      assert.equal(lines.length, 3);
      assert.match(
        lines[1]!,
        /^inc_\w+,evil,'=cmd\|calc,2026-11-01T08:00:00.000Z,2026-11-01T08:01:30.000Z,90,'\+SUM\(1\)$/,
      );
      assert.match(lines[2]!, /,'@import$/);
      const support = await x403(t);
      assert.equal(support, 403);
    });
  });
}

/** A tenant may not read the incident log. */
async function x403(t: TestPlatform): Promise<number> {
  const c = await registerCompany(t, `inc${Date.now()}`);
  return (await c.owner.call('/v1/admin/channels/incidents')).status;
}
