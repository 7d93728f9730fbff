// Messages and their parts: the queue, the dispatch outcomes and the reads the API needs.
// Hot paths are set-based (one statement per batch) so the queue keeps up on SQLite and PostgreSQL.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, MessageTable } from './schema.ts';
import type { Dialect } from './db.ts';
import { chunks, field, intField, jsonRows } from './json-rows.ts';
import { plaintextCipher, type BodyCipher } from '../security/body-cipher.ts';
import { lockBalance, post, settleHolds } from './ledger.ts';
import { DomainError } from '../core/errors.ts';
import { formatAmount } from '../core/billing/money.ts';
import { categoriseErrorCode, type CategoryRule } from '../core/failure-category.ts';
import { encodeTime } from 'ulid';

export interface NewMessage {
  id: string;
  tenantId: string;
  batchId: string;
  clientRef: string | null;
  to: string;
  text: string;
  encoding: string;
  parts: number;
  concatRef: number;
  createdAt: number;
  /** Sent with a test key: simulator only, never billed. */
  test?: boolean;
  class?: string;
  /** Price per part and parts × price, minor units; held at acceptance unless free. */
  price?: number;
  amount?: number;
  destination?: string | null;
  /** Paid by the contract's package: no price of its own. */
  package?: boolean;
  templateId?: string | null;
  textHash?: string | null;
  /** Held for manual review (status held) with why, or null. */
  compliance?: string | null;
  held?: boolean;
  /** Not to be dispatched before this time (marketing outside its sending hours). */
  notBefore?: number | null;
  /** Status events go to this URL instead of the tenant's webhook endpoints. */
  callbackUrl?: string | null;
  /** Which status events go there: stored status selectors, null = all. */
  callbackStatuses?: string | null;
  /** Came in over SMPP: the account, the client's source_addr, receipt wanted, its submit_sm count. */
  origin?: MessageOrigin;
}

/** How a message came in when not over the HTTP API (docs/smpp.md). */
export interface MessageOrigin {
  source: 'smpp' | 'cmpp';
  account: string;
  sourceAddr: string | null;
  /** registered_delivery & 3: 0 no receipt, 1 always, 2 on failure only. */
  receipt: number;
  parts: number;
}

export interface IdempotencyRecord {
  tenantId: string;
  key: string;
  requestHash: string;
  statusCode: number;
  response: string;
}

export interface ClaimedMessage {
  id: string;
  tenantId: string;
  to: string;
  text: string;
  encoding: string;
  partsCount: number;
  concatRef: number;
  attempts: number;
  /** Parts still to submit (1-based); on a first attempt, all of them. */
  pendingSeqs: number[];
  class: string;
  /** CN-mobile, GB…: for routing. */
  destination: string | null;
}

export interface SubmittedPart {
  messageId: string;
  seq: number;
  channelId: string;
  carrierId: string;
  at: number;
}

export interface FailedMessage {
  messageId: string;
  seq: number;
  channelId: string | null;
  commandStatus: number | null;
  errorCode: string;
  detail: string;
}

export interface RetryMessage {
  messageId: string;
  notBefore: number;
  detail: string;
}

export interface StatusChange {
  id: string;
  tenant_id: string;
  status: string;
}

export interface MessageView {
  id: string;
  batchId: string;
  clientRef: string | null;
  to: string;
  status: string;
  parts: number;
  encoding: string;
  channelId: string | null;
  class: string;
  price: number;
  amount: number;
  charged: number;
  billing: string;
  /** Why it is held (or was refused by review): rule, category, matched text. */
  compliance: Record<string, unknown> | null;
  errorCode: string | null;
  errorDetail: string | null;
  /** Stored with the final status (recordChanges); null before migration 023 wrote it. */
  failureCategory: string | null;
  createdAt: number;
  submittedAt: number | null;
  doneAt: number | null;
  /** The body as the recipient got it (signature and opt-out hint included), when asked for. */
  text?: string;
  partDetails?: Array<{
    seq: number;
    status: string;
    carrierId: string | null;
    stat: string | null;
    err: string | null;
    commandStatus: number | null;
    submittedAt: number | null;
    doneAt: number | null;
  }>;
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

/** Messages (already sealed rows), their queued parts and their first events. */
async function insertMessageRows(trx: Transaction<Database>, rows: MessageTable[]): Promise<void> {
  for (const chunk of chunks(rows, 500)) {
    await trx.insertInto('messages').values(chunk).execute();
    const parts = chunk.flatMap((m) =>
      Array.from({ length: Number(m.parts_count) }, (_, i) => ({
        message_id: m.id,
        seq: i + 1,
        status: 'queued',
      })),
    );
    for (const p of chunks(parts, 2000)) await trx.insertInto('message_parts').values(p).execute();
    await insertEvents(
      trx,
      chunk.map((m) => ({ id: m.id, tenant_id: m.tenant_id, status: m.status })),
      chunk[0]!.created_at,
    );
  }
}

/**
 * The contract's package pays for messages in order while its parts last (the first that does not
 * fit ends it): those become free. Returns the parts used. Pure: the estimate runs it too.
 */
export function fitPackage(rows: NewMessage[], partsLeft: number): number {
  let left = partsLeft;
  let used = 0;
  for (const m of rows) {
    if (left < m.parts) break;
    m.package = true;
    m.price = 0;
    m.amount = 0;
    left -= m.parts;
    used += m.parts;
  }
  return used;
}

/**
 * Which messages the available balance pays for: all of them; or (partial) those that fit, in
 * order; otherwise insufficient_balance. Pure: the estimate runs it too.
 */
export function fitBalance(
  all: NewMessage[],
  available: number,
  hold: { currency: string; partial: boolean },
): { accepted: NewMessage[]; unaffordable: NewMessage[] } {
  const total = all.reduce((sum, m) => sum + (m.amount ?? 0), 0);
  if (total <= available) return { accepted: all, unaffordable: [] };
  if (!hold.partial) {
    throw new DomainError(
      'insufficient_balance',
      `this request costs ${formatAmount(total)} ${hold.currency}; ${formatAmount(available)} is available`,
      {
        required: formatAmount(total),
        available: formatAmount(available),
        currency: hold.currency,
      },
    );
  }
  let left = available;
  const accepted: NewMessage[] = [];
  const unaffordable: NewMessage[] = [];
  for (const m of all) {
    if ((m.amount ?? 0) <= left) {
      accepted.push(m);
      left -= m.amount ?? 0;
    } else unaffordable.push(m);
  }
  if (accepted.length === 0) {
    throw new DomainError(
      'insufficient_balance',
      `not even one message fits in the available ${formatAmount(available)} ${hold.currency}`,
      { available: formatAmount(available), currency: hold.currency },
    );
  }
  return { accepted, unaffordable };
}

const FINAL_PART = ['delivered', 'undelivered', 'expired', 'rejected', 'failed', 'unknown'];

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
   * all of them, or (partial) those that fit in order; otherwise insufficient_balance, nothing written.
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

  /** Package, balance hold and idempotency record: which messages this acceptance takes. */
  async #decide(
    trx: Transaction<Database>,
    all: NewMessage[],
    opts: AcceptWrites,
    now: number,
  ): Promise<{ accepted: NewMessage[]; unaffordable: NewMessage[] }> {
    let messages = all;
    let unaffordable: NewMessage[] = [];
    const hold = opts.hold;
    if (opts.quota) await this.#usePackage(trx, opts.quota.contractId, all);
    const total = all.reduce((sum, m) => sum + (m.amount ?? 0), 0);
    if (hold && total > 0) {
      const { available } = await lockBalance(trx, this.dialect, hold.tenantId, now);
      ({ accepted: messages, unaffordable } = fitBalance(all, available, hold));
      const held = messages.reduce((sum, m) => sum + (m.amount ?? 0), 0);
      const parts = messages.reduce((sum, m) => sum + (m.amount ? m.parts : 0), 0);
      if (held > 0) {
        await post(
          trx,
          {
            tenantId: hold.tenantId,
            currency: hold.currency,
            kind: 'hold',
            amount: -held,
            heldChange: held,
            reason: `${messages.length} messages, ${parts} parts`,
            batchId: hold.batchId,
            quantity: parts,
          },
          now,
        );
      }
    }
    const idempotency = opts.idempotency?.(messages, unaffordable);
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
    return { accepted: messages, unaffordable };
  }

  async #usePackage(
    trx: Transaction<Database>,
    contractId: string,
    rows: NewMessage[],
  ): Promise<void> {
    const lock = this.dialect === 'postgres' ? sql`for update` : sql``;
    const r = await sql<{
      left: number;
    }>`select quota - quota_used as left from contracts where id = ${contractId} ${lock}`.execute(
      trx,
    );
    const used = fitPackage(rows, Number(r.rows[0]?.left ?? 0));
    if (used > 0)
      await trx
        .updateTable('contracts')
        .set((eb) => ({ quota_used: eb('quota_used', '+', used) }))
        .where('id', '=', contractId)
        .execute();
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

  /**
   * Claim due queued messages for this node's dispatcher. The claim pushes `next_attempt_at`
   * past the lease: if this node dies, the messages come due again for whoever is alive.
   */
  async claim(opts: {
    node: string;
    now: number;
    leaseMs: number;
    limit: number;
    /** Only test (true) or only live (false) messages; undefined = both. */
    test?: boolean;
  }): Promise<ClaimedMessage[]> {
    const lock = this.dialect === 'postgres' ? sql`for update skip locked` : sql``;
    const kind = opts.test === undefined ? sql`` : sql`and test = ${opts.test ? 1 : 0}`;
    const rows = await sql<{
      id: string;
      tenant_id: string;
      to: string;
      text: string;
      text_key_id: string | null;
      encoding: string;
      parts_count: number;
      concat_ref: number;
      attempts: number;
      class: string;
      destination: string | null;
    }>`
      update messages set next_attempt_at = ${opts.now + opts.leaseMs}, lease_node = ${opts.node}, attempts = attempts + 1
      where id in (
        select id from messages where status = 'queued' and next_attempt_at <= ${opts.now} ${kind}
        order by next_attempt_at, id limit ${opts.limit} ${lock})
      returning id, tenant_id, "to", text, text_key_id, encoding, parts_count, concat_ref, attempts, class, destination`.execute(
      this.db,
    );
    const claimed = rows.rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      to: r.to,
      text: this.cipher.open(r.text, r.text_key_id, r.id),
      encoding: r.encoding,
      partsCount: Number(r.parts_count),
      concatRef: Number(r.concat_ref),
      attempts: Number(r.attempts),
      pendingSeqs: Array.from({ length: Number(r.parts_count) }, (_, i) => i + 1),
      class: r.class,
      destination: r.destination,
    }));
    // A retried message may have some parts at the carrier already: send only the rest.
    const retried = claimed.filter((m) => m.attempts > 1);
    if (retried.length > 0) {
      const open = await this.db
        .selectFrom('message_parts')
        .select(['message_id', 'seq'])
        .where(
          'message_id',
          'in',
          retried.map((m) => m.id),
        )
        .where('status', '=', 'queued')
        .execute();
      const bySeq = new Map<string, number[]>();
      for (const p of open)
        bySeq.set(p.message_id, [...(bySeq.get(p.message_id) ?? []), Number(p.seq)]);
      for (const m of retried) m.pendingSeqs = (bySeq.get(m.id) ?? []).sort((a, b) => a - b);
    }
    return claimed;
  }

  /** A restarted node owns nothing in flight: make its old claims due now. */
  async releaseLeases(node: string, now: number): Promise<number> {
    const r = await this.db
      .updateTable('messages')
      .set({ next_attempt_at: now, lease_node: null })
      .where('status', '=', 'queued')
      .where('lease_node', '=', node)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Record what the carrier answered, in one transaction; returns the status changes made. */
  async applyDispatchOutcomes(out: {
    submitted: SubmittedPart[];
    failed: FailedMessage[];
    retry: RetryMessage[];
    now: number;
  }): Promise<StatusChange[]> {
    return this.db.transaction().execute(async (trx) => {
      const changes: StatusChange[] = [];
      if (out.submitted.length > 0) {
        const rows = out.submitted.map((s) => [s.messageId, s.seq, s.carrierId, s.channelId, s.at]);
        await sql`
          update message_parts set status = 'submitted', carrier_id = v.carrier_id, channel_id = v.channel_id, submitted_at = v.at
          from (select ${field(0)} as message_id, ${intField(1)} as seq, ${field(2)} as carrier_id, ${field(3)} as channel_id, ${intField(4)} as at
                from ${jsonRows(this.dialect, rows)}) as v
          where message_parts.message_id = v.message_id and message_parts.seq = v.seq and message_parts.status = 'queued'`.execute(
          trx,
        );
        const ids = [...new Set(out.submitted.map((s) => s.messageId))];
        const done = await sql<StatusChange>`
          update messages set status = 'submitted', submitted_at = ${out.now}, lease_node = null,
            channel_id = (select p.channel_id from message_parts p where p.message_id = messages.id and p.seq = 1)
          where id in (select ${field(0)} from ${jsonRows(
            this.dialect,
            ids.map((id) => [id]),
          )})
            and status = 'queued'
            and not exists (select 1 from message_parts p where p.message_id = messages.id and p.status = 'queued')
          returning id, tenant_id, status`.execute(trx);
        changes.push(...done.rows);
      }
      for (const f of out.failed) {
        await trx
          .updateTable('message_parts')
          .set({
            status: 'failed',
            channel_id: f.channelId,
            command_status: f.commandStatus,
            done_at: out.now,
          })
          .where('message_id', '=', f.messageId)
          .where('seq', '=', f.seq)
          .where('status', '=', 'queued')
          .execute();
        const row = await trx
          .updateTable('messages')
          .set({
            status: 'failed',
            error_code: f.errorCode,
            error_detail: f.detail,
            channel_id: f.channelId,
            done_at: out.now,
            lease_node: null,
          })
          .where('id', '=', f.messageId)
          .where('status', '=', 'queued')
          .returning(['id', 'tenant_id', 'status'])
          .executeTakeFirst();
        if (row) changes.push(row);
      }
      for (const r of out.retry) {
        await trx
          .updateTable('messages')
          .set({ next_attempt_at: r.notBefore, lease_node: null, error_detail: r.detail })
          .where('id', '=', r.messageId)
          .where('status', '=', 'queued')
          .execute();
      }
      // Receipts that overtook their submit_sm_resp can be matched now.
      changes.push(...(await matchPendingReceipts(trx, this.dialect, out.now)));
      await recordChanges(trx, this.dialect, changes, out.now);
      return changes;
    });
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
   * Messages still queued when their validity has passed (no channel took them in time) end as
   * `expired`; their holds are released. `validityMs` is per message class.
   */
  async expireQueued(validityMs: Record<string, number>, now: number): Promise<StatusChange[]> {
    return this.db.transaction().execute(async (trx) => {
      const classes = Object.entries(validityMs);
      const overdue = sql.join(
        classes.map(([cls, ms]) => sql`(class = ${cls} and created_at < ${now - ms})`),
        sql` or `,
      );
      const rows = await sql<StatusChange>`
        update messages set status = 'expired', error_code = 'expired', error_detail = 'not submitted within its validity', done_at = ${now}, lease_node = null
        where status = 'queued' and (${overdue})
        returning id, tenant_id, status`.execute(trx);
      if (rows.rows.length === 0) return [];
      for (const ids of chunks(
        rows.rows.map((r) => r.id),
        1000,
      )) {
        await trx
          .updateTable('message_parts')
          .set({ status: 'expired', done_at: now })
          .where('message_id', 'in', ids)
          .where('status', '=', 'queued')
          .execute();
      }
      await recordChanges(trx, this.dialect, rows.rows, now);
      return rows.rows;
    });
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

/**
 * Match receipts waiting in `receipts` (state pending) to submitted parts, then settle every
 * message whose parts are all final. Runs after receipts are stored and after submit
 * responses are stored, so the order they arrive in does not matter.
 */
export async function matchPendingReceipts(
  trx: Transaction<Database>,
  dialect: Dialect,
  now: number,
): Promise<StatusChange[]> {
  // Receipts and submit responses are written by different transactions (and nodes). Matching
  // under one lock means each matcher sees what the other committed: on PostgreSQL's READ
  // COMMITTED every statement after the lock gets a fresh snapshot. SQLite has one writer anyway.
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(727273)`.execute(trx);
  const touched = await sql<{ message_id: string }>`
    update message_parts set status = r.status, stat = r.stat, err = r.err, done_at = r.received_at
    from receipts r
    where r.state = 'pending' and r.status is not null
      and r.channel_id = message_parts.channel_id and r.carrier_id = message_parts.carrier_id
      and message_parts.status = 'submitted'
    returning message_parts.message_id`.execute(trx);
  // A receipt is done with once its part has settled (by it, or earlier: a duplicate), or when it
  // is an intermediate one (ENROUTE, ACCEPTD) for a part we know.
  await sql`
    update receipts set state = 'matched',
      message_id = (select p.message_id from message_parts p where p.channel_id = receipts.channel_id and p.carrier_id = receipts.carrier_id order by p.submitted_at desc limit 1)
    where state = 'pending'
      and exists (select 1 from message_parts p where p.channel_id = receipts.channel_id and p.carrier_id = receipts.carrier_id
                  and (p.status <> 'submitted' or receipts.status is null))`.execute(trx);
  if (touched.rows.length === 0) return [];
  const ids = [...new Set(touched.rows.map((r) => r.message_id))];
  return settleMessages(trx, dialect, ids, now);
}

/** Give each message whose parts are all final its one final status. */
export async function settleMessages(
  trx: Transaction<Database>,
  dialect: Dialect,
  ids: string[],
  now: number,
): Promise<StatusChange[]> {
  const out: StatusChange[] = [];
  const finals = sql.join(FINAL_PART.map((s) => sql.lit(s)));
  for (const chunk of chunks(ids, 1000)) {
    const r = await sql<StatusChange>`
      update messages set
        status = coalesce((select p.status from message_parts p where p.message_id = messages.id and p.status <> 'delivered' order by p.seq limit 1), 'delivered'),
        error_code = (select p.stat from message_parts p where p.message_id = messages.id and p.status <> 'delivered' order by p.seq limit 1),
        error_detail = (select case when p.err is null then null else 'err:' || p.err end from message_parts p where p.message_id = messages.id and p.status <> 'delivered' order by p.seq limit 1),
        done_at = ${now}, lease_node = null
      where id in (select ${field(0)} from ${jsonRows(
        dialect,
        chunk.map((id) => [id]),
      )})
        and status in ('queued', 'submitted')
        and not exists (select 1 from message_parts p where p.message_id = messages.id and p.status not in (${finals}))
      returning id, tenant_id, status`.execute(trx);
    out.push(...r.rows);
  }
  return out;
}

/** Status changes are written with their events and settle their messages' holds, in one transaction. */
export async function recordChanges(
  trx: Transaction<Database>,
  dialect: Dialect,
  changes: StatusChange[],
  now: number,
): Promise<void> {
  await insertEvents(trx, changes, now);
  if (changes.length > 0) {
    await settleHolds(trx, dialect, [...new Set(changes.map((c) => c.id))], now);
    await storeFailureCategories(trx, dialect, changes);
  }
}

const FAILED_FINAL = new Set(FINAL_PART.filter((s) => s !== 'delivered'));

/**
 * A message that ends other than delivered keeps the category of its error code, by its channel's
 * rules (core/failure-category.ts; channels.config is plain JSON but for the sealed password), so
 * the message log filters by category with an index instead of re-deriving it row by row.
 */
async function storeFailureCategories(
  trx: Transaction<Database>,
  dialect: Dialect,
  changes: StatusChange[],
): Promise<void> {
  const ids = [...new Set(changes.filter((c) => FAILED_FINAL.has(c.status)).map((c) => c.id))];
  for (const chunk of chunks(ids, 1000)) {
    const rows = await trx
      .selectFrom('messages')
      .select(['id', 'error_code', 'channel_id'])
      .where('id', 'in', chunk)
      .where('error_code', 'is not', null)
      .execute();
    if (rows.length === 0) continue;
    const channelIds = [...new Set(rows.flatMap((r) => (r.channel_id ? [r.channel_id] : [])))];
    const rulesOf = new Map<string, CategoryRule[]>();
    if (channelIds.length > 0) {
      const configs = await trx
        .selectFrom('channels')
        .select(['id', 'config'])
        .where('id', 'in', channelIds)
        .execute();
      for (const c of configs) {
        const rules = c.config
          ? (JSON.parse(c.config) as { categoryRules?: CategoryRule[] }).categoryRules
          : undefined;
        if (rules && rules.length > 0) rulesOf.set(c.id, rules);
      }
    }
    const values = rows.map((r) => [
      r.id,
      categoriseErrorCode(r.error_code!, r.channel_id ? rulesOf.get(r.channel_id) : undefined),
    ]);
    await sql`
      update messages set failure_category = v.category
      from (select ${field(0)} as id, ${field(1)} as category from ${jsonRows(dialect, values)}) as v
      where messages.id = v.id`.execute(trx);
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

export async function insertEvents(
  trx: Transaction<Database>,
  changes: StatusChange[],
  now: number,
): Promise<void> {
  for (const chunk of chunks(changes, 1000)) {
    await trx
      .insertInto('message_events')
      .values(
        chunk.map((c) => ({
          message_id: c.id,
          tenant_id: c.tenant_id,
          status: c.status,
          detail: null,
          created_at: now,
        })),
      )
      .execute();
  }
}

function toRow(m: NewMessage, body: { data: string; keyId: string | null }): MessageTable {
  return {
    id: m.id,
    tenant_id: m.tenantId,
    batch_id: m.batchId,
    client_ref: m.clientRef,
    to: m.to,
    from: null,
    text: body.data,
    encoding: m.encoding,
    parts_count: m.parts,
    concat_ref: m.concatRef,
    status: m.held ? 'held' : 'queued',
    channel_id: null,
    error_code: null,
    error_detail: null,
    attempts: 0,
    next_attempt_at: m.notBefore ?? m.createdAt,
    lease_node: null,
    created_at: m.createdAt,
    submitted_at: null,
    done_at: null,
    test: m.test ? 1 : 0,
    text_key_id: body.keyId,
    class: m.class ?? 'notification',
    price: m.price ?? 0,
    amount: m.amount ?? 0,
    charged: 0,
    billing: m.package ? 'package' : (m.amount ?? 0) > 0 ? 'held' : 'free',
    destination: m.destination ?? null,
    settled_at: null,
    compliance: m.compliance ?? null,
    template_id: m.templateId ?? null,
    text_hash: m.textHash ?? null,
    callback_url: m.callbackUrl ?? null,
    callback_statuses: m.callbackStatuses ?? null,
    source: m.origin?.source ?? null,
    source_account: m.origin?.account ?? null,
    source_addr: m.origin?.sourceAddr ?? null,
    receipt_wanted: m.origin?.receipt ?? 0,
    source_parts: m.origin?.parts ?? null,
  };
}

function toView(r: MessageTable): MessageView {
  return {
    id: r.id,
    batchId: r.batch_id,
    clientRef: r.client_ref,
    to: r.to,
    status: r.status,
    parts: Number(r.parts_count),
    encoding: r.encoding,
    channelId: r.channel_id,
    class: r.class,
    price: Number(r.price),
    amount: Number(r.amount),
    charged: Number(r.charged),
    billing: r.billing,
    compliance: r.compliance ? (JSON.parse(r.compliance) as Record<string, unknown>) : null,
    errorCode: r.error_code,
    errorDetail: r.error_detail,
    failureCategory: r.failure_category ?? null,
    createdAt: r.created_at,
    submittedAt: r.submitted_at,
    doneAt: r.done_at,
  };
}
