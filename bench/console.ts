// `npm run bench:console -- [--messages N] [--db sqlite|postgres|both] [--runs R]`
// The console's reads with a large message table (issue 12: with 1,000,000 messages the message
// log's first page and a filtered page each answer in under 100 ms). Fills the database straight
// through SQL (a few tenants, 90 days of history, realistic statuses), then times the real HTTP API
// of a running platform: median and p95 per query. Results: docs/benchmarks.md.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { ulid } from 'ulid';
import { startPostgres, type PostgresServer } from '../test/support/embedded-postgres.ts';
import { startTestPlatform, type TestPlatform } from '../test/support/platform.ts';
import { tempDir, type TestDatabase } from '../test/support/databases.ts';
import { migrate, openStore, type Dialect } from '../src/store/db.ts';
import type { MessageTable } from '../src/store/schema.ts';
import { percentile } from './harness.ts';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    db: { type: 'string', default: 'both' },
    runs: { type: 'string', default: '30' },
  },
  strict: true,
});
const N = Number(args.messages);
const RUNS = Number(args.runs);
if (!Number.isInteger(N) || N < 1000) throw new Error('--messages must be a whole number ≥ 1000');
const dbs: Dialect[] =
  args.db === 'both' ? ['sqlite', 'postgres'] : [args.db === 'postgres' ? 'postgres' : 'sqlite'];
const log = (s: string) => process.stdout.write(`${s}\n`);

const DAY = 86_400_000;
const TENANTS = 4;
const FAILS: Array<[string, string, string]> = [
  ['undelivered', 'UNDELIV', 'invalid_number'],
  ['undelivered', 'MK:0015', 'handset'],
  ['rejected', 'REJECTD', 'content'],
  ['failed', 'ESME_RSUBMITFAIL', 'carrier'],
  ['expired', 'EXPIRED', 'expired'],
];
const CLASSES = ['notification', 'notification', 'notification', 'marketing', 'verification'];

/** A deterministic pseudo-random sequence, so every run fills the same table. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function fill(
  t: TestPlatform,
  n: number,
): Promise<{ tenantId: string; sample: MessageTable }> {
  const db = t.platform.store.db;
  const demo = t.platform.demo!.tenantId;
  const row = await db
    .selectFrom('tenants')
    .selectAll()
    .where('id', '=', demo)
    .executeTakeFirstOrThrow();
  const tenantIds = [demo];
  for (let i = 1; i < TENANTS; i++) {
    const id = `ten_${ulid()}`;
    await db
      .insertInto('tenants')
      .values({ ...row, id, name: `Bench ${i}`, credit_code: null } as typeof row)
      .execute();
    tenantIds.push(id);
  }
  const random = rng(12);
  const now = Date.now();
  const start = now - 90 * DAY;
  let sample: MessageTable | null = null;
  const started = performance.now();
  const CHUNK = 500;
  let batch = `bat_${ulid(start)}`;
  for (let i = 0; i < n; i += CHUNK * 40) {
    await db.transaction().execute(async (trx) => {
      for (let j = i; j < Math.min(n, i + CHUNK * 40); j += CHUNK) {
        const rows: MessageTable[] = [];
        for (let k = j; k < Math.min(n, j + CHUNK); k++) {
          const createdAt = Math.floor(start + ((now - start) * k) / n);
          if (k % 1000 === 0) batch = `bat_${ulid(createdAt)}`;
          const r = random();
          const fail = r < 0.1 ? FAILS[Math.floor(r * 50) % FAILS.length]! : null;
          // The last hour's messages are still on their way.
          const status = fail ? fail[0] : now - createdAt < 3600_000 ? 'submitted' : 'delivered';
          const parts = random() < 0.8 ? 1 : 2;
          const m: MessageTable = {
            id: `msg_${ulid(createdAt)}`,
            tenant_id: tenantIds[k % TENANTS]!,
            batch_id: batch,
            client_ref: random() < 0.5 ? `ref-${k}` : null,
            to: `+86138${String(Math.floor(random() * 100_000)).padStart(8, '0')}`,
            from: null,
            text: 'bench',
            encoding: 'gsm7',
            parts_count: parts,
            concat_ref: 0,
            status,
            channel_id: 'sim',
            error_code: fail ? fail[1] : null,
            error_detail: null,
            attempts: 1,
            next_attempt_at: createdAt,
            lease_node: null,
            created_at: createdAt,
            submitted_at: fail?.[0] === 'failed' ? null : createdAt + 200,
            done_at: status === 'submitted' ? null : createdAt + 5000,
            test: 0,
            text_key_id: null,
            class: CLASSES[k % CLASSES.length]!,
            price: 400,
            amount: 400 * parts,
            charged: status === 'delivered' ? 400 * parts : 0,
            billing: status === 'submitted' ? 'held' : 'settled',
            destination: 'CN-mobile',
            settled_at: status === 'submitted' ? null : createdAt + 5000,
            compliance: null,
            template_id: null,
            text_hash: null,
            callback_url: null,
            callback_statuses: null,
            source: null,
            source_account: null,
            source_addr: null,
            receipt_wanted: 0,
            source_parts: null,
            failure_category: fail ? fail[2] : null,
          };
          rows.push(m);
          if (k === Math.floor(n / 2)) sample = m;
        }
        await trx.insertInto('messages').values(rows).execute();
      }
    });
    if ((i / (CHUNK * 40)) % 10 === 0)
      log(`  filled ${Math.min(n, i + CHUNK * 40).toLocaleString('en')} messages`);
  }
  const s = ((performance.now() - started) / 1000).toFixed(0);
  log(`  ${n.toLocaleString('en')} messages in ${s} s`);
  if (t.platform.store.dialect === 'postgres') await sql`analyze messages`.execute(db);
  return { tenantId: demo, sample: sample! };
}

async function time(
  t: TestPlatform,
  path: string,
): Promise<{ median: number; p95: number; n: number }> {
  const once = async () => {
    const t0 = performance.now();
    const r = await t.api(path);
    const ms = performance.now() - t0;
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return { ms, n: Array.isArray(r.body.data) ? r.body.data.length : -1 };
  };
  for (let i = 0; i < 3; i++) await once();
  const ms: number[] = [];
  let n = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = await once();
    ms.push(r.ms);
    n = r.n;
  }
  ms.sort((a, b) => a - b);
  return { median: percentile(ms, 50), p95: percentile(ms, 95), n };
}

let pg: PostgresServer | null = null;
const results: Array<{ db: Dialect; query: string; median: number; p95: number; rows: number }> =
  [];
for (const dialect of dbs) {
  log(`\n${dialect}: ${N.toLocaleString('en')} messages, ${TENANTS} tenants, 90 days`);
  if (dialect === 'postgres' && !pg) pg = await startPostgres();
  const database: TestDatabase = {
    dialect,
    async open() {
      const dataDir = tempDir('hongyan-bench-console-');
      const databaseUrl = dialect === 'postgres' ? await pg!.createDatabase('bench') : null;
      const store = openStore({ databaseUrl, dataDir });
      await migrate(store);
      return { store, databaseUrl, dataDir };
    },
  };
  const t = await startTestPlatform(database, {
    limits: { keyPerSecond: 100_000, keyBurst: 100_000, tenantPerSecond: 100_000 },
  } as never);
  try {
    const { sample } = await fill(t, N);
    const at = (ms: number) => new Date(ms).toISOString();
    const day = sample.created_at;
    const first = await t.api('/v1/messages?limit=50');
    const queries: Array<[string, string]> = [
      ['first page', '/v1/messages?limit=50'],
      ['second page (cursor)', `/v1/messages?limit=50&after=${first.body.nextCursor}`],
      ['status=failed', '/v1/messages?limit=50&status=failed'],
      ['status=undelivered', '/v1/messages?limit=50&status=undelivered'],
      ['category=content', '/v1/messages?limit=50&category=content'],
      ['class=verification', '/v1/messages?limit=50&class=verification'],
      ['to= (one number)', `/v1/messages?limit=50&to=${encodeURIComponent(sample.to)}`],
      ['batchId=', `/v1/messages?limit=50&batchId=${sample.batch_id}`],
      [
        'date range (one day, 45 days ago)',
        `/v1/messages?limit=50&createdAfter=${at(day)}&createdBefore=${at(day + DAY)}`,
      ],
      [
        'status=undelivered + category + date range',
        `/v1/messages?limit=50&status=undelivered&category=invalid_number&createdAfter=${at(day - 7 * DAY)}&createdBefore=${at(day)}`,
      ],
      ['stats/today', '/v1/stats/today'],
      ['stats/receipts?minutes=60', '/v1/stats/receipts?minutes=60'],
    ];
    for (const [name, path] of queries) {
      const r = await time(t, path);
      results.push({ db: dialect, query: name, median: r.median, p95: r.p95, rows: r.n });
      log(
        `  ${name.padEnd(46)} median ${r.median.toFixed(1).padStart(6)} ms  p95 ${r.p95.toFixed(1).padStart(6)} ms${r.n >= 0 ? `  (${r.n} rows)` : ''}`,
      );
    }
  } finally {
    await t.stop();
  }
}
log('\n| database | query | median ms | p95 ms |');
log('| --- | --- | ---: | ---: |');
for (const r of results)
  log(`| ${r.db} | ${r.query} | ${r.median.toFixed(1)} | ${r.p95.toFixed(1)} |`);
// Stopping PostgreSQL ends connections a pool may still hold idle: expected here, not a failure.
process.on('uncaughtException', (err: Error & { code?: string }) => {
  if (err.code !== '57P01') throw err;
});
if (pg) await pg.stop();
