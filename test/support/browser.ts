// A real Chromium for the console's tests, found or provided as PostgreSQL is: HONGYAN_CHROMIUM,
// else the system's (Debian's `chromium`, which .ci/run installs with a CJK font), else the one
// shipped inside the @sparticuz/chromium npm package. Never skipped.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const SYSTEM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

// No background traffic: this machine has no internet, and Chromium's own calls home only slow it.
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--no-first-run',
  '--no-default-browser-check',
];

async function findChromium(): Promise<{ executablePath: string; args: string[] }> {
  const fromEnv = process.env.HONGYAN_CHROMIUM;
  if (fromEnv) return { executablePath: fromEnv, args: FLAGS };
  const system = SYSTEM.find((p) => existsSync(p));
  if (system) return { executablePath: system, args: FLAGS };
  const sparticuz = (await import('@sparticuz/chromium')).default;
  return {
    executablePath: await sparticuz.executablePath(),
    args: [...new Set([...sparticuz.args, ...FLAGS])],
  };
}

export interface ConsoleBrowser {
  browser: Browser;
  /** A fresh context (its own cookies and storage), Chinese by default like a user in China. */
  context(opts?: { locale?: string }): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<ConsoleBrowser> {
  const { executablePath, args } = await findChromium();
  // Playwright gives each launch its own empty profile.
  const browser = await chromium.launch({ executablePath, args, headless: true });
  return {
    browser,
    context: (opts = {}) =>
      browser.newContext({
        locale: opts.locale ?? 'zh-CN',
        acceptDownloads: true,
        viewport: { width: 1366, height: 860 },
      }),
    close: () => browser.close(),
  };
}

/** Log in through the console's own form; resolves on the first page after login. */
export async function logIn(
  page: Page,
  baseUrl: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.locator('#login_email').fill(email);
  await page.locator('#login_password').fill(password);
  await page.locator('form[id="login"] button[type="submit"]').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/** Fail a test on any uncaught error in the page or a console error (a broken page must not pass). */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // An API refusal the page handles (401 before login, a 422 it shows) is logged by Chromium as
    // "Failed to load resource"; anything else logged as an error is a bug.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      errors.push(`console: ${m.text()}`);
  });
  return errors;
}

export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core's findings of serious or critical impact on the page as it is now (WCAG 2.x A/AA
 * rules). The console's tests assert this list is empty on every main page.
 */
export async function axeSerious(page: Page): Promise<AxeFinding[]> {
  const { createRequire } = await import('node:module');
  const { readFileSync } = await import('node:fs');
  const source = readFileSync(
    createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
    'utf8',
  );
  // Through the debugger protocol: the console's CSP (script-src 'self') rightly refuses inline scripts.
  await page.evaluate(source);
  const results = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<any> } }
    ).axe;
    const r = await axe.run((globalThis as any).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return r.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n: any) => String(n.target)),
    }));
  });
  return (results as AxeFinding[]).filter((f) => f.impact === 'serious' || f.impact === 'critical');
}
