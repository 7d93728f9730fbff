// What every role of this node shares: the stores, the acceptance path (one for HTTP, SMPP, CMPP
// and the operator's own notices), the notifier, the per-node caches (routing table, extension
// codes), the event horizon and the webhook sender. Built once per start, before any role.
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Clock } from '../core/schedule.ts';
import type { Store } from '../store/db.ts';
import type { Stores } from '../store/stores.ts';
import type { Tenant } from '../store/tenants.ts';
import type { ChannelConfig } from '../core/channels/channel-config.ts';
import { EgressPolicy } from '../net/egress-policy.ts';
import { acceptMessages, type AcceptDeps } from '../services/accept-messages.ts';
import type { ComplianceService } from '../services/compliance.ts';
import { EventHorizon } from '../events/horizon.ts';
import { ExtensionCodes } from '../services/extension-codes.ts';
import { InboundHandler } from '../services/handle-inbound.ts';
import { loginPolicyOf, type LoginPolicy } from '../services/log-in.ts';
import { Notifier } from '../events/notifications.ts';
import { RoutingTable } from '../services/routing-table.ts';
import { SendLimiter } from '../services/send-limits.ts';
import { WebhookSender } from '../events/webhooks/sender.ts';

export interface NodeOptions {
  config: Config;
  log: Logger;
  clock: Clock;
  store: Store;
  stores: Stores;
  compliance: ComplianceService;
  /** The operator's own account (its notices go out through the platform itself). */
  operator: Tenant;
  /** The channels' configs as the node's channel manager holds them (it starts after this). */
  channelConfigs: () => ChannelConfig[];
}

export interface NodeServices extends Omit<NodeOptions, 'channelConfigs'> {
  /** One login policy for HTTP, SMPP and CMPP (docs/security.md, "Lock-outs and throttling"). */
  loginPolicy: LoginPolicy;
  /** Where webhooks and callbackUrls may go: public addresses, plus what the operator allows. */
  egressPolicy: EgressPolicy;
  webhookSender: WebhookSender;
  /** Webhooks and the live stream read message_events up to this process's event horizon. */
  eventHorizon: EventHorizon;
  accept: AcceptDeps;
  /** An SMS from the operator's account, signed with its signature; resolves to the message id. */
  sendSms(to: string, text: string): Promise<string>;
  notifier: Notifier;
  routing: RoutingTable;
  extensionCodes: ExtensionCodes;
  /** Carriers' MO and receipts' follow-up (dispatcher and worker roles; null elsewhere). */
  inbound: InboundHandler | null;
  stop(): Promise<void>;
}

export async function openNode(o: NodeOptions): Promise<NodeServices> {
  const { channelConfigs, ...shared } = o;
  const { config, log, stores } = o;
  const egressPolicy = new EgressPolicy(config.webhooks.allowedTargets);
  const webhookSender = new WebhookSender({
    timeoutMs: config.webhooks.timeoutMs,
    policy: egressPolicy,
    log: log.child({ role: 'webhooks' }),
  });
  const eventHorizon = new EventHorizon(stores.eventFeed, {
    start: () => stores.webhookDeliveries.cursor(),
    waitMs: config.webhooks.gapWaitMs,
    minIntervalMs: Math.min(config.webhooks.pollMs, config.stream.pollMs) / 2,
  });
  const accept: AcceptDeps = {
    messages: stores.messages,
    prices: stores.prices,
    contracts: stores.contracts,
    ...(config.compliance.enabled ? { compliance: o.compliance } : {}),
    utcOffsetMinutes: config.billing.statementUtcOffsetMinutes,
    defaultRegion: config.defaultRegion,
    maxRecipients: config.messages.maxRecipients,
    maxParts: config.messages.maxParts,
    callbackPolicy: egressPolicy,
    // Per tenant, in messages, on every sending path (services/send-limits.ts).
    limiter: new SendLimiter(stores.tenants, {
      perSecond: config.limits.messagesPerSecond,
      burst: config.limits.messagesBurst,
      inFlight: config.limits.messagesInFlight,
    }),
  };
  const sendSms = async (to: string, text: string) => {
    const out = await acceptMessages(accept, o.operator, {
      to,
      text: `【${config.notifications.smsSignature}】${text}`,
      class: 'notification',
    });
    return out.body.messages[0]?.id ?? '';
  };
  const notifier = new Notifier(
    o.store.db,
    config.notifications.smtp,
    sendSms,
    log.child({ role: 'notify' }),
  );
  const routing = new RoutingTable(stores.settings, log);
  const extensionCodes = new ExtensionCodes(stores.inbound, {
    exclude: [o.operator.id],
    log: log.child({ role: 'inbound' }),
  });
  const has = (role: string) => config.roles.includes(role as never);
  const inbound =
    has('dispatcher') || has('worker')
      ? new InboundHandler({
          store: stores.inbound,
          compliance: o.compliance,
          defaultRegion: config.defaultRegion,
          log: log.child({ role: 'inbound' }),
          // One confirmation, from the operator's account (free): the number no longer hears from the tenant.
          confirm: async (to: string, tenantName: string) => {
            await sendSms(to, `您已退订 ${tenantName} 的短信，将不再收到其营销和通知短信。`);
          },
          // The channel a reply came in on says which service number to strip (docs/inbound.md).
          serviceNumbers: (channelId) => {
            const all = channelConfigs();
            return {
              own: all.find((c) => c.id === channelId)?.sourceAddr ?? null,
              all: all.map((c) => c.sourceAddr),
            };
          },
          notRepliedTo: [o.operator.id],
        })
      : null;
  const stop = async () => {
    extensionCodes.stop();
    routing.stop();
    await notifier.close();
    await webhookSender.close();
  };
  try {
    await routing.start();
    // Every tenant (the demo one too) has its extension code before anything is sent.
    await extensionCodes.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    ...shared,
    loginPolicy: loginPolicyOf(config.login),
    egressPolicy,
    webhookSender,
    eventHorizon,
    accept,
    sendSms,
    notifier,
    routing,
    extensionCodes,
    inbound,
    stop,
  };
}
