// Every repository of the platform, built once per process over one database and one body
// cipher, and passed down to the roles, services and transports that use them.
import type { Store } from './db.ts';
import type { BodyCipher } from '../security/body-cipher.ts';
import { AnnouncementStore } from './announcements.ts';
import { AuditStore } from './audit.ts';
import { BlockListStore } from './block-list.ts';
import { ChannelStore } from './channels.ts';
import { ComplianceStore } from './compliance.ts';
import { ContractStore } from './contracts.ts';
import { DispatchQueue } from './dispatch-queue.ts';
import { EventFeed, type CategoryRulesOf } from './event-feed.ts';
import { InboundStore } from './inbound.ts';
import { IncidentStore } from './incidents.ts';
import { LedgerStore } from './ledger.ts';
import { MessageStore } from './messages.ts';
import { PricePlanStore } from './price-plans.ts';
import { ReceiptStore } from './receipts.ts';
import { RechargeRequestStore } from './recharge-requests.ts';
import { ScheduledJobStore } from './scheduled-jobs.ts';
import { SettingsStore } from './settings.ts';
import { SmppAccountStore } from './smpp-accounts.ts';
import { SmppOutboxStore } from './smpp-outbox.ts';
import { StatementStore } from './statements.ts';
import { TenantDirectory } from './tenant-directory.ts';
import { TenantStore } from './tenants.ts';
import { UserStore } from './users.ts';
import { WebhookDeliveryStore } from './webhook-deliveries.ts';
import { WebhookStore } from './webhooks.ts';

export interface Stores {
  tenants: TenantStore;
  /** The operator's tenant list with balances and traffic (GET /v1/admin/tenants). */
  directory: TenantDirectory;
  users: UserStore;
  audit: AuditStore;
  prices: PricePlanStore;
  ledger: LedgerStore;
  messages: MessageStore;
  /** Queued messages claimed, sent and answered (the dispatcher), and expired (the sweep). */
  dispatchQueue: DispatchQueue;
  receipts: ReceiptStore;
  contracts: ContractStore;
  statements: StatementStore;
  rechargeRequests: RechargeRequestStore;
  announcements: AnnouncementStore;
  incidents: IncidentStore;
  settings: SettingsStore;
  compliance: ComplianceStore;
  blockList: BlockListStore;
  channels: ChannelStore;
  inbound: InboundStore;
  scheduledJobs: ScheduledJobStore;
  smppAccounts: SmppAccountStore;
  /** Receipts owed to tenants' binds: those of messages submitted over SMPP, and over CMPP. */
  smppOutbox: SmppOutboxStore;
  cmppOutbox: SmppOutboxStore;
  webhookEndpoints: WebhookStore;
  webhookDeliveries: WebhookDeliveryStore;
  /** message_events, read by webhooks, the live stream and deliveries to tenants' binds. */
  eventFeed: EventFeed;
}

export interface StoresOptions {
  /**
   * A channel's failure-category rules, for the event feed's error view. The channels that hold
   * them are built from these stores, so this is a late-bound function (default: none).
   */
  categoryRules?: CategoryRulesOf;
}

export function createStores(
  store: Store,
  cipher: BodyCipher,
  options: StoresOptions = {},
): Stores {
  const { db, dialect } = store;
  return {
    tenants: new TenantStore(db),
    directory: new TenantDirectory(db, dialect),
    users: new UserStore(db, cipher),
    audit: new AuditStore(db),
    prices: new PricePlanStore(db),
    ledger: new LedgerStore(db, dialect),
    messages: new MessageStore(db, dialect, cipher),
    dispatchQueue: new DispatchQueue(db, dialect, cipher),
    receipts: new ReceiptStore(db, dialect),
    contracts: new ContractStore(db),
    statements: new StatementStore(db),
    rechargeRequests: new RechargeRequestStore(db),
    announcements: new AnnouncementStore(db),
    incidents: new IncidentStore(db),
    settings: new SettingsStore(db),
    compliance: new ComplianceStore(db),
    blockList: new BlockListStore(db),
    channels: new ChannelStore(db, cipher),
    inbound: new InboundStore(db, dialect, cipher),
    scheduledJobs: new ScheduledJobStore(db),
    smppAccounts: new SmppAccountStore(db, cipher),
    smppOutbox: new SmppOutboxStore(db, cipher),
    cmppOutbox: new SmppOutboxStore(db, cipher, 'cmpp'),
    webhookEndpoints: new WebhookStore(db, cipher),
    webhookDeliveries: new WebhookDeliveryStore(db, dialect, cipher),
    eventFeed: new EventFeed(db, cipher, options.categoryRules),
  };
}
