// The cost of the API-key check on its own: SHA-256 of the key + one indexed lookup, on SQLite.
// `npm run bench:auth` — prints microseconds per check.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openStore } from '../src/store/db.ts';
import { TenantStore } from '../src/store/tenants.ts';

const N = Number(process.argv[2] ?? 20000);
const dir = mkdtempSync(join(tmpdir(), 'hongyan-auth-'));
const store = openStore({ databaseUrl: null, dataDir: dir });
try {
  await migrate(store);
  const tenants = new TenantStore(store.db);
  const tenant = await tenants.create({ name: 'bench' });
  // A realistic table: many tenants' keys, the one we check among them.
  for (let i = 0; i < 1000; i++) await tenants.createApiKey(tenant.id, `k${i}`);
  const { key } = await tenants.createApiKey(tenant.id, 'checked');
  for (let i = 0; i < 1000; i++) await tenants.authenticate(key); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++)
    if (!(await tenants.authenticate(key))) throw new Error('key not found');
  const us = Number(process.hrtime.bigint() - t0) / 1000 / N;
  process.stdout.write(
    `API key check: ${us.toFixed(1)} µs per request (${N} checks, SQLite, 1,001 keys)\n`,
  );
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
