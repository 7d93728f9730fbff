// A message as the store keeps it: what acceptance hands over (NewMessage) becomes a messages row,
// its queued parts and its first event; a row is read back as a MessageView.
import type { Transaction } from 'kysely';
import type { Database, MessageTable } from './schema.ts';
import { chunks } from './json-rows.ts';
import { insertEvents } from './settlement.ts';

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

/** Messages (already sealed rows), their queued parts and their first events. */
export async function insertMessageRows(
  trx: Transaction<Database>,
  rows: MessageTable[],
): Promise<void> {
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

export function toRow(m: NewMessage, body: { data: string; keyId: string | null }): MessageTable {
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

export function toView(r: MessageTable): MessageView {
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
