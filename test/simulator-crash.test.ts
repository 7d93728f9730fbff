// A crash of the default install loses no receipt: `hongyan start` with no channel configured runs
// the carrier simulator in its own process. SIGKILL it while the simulator still owes the receipts
// of hundreds of submitted messages, start it again on the same data dir, and every message reaches
// its final status (none stays `submitted` for the 48 h receipt timeout), charged once
// (docs/delivery-guarantees.md).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { databases } from './support/databases.ts';
import { freePort } from './support/embedded-postgres.ts';
import { startHongyanProcess, waitFor } from './support/platform.ts';
import type { Store } from '../src/store/db.ts';
import { LedgerStore } from '../src/store/ledger.ts';

const MESSAGES = 400;
// Long enough that the receipts are still owed when the process dies.
const RECEIPT_DELAY_MS = 5000;
const FINAL = ['delivered', 'undelivered', 'expired', 'rejected', 'failed', 'unknown'];

for (const database of databases) {
  describe(`embedded simulator crash on ${database.dialect}`, () => {
    let store: Store;
    let env: Record<string, string>;
    let child: ChildProcess | null = null;

    before(async () => {
      const opened = await database.open();
      store = opened.store;
      // The default install: no config file, every role, the built-in simulator as the channel.
      env = {
        ...(process.env as Record<string, string>),
        HONGYAN_DATA_DIR: opened.dataDir,
        HONGYAN_HTTP_PORT: String(await freePort()),
        HONGYAN_SMPP_PORT: String(await freePort()),
        HONGYAN_CMPP_PORT: String(await freePort()),
        HONGYAN_SIMULATOR_PORT: String(await freePort()),
        HONGYAN_SIMULATOR_RECEIPT_DELAY_MS: String(RECEIPT_DELAY_MS),
        HONGYAN_LOG_LEVEL: 'error',
      };
      delete env.DATABASE_URL;
      delete env.HONGYAN_CONFIG;
      delete env.HONGYAN_ROLES;
      if (opened.databaseUrl) env.DATABASE_URL = opened.databaseUrl;
    });
    after(async () => {
      child?.kill('SIGKILL');
      await store.close();
    });

    async function startHongyan(): Promise<void> {
      child = await startHongyanProcess(env);
    }

    const byStatus = async (): Promise<Record<string, number>> => {
      const rows = await sql<{
        status: string;
        n: number;
      }>`select status, count(*) as n from messages group by status`.execute(store.db);
      return Object.fromEntries(rows.rows.map((r) => [r.status, Number(r.n)]));
    };

    test('SIGKILL with receipts owed, restart: the simulator delivers them; every message final, charged once', async () => {
      await startHongyan();
      const key = readFileSync(join(env.HONGYAN_DATA_DIR!, 'demo-api-key.txt'), 'utf8').trim();
      // Numbers ending in 000x are the simulator's failure cases: keep clear of them.
      const numbers = Array.from(
        { length: MESSAGES },
        (_, i) => `+86139${String(i).padStart(4, '0')}1234`,
      );
      const res = await fetch(`http://127.0.0.1:${env.HONGYAN_HTTP_PORT}/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ to: numbers, text: 'crash test' }),
      });
      assert.equal(res.status, 202);
      await waitFor(
        async () => {
          const now = await byStatus();
          const submitted = now.submitted ?? 0;
          // On a slow machine the first receipts may come before the last submits.
          return (
            submitted >= MESSAGES * 0.9 || ((now.queued ?? 0) === 0 && submitted >= MESSAGES / 2)
          );
        },
        60_000,
        'most messages to be submitted',
      );
      child!.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));

      const atDeath = await byStatus();
      assert.ok(
        (atDeath.submitted ?? 0) >= MESSAGES / 2,
        `the kill landed while receipts were owed: ${JSON.stringify(atDeath)}`,
      );
      const journalFile = join(env.HONGYAN_DATA_DIR!, 'smpp-simulator.journal');
      const journal = existsSync(journalFile)
        ? (() => {
            const text = readFileSync(journalFile, 'utf8');
            return {
              mode: statSync(journalFile).mode,
              text,
              lines: text.split('\n').filter((l) => l.startsWith('["+"')).length,
            };
          })()
        : null;

      await startHongyan();
      await waitFor(
        async () => {
          const now = await byStatus();
          return (now.queued ?? 0) + (now.submitted ?? 0) === 0;
        },
        120_000,
        'every message to be final',
      ).catch(async (err: Error) => {
        throw new Error(`${err.message}: messages ${JSON.stringify(await byStatus())}`);
      });
      child!.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
      child = null;

      assert.deepEqual(await byStatus(), { delivered: MESSAGES });
      assert.ok(journal, 'the simulator kept what it owed in the data dir');
      assert.equal(journal.mode & 0o777, 0o600);
      assert.ok(journal.lines >= (atDeath.submitted ?? 0), 'every submitted message is owed');
      assert.ok(!journal.text.includes('crash test'), 'no message text at rest');
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
      // The books: every hold settled once, nothing charged twice.
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
      // The ledger's own count: charge entries cover each part once, for its price once.
      const ledger = await sql<{ parts: number; charged: number }>`
        select sum(quantity) as parts, -sum(held_change) as charged from ledger_entries where kind = 'charge'`.execute(
        store.db,
      );
      assert.equal(Number(ledger.rows[0]!.parts), MESSAGES);
      assert.equal(Number(ledger.rows[0]!.charged), MESSAGES * 450);
    });
  });
}
