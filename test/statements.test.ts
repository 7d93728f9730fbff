// Monthly statements reconcile with the ledger and the message rows, in every format; the files
// are labelled in the tenant's language (zh-CN by default, en when chosen).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFinal, waitFor, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, registerCompany } from './support/people.ts';
import { monthOf, previousMonth } from '../src/core/billing/statement.ts';
import { parseAmount } from '../src/core/billing/money.ts';

for (const database of databases) {
  describe(`monthly statements on ${database.dialect}`, () => {
    let t: TestPlatform;
    before(async () => {
      t = await startTestPlatform(database);
    });
    after(() => t.stop());

    test('this month: totals reconcile with the ledger, the balance and the messages; files agree', async () => {
      const admin = await operatorAdmin(t, `stmt-${database.dialect}@operator.test`);
      const c = await registerCompany(t, `stmtco-${database.dialect}`);
      await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
        body: { status: 'active', reason: 'ok' },
      });
      await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
        body: { amount: '10', reference: 'stmt-1' },
      });
      await admin.call(`/v1/admin/tenants/${c.tenantId}/price-plan`, {
        method: 'PUT',
        body: {
          rules: [
            { price: '0.0500' },
            { carrier: 'mobile', price: '0.0400' },
            { class: 'marketing', price: '0.0800' },
          ],
        },
      });
      const read = { ...t, api: (p: string, i?: any) => t.api(p, { ...i, key: c.key }) };
      const a = await t.api('/v1/messages', {
        key: c.key,
        body: {
          to: ['13800138000', '13000131234', '+447400123456', '13900130000'],
          text: 'statement test',
        },
      });
      const b = await t.api('/v1/messages', {
        key: c.key,
        body: { to: '13800138000', text: 'sale '.repeat(40), class: 'marketing' },
      });
      for (const m of [...a.body.messages, ...b.body.messages]) await waitFinal(read, m.id);
      await waitFor(
        async () => (await t.api('/v1/balance', { key: c.key })).body.held.amount === '0.0000',
        5000,
        'holds settled',
      );
      await admin.call(`/v1/admin/tenants/${c.tenantId}/refunds`, {
        body: { batchId: b.body.batchId, reason: 'wrong list' },
      });

      const month = monthOf(Date.now(), 480);
      const s = (await t.api(`/v1/statements/${month}`, { key: c.key })).body;
      const n = (m: { amount: string }) => parseAmount(m.amount);
      assert.equal(n(s.opening), 0);
      assert.equal(n(s.recharges), parseAmount('10'));
      // 13800138000 mobile 0.04, 13000131234 unicom 0.05, GB 0.05, 13900130000 mobile 0.04 (undelivered: on_submit still charges), marketing 4 parts × 0.08 (signature and opt-out hint make it UCS-2).
      assert.deepEqual(
        s.lines.map((l: any) => [l.class, l.destination, l.parts, l.amount.amount]),
        [
          ['marketing', 'CN-mobile', 4, '0.3200'],
          ['notification', 'CN-mobile', 2, '0.0800'],
          ['notification', 'CN-unicom', 1, '0.0500'],
          ['notification', 'GB', 1, '0.0500'],
        ],
      );
      assert.equal(s.charges.amount, '0.5000');
      assert.equal(s.refunds.amount, '0.3200');
      assert.equal(
        n(s.opening) + n(s.recharges) + n(s.refunds) + n(s.adjustments) - n(s.charges) - n(s.fees),
        n(s.closing),
      );
      const balance = (await t.api('/v1/balance', { key: c.key })).body;
      assert.equal(s.closing.amount, balance.total.amount);
      const charged = await sql<{
        s: number;
      }>`select sum(charged) as s from messages where tenant_id = ${c.tenantId}`.execute(
        t.platform.store.db,
      );
      assert.equal(Number(charged.rows[0]!.s), n(s.charges));

      const csv = await fetch(`${t.url}/v1/statements/${month}?format=csv`, {
        headers: { authorization: `Bearer ${c.key}` },
      });
      assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
      const csvBytes = Buffer.from(await csv.arrayBuffer());
      assert.deepEqual(
        [...csvBytes.subarray(0, 3)],
        [0xef, 0xbb, 0xbf],
        'a UTF-8 BOM for spreadsheet programs',
      );
      const csvText = csvBytes.toString('utf8');
      // Chinese labels by default; amounts, classes and destinations as in every language.
      assert.match(csvText, /^\ufeff对账单,stmtco-/);
      assert.match(csvText, /期末余额,9\.8200/);
      assert.match(csvText, /短信类型,目的地,计费条数,金额/);
      assert.match(csvText, /marketing,CN-mobile,4,0\.3200/);
      assert.doesNotMatch(csvText, /Closing balance/);
      const xlsxCells = async () => {
        const xlsx = await fetch(`${t.url}/v1/statements/${month}?format=xlsx`, {
          headers: { authorization: `Bearer ${c.key}` },
        });
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
        const sheet = wb.worksheets[0]!;
        const cells: Record<string, unknown> = {};
        sheet.eachRow((row) => (cells[String(row.getCell(1).value)] = row.getCell(2).value));
        return { name: sheet.name, cells };
      };
      const zh = await xlsxCells();
      assert.equal(zh.name, `对账单 ${month}`);
      assert.equal(zh.cells['期末余额'], 9.82);
      assert.equal(zh.cells['充值'], 10);
      const html = await fetch(`${t.url}/v1/statements/${month}?format=html`, {
        headers: { authorization: `Bearer ${c.key}` },
      });
      const page = await html.text();
      assert.match(page, /<html lang="zh-CN">/);
      assert.match(page, new RegExp(`<h1>对账单 ${month}</h1>`));

      // The same statement for a tenant that reads English.
      await c.owner.call('/v1/account/locale', { method: 'PUT', body: { locale: 'en' } });
      const enCsv = await (
        await fetch(`${t.url}/v1/statements/${month}?format=csv`, {
          headers: { authorization: `Bearer ${c.key}` },
        })
      ).text();
      assert.match(enCsv, /Closing balance,9\.8200/);
      assert.match(enCsv, /Class,Destination,Parts,Amount/);
      const en = await xlsxCells();
      assert.equal(en.name, `Statement ${month}`);
      assert.equal(en.cells['Closing balance'], 9.82);
      assert.equal(en.cells['Recharges'], 10);
      // The operator downloads the tenant's statement as the tenant reads it.
      const asOperator = await admin.call(
        `/v1/admin/tenants/${c.tenantId}/statements/${month}?format=html`,
      );
      assert.match(asOperator.body, /<html lang="en">/);
    });

    test('a finished month is generated once, kept, and listed; bad months are refused', async () => {
      const c = await registerCompany(t, `pastco-${database.dialect}`);
      const now = Date.now();
      const thisMonth = monthOf(now, 480);
      const made = await t.platform.jobs.generateStatements(now + 40 * 24 * 3600_000);
      assert.ok(made >= 1, 'next month, statements for this one are made');
      const again = await t.platform.jobs.generateStatements(now + 40 * 24 * 3600_000);
      assert.equal(again, 0, 'made once');
      const last = previousMonth(thisMonth);
      const past = await t.api(`/v1/statements/${last}`, { key: c.key });
      assert.equal(past.status, 200);
      assert.equal(past.body.closing.amount, '0.0000');
      assert.ok((await t.api('/v1/statements', { key: c.key })).body.data.includes(last));
      assert.equal((await t.api('/v1/statements/2026-13', { key: c.key })).status, 400);
      assert.equal((await t.api('/v1/statements/2999-01', { key: c.key })).status, 400);
    });
  });
}
