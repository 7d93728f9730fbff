// Where Hongyan may POST a tenant's events, as far as the URL alone tells: an absolute http(s)
// URL with a host, no credentials, of sane length. Whether the host is a public address is the
// egress policy's question (src/net/egress-policy.ts), asked again of every address connected to.

export const MAX_URL_LENGTH = 2048;

export type UrlCheck =
  | {
      ok: true;
      /** The URL as the WHATWG parser serialises it (numeric IPv4 spellings made dotted, IPv6 compressed). */
      url: string;
      origin: string;
      /** The host without IPv6 brackets and without a trailing dot: what a policy judges. */
      host: string;
    }
  | { ok: false; detail: string };

export function checkTargetUrl(raw: string): UrlCheck {
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
  const host = u.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (!host) return { ok: false, detail: 'the URL has no host' };
  return { ok: true, url: u.toString(), origin: u.origin, host };
}
