// What an inbound (MO) message means for compliance: an opt-out reply puts the sender on the
// opt-out list of the tenant it answers, and gets one confirmation. Until tenants have their own
// extension codes (tenant interfaces), a reply belongs to the tenant that last sent to that number
// within a week — the usual fallback of SMS platforms.
import type { Kysely } from 'kysely';
import { normaliseNumber, maskNumber } from '../core/phone.ts';
import type { Logger } from '../logger.ts';
import type { Database } from '../store/schema.ts';
import type { InboundRow } from '../store/receipts.ts';
import type { ComplianceService } from './compliance.ts';

export interface InboundDeps {
  db: Kysely<Database>;
  compliance: ComplianceService;
  defaultRegion: string;
  /** Sends the confirmation (from the operator's account). */
  confirm: (to: string, tenantName: string) => Promise<void>;
  log: Logger;
}

export async function handleInbound(deps: InboundDeps, rows: InboundRow[]): Promise<void> {
  for (const row of rows) {
    const n = normaliseNumber(
      row.from.startsWith('+') ? row.from : `+${row.from}`,
      deps.defaultRegion,
    );
    if (!n.ok) continue;
    const last = await deps.db
      .selectFrom('messages')
      .innerJoin('tenants', 'tenants.id', 'messages.tenant_id')
      .select(['messages.tenant_id', 'tenants.name'])
      .where('messages.to', '=', n.e164)
      .where('messages.created_at', '>=', row.receivedAt - 7 * 24 * 3600_000)
      .orderBy('messages.created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!last) continue;
    await deps.db
      .updateTable('inbound_messages')
      .set({ tenant_id: last.tenant_id })
      .where('id', '=', row.id)
      .execute();
    if (await deps.compliance.handleReply(last.tenant_id, n.e164, row.text)) {
      deps.log.info({ tenant: last.tenant_id, from: maskNumber(n.e164) }, 'opt-out by reply');
      await deps.confirm(n.e164, last.name);
    }
  }
}
