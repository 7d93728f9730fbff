// `npm run bench:console-bundle`: how much JavaScript the console makes a browser load (issue 12:
// at most 500 KB gzip before the login page is usable, code-split per page). A real Chromium
// opens /login and then each main page; every script it fetches is counted at its gzip size.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { startPlatform } from '../src/platform.ts';
import { CONSOLE_DIST, ensureConsoleBuilt } from '../src/console/build.ts';
import { launchBrowser, logIn } from '../test/support/browser.ts';

const BUDGET = 500 * 1024;

export function gzipSizeOf(asset: string): number {
  const file = join(CONSOLE_DIST, 'assets', asset);
  return existsSync(`${file}.gz`)
    ? readFileSync(`${file}.gz`).length
    : gzipSync(readFileSync(file), { level: 9 }).length;
}

await ensureConsoleBuilt({ log: (l) => console.log(l) });
const config = loadConfig(
  {},
  {
    dataDir: mkdtempSync(join(tmpdir(), 'hongyan-bundle-')),
    logLevel: 'silent',
    http: { port: 0 },
    simulator: { port: 0 },
    smpp: { port: 0 },
    cmpp: { port: 0 },
  },
);
const platform = await startPlatform(config, createLogger('silent'));
const url = `http://127.0.0.1:${platform.httpPort}`;
const browser = await launchBrowser();
const page = await (await browser.context()).newPage();
const seen = new Set<string>();
let batch: string[] = [];
page.on('request', (r) => {
  const u = new URL(r.url());
  if (r.resourceType() === 'script' && u.pathname.startsWith('/assets/') && !seen.has(u.pathname)) {
    seen.add(u.pathname);
    batch.push(basename(u.pathname));
  }
});
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const take = () => {
  const files = batch;
  batch = [];
  return files.reduce((sum, f) => sum + gzipSizeOf(f), 0);
};

await page.goto(`${url}/login`);
await page.locator('#login_email').waitFor();
const beforeLogin = take();
console.log(
  `JavaScript before the login page is usable: ${kb(beforeLogin)} gzip (budget ${kb(BUDGET)}) ${beforeLogin <= BUDGET ? 'OK' : 'OVER'}`,
);

const dc = platform.demoConsole!;
await logIn(page, url, dc.tenant.email, dc.tenant.password!);
take();
console.log('\nLoaded on first visit (gzip), per page:');
for (const path of [
  '/',
  '/send',
  '/messages',
  '/monitor',
  '/billing',
  '/developer/keys',
  '/account',
]) {
  await page.goto(`${url}/login`).catch(() => undefined);
  await page.goto(`${url}${path}`);
  await page.waitForLoadState('load');
  await page.waitForTimeout(500);
  console.log(`  ${path.padEnd(18)} ${kb(take())}`);
}
const total = [...seen].reduce((s, p) => s + gzipSizeOf(basename(p)), 0);
console.log(`\nAll scripts loaded in this walk: ${kb(total)} gzip`);
await browser.close();
await platform.stop();
