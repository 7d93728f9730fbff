// What Hongyan writes into its data dir is readable by the user it runs as only (issue 11 item
// 6, docs/security.md): the dir 0700, the SQLite database with its -wal and -shm 0600, and every
// other file (keys, demo credentials, the simulator's journal) 0600, whatever the umask.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { databases, tempDir } from './support/databases.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

// Windows has no POSIX modes: nothing to check there.
const posix = process.platform !== 'win32';
const mode = (path: string) => statSync(path).mode & 0o777;
const octal = (m: number) => `0${m.toString(8)}`;

/** Start a platform with the usual umask (022: files 0644 unless told otherwise). */
async function startWithUmask(
  database: (typeof databases)[number],
  dataDir: string,
): Promise<TestPlatform> {
  const previous = process.umask(0o022);
  try {
    return await startTestPlatform(database, { dataDir });
  } finally {
    process.umask(previous);
  }
}

function assertOwnerOnly(dataDir: string): void {
  assert.equal(octal(mode(dataDir)), '0700', 'the data dir');
  const files = readdirSync(dataDir);
  assert.ok(files.length > 0);
  for (const name of files) {
    const path = join(dataDir, name);
    if (statSync(path).isDirectory()) assert.equal(octal(mode(path)), '0700', name);
    else assert.equal(octal(mode(path)), '0600', name);
  }
}

for (const database of databases) {
  describe(`data dir files on ${database.dialect}`, { skip: !posix && 'no POSIX modes' }, () => {
    const platforms: TestPlatform[] = [];
    after(async () => {
      for (const t of platforms) await t.stop();
    });

    test('a new data dir is created 0700 and every file in it is 0600', async () => {
      const dataDir = join(tempDir(), 'data');
      const t = await startWithUmask(database, dataDir);
      platforms.push(t);
      // Written through the API, so the database (and its WAL) have content.
      assert.equal((await t.api('/v1/account')).status, 200);
      if (database.dialect === 'sqlite') {
        for (const name of ['hongyan.db', 'hongyan.db-wal', 'hongyan.db-shm'])
          assert.equal(octal(mode(join(dataDir, name))), '0600', name);
      }
      assertOwnerOnly(dataDir);
    });

    if (database.dialect === 'sqlite')
      test('an older install’s world-readable database files are tightened at start', async () => {
        const dataDir = join(tempDir(), 'data');
        mkdirSync(dataDir, { mode: 0o700 });
        for (const name of ['hongyan.db', 'hongyan.db-wal', 'hongyan.db-shm']) {
          closeSync(openSync(join(dataDir, name), 'w'));
          chmodSync(join(dataDir, name), 0o644);
        }
        const t = await startWithUmask(database, dataDir);
        platforms.push(t);
        for (const name of ['hongyan.db', 'hongyan.db-wal', 'hongyan.db-shm'])
          assert.equal(octal(mode(join(dataDir, name))), '0600', name);
      });
  });
}
