// Contracts: period gate, package quota, signing/monthly/renewal fees once each, reminders,
// auto-renewal; bad terms refused with the field.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from './support/databases.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, registerCompany, type Browser } from './support/people.ts';
import { addMonths } from '../src/core/billing/contract.ts';
import { LedgerStore } from '../src/store/ledger.ts';

const DAY = 24 * 3600_000;
const localDate = (at: number) => new Date(at + 8 * 3600_000).toISOString().slice(0, 10);

for (const database of databases) {
  describe(`contracts on ${database.dialect}`, () => {
    let t: TestPlatform;
    let admin: Browser;
    before(async () => {
      t = await startTestPlatform(database);
      admin = await operatorAdmin(t, `contracts-${database.dialect}@operator.test`);
    });
    after(() => t.stop());

    async function company(name: string) {
      const c = await registerCompany(t, `${name}-${database.dialect}`);
      await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
        body: { status: 'active', reason: 'ok' },
      });
      await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
        body: { amount: '1000', reference: `pay-${c.tenantId}` },
      });
      return c;
    }
    const count = async () =>
      Number(
        (
          await t.platform.store.db
            .selectFrom('contracts')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    test('bad terms are refused with the field, and nothing is written', async () => {
      const c = await company('badterms');
      const before = await count();
      const cases: Array<[object, string]> = [
        [{ number: 'C-1', startDate: '2026-12-01', endDate: '2026-11-30' }, 'endDate'],
        [{ number: 'C-1', startDate: '2026-02-30', endDate: '2027-01-01' }, 'startDate'],
        [{ number: '', startDate: '2026-12-01', endDate: '2027-11-30' }, 'number'],
        [{ number: 'C-1', startDate: '2026-12-01', endDate: '2027-11-30', quota: -5 }, 'quota'],
        [
          {
            number: 'C-1',
            startDate: '2026-12-01',
            endDate: '2027-11-30',
            fees: [{ name: 'x', amount: '1.23456', when: 'monthly' }],
          },
          'fees[0].amount',
        ],
        [
          {
            number: 'C-1',
            startDate: '2026-12-01',
            endDate: '2027-11-30',
            fees: [{ name: 'x', amount: '1', when: 'weekly' }],
          },
          'fees[0].when',
        ],
      ];
      for (const [body, field] of cases) {
        const r = await admin.call(`/v1/admin/tenants/${c.tenantId}/contracts`, { body });
        assert.deepEqual(
          [r.status, r.body.code, r.body.field],
          [422, 'invalid_contract', field],
          field,
        );
      }
      assert.equal(await count(), before);
    });

    test('a package is used part by part before the price plan; fees are charged once per period; reminders once each', async () => {
      const c = await company('pkg');
      const now = Date.now();
      const end = localDate(now + 40 * DAY);
      const signed = await admin.call(`/v1/admin/tenants/${c.tenantId}/contracts`, {
        body: {
          number: `HY-${database.dialect}-001`,
          startDate: localDate(now - DAY),
          endDate: end,
          quota: 3,
          fees: [
            { name: 'account opening', amount: '100', when: 'signing' },
            { name: 'monthly maintenance', amount: '50', when: 'monthly' },
            { name: 'renewal', amount: '200', when: 'renewal' },
          ],
        },
      });
      assert.equal(signed.status, 201);
      const dup = await admin.call(`/v1/admin/tenants/${c.tenantId}/contracts`, {
        body: {
          number: `HY-${database.dialect}-001`,
          startDate: '2026-01-01',
          endDate: '2026-12-31',
        },
      });
      assert.equal(dup.status, 409);
      const sent = [];
      for (const to of ['13800138001', '13800138002', '13800138003', '13800138004'])
        sent.push(
          (await t.api('/v1/messages', { key: c.key, body: { to, text: 'pkg' } })).body.messages[0],
        );
      assert.deepEqual(
        sent.map((m) => m.price.amount),
        ['0.0000', '0.0000', '0.0000', '0.0450'],
      );
      const mine = (await t.api('/v1/contracts', { key: c.key })).body.data[0];
      assert.deepEqual(mine.package, { parts: 3, used: 3, remaining: 0 });

      const first = await t.platform.jobs.runContracts(now);
      assert.ok(first.fees >= 1);
      const again = await t.platform.jobs.runContracts(now);
      assert.equal(again.fees, 0, 'the monthly fee is charged once a month');
      const fees = (await t.api('/v1/ledger?kind=fee', { key: c.key })).body.data.map((e: any) => [
        e.reason,
        e.amount.amount,
      ]);
      assert.deepEqual(fees.sort(), [
        ['account opening', '-100.0000'],
        ['monthly maintenance', '-50.0000'],
      ]);

      const until = Date.parse(`${end}T00:00:00+08:00`) + DAY;
      await t.platform.jobs.runContracts(until - 29 * DAY);
      await t.platform.jobs.runContracts(until - 29 * DAY);
      await t.platform.jobs.runContracts(until - 6 * DAY);
      const notices = (await t.api('/v1/notifications?kind=contract_expiring', { key: c.key })).body
        .data;
      // In the tenant's language (zh-CN by default): the contract number and the days left.
      const subjects = notices
        .filter((n: any) => n.channel === 'sms')
        .map((n: any) => n.subject)
        .reverse();
      assert.equal(subjects.length, 2, subjects.join(' | '));
      assert.match(subjects[0], new RegExp(`HY-${database.dialect}-001\\D+30\\D`));
      assert.match(subjects[1], new RegExp(`HY-${database.dialect}-001\\D+7\\D`));
      assert.deepEqual(
        (await new LedgerStore(t.platform.store.db, t.platform.store.dialect).verify()).differences,
        [],
      );
    });

    test('overlapping runs (two workers, or a rerun after a lost claim) remind, renew and charge once', async () => {
      const c = await company('overlap');
      const now = Date.now();
      const end = localDate(now + 20 * DAY);
      await admin.call(`/v1/admin/tenants/${c.tenantId}/contracts`, {
        body: {
          number: `OVERLAP-${database.dialect}`,
          startDate: localDate(now - 60 * DAY),
          endDate: end,
          fees: [
            { name: 'monthly maintenance', amount: '50', when: 'monthly' },
            { name: 'renewal', amount: '200', when: 'renewal' },
          ],
        },
      });
      const all = (at: number) =>
        Promise.all([1, 2, 3, 4].map(() => t.platform.jobs.runContracts(at)));
      const balance = async () => (await t.api('/v1/balance', { key: c.key })).body;
      const fees = async () =>
        (await t.api('/v1/ledger?kind=fee', { key: c.key })).body.data
          .map((e: any) => e.reason)
          .sort();
      const before = await balance();

      const first = await all(now);
      assert.equal(
        first.reduce((n, r) => n + r.reminded, 0),
        1,
        'one run sends the reminder',
      );
      assert.deepEqual(await fees(), ['monthly maintenance']);
      const notices = (
        await t.api('/v1/notifications?kind=contract_expiring', { key: c.key })
      ).body.data.filter((n: any) => n.channel === 'sms');
      assert.equal(notices.length, 1);

      const until = Date.parse(`${end}T00:00:00+08:00`) + DAY;
      const renewing = await all(until + 3600_000);
      assert.equal(
        renewing.reduce((n, r) => n + r.renewed, 0),
        1,
      );
      assert.equal(
        (await t.api('/v1/contracts', { key: c.key })).body.data[0].endDate,
        addMonths(end, 12),
      );
      const charged = await fees();
      assert.equal(charged.filter((f: string) => f === 'renewal').length, 1);
      // The balance moved by exactly what the ledger says, not once per run.
      const total = (await t.api('/v1/ledger?kind=fee', { key: c.key })).body.data.reduce(
        (n: number, e: any) => n + Math.round(Number(e.amount.amount) * 10_000),
        0,
      );
      const after = await balance();
      assert.equal(
        Math.round(Number(after.available.amount) * 10_000),
        Math.round(Number(before.available.amount) * 10_000) + total,
      );
      assert.deepEqual(
        (await new LedgerStore(t.platform.store.db, t.platform.store.dialect).verify()).differences,
        [],
      );
    });

    test('after the end date sending stops; auto-renewal extends the contract and charges its renewal fee', async () => {
      const ended = await company('ended');
      await admin.call(`/v1/admin/tenants/${ended.tenantId}/contracts`, {
        body: {
          number: `OLD-${database.dialect}`,
          startDate: '2025-01-01',
          endDate: '2025-12-31',
          autoRenew: false,
        },
      });
      const refused = await t.api('/v1/messages', {
        key: ended.key,
        body: { to: '13800138000', text: 'late' },
      });
      assert.deepEqual([refused.status, refused.body.code], [403, 'contract_expired']);

      const renewing = await company('renewing');
      const yesterday = localDate(Date.now() - DAY);
      await admin.call(`/v1/admin/tenants/${renewing.tenantId}/contracts`, {
        body: {
          number: `AUTO-${database.dialect}`,
          startDate: '2025-06-01',
          endDate: yesterday,
          fees: [{ name: 'renewal', amount: '200', when: 'renewal' }],
        },
      });
      assert.equal(
        (await t.api('/v1/messages', { key: renewing.key, body: { to: '13800138000', text: 'x' } }))
          .body.code,
        'contract_expired',
      );
      await t.platform.jobs.runContracts();
      const c = (await t.api('/v1/contracts', { key: renewing.key })).body.data[0];
      assert.equal(c.endDate, addMonths(yesterday, 12));
      assert.equal(
        (
          await t.api('/v1/messages', {
            key: renewing.key,
            body: { to: '13800138000', text: 'renewed' },
          })
        ).status,
        202,
      );
      const fees = (await t.api('/v1/ledger?kind=fee', { key: renewing.key })).body.data;
      assert.deepEqual(
        fees.map((e: any) => [e.reason, e.amount.amount]),
        [['renewal', '-200.0000']],
      );
      await t.platform.jobs.runContracts();
      assert.equal(
        (await t.api('/v1/ledger?kind=fee', { key: renewing.key })).body.data.length,
        1,
        'renewed once',
      );
    });
  });
}
