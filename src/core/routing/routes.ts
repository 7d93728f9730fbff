// Routing as data (after Jasmin's Filter/Route/Table): ordered routes, each a set of filters and
// a target; the first route whose filters all match wins, and its target picks a channel that is
// up — one channel, a weighted split, or a failover list. Pure: health and chance come in.
import { DomainError } from '../errors.ts';
import { CN_CARRIERS, type CnCarrier } from '../billing/cn-carrier.ts';
import { MESSAGE_CLASSES, type MessageClass } from '../billing/rating.ts';

export interface RouteFilter {
  tenants?: string[];
  countries?: string[];
  /** E.164 prefixes, e.g. "+86138". */
  prefixes?: string[];
  carriers?: CnCarrier[];
  classes?: MessageClass[];
  senders?: string[];
  /** Local minutes of the day [from, to); to < from wraps midnight. */
  hours?: { from: number; to: number };
}

export type RouteTarget =
  | { kind: 'channel'; channel: string }
  | { kind: 'split'; weights: Array<{ channel: string; weight: number }> }
  | { kind: 'failover'; channels: string[] };

export interface Route {
  id: string;
  filter: RouteFilter;
  target: RouteTarget;
}

export interface Routable {
  tenantId: string;
  to: string;
  country: string | null;
  carrier: CnCarrier | null;
  class: MessageClass;
  sender: string | null;
  /** Local minute of the day the message is routed at. */
  minuteOfDay: number;
}

export interface RouteDecision {
  route: string | null;
  channel: string | null;
  /** Human explanation, for `POST /v1/admin/routes/test`. */
  why: string[];
  /** Channels of a failover list passed over because they were down (before the one picked). */
  skipped?: string[];
}

const bad = (field: string, detail: string): never => {
  throw new DomainError('invalid_route', detail, { field });
};

/** Check routes from the API's shape; the last route must match everything (the default). */
export function parseRoutes(input: unknown, knownChannels: readonly string[]): Route[] {
  if (!Array.isArray(input) || input.length === 0) bad('routes', 'routes must be a non-empty list');
  const ids = new Set<string>();
  const routes = (input as unknown[]).map((raw, i): Route => {
    const f = `routes[${i}]`;
    const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    if (typeof r.id !== 'string' || !/^[a-z0-9_-]{1,40}$/i.test(r.id))
      bad(`${f}.id`, 'each route needs an id of 1-40 letters, digits, - or _');
    if (ids.has(r.id as string)) bad(`${f}.id`, `route id ${String(r.id)} appears twice`);
    ids.add(r.id as string);
    const filter = parseFilter(r.filter ?? {}, `${f}.filter`);
    const target = parseTarget(r.target, `${f}.target`, knownChannels);
    return { id: r.id as string, filter, target };
  });
  if (Object.keys(routes[routes.length - 1]!.filter).length !== 0)
    bad(
      `routes[${routes.length - 1}].filter`,
      'the last route must have no filters: it is the default route',
    );
  return routes;
}

function strings(v: unknown, field: string, check?: (s: string) => boolean): string[] {
  if (
    !Array.isArray(v) ||
    v.length === 0 ||
    !v.every((s) => typeof s === 'string' && (!check || check(s)))
  )
    bad(field, `${field} must be a non-empty list of valid values`);
  return v as string[];
}

function parseFilter(v: unknown, field: string): RouteFilter {
  if (typeof v !== 'object' || v === null) bad(field, 'filter must be an object');
  const o = v as Record<string, unknown>;
  const out: RouteFilter = {};
  for (const key of Object.keys(o)) {
    const fk = `${field}.${key}`;
    switch (key) {
      case 'tenants':
      case 'senders':
        out[key] = strings(o[key], fk);
        break;
      case 'countries':
        out.countries = strings(o[key], fk, (s) => /^[A-Z]{2}$/.test(s));
        break;
      case 'prefixes':
        out.prefixes = strings(o[key], fk, (s) => /^\+\d{1,15}$/.test(s));
        break;
      case 'carriers':
        out.carriers = strings(o[key], fk, (s) =>
          (CN_CARRIERS as readonly string[]).includes(s),
        ) as CnCarrier[];
        break;
      case 'classes':
        out.classes = strings(o[key], fk, (s) =>
          (MESSAGE_CLASSES as readonly string[]).includes(s),
        ) as MessageClass[];
        break;
      case 'hours': {
        const h = o.hours as { from?: unknown; to?: unknown };
        const ok = (m: unknown) =>
          Number.isInteger(m) && (m as number) >= 0 && (m as number) <= 1440;
        if (typeof h !== 'object' || h === null || !ok(h.from) || !ok(h.to) || h.from === h.to)
          bad(fk, 'hours must be { from, to } in minutes of the day, 0-1440, not equal');
        out.hours = { from: h.from as number, to: h.to as number };
        break;
      }
      default:
        bad(fk, `${key} is not a route filter`);
    }
  }
  return out;
}

function parseTarget(v: unknown, field: string, known: readonly string[]): RouteTarget {
  const t = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const channel = (c: unknown, f: string) => {
    if (typeof c !== 'string' || !known.includes(c)) bad(f, `unknown channel ${String(c)}`);
    return c as string;
  };
  switch (t.kind) {
    case 'channel':
      return { kind: 'channel', channel: channel(t.channel, `${field}.channel`) };
    case 'split': {
      if (!Array.isArray(t.weights) || t.weights.length < 2)
        bad(`${field}.weights`, 'a split needs two or more channels');
      const weights = (t.weights as Array<Record<string, unknown>>).map((w, i) => {
        if (!Number.isInteger(w.weight) || (w.weight as number) < 1)
          bad(`${field}.weights[${i}].weight`, 'weights are whole numbers ≥ 1');
        return {
          channel: channel(w.channel, `${field}.weights[${i}].channel`),
          weight: w.weight as number,
        };
      });
      return { kind: 'split', weights };
    }
    case 'failover': {
      if (!Array.isArray(t.channels) || t.channels.length < 2)
        bad(`${field}.channels`, 'a failover list needs two or more channels');
      return {
        kind: 'failover',
        channels: (t.channels as unknown[]).map((c, i) => channel(c, `${field}.channels[${i}]`)),
      };
    }
    default:
      return bad(`${field}.kind`, 'target kind must be channel, split or failover');
  }
}

function matches(f: RouteFilter, m: Routable): string | null {
  if (f.tenants && !f.tenants.includes(m.tenantId)) return 'tenant';
  if (f.countries && !(m.country && f.countries.includes(m.country))) return 'country';
  if (f.prefixes && !f.prefixes.some((p) => m.to.startsWith(p))) return 'prefix';
  if (f.carriers && !(m.carrier && f.carriers.includes(m.carrier))) return 'carrier';
  if (f.classes && !f.classes.includes(m.class)) return 'class';
  if (f.senders && !(m.sender && f.senders.includes(m.sender))) return 'sender';
  if (f.hours) {
    const { from, to } = f.hours;
    const inside =
      from < to
        ? m.minuteOfDay >= from && m.minuteOfDay < to
        : m.minuteOfDay >= from || m.minuteOfDay < to;
    if (!inside) return 'hours';
  }
  return null;
}

/** The first matching route and, of its channels, one that is up. */
export function routeFor(
  routes: readonly Route[],
  m: Routable,
  isUp: (channel: string) => boolean,
  random: () => number = Math.random,
): RouteDecision {
  const why: string[] = [];
  for (const r of routes) {
    const miss = matches(r.filter, m);
    if (miss) {
      why.push(`route ${r.id}: ${miss} does not match`);
      continue;
    }
    why.push(`route ${r.id} matches`);
    const t = r.target;
    if (t.kind === 'channel') {
      if (isUp(t.channel))
        return { route: r.id, channel: t.channel, why: [...why, `channel ${t.channel}`] };
      return { route: r.id, channel: null, why: [...why, `channel ${t.channel} is down`] };
    }
    if (t.kind === 'failover') {
      const skipped: string[] = [];
      for (const c of t.channels) {
        if (isUp(c))
          return {
            route: r.id,
            channel: c,
            why: [...why, `failover: ${c} is the first channel up`],
            ...(skipped.length > 0 ? { skipped } : {}),
          };
        why.push(`failover: ${c} is down`);
        skipped.push(c);
      }
      return {
        route: r.id,
        channel: null,
        why: [...why, 'every channel of the failover list is down'],
      };
    }
    const up = t.weights.filter((w) => isUp(w.channel));
    if (up.length === 0)
      return { route: r.id, channel: null, why: [...why, 'every channel of the split is down'] };
    const total = up.reduce((s, w) => s + w.weight, 0);
    let pick = random() * total;
    for (const w of up) {
      pick -= w.weight;
      if (pick < 0)
        return {
          route: r.id,
          channel: w.channel,
          why: [...why, `split: ${w.channel} (weight ${w.weight} of ${total})`],
        };
    }
    const last = up[up.length - 1]!;
    return { route: r.id, channel: last.channel, why: [...why, `split: ${last.channel}`] };
  }
  return { route: null, channel: null, why: [...why, 'no route matches'] };
}
