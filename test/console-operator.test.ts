// The operator portal's business pages in a real Chromium against a real Hongyan (issue 12): the
// demo operator finds the Demo tenant and recharges it; confirms a tenant's recharge request into
// exactly one ledger recharge; approves a template the tenant then sends with; publishes an
// announcement the tenant sees as a banner. The main pages have no serious axe findings. Browser
// tests run on SQLite (the pages are the same on either store; the API tests cover PostgreSQL).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFor, type TestPlatform } from './support/platform.ts';
import {
  axeSerious,
  launchBrowser,
  logIn,
  watchErrors,
  type ConsoleBrowser,
} from './support/browser.ts';
import type { Page } from 'playwright-core';

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('a tiny png body'),
]);

/** "1123.4500" → 11234500n: amounts compared exactly, in the ledger's minor unit. */
function minor(amount: string): bigint {
  const [i = '0', f = ''] = amount.split('.');
  return BigInt(i) * 10_000n + BigInt(f.padEnd(4, '0').slice(0, 4));
}

/** The console's own money format (web/src/lib/format.ts) for a zh-CN reader. */
function yuan(amount: string): string {
  const decimals = amount.split('.')[1]?.replace(/0+$/, '').length ?? 0;
  return new Intl.NumberFormat('zh-CN', {
    style: 'currency',
    currency: 'CNY',
    minimumFractionDigits: 2,
    maximumFractionDigits: Math.max(2, Math.min(4, decimals)),
  }).format(amount as unknown as number);
}

describe('console operator portal', () => {
  let t: TestPlatform;
  let b: ConsoleBrowser;
  let tenant: { email: string; password: string };
  let operator: { email: string; password: string };
  let page: Page;
  let errors: string[];

  const available = async () => (await t.api('/v1/balance')).body.available.amount as string;

  before(async () => {
    t = await startTestPlatform(databases[0]!, { demo: { consoleUsers: true } });
    const dc = t.platform.demoConsole!;
    tenant = { email: dc.tenant.email, password: dc.tenant.password! };
    operator = { email: dc.operator.email, password: dc.operator.password! };
    b = await launchBrowser();
    page = await (await b.context()).newPage();
    errors = watchErrors(page);
    await logIn(page, t.url, operator.email, operator.password);
  });
  after(async () => {
    await b?.close();
    await t?.stop();
  });

  test('finds the Demo tenant by search, opens it and recharges it', async () => {
    await page.goto(`${t.url}/admin/tenants`);
    await page.getByRole('heading', { name: '租户管理' }).waitFor();
    assert.deepEqual(await axeSerious(page), []);
    await page.getByRole('searchbox', { name: '搜索租户' }).fill('Dem');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Demo', exact: true }).click();
    await page.waitForURL(/\/admin\/tenants\/ten_/);
    await page.getByRole('tab', { name: '基本信息' }).waitFor();
    await page
      .getByTestId('tenant-balance')
      .getByText(yuan(await available()))
      .waitFor();
    assert.deepEqual(await axeSerious(page), []);

    const before = await available();
    await page.getByRole('tab', { name: '费用' }).click();
    await page.locator('#recharge_amount').fill('123.45');
    await page.locator('#recharge_reference').fill('BANK-OP-1');
    await page.getByRole('button', { name: '确认入账' }).click();
    const after = (minor(before) + minor('123.45')).toString();
    const expected = `${after.slice(0, -4)}.${after.slice(-4)}`;
    await waitFor(async () => (await available()) === expected, 10_000, 'the recharge');
    await page.getByTestId('tenant-balance').getByText(yuan(expected)).waitFor();
    assert.deepEqual(await axeSerious(page), []);
    assert.deepEqual(errors, []);
  });

  test('a tenant’s recharge request is confirmed in the console into one ledger recharge', async () => {
    const cookie = await sessionCookie(t, tenant);
    const form = new FormData();
    form.append('amount', '88.80');
    form.append('paymentReference', 'BANK-RR-7');
    form.append('note', '对公转账');
    form.append('proof', new Blob([PNG], { type: 'image/png' }), 'proof.png');
    const submitted = await fetch(`${t.url}/v1/recharge-requests`, {
      method: 'POST',
      headers: { cookie },
      body: form,
    });
    assert.equal(submitted.status, 201);
    const before = await available();

    await page.goto(`${t.url}/admin/recharges`);
    const row = page.getByRole('row').filter({ hasText: 'BANK-RR-7' });
    await row.waitFor();
    assert.deepEqual(await axeSerious(page), []);
    // The proof opens as an image preview.
    await row.getByRole('button', { name: '查看凭证' }).click();
    await page.getByTestId('proof-preview').waitFor();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /关\s?闭/ })
      .first()
      .click();

    await row.getByRole('button', { name: '确认入账' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('#rr-confirm_amount').waitFor();
    assert.equal(await dialog.locator('#rr-confirm_amount').inputValue(), '88.8000');
    await dialog.getByRole('button', { name: '确认入账' }).click();
    await row.waitFor({ state: 'detached' }); // no longer pending

    const expected = minor(before) + minor('88.80');
    await waitFor(async () => minor(await available()) === expected, 10_000, 'the credit');
    const ledger = (await t.api('/v1/ledger?kind=recharge')).body.data as Array<{
      paymentReference: string | null;
      amount: { amount: string };
    }>;
    const credits = ledger.filter((e) => e.paymentReference === 'BANK-RR-7');
    assert.equal(credits.length, 1);
    assert.equal(minor(credits[0]!.amount.amount), minor('88.80'));

    // Shown with its ledger entry among the credited ones.
    await page.getByRole('combobox', { name: '按状态筛选' }).click();
    await page.getByTitle('已入账').click();
    await page
      .getByRole('row')
      .filter({ hasText: 'BANK-RR-7' })
      .getByTestId('rr-credited')
      .waitFor();
    assert.deepEqual(errors, []);
  });

  test('a template the tenant submitted is approved in Reviews and then sends', async () => {
    const tpl = await t.api('/v1/templates', {
      body: {
        name: '取件通知',
        body: '您的包裹已到${place}，取件码${code}',
        class: 'notification',
      },
    });
    assert.equal(tpl.status, 201);
    const send = () =>
      t.api('/v1/messages', {
        body: {
          to: '+8613800138000',
          templateId: tpl.body.id,
          params: { place: '东门', code: '1234' },
        },
      });
    assert.equal((await send()).status >= 400, true, 'a pending template does not send');

    await page.goto(`${t.url}/admin/reviews`);
    const row = page
      .getByTestId('queue-templates')
      .getByRole('row')
      .filter({ hasText: '取件通知' });
    await row.waitFor();
    assert.deepEqual(await axeSerious(page), []);
    await row.getByRole('button', { name: '通过 取件通知' }).click();
    await row.waitFor({ state: 'detached' });
    const approved = (await t.api('/v1/templates')).body.data.find(
      (x: { id: string }) => x.id === tpl.body.id,
    );
    assert.equal(approved.status, 'approved');
    const sent = await send();
    assert.ok([201, 202].includes(sent.status), JSON.stringify(sent.body));
    assert.deepEqual(errors, []);
  });

  test('an announcement to all tenants shows in the tenant portal’s banner', async () => {
    await page.goto(`${t.url}/admin/announcements`);
    await page.getByRole('heading', { name: '公告' }).waitFor();
    assert.deepEqual(await axeSerious(page), []);
    await page.getByRole('button', { name: '发布公告' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('#announcement_title').fill('周六凌晨系统维护');
    await dialog
      .locator('#announcement_body')
      .fill('本周六 02:00–04:00 进行系统升级，期间短信可能延迟。');
    await dialog.getByText('维护', { exact: true }).click();
    await dialog.getByRole('button', { name: /发\s?布/ }).click();
    await page.getByRole('row').filter({ hasText: '周六凌晨系统维护' }).waitFor();
    assert.deepEqual(await axeSerious(page), []);

    const other = await (await b.context()).newPage();
    const tenantErrors = watchErrors(other);
    await logIn(other, t.url, tenant.email, tenant.password);
    await other.getByTestId('announcements').getByText('周六凌晨系统维护').waitFor();
    await other.context().close();
    assert.deepEqual(tenantErrors, []);
    assert.deepEqual(errors, []);
  });
});

async function sessionCookie(t: TestPlatform, who: { email: string; password: string }) {
  const r = await fetch(`${t.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: who.email, password: who.password }),
  });
  assert.equal(r.status, 200);
  return r.headers.get('set-cookie')!.split(';')[0]!;
}
