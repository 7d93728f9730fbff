// The console's frame in a real Chromium against a real Hongyan (issue 12): it is served at `/`
// with its security headers, logs in with the demo logins, shows each role only its pages, keeps
// the language switch per user, and the login page and the dashboard frame have no serious axe
// findings. Browser tests run on SQLite: the pages are the same on either store, and the API
// tests cover PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CONSOLE_DIST } from '../src/console/build.ts';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFor, type TestPlatform } from './support/platform.ts';
import {
  axeSerious,
  launchBrowser,
  logIn,
  watchErrors,
  type ConsoleBrowser,
} from './support/browser.ts';

describe('console shell', () => {
  let t: TestPlatform;
  let b: ConsoleBrowser;
  let tenant: { email: string; password: string };
  let operator: { email: string; password: string };

  before(async () => {
    t = await startTestPlatform(databases[0]!, { demo: { consoleUsers: true } });
    const dc = t.platform.demoConsole!;
    tenant = { email: dc.tenant.email, password: dc.tenant.password! };
    operator = { email: dc.operator.email, password: dc.operator.password! };
    b = await launchBrowser();
  });
  after(async () => {
    await b?.close();
    await t?.stop();
  });

  test('served at / with its security headers; deep links get the console, the API stays problem+json', async () => {
    const root = await fetch(`${t.url}/`);
    assert.equal(root.status, 200);
    assert.match(root.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal(root.headers.get('x-frame-options'), 'DENY');
    assert.match(await root.text(), /<div id="root">/);
    const deep = await fetch(`${t.url}/messages/msg_x`, { headers: { accept: 'text/html' } });
    assert.equal(deep.status, 200);
    const api = await fetch(`${t.url}/v1/nothing`, { headers: { accept: 'text/html' } });
    assert.equal(api.status, 404);
    assert.match(api.headers.get('content-type') ?? '', /problem\+json/);
  });

  test('the login page needs at most 500 KB of gzipped JavaScript (issue 12 budget)', async () => {
    const ctx = await b.context();
    const page = await ctx.newPage();
    const scripts = new Set<string>();
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.add(new URL(r.url()).pathname);
    });
    await page.goto(`${t.url}/login`);
    await page.locator('#login_email').waitFor();
    let gzip = 0;
    for (const path of scripts) {
      assert.match(path, /^\/assets\/[\w.-]+\.js$/, 'only the console’s own hashed scripts');
      gzip += gzipSync(readFileSync(join(CONSOLE_DIST, path))).length;
    }
    assert.ok(scripts.size > 0);
    assert.ok(gzip <= 500 * 1024, `${Math.round(gzip / 1024)} KB gzip before the login form`);
    // Pages are their own chunks: the dashboard's charts are not among them.
    assert.ok(![...scripts].some((p) => /Dashboard|echarts/i.test(p)));
    await ctx.close();
  });

  test('a tenant owner logs in to the tenant portal in Chinese, switches to English, and keeps it', async () => {
    const ctx = await b.context();
    const page = await ctx.newPage();
    const errors = watchErrors(page);
    await page.goto(`${t.url}/`);
    await page.waitForURL(/\/login$/);
    assert.deepEqual(await axeSerious(page), []);
    await logIn(page, t.url, tenant.email, tenant.password);
    const nav = page.getByRole('navigation');
    await nav.getByRole('link', { name: '发送记录' }).waitFor();
    // The operator's pages are not in a tenant's menu.
    assert.equal(await nav.getByRole('link', { name: '租户' }).count(), 0);
    assert.deepEqual(await axeSerious(page), []);

    await page.getByTestId('language-switch').getByText('English').click();
    await nav.getByRole('link', { name: 'Messages' }).waitFor();
    // Remembered on the account: a new browser (no local storage) opens in English after login.
    await waitForLocale(t, tenant, 'en');
    const other = await (await b.context()).newPage();
    await logIn(other, t.url, tenant.email, tenant.password);
    await other.getByRole('navigation').getByRole('link', { name: 'Messages' }).waitFor();
    await other.context().close();

    // An operator path is not a tenant's page.
    await page.goto(`${t.url}/admin/tenants`);
    await page.getByText('Page not found').waitFor();
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  test('an operator admin lands on the operator portal and sees no tenant pages', async () => {
    const ctx = await b.context();
    const page = await ctx.newPage();
    const errors = watchErrors(page);
    await logIn(page, t.url, operator.email, operator.password);
    await page.waitForURL(/\/admin$/);
    const nav = page.getByRole('navigation');
    await nav.getByRole('link', { name: '租户' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: '发送短信' }).count(), 0);
    await page.getByTestId('user-menu').hover();
    await page.getByText('退出登录').click();
    await page.waitForURL(/\/login$/);
    assert.deepEqual(errors, []);
    await ctx.close();
  });
});

/** Wait until the user's saved console language (read back through the API as the user) is `locale`. */
async function waitForLocale(
  t: TestPlatform,
  who: { email: string; password: string },
  locale: string,
) {
  const login = await fetch(`${t.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: who.email, password: who.password }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  await waitFor(
    async () =>
      ((await (await fetch(`${t.url}/v1/me`, { headers: { cookie } })).json()) as any).user
        .locale === locale,
    10_000,
    `console language ${locale} saved`,
  );
}
