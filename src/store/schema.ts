// The tables as Kysely sees them. Times are epoch milliseconds (bigint), money is integer
// minor units (1 = 0.0001 of the currency): no floats, no timezone parsing in SQL.
import type { Generated } from 'kysely';

export interface TenantTable {
  id: string;
  name: string;
  status: string;
  currency: string;
  created_at: number;
}

export interface ApiKeyTable {
  id: string;
  tenant_id: string;
  name: string;
  /** The first characters of the key, shown in lists (`hy_live_AbCd…`). */
  prefix: string;
  /** SHA-256 of the whole key, hex: keys are 190-bit random, so a fast hash is the norm. */
  key_hash: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface LedgerEntryTable {
  id: Generated<number>;
  tenant_id: string;
  amount: number;
  currency: string;
  kind: string;
  reason: string;
  reference: string | null;
  created_at: number;
}

export interface ChannelTable {
  id: string;
  name: string;
  kind: string;
  created_at: number;
}

export interface MessageTable {
  id: string;
  tenant_id: string;
  batch_id: string;
  client_ref: string | null;
  to: string;
  from: string | null;
  text: string;
  encoding: string;
  parts_count: number;
  /** Concatenation reference (UDH), fixed at acceptance so a resubmitted part matches its siblings. */
  concat_ref: number;
  status: string;
  channel_id: string | null;
  error_code: string | null;
  error_detail: string | null;
  attempts: number;
  /** When a queued message is next due; a claim pushes it past the lease, so in-flight rows sort last. */
  next_attempt_at: number;
  /** The node whose dispatcher holds the message while its parts are in flight. */
  lease_node: string | null;
  created_at: number;
  submitted_at: number | null;
  done_at: number | null;
}

export interface MessagePartTable {
  message_id: string;
  seq: number;
  status: string;
  channel_id: string | null;
  carrier_id: string | null;
  command_status: number | null;
  stat: string | null;
  err: string | null;
  submitted_at: number | null;
  done_at: number | null;
}

export interface MessageEventTable {
  id: Generated<number>;
  message_id: string;
  tenant_id: string;
  status: string;
  detail: string | null;
  created_at: number;
}

export interface ReceiptTable {
  id: Generated<number>;
  channel_id: string;
  carrier_id: string;
  stat: string;
  err: string | null;
  status: string | null;
  /** pending (not yet matched to a part), matched, orphan (no part after the matching window). */
  state: string;
  message_id: string | null;
  received_at: number;
}

export interface InboundMessageTable {
  id: string;
  channel_id: string;
  from: string;
  to: string;
  text: string;
  tenant_id: string | null;
  received_at: number;
}

export interface IdempotencyKeyTable {
  tenant_id: string;
  key: string;
  request_hash: string;
  status_code: number;
  response: string;
  created_at: number;
}

export interface Database {
  tenants: TenantTable;
  api_keys: ApiKeyTable;
  ledger_entries: LedgerEntryTable;
  channels: ChannelTable;
  messages: MessageTable;
  message_parts: MessagePartTable;
  message_events: MessageEventTable;
  receipts: ReceiptTable;
  inbound_messages: InboundMessageTable;
  idempotency_keys: IdempotencyKeyTable;
}

export const MESSAGE_STATUSES = [
  'queued',
  'submitted',
  'delivered',
  'undelivered',
  'expired',
  'rejected',
  'failed',
  'unknown',
] as const;
