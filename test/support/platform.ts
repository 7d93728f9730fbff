// Start a whole platform in-process for end-to-end tests, on either database.
import { loadConfig, type Config, type DeepPartial } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startPlatform, type Platform, type PlatformOptions } from '../../src/platform.ts';
import type { TestDatabase } from './databases.ts';
import { spawn, type ChildProcess } from 'node:child_process';

export interface TestPlatform {
  platform: Platform;
  url: string;
  apiKey: string;
  /** fetch against the API with the demo key (or `key`). */
  api(
    path: string,
    init?: {
      method?: string;
      body?: unknown;
      key?: string | null;
      headers?: Record<string, string>;
      rawBody?: string;
    },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startTestPlatform(
  database: TestDatabase,
  overrides: DeepPartial<Config> = {},
  /** A clock the test moves (test/scheduler.test.ts), and how often the scheduler asks it. */
  options: PlatformOptions = {},
): Promise<TestPlatform> {
  const { store, databaseUrl, dataDir } = await database.open();
  await store.close();
  const config = loadConfig(
    {},
    {
      dataDir,
      databaseUrl,
      logLevel: (process.env.HONGYAN_TEST_LOG as Config['logLevel']) ?? 'silent',
      ...overrides,
      http: { port: 0, ...overrides.http },
      // The demo's console logins cost two password hashes: only the console's tests ask for them.
      demo: { consoleUsers: false, ...overrides.demo },
      simulator: { port: 0, receiptDelayMs: 20, ...overrides.simulator },
      smpp: { port: 0, ...overrides.smpp },
      cmpp: { port: 0, ...overrides.cmpp },
      dispatcher: { idleMs: 10, ...overrides.dispatcher },
      // Test receivers listen on loopback: allowed as an operator would (a test passes [] to see
      // the default, public-only policy).
      webhooks: { allowedTargets: ['127.0.0.1/32', '::1/128'], ...overrides.webhooks },
      // Marketing may go out at any hour in tests unless a test says otherwise.
      compliance: {
        ...overrides.compliance,
        sendingWindow: {
          utcOffsetMinutes: 480,
          startMinute: 0,
          endMinute: 1440,
          ...overrides.compliance?.sendingWindow,
        },
      },
    },
  );
  const platform = await startPlatform(config, createLogger(config.logLevel), options);
  const url = `http://127.0.0.1:${platform.httpPort}`;
  const apiKey = platform.demo?.apiKey ?? '';
  // Wait for the channels to bind.
  await waitFor(
    () => platform.channels.every((c) => c.state() === 'bound'),
    10_000,
    'channels bound',
  );
  return {
    platform,
    url,
    apiKey,
    async api(path, init = {}) {
      const key = init.key === undefined ? apiKey : init.key;
      const headers: Record<string, string> = { ...init.headers };
      if (key !== null) headers.authorization = `Bearer ${key}`;
      let body: string | undefined;
      if (init.rawBody !== undefined) body = init.rawBody;
      else if (init.body !== undefined) body = JSON.stringify(init.body);
      if (body !== undefined && !headers['content-type'])
        headers['content-type'] = 'application/json';
      const res = await fetch(url + path, {
        method: init.method ?? (body !== undefined ? 'POST' : 'GET'),
        headers,
        ...(body !== undefined ? { body } : {}),
      });
      const text = await res.text();
      const json = (res.headers.get('content-type') ?? '').includes('json');
      return {
        status: res.status,
        body: text ? (json ? JSON.parse(text) : text) : null,
        headers: res.headers,
      };
    },
    stop: () => platform.stop(),
  };
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

const FINAL = new Set(['delivered', 'undelivered', 'expired', 'rejected', 'failed', 'unknown']);

/** Poll GET /v1/messages/:id until the message is final. */
export async function waitFinal(t: TestPlatform, id: string, timeoutMs = 10_000): Promise<any> {
  let last: any;
  await waitFor(
    async () => {
      last = (await t.api(`/v1/messages/${id}`)).body;
      return FINAL.has(last?.status);
    },
    timeoutMs,
    `message ${id} to be final (last: ${last?.status})`,
  );
  return last;
}

/** `hongyan start` as a child process with `env`; resolves once its /health answers 200. */
export async function startHongyanProcess(
  env: Record<string, string>,
  timeoutMs = 90_000,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/hongyan.js', 'start'], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitFor(
    async () => {
      try {
        return (await fetch(`http://127.0.0.1:${env.HONGYAN_HTTP_PORT}/health`)).status === 200;
      } catch {
        return false;
      }
    },
    // Generous: the machine may be busy; this waits for a condition, it does not sleep.
    timeoutMs,
    'hongyan to be healthy',
  );
  return child;
}
