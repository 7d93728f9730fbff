// Channel incidents for operators (GET /v1/admin/incidents): a bind lost and found again, per
// channel, newest first; the channels open and close them (channels/ and channel-manager.ts).
import type { Incident, IncidentStore } from '../store/incidents.ts';

export type { Incident, IncidentStore };

/** The most incidents one answer lists. */
export const INCIDENTS_MAX = 10_000;

export function channelIncidents(
  incidents: IncidentStore,
  f: { channelId?: string; from?: number; to?: number },
): Promise<Incident[]> {
  return incidents.list({ limit: INCIDENTS_MAX, ...f });
}
