// The two addresses of an inbound (MO) message: who sent it, and the number they replied to.
// The reply address is the channel's service number (106…) followed by the extension code the
// message they answered carried, and possibly more digits the user typed (the carriers' 106
// service-number plan; MIIT 码号 rules).
import { normaliseNumber } from '../phone.ts';

/**
 * The sender as E.164 when it is a valid number, else null. Carriers write the MSISDN nationally
 * (`13800138000`), with the country code but no `+` (`8613800138000`, SMPP TON 1) or in full.
 */
export function senderNumber(from: string, defaultRegion: string): string | null {
  const digits = from.trim();
  const national = normaliseNumber(digits, defaultRegion);
  if (national.ok) return national.e164;
  if (/^\d+$/.test(digits)) {
    const international = normaliseNumber(`+${digits}`, defaultRegion);
    if (international.ok) return international.e164;
  }
  return null;
}

/** The digits of an address as carriers write it: no `+`, no spaces. */
export function addressDigits(address: string): string {
  return address.trim().replace(/^\+/, '').replace(/[\s-]/g, '');
}

/**
 * What follows the service number in the reply address: the extension code and any digits the
 * user added. The channel the message came in on is tried first, then every other service
 * number (longest first: one carrier account may serve several). Some gateways put the country
 * code in front of the 106 number, so `86` + service number counts too. Null: the address does
 * not start with any service number we know.
 */
export function afterServiceNumber(
  to: string,
  own: string | null,
  others: readonly string[],
): { serviceNumber: string; rest: string } | null {
  const address = addressDigits(to);
  const numbers = [
    ...(own ? [own] : []),
    ...[...others].sort((a, b) => b.length - a.length).filter((n) => n !== own),
  ]
    .map(addressDigits)
    .filter((n) => n.length > 0);
  for (const n of numbers) {
    if (address.startsWith(n)) return { serviceNumber: n, rest: address.slice(n.length) };
    if (address.startsWith(`86${n}`))
      return { serviceNumber: n, rest: address.slice(n.length + 2) };
  }
  return null;
}
