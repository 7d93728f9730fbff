// Run a suite on both databases: a fresh SQLite file and a fresh PostgreSQL database.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openStore, type Dialect, type Store } from '../../src/store/db.ts';
import { testPostgres } from './embedded-postgres.ts';

export interface TestDatabase {
  dialect: Dialect;
  /** A new, migrated, empty database; with its connection settings for starting a platform on it. */
  open(): Promise<{ store: Store; databaseUrl: string | null; dataDir: string }>;
}

export function tempDir(prefix = 'hongyan-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export const databases: TestDatabase[] = [
  {
    dialect: 'sqlite',
    async open() {
      const dataDir = tempDir();
      const store = openStore({ databaseUrl: null, dataDir });
      await migrate(store);
      return { store, databaseUrl: null, dataDir };
    },
  },
  {
    dialect: 'postgres',
    async open() {
      const databaseUrl = await (await testPostgres()).createDatabase();
      const dataDir = tempDir();
      const store = openStore({ databaseUrl, dataDir, poolSize: 4 });
      await migrate(store);
      return { store, databaseUrl, dataDir };
    },
  },
];
