// Prepaid billing end to end: hold at acceptance, charge or release by the plan, recharges,
// price plans, refusals that write nothing, and a ledger that always reconciles.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFinal, waitFor, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, registerCompany, type Browser } from './support/people.ts';
import { LedgerStore } from '../src/store/ledger.ts';
import { ReceiptStore } from '../src/store/receipts.ts';

for (const database of databases) {
  describe(`billing on ${database.dialect}`, () => {
    let t: TestPlatform;
    let admin: Browser;
    let ledger: LedgerStore;

    before(async () => {
      t = await startTestPlatform(database);
      admin = await operatorAdmin(t, `money-${database.dialect}@operator.test`);
      ledger = new LedgerStore(t.platform.store.db, t.platform.store.dialect);
    });
    after(() => t.stop());

    async function company(name: string, balance: string | null) {
      const c = await registerCompany(t, `${name}-${database.dialect}`);
      assert.equal(
        (
          await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
            body: { status: 'active', reason: 'ok' },
          })
        ).status,
        204,
      );
      if (balance)
        assert.equal(
          (
            await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
              body: { amount: balance, reference: `pay-${c.tenantId}` },
            })
          ).status,
          201,
        );
      return c;
    }
    const balance = async (key: string) => (await t.api('/v1/balance', { key })).body;
    const kinds = async (key: string) =>
      (await t.api('/v1/ledger', { key })).body.data
        .map((e: any) => [e.kind, e.amount.amount, e.heldChange.amount])
        .reverse();
    const count = async (table: 'messages' | 'ledger_entries') =>
      Number(
        (
          await t.platform.store.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    test('on_submit (default): held at acceptance, charged when the carrier takes it, released when it refuses', async () => {
      const c = await company('submitco', '10');
      const r = await t.api('/v1/messages', {
        key: c.key,
        // 【测试公司】 + 100 characters = 106 UCS-2 units: two parts.
        body: { to: ['13800138000', '13800130001'], text: '测'.repeat(100) },
      });
      assert.equal(r.status, 202);
      assert.deepEqual(
        r.body.messages.map((m: any) => [m.parts, m.price.amount]),
        [
          [2, '0.0900'],
          [2, '0.0900'],
        ],
      );
      assert.deepEqual(await balance(c.key), {
        available: { amount: '9.8200', currency: 'CNY' },
        held: { amount: '0.1800', currency: 'CNY' },
        total: { amount: '10.0000', currency: 'CNY' },
        lowBalanceThreshold: null,
      });
      const [ok, refused] = r.body.messages;
      assert.equal(
        (await waitFinal({ ...t, api: (p, i) => t.api(p, { ...i, key: c.key }) }, refused.id))
          .status,
        'failed',
      );
      const delivered = await waitFinal(
        { ...t, api: (p, i) => t.api(p, { ...i, key: c.key }) },
        ok.id,
      );
      assert.equal(delivered.charged.amount, '0.0900');
      assert.equal(delivered.billing, 'settled');
      await waitFor(
        async () => (await balance(c.key)).held.amount === '0.0000',
        5000,
        'holds settled',
      );
      assert.deepEqual(await balance(c.key), {
        available: { amount: '9.9100', currency: 'CNY' },
        held: { amount: '0.0000', currency: 'CNY' },
        total: { amount: '9.9100', currency: 'CNY' },
        lowBalanceThreshold: null,
      });
      const entries = await kinds(c.key);
      assert.deepEqual(entries[0], ['recharge', '10.0000', '0.0000']);
      assert.deepEqual(entries[1], ['hold', '-0.1800', '0.1800']);
      assert.deepEqual(entries.slice(2).sort(), [
        ['charge', '0.0000', '-0.0900'],
        ['release', '0.0900', '-0.0900'],
      ]);
      assert.deepEqual((await ledger.verify()).differences, []);
    });

    test('on_delivery: only delivered parts are charged; undelivered ones are released', async () => {
      const c = await company('deliveryco', '10');
      const plan = await admin.call(`/v1/admin/tenants/${c.tenantId}/price-plan`, {
        method: 'PUT',
        body: {
          chargeMode: 'on_delivery',
          rules: [
            { country: 'CN', price: '0.0400' },
            { carrier: 'unicom', price: '0.0300' },
            { country: 'CN', class: 'marketing', price: '0.0600' },
          ],
        },
      });
      assert.equal(plan.status, 204);
      const prices = await t.api('/v1/prices', { key: c.key });
      assert.equal(prices.body.chargeMode, 'on_delivery');
      const r = await t.api('/v1/messages', {
        key: c.key,
        body: { to: ['13800138000', '13000130000', '13000131111'], text: 'hi' },
      });
      assert.deepEqual(
        r.body.messages.map((m: any) => m.price.amount),
        ['0.0400', '0.0300', '0.0300'],
      );
      const mk = await t.api('/v1/messages', {
        key: c.key,
        body: { to: '13800138000', text: 'sale', class: 'marketing' },
      });
      assert.equal(mk.body.messages[0].price.amount, '0.0600');
      const all = [...r.body.messages, ...mk.body.messages];
      const read = { ...t, api: (p: string, i?: any) => t.api(p, { ...i, key: c.key }) };
      const finals = await Promise.all(all.map((m: any) => waitFinal(read, m.id)));
      assert.deepEqual(
        finals.map((m) => [m.status, m.charged.amount]),
        [
          ['delivered', '0.0400'],
          ['undelivered', '0.0000'],
          ['delivered', '0.0300'],
          ['delivered', '0.0600'],
        ],
      );
      await waitFor(
        async () => (await balance(c.key)).held.amount === '0.0000',
        5000,
        'holds settled',
      );
      assert.equal((await balance(c.key)).available.amount, '9.8700');
      assert.deepEqual((await ledger.verify()).differences, []);
    });

    test('a replayed receipt charges nothing twice', async () => {
      const c = await company('replayco', '1');
      const r = await t.api('/v1/messages', {
        key: c.key,
        body: { to: '13800138000', text: 'once' },
      });
      const done = await waitFinal(
        { ...t, api: (p, i) => t.api(p, { ...i, key: c.key }) },
        r.body.messages[0].id,
      );
      const entries = await count('ledger_entries');
      const receipts = new ReceiptStore(t.platform.store.db, t.platform.store.dialect);
      const carrierId = done.partDetails[0].carrierId;
      await receipts.record(
        [
          {
            channelId: 'sim',
            carrierId,
            stat: 'DELIVRD',
            err: '000',
            status: 'delivered',
            receivedAt: Date.now(),
          },
        ],
        Date.now(),
      );
      await receipts.record(
        [
          {
            channelId: 'sim',
            carrierId,
            stat: 'UNDELIV',
            err: '001',
            status: 'undelivered',
            receivedAt: Date.now(),
          },
        ],
        Date.now(),
      );
      assert.equal(await count('ledger_entries'), entries);
      assert.equal((await balance(c.key)).available.amount, '0.9550');
      assert.deepEqual((await ledger.verify()).differences, []);
    });

    test('short balance: the request is refused and nothing is written; partial sends what fits', async () => {
      const c = await company('poorco', '0.1000');
      const before = { messages: await count('messages'), entries: await count('ledger_entries') };
      const body = { to: ['13800138001', '13800138002', '13800138003'], text: 'three' };
      const refused = await t.api('/v1/messages', { key: c.key, body });
      assert.equal(refused.status, 402);
      assert.equal(refused.body.code, 'insufficient_balance');
      assert.equal(refused.body.required, '0.1350');
      assert.equal(refused.body.available, '0.1000');
      assert.deepEqual(
        { messages: await count('messages'), entries: await count('ledger_entries') },
        before,
      );
      const partial = await t.api('/v1/messages', { key: c.key, body: { ...body, partial: true } });
      assert.equal(partial.status, 202);
      assert.equal(partial.body.messages.length, 2);
      assert.deepEqual(
        partial.body.rejected.map((x: any) => [x.to, x.code]),
        [['+8613800138003', 'insufficient_balance']],
      );
      assert.equal((await balance(c.key)).available.amount, '0.0100');
      assert.equal(
        (
          await t.api('/v1/messages', {
            key: c.key,
            body: { to: '13800138004', text: 'x', partial: true },
          })
        ).status,
        402,
      );
    });

    test('recharges and price plans refuse bad input with the field and write nothing', async () => {
      const c = await company('strictco', null);
      const before = await count('ledger_entries');
      const cases: Array<[object, number, string, string]> = [
        [{ amount: '-5', reference: 'a' }, 422, 'invalid_amount', 'amount'],
        [{ amount: '0', reference: 'b' }, 422, 'invalid_amount', 'amount'],
        [{ amount: '1.23456', reference: 'c' }, 422, 'invalid_amount', 'amount'],
      ];
      for (const [body, status, code, field] of cases) {
        const r = await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, { body });
        assert.deepEqual([r.status, r.body.code, r.body.field], [status, code, field]);
      }
      assert.equal(await count('ledger_entries'), before);
      assert.equal(
        (
          await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
            body: { amount: '5', reference: 'bank-001' },
          })
        ).status,
        201,
      );
      const twice = await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
        body: { amount: '5', reference: 'bank-001' },
      });
      assert.deepEqual([twice.status, twice.body.code], [409, 'duplicate_reference']);
      assert.equal(await count('ledger_entries'), before + 1);
      const overlap = await admin.call(`/v1/admin/tenants/${c.tenantId}/price-plan`, {
        method: 'PUT',
        body: {
          rules: [
            { country: 'CN', price: '0.04' },
            { country: 'CN', price: '0.05' },
          ],
        },
      });
      assert.deepEqual(
        [overlap.status, overlap.body.code, overlap.body.field],
        [422, 'invalid_price_plan', 'rules[1]'],
      );
      assert.equal(
        (await t.api('/v1/prices', { key: c.key })).body.default,
        true,
        'the plan was not changed',
      );
      assert.equal(
        (
          await c.owner.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
            body: { amount: '1000', reference: 'self' },
          })
        ).status,
        403,
      );
    });

    test('refunds: a batch gets back exactly what it was charged, once; never more than was charged', async () => {
      const c = await company('refundco', '1');
      const r = await t.api('/v1/messages', {
        key: c.key,
        body: { to: ['13800138000', '13800138001'], text: 'oops, wrong list' },
      });
      const read = { ...t, api: (p: string, i?: any) => t.api(p, { ...i, key: c.key }) };
      for (const m of r.body.messages) await waitFinal(read, m.id);
      await waitFor(
        async () => (await balance(c.key)).held.amount === '0.0000',
        5000,
        'holds settled',
      );
      const before = await count('ledger_entries');
      const tooMuch = await admin.call(`/v1/admin/tenants/${c.tenantId}/refunds`, {
        body: { amount: '0.0901', reason: 'too much' },
      });
      assert.deepEqual(
        [tooMuch.status, tooMuch.body.code, tooMuch.body.field],
        [422, 'invalid_amount', 'amount'],
      );
      const noReason = await admin.call(`/v1/admin/tenants/${c.tenantId}/refunds`, {
        body: { batchId: r.body.batchId, reason: ' ' },
      });
      assert.equal(noReason.status, 400);
      assert.equal(await count('ledger_entries'), before, 'refused refunds wrote nothing');
      const ok = await admin.call(`/v1/admin/tenants/${c.tenantId}/refunds`, {
        body: { batchId: r.body.batchId, reason: 'sent to the wrong list by our operator' },
      });
      assert.equal(ok.status, 201);
      assert.equal(ok.body.refunded.amount, '0.0900');
      assert.equal((await balance(c.key)).available.amount, '1.0000');
      const again = await admin.call(`/v1/admin/tenants/${c.tenantId}/refunds`, {
        body: { batchId: r.body.batchId, reason: 'twice' },
      });
      assert.deepEqual([again.status, again.body.code], [422, 'invalid_amount']);
      assert.deepEqual((await ledger.verify()).differences, []);
    });

    test('termination pays back the unused balance in one refund entry', async () => {
      const c = await company('leavingco', '5');
      assert.equal(
        (
          await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
            body: { status: 'terminated', reason: 'contract ended' },
          })
        ).status,
        204,
      );
      const entries = (await c.owner.call('/v1/ledger')).body.data;
      assert.deepEqual(
        [entries[0].kind, entries[0].amount.amount, entries[0].availableAfter.amount],
        ['refund', '-5.0000', '0.0000'],
      );
      assert.deepEqual((await ledger.verify()).differences, []);
    });

    test('test keys are never billed', async () => {
      const c = await company('sandboxco', null);
      const k = await t.api('/v1/api-keys', { key: c.key, body: { kind: 'test' } });
      const before = await count('ledger_entries');
      const r = await t.api('/v1/messages', {
        key: k.body.key,
        body: { to: '13800138000', text: 'free' },
      });
      assert.equal(r.status, 202);
      assert.equal(r.body.messages[0].price.amount, '0.0000');
      const done = await waitFinal(
        { ...t, api: (p, i) => t.api(p, { ...i, key: c.key }) },
        r.body.messages[0].id,
      );
      assert.equal(done.billing, 'free');
      assert.equal(await count('ledger_entries'), before);
    });

    test('verify finds a tampered balance', async () => {
      const c = await company('tamperco', '1');
      await t.platform.store.db
        .updateTable('balances')
        .set({ available: 999_999 })
        .where('tenant_id', '=', c.tenantId)
        .execute();
      const report = await admin.call('/v1/admin/billing/verify');
      assert.ok(
        report.body.differences.some(
          (d: any) => d.tenantId === c.tenantId && d.check.startsWith('available'),
        ),
      );
      await t.platform.store.db
        .updateTable('balances')
        .set({ available: 10_000 })
        .where('tenant_id', '=', c.tenantId)
        .execute();
      assert.deepEqual((await ledger.verify()).differences, []);
    });
  });
}
