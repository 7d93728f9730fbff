// The console's developer and account pages in a real Chromium against a real Hongyan (issue 12):
// an API key is shown once, works against the API and is refused once revoked; a webhook endpoint
// is added and tested against a real receiver; two-factor login is enrolled from the secret beside
// the QR code and then needed to log in; an invited viewer changes the temporary password and does
// not get the send page; repeated wrong passwords bring the server's lock-out message to the login
// form; and the main pages have no serious axe findings. SQLite: the pages are the same on either
// store, and the API tests cover PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { totpCode } from '../src/security/totp.ts';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFor, type TestPlatform } from './support/platform.ts';
import {
  axeSerious,
  launchBrowser,
  logIn,
  watchErrors,
  type ConsoleBrowser,
} from './support/browser.ts';

/** Ant Design puts a space between two Chinese characters on a button ("新 建"). */
const button = (name: string) => new RegExp(`^${[...name].join('\\s?')}$`);

describe('console developer and account pages', () => {
  let t: TestPlatform;
  let b: ConsoleBrowser;
  let owner: { email: string; password: string };
  let receiver: Server;
  const received: IncomingHttpHeaders[] = [];

  before(async () => {
    t = await startTestPlatform(databases[0]!, { demo: { consoleUsers: true } });
    const dc = t.platform.demoConsole!;
    owner = { email: dc.tenant.email, password: dc.tenant.password! };
    b = await launchBrowser();
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push(req.headers);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    await b?.close();
    await t?.stop();
    receiver?.close();
  });

  /** A session cookie for `who`, through the API (for set-up the console does not need to show). */
  async function cookieOf(who: { email: string; password: string }): Promise<string> {
    const r = await fetch(`${t.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(who),
    });
    assert.equal(r.status, 200, `log in ${who.email}`);
    return (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  }

  /** A user of the demo tenant added by the owner through the API, with a password of our own. */
  async function addUser(email: string, role: string, password?: string) {
    const cookie = await cookieOf(owner);
    const r = await fetch(`${t.url}/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ email, name: role === 'developer' ? '开发同事' : '测试同事', role }),
    });
    assert.equal(r.status, 201);
    const { temporaryPassword } = (await r.json()) as { temporaryPassword: string };
    if (!password) return { email, password: temporaryPassword };
    const own = await cookieOf({ email, password: temporaryPassword });
    const changed = await fetch(`${t.url}/v1/auth/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: own },
      body: JSON.stringify({ currentPassword: temporaryPassword, newPassword: password }),
    });
    assert.equal(changed.status, 204);
    return { email, password };
  }

  async function ownerPage(): Promise<{ page: Page; errors: string[] }> {
    const ctx = await b.context();
    const page = await ctx.newPage();
    const errors = watchErrors(page);
    await logIn(page, t.url, owner.email, owner.password);
    return { page, errors };
  }

  test('an API key is shown once, works against the API, and is refused once revoked', async () => {
    const { page, errors } = await ownerPage();
    await page.goto(`${t.url}/developer/keys`);
    await page.getByRole('heading', { name: 'API 密钥' }).waitFor();
    assert.deepEqual(await axeSerious(page), []);

    await page.getByTestId('create-key').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('名称').fill('订单系统');
    await dialog.getByRole('button', { name: button('新建') }).click();
    const shown = page.getByTestId('new-api-key');
    await shown.waitFor();
    const key = (await shown.innerText()).trim();
    assert.match(key, /^hy_live_/);
    assert.match(
      await page.getByRole('dialog', { name: 'API 密钥已创建' }).innerText(),
      /关闭此窗口后将无法再次查看/,
    );
    await page.getByTestId('secret-saved').click();
    await shown.waitFor({ state: 'detached' });

    // Never again: not in the page, not after a reload.
    const row = page.getByRole('row', { name: /订单系统/ });
    await row.waitFor();
    assert.ok(!(await page.content()).includes(key));
    await page.reload();
    await row.waitFor();
    assert.ok(!(await page.content()).includes(key));

    // It works against the API…
    const me = await t.api('/v1/me', { key });
    assert.equal(me.status, 200);
    assert.equal(me.body.kind, 'api_key');
    assert.equal(me.body.key.name, '订单系统');

    // …until it is revoked, after a confirmation.
    await page.getByTestId(`revoke-${me.body.key.id}`).click();
    await page
      .getByRole('tooltip')
      .getByRole('button', { name: button('撤销') })
      .click();
    await page.getByText('密钥已撤销').waitFor();
    await waitFor(
      async () => (await t.api('/v1/me', { key })).status === 401,
      5000,
      'revoked key refused',
    );
    // The list reloads after the revocation: revoked keys are hidden by default.
    await row.waitFor({ state: 'detached' });
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('a webhook endpoint is added (secret shown once) and a test event reaches it', async () => {
    const { page, errors } = await ownerPage();
    await page.goto(`${t.url}/developer/webhooks`);
    await page.getByRole('heading', { name: 'Webhook 回调' }).waitFor();
    assert.deepEqual(await axeSerious(page), []);

    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    await page.getByRole('button', { name: '添加回调地址' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('回调 URL').fill(url);
    await dialog.getByRole('button', { name: button('新建') }).click();
    const secret = page.getByTestId('webhook-secret');
    await secret.waitFor();
    assert.match(await secret.innerText(), /^whsec_/);
    await page.getByTestId('secret-saved').click();

    await page
      .getByRole('row', { name: /\/hooks/ })
      .getByRole('button', { name: '发送测试' })
      .click();
    await page.getByText(/测试事件已送达：HTTP 200/).waitFor();
    assert.ok(received.some((h) => typeof h['hongyan-signature'] === 'string'));

    // All deliveries: the test event is listed with its attempt.
    await page.getByRole('tab', { name: '投递记录' }).click();
    await page.getByRole('tabpanel').getByText('webhook.test').first().waitFor();
    assert.deepEqual(await axeSerious(page), []);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('an invited viewer changes the temporary password and gets no send page', async () => {
    const { page, errors } = await ownerPage();
    await page.goto(`${t.url}/account/users`);
    await page.getByRole('heading', { name: '成员与角色' }).waitFor();
    assert.deepEqual(await axeSerious(page), []);

    await page.getByRole('button', { name: '添加成员' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('邮箱').fill('viewer@example.com');
    await dialog.getByLabel('姓名').fill('只读同事');
    // The role is "viewer" unless changed.
    await dialog.getByRole('button', { name: button('新建') }).click();
    const temp = page.getByTestId('temp-password');
    await temp.waitFor();
    const temporaryPassword = (await temp.innerText()).trim();
    await page.getByTestId('secret-saved').click();
    await page
      .getByRole('row', { name: /viewer@example\.com/ })
      .getByText('只读', { exact: true })
      .waitFor();

    // The viewer, in a browser of their own.
    const ctx = await b.context();
    const vp = await ctx.newPage();
    const viewerErrors = watchErrors(vp);
    await logIn(vp, t.url, 'viewer@example.com', temporaryPassword);
    await vp.waitForURL(/\/password$/);
    await vp.locator('#change-password_currentPassword').fill(temporaryPassword);
    await vp.locator('#change-password_newPassword').fill('Kx7#moonLight-42');
    await vp.locator('#change-password_repeat').fill('Kx7#moonLight-42');
    await vp.locator('form#change-password button[type="submit"]').click();
    await vp.waitForURL((u) => u.pathname === '/');
    const nav = vp.getByRole('navigation');
    await nav.getByRole('link', { name: '发送记录' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: '发送短信' }).count(), 0);
    await vp.goto(`${t.url}/send`);
    await vp.getByText('您没有权限查看此页面').waitFor();
    assert.deepEqual(viewerErrors, []);
    await ctx.close();
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('two-factor login: enrolled from the secret beside the QR code, then needed to log in', async () => {
    const dev = await addUser('dev@example.com', 'developer', 'Tq9!riverStone-8');
    const ctx = await b.context();
    const page = await ctx.newPage();
    const errors = watchErrors(page);
    await logIn(page, t.url, dev.email, dev.password);
    await page.goto(`${t.url}/account`);
    await page.getByRole('heading', { name: '账号与安全' }).waitFor();
    await page.getByText('企业信息').waitFor();
    assert.deepEqual(await axeSerious(page), []);

    await page.getByRole('tab', { name: '两步验证' }).click();
    await page.getByRole('button', { name: '开启两步验证' }).click();
    await page.getByRole('img', { name: '两步验证二维码' }).waitFor();
    const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.deepEqual(await axeSerious(page), []);
    await page.getByLabel('验证码').fill(totpCode(secret, Date.now()));
    await page.getByRole('button', { name: '确认开启' }).click();
    await page.getByText('两步验证已开启').first().waitFor();

    await page.getByTestId('user-menu').hover();
    await page.getByText('退出登录').click();
    await page.waitForURL(/\/login$/);

    // The password alone is not enough: the form asks for the code.
    await page.locator('#login_email').fill(dev.email);
    await page.locator('#login_password').fill(dev.password);
    await page.locator('form#login button[type="submit"]').click();
    const code = page.locator('#login_totp');
    await code.waitFor();
    // The enrolment used this step's code, and a code is good once: the next step's is accepted
    // (RFC 6238 §5.2, one step of drift either side).
    await code.fill(totpCode(secret, Date.now() + 30_000));
    await page.locator('form#login button[type="submit"]').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    const me = (await page.evaluate(async () => (await fetch('/v1/me')).json())) as {
      user: { totpEnabled: boolean };
    };
    assert.equal(me.user.totpEnabled, true);
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  test('five wrong passwords: the login form shows the server’s lock-out message', async () => {
    const victim = await addUser('locked@example.com', 'sender');
    const ctx = await b.context();
    const page = await ctx.newPage();
    const errors = watchErrors(page);
    await page.goto(`${t.url}/login`);
    const problem = page.getByTestId('problem');
    for (let i = 0; i < 6; i++) {
      await page.locator('#login_email').fill(victim.email);
      await page.locator('#login_password').fill(`wrong-password-${i}`);
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/v1/auth/login')),
        page.locator('form#login button[type="submit"]').click(),
      ]);
      await problem.waitFor();
      if (i < 5) assert.equal(res.status(), 401, `try ${i + 1}`);
      else assert.equal(res.status(), 423, 'locked after five failures');
    }
    // As the server words it (docs/security.md "Lock-outs and throttling").
    await page.getByText(/该账号从您当前的地址登录失败次数过多/).waitFor();
    assert.equal(page.url(), `${t.url}/login`);
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  test('the audit log lists what happened, filtered by action; SMPP accounts page', async () => {
    const { page, errors } = await ownerPage();
    await page.goto(`${t.url}/account/audit`);
    await page.getByRole('heading', { name: '操作日志' }).waitFor();
    const table = page.locator('table');
    // Newest first: the lock-out of the test before is on the first page.
    await table.getByText('user.locked').first().waitFor();
    assert.deepEqual(await axeSerious(page), []);
    // More than a page of entries by now (20 a page): the next page is the server's.
    const [older] = await Promise.all([
      page.waitForResponse((r) => /\/v1\/audit\?.*before=/.test(r.url())),
      page.getByRole('button', { name: '下一页' }).click(),
    ]);
    assert.equal(older.status(), 200);
    await page.getByText('第 2 页').waitFor();
    await page.getByRole('button', { name: '第一页' }).click();
    await page.locator('#audit-action').click();
    await page.keyboard.type('撤销 API');
    await page.keyboard.press('Enter');
    await table.getByText('api_key.revoked').first().waitFor();
    await waitFor(
      async () => (await table.getByText('user.locked').count()) === 0,
      5000,
      'filtered to api_key.revoked',
    );

    await page.goto(`${t.url}/developer/smpp`);
    await page.getByRole('heading', { name: 'SMPP/CMPP 账号' }).waitFor();
    assert.deepEqual(await axeSerious(page), []);
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
