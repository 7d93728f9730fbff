// Where Hongyan may POST a tenant's events: an absolute http(s) URL with a host, no
// credentials, of sane length. Private and loopback addresses are refused when the operator
// says so (webhooks.allowPrivateNetworks: false), both as written and after DNS resolution.

export const MAX_URL_LENGTH = 2048;

export type UrlCheck = { ok: true; url: string; origin: string } | { ok: false; detail: string };

export function checkTargetUrl(raw: string, opts: { allowPrivateNetworks: boolean }): UrlCheck {
  if (raw.length > MAX_URL_LENGTH)
    return { ok: false, detail: `the URL is longer than ${MAX_URL_LENGTH} characters` };
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { ok: false, detail: `"${raw.slice(0, 100)}" is not an absolute URL` };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    return { ok: false, detail: `only http and https URLs can receive events, not ${u.protocol}` };
  if (!u.hostname) return { ok: false, detail: 'the URL has no host' };
  if (u.username || u.password)
    return { ok: false, detail: 'put no credentials in the URL; verify the signature instead' };
  if (!opts.allowPrivateNetworks) {
    const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host))
      return { ok: false, detail: `${u.hostname} is a private or loopback address` };
  }
  return { ok: true, url: u.toString(), origin: u.origin };
}

/** Loopback, private (RFC 1918, ULA), link-local, CGNAT, unspecified: never a tenant's server. */
export function isPrivateAddress(address: string): boolean {
  const a = address.toLowerCase();
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(
    a.startsWith('::ffff:') ? a.slice(7) : a,
  );
  if (v4) {
    const [p, q] = [Number(v4[1]), Number(v4[2])];
    return (
      p === 0 ||
      p === 10 ||
      p === 127 ||
      (p === 100 && q >= 64 && q <= 127) ||
      (p === 169 && q === 254) ||
      (p === 172 && q >= 16 && q <= 31) ||
      (p === 192 && q === 168) ||
      p >= 224
    );
  }
  if (!a.includes(':')) return false;
  return (
    a === '::' ||
    a === '::1' ||
    /^f[cd][0-9a-f]{2}:/.test(a) ||
    /^fe[89ab][0-9a-f]:/.test(a) ||
    /^ff[0-9a-f]{2}:/.test(a)
  );
}
