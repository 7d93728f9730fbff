// Money is exact: integers in minor units, 1 = 0.0001 of the currency. Never floats.
export const MINOR_PER_UNIT = 10_000;

export interface Money {
  amount: string;
  currency: string;
}

/** "12.34" | "12.3400" | "-0.5" → minor units. Throws on anything else (more than 4 decimals too). */
export function parseAmount(text: string): number {
  const m = /^(-)?(\d{1,15})(?:\.(\d{1,4}))?$/.exec(text.trim());
  if (!m) throw new RangeError(`"${text}" is not an amount with at most 4 decimals`);
  const units = Number(m[2]) * MINOR_PER_UNIT + Number((m[3] ?? '').padEnd(4, '0'));
  return m[1] ? -units : units;
}

export function formatAmount(minor: number): string {
  if (!Number.isSafeInteger(minor))
    throw new RangeError(`${minor} is not a whole number of minor units`);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / MINOR_PER_UNIT)}.${String(abs % MINOR_PER_UNIT).padStart(4, '0')}`;
}

export function money(minor: number, currency: string): Money {
  return { amount: formatAmount(minor), currency };
}
