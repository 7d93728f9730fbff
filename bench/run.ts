// `npm run bench -- [--messages N] [--batch B] [--concurrency C] [--db sqlite|postgres|both] [--receipt-delay-ms MS]`
// End-to-end throughput of one Hongyan node: the simulator and Hongyan each run in their own
// process, as in production; this process is the HTTP client and reads the database read-only
// to see when every message has reached a final status. Results: docs/benchmarks.md.
// Diagnostics: --cpu-prof DIR (then bench/profile.ts), --sql-timing (SQLite), --hongyan-config FILE,
// --timeout-s S. Exits 1 when a run fails or any message is not final.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, startPostgres, type PostgresServer } from '../test/support/embedded-postgres.ts';
import {
  mobile,
  percentile,
  procCounters,
  sleep,
  spawnHongyan,
  waitFor,
  type Child,
} from './harness.ts';
import { postgresReader, sqliteReader, type Reader } from './readers.ts';
import { printResult, printSqlTiming, printTable, type Result } from './report.ts';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    db: { type: 'string', default: 'both' },
    'receipt-delay-ms': { type: 'string', default: '100' },
    /** Give up when the run has not finished after this long (default: 15 minutes). */
    'timeout-s': { type: 'string', default: '900' },
    /** Write a V8 CPU profile of the Hongyan process into this directory (node --cpu-prof). */
    'cpu-prof': { type: 'string' },
    /** SQLite only: time every SQL statement inside Hongyan (bench/sql-timing.ts) and print the top ones. */
    'sql-timing': { type: 'boolean', default: false },
    /** A Hongyan JSON config file (HONGYAN_CONFIG) for tuning experiments; the env still wins. */
    'hongyan-config': { type: 'string' },
    /** Price every part at 0: no holds, no charges — the pipeline without billing, for comparison. */
    free: { type: 'boolean', default: false },
    /** Compliance off (no signature, content rules, opt-outs or caps): what compliance costs. */
    'no-compliance': { type: 'boolean', default: false },
  },
  strict: true,
});
const int = (name: keyof typeof args, min: number): number => {
  const v = Number(args[name]);
  if (!Number.isInteger(v) || v < min)
    throw new Error(`--${name} must be a whole number ≥ ${min}, got "${args[name]}"`);
  return v;
};
const N = int('messages', 1);
const B = int('batch', 1);
const C = int('concurrency', 1);
const receiptDelayMs = int('receipt-delay-ms', 0);
const timeoutMs = int('timeout-s', 1) * 1000;
if (B > 10_000) throw new Error('--batch is limited to 10,000 recipients per request by the API');
const dbs =
  args.db === 'both'
    ? (['sqlite', 'postgres'] as const)
    : args.db === 'sqlite' || args.db === 'postgres'
      ? ([args.db] as const)
      : null;
if (!dbs) throw new Error(`--db must be sqlite, postgres or both, got "${args.db}"`);
const SQL_TIMING_HOOK = new URL('./sql-timing.ts', import.meta.url).href;
const TEXT = '【鸿雁】您的验证码是 123456，5 分钟内有效。';
const FINAL = new Set(['delivered', 'undelivered', 'expired', 'rejected', 'failed', 'unknown']);

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/** Send N messages in requests of B recipients, C requests at a time. Returns [first request, last 202] (epoch ms). */
async function send(baseUrl: string, key: string, hongyan: Child): Promise<[number, number]> {
  const requests = Math.ceil(N / B);
  let next = 0;
  let first = 0;
  let last = 0;
  let died: string | null = null;
  void hongyan.exited.then((c) => (died = c));
  const worker = async () => {
    while (next < requests && died === null) {
      const r = next++;
      const to: string[] = [];
      for (let i = r * B; i < Math.min(N, (r + 1) * B); i++) to.push(mobile(i));
      first ||= Date.now();
      const res = await fetch(`${baseUrl}/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ to, text: TEXT }),
      });
      const body = (await res.json()) as {
        messages?: Array<{ parts: number }>;
        rejected?: unknown[];
      };
      if (res.status !== 202)
        throw new Error(`request ${r}: HTTP ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
      if (body.messages?.length !== to.length || body.rejected?.length)
        throw new Error(
          `request ${r}: ${body.messages?.length} accepted, rejected ${JSON.stringify(body.rejected).slice(0, 500)}`,
        );
      if (body.messages.some((m) => m.parts !== 1))
        throw new Error(`request ${r}: expected one part per message`);
      last = Date.now();
    }
  };
  await Promise.all(Array.from({ length: C }, worker));
  if (died !== null) throw new Error(`Hongyan exited (${died}) while sending:\n${hongyan.tail()}`);
  return [first, last];
}

/**
 * Poll until all N messages are final. On the overall timeout or a minute without progress,
 * return the reason (the run is then reported as FAILED, with what was measured so far).
 */
async function waitAllFinal(
  reader: Reader,
  hongyan: Child,
  startedAt: number,
): Promise<{ at: number; failure: string | null }> {
  let lastFinal = -1;
  let lastProgress = Date.now();
  let lastLog = 0;
  for (;;) {
    const counts = await reader.counts();
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const final = Object.entries(counts).reduce((a, [s, n]) => a + (FINAL.has(s) ? n : 0), 0);
    const now = Date.now();
    if (total === N && final === N) return { at: now, failure: null };
    if (final !== lastFinal) [lastFinal, lastProgress] = [final, now];
    if (now - lastLog > 5000) {
      log(
        `  ${final}/${N} final after ${((now - startedAt) / 1000).toFixed(1)} s ${JSON.stringify(counts)}`,
      );
      lastLog = now;
    }
    const exited = await Promise.race([hongyan.exited, sleep(250).then(() => null)]);
    if (exited !== null)
      throw new Error(
        `Hongyan exited (${exited}) before all messages were final:\n${hongyan.tail()}`,
      );
    let failure: string | null = null;
    if (now - startedAt > timeoutMs)
      failure = `TIMEOUT: only ${final}/${N} messages final after ${timeoutMs / 1000} s`;
    else if (now - lastProgress > 60_000)
      failure = `STALLED: no message became final for 60 s (${final}/${N} final)`;
    if (failure) {
      failure += `: messages ${JSON.stringify(counts)}; ${await reader.diagnose()}`;
      log(failure);
      return { at: lastProgress, failure };
    }
  }
}

async function runOne(db: 'sqlite' | 'postgres', pgServer: PostgresServer | null): Promise<Result> {
  const dataDir = mkdtempSync(join(tmpdir(), `hongyan-bench-${db}-`));
  const children: Child[] = [];
  let reader: Reader | null = null;
  try {
    const sqlTimingFile =
      args['sql-timing'] && db === 'sqlite' ? join(dataDir, 'sql-timing.json') : null;
    const databaseUrl = db === 'postgres' ? await pgServer!.createDatabase('bench') : '';
    const simPort = await freePort();
    const sim = spawnHongyan(
      'simulator',
      // The carrier's own durability is not what is measured: its receipt journal stays off.
      [
        'simulator',
        '--port',
        String(simPort),
        '--receipt-delay-ms',
        String(receiptDelayMs),
        '--no-state',
      ],
      { HONGYAN_LOG_LEVEL: 'warn', HONGYAN_CONFIG: '' },
    );
    children.push(sim);
    await waitFor('the simulator', sim, 30_000, async () =>
      sim.tail().includes('simulator listening') ? true : undefined,
    );

    const httpPort = await freePort();
    const baseUrl = `http://127.0.0.1:${httpPort}`;
    const hongyan = spawnHongyan(
      'hongyan',
      ['start'],
      {
        HONGYAN_CONFIG: args['hongyan-config']
          ? resolve(args['hongyan-config'])
          : billingConfig(dataDir),
        HONGYAN_ROLES: 'api,dispatcher,worker',
        HONGYAN_HTTP_HOST: '127.0.0.1',
        HONGYAN_HTTP_PORT: String(httpPort),
        HONGYAN_SMPP_PORT: String(await freePort()),
        HONGYAN_CMPP_PORT: String(await freePort()),
        HONGYAN_SIMULATOR_PORT: String(simPort),
        HONGYAN_DATA_DIR: dataDir,
        HONGYAN_LOG_LEVEL: 'warn',
        DATABASE_URL: databaseUrl,
        HONGYAN_BENCH_SQL_TIMING: sqlTimingFile ?? '',
      },
      // Written when the process exits (SIGTERM → platform.stop() → exit), one file per thread
      // (tsx's loader thread too): CPU.<date>.<pid>.<thread>.<seq>.cpuprofile; the main thread is 0.
      [
        ...(args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${join(args['cpu-prof'], db)}`] : []),
        ...(sqlTimingFile ? ['--import', 'tsx', '--import', SQL_TIMING_HOOK] : []),
      ],
    );
    children.push(hongyan);
    await waitFor('GET /health 200', hongyan, 60_000, async () =>
      (await fetch(`${baseUrl}/health`)).status === 200 ? true : undefined,
    );
    const key = readFileSync(join(dataDir, 'demo-api-key.txt'), 'utf8').trim();
    reader =
      db === 'sqlite'
        ? sqliteReader(join(dataDir, 'hongyan.db'))
        : await postgresReader(databaseUrl);

    log(
      `${db}: sending ${N} messages, ${B} per request, ${C} at a time (receipt delay ${receiptDelayMs} ms)`,
    );
    const [firstReq, last202] = await send(baseUrl, key, hongyan);
    log(
      `${db}: all ${N} accepted in ${((last202 - firstReq) / 1000).toFixed(2)} s; waiting for final statuses`,
    );
    const { at: allFinalAt, failure } = await waitAllFinal(reader, hongyan, firstReq);

    const rows = await reader.rows();
    const statuses: Record<string, number> = {};
    let minCreated = Infinity;
    let maxSubmitted = -Infinity;
    let submitted = 0;
    let maxDone = -Infinity;
    const latencies: number[] = [];
    for (const r of rows) {
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      minCreated = Math.min(minCreated, r.created_at);
      if (r.submitted_at !== null)
        [maxSubmitted, submitted] = [Math.max(maxSubmitted, r.submitted_at), submitted + 1];
      if (r.done_at !== null) {
        maxDone = Math.max(maxDone, r.done_at);
        latencies.push(r.done_at - r.created_at);
      }
    }
    latencies.sort((a, b) => a - b);
    // Peak RSS and CPU just before stopping (after the run, so VmHWM covers all of it).
    const hongyanCounters = procCounters(hongyan.pid);
    const simCounters = procCounters(sim.pid);
    return {
      db,
      messages: rows.length,
      wallS: (allFinalAt - firstReq) / 1000,
      acceptedPerS: N / ((last202 - firstReq) / 1000),
      // A failed run counts only what got there; a finished one counts N, as the issue defines it.
      submittedPerS: (failure ? submitted : N) / ((maxSubmitted - minCreated) / 1000),
      e2ePerS: (failure ? latencies.length : N) / ((maxDone - minCreated) / 1000),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      statuses,
      allFinal: rows.length === N && rows.every((r) => FINAL.has(r.status)),
      failure,
      hongyan: hongyanCounters,
      simulatorCpuS: simCounters?.cpuSeconds ?? null,
    };
  } finally {
    await reader?.close().catch(() => {});
    for (const c of children.reverse()) await c.stop();
    if (args['sql-timing'] && existsSync(join(dataDir, 'sql-timing.json')))
      printSqlTiming(join(dataDir, 'sql-timing.json'));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results: Result[] = [];
let pgServer: PostgresServer | null = null;
let failed = false;
try {
  if (dbs.includes('postgres' as never)) {
    log('starting embedded PostgreSQL');
    pgServer = await startPostgres();
  }
  for (const db of dbs) {
    const r = await runOne(db, pgServer);
    printResult(r);
    results.push(r);
    if (!r.allFinal || r.failure) failed = true;
  }
} catch (err) {
  failed = true;
  process.stderr.write(`\nBENCHMARK FAILED: ${(err as Error).stack ?? String(err)}\n`);
} finally {
  await pgServer?.stop().catch((err: unknown) => log(`stopping PostgreSQL failed: ${String(err)}`));
}
/** The demo tenant gets enough money for the run; --free prices every part at zero. */
function billingConfig(dir: string): string {
  const file = join(dir, 'bench-config.json');
  writeFileSync(
    file,
    JSON.stringify({
      demo: { openingBalance: '10000000' },
      billing: { defaultPrice: args.free ? '0' : '0.0450' },
      compliance: { enabled: !args['no-compliance'] },
      // The benchmark measures the pipeline, not the per-tenant message rate limit.
      limits: {
        messagesPerSecond: 1_000_000,
        messagesBurst: 1_000_000,
        messagesInFlight: 1_000_000,
      },
    }),
  );
  return file;
}

const header = `N=${N}, batch=${B}, concurrency=${C}, receipt delay ${receiptDelayMs} ms${args['hongyan-config'] ? `, HONGYAN_CONFIG=${args['hongyan-config']}` : ''}${args.free ? ', billing off (price 0)' : ', billing on (0.0450 per part)'}${args['no-compliance'] ? ', compliance off' : ', compliance on'}`;
if (results.length > 0) printTable(results, header);
process.exit(failed ? 1 : 0);
