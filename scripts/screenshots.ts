// `npm run screenshots`: the console's main pages in both languages, saved under
// docs/screenshots/ (the README shows them). It starts a whole Hongyan in-process on a temporary
// SQLite file with the built-in simulator, sends some traffic, and photographs each page in a real
// Chromium (test/support/browser.ts finds one).
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { startPlatform } from '../src/platform.ts';
import { ensureConsoleBuilt } from '../src/console/build.ts';
import { launchBrowser, logIn } from '../test/support/browser.ts';
import type { Page } from 'playwright-core';

const OUT = join(import.meta.dirname, '..', 'docs', 'screenshots');
const TENANT_PAGES = [
  ['dashboard', '/'],
  ['send', '/send'],
  ['messages', '/messages'],
  ['monitor', '/monitor'],
  ['billing', '/billing'],
  ['api-keys', '/developer/keys'],
] as const;
const OPERATOR_PAGES = [
  ['operator-overview', '/admin'],
  ['operator-tenants', '/admin/tenants'],
  ['operator-reviews', '/admin/reviews'],
  ['operator-channels', '/admin/channels'],
] as const;

await ensureConsoleBuilt({ log: (l) => console.log(l) });
mkdirSync(OUT, { recursive: true });
const config = loadConfig(
  {},
  {
    dataDir: mkdtempSync(join(tmpdir(), 'hongyan-shots-')),
    logLevel: 'silent',
    http: { port: 0 },
    simulator: { port: 0, receiptDelayMs: 50 },
    smpp: { port: 0 },
    cmpp: { port: 0 },
  },
);
const platform = await startPlatform(config, createLogger('silent'));
const url = `http://127.0.0.1:${platform.httpPort}`;
const key = platform.demo!.apiKey!;
// Some traffic, so the pages have something to show: codes, a notice, a bad number.
const send = (body: unknown) =>
  fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
for (let i = 0; i < 12; i++)
  await send({
    to: `1380013${String(8000 + i)}`,
    text: `【鸿雁】您的验证码是 ${100000 + i * 7919}，5 分钟内有效。`,
    class: 'verification',
  });
await send({ to: ['13900139000', '13700137000'], text: '【鸿雁】您的订单已发货，请注意查收。' });
await new Promise((r) => setTimeout(r, 1500));

const dc = platform.demoConsole!;
const browser = await launchBrowser();
async function settle(page: Page) {
  await page
    .waitForFunction(
      // A function, not a string: the console's CSP (no 'unsafe-eval') refuses string predicates.
      () => !(globalThis as any).document.querySelector('[aria-busy="true"], .ant-spin-spinning'),
      undefined,
      { timeout: 15_000 },
    )
    .catch(() => undefined);
  await page.waitForTimeout(800);
}
for (const lang of ['zh-CN', 'en'] as const) {
  for (const [who, login, pages] of [
    ['tenant', dc.tenant, TENANT_PAGES],
    ['operator', dc.operator, OPERATOR_PAGES],
  ] as const) {
    const ctx = await browser.context({ locale: lang });
    const page = await ctx.newPage();
    await page.goto(`${url}/login`);
    await page.evaluate(`localStorage.setItem('hongyan.lang', '${lang}')`);
    await logIn(page, url, login.email, login.password!);
    // The language is the user's: save it on the account too, as the switch does.
    await page.evaluate(
      (l) =>
        fetch('/v1/me/locale', {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ locale: l }),
        }),
      lang,
    );
    for (const [name, path] of pages) {
      await page.goto(`${url}${path}`);
      await settle(page);
      const file = join(OUT, `${lang}-${name}.png`);
      await page.screenshot({ path: file });
      console.log(`${who.padEnd(8)} ${file}`);
    }
    await ctx.close();
  }
}
await browser.close();
await platform.stop();
