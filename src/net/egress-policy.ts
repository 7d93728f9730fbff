// Where Hongyan may open a connection on a tenant's behalf (webhooks, per-message callbacks):
// public internet addresses only, unless the operator allows a range or a host name
// (webhooks.allowedTargets). Judged on the URL as written and again on every address DNS gives
// at connect time (the agent's `lookup`), so the address checked is the address connected to.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { checkTargetUrl } from '../core/webhooks/target-url.ts';

/** A target refused by the policy (the URL is well formed, but not somewhere we may go). */
export type TargetCheck =
  | { ok: true; url: string; origin: string; host: string }
  | { ok: false; reason: 'invalid' | 'not_public'; detail: string };

export class EgressPolicyError extends Error {}

/** How names are resolved: dns.lookup (getaddrinfo, /etc/hosts included) unless a test says. */
export type Resolve = (
  hostname: string,
  options: LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

// IANA IPv4 Special-Purpose Address Registry (RFC 6890 and updates): none is a tenant's server.
const NON_PUBLIC_V4: ReadonlyArray<[string, number]> = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // shared address space, carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata (RFC 3927)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.88.99.0', 24], // 6to4 relay anycast (RFC 7526)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking (RFC 2544)
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255 broadcast
];

// RFC 4291 §2.4: only 2000::/3 is global unicast. Everything else (::, ::1, IPv4-mapped
// ::ffff:0:0/96, IPv4-compatible ::/96, 100::/64 discard, ULA fc00::/7, link-local fe80::/10,
// site-local fec0::/10, multicast ff00::/8) is refused by not being in it.
const GLOBAL_UNICAST_V6: [string, number] = ['2000::', 3];
// IANA IPv6 Special-Purpose Address Registry, inside 2000::/3.
const NON_PUBLIC_V6: ReadonlyArray<[string, number]> = [
  ['2001::', 23], // IETF protocol assignments: Teredo 2001::/32, benchmarking, ORCHID
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: any IPv4 address, private ones too, inside
  ['3fff::', 20], // documentation (RFC 9637)
  ['5f00::', 16], // SRv6 SIDs (RFC 9602)
];
// RFC 6052: the NAT64 well-known prefix carries an IPv4 address in its last 32 bits. DNS64
// networks hand these out for every public IPv4 host, so they are judged by the IPv4 address
// they reach (RFC 6052 §3.1 forbids it for non-global ones anyway). The local-use prefix
// 64:ff9b:1::/48 (RFC 8215) is outside 2000::/3, hence refused.
const NAT64_WKP: [string, number] = ['64:ff9b::', 96];

const nonPublicV4 = blockList(NON_PUBLIC_V4, 'ipv4');
const globalV6 = blockList([GLOBAL_UNICAST_V6], 'ipv6');
const nonPublicV6 = blockList(NON_PUBLIC_V6, 'ipv6');
const nat64 = blockList([NAT64_WKP], 'ipv6');

function blockList(ranges: ReadonlyArray<[string, number]>, type: 'ipv4' | 'ipv6'): BlockList {
  const b = new BlockList();
  for (const [net, prefix] of ranges) b.addSubnet(net, prefix, type);
  return b;
}

/** Is this IP address (v4 or v6, any spelling DNS or a URL gives) a public internet address? */
export function isPublicAddress(address: string): boolean {
  // A zone (fe80::1%eth0) only ever comes with a link-local address.
  if (address.includes('%')) return false;
  const family = isIP(address);
  if (family === 4) return !nonPublicV4.check(address, 'ipv4');
  if (family !== 6) return false;
  // BlockList maps IPv4-mapped IPv6 onto IPv4 rules: test v6 rules on v6 addresses only, and
  // let the global-unicast rule refuse the mapped and compatible forms.
  if (nat64.check(address, 'ipv6')) {
    const v4 = embeddedIpv4(address);
    return v4 !== null && isPublicAddress(v4);
  }
  return globalV6.check(address, 'ipv6') && !nonPublicV6.check(address, 'ipv6');
}

/** The IPv4 address in the last 32 bits of an IPv6 address (NAT64), or null. */
function embeddedIpv4(address: string): string | null {
  let canonical: string;
  try {
    // The WHATWG serialiser: compressed lower-case hex, never a dotted tail.
    canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const [head = '', tail = ''] = canonical.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = canonical.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  if (groups.length !== 8) return null;
  const hi = parseInt(groups[6]!, 16);
  const lo = parseInt(groups[7]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

export class EgressPolicy {
  readonly #allowed = new BlockList();
  readonly #names = new Set<string>();
  /** `*.example.internal` entries, kept as `.example.internal`. */
  readonly #suffixes: string[] = [];
  readonly #resolve: Resolve;

  /**
   * `allowedTargets`: CIDR ranges (`10.20.0.0/16`, `fd00::/8`), single addresses, host names
   * (`hooks.corp.example`) or `*.`-prefixed domains, that may be reached although not public.
   * Throws EgressPolicyError naming the first entry it cannot read.
   */
  constructor(allowedTargets: readonly string[] = [], resolve: Resolve = dnsLookup) {
    this.#resolve = resolve;
    for (const raw of allowedTargets) {
      const entry = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
      const [net, prefix, extra] = entry.split('/');
      const family = isIP(net ?? '');
      if (family !== 0) {
        const type = family === 4 ? 'ipv4' : 'ipv6';
        const max = family === 4 ? 32 : 128;
        const bits = prefix === undefined ? max : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
        if (extra !== undefined || !(bits >= 0 && bits <= max))
          throw new EgressPolicyError(`"${String(raw)}" is not a CIDR range (prefix 0-${max})`);
        this.#allowed.addSubnet(net!, bits, type);
        continue;
      }
      const name = entry.replace(/\.$/, '');
      const wildcard = name.startsWith('*.');
      const bare = wildcard ? name.slice(2) : name;
      if (
        !/^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/.test(
          bare,
        )
      )
        throw new EgressPolicyError(
          `"${String(raw)}" is neither a CIDR range, an address nor a host name`,
        );
      if (wildcard) this.#suffixes.push(`.${bare}`);
      else this.#names.add(bare);
    }
  }

  /** The operator named this host (or a domain above it) in webhooks.allowedTargets. */
  hostAllowed(host: string): boolean {
    const h = host.toLowerCase().replace(/\.$/, '');
    return this.#names.has(h) || this.#suffixes.some((s) => h.endsWith(s));
  }

  /** May a connection go to this address? */
  addressAllowed(address: string): boolean {
    if (isPublicAddress(address)) return true;
    const bare = address.split('%')[0]!;
    const family = isIP(bare);
    return family !== 0 && this.#allowed.check(bare, family === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * A URL a tenant gives: well formed (core/webhooks/target-url.ts) and, when its host is an
   * address (any spelling: the URL parser makes 2130706433, 0x7f.1 and [::ffff:127.0.0.1]
   * canonical first) or a loopback name, one we may reach. Other names are judged on their
   * addresses when connecting (`lookup`).
   */
  checkUrl(raw: string): TargetCheck {
    const c = checkTargetUrl(raw);
    if (!c.ok) return { ok: false, reason: 'invalid', detail: c.detail };
    const host = c.host.toLowerCase();
    if (this.hostAllowed(host)) return c;
    if (isIP(host) !== 0) {
      if (!this.addressAllowed(host)) return refused(c.host);
      return c;
    }
    // RFC 6761 §6.3: localhost and every name under it are the loopback interface.
    if (host === 'localhost' || host.endsWith('.localhost')) {
      if (!this.addressAllowed('127.0.0.1') && !this.addressAllowed('::1')) return refused(c.host);
    }
    return c;
  }

  /**
   * The `lookup` for the sending agents: resolves as usual, keeps the addresses we may reach,
   * and fails the connection (code EREFUSEDTARGET) when none is left.
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    const trusted = this.hostAllowed(hostname);
    this.#resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const usable = trusted ? addresses : addresses.filter((a) => this.addressAllowed(a.address));
      if (usable.length === 0) {
        const refusedErr: NodeJS.ErrnoException = new Error(
          `${hostname} resolves to no public address`,
        );
        refusedErr.code = REFUSED_TARGET;
        return callback(refusedErr, '', 0);
      }
      if (options.all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
}

/** The error code of a connection the policy refused after DNS. */
export const REFUSED_TARGET = 'EREFUSEDTARGET';

function refused(host: string): TargetCheck {
  return {
    ok: false,
    reason: 'not_public',
    detail: `${host} is not a public internet address (loopback, private, link-local, shared, multicast or reserved); an operator may allow it in webhooks.allowedTargets`,
  };
}
