// Channel incidents: opened when a bind is lost, closed when the channel binds again.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { newId } from '../core/ids.ts';

export interface Incident {
  id: string;
  channelId: string;
  kind: string;
  detail: string | null;
  node: string;
  startedAt: number;
  endedAt: number | null;
}

export class IncidentStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Open an incident unless one of this kind is already open for the channel. */
  async open(
    channelId: string,
    kind: string,
    detail: string | null,
    node: string,
    at: number,
  ): Promise<void> {
    const openOne = await this.db
      .selectFrom('channel_incidents')
      .select('id')
      .where('channel_id', '=', channelId)
      .where('kind', '=', kind)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    if (openOne) return;
    await this.db
      .insertInto('channel_incidents')
      .values({
        id: newId('inc', at),
        channel_id: channelId,
        kind,
        detail,
        node,
        started_at: at,
        ended_at: null,
      })
      .execute();
  }

  async close(channelId: string, kind: string, at: number): Promise<void> {
    await this.db
      .updateTable('channel_incidents')
      .set({ ended_at: at })
      .where('channel_id', '=', channelId)
      .where('kind', '=', kind)
      .where('ended_at', 'is', null)
      .execute();
  }

  async list(f: {
    channelId?: string;
    from?: number;
    to?: number;
    limit: number;
  }): Promise<Incident[]> {
    let q = this.db.selectFrom('channel_incidents').selectAll();
    if (f.channelId) q = q.where('channel_id', '=', f.channelId);
    if (f.from !== undefined)
      q = q.where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>=', f.from!)]));
    if (f.to !== undefined) q = q.where('started_at', '<', f.to);
    const rows = await q.orderBy('started_at', 'desc').limit(f.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      channelId: r.channel_id,
      kind: r.kind,
      detail: r.detail,
      node: r.node,
      startedAt: r.started_at,
      endedAt: r.ended_at,
    }));
  }
}
