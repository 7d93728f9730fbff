// Service contracts (contracts 2 and 3): a period, an optional package of parts, fee items
// (account opening at signing, monthly maintenance, renewal), auto-renewal, reminders.
import { DomainError } from '../errors.ts';
import { parseAmount } from './money.ts';

export const FEE_WHEN = ['signing', 'monthly', 'renewal'] as const;
export type FeeWhen = (typeof FEE_WHEN)[number];

export interface FeeItem {
  name: string;
  amount: number;
  when: FeeWhen;
}

export interface ContractTerms {
  number: string;
  startDate: string;
  endDate: string;
  quota: number | null;
  fees: FeeItem[];
  autoRenew: boolean;
  renewMonths: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isDate(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** Check a contract from the API's shape; 422 with the field. */
export function parseTerms(input: Record<string, unknown>): ContractTerms {
  const bad = (field: string, detail: string): never => {
    throw new DomainError('invalid_contract', detail, { field });
  };
  const number = typeof input.number === 'string' ? input.number.trim() : '';
  if (!number || number.length > 64)
    bad('number', 'a contract number of 1-64 characters is required');
  if (!isDate(input.startDate)) bad('startDate', 'startDate must be a date like 2026-12-01');
  if (!isDate(input.endDate)) bad('endDate', 'endDate must be a date like 2027-11-30');
  if ((input.endDate as string) < (input.startDate as string))
    bad('endDate', 'the contract ends before it starts');
  let quota: number | null = null;
  if (input.quota !== undefined && input.quota !== null) {
    if (!Number.isSafeInteger(input.quota) || (input.quota as number) <= 0)
      bad('quota', 'quota must be a positive whole number of parts');
    quota = input.quota as number;
  }
  const feesIn = input.fees === undefined ? [] : input.fees;
  if (!Array.isArray(feesIn)) bad('fees', 'fees must be a list');
  const fees = (feesIn as unknown[]).map((f, i): FeeItem => {
    const field = `fees[${i}]`;
    const o = (typeof f === 'object' && f !== null ? f : {}) as Record<string, unknown>;
    if (typeof o.name !== 'string' || !o.name.trim()) bad(`${field}.name`, 'a fee needs a name');
    if (!FEE_WHEN.includes(o.when as FeeWhen))
      bad(`${field}.when`, `when must be one of ${FEE_WHEN.join(', ')}`);
    let amount = 0;
    try {
      amount = parseAmount(String(o.amount));
    } catch {
      bad(`${field}.amount`, 'amount must be a decimal with at most 4 places');
    }
    if (amount <= 0) bad(`${field}.amount`, 'a fee must be more than zero');
    return { name: (o.name as string).trim(), amount, when: o.when as FeeWhen };
  });
  const renewMonths = input.renewMonths === undefined ? 12 : input.renewMonths;
  if (!Number.isInteger(renewMonths) || (renewMonths as number) < 1 || (renewMonths as number) > 60)
    bad('renewMonths', 'renewMonths must be 1-60');
  if (input.autoRenew !== undefined && typeof input.autoRenew !== 'boolean')
    bad('autoRenew', 'autoRenew must be true or false');
  return {
    number,
    startDate: input.startDate as string,
    endDate: input.endDate as string,
    quota,
    fees,
    autoRenew: input.autoRenew !== false,
    renewMonths: renewMonths as number,
  };
}

/** First and last instants of service: from the start date's 00:00 to the end date's 24:00, local time. */
export function servicePeriod(
  startDate: string,
  endDate: string,
  utcOffsetMinutes: number,
): { from: number; until: number } {
  const at = (d: string) =>
    Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) -
    utcOffsetMinutes * 60_000;
  return { from: at(startDate), until: at(endDate) + 24 * 3600_000 };
}

/** The same day `months` later (the last day of the month when it has fewer days). */
export function addMonths(date: string, months: number): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1 + months;
  const d = Number(date.slice(8, 10));
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(d, last))).toISOString().slice(0, 10);
}

/** Reminder days (30, 7) now due for this end date and not yet sent. */
export function remindersDue(
  endDate: string,
  until: number,
  now: number,
  sent: readonly string[],
): number[] {
  return [30, 7].filter(
    (days) =>
      now >= until - days * 24 * 3600_000 && now < until && !sent.includes(`${endDate}:${days}`),
  );
}
