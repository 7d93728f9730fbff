// Inbound (MO) messages, the segments of long ones waiting for their siblings, the tenants'
// extension codes and routing keywords. Bodies are sealed like message bodies (BodyCipher, bound
// to the row); rows written before encryption have no key id and read in clear.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { Dialect } from './db.ts';
import { chunks } from './json-rows.ts';
import { DomainError } from '../core/errors.ts';
import type { BodyCipher } from '../security/body-cipher.ts';
import type {
  SegmentKey,
  HeldSegmentRow,
  NewInbound,
  InboundView,
  InboundFilter,
  ExtensionRow,
  KeywordRow,
} from './inbound-rows.ts';
import { inboundView } from './inbound-rows.ts';

type Db = Kysely<Database> | Transaction<Database>;

const segmentAad = (k: SegmentKey, seq: number) =>
  `seg:${k.channelId}:${k.from}:${k.ref}:${k.total}:${seq}`;
const keyText = (k: SegmentKey) => `${k.channelId}|${k.from}|${k.ref}|${k.total}`;

export class InboundStore {
  constructor(
    readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly cipher: BodyCipher,
  ) {}

  transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  // -------------------------------------------------------------------------------------------
  // Segments
  // -------------------------------------------------------------------------------------------

  /**
   * Hold segments (a segment sent twice is kept once). On PostgreSQL each set is locked for the
   * rest of the transaction: two nodes storing siblings at once then see each other's, so the
   * one that commits second completes the set.
   */
  async hold(
    trx: Transaction<Database>,
    segments: ReadonlyArray<{ key: SegmentKey; seq: number; to: string; text: string; at: number }>,
  ): Promise<void> {
    if (segments.length === 0) return;
    if (this.dialect === 'postgres')
      for (const k of [...new Set(segments.map((s) => keyText(s.key)))].sort())
        await sql`select pg_advisory_xact_lock(727274, hashtext(${k}))`.execute(trx);
    for (const chunk of chunks(segments, 500)) {
      await trx
        .insertInto('inbound_segments')
        .values(
          chunk.map((s) => {
            const sealed = this.cipher.seal(s.text, segmentAad(s.key, s.seq));
            return {
              channel_id: s.key.channelId,
              from: s.key.from,
              ref: s.key.ref,
              total: s.key.total,
              seq: s.seq,
              to: s.to,
              text: sealed.data,
              text_key_id: sealed.keyId,
              received_at: s.at,
            };
          }),
        )
        .onConflict((oc) => oc.columns(['channel_id', 'from', 'ref', 'total', 'seq']).doNothing())
        .execute();
    }
  }

  /** The segments of a set held so far. */
  async held(db: Db, key: SegmentKey): Promise<HeldSegmentRow[]> {
    const rows = await db
      .selectFrom('inbound_segments')
      .selectAll()
      .where('channel_id', '=', key.channelId)
      .where('from', '=', key.from)
      .where('ref', '=', key.ref)
      .where('total', '=', key.total)
      .execute();
    return rows.map((r) => this.#segment(key, r));
  }

  /** Take a set out (it became a message): its segments, deleted. */
  async release(trx: Transaction<Database>, key: SegmentKey): Promise<HeldSegmentRow[]> {
    if (this.dialect === 'postgres')
      await sql`select pg_advisory_xact_lock(727274, hashtext(${keyText(key)}))`.execute(trx);
    const rows = await trx
      .deleteFrom('inbound_segments')
      .where('channel_id', '=', key.channelId)
      .where('from', '=', key.from)
      .where('ref', '=', key.ref)
      .where('total', '=', key.total)
      .returningAll()
      .execute();
    return rows.map((r) => this.#segment(key, r));
  }

  /** Sets whose first segment came before `before`. */
  async staleSets(before: number, limit = 500): Promise<SegmentKey[]> {
    const rows = await this.db
      .selectFrom('inbound_segments')
      .select(['channel_id', 'from', 'ref', 'total'])
      .groupBy(['channel_id', 'from', 'ref', 'total'])
      .having((eb) => eb.fn.min('received_at'), '<', before)
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      channelId: r.channel_id,
      from: r.from,
      ref: Number(r.ref),
      total: Number(r.total),
    }));
  }

  async countSegments(): Promise<number> {
    const r = await this.db
      .selectFrom('inbound_segments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  #segment(
    key: SegmentKey,
    r: { seq: number; to: string; text: string; text_key_id: string | null; received_at: number },
  ): HeldSegmentRow {
    const seq = Number(r.seq);
    return {
      seq,
      to: r.to,
      text: this.cipher.open(r.text, r.text_key_id, segmentAad(key, seq)),
      receivedAt: Number(r.received_at),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Messages
  // -------------------------------------------------------------------------------------------

  /**
   * Store inbound messages; each one assigned to a tenant gets its message_events row
   * (status 'inbound', message_id = the inbound id) in the same transaction: that is what
   * webhooks, the live stream and the tenants' SMPP binds read.
   */
  async insert(
    trx: Transaction<Database>,
    rows: readonly NewInbound[],
    now: number,
  ): Promise<void> {
    for (const chunk of chunks(rows, 500)) {
      await trx
        .insertInto('inbound_messages')
        .values(
          chunk.map((r) => {
            const sealed = this.cipher.seal(r.text, r.id);
            return {
              id: r.id,
              channel_id: r.channelId,
              from: r.from,
              to: r.to,
              text: sealed.data,
              text_key_id: sealed.keyId,
              tenant_id: r.tenantId,
              received_at: r.receivedAt,
              sub_code: r.subCode,
              routed_by: r.routedBy,
              route_key: r.routeKey,
              parts_total: r.partsTotal,
              parts_received: r.partsReceived,
              // Only a tenant's messages have opt-out handling to do.
              handled: r.tenantId === null ? 1 : 0,
            };
          }),
        )
        .execute();
      const assigned = chunk.filter((r) => r.tenantId !== null);
      if (assigned.length > 0)
        await trx
          .insertInto('message_events')
          .values(
            assigned.map((r) => ({
              message_id: r.id,
              tenant_id: r.tenantId!,
              status: 'inbound',
              detail: null,
              created_at: now,
            })),
          )
          .execute();
    }
  }

  async markHandled(ids: readonly string[]): Promise<void> {
    for (const chunk of chunks(ids, 500))
      await this.db
        .updateTable('inbound_messages')
        .set({ handled: 1 })
        .where('id', 'in', chunk)
        .execute();
  }

  /** Messages whose opt-out handling has not run (a crash came between): oldest first. */
  async unhandled(receivedBefore: number, limit = 200): Promise<InboundView[]> {
    const rows = await this.db
      .selectFrom('inbound_messages')
      .selectAll()
      .where('handled', '=', 0)
      .where('received_at', '<', receivedBefore)
      .orderBy('received_at')
      .limit(limit)
      .execute();
    return rows.map((r) => inboundView(this.cipher, r));
  }

  /** One of a tenant's inbound messages (another tenant's: undefined). */
  async get(tenantId: string, id: string): Promise<InboundView | undefined> {
    const r = await this.db
      .selectFrom('inbound_messages')
      .selectAll()
      .where('id', '=', id)
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return r ? inboundView(this.cipher, r) : undefined;
  }

  /** Newest first. */
  async list(f: InboundFilter): Promise<InboundView[]> {
    let q = this.db.selectFrom('inbound_messages').selectAll();
    if (f.tenantId !== undefined) q = q.where('tenant_id', '=', f.tenantId);
    else if (f.unassigned) q = q.where('tenant_id', 'is', null);
    if (f.from !== undefined) q = q.where('from', '=', f.from);
    if (f.to !== undefined) q = q.where('to', '=', f.to);
    if (f.since !== undefined) q = q.where('received_at', '>=', f.since);
    if (f.after !== undefined) q = q.where('id', '<', f.after);
    const rows = await q.orderBy('id', 'desc').limit(f.limit).execute();
    return rows.map((r) => inboundView(this.cipher, r));
  }

  async tenantName(tenantId: string): Promise<string | null> {
    const r = await this.db
      .selectFrom('tenants')
      .select('name')
      .where('id', '=', tenantId)
      .executeTakeFirst();
    return r?.name ?? null;
  }

  // -------------------------------------------------------------------------------------------
  // Routing look-ups (inside the recording transaction)
  // -------------------------------------------------------------------------------------------

  /** Of the candidate codes, the longest one some tenant owns. */
  async byExtension(
    db: Db,
    candidates: readonly string[],
  ): Promise<{ code: string; tenantId: string } | null> {
    if (candidates.length === 0) return null;
    const rows = await db
      .selectFrom('tenant_extensions')
      .select(['code', 'tenant_id'])
      .where('code', 'in', [...candidates])
      .execute();
    const best = rows.sort((a, b) => b.code.length - a.code.length)[0];
    return best ? { code: best.code, tenantId: best.tenant_id } : null;
  }

  /** Of the candidate keywords, the longest one some tenant owns. */
  async byKeyword(
    db: Db,
    candidates: readonly string[],
  ): Promise<{ keyword: string; tenantId: string } | null> {
    if (candidates.length === 0) return null;
    const rows = await db
      .selectFrom('inbound_keywords')
      .select(['keyword', 'tenant_id'])
      .where('keyword', 'in', [...candidates])
      .execute();
    const best = rows.sort((a, b) => [...b.keyword].length - [...a.keyword].length)[0];
    return best ? { keyword: best.keyword, tenantId: best.tenant_id } : null;
  }

  /** The tenant that last sent to `number` since `since` (some tenants left out). */
  async lastSenderTo(
    db: Db,
    number: string,
    since: number,
    exclude: readonly string[],
  ): Promise<string | null> {
    let q = db
      .selectFrom('messages')
      .select('tenant_id')
      .where('to', '=', number)
      .where('created_at', '>=', since);
    if (exclude.length > 0) q = q.where('tenant_id', 'not in', [...exclude]);
    const r = await q.orderBy('created_at', 'desc').limit(1).executeTakeFirst();
    return r?.tenant_id ?? null;
  }

  // -------------------------------------------------------------------------------------------
  // Extension codes
  // -------------------------------------------------------------------------------------------

  async extensions(): Promise<ExtensionRow[]> {
    const rows = await this.db.selectFrom('tenant_extensions').selectAll().execute();
    return rows.map((r) => this.#extension(r));
  }

  /** Codes in use, and codes released since `releasedSince` (not to be handed out again yet). */
  async takenCodes(releasedSince: number): Promise<string[]> {
    const inUse = await this.db.selectFrom('tenant_extensions').select('code').execute();
    const released = await this.db
      .selectFrom('released_extensions')
      .select('code')
      .where('released_at', '>=', releasedSince)
      .execute();
    return [...new Set([...inUse, ...released].map((r) => r.code))];
  }

  async extensionOf(tenantId: string): Promise<ExtensionRow | null> {
    const r = await this.db
      .selectFrom('tenant_extensions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return r ? this.#extension(r) : null;
  }

  /** Tenants with no code yet. */
  async tenantsWithoutExtension(exclude: readonly string[]): Promise<string[]> {
    let q = this.db
      .selectFrom('tenants')
      .leftJoin('tenant_extensions', 'tenant_extensions.tenant_id', 'tenants.id')
      .select('tenants.id')
      .where('tenant_extensions.tenant_id', 'is', null);
    if (exclude.length > 0) q = q.where('tenants.id', 'not in', [...exclude]);
    return (await q.orderBy('tenants.created_at').execute()).map((r) => r.id);
  }

  /** An automatic code; false when the tenant has one already or the code was taken meanwhile. */
  async insertAutoExtension(tenantId: string, code: string, now: number): Promise<boolean> {
    const r = await this.db
      .insertInto('tenant_extensions')
      .values({ tenant_id: tenantId, code, assigned_by: 'auto', created_at: now, updated_at: now })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  /** An operator's code for a tenant: refused when another tenant has exactly this code. */
  async setExtension(
    tenantId: string,
    code: string,
    now: number,
  ): Promise<{ previous: string | null }> {
    const taken = () =>
      new DomainError('extension_taken', `extension code ${code} belongs to another tenant`, {
        field: 'extension',
      });
    try {
      return await this.db.transaction().execute(async (trx) => {
        const owner = await trx
          .selectFrom('tenant_extensions')
          .select('tenant_id')
          .where('code', '=', code)
          .executeTakeFirst();
        if (owner && owner.tenant_id !== tenantId) throw taken();
        const before = await trx
          .selectFrom('tenant_extensions')
          .select('code')
          .where('tenant_id', '=', tenantId)
          .executeTakeFirst();
        if (before && before.code !== code)
          await trx
            .insertInto('released_extensions')
            .values({ code: before.code, tenant_id: tenantId, released_at: now })
            .execute();
        await trx
          .insertInto('tenant_extensions')
          .values({
            tenant_id: tenantId,
            code,
            assigned_by: 'operator',
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) =>
            oc.column('tenant_id').doUpdateSet({ code, assigned_by: 'operator', updated_at: now }),
          )
          .execute();
        return { previous: before?.code ?? null };
      });
    } catch (err) {
      // Two operators setting the same code at once: the unique index decides.
      if (!(err instanceof DomainError) && /unique|duplicate/i.test(String(err))) throw taken();
      throw err;
    }
  }

  #extension(r: {
    tenant_id: string;
    code: string;
    assigned_by: string;
    updated_at: number;
  }): ExtensionRow {
    return {
      tenantId: r.tenant_id,
      code: r.code,
      assignedBy: r.assigned_by === 'operator' ? 'operator' : 'auto',
      updatedAt: Number(r.updated_at),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Keywords
  // -------------------------------------------------------------------------------------------

  async keywords(tenantId?: string): Promise<KeywordRow[]> {
    let q = this.db.selectFrom('inbound_keywords').selectAll();
    if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
    const rows = await q.orderBy('keyword').execute();
    return rows.map((r) => ({
      keyword: r.keyword,
      tenantId: r.tenant_id,
      createdAt: Number(r.created_at),
    }));
  }

  /** Replace the whole keyword table (keywords already folded and checked). */
  async replaceKeywords(
    list: ReadonlyArray<{ keyword: string; tenantId: string }>,
    now: number,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const before = new Map(
        (await trx.selectFrom('inbound_keywords').selectAll().execute()).map((r) => [
          `${r.keyword}\u0000${r.tenant_id}`,
          Number(r.created_at),
        ]),
      );
      await trx.deleteFrom('inbound_keywords').execute();
      for (const chunk of chunks(list, 500))
        await trx
          .insertInto('inbound_keywords')
          .values(
            chunk.map((k) => ({
              keyword: k.keyword,
              tenant_id: k.tenantId,
              // An unchanged keyword keeps its date.
              created_at: before.get(`${k.keyword}\u0000${k.tenantId}`) ?? now,
            })),
          )
          .execute();
    });
  }

  async tenantExists(tenantId: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('tenants')
      .select('id')
      .where('id', '=', tenantId)
      .executeTakeFirst();
    return r !== undefined;
  }
}
