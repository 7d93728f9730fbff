// Recharge requests: what a tenant may ask to be credited, and what confirming one credits.
// Amounts are exact minor units (money.ts); a currency's own decimals bound what can be paid by
// bank transfer (ISO 4217 minor units: CNY has fen, 2 decimals; JPY none).
import { DomainError } from '../errors.ts';
import { MINOR_PER_UNIT, formatAmount, parseAmount } from './money.ts';

/** ISO 4217 minor-unit exponents of the currencies we may meet; any other has 2. */
const CURRENCY_DECIMALS: Record<string, number> = {
  CNY: 2,
  HKD: 2,
  MOP: 2,
  TWD: 2,
  USD: 2,
  EUR: 2,
  GBP: 2,
  SGD: 2,
  JPY: 0,
  KRW: 0,
};

export function currencyDecimals(currency: string): number {
  return CURRENCY_DECIMALS[currency] ?? 2;
}

/** The most one request may ask for: 10,000,000 units of the currency (a typo guard, not a policy). */
export const MAX_RECHARGE_REQUEST = 10_000_000 * MINOR_PER_UNIT;

export type RechargeRequestStatus = 'pending' | 'confirmed' | 'rejected';

/**
 * A requested amount: a decimal string in the tenant's currency, more than zero, at most
 * MAX_RECHARGE_REQUEST, with no more decimals than the currency has. 422 invalid_amount naming
 * `field` otherwise.
 */
export function parseRequestedAmount(text: string, currency: string, field = 'amount'): number {
  const decimals = currencyDecimals(currency);
  const m = /^\d{1,15}(?:\.(\d+))?$/.exec(text);
  if (!m)
    throw new DomainError('invalid_amount', `"${text}" is not a decimal amount like 1000.00`, {
      field,
    });
  if ((m[1] ?? '').length > decimals)
    throw new DomainError(
      'invalid_amount',
      decimals === 0
        ? `${currency} amounts have no decimals`
        : `${currency} amounts have at most ${decimals} decimals`,
      { field },
    );
  const amount = parseAmount(text);
  if (amount <= 0)
    throw new DomainError('invalid_amount', `the ${field} must be more than zero`, { field });
  if (amount > MAX_RECHARGE_REQUEST)
    throw new DomainError(
      'invalid_amount',
      `the ${field} may be at most ${formatAmount(MAX_RECHARGE_REQUEST)} ${currency}`,
      { field },
    );
  return amount;
}

/**
 * What confirming a request credits: the amount asked, or the operator's correction (what the
 * bank statement shows). Only a pending request can be decided: 409 already_decided otherwise.
 */
export function amountToCredit(
  request: { status: string; amount: number; currency: string },
  correction: string | undefined,
): number {
  assertPending(request.status);
  return correction === undefined
    ? request.amount
    : parseRequestedAmount(correction, request.currency, 'amount');
}

export function assertPending(status: string): void {
  if (status !== 'pending')
    throw new DomainError('already_decided', `this recharge request is already ${status}`);
}

/** The largest proof file accepted. */
export const PROOF_MAX_BYTES = 5 * 1024 * 1024;

export type ProofType = 'image/png' | 'image/jpeg' | 'application/pdf';

/**
 * What a proof file is, by its first bytes (never by its name or the type the client claims):
 * PNG (RFC 2083 signature), JPEG (SOI marker FF D8 FF), PDF (ISO 32000 header `%PDF-`); null for
 * anything else.
 */
export function sniffProofType(bytes: Uint8Array): ProofType | null {
  const starts = (sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf';
  return null;
}
