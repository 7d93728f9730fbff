// The public face both tenant servers (SmppServer, CmppServer) share over their session kit.

interface Kit {
  stop(): Promise<void>;
  kickTenant(tenantId: string, reason: string): number;
}

export abstract class TenantServer<K extends Kit> {
  protected abstract readonly kit: K;

  /** Stops taking connections, says goodbye to every session, answers what is in flight, saves the cursors. */
  stop(): Promise<void> {
    return this.kit.stop();
  }

  /** Drops every session of the tenant (it was suspended or terminated). Returns how many. */
  kickTenant(tenantId: string, reason: string): number {
    return this.kit.kickTenant(tenantId, reason);
  }
}
