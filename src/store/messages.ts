// Accepting and reading messages. Acceptance writes the messages, their parts and first events
// with the package's use, the balance hold and the idempotency record in one transaction (who
// pays is decided by core/billing/affordability.ts); the reads serve the API, the export and the
// operator. The queue is store/dispatch-queue.ts; final statuses and their money are
// store/settlement.ts.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, MessageTable } from './schema.ts';
import type { Dialect } from './db.ts';
import { chunks } from './json-rows.ts';
import { plaintextCipher, type BodyCipher } from '../security/body-cipher.ts';
import { lockBalance, post } from './ledger.ts';
import { recordChanges, type StatusChange } from './settlement.ts';
import {
  insertMessageRows,
  toRow,
  toView,
  type MessageView,
  type NewMessage,
} from './message-rows.ts';
import { fitBalance, payFromPackage, totalAmount } from '../core/billing/affordability.ts';
import { encodeTime } from 'ulid';

export interface IdempotencyRecord {
  tenantId: string;
  key: string;
  requestHash: string;
  statusCode: number;
  response: string;
}

export interface ListFilter {
  status?: string;
  to?: string;
  clientRef?: string;
  batchId?: string;
  /** Failure category (core/failure-category.ts), as stored with the final status. */
  category?: string;
  class?: string;
  createdFrom?: number;
  createdTo?: number;
  after?: string;
  limit: number;
}

/** What an acceptance writes besides the messages (MessageStore.insertAccepted). */
export interface AcceptWrites {
  hold?: { tenantId: string; currency: string; batchId: string; partial: boolean };
  /** Use the contract's package first: messages that fit in what is left cost nothing more. */
  quota?: { contractId: string };
  idempotency?: (
    accepted: NewMessage[],
    unaffordable: NewMessage[],
  ) => IdempotencyRecord | undefined;
  /** More writes that belong to the same acceptance (a review item), in its transaction. */
  afterInsert?: (trx: Transaction<Database>, accepted: NewMessage[]) => Promise<void>;
}

// Up to this many messages are accepted in one transaction; more are committed, then published
// PUBLISH_SLICE at a time (insertAccepted). A slice costs SQLite some 25–50 ms.
const ACCEPT_AT_ONCE = 1000;
const PUBLISH_SLICE = 500;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class MessageStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    /** Seals bodies on write, opens them on read (encryption at rest). */
    private readonly cipher: BodyCipher = plaintextCipher,
  ) {}

  /**
   * Accept: the balance hold, the messages, their parts and first events, and the idempotency
   * record, in one transaction. With `hold`, the messages are paid for from the available balance:
   * all of them, or (partial) those that fit in order; otherwise insufficient_balance, nothing
   * written.
   *
   * On SQLite a large acceptance would hold the only connection (one writer, and every query of
   * every tenant waits for it) for the whole insert, so above ACCEPT_AT_ONCE messages it commits
   * in two steps: one short transaction
   * decides everything (package, hold, idempotency record, review item) and stores the sealed rows
   * as a few accept_slices rows; then each slice is published (messages, parts, events) in its own
   * transaction that also deletes it. Nothing is visible to the dispatcher, the tenant or the event
   * readers before its slice is published, and a slice committed but not yet published when the
   * process dies is published by publishStaged at the next start: the accepted set is exactly what
   * the first transaction committed, once.
   */
  async insertAccepted(
    all: NewMessage[],
    opts: AcceptWrites = {},
  ): Promise<{ accepted: NewMessage[]; unaffordable: NewMessage[] }> {
    // PostgreSQL: one transaction holds one pooled connection and blocks nobody else's writes.
    if (all.length <= ACCEPT_AT_ONCE || this.dialect === 'postgres') {
      return this.db.transaction().execute(async (trx) => {
        const now = Date.now();
        const decided = await this.#decide(trx, all, opts, now);
        for (const [i, chunk] of chunks(decided.accepted, 500).entries()) {
          if (i > 0) await nextTurn();
          await insertMessageRows(
            trx,
            chunk.map((m) => toRow(m, this.cipher.seal(m.text, m.id))),
          );
        }
        if (opts.afterInsert) await opts.afterInsert(trx, decided.accepted);
        return decided;
      });
    }
    // Sealing is the costly part of building a row: done before the transaction, in slices.
    const sealed = new Map<string, { data: string; keyId: string | null }>();
    for (const [i, m] of all.entries()) {
      if (i > 0 && i % 500 === 0) await nextTurn();
      sealed.set(m.id, this.cipher.seal(m.text, m.id));
    }
    const staged: number[] = [];
    const decided = await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      staged.length = 0;
      const d = await this.#decide(trx, all, opts, now);
      for (const chunk of chunks(d.accepted, PUBLISH_SLICE)) {
        const r = await trx
          .insertInto('accept_slices')
          .values({
            batch_id: chunk[0]!.batchId,
            tenant_id: chunk[0]!.tenantId,
            rows: JSON.stringify(chunk.map((m) => toRow(m, sealed.get(m.id)!))),
            created_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        staged.push(Number(r.id));
      }
      if (opts.afterInsert) await opts.afterInsert(trx, d.accepted);
      return d;
    });
    for (const id of staged) {
      await nextTurn();
      await this.#publishSlice(id);
    }
    return decided;
  }

  /**
   * Publish what a process that died left committed but unpublished (call at start; on several
   * nodes any of them may, a slice is published once). Returns the number of messages published.
   */
  async publishStaged(createdBefore = Number.MAX_SAFE_INTEGER): Promise<number> {
    const ids = await this.db
      .selectFrom('accept_slices')
      .select('id')
      .where('created_at', '<', createdBefore)
      .orderBy('id')
      .execute();
    let published = 0;
    for (const { id } of ids) {
      published += await this.#publishSlice(Number(id));
      await nextTurn();
    }
    return published;
  }

  /** One slice: delete it and insert its messages, parts and events, in one transaction. */
  async #publishSlice(id: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      // Deleting first claims the slice: a second publisher (another node) finds nothing.
      const slice = await trx
        .deleteFrom('accept_slices')
        .where('id', '=', id)
        .returning('rows')
        .executeTakeFirst();
      if (!slice) return 0;
      const rows = JSON.parse(slice.rows) as MessageTable[];
      await insertMessageRows(trx, rows);
      return rows.length;
    });
  }

  /**
   * Which messages this acceptance takes and who pays (core/billing/affordability.ts decides): the
   * package's use and the balance hold are written with the idempotency record. The contract and
   * balance rows are locked (PostgreSQL) so concurrent acceptances decide one after the other.
   */
  async #decide(
    trx: Transaction<Database>,
    all: NewMessage[],
    opts: AcceptWrites,
    now: number,
  ): Promise<{ accepted: NewMessage[]; unaffordable: NewMessage[] }> {
    let priced = all;
    if (opts.quota) {
      const contractId = opts.quota.contractId;
      const lock = this.dialect === 'postgres' ? sql`for update` : sql``;
      const r = await sql<{
        left: number;
      }>`select quota - quota_used as left from contracts where id = ${contractId} ${lock}`.execute(
        trx,
      );
      const paid = payFromPackage(all, Number(r.rows[0]?.left ?? 0));
      priced = paid.messages;
      if (paid.partsUsed > 0)
        await trx
          .updateTable('contracts')
          .set((eb) => ({ quota_used: eb('quota_used', '+', paid.partsUsed) }))
          .where('id', '=', contractId)
          .execute();
    }
    let accepted = priced;
    let unaffordable: NewMessage[] = [];
    const hold = opts.hold;
    if (hold && totalAmount(priced) > 0) {
      const { available } = await lockBalance(trx, this.dialect, hold.tenantId, now);
      const fit = fitBalance(priced, available, hold);
      ({ accepted, unaffordable } = fit);
      if (fit.hold.amount > 0) {
        await post(
          trx,
          {
            tenantId: hold.tenantId,
            currency: hold.currency,
            kind: 'hold',
            amount: -fit.hold.amount,
            heldChange: fit.hold.amount,
            reason: `${accepted.length} messages, ${fit.hold.parts} parts`,
            batchId: hold.batchId,
            quantity: fit.hold.parts,
          },
          now,
        );
      }
    }
    const idempotency = opts.idempotency?.(accepted, unaffordable);
    if (idempotency) {
      await trx
        .insertInto('idempotency_keys')
        .values({
          tenant_id: idempotency.tenantId,
          key: idempotency.key,
          request_hash: idempotency.requestHash,
          status_code: idempotency.statusCode,
          response: idempotency.response,
          created_at: now,
        })
        .execute();
    }
    return { accepted, unaffordable };
  }

  async findIdempotency(
    tenantId: string,
    key: string,
  ): Promise<{ requestHash: string; statusCode: number; response: string } | undefined> {
    const row = await this.db
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'status_code', 'response'])
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .executeTakeFirst();
    return (
      row && { requestHash: row.request_hash, statusCode: row.status_code, response: row.response }
    );
  }

  /** One of a tenant's messages; with `text`, its body opened (callers audit that read). */
  async get(
    tenantId: string,
    id: string,
    opts: { text?: boolean } = {},
  ): Promise<MessageView | undefined> {
    const row = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const parts = await this.db
      .selectFrom('message_parts')
      .selectAll()
      .where('message_id', '=', id)
      .orderBy('seq')
      .execute();
    return {
      ...toView(row),
      ...(opts.text ? { text: this.cipher.open(row.text, row.text_key_id, row.id) } : {}),
      partDetails: parts.map((p) => ({
        seq: Number(p.seq),
        status: p.status,
        carrierId: p.carrier_id,
        stat: p.stat,
        err: p.err,
        commandStatus: p.command_status === null ? null : Number(p.command_status),
        submittedAt: p.submitted_at,
        doneAt: p.done_at,
      })),
    };
  }

  /** Newest first; `after` is the last id of the previous page. With `text`, bodies opened. */
  async list(
    tenantId: string,
    f: ListFilter,
    opts: { text?: boolean } = {},
  ): Promise<MessageView[]> {
    const rows = await filtered(this.db, tenantId, f)
      .selectAll()
      .orderBy('id', 'desc')
      .limit(f.limit)
      .execute();
    return rows.map((r) =>
      opts.text ? { ...toView(r), text: this.cipher.open(r.text, r.text_key_id, r.id) } : toView(r),
    );
  }

  /** How many messages a filter selects, counting no further than `max` (the export's bound). */
  async countUpTo(tenantId: string, f: Omit<ListFilter, 'limit'>, max: number): Promise<number> {
    const inner = filtered(this.db, tenantId, { ...f, limit: max })
      .select('id')
      .limit(max);
    const r = await this.db
      .selectFrom(inner.as('m'))
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /**
   * What the store recorded about one of a tenant's messages over time: its status events, and the
   * carrier's receipts with the part each was for (undefined: no such message for this tenant).
   */
  async history(
    tenantId: string,
    id: string,
  ): Promise<
    | {
        events: Array<{ status: string; detail: string | null; at: number }>;
        receipts: Array<{
          stat: string;
          err: string | null;
          status: string | null;
          seq: number | null;
          at: number;
        }>;
      }
    | undefined
  > {
    const own = await this.db
      .selectFrom('messages')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!own) return undefined;
    const events = await this.db
      .selectFrom('message_events')
      .select(['status', 'detail', 'created_at'])
      .where('message_id', '=', id)
      .where('tenant_id', '=', tenantId)
      .orderBy('id')
      .execute();
    const receipts = await this.db
      .selectFrom('receipts as r')
      .leftJoin('message_parts as p', (j) =>
        j
          .onRef('p.message_id', '=', 'r.message_id')
          .onRef('p.channel_id', '=', 'r.channel_id')
          .onRef('p.carrier_id', '=', 'r.carrier_id'),
      )
      .select(['r.stat', 'r.err', 'r.status', 'r.received_at', 'p.seq'])
      .where('r.message_id', '=', id)
      .orderBy('r.id')
      .execute();
    return {
      events: events.map((e) => ({ status: e.status, detail: e.detail, at: Number(e.created_at) })),
      receipts: receipts.map((r) => ({
        stat: r.stat,
        err: r.err,
        status: r.status,
        seq: r.seq === null ? null : Number(r.seq),
        at: Number(r.received_at),
      })),
    };
  }

  /**
   * A reviewer's decision on a held batch: approved messages join the queue; rejected (or expired)
   * ones fail with content_rejected and their holds are released — in one transaction.
   */
  async releaseHeld(
    trx: Transaction<Database>,
    batchId: string,
    approve: boolean,
    detail: string,
    now: number,
  ): Promise<StatusChange[]> {
    const rows = approve
      ? await trx
          .updateTable('messages')
          .set({ status: 'queued', next_attempt_at: now })
          .where('batch_id', '=', batchId)
          .where('status', '=', 'held')
          .returning(['id', 'tenant_id', 'status'])
          .execute()
      : await trx
          .updateTable('messages')
          .set({
            status: 'failed',
            error_code: 'content_rejected',
            error_detail: detail,
            done_at: now,
          })
          .where('batch_id', '=', batchId)
          .where('status', '=', 'held')
          .returning(['id', 'tenant_id', 'status'])
          .execute();
    if (!approve && rows.length > 0) {
      await trx
        .updateTable('message_parts')
        .set({ status: 'failed', done_at: now })
        .where(
          'message_id',
          'in',
          rows.map((r) => r.id),
        )
        .where('status', '=', 'queued')
        .execute();
    }
    await recordChanges(trx, this.dialect, rows, now);
    return rows;
  }

  /** Message bodies, for the few views allowed to show them. */
  async texts(tenantId: string, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('messages')
      .select(['id', 'text', 'text_key_id'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', ids)
      .execute();
    return new Map(rows.map((r) => [r.id, this.cipher.open(r.text, r.text_key_id, r.id)]));
  }

  /** Counts by status, for one tenant or everyone (operator, tests, the crash check). */
  async countByStatus(tenantId?: string): Promise<Record<string, number>> {
    let q = this.db
      .selectFrom('messages')
      .select(['status', sql<number>`count(*)`.as('n')])
      .groupBy('status');
    if (tenantId) q = q.where('tenant_id', '=', tenantId);
    const rows = await q.execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }
}

// Ids are ULIDs: their first 10 characters are the creation time. A date range is also an id range,
// so every filter index (which ends in id) serves it. Ids chosen before acceptance (SMPP/CMPP
// reassembly, at most minutes) may be older than created_at, and a clock stepped back may make them
// newer: the id range is widened by these margins and created_at stays the exact test.
export const ID_EARLIER_MS = 24 * 3600_000;
const ID_LATER_MS = 5 * 60_000;
const idAt = (ms: number) => `msg_${encodeTime(Math.max(0, ms), 10)}0000000000000000`;

/** The list's WHERE: each filter an equality on an index that ends in id, dates as an id range. */
function filtered(db: Kysely<Database>, tenantId: string, f: ListFilter) {
  let q = db.selectFrom('messages').where('tenant_id', '=', tenantId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.to) q = q.where('to', '=', f.to);
  if (f.clientRef) q = q.where('client_ref', '=', f.clientRef);
  if (f.batchId) q = q.where('batch_id', '=', f.batchId);
  if (f.category) q = q.where('failure_category', '=', f.category);
  if (f.class) q = q.where('class', '=', f.class);
  // `+created_at`: a plain filter, so the planner walks an id-ordered index instead of sorting.
  if (f.createdFrom !== undefined)
    q = q
      .where('id', '>=', idAt(f.createdFrom - ID_EARLIER_MS))
      .where(sql<number>`+created_at`, '>=', f.createdFrom);
  if (f.createdTo !== undefined)
    q = q
      .where('id', '<', idAt(f.createdTo + ID_LATER_MS))
      .where(sql<number>`+created_at`, '<', f.createdTo);
  if (f.after) q = q.where('id', '<', f.after);
  return q;
}
