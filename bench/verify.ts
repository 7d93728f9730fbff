// `npm run bench:verify [-- --messages N --db sqlite|postgres|both]`: how long `hongyan billing
// verify` takes over N messages (default 1,000,000) spread over 100 tenants, each with its
// ledger. Rows are generated in SQL; the timing covers verify() only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { migrate, openStore, type Store } from '../src/store/db.ts';
import { LedgerStore, post } from '../src/store/ledger.ts';
import { TenantStore } from '../src/store/tenants.ts';
import { startPostgres } from '../test/support/embedded-postgres.ts';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    db: { type: 'string', default: 'both' },
  },
});
const N = Number(args.messages);
const TENANTS = 100;
const PRICE = 450;

async function fill(store: Store): Promise<void> {
  const tenants = new TenantStore(store.db);
  const ids: string[] = [];
  for (let i = 0; i < TENANTS; i++) ids.push((await tenants.create({ name: `verify-${i}` })).id);
  const perTenant = Math.floor(N / TENANTS);
  const now = Date.now();
  for (const [i, id] of ids.entries()) {
    await post(
      store.db,
      {
        tenantId: id,
        currency: 'CNY',
        kind: 'recharge',
        amount: 10_000_000_000,
        reason: 'bench',
        externalRef: `bench-${i}`,
      },
      now,
    );
    await post(
      store.db,
      {
        tenantId: id,
        currency: 'CNY',
        kind: 'hold',
        amount: -perTenant * PRICE,
        heldChange: perTenant * PRICE,
        reason: 'bench',
        batchId: `bat_${i}`,
        quantity: perTenant,
      },
      now,
    );
    await post(
      store.db,
      {
        tenantId: id,
        currency: 'CNY',
        kind: 'charge',
        amount: 0,
        heldChange: -perTenant * PRICE,
        reason: 'bench',
        batchId: `bat_${i}`,
        quantity: perTenant,
      },
      now,
    );
    const series =
      store.dialect === 'postgres'
        ? sql`select g as i from generate_series(1, ${perTenant}) g`
        : sql`with recursive s(i) as (select 1 union all select i + 1 from s where i < ${perTenant}) select i from s`;
    await sql`insert into messages (id, tenant_id, batch_id, client_ref, "to", "from", text, encoding, parts_count, concat_ref, status, attempts, next_attempt_at, created_at, test, class, price, amount, charged, billing)
      select ${`msg_${i}_`} || cast(i as text), ${id}, ${`bat_${i}`}, null, '+8613800138000', null, 'bench', 'gsm7', 1, 0, 'delivered', 1, ${now}, ${now}, 0, 'notification', ${PRICE}, ${PRICE}, ${PRICE}, 'settled'
      from (${series}) as series`.execute(store.db);
  }
}

async function run(
  db: 'sqlite' | 'postgres',
  pg: Awaited<ReturnType<typeof startPostgres>> | null,
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'hongyan-verify-'));
  const store = openStore({
    databaseUrl: pg ? await pg.createDatabase('verify') : null,
    dataDir: dir,
  });
  try {
    await migrate(store);
    const t0 = Date.now();
    await fill(store);
    const filled = (Date.now() - t0) / 1000;
    const t1 = Date.now();
    const report = await new LedgerStore(store.db, store.dialect).verify();
    const took = (Date.now() - t1) / 1000;
    if (report.differences.length > 0)
      throw new Error(
        `verify found differences: ${JSON.stringify(report.differences.slice(0, 3))}`,
      );
    return `${db}: verify over ${report.messages.toLocaleString('en')} messages, ${report.tenants} tenants: ${took.toFixed(1)} s (no differences; filling took ${filled.toFixed(1)} s)`;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const which =
  args.db === 'both' ? (['sqlite', 'postgres'] as const) : [args.db as 'sqlite' | 'postgres'];
const pg = which.includes('postgres') ? await startPostgres() : null;
try {
  for (const db of which)
    process.stdout.write((await run(db, db === 'postgres' ? pg : null)) + '\n');
} finally {
  await pg?.stop();
}
