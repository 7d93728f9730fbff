// The tenant servers (part of the api role): the SMPP 3.4 server and the CMPP 2.0/3.0 server
// tenants' own systems connect to (docs/smpp.md, docs/cmpp.md), and the demo tenant's account on
// them. Started after the HTTP API, so they are stopped before it.
import { CmppServer } from '../servers/cmpp/server.ts';
import { gatewayCodeOf } from '../servers/cmpp/msg-id.ts';
import { SmppServer } from '../servers/smpp/server.ts';
import { seedDemoSmpp, type DemoTenant } from '../services/bootstrap.ts';
import type { DemoSmpp } from '../services/demo-smpp.ts';
import type { RoleContext } from './role.ts';

export interface TenantServers {
  smpp: SmppServer;
  smppPort: number;
  cmpp: CmppServer;
  cmppPort: number;
  demoSmpp: DemoSmpp | null;
  /** Drop every live bind of a tenant that may no longer send. */
  kickTenant(tenantId: string, reason: string): void;
}

export async function startTenantServers(
  { node, onStop }: RoleContext,
  opts: { demo: DemoTenant | null; onAccepted: () => void },
): Promise<TenantServers> {
  const { config, log, stores } = node;
  const shared = {
    accounts: stores.smppAccounts,
    tenants: stores.tenants,
    accept: node.accept,
    onAccepted: opts.onAccepted,
    horizon: node.eventHorizon,
    throttle: node.loginPolicy.throttle,
  };
  const smpp = new SmppServer({
    ...shared,
    host: config.smpp.host,
    port: config.smpp.port,
    outbox: stores.smppOutbox,
    log: log.child({ role: 'smpp' }),
  });
  const smppPort = (await smpp.start()).port;
  onStop(() => smpp.stop());
  // The CMPP server beside it: started after it, so stopped before it.
  const cmpp = new CmppServer({
    ...shared,
    host: config.cmpp.host,
    port: config.cmpp.port,
    outbox: stores.cmppOutbox,
    gatewayCode: gatewayCodeOf(config.nodeId),
    log: log.child({ role: 'cmpp' }),
  });
  const cmppPort = (await cmpp.start()).port;
  onStop(() => cmpp.stop());
  const demoSmpp = opts.demo
    ? await seedDemoSmpp(stores, config, opts.demo, { smpp: smppPort, cmpp: cmppPort })
    : null;
  return {
    smpp,
    smppPort,
    cmpp,
    cmppPort,
    demoSmpp,
    kickTenant: (tenantId, reason) => {
      smpp.kickTenant(tenantId, reason);
      cmpp.kickTenant(tenantId, reason);
    },
  };
}
