// Login throttling counters in the database, so every node behind a load balancer counts the
// same tries (core/security/login-throttle.ts has the policy; migration 019 the table).
import { sql, type Kysely } from 'kysely';
import {
  knownKey,
  type CounterKey,
  type CounterRule,
  type Reservation,
  type ReserveOptions,
  type ThrottleCounters,
} from '../core/security/login-throttle.ts';
import type { Database, LoginThrottleTable } from './schema.ts';

// Expired rows are deleted at most this often per process.
const SWEEP_EVERY_MS = 60_000;

export class StoreThrottleCounters implements ThrottleCounters {
  #lastSweep = 0;

  constructor(private readonly db: Kysely<Database>) {}

  async blockedUntil(key: CounterKey, now: number): Promise<number> {
    const row = await this.db
      .selectFrom('login_throttle')
      .select('blocked_until')
      .where('key', '=', key.key)
      .executeTakeFirst();
    const until = row === undefined ? 0 : Number(row.blocked_until);
    return until > now ? until : 0;
  }

  // The table holds no more rows than tries were admitted (the address is checked before any
  // row is made) and expired rows are swept, so `evenIfFull` has nothing to do here.
  async reserve(
    key: CounterKey,
    rule: CounterRule,
    now: number,
    opts: ReserveOptions = {},
  ): Promise<Reservation> {
    await this.#sweep(now);
    return await this.db.transaction().execute(async (trx) => {
      // Insert-or-touch takes the row lock on PostgreSQL (held to commit) and reads the row in
      // one statement, so two nodes' reservations of one key run one after the other; SQLite
      // has one writer.
      const row = (await trx
        .insertInto('login_throttle')
        .values({
          key: key.key,
          name: key.name,
          count: 0,
          window_start: now,
          blocked_until: 0,
          expires_at: now + rule.windowMs,
        })
        .onConflict((oc) => oc.column('key').doUpdateSet({ key: (eb) => eb.ref('excluded.key') }))
        .returningAll()
        .executeTakeFirstOrThrow()) as LoginThrottleTable;
      const blockedUntil = Number(row.blocked_until);
      if (blockedUntil > now && !opts.evenIfBlocked)
        return { ok: false as const, until: blockedUntil };
      let count = Number(row.count);
      let windowStart = Number(row.window_start);
      if (now - windowStart >= rule.windowMs) {
        count = 0;
        windowStart = now;
      }
      count++;
      // A block still running stays (a try counted through it: `evenIfBlocked`); reaching the
      // limit blocks at least until the rule says.
      const running = blockedUntil > now ? blockedUntil : 0;
      const blocked = count >= rule.limit ? Math.max(running, now + rule.blockMs(count)) : running;
      await trx
        .updateTable('login_throttle')
        .set({
          count,
          window_start: windowStart,
          blocked_until: blocked,
          expires_at: Math.max(windowStart + rule.windowMs, blocked),
        })
        .where('key', '=', key.key)
        .execute();
      return { ok: true as const, count };
    });
  }

  async release(key: CounterKey, rule: CounterRule, now: number): Promise<void> {
    await this.db
      .updateTable('login_throttle')
      .set((eb) => ({
        count: eb('count', '-', 1),
        // Below the limit again (the try that reached it was right): no block.
        blocked_until: eb
          .case()
          .when('count', '<=', rule.limit)
          .then(sql<number>`0`)
          .else(eb.ref('blocked_until'))
          .end(),
      }))
      .where('key', '=', key.key)
      .where('count', '>', 0)
      .execute();
    // A try given back leaves nothing behind (a row still counting or blocking stays).
    await this.db
      .deleteFrom('login_throttle')
      .where('key', '=', key.key)
      .where('count', '=', 0)
      .where('blocked_until', '<=', now)
      .execute();
  }

  async clear(key: CounterKey): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', '=', key.key).execute();
  }

  async isKnown(name: string, address: string, now: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('login_throttle')
      .select('expires_at')
      .where('key', '=', knownKey(name, address))
      .executeTakeFirst();
    return row !== undefined && Number(row.expires_at) > now;
  }

  async markKnown(name: string, address: string, until: number): Promise<void> {
    const key = knownKey(name, address);
    await this.db
      .insertInto('login_throttle')
      .values({ key, name, count: 0, window_start: 0, blocked_until: 0, expires_at: until })
      .onConflict((oc) => oc.column('key').doUpdateSet({ expires_at: until }))
      .execute();
  }

  async forgetName(name: string): Promise<void> {
    // Known addresses stay known: forgetting them would only slow the user down.
    await this.db
      .deleteFrom('login_throttle')
      .where('name', '=', name)
      .where('key', 'not like', 'k:%')
      .execute();
  }

  async #sweep(now: number): Promise<void> {
    if (now - this.#lastSweep < SWEEP_EVERY_MS) return;
    this.#lastSweep = now;
    await this.db.deleteFrom('login_throttle').where('expires_at', '<', now).execute();
  }
}
