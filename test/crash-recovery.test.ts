// Nothing lost: SIGKILL the platform while a batch is being dispatched, start it again, and
// every accepted message reaches exactly one final status. A part is sent twice only when its
// submit_sm_resp had not been written to the database when the process died (docs/delivery-guarantees.md).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { databases } from './support/databases.ts';
import { freePort } from './support/embedded-postgres.ts';
import { startHongyanProcess, waitFor } from './support/platform.ts';
import { SmscSimulator } from '../src/simulator/smsc.ts';
import type { Store } from '../src/store/db.ts';
import { LedgerStore } from '../src/store/ledger.ts';

const MESSAGES = 3000;
const FINAL = ['delivered', 'undelivered', 'expired', 'rejected', 'failed', 'unknown'];

for (const database of databases) {
  describe(`crash recovery on ${database.dialect}`, () => {
    let sim: SmscSimulator;
    let store: Store;
    let env: Record<string, string>;
    let child: ChildProcess | null = null;
    const seen = new Map<string, number>();

    before(async () => {
      sim = new SmscSimulator({ receiptDelayMs: 30 });
      sim.on('submit', (e) => seen.set(e.destinationAddr, (seen.get(e.destinationAddr) ?? 0) + 1));
      const { port: simPort } = await sim.start();
      const opened = await database.open();
      store = opened.store;
      const configFile = join(opened.dataDir, 'hongyan.json');
      // A slow channel, so the kill lands in the middle of the batch.
      writeFileSync(
        configFile,
        JSON.stringify({ channels: [{ id: 'sim', port: simPort, throughput: 1500, window: 50 }] }),
      );
      env = {
        ...(process.env as Record<string, string>),
        HONGYAN_CONFIG: configFile,
        HONGYAN_DATA_DIR: opened.dataDir,
        HONGYAN_ROLES: 'api,dispatcher,worker',
        HONGYAN_HTTP_PORT: String(await freePort()),
        HONGYAN_SMPP_PORT: String(await freePort()),
        HONGYAN_CMPP_PORT: String(await freePort()),
        HONGYAN_LOG_LEVEL: 'error',
        ...(opened.databaseUrl ? { DATABASE_URL: opened.databaseUrl } : {}),
      };
    });
    after(async () => {
      child?.kill('SIGKILL');
      await store.close();
      await sim.stop();
    });

    // Fresh ports on every start: a port chosen before the kill may be taken by another test's
    // process by the time of the restart (seen once: the restarted node died on EADDRINUSE).
    async function startHongyan(): Promise<void> {
      env.HONGYAN_HTTP_PORT = String(await freePort());
      env.HONGYAN_SMPP_PORT = String(await freePort());
      env.HONGYAN_CMPP_PORT = String(await freePort());
      child = await startHongyanProcess(env);
    }

    const count = async (where: string) =>
      Number(
        (
          await sql<{
            n: number;
          }>`select count(*) as n from message_parts where ${sql.raw(where)}`.execute(store.db)
        ).rows[0]!.n,
      );

    test('SIGKILL mid-dispatch, restart: every message final once; only unrecorded parts resent', async () => {
      await startHongyan();
      const key = readFileSync(join(env.HONGYAN_DATA_DIR!, 'demo-api-key.txt'), 'utf8').trim();
      // Numbers ending in 000x are the simulator's failure cases: keep clear of them.
      const numbers = Array.from(
        { length: MESSAGES },
        (_, i) => `+86139${String(i).padStart(4, '0')}1234`,
      );
      for (let i = 0; i < MESSAGES; i += 1000) {
        const res = await fetch(`http://127.0.0.1:${env.HONGYAN_HTTP_PORT}/v1/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ to: numbers.slice(i, i + 1000), text: 'crash test' }),
        });
        assert.equal(res.status, 202);
      }
      await waitFor(
        async () => (await count('carrier_id is not null')) >= MESSAGES / 4,
        20_000,
        'a quarter of the parts to be submitted',
      );
      child!.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));

      // What the database knew at the moment of death.
      const recorded = await sql<{ to: string }>`
        select m."to" from message_parts p join messages m on m.id = p.message_id where p.carrier_id is not null`.execute(
        store.db,
      );
      const recordedNumbers = new Set(recorded.rows.map((r) => r.to.replace('+', '')));
      assert.ok(recordedNumbers.size < MESSAGES, 'the kill landed mid-batch');

      await startHongyan();
      await waitFor(
        async () =>
          (await count(
            `status in ('delivered','undelivered','expired','rejected','failed','unknown')`,
          )) === MESSAGES,
        60_000,
        'every part to be final',
      ).catch(async (err) => {
        const parts =
          await sql`select status, count(*) as n, count(carrier_id) as c from message_parts group by status`.execute(
            store.db,
          );
        const r = await sql`select state, count(*) as n from receipts group by state`.execute(
          store.db,
        );
        throw new Error(
          `${err.message}: parts ${JSON.stringify(parts.rows)} receipts ${JSON.stringify(r.rows)} simulator ${JSON.stringify(sim.stats())}`,
        );
      });
      await waitFor(
        async () => {
          const r = await sql<{
            n: number;
          }>`select count(*) as n from messages where status in ('queued','submitted')`.execute(
            store.db,
          );
          return Number(r.rows[0]!.n) === 0;
        },
        10_000,
        'every message to be final',
      );
      child!.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
      child = null;

      const statuses = await sql<{
        status: string;
        n: number;
      }>`select status, count(*) as n from messages group by status`.execute(store.db);
      assert.deepEqual(
        statuses.rows.map((r) => [r.status, Number(r.n)]),
        [['delivered', MESSAGES]],
      );
      // Exactly one final event per message.
      const finals = sql.join(FINAL.map((s) => sql.lit(s)));
      const events = await sql<{ message_id: string; n: number }>`
        select message_id, count(*) as n from message_events where status in (${finals}) group by message_id`.execute(
        store.db,
      );
      assert.equal(events.rows.length, MESSAGES);
      assert.ok(
        events.rows.every((r) => Number(r.n) === 1),
        'one final event per message',
      );
      // Parts the database had recorded were never sent again.
      for (const n of recordedNumbers)
        assert.equal(seen.get(n), 1, `${n} was recorded before the kill and must not be resent`);
      // Every message reached the carrier, and a part the database had not recorded went again at
      // most once more (the one send before the kill, the one after). How many there were depends
      // on how busy the machine was when the kill landed, so the count is not asserted.
      assert.equal(seen.size, MESSAGES);
      const twice = [...seen.entries()].filter(([, n]) => n > 2);
      assert.deepEqual(twice, [], 'no part sent more than twice');
      // The books survived the crash: every hold settled exactly once, nothing charged twice.
      const books = await new LedgerStore(store.db, store.dialect).verify();
      assert.deepEqual(books.differences, []);
      const held = await sql<{
        n: number;
      }>`select count(*) as n from messages where billing <> 'settled'`.execute(store.db);
      assert.equal(Number(held.rows[0]!.n), 0);
      const charged = await sql<{ s: number }>`select sum(charged) as s from messages`.execute(
        store.db,
      );
      assert.equal(
        Number(charged.rows[0]!.s),
        MESSAGES * 450,
        'each message charged its 0.0450 once',
      );
    });
  });
}
