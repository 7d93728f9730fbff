import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config.ts';
import { tempDir } from './support/databases.ts';

test('defaults work on a laptop: SQLite in ./data, all roles, one channel to the simulator', () => {
  const c = loadConfig({});
  assert.equal(c.http.port, 8080);
  assert.equal(c.http.host, '127.0.0.1');
  assert.equal(c.databaseUrl, null);
  assert.equal(c.dataDir, './data');
  assert.equal(c.defaultRegion, 'CN');
  assert.deepEqual(c.roles, ['api', 'dispatcher', 'worker', 'simulator']);
  assert.equal(c.channels.length, 1);
  assert.deepEqual(
    [c.channels[0]!.kind, c.channels[0]!.port, c.channels[0]!.use],
    ['simulator', 0, 'both'],
    'the built-in simulator, wherever it listens, for live and test traffic',
  );
});

test('environment overrides the file, the file overrides the defaults', () => {
  const dir = tempDir();
  const file = join(dir, 'hongyan.json');
  writeFileSync(
    file,
    JSON.stringify({
      http: { port: 9000 },
      defaultRegion: 'GB',
      channels: [{ id: 'a', port: 2775, window: 10 }],
    }),
  );
  const c = loadConfig({
    HONGYAN_CONFIG: file,
    HONGYAN_HTTP_PORT: '9100',
    HONGYAN_SIMULATOR_PORT: '3000',
    HONGYAN_ROLES: 'api,dispatcher',
    DATABASE_URL: 'postgres://u@h/db',
  });
  assert.equal(c.http.port, 9100);
  assert.equal(c.defaultRegion, 'GB');
  assert.equal(c.simulator.port, 3000);
  assert.deepEqual(c.roles, ['api', 'dispatcher']);
  assert.equal(c.databaseUrl, 'postgres://u@h/db');
  assert.equal(c.channels[0]!.id, 'a');
  assert.equal(c.channels[0]!.window, 10);
  assert.equal(c.channels[0]!.throughput, 20000, 'unset channel options take the defaults');
});

test('bad configuration stops the start with a message that names the option', () => {
  const dir = tempDir();
  const cases: Array<[Record<string, string>, object | null, RegExp]> = [
    [{ HONGYAN_HTTP_PORT: 'eighty' }, null, /HONGYAN_HTTP_PORT must be a whole number/],
    [{ HONGYAN_HTTP_PORT: '70000' }, null, /http.port must be a port number/],
    [{ DATABASE_URL: 'mysql://x' }, null, /DATABASE_URL must be a postgres/],
    [{ HONGYAN_ROLES: 'api,cook' }, null, /unknown role "cook"/],
    [{ HONGYAN_DEFAULT_REGION: 'China' }, null, /defaultRegion/],
    [{}, { htpp: { port: 1 } }, /unknown option "htpp"/],
    [{}, { http: { prot: 1 } }, /unknown option "http.prot"/],
    [{}, { channels: [{ id: 'a', pasword: 'x' }] }, /channel a: unknown channel option "pasword"/],
    [
      {},
      {
        channels: [
          { id: 'a', port: 1 },
          { id: 'a', port: 2 },
        ],
      },
      /appears twice/,
    ],
    [{}, { channels: [{ id: 'a', port: 1, password: 'ninechars' }] }, /8 characters/],
    [{}, { channels: [{ id: 'a', kind: 'x25' }] }, /channel a: kind "x25" is not smpp, cmpp/],
    [{}, { channels: [{ id: 'a', kind: 'cmpp', port: 0 }] }, /channel a: port must be/],
    [
      {},
      { channels: [{ id: 'a', kind: 'cmpp', port: 7890, version: 4 }] },
      /version must be 2 or 3/,
    ],
    [
      {},
      { channels: [{ id: 'a', port: 1, categoryRules: [{ stat: 'X' }] }] },
      /categoryRules\[0\]/,
    ],
  ];
  cases.forEach(([env, file, message], i) => {
    const e = { ...env };
    if (file) {
      const path = join(dir, `c${i}.json`);
      writeFileSync(path, JSON.stringify(file));
      e.HONGYAN_CONFIG = path;
    }
    assert.throws(
      () => loadConfig(e),
      (err: unknown) => err instanceof ConfigError && message.test(err.message),
      String(message),
    );
  });
  assert.throws(() => loadConfig({ HONGYAN_CONFIG: join(dir, 'missing.json') }), ConfigError);
});
