// The node's channel manager: the channels' configs and status on every node (the API shows and
// edits them, inbound handling strips their service numbers); drivers that bind and send only on
// a node with the dispatcher role (roles/dispatcher.ts supplies them).
import { ChannelManager, type ChannelManagerDeps } from '../services/channel-manager.ts';
import type { NodeServices } from './node.ts';
import type { HealthPart } from './role.ts';

export type Drivers = Pick<ChannelManagerDeps, 'makeDriver' | 'events'>;

/** No drivers: this node sends nothing, so no channel ever hands it a receipt. */
const CONFIGS_ONLY: Drivers = {
  makeDriver: null,
  events: () => ({ onReceipt: () => {}, onInbound: () => {} }),
};

export function channelManagerOf(node: NodeServices, drivers: Drivers = CONFIGS_ONLY) {
  return new ChannelManager({
    store: node.stores.channels,
    incidents: node.stores.incidents,
    node: node.config.nodeId,
    log: node.log.child({ role: 'channel' }),
    ...drivers,
  });
}

/** Every channel's state; the node is unwell while an enabled one is not bound. */
export function channelHealth(channels: ChannelManager): HealthPart {
  const parts: Record<string, string> = {};
  let ok = true;
  for (const c of channels.status()) {
    parts[`channel:${c.id}`] = c.pausedUntil ? 'paused' : c.state;
    if (c.state !== 'bound' && c.state !== 'disabled') ok = false;
  }
  return { parts, ok };
}
