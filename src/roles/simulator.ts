// The simulator role: the built-in SMPP carrier (SMSC) the default channel sends to, so a laptop
// sends and receives receipts with no carrier account (docs/channels.md).
import { join } from 'node:path';
import { SmscSimulator } from '../simulator/smsc.ts';
import type { HealthPart, RoleContext } from './role.ts';

export interface SimulatorRole {
  simulator: SmscSimulator;
  port: number;
  health(): HealthPart;
}

export async function startSimulatorRole({ node, onStop }: RoleContext): Promise<SimulatorRole> {
  const { config, log } = node;
  const simulator = new SmscSimulator({
    host: config.simulator.host,
    port: config.simulator.port,
    receiptDelayMs: config.simulator.receiptDelayMs,
    // It keeps the receipts it owes on disk, as a carrier does: a crash loses none of them.
    stateFile: config.simulator.stateFile ?? join(config.dataDir, 'smpp-simulator.journal'),
    receiptMaxAgeMs: config.simulator.receiptMaxAgeSeconds * 1000,
    logger: log.child({ role: 'simulator' }),
  });
  const { port } = await simulator.start();
  onStop(() => simulator.stop());
  log.info({ port }, 'carrier simulator listening (SMPP)');
  return { simulator, port, health: () => ({ parts: { simulator: 'up' }, ok: true }) };
}
