// `node --import tsx bench/webhooks.ts [--events N] [--endpoints E] [--db sqlite|postgres|both]
//   [--per-endpoint P]`
// Webhook dispatcher throughput: N message events already in message_events (one 'queued' event
// per message, spread over E tenants with one endpoint each), then the webhook worker with its
// default bounds (4 in flight per endpoint, 16 per tenant, 64 per node) fans them out and POSTs
// them, signed, to a local receiver that answers 200 — the receiver runs in its own process.
// Prints deliveries/s from the worker's start to the last delivery written as delivered.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomInt } from 'node:crypto';
import pino from 'pino';
import { startPostgres, type PostgresServer } from '../test/support/embedded-postgres.ts';
import { migrate, openStore, type Store } from '../src/store/db.ts';
import { MessageStore } from '../src/store/messages.ts';
import type { NewMessage } from '../src/store/message-rows.ts';
import { TenantStore } from '../src/store/tenants.ts';
import { WebhookStore } from '../src/store/webhooks.ts';
import { WebhookDeliveryStore } from '../src/store/webhook-deliveries.ts';
import { EventFeed } from '../src/store/event-feed.ts';
import { EventHorizon } from '../src/events/horizon.ts';
import { WebhookSender } from '../src/events/webhooks/sender.ts';
import { EgressPolicy } from '../src/net/egress-policy.ts';
import { WebhookWorker } from '../src/events/webhooks/worker.ts';
import { plaintextCipher } from '../src/security/body-cipher.ts';
import { newWebhookSecret } from '../src/security/webhook-signature.ts';
import { newId } from '../src/core/ids.ts';
import { loadConfig } from '../src/config.ts';
import { mobile, procCounters, sleep } from './harness.ts';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    endpoints: { type: 'string', default: '1' },
    db: { type: 'string', default: 'both' },
    /** Requests in flight per endpoint (default: the config's, 4). */
    'per-endpoint': { type: 'string' },
  },
  strict: true,
});
const N = Number(args.events);
const E = Number(args.endpoints);
if (!Number.isInteger(N) || N < 1) throw new Error('--events must be a whole number ≥ 1');
if (!Number.isInteger(E) || E < 1 || E > N) throw new Error('--endpoints must be 1..events');
const dbs =
  args.db === 'both'
    ? ['sqlite', 'postgres']
    : args.db === 'sqlite' || args.db === 'postgres'
      ? [args.db]
      : null;
if (!dbs) throw new Error(`--db must be sqlite, postgres or both, got "${args.db}"`);
const log = (msg: string) => process.stderr.write(`[bench:webhooks] ${msg}\n`);

const RECEIVER = `
const http = require('node:http');
let n = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { n++; res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'));
process.on('SIGTERM', () => { process.stderr.write('received ' + n + '\\n'); process.exit(0); });
`;

async function startReceiver() {
  const proc = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout.once('data', (c: Buffer) =>
      resolve((JSON.parse(c.toString()) as { port: number }).port),
    );
    proc.once('exit', (code) => reject(new Error(`receiver exited ${code}`)));
  });
  return {
    pid: proc.pid!,
    url: `http://127.0.0.1:${port}/hook`,
    stop: () =>
      new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

interface Figures {
  db: string;
  events: number;
  endpoints: number;
  fanOutS: number;
  wallS: number;
  perS: number;
  cpuS: number;
  receiverCpuS: number;
}

async function run(db: 'sqlite' | 'postgres', pg: PostgresServer | null): Promise<Figures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hongyan-bench-webhooks-'));
  const databaseUrl = pg ? await pg.createDatabase('bench_webhooks') : null;
  const store: Store = openStore({ databaseUrl, dataDir });
  const receiver = await startReceiver();
  try {
    await migrate(store);
    const config = loadConfig({}, { dataDir, databaseUrl });
    const tenants = new TenantStore(store.db);
    const endpoints = new WebhookStore(store.db, plaintextCipher);
    const messages = new MessageStore(store.db, store.dialect, plaintextCipher);
    const tenantIds: string[] = [];
    for (let e = 0; e < E; e++) {
      const t = await tenants.create({ name: `bench-${e}` });
      tenantIds.push(t.id);
      await endpoints.create(
        {
          id: newId('whk'),
          tenantId: t.id,
          url: receiver.url,
          events: ['message.status'],
          enabled: true,
          description: null,
        },
        newWebhookSecret(),
        Date.now(),
      );
    }
    log(`${db}: writing ${N} messages and their events`);
    const now = Date.now();
    for (let i = 0; i < N; i += 1000) {
      const rows: NewMessage[] = [];
      for (let j = i; j < Math.min(N, i + 1000); j++)
        rows.push({
          id: newId('msg', now),
          tenantId: tenantIds[j % E]!,
          batchId: `bat_bench${i}`,
          clientRef: `ref-${j}`,
          to: mobile(j),
          text: 'bench',
          encoding: 'gsm7',
          parts: 1,
          concatRef: randomInt(256),
          createdAt: now,
        });
      await messages.insertAccepted(rows);
    }
    const w = config.webhooks;
    const deliveries = new WebhookDeliveryStore(store.db, store.dialect, plaintextCipher);
    const feed = new EventFeed(store.db, plaintextCipher);
    // The receiver listens on loopback: allowed explicitly, as an operator would.
    const sender = new WebhookSender({
      timeoutMs: w.timeoutMs,
      policy: new EgressPolicy(['127.0.0.1/32']),
    });
    const worker = new WebhookWorker(
      {
        feed,
        deliveries,
        endpoints,
        horizon: new EventHorizon(feed, {
          start: () => deliveries.cursor(),
          waitMs: w.gapWaitMs,
          minIntervalMs: w.pollMs / 2,
        }),
        sender,
        log: pino({ level: 'warn' }),
      },
      {
        node: 'bench',
        retry: {
          baseMs: w.backoffBaseMs,
          maxMs: w.backoffMaxMs,
          maxAgeMs: w.maxAgeHours * 3600_000,
        },
        perEndpoint: args['per-endpoint'] ? Number(args['per-endpoint']) : w.perEndpoint,
        perTenant: w.perTenant,
        global: w.global,
        leaseMs: w.leaseSeconds * 1000,
        timeoutMs: w.timeoutMs,
        pollMs: w.pollMs,
        retentionMs: w.retentionDays * 24 * 3600_000,
        pruneEveryMs: 3600_000,
      },
    );
    const cpu0 = process.cpuUsage();
    const recv0 = procCounters(receiver.pid)?.cpuSeconds ?? 0;
    const started = Date.now();
    await worker.start();
    const last = Number(
      (
        await store.db
          .selectFrom('message_events')
          .select((eb) => eb.fn.max('id').as('m'))
          .executeTakeFirstOrThrow()
      ).m,
    );
    let fanOutAt = 0;
    let lastProgress = Date.now();
    let delivered = 0;
    for (;;) {
      await sleep(50);
      if (!fanOutAt && (await deliveries.cursor()) >= last) fanOutAt = Date.now();
      const counts = await deliveries.countByStatus();
      if ((counts.delivered ?? 0) > delivered) {
        delivered = counts.delivered ?? 0;
        lastProgress = Date.now();
      }
      if (delivered >= N) break;
      if (Date.now() - lastProgress > 30_000)
        throw new Error(`no progress for 30 s: ${JSON.stringify(counts)}`);
    }
    const doneAt = Number(
      (
        await store.db
          .selectFrom('webhook_deliveries')
          .select((eb) => eb.fn.max('delivered_at').as('m'))
          .executeTakeFirstOrThrow()
      ).m,
    );
    const cpu = process.cpuUsage(cpu0);
    const receiverCpuS = (procCounters(receiver.pid)?.cpuSeconds ?? 0) - recv0;
    await worker.stop();
    sender.close();
    const wallS = (doneAt - started) / 1000;
    return {
      db,
      events: N,
      endpoints: E,
      fanOutS: (fanOutAt - started) / 1000,
      wallS,
      perS: N / wallS,
      cpuS: (cpu.user + cpu.system) / 1e6,
      receiverCpuS,
    };
  } finally {
    await receiver.stop();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results: Figures[] = [];
let pg: PostgresServer | null = null;
try {
  for (const db of dbs as Array<'sqlite' | 'postgres'>) {
    if (db === 'postgres') pg ??= await startPostgres();
    const r = await run(db, db === 'postgres' ? pg : null);
    results.push(r);
    log(`${db}: ${r.perS.toFixed(0)} deliveries/s`);
  }
} finally {
  // pg's pool.end() resolves before its sockets are closed: let them go before the server does.
  await sleep(500);
  await pg?.stop();
}
process.stdout.write(
  [
    '',
    `Webhook dispatcher: ${N} events, ${E} endpoint(s) (one per tenant), receiver answers 200`,
    '',
    '| db | events | endpoints | fan-out done | all delivered | deliveries/s | worker CPU | receiver CPU |',
    '| -- | -----: | --------: | -----------: | ------------: | -----------: | ---------: | -----------: |',
    ...results.map(
      (r) =>
        `| ${r.db} | ${r.events} | ${r.endpoints} | ${r.fanOutS.toFixed(2)} s | ${r.wallS.toFixed(2)} s | ${r.perS.toFixed(0)} | ${r.cpuS.toFixed(1)} s | ${r.receiverCpuS.toFixed(1)} s |`,
    ),
    '',
  ].join('\n'),
);
