// The routing table as the API models it (src/core/routing/routes.ts), and its form shape: the
// same, with the hours of a route as "HH:MM" strings instead of minutes of the day.
export { CN_CARRIERS as CARRIERS } from '@core/billing/cn-carrier.ts';
export { MESSAGE_CLASSES as CLASSES } from '@core/billing/rating.ts';

export interface RouteFilter {
  tenants?: string[];
  countries?: string[];
  prefixes?: string[];
  carriers?: string[];
  classes?: string[];
  senders?: string[];
  hours?: { from: number; to: number };
}

export type RouteTarget =
  | { kind: 'channel'; channel: string }
  | { kind: 'split'; weights: Array<{ channel: string; weight: number }> }
  | { kind: 'failover'; channels: string[] };

export interface Route {
  id: string;
  filter?: RouteFilter;
  target: RouteTarget;
}

export interface RoutingTable {
  routes: Route[] | null;
  channels: Array<{ id: string; up: boolean }>;
}

export interface RouteDecision {
  route: string | null;
  channel: string | null;
  why: string[];
  skipped?: string[];
}

export interface FormRoute {
  id: string;
  filter: Omit<RouteFilter, 'hours'> & { hours?: { from?: string; to?: string } };
  target: {
    kind: RouteTarget['kind'];
    channel?: string;
    weights?: Array<{ channel?: string; weight?: number }>;
    channels?: string[];
  };
}

const LISTS = ['tenants', 'countries', 'prefixes', 'carriers', 'classes', 'senders'] as const;

export function hhmm(minutes: number): string {
  const h = Math.floor(minutes / 60);
  return `${String(h).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** "08:30" → 510; "24:00" → 1440; anything else → NaN (the server names the field). */
export function minutesOf(s: string | undefined): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec((s ?? '').trim());
  if (!m) return Number.NaN;
  return Number(m[1]) * 60 + Number(m[2]);
}

export function toForm(r: Route): FormRoute {
  const f = r.filter ?? {};
  const { hours, ...lists } = f;
  return {
    id: r.id,
    filter: {
      ...lists,
      ...(hours ? { hours: { from: hhmm(hours.from), to: hhmm(hours.to) } } : {}),
    },
    target: { ...r.target },
  };
}

export function fromForm(r: FormRoute): Route {
  const filter: RouteFilter = {};
  for (const k of LISTS) {
    const v = r.filter?.[k]?.map((s) => s.trim()).filter(Boolean);
    if (v && v.length > 0) filter[k] = v;
  }
  const h = r.filter?.hours;
  if (h && (h.from || h.to)) filter.hours = { from: minutesOf(h.from), to: minutesOf(h.to) };
  const t = r.target;
  const target: RouteTarget =
    t.kind === 'split'
      ? {
          kind: 'split',
          weights: (t.weights ?? []).map((w) => ({
            channel: w.channel ?? '',
            weight: w.weight ?? 1,
          })),
        }
      : t.kind === 'failover'
        ? { kind: 'failover', channels: t.channels ?? [] }
        : { kind: 'channel', channel: t.channel ?? '' };
  return { id: r.id, filter, target };
}
