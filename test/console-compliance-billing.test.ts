// The tenant portal's compliance and billing pages in a real Chromium against a real Hongyan
// (issue 12): a template is submitted and waits for review; a recharge request with a PNG proof
// is confirmed by an operator and shows in the balance and the ledger; this month's statement
// downloads as CSV; an opt-out CSV is imported and exported; no serious axe findings on the
// signatures, templates, opt-outs, inbound and billing pages. SQLite only, like the other
// console tests: the API suites cover PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { databases } from './support/databases.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';
import {
  axeSerious,
  launchBrowser,
  logIn,
  watchErrors,
  type ConsoleBrowser,
} from './support/browser.ts';

/** A real 1×1 PNG (signature, IHDR, IDAT, IEND with their CRCs). */
function tinyPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from([0, 0xc8, 0x10, 0x2e]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** This month as the console names it (the browser runs on this machine's clock and zone). */
function thisMonth(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

/** Wait until nothing is loading or moving (spinners, loading tables, transitions): axe judges
 * colours as they are, and a button halfway through a colour transition is not a finding. */
async function settled(page: Page): Promise<void> {
  // A function, not a string: the console's CSP (no 'unsafe-eval') refuses string predicates.
  await page.waitForFunction(() => {
    const doc = (globalThis as any).document;
    return (
      doc.querySelectorAll('.ant-spin-spinning, .ant-table-loading').length === 0 &&
      doc.getAnimations().every((a: any) => a.playState !== 'running')
    );
  });
}

describe('console: compliance and billing pages', () => {
  let t: TestPlatform;
  let b: ConsoleBrowser;
  let tenant: { email: string; password: string };
  let operator: { email: string; password: string };
  let dir: string;

  before(async () => {
    t = await startTestPlatform(databases[0]!, { demo: { consoleUsers: true } });
    const dc = t.platform.demoConsole!;
    tenant = { email: dc.tenant.email, password: dc.tenant.password! };
    operator = { email: dc.operator.email, password: dc.operator.password! };
    b = await launchBrowser();
    dir = mkdtempSync(join(tmpdir(), 'hongyan-console-billing-'));
  });
  after(async () => {
    await b?.close();
    await t?.stop();
  });

  async function tenantPage() {
    const ctx = await b.context();
    const page = await ctx.newPage();
    const errors = watchErrors(page);
    await logIn(page, t.url, tenant.email, tenant.password);
    return { ctx, page, errors };
  }

  test('a template is submitted with its variables and waits for review; signatures list the demo one', async () => {
    const { ctx, page, errors } = await tenantPage();
    await page.goto(`${t.url}/signatures`);
    await page.getByRole('heading', { name: '签名管理' }).waitFor();
    await page.getByRole('cell', { name: '【鸿雁】' }).waitFor();
    await page.getByTestId('default-signature').getByText('【鸿雁】').waitFor();
    await settled(page);
    assert.deepEqual(await axeSerious(page), []);

    await page.goto(`${t.url}/templates`);
    await page.getByRole('heading', { name: '模板管理' }).waitFor();
    await settled(page);
    assert.deepEqual(await axeSerious(page), []);
    await page.getByRole('button', { name: '申请模板' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('模板名称').fill('取件通知');
    await dialog.getByLabel('模板内容').fill('您的快递已到${station}，取件码 ${code}。');
    await dialog.getByTestId('template-variables').getByText('station').waitFor();
    await dialog.getByTestId('template-variables').getByText('code').waitFor();
    await dialog.getByRole('button', { name: /提\s*交/ }).click();
    const row = page.getByRole('row', { name: /取件通知/ });
    await row.getByText('审核中').waitFor();
    assert.equal(await row.getByText('station', { exact: true }).count(), 1);
    assert.deepEqual(await axeSerious(page), []);
    const listed = await t.api('/v1/templates');
    const tpl = listed.body.data.find((x: { name: string }) => x.name === '取件通知');
    assert.equal(tpl.status, 'pending');
    assert.deepEqual(tpl.variables, ['station', 'code']);
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  test('a recharge request with a PNG proof, confirmed by an operator, shows in the balance and the ledger', async () => {
    const { ctx, page, errors } = await tenantPage();
    const before = (await t.api('/v1/balance')).body.available.amount as string;
    const proof = join(dir, 'transfer.png');
    writeFileSync(proof, tinyPng());

    await page.goto(`${t.url}/billing`);
    await page.getByTestId('balance-available').waitFor();
    await settled(page);
    assert.deepEqual(await axeSerious(page), []);

    await page.goto(`${t.url}/billing?tab=recharge`);
    const form = page.locator('form#recharge');
    await form.getByLabel('充值金额').fill('500');
    await form.getByLabel('付款流水号').fill('ICBC-20261203-0001');
    await form.getByLabel('备注').fill('十二月预付款');
    await form.locator('input[type=file]').setInputFiles(proof);
    await form.getByText('transfer.png').waitFor();
    await form.getByRole('button', { name: /提\s*交/ }).click();
    const row = page.getByRole('row', { name: /ICBC-20261203-0001/ });
    await row.locator('[data-status=pending]').waitFor();
    assert.equal(await row.getByRole('link', { name: '下载凭证' }).count(), 1);
    await settled(page);
    assert.deepEqual(await axeSerious(page), []);

    // The operator confirms it through the API, with the demo operator's session.
    const cookie = await sessionCookie(t, operator);
    const pending = (await (
      await fetch(`${t.url}/v1/admin/recharge-requests?status=pending`, { headers: { cookie } })
    ).json()) as any;
    const request = pending.data.find(
      (x: { paymentReference: string }) => x.paymentReference === 'ICBC-20261203-0001',
    );
    assert.ok(request, 'the request is in the operator’s queue');
    const confirmed = await fetch(`${t.url}/v1/admin/recharge-requests/${request.id}/confirm`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(confirmed.status, 200);

    await page.reload();
    await row.locator('[data-status=confirmed]').waitFor();
    const expected = (Number(before) + 500).toLocaleString('zh-CN', {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
    await page.goto(`${t.url}/billing`);
    await page.getByTestId('balance-available').getByText(`¥${expected}`).waitFor();

    await page.goto(`${t.url}/billing?tab=ledger`);
    const entry = page.getByRole('row', { name: /ICBC-20261203-0001/ });
    await entry.getByText('充值').waitFor();
    await entry.getByText('+¥500.00').waitFor();
    await settled(page);
    assert.deepEqual(await axeSerious(page), []);
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  test('this month’s statement downloads as CSV and opens for printing; prices and contract show', async () => {
    const { ctx, page, errors } = await tenantPage();
    await page.goto(`${t.url}/billing?tab=statements`);
    const month = thisMonth();
    const actions = page.getByTestId(`statement-${month}`);
    await actions.waitFor();
    await settled(page);
    assert.deepEqual(await axeSerious(page), []);
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      actions.getByRole('button', { name: '下载 CSV' }).click(),
    ]);
    assert.match(dl.suggestedFilename(), new RegExp(`${month}\\.csv$`));
    const csv = readFileSync((await dl.path())!, 'utf8');
    assert.match(csv, /Demo/);
    assert.match(csv, new RegExp(month));
    assert.match(
      (await actions.getByRole('link', { name: /打\s*印/ }).getAttribute('href')) ?? '',
      new RegExp(`/v1/statements/${month}\\?format=html$`),
    );
    await actions.getByRole('button', { name: /查\s*看/ }).click();
    await page.getByTestId('statement-summary').getByText('期末余额').waitFor();

    for (const tab of ['prices', 'contract']) {
      await page.goto(`${t.url}/billing?tab=${tab}`);
      await page.getByRole('tab', { selected: true }).waitFor();
      await settled(page);
      assert.deepEqual(await axeSerious(page), [], tab);
    }
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  test('an opt-out CSV is imported, counted, listed and exported; inbound shows the reply addresses', async () => {
    const { ctx, page, errors } = await tenantPage();
    const file = join(dir, 'opt-outs.csv');
    writeFileSync(file, 'number\n13900139001\n139-0013-9002\n+86 139 0013 9003\n');
    await page.goto(`${t.url}/opt-outs`);
    await page.getByRole('heading', { name: '退订与授权' }).waitFor();
    await settled(page);
    assert.deepEqual(await axeSerious(page), []);
    await page.getByRole('button', { name: '导入 CSV' }).click();
    await page.getByTestId('optOuts-import').locator('input[type=file]').setInputFiles(file);
    await page.getByTestId('optOuts-count').getByText('共 3 个号码').waitFor();
    await page.getByRole('cell', { name: '+8613900139002' }).waitFor();

    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '导出 CSV' }).click(),
    ]);
    const exported = readFileSync((await dl.path())!, 'utf8');
    for (const n of ['+8613900139001', '+8613900139002', '+8613900139003'])
      assert.match(exported, new RegExp(`\\${n}`));

    await page.getByRole('tab', { name: '授权记录' }).click();
    await page.getByTestId('consents-count').waitFor();
    await settled(page);
    assert.deepEqual(await axeSerious(page), []);

    await page.goto(`${t.url}/inbound`);
    await page.getByTestId('inbound-settings').waitFor();
    await settled(page);
    assert.deepEqual(await axeSerious(page), []);
    assert.deepEqual(errors, []);
    await ctx.close();
  });
});

/** Log in through the API and return the session cookie. */
async function sessionCookie(
  t: TestPlatform,
  who: { email: string; password: string },
): Promise<string> {
  const res = await fetch(`${t.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: who.email, password: who.password }),
  });
  assert.equal(res.status, 200, `${who.email} logged in`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}
