// `node --import tsx bench/smpp-server.ts [--messages N] [--binds B] [--window W] [--db sqlite|postgres|both]
//   [--texts same|unique] [--receipt-delay-ms MS] [--timeout-s S] [--cpu-prof DIR]`
// SMPP server ingress (issue 7): one tenant, B transceiver binds with W submit_sm outstanding
// each, against Hongyan in its own process with the carrier simulator upstream (its own process
// too). Reports submit_sm/s accepted (ESME_ROK answers) and delivery receipts/s back to the
// tenant. `--texts unique` gives every message its own text (one-time codes), which the server
// cannot accept together with other messages; `same` (default) is a campaign.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import smpp, { type PDU, type Session } from 'smpp';
import { freePort, startPostgres, type PostgresServer } from '../test/support/embedded-postgres.ts';
import { mobile, procCounters, sleep, spawnHongyan, waitFor, type Child } from './harness.ts';
import { fmt } from './report.ts';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '50000' },
    binds: { type: 'string', default: '4' },
    window: { type: 'string', default: '64' },
    db: { type: 'string', default: 'both' },
    texts: { type: 'string', default: 'same' },
    'receipt-delay-ms': { type: 'string', default: '100' },
    'timeout-s': { type: 'string', default: '600' },
    /**
     * Hongyan with the api role only (no dispatcher, so no receipts): what the SMPP server and the
     * accept service take alone, without the rest of the pipeline sharing the process.
     */
    'ingest-only': { type: 'boolean', default: false },
    /** Write a V8 CPU profile of the Hongyan process into this directory (then bench/profile.ts). */
    'cpu-prof': { type: 'string' },
  },
  strict: true,
});
const int = (name: keyof typeof args, min: number): number => {
  const v = Number(args[name]);
  if (!Number.isInteger(v) || v < min)
    throw new Error(`--${name} must be a whole number ≥ ${min}, got "${String(args[name])}"`);
  return v;
};
const N = int('messages', 1);
const BINDS = int('binds', 1);
const WINDOW = int('window', 1);
const receiptDelayMs = int('receipt-delay-ms', 0);
const timeoutMs = int('timeout-s', 1) * 1000;
const unique = args.texts === 'unique';
const ingestOnly = args['ingest-only'] === true;
if (!unique && args.texts !== 'same') throw new Error('--texts must be same or unique');
const dbs =
  args.db === 'both'
    ? (['sqlite', 'postgres'] as const)
    : args.db === 'sqlite' || args.db === 'postgres'
      ? ([args.db] as const)
      : null;
if (!dbs) throw new Error(`--db must be sqlite, postgres or both, got "${args.db}"`);

const say = (msg: string) => process.stderr.write(`[bench:smpp] ${msg}\n`);
const ucs2 = (text: string) => Buffer.from(text, 'utf16le').swap16();
const textOf = (i: number) =>
  unique
    ? `【鸿雁】您的验证码是 ${String(i % 1_000_000).padStart(6, '0')}，5 分钟内有效。`
    : '【鸿雁】您的验证码是 123456，5 分钟内有效。';

interface Result {
  db: string;
  accepted: number;
  refused: Record<string, number>;
  acceptS: number;
  acceptedPerS: number;
  receipts: number;
  receiptsS: number;
  receiptsPerS: number;
  hongyanCpuS: number | null;
  peakRssMb: number | null;
  simulatorCpuS: number | null;
  clientCpuS: number;
}

async function bind(port: number, systemId: string, password: string): Promise<Session> {
  const session = smpp.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  const resp = await new Promise<PDU>((resolve) =>
    session.bind_transceiver({ system_id: systemId, password }, resolve),
  );
  if (resp.command_status !== 0) throw new Error(`bind refused: ${resp.command_status}`);
  session.on('error', (err: Error) => say(`client session error: ${err.message}`));
  return session;
}

/** The demo account may use B binds at any rate for the run (its defaults are 4 binds, 100/s). */
async function raiseLimits(db: 'sqlite' | 'postgres', dataDir: string, url: string) {
  const q = 'update smpp_accounts set max_binds = $1, throughput = $2 where system_id = $3';
  if (db === 'sqlite') {
    const s = new BetterSqlite3(join(dataDir, 'hongyan.db'));
    s.pragma('busy_timeout = 5000');
    s.prepare(q.replace(/\$\d/g, '?')).run(BINDS, 1_000_000, 'demo');
    s.close();
  } else {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(q, [BINDS, 1_000_000, 'demo']);
    await c.end();
  }
}

async function runOne(db: 'sqlite' | 'postgres', pgServer: PostgresServer | null): Promise<Result> {
  const dataDir = mkdtempSync(join(tmpdir(), `hongyan-bench-smpp-${db}-`));
  const children: Child[] = [];
  const sessions: Session[] = [];
  try {
    const databaseUrl = db === 'postgres' ? await pgServer!.createDatabase('bench') : '';
    const simPort = await freePort();
    const sim = spawnHongyan(
      'simulator',
      ['simulator', '--port', String(simPort), '--receipt-delay-ms', String(receiptDelayMs)],
      { HONGYAN_LOG_LEVEL: 'warn', HONGYAN_CONFIG: '' },
    );
    children.push(sim);
    await waitFor('the simulator', sim, 30_000, async () =>
      sim.tail().includes('simulator listening') ? true : undefined,
    );
    const configFile = join(dataDir, 'bench-config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        demo: { openingBalance: '10000000' },
        billing: { defaultPrice: '0.0450' },
      }),
    );
    const httpPort = await freePort();
    const smppPort = await freePort();
    const hongyan = spawnHongyan(
      'hongyan',
      ['start'],
      {
        HONGYAN_CONFIG: configFile,
        HONGYAN_ROLES: ingestOnly ? 'api' : 'api,dispatcher,worker',
        HONGYAN_HTTP_PORT: String(httpPort),
        HONGYAN_SMPP_PORT: String(smppPort),
        HONGYAN_SIMULATOR_PORT: String(simPort),
        HONGYAN_DATA_DIR: dataDir,
        HONGYAN_LOG_LEVEL: 'warn',
        DATABASE_URL: databaseUrl,
      },
      args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${join(args['cpu-prof'], db)}`] : [],
    );
    children.push(hongyan);
    const credsFile = join(dataDir, 'demo-smpp.json');
    await waitFor('GET /health 200 and demo-smpp.json', hongyan, 60_000, async () =>
      // Without a dispatcher the channel never binds, so /health answers 503: up is enough.
      (await fetch(`http://127.0.0.1:${httpPort}/health`)).status === (ingestOnly ? 503 : 200) &&
      existsSync(credsFile)
        ? true
        : undefined,
    );
    const creds = JSON.parse(readFileSync(credsFile, 'utf8')) as {
      systemId: string;
      password: string;
    };
    await raiseLimits(db, dataDir, databaseUrl);
    for (let b = 0; b < BINDS; b++)
      sessions.push(await bind(smppPort, creds.systemId, creds.password));

    let receipts = 0;
    let firstReceipt = 0;
    let lastReceipt = 0;
    for (const s of sessions)
      s.on('deliver_sm', (pdu: PDU) => {
        s.send(pdu.response());
        if (((pdu.esm_class as number) & 0x3c) !== 0x04) return;
        receipts++;
        lastReceipt = Date.now();
        firstReceipt ||= lastReceipt;
      });

    say(
      `${db}: ${N} submit_sm over ${BINDS} binds, window ${WINDOW}, ${unique ? 'a text each' : 'one text'}`,
    );
    let next = 0;
    let accepted = 0;
    const refused: Record<string, number> = {};
    let died: string | null = null;
    void hongyan.exited.then((c) => (died = c));
    const started = Date.now();
    const cpuAtStart = process.cpuUsage();
    let lastResp = started;
    await Promise.all(
      sessions.map(
        (s) =>
          new Promise<void>((resolve) => {
            let inFlight = 0;
            const pump = () => {
              while (inFlight < WINDOW && next < N && died === null) {
                const i = next++;
                inFlight++;
                s.submit_sm(
                  {
                    source_addr: '10690001',
                    destination_addr: mobile(i).slice(1),
                    dest_addr_ton: 1,
                    dest_addr_npi: 1,
                    registered_delivery: 1,
                    data_coding: 8,
                    short_message: ucs2(textOf(i)),
                  },
                  (pdu: PDU) => {
                    inFlight--;
                    lastResp = Date.now();
                    if (pdu.command_status === 0) accepted++;
                    else {
                      const k = `0x${pdu.command_status.toString(16)}`;
                      refused[k] = (refused[k] ?? 0) + 1;
                    }
                    if (next >= N && inFlight === 0) resolve();
                    else pump();
                  },
                );
              }
              if (died !== null) resolve();
            };
            pump();
          }),
      ),
    );
    if (died !== null) throw new Error(`Hongyan exited (${died}):\n${hongyan.tail()}`);
    const acceptS = (lastResp - started) / 1000;
    say(`${db}: ${accepted} accepted in ${fmt(acceptS, 2)} s`);
    // Without a dispatcher nothing is sent: there are no receipts to wait for.
    const expected = ingestOnly ? 0 : accepted;
    const until = Date.now() + timeoutMs;
    let lastCount = -1;
    let lastProgress = Date.now();
    while (receipts < expected) {
      if (Date.now() > until) throw new Error(`timeout: ${receipts}/${expected} receipts`);
      if (receipts !== lastCount) [lastCount, lastProgress] = [receipts, Date.now()];
      if (Date.now() - lastProgress > 60_000)
        throw new Error(`stalled: ${receipts}/${expected} receipts for 60 s`);
      if (died !== null) throw new Error(`Hongyan exited (${died}):\n${hongyan.tail()}`);
      await sleep(100);
    }
    const cpu = process.cpuUsage(cpuAtStart);
    const counters = procCounters(hongyan.pid);
    const simCounters = procCounters(sim.pid);
    return {
      db,
      accepted,
      refused,
      acceptS,
      acceptedPerS: accepted / acceptS,
      receipts,
      receiptsS: (lastReceipt - started) / 1000,
      receiptsPerS: receipts === 0 ? NaN : receipts / ((lastReceipt - started) / 1000),
      hongyanCpuS: counters?.cpuSeconds ?? null,
      peakRssMb: counters ? counters.peakRss / 2 ** 20 : null,
      simulatorCpuS: simCounters?.cpuSeconds ?? null,
      clientCpuS: (cpu.user + cpu.system) / 1e6,
    };
  } finally {
    for (const s of sessions) s.destroy();
    for (const c of children.reverse()) await c.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results: Result[] = [];
let pgServer: PostgresServer | null = null;
let failed = false;
try {
  if (dbs.includes('postgres' as never)) {
    say('starting embedded PostgreSQL');
    pgServer = await startPostgres();
  }
  for (const db of dbs) results.push(await runOne(db, pgServer));
} catch (err) {
  failed = true;
  process.stderr.write(`\nBENCHMARK FAILED: ${(err as Error).stack ?? String(err)}\n`);
} finally {
  await pgServer?.stop().catch(() => {});
}
if (results.length > 0) {
  const row = (name: string, f: (r: Result) => string) =>
    `| ${name.padEnd(28)} | ${results.map((r) => f(r).padStart(12)).join(' | ')} |`;
  process.stdout.write(
    [
      `SMPP server ingress: ${N} submit_sm, ${BINDS} transceiver binds, window ${WINDOW}, ${unique ? 'a text each' : 'one text'}, ${ingestOnly ? 'api role only (no dispatch, no receipts)' : `receipt delay ${receiptDelayMs} ms`}`,
      '',
      `| ${''.padEnd(28)} | ${results.map((r) => r.db.padStart(12)).join(' | ')} |`,
      `| ${'-'.repeat(28)} | ${results.map(() => '-'.repeat(11) + ':').join(' | ')} |`,
      row('submit_sm accepted', (r) => fmt(r.accepted)),
      row('refused', (r) => JSON.stringify(r.refused)),
      row('accepted/s', (r) => fmt(r.acceptedPerS)),
      row('receipts back', (r) => fmt(r.receipts)),
      row('receipts/s (first submit →)', (r) => fmt(r.receiptsPerS)),
      row('Hongyan CPU (s)', (r) => (r.hongyanCpuS === null ? 'n/a' : fmt(r.hongyanCpuS, 1))),
      row('Hongyan peak RSS (MB)', (r) => (r.peakRssMb === null ? 'n/a' : fmt(r.peakRssMb))),
      row('simulator CPU (s)', (r) => (r.simulatorCpuS === null ? 'n/a' : fmt(r.simulatorCpuS, 1))),
      row('SMPP client CPU (s)', (r) => fmt(r.clientCpuS, 1)),
      '',
    ].join('\n'),
  );
}
process.exit(failed ? 1 : 0);
