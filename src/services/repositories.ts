// The store's names the transports may use. servers/ do not import store/ (eslint.config.js): they
// are handed the repositories built once (store/stores.ts) and pass them to the use cases here in
// services/, or read from them; these are the types (and the one list of delivery statuses) they
// name on the way.
export type { Database } from '../store/schema.ts';
export type { Dialect } from '../store/db.ts';
export type { Stores } from '../store/stores.ts';
export type { EventFeed } from '../store/event-feed.ts';
export type { AuditStore } from '../store/audit.ts';
export type { ChannelStore, StoredChannel } from '../store/channels.ts';
export type { InboundStore } from '../store/inbound.ts';
export type { InboundView } from '../store/inbound-rows.ts';
export type { LedgerEntry, LedgerStore } from '../store/ledger.ts';
export type { ListFilter, MessageStore } from '../store/messages.ts';
export type { MessageView } from '../store/message-rows.ts';
export type { PricePlanStore } from '../store/price-plans.ts';
export type { ScheduledJob, ScheduledJobStore } from '../store/scheduled-jobs.ts';
export type { SmppAccount, SmppAccountStore } from '../store/smpp-accounts.ts';
export type { TenantDirectory } from '../store/tenant-directory.ts';
export type { WebhookEndpoint } from '../store/webhooks.ts';
export {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  type DeliveryView,
} from '../store/webhook-deliveries.ts';
