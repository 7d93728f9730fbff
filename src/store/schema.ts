// Over 500 lines: one table list, the database as Kysely types it; split, a join would need two files.
// The tables as Kysely sees them. Times are epoch milliseconds (bigint), money is integer
// minor units (1 = 0.0001 of the currency): no floats, no timezone parsing in SQL.
import type { Generated } from 'kysely';
import type { Locale } from '../core/i18n/locale.ts';

export interface TenantTable {
  id: string;
  name: string;
  /** pending → active → suspended → terminated (core/tenancy/lifecycle.ts). */
  status: string;
  currency: string;
  created_at: number;
  credit_code: string | null;
  contact_name: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  status_reason: string | null;
  /** A tenant's own termination request takes effect at this time (≤ 24 h after it). */
  terminate_at: number | null;
  updated_at: number | null;
  charge_mode: string;
  low_balance_threshold: number | null;
  low_balance_notified: number;
  /** Classes allowed to send free text (else templates only), comma-separated. */
  free_text_classes: string;
  /** JSON of per-class frequency caps overriding the defaults; null = defaults. */
  frequency_caps: string | null;
  /** zh-CN | en: the language of its notices, statement files and error titles (migration 018). */
  locale: Locale;
  /** Sending limits in messages; null = the config default (migration 016). */
  messages_per_second: number | null;
  messages_burst: number | null;
  messages_in_flight: number | null;
}

/** A committed large acceptance's messages still to be published (migration 016). */
export interface AcceptSliceTable {
  id: Generated<number>;
  batch_id: string;
  tenant_id: string;
  /** JSON array of MessageTable rows. */
  rows: string;
  created_at: number;
}

export interface NotificationTable {
  id: Generated<number>;
  tenant_id: string | null;
  kind: string;
  channel: string;
  recipient: string | null;
  subject: string;
  body: string;
  status: string;
  detail: string | null;
  created_at: number;
}

export interface UserTable {
  id: string;
  /** null for operator staff. */
  tenant_id: string | null;
  email: string;
  name: string;
  role: string;
  status: string;
  password_hash: string;
  must_change_password: number;
  totp_secret: string | null;
  totp_enabled: number;
  totp_last_step: number | null;
  failed_logins: number;
  locked_until: number | null;
  last_login_at: number | null;
  created_at: number;
  updated_at: number;
  /** zh-CN | en: the person's console language; null follows the tenant's (migration 022). */
  locale: Locale | null;
}

export interface SessionTable {
  id: string;
  token_hash: string;
  user_id: string;
  ip: string | null;
  user_agent: string | null;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface SmppAccountTable {
  id: string;
  tenant_id: string;
  system_id: string;
  password_hash: string;
  bind_types: string;
  max_binds: number;
  throughput: number;
  created_at: number;
  revoked_at: number | null;
  /** The CMPP shared secret, sealed (body cipher, bound to the id); null: no CMPP login (docs/cmpp.md). */
  cmpp_secret: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  tenant_id: string | null;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  details: string | null;
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
  /** live | test: test keys send to the simulator only and are never billed. */
  kind: string;
  /** Comma-separated: send, read, manage. */
  scopes: string;
  /** Comma-separated IPs / CIDRs; null = any. */
  ip_allow: string | null;
  created_by: string | null;
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
  /** Change to the held amount (a hold moves money from available to held). */
  held_change: number;
  balance_after: number;
  held_after: number;
  batch_id: string | null;
  /** Parts counted in this entry (holds, charges, releases). */
  quantity: number | null;
  actor: string | null;
  /** A recharge's payment reference, unique per tenant. */
  external_ref: string | null;
}

export interface BalanceTable {
  tenant_id: string;
  available: number;
  held: number;
  updated_at: number;
}

export interface PricePlanTable {
  id: string;
  tenant_id: string | null;
  rules: string;
  currency: string;
  updated_at: number;
}

export interface ChannelTable {
  id: string;
  name: string;
  kind: string;
  created_at: number;
  /** JSON of the ChannelConfig, its password sealed; null for rows from before channels were data. */
  config: string | null;
  /** Hash of the config-file entry last applied (null: created through the API or CLI). */
  file_hash: string | null;
  updated_at: number | null;
  removed_at: number | null;
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
  test: number;
  text_key_id: string | null;
  class: string;
  /** Price per part and the whole message's amount, minor units. */
  price: number;
  amount: number;
  charged: number;
  /** held, settled, free. */
  billing: string;
  /** CN-mobile, CN-unicom, CN, GB…: where it went, for statements. */
  destination: string | null;
  settled_at: number | null;
  /** JSON: why it was held or refused (rule id, category, matched text). */
  compliance: string | null;
  template_id: string | null;
  text_hash: string | null;
  /** Where this message's status events go instead of the tenant's webhook endpoints. */
  callback_url: string | null;
  /** Which of them: comma-separated status selectors, null = all (core/webhooks/status-filter.ts). */
  callback_statuses: string | null;
  /** How it came in: 'smpp' (null: the HTTP API or the platform itself); docs/smpp.md. */
  source: string | null;
  /** The SMPP system_id it was submitted with, and the client's source_addr. */
  source_account: string | null;
  source_addr: string | null;
  /** registered_delivery & 3: 0 no receipt, 1 always, 2 on failure only. */
  receipt_wanted: number;
  /** Into how many submit_sm the client split it (each got an id and gets a receipt). */
  source_parts: number | null;
  /** Whose fault a failure was (core/failure-category.ts), stored with the final status (023). */
  failure_category?: string | null;
}

export interface ContractTable {
  id: string;
  tenant_id: string;
  number: string;
  /** Calendar dates (YYYY-MM-DD) in the statements' timezone; the end date is the last day of service. */
  start_date: string;
  end_date: string;
  quota: number | null;
  quota_used: number;
  /** JSON: [{ name, amount (minor units), when: signing | monthly | renewal }]. */
  fees: string;
  auto_renew: number;
  renew_months: number;
  /** Reminders already sent for the current end date, e.g. "2027-11-24:30,2027-11-24:7". */
  reminded: string;
  created_at: number;
  updated_at: number;
}

interface Reviewed {
  status: string;
  reason: string | null;
  reviewed_by: string | null;
  created_at: number;
  reviewed_at: number | null;
}

export interface SignatureTable extends Reviewed {
  id: string;
  tenant_id: string;
  text: string;
  proof_ref: string | null;
  is_default: number;
}

export interface TemplateTable extends Reviewed {
  id: string;
  tenant_id: string;
  name: string;
  body: string;
  /** JSON list of variable names. */
  variables: string;
  class: string;
}

export interface ContentRuleTable {
  id: string;
  term: string;
  category: string;
  action: string;
  created_at: number;
}

export interface ReviewItemTable {
  id: string;
  tenant_id: string;
  batch_id: string;
  messages: number;
  rule_id: string | null;
  category: string | null;
  matched: string | null;
  status: string;
  reason: string | null;
  decided_by: string | null;
  created_at: number;
  decided_at: number | null;
  expires_at: number;
}

export interface OptOutTable {
  tenant_id: string;
  number: string;
  source: string;
  created_at: number;
}

export interface ConsentTable {
  tenant_id: string;
  number: string;
  evidence: string;
  created_at: number;
}

export interface BlockListTable {
  number: string;
  reason: string;
  created_at: number;
}

export interface ChannelIncidentTable {
  id: string;
  channel_id: string;
  /** bind_lost (more kinds — error bursts, failovers — come with routing). */
  kind: string;
  detail: string | null;
  node: string;
  started_at: number;
  ended_at: number | null;
}

export interface SettingTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface StatementTable {
  tenant_id: string;
  month: string;
  data: string;
  generated_at: number;
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
  /** E.164 when it is a valid number, else as the carrier wrote it. */
  from: string;
  /** The address replied to: service number + extension code + sub-code. */
  to: string;
  /** Sealed (text_key_id; null = in clear, rows from before encryption). */
  text: string;
  tenant_id: string | null;
  received_at: number;
  text_key_id: string | null;
  /** Digits after the extension code. */
  sub_code: string | null;
  /** extension, keyword or recent (the last sender within 7 days); null = unassigned. */
  routed_by: string | null;
  /** The extension code or keyword it was routed by. */
  route_key: string | null;
  parts_total: Generated<number>;
  parts_received: Generated<number>;
  /** 0 while its opt-out handling has not run (docs/inbound.md). */
  handled: Generated<number>;
}

export interface TenantExtensionTable {
  tenant_id: string;
  code: string;
  /** auto or operator. */
  assigned_by: string;
  created_at: number;
  updated_at: number;
}

export interface ReleasedExtensionTable {
  code: string;
  tenant_id: string;
  released_at: number;
}

export interface InboundKeywordTable {
  keyword: string;
  tenant_id: string;
  created_at: number;
}

export interface InboundSegmentTable {
  channel_id: string;
  from: string;
  ref: number;
  total: number;
  seq: number;
  to: string;
  text: string;
  text_key_id: string | null;
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

export interface WebhookEndpointTable {
  id: string;
  tenant_id: string;
  url: string;
  /** Comma-separated: message.status, inbound.received. */
  events: string;
  /** The message.status events it wants: comma-separated status selectors, null = all. */
  statuses: string | null;
  enabled: number;
  description: string | null;
  /** Sealed (`keyId:data`); the previous one stays valid until `previous_secret_until`. */
  secret: string;
  previous_secret: string | null;
  previous_secret_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookCallbackSecretTable {
  tenant_id: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookDeliveryTable {
  id: string;
  tenant_id: string;
  endpoint_id: string | null;
  callback_url: string | null;
  /** The endpoint id, or `cb:<origin>` of a callback URL. */
  target: string;
  /** The message_events id; null for test events. */
  event_id: number | null;
  event_type: string;
  /** The JSON body, sealed when it holds an inbound message's text. */
  payload: string;
  payload_key_id: string | null;
  /** pending (never tried), failed (retrying), delivered, dead. */
  status: string;
  attempts: number;
  /** When it is next due; a claim pushes it past the lease. */
  next_attempt_at: number;
  lease_node: string | null;
  /** Queued or re-sent at: the 24 h of retries count from here. */
  queued_at: number;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
}

export interface WebhookAttemptTable {
  id: Generated<number>;
  delivery_id: string;
  at: number;
  status_code: number | null;
  error: string | null;
  /** Unused: an answer's body is never kept (docs/security.md); null since migration 015. */
  response: string | null;
  duration_ms: number;
}

export interface WebhookCursorTable {
  name: string;
  last_event_id: number;
  updated_at: number;
}

export interface SmppCursorTable {
  account_id: string;
  tenant_id: string;
  /** message_events id up to which the account's receipts and inbound messages are acknowledged. */
  event_id: number;
  updated_at: number;
}

/** The CMPP Msg_Ids an SP got for a message, comma-separated hex, in part order (docs/cmpp.md). */
export interface CmppMsgIdTable {
  message_id: string;
  msg_ids: string;
  created_at: number;
}

/** Login throttling counters (migration 019, store/login-throttle.ts). */
export interface LoginThrottleTable {
  key: string;
  name: string | null;
  count: number;
  window_start: number;
  blocked_until: number;
  expires_at: number;
}

/** A periodic job's schedule and lease (services/scheduler.ts); times in ms since the epoch. */
export interface ScheduledJobTable {
  name: string;
  period_ms: number;
  due_at: number;
  locked_by: string | null;
  lease_until: number | null;
  last_started_at: number | null;
  last_finished_at: number | null;
  last_node: string | null;
  /** ok | failed */
  last_result: string | null;
  last_error: string | null;
  /** JSON: what the last run did. */
  last_summary: string | null;
  runs: number;
  /** Failed runs in a row (0 after a success). */
  failures: number;
  updated_at: number;
}

/** An operator's announcement to all tenants or some (migration 020, store/announcements.ts). */
export interface AnnouncementTable {
  id: string;
  /** notice | maintenance | change */
  kind: string;
  title: string;
  body: string;
  /** all | tenants (listed in announcement_tenants) */
  audience: string;
  starts_at: number | null;
  ends_at: number | null;
  email: number;
  /** none | pending | listed */
  email_state: string;
  created_by: string | null;
  created_at: number;
  withdrawn_at: number | null;
  withdrawn_by: string | null;
}

export interface AnnouncementTenantTable {
  announcement_id: string;
  tenant_id: string;
}

/** The announcement mailing's outbox: one row per owner addressed (migration 020). */
export interface AnnouncementEmailTable {
  announcement_id: string;
  user_id: string;
  tenant_id: string;
  email: string;
  /** pending | sending | sent | skipped | failed | cancelled */
  status: string;
  attempts: number;
  lease_until: number | null;
  detail: string | null;
  updated_at: number;
}

/** A tenant's recharge request (migration 021, store/recharge-requests.ts). */
export interface RechargeRequestTable {
  id: string;
  tenant_id: string;
  /** Minor units, as asked. */
  amount: number;
  currency: string;
  payment_reference: string;
  note: string | null;
  /** pending | confirmed | rejected */
  status: string;
  proof: Buffer | null;
  /** image/png | image/jpeg | application/pdf, sniffed from the bytes. */
  proof_type: string | null;
  proof_size: number | null;
  created_by: string | null;
  created_at: number;
  decided_by: string | null;
  decided_at: number | null;
  /** What the ledger recharge credited (the operator may correct the amount asked). */
  credited_amount: number | null;
  ledger_entry_id: number | null;
  reject_reason: string | null;
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
  users: UserTable;
  sessions: SessionTable;
  smpp_accounts: SmppAccountTable;
  audit_log: AuditLogTable;
  balances: BalanceTable;
  price_plans: PricePlanTable;
  notifications: NotificationTable;
  statements: StatementTable;
  contracts: ContractTable;
  signatures: SignatureTable;
  templates: TemplateTable;
  content_rules: ContentRuleTable;
  review_items: ReviewItemTable;
  opt_outs: OptOutTable;
  consents: ConsentTable;
  block_list: BlockListTable;
  channel_incidents: ChannelIncidentTable;
  settings: SettingTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_callback_secrets: WebhookCallbackSecretTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
  webhook_cursor: WebhookCursorTable;
  smpp_cursors: SmppCursorTable;
  cmpp_msg_ids: CmppMsgIdTable;
  tenant_extensions: TenantExtensionTable;
  released_extensions: ReleasedExtensionTable;
  inbound_keywords: InboundKeywordTable;
  inbound_segments: InboundSegmentTable;
  scheduled_jobs: ScheduledJobTable;
  login_throttle: LoginThrottleTable;
  accept_slices: AcceptSliceTable;
  announcements: AnnouncementTable;
  announcement_tenants: AnnouncementTenantTable;
  announcement_emails: AnnouncementEmailTable;
  recharge_requests: RechargeRequestTable;
}
