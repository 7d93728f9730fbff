// `hongyan start` prints the demo tenant's secrets on the start that creates them and never again:
// later starts (whose output ends up in journals and container logs) say where the files are.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './support/databases.ts';
import { freePort } from './support/embedded-postgres.ts';
import { waitFor } from './support/platform.ts';

describe('hongyan start output', () => {
  const dataDir = tempDir();
  let child: ChildProcess | null = null;
  after(() => {
    child?.kill('SIGKILL');
  });

  async function startAndRead(): Promise<string> {
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      HONGYAN_DATA_DIR: dataDir,
      HONGYAN_HTTP_PORT: String(await freePort()),
      HONGYAN_SMPP_PORT: String(await freePort()),
      HONGYAN_CMPP_PORT: String(await freePort()),
      HONGYAN_SIMULATOR_PORT: String(await freePort()),
      HONGYAN_LOG_LEVEL: 'error',
    };
    delete env.DATABASE_URL;
    let out = '';
    const proc = spawn(process.execPath, ['bin/hongyan.js', 'start'], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = proc;
    proc.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    // The banner is written in one piece once everything listens.
    await waitFor(() => out.includes('Demo SMPP'), 60_000, 'the start banner');
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await exited;
    child = null;
    return out;
  }

  it('shows the key, the SMPP password and the console logins on the first start only', async () => {
    const first = await startAndRead();
    const key = readFileSync(join(dataDir, 'demo-api-key.txt'), 'utf8').trim();
    const smpp = JSON.parse(readFileSync(join(dataDir, 'demo-smpp.json'), 'utf8')) as {
      password: string;
    };
    assert.match(key, /^hy_live_/);
    assert.ok(first.includes(key), 'the first start prints the new key');
    assert.ok(first.includes(`password ${smpp.password}`), 'the first start prints the password');
    const logins = JSON.parse(readFileSync(join(dataDir, 'demo-console.json'), 'utf8')) as Record<
      string,
      string
    >;
    assert.deepEqual(Object.keys(logins).sort(), ['admin@hongyan.local', 'demo@hongyan.local']);
    for (const [email, password] of Object.entries(logins))
      assert.ok(
        first.includes(`${email} / ${password}`),
        `the first start prints ${email}'s password`,
      );
    assert.match(first, /Web console {3}http:\/\/127\.0\.0\.1:\d+\//);

    const second = await startAndRead();
    assert.ok(!second.includes(key), 'a later start does not print the key');
    assert.ok(!second.includes(smpp.password), 'a later start does not print the SMPP password');
    assert.ok(second.includes(join(dataDir, 'demo-api-key.txt')), 'it says where the key is');
    assert.ok(second.includes(join(dataDir, 'demo-smpp.json')), 'it says where the password is');
    for (const password of Object.values(logins))
      assert.ok(!second.includes(password), 'a later start does not print a console password');
    assert.ok(second.includes(join(dataDir, 'demo-console.json')), 'it says where the logins are');
  });
});
