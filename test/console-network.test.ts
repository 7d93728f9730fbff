// The operator portal's network and system pages in a real Chromium against a real Hongyan with
// the simulator (issue 12): the overview shows the simulator's channel bound and the periodic jobs;
// the channels page disables and enables 'sim', refuses a bad option on the field the server names,
// and an outage (the channel pointed at a closed port) shows on the incidents page and in its CSV;
// the route tester answers for a Chinese mobile number; a content rule and a blocked number are
// added and listed. No serious axe findings on any of the five pages. SQLite: the pages are the same
// on either store (test/admin-overview.test.ts covers the new API routes on both).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
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

/** A loopback port nothing listens on (taken, then let go). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** axe's serious findings with the pointer off the page: a hovered button is lighter, and the
 * pointer stays where the test last clicked. */
async function axe(page: Page) {
  await page.mouse.move(0, 0);
  return axeSerious(page);
}

// Ant Design spaces out two-character Chinese button labels ("停 用").
const label = (text: string) => new RegExp(`^${[...text].join('\\s*')}$`);

describe('console: operator network and system pages', () => {
  let t: TestPlatform;
  let b: ConsoleBrowser;
  let page: Page;
  let errors: string[];

  before(async () => {
    t = await startTestPlatform(databases[0]!, { demo: { consoleUsers: true } });
    const op = t.platform.demoConsole!.operator;
    b = await launchBrowser();
    page = await (await b.context()).newPage();
    errors = watchErrors(page);
    await logIn(page, t.url, op.email, op.password!);
    await page.waitForURL(/\/admin$/);
  });
  after(async () => {
    await b?.close();
    await t?.stop();
  });

  test('the overview shows the platform, its health, the simulator channel bound and the jobs', async () => {
    await page.getByRole('heading', { name: '系统概况' }).waitFor();
    const health = page.getByTestId('overview-health');
    await health.getByText('通道 sim').waitFor();
    await health.getByRole('row', { name: /通道 sim.*已连接/ }).waitFor();
    await health.getByRole('row', { name: /数据库.*正常/ }).waitFor();
    const channels = page.getByTestId('overview-channels');
    await channels.getByRole('row', { name: /sim.*已连接/ }).waitFor();
    const jobs = page.getByTestId('overview-jobs');
    await jobs.getByRole('row', { name: /短信状态巡检/ }).waitFor();
    await page.getByTestId('overview-today').getByText('今日受理').waitFor();
    assert.deepEqual(await axe(page), []);
    assert.deepEqual(errors, []);
  });

  test("channels: 'sim' is bound; disabled and enabled again with a confirmation; a bad option is marked on its field", async () => {
    await page.getByRole('navigation').getByRole('link', { name: '通道', exact: true }).click();
    await page.getByRole('heading', { name: '通道管理' }).waitFor();
    const state = page.getByTestId('state-sim');
    await state.filter({ hasText: '已连接' }).waitFor();
    assert.deepEqual(await axe(page), []);

    const table = page.getByTestId('channels');
    await table.getByRole('button', { name: label('停用') }).click();
    await page.getByRole('button', { name: label('确认停用') }).click();
    await state.filter({ hasText: '已停用' }).waitFor();
    await table.getByRole('button', { name: label('启用') }).click();
    await page.getByRole('button', { name: label('确认启用') }).click();
    await state.filter({ hasText: '已连接' }).waitFor({ timeout: 15_000 });

    // The server's validation, shown on the field it names.
    await table.getByRole('button', { name: label('编辑') }).click();
    const form = page.getByTestId('channel-form');
    await form.getByLabel('接入号（源号码）').fill('10690#1');
    await page.getByRole('button', { name: label('保存') }).click();
    await form.getByText('sourceAddr must be up to 21 letters or digits').first().waitFor();
    await page.getByRole('button', { name: label('取消') }).click();
    assert.deepEqual(errors, []);
  });

  test('an outage: the channel pointed at a closed port goes down, the incident is listed and exported, and it binds again', async () => {
    const port = await closedPort();
    const table = page.getByTestId('channels');
    const state = page.getByTestId('state-sim');
    const setPort = async (p: number) => {
      await table.getByRole('button', { name: label('编辑') }).click();
      const form = page.getByTestId('channel-form');
      await form.getByLabel('端口').fill(String(p));
      await page.getByRole('button', { name: label('保存') }).click();
      await form.waitFor({ state: 'hidden' });
    };
    await setPort(port);
    await state.filter({ hasText: '已断开' }).waitFor({ timeout: 15_000 });

    await page.getByRole('navigation').getByRole('link', { name: '通道故障' }).click();
    await page.getByRole('heading', { name: '通道故障' }).waitFor();
    const incidents = page.getByTestId('incidents');
    await incidents.getByRole('row', { name: /sim.*连接中断.*未恢复/ }).waitFor();
    assert.deepEqual(await axe(page), []);
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('incidents-export').click(),
    ]);
    const csv = readFileSync((await dl.path())!, 'utf8');
    assert.match(csv, /^id,channel,kind,started_at,ended_at,seconds,detail\n/);
    assert.match(csv, /\ninc_[0-9A-Z]+,sim,bind_lost,/);

    // Back on the simulator: bound again, and the incident has its end and duration.
    await page.goto(`${t.url}/admin/channels`);
    await setPort(0);
    await state.filter({ hasText: '已连接' }).waitFor({ timeout: 20_000 });
    await page.goto(`${t.url}/admin/incidents?channel=sim`);
    await page
      .getByTestId('incidents')
      .getByRole('row', { name: /sim.*连接中断/ })
      .waitFor();
    await waitFor(
      async () => {
        await page.getByRole('button', { name: label('刷新') }).click();
        await page
          .getByTestId('incidents')
          .getByRole('row', { name: /sim.*连接中断/ })
          .first()
          .waitFor();
        return (await page.getByTestId('incidents').getByText('未恢复').count()) === 0;
      },
      15_000,
      'the incident to end',
    );
    assert.deepEqual(errors, []);
  });

  test('the route tester answers which channel a Chinese mobile number takes, and why', async () => {
    await page.getByRole('navigation').getByRole('link', { name: '路由' }).click();
    await page.getByRole('heading', { name: '路由配置' }).waitFor();
    const tester = page.getByTestId('route-tester');
    // The button by test id: while antd's loading icon animates out its accessible name is
    // "loading 测试", and on a loaded machine that animation can outlast a click's wait.
    const run = async (to: string) => {
      await tester.getByLabel('手机号码').fill(to);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/v1/admin/routes/test')),
        tester.getByTestId('route-test-run').click(),
      ]);
      return answer.status();
    };
    assert.equal(await run('138 0013 8000'), 200);
    const decision = page.getByTestId('route-decision');
    await decision.getByText('将走通道 sim').waitFor();
    await decision.getByText('判定过程').waitFor();
    assert.deepEqual(await axe(page), []);
    // A bad number is refused on the field.
    assert.equal(await run('12'), 422);
    await tester.getByTestId('problem').waitFor();
    await decision.waitFor({ state: 'detached' });
    assert.deepEqual(errors, []);
  });

  test('a content rule and a blocked number are added and listed', async () => {
    await page.getByRole('navigation').getByRole('link', { name: '内容规则与黑名单' }).click();
    await page.getByRole('heading', { name: '内容规则与黑名单' }).waitFor();
    await page.getByRole('button', { name: '新增规则' }).click();
    const dialog = page.getByRole('dialog', { name: '新增内容规则' });
    await dialog.getByLabel('敏感词').fill('刷单返利');
    await dialog.getByRole('button', { name: label('保存') }).click();
    await page
      .getByTestId('content-rules')
      .getByRole('row', { name: /刷单返利.*诈骗.*直接拦截/ })
      .waitFor();
    assert.deepEqual(await axe(page), []);

    await page.getByRole('tab', { name: '黑名单' }).click();
    await page.locator('#blockNumber_number').fill('139 0000 1234');
    await page.locator('#blockNumber_reason').fill('用户投诉');
    await page.getByRole('button', { name: '加入黑名单' }).click();
    const list = page.getByTestId('block-list');
    await list.getByRole('row', { name: /\+8613900001234.*用户投诉/ }).waitFor();
    await page.getByLabel('按号码搜索').fill('1234');
    await page.getByLabel('按号码搜索').press('Enter');
    await list.getByRole('row', { name: /\+8613900001234/ }).waitFor();
    assert.deepEqual(await axe(page), []);
    // Both are in force: the API refuses the number for a tenant.
    const sent = await t.api('/v1/messages', { body: { to: ['13900001234'], text: '【鸿雁】hi' } });
    assert.equal(sent.body.rejected?.[0]?.code, 'recipient_blocked', JSON.stringify(sent.body));
    assert.deepEqual(errors, []);
  });
});
