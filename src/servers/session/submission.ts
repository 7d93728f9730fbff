// What a tenant's submit means whatever the protocol carried it: the recipient as the accept
// service should read it, and the message class.

/**
 * The recipient as acceptMessages should read it. TON 1 (international) digits get their '+';
 * TON 0 (unknown) digits that are not a number of the default region are tried as international
 * (clients often send `8613800138000` with TON 0); others go as written (national forms,
 * `0086…`). `looksValid` is the caller's number check. CMPP has no TON: its numbers are TON 0.
 */
export function recipientOf(
  destTon: number,
  destAddr: string,
  looksValid: (n: string) => boolean,
): string {
  const digits = destAddr.trim();
  if (destTon === 1 && /^\d+$/.test(digits)) return `+${digits}`;
  if (destTon === 0 && /^\d+$/.test(digits) && !looksValid(digits) && looksValid(`+${digits}`))
    return `+${digits}`;
  return digits;
}

/**
 * SMPP service_type or CMPP Service_Id → message class (the only field a client can set for it):
 * `OTP` or `VRF` verification, `MKT` marketing, anything else (empty, `CMT`, …) notification.
 */
export function classOf(serviceType: string): string {
  const s = serviceType.trim().toUpperCase();
  if (s === 'OTP' || s === 'VRF') return 'verification';
  if (s === 'MKT') return 'marketing';
  return 'notification';
}
