// The dispatcher role: the channels' drivers (binds to the carriers), the dispatcher's claim loop
// that sends queued messages over them, and the receipt recorder that writes what the carriers
// report back (receipts and MO), acknowledging each only after it is committed.
import { CmppChannel } from '../channels/cmpp-channel.ts';
import { SmppChannel } from '../channels/smpp-channel.ts';
import type { ChannelManager } from '../services/channel-manager.ts';
import { Dispatcher } from '../services/dispatch-messages.ts';
import { ReceiptRecorder } from '../services/record-receipts.ts';
import { channelManagerOf, type Drivers } from './channels.ts';
import type { HealthPart, RoleContext } from './role.ts';

export interface DispatcherRole {
  dispatcher: Dispatcher;
  channels: ChannelManager;
  health(): HealthPart;
}

export async function startDispatcherRole(
  { node, onStop }: RoleContext,
  /** The embedded simulator's port, if this node runs it. */
  simulatorPort: number | null,
): Promise<DispatcherRole> {
  const { config, log, stores } = node;
  if (!node.inbound) throw new Error('the dispatcher role needs the inbound handler');
  const recorder = new ReceiptRecorder(
    stores.receipts,
    log.child({ role: 'receipts' }),
    node.inbound,
  );
  const channelLog = log.child({ role: 'channel' });
  const drivers: Drivers = {
    makeDriver: (cfg, events) => {
      if (cfg.kind === 'cmpp') return new CmppChannel(cfg, events, channelLog);
      // Port 0 of the simulator kind means "the embedded simulator, wherever it listens".
      const port = cfg.port === 0 ? (simulatorPort ?? config.simulator.port) : cfg.port;
      return new SmppChannel({ ...cfg, port }, events, channelLog);
    },
    events: (channelId) => ({
      onReceipt: (r, ack) => recorder.receipt(channelId, r, ack),
      onInbound: (m, ack) => recorder.inbound(channelId, m, ack),
    }),
  };
  const channels = channelManagerOf(node, drivers);
  await channels.start();
  onStop(async () => {
    await channels.stop();
    await recorder.flush();
  });
  const dispatcher = new Dispatcher(
    stores.dispatchQueue,
    () => channels.drivers(),
    {
      node: config.nodeId,
      batchSize: config.dispatcher.batchSize,
      idleMs: config.dispatcher.idleMs,
      leaseMs: config.dispatcher.leaseSeconds * 1000,
      maxParts: config.messages.maxParts,
      maxAttempts: config.messages.maxSubmitAttempts,
      routes: () => node.routing.current(),
      utcOffsetMinutes: config.billing.statementUtcOffsetMinutes,
      onFailover: (from, to) => channels.noteFailover(from, to),
      extensionOf: (tenantId) => node.extensionCodes.extensionOf(tenantId),
    },
    log.child({ role: 'dispatcher' }),
  );
  await dispatcher.start();
  onStop(() => dispatcher.stop());
  return { dispatcher, channels, health: () => ({ parts: { dispatcher: 'running' }, ok: true }) };
}
