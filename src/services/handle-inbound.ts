// Inbound (MO) messages from the carriers: long ones reassembled, each routed to the tenant it
// answers, stored, announced, and read for opt-outs (docs/inbound.md).
//
// Routing, in order: the extension code in the address replied to (service number + code, the
// longest code wins, further digits are the tenant's sub-code); a keyword the reply starts with;
// the tenant that last sent to the number within 7 days (replies to the bare service number);
// else the message stays unassigned, visible to operators only.
//
// One transaction per batch holds the segments, completes the sets that are whole, stores the
// messages with their tenant and writes each assigned one's message_events row ('inbound');
// the carrier is acknowledged only after it commits. Opt-out replies are then put on the routed
// tenant's list, with one confirmation; a message whose handling a crash interrupted keeps
// `handled = 0` and is handled again by the sweep.
import type { Transaction } from 'kysely';
import { newId } from '../core/ids.ts';
import { maskNumber } from '../core/phone.ts';
import { addressDigits, afterServiceNumber, senderNumber } from '../core/inbound/address.ts';
import { extensionCandidates } from '../core/inbound/extension.ts';
import { keywordCandidates, withoutKeyword } from '../core/inbound/keywords.ts';
import {
  assemble,
  REASSEMBLY_WAIT_MS,
  usableConcat,
  type Assembled,
} from '../core/inbound/reassembly.ts';
import type { Logger } from '../logger.ts';
import type { Database } from '../store/schema.ts';
import type { InboundStore } from '../store/inbound.ts';
import type {
  HeldSegmentRow,
  IncomingInbound,
  NewInbound,
  RoutedBy,
  SegmentKey,
} from '../store/inbound-rows.ts';
import type { ComplianceService } from './compliance.ts';

export interface InboundDeps {
  store: InboundStore;
  compliance: ComplianceService;
  defaultRegion: string;
  /** Sends the opt-out confirmation (from the operator's account). */
  confirm: (to: string, tenantName: string) => Promise<void>;
  log: Logger;
  /** The service number (sourceAddr) of the channel a message came in on, and every channel's. */
  serviceNumbers: (channelId: string) => { own: string | null; all: readonly string[] };
  /** Tenants the "last sender" rule never picks (the operator's own notices). */
  notRepliedTo?: readonly string[];
  reassemblyWaitMs?: number;
  /** How far back the "last sender" rule looks. */
  replyWindowMs?: number;
}

/** What was stored, for what follows from it (opt-outs). */
export interface RecordedInbound {
  id: string;
  channelId: string;
  tenantId: string | null;
  from: string;
  text: string;
  routedBy: RoutedBy | null;
  routeKey: string | null;
  partsTotal: number;
  partsReceived: number;
}

type Unrouted = Omit<NewInbound, 'tenantId' | 'routedBy' | 'routeKey' | 'subCode'>;
type Routing = Pick<NewInbound, 'tenantId' | 'routedBy' | 'routeKey' | 'subCode'>;

const UNASSIGNED: Routing = { tenantId: null, routedBy: null, routeKey: null, subCode: null };

export class InboundHandler {
  constructor(private readonly deps: InboundDeps) {}

  /** Store a batch (segments held or completed, messages routed), in one transaction. */
  async record(batch: readonly IncomingInbound[], now = Date.now()): Promise<RecordedInbound[]> {
    const { store, defaultRegion } = this.deps;
    return store.transaction(async (trx) => {
      const whole: Unrouted[] = [];
      const segments: Array<{
        key: SegmentKey;
        seq: number;
        to: string;
        text: string;
        at: number;
      }> = [];
      for (const m of batch) {
        const from = senderNumber(m.from, defaultRegion) ?? m.from.trim();
        const concat = usableConcat(m.concat);
        if (!concat) {
          whole.push({
            id: m.id,
            channelId: m.channelId,
            from,
            to: addressDigits(m.to),
            text: m.text,
            receivedAt: m.receivedAt,
            partsTotal: 1,
            partsReceived: 1,
          });
          continue;
        }
        segments.push({
          key: { channelId: m.channelId, from, ref: concat.ref, total: concat.total },
          seq: concat.seq,
          to: addressDigits(m.to),
          text: m.text,
          at: m.receivedAt,
        });
      }
      await store.hold(trx, segments);
      const keys = new Map(segments.map((s) => [JSON.stringify(s.key), s.key]));
      for (const key of keys.values()) {
        const held = await store.held(trx, key);
        const set = assemble(key.total, held);
        if (!set.complete) continue;
        await store.release(trx, key);
        whole.push(this.#fromSet(key, held, set));
      }
      const rows: NewInbound[] = [];
      for (const m of whole) rows.push({ ...m, ...(await this.#route(trx, m)) });
      await store.insert(trx, rows, now);
      return rows.map(recorded);
    });
  }

  /** After the commit: opt-out replies go on the routed tenant's list, with one confirmation. */
  async afterCommit(rows: readonly RecordedInbound[]): Promise<void> {
    const { compliance, store, log, defaultRegion } = this.deps;
    const handled: string[] = [];
    for (const r of rows) {
      if (r.tenantId === null) continue;
      const number = senderNumber(r.from, defaultRegion);
      if (number === null) {
        handled.push(r.id);
        continue;
      }
      // "HY TD" routed by keyword HY is read as "TD".
      const text =
        r.routedBy === 'keyword' && r.routeKey ? withoutKeyword(r.text, r.routeKey) : r.text;
      let optedOut: boolean;
      try {
        optedOut = await compliance.handleReply(r.tenantId, number, text);
      } catch (err) {
        log.error({ err, inbound: r.id }, 'opt-out handling failed; the sweep tries again');
        continue;
      }
      handled.push(r.id);
      if (!optedOut) continue;
      log.info({ tenant: r.tenantId, from: maskNumber(number) }, 'opt-out by reply');
      try {
        await this.deps.confirm(number, (await store.tenantName(r.tenantId)) ?? r.tenantId);
      } catch (err) {
        log.error({ err, inbound: r.id }, 'sending the opt-out confirmation failed');
      }
    }
    if (handled.length > 0) await store.markHandled(handled);
  }

  /**
   * Incomplete sets held longer than the wait are stored as what arrived (partial); messages
   * whose opt-out handling was interrupted are handled again.
   */
  async sweep(now = Date.now()): Promise<{ expired: number; retried: number }> {
    const { store, log } = this.deps;
    const wait = this.deps.reassemblyWaitMs ?? REASSEMBLY_WAIT_MS;
    const expired: RecordedInbound[] = [];
    for (const key of await store.staleSets(now - wait)) {
      const row = await store.transaction(async (trx) => {
        const held = await store.release(trx, key);
        if (held.length === 0) return null; // another node took it
        const m = this.#fromSet(key, held, assemble(key.total, held));
        const routed: NewInbound = { ...m, ...(await this.#route(trx, m)) };
        await store.insert(trx, [routed], now);
        return routed;
      });
      if (!row) continue;
      log.warn(
        {
          channel: key.channelId,
          from: maskNumber(key.from),
          received: row.partsReceived,
          total: row.partsTotal,
        },
        'incomplete inbound message stored as partial',
      );
      expired.push(recorded(row));
    }
    await this.afterCommit(expired);
    const retry = await store.unhandled(now - 60_000);
    await this.afterCommit(retry.map(recorded));
    return { expired: expired.length, retried: retry.length };
  }

  #fromSet(key: SegmentKey, held: readonly HeldSegmentRow[], set: Assembled): Unrouted {
    const first = held.find((s) => s.seq === 1) ?? held[0]!;
    return {
      id: newId('inb'),
      channelId: key.channelId,
      from: key.from,
      to: first.to,
      text: set.text,
      receivedAt: set.firstAt,
      partsTotal: key.total,
      partsReceived: set.received,
    };
  }

  async #route(trx: Transaction<Database>, m: Unrouted): Promise<Routing> {
    const { store } = this.deps;
    const { own, all } = this.deps.serviceNumbers(m.channelId);
    const address = afterServiceNumber(m.to, own, all);
    if (address && address.rest !== '') {
      const hit = await store.byExtension(trx, extensionCandidates(address.rest));
      if (hit)
        return {
          tenantId: hit.tenantId,
          routedBy: 'extension',
          routeKey: hit.code,
          subCode: address.rest.slice(hit.code.length) || null,
        };
    }
    const keyword = await store.byKeyword(trx, keywordCandidates(m.text));
    if (keyword)
      return {
        tenantId: keyword.tenantId,
        routedBy: 'keyword',
        routeKey: keyword.keyword,
        subCode: null,
      };
    if (m.from.startsWith('+')) {
      const window = this.deps.replyWindowMs ?? 7 * 24 * 3600_000;
      const tenantId = await store.lastSenderTo(
        trx,
        m.from,
        m.receivedAt - window,
        this.deps.notRepliedTo ?? [],
      );
      if (tenantId) return { tenantId, routedBy: 'recent', routeKey: null, subCode: null };
    }
    return UNASSIGNED;
  }
}

function recorded(r: NewInbound): RecordedInbound {
  return {
    id: r.id,
    channelId: r.channelId,
    tenantId: r.tenantId,
    from: r.from,
    text: r.text,
    routedBy: r.routedBy,
    routeKey: r.routeKey,
    partsTotal: r.partsTotal,
    partsReceived: r.partsReceived,
  };
}
