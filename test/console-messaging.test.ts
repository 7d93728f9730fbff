// The console's messaging pages in a real Chromium against a real Hongyan with the simulator
// (issue 12): the send form's part counter runs the server's splitter (GSM-7 → UCS-2 when a
// Chinese character is typed), pasted numbers are checked and deduplicated, the estimate is
// confirmed and each recipient's result shown; the live monitor shows a message turn `delivered`
// as its receipt arrives (and holds events while paused); the message log filters, opens a
// message's timeline and exports CSV and XLSX; the dashboard counts today's messages. Runs on
// SQLite, as the other browser tests do: the API tests cover PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFinal, waitFor, type TestPlatform } from './support/platform.ts';
import {
  axeSerious,
  launchBrowser,
  logIn,
  watchErrors,
  type ConsoleBrowser,
} from './support/browser.ts';

describe('console messaging', () => {
  let t: TestPlatform;
  let b: ConsoleBrowser;
  let page: Page;
  let errors: string[];
  /** Sent from the console to +8613812345678 (the first recipient). */
  let sentId = '';

  before(async () => {
    t = await startTestPlatform(databases[0]!, { demo: { consoleUsers: true } });
    const dc = t.platform.demoConsole!;
    b = await launchBrowser();
    const ctx = await b.context();
    page = await ctx.newPage();
    errors = watchErrors(page);
    await logIn(page, t.url, dc.tenant.email, dc.tenant.password!);
  });
  after(async () => {
    await b?.close();
    await t?.stop();
  });

  const text = (testId: string) => page.getByTestId(testId).first().innerText();
  async function waitText(testId: string, expected: string | RegExp) {
    const el = page.getByTestId(testId).first();
    await el.waitFor();
    await waitFor(
      async () => {
        const got = ((await el.textContent()) ?? '').trim();
        return typeof expected === 'string' ? got === expected : expected.test(got);
      },
      10_000,
      `${testId} shows ${String(expected)}`,
    );
  }

  test('send: part counter, pasted numbers checked, estimate, confirm, result per recipient', async () => {
    await page.goto(`${t.url}/send`);
    await page.getByRole('heading', { name: '发送短信' }).waitFor();

    // A number abroad gets the text as written: ASCII is GSM-7 (160 per part).
    await page.locator('#send_recipients').fill('+14155550123');
    await waitText('count-valid', '1');
    await page.locator('#send_text').fill('Hello world');
    await waitText('encoding', 'GSM-7');
    assert.equal(await text('parts'), '1');
    assert.equal(await text('remaining'), '149');
    await page.locator('#send_text').fill('a'.repeat(161));
    await waitText('parts', '2');
    // One Chinese character: UCS-2, 70 per single part, 67 once split.
    await page.locator('#send_text').fill('Hello world你');
    await waitText('encoding', 'UCS-2');
    assert.equal(await text('parts'), '1');
    assert.equal(await text('remaining'), '58');

    // Mainland numbers: one invalid, one written twice; the default signature 【鸿雁】 goes in front.
    await page
      .locator('#send_recipients')
      .fill('13812345678\n13912345678, 12345\n+86 138-1234-5678');
    await waitText('count-valid', '2');
    assert.equal(await text('count-duplicates'), '1');
    assert.equal(await text('count-invalid'), '1');
    assert.match(await text('invalid-numbers'), /12345/);
    assert.match(await text('duplicate-numbers'), /\+86 138-1234-5678/);
    await page.locator('#send_text').fill('Your order has shipped');
    await waitText('final-text', '【鸿雁】Your order has shipped');
    assert.equal(await text('encoding'), 'UCS-2');
    assert.deepEqual(await axeSerious(page), []);

    await page.getByRole('button', { name: /计算费用/ }).click();
    await page.getByTestId('estimate').waitFor();
    assert.equal(await text('estimate-valid'), '2');
    assert.equal(await text('estimate-duplicates'), '1');
    assert.equal(await text('estimate-invalid'), '1');
    assert.equal(await text('estimate-text'), '【鸿雁】Your order has shipped');
    assert.equal(await text('estimate-parts'), '1');

    await page.getByRole('button', { name: /确认发送/ }).click();
    const result = page.getByTestId('send-result');
    await result.waitFor();
    const links = result.locator('a[href^="/messages/msg_"]');
    assert.equal(await links.count(), 2);
    sentId = (await links.first().innerText()).trim();
    const rows = await result.locator('tbody tr').allInnerTexts();
    assert.ok(rows.some((r) => r.includes('+8613812345678') && r.includes(sentId)));
    assert.ok(rows.some((r) => r.includes('12345') && r.includes('invalid_number')));
    assert.ok(rows.some((r) => r.includes('duplicate_recipient')));
    assert.deepEqual(errors, []);
  });

  test('monitor: a message turns delivered live; pause buffers, resume shows', async () => {
    await page.goto(`${t.url}/monitor`);
    await page.getByRole('heading', { name: '实时监控' }).waitFor();
    await page.locator('[data-testid="stream-state"][data-state="open"]').waitFor();
    assert.deepEqual(await axeSerious(page), []);

    const send = async (to: string) => {
      const r = await t.api('/v1/messages', { body: { to, text: '【鸿雁】monitor' } });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      return r.body.messages[0].id as string;
    };
    const live = await send('+8613712345678');
    await page
      .locator(`[data-testid="monitor-row"][data-message-id="${live}"][data-status="delivered"]`)
      .waitFor();
    await page
      .locator(`[data-testid="monitor-row"][data-message-id="${live}"][data-status="submitted"]`)
      .waitFor();
    assert.notEqual(
      (await page.getByTestId('count-delivered').innerText()).replace(/\D/g, ''),
      '0',
    );

    // Paused: the list stands still and counts what it holds back.
    await page.getByTestId('pause').click();
    const held = await send('+8613612345678');
    await waitFinal(t, held);
    await waitText('buffered', /[1-9]/);
    assert.equal(await page.locator(`[data-message-id="${held}"]`).count(), 0);
    await page.getByTestId('pause').click();
    await page
      .locator(`[data-testid="monitor-row"][data-message-id="${held}"][data-status="delivered"]`)
      .waitFor();

    // The number filter keeps only that number's rows.
    await page.getByRole('textbox', { name: '号码包含' }).fill('13612345678');
    await waitFor(
      async () =>
        (await page.getByTestId('monitor-row').allInnerTexts()).every((r) =>
          r.includes('13612345678'),
        ),
      10_000,
      'only the filtered number shown',
    );
    assert.ok((await page.getByTestId('monitor-row').count()) > 0);
    assert.deepEqual(errors, []);
  });

  test('messages: filter, text on request, detail with its timeline, CSV and XLSX export', async () => {
    await waitFinal(t, sentId);
    await page.goto(`${t.url}/messages`);
    await page.getByRole('heading', { name: '发送记录' }).waitFor();
    await page.locator('#message-filters_to').fill('13812345678');
    await page.getByRole('button', { name: /搜\s*索/ }).click();
    await page.waitForURL(/to=13812345678/);
    const row = page.locator(`tr[data-row-key="${sentId}"]`);
    await row.waitFor();
    await waitFor(
      async () => (await page.locator('tbody tr[data-row-key^="msg_"]').count()) === 1,
      10_000,
      'one message in the filtered list',
    );
    assert.match(await row.innerText(), /发送成功/);
    assert.deepEqual(await axeSerious(page), []);

    await page.getByTestId('show-text').click();
    await waitFor(
      async () => (await row.innerText()).includes('【鸿雁】Your order has shipped'),
      10_000,
      'the text shown in the row',
    );

    // The export carries the same filter: this message only.
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-csv').click(),
    ]);
    const lines = (await readFile((await csv.path())!, 'utf8'))
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    assert.equal(lines.length, 2, lines.join('\n'));
    // The number is neutralised for spreadsheets ('+86…), as the export does for a leading +.
    assert.ok(lines[1]!.includes(sentId) && lines[1]!.includes('8613812345678'), lines[1]);
    assert.ok(lines[1]!.includes('delivered'));
    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-xlsx').click(),
    ]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await xlsx.path())!);
    const sheet = wb.worksheets[0]!;
    assert.equal(sheet.rowCount, 2);
    const cells = (sheet.getRow(2).values as unknown[]).map(String);
    assert.ok(
      cells.includes(sentId) && cells.some((c) => c.endsWith('8613812345678')),
      cells.join(','),
    );

    await row.locator(`a[href="/messages/${sentId}"]`).click();
    await page.waitForURL(new RegExp(`/messages/${sentId}$`));
    await page.getByTestId('timeline').waitFor();
    const events = page.getByTestId('timeline-event');
    assert.equal(await events.first().getAttribute('data-type'), 'accepted');
    await page.locator('[data-testid="timeline-event"][data-type="receipt"]').first().waitFor();
    await page.locator('[data-testid="timeline-event"][data-status="delivered"]').first().waitFor();
    assert.equal(await text('message-text'), '【鸿雁】Your order has shipped');
    assert.deepEqual(errors, []);
  });

  test("dashboard: today's counts after sending, receipts per minute", async () => {
    await page.goto(`${t.url}/`);
    await page.getByRole('heading', { name: '概览' }).waitFor();
    await page.getByTestId('today').waitFor();
    const accepted = Number((await text('today-accepted')).replace(/\D/g, ''));
    assert.ok(accepted >= 4, `accepted today: ${accepted}`);
    assert.ok(Number((await text('today-delivered')).replace(/\D/g, '')) >= 4);
    await page.getByTestId('receipt-chart').waitFor();
    const delivered = Number(
      await page.getByTestId('receipt-chart').getAttribute('data-delivered'),
    );
    assert.ok(delivered >= 4, `chart delivered: ${delivered}`);
    assert.deepEqual(await axeSerious(page), []);
    assert.deepEqual(errors, []);
  });
});
