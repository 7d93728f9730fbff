// The monthly statement (对账单): the billing basis the contracts name. Pure: the figures come in,
// the statement and its reconciliation come out.
import { DomainError } from '../errors.ts';

export interface StatementLine {
  class: string;
  destination: string;
  parts: number;
  amount: number;
}

export interface StatementFigures {
  /** Total balance (available + held) before the month and at its end. */
  opening: number;
  closing: number;
  recharges: number;
  /** Credits for the operator's mistakes, less unused balance paid back on termination. */
  refunds: number;
  adjustments: number;
  /** Fees, as a positive number. */
  fees: number;
  /** Charges for messages, as a positive number. */
  charges: number;
  heldAtClose: number;
  lines: StatementLine[];
}

export interface Statement extends StatementFigures {
  tenantId: string;
  tenantName: string;
  currency: string;
  month: string;
  from: string;
  to: string;
  generatedAt: string;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** [start, end) of a month in a timezone given as a UTC offset (China: +480 minutes). */
export function monthRange(
  month: string,
  utcOffsetMinutes: number,
): { start: number; end: number } {
  const m = MONTH.exec(month);
  if (!m)
    throw new DomainError('invalid_request', `"${month}" is not a month like 2026-11`, {
      field: 'month',
    });
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  const shift = utcOffsetMinutes * 60_000;
  return { start: Date.UTC(y, mo, 1) - shift, end: Date.UTC(y, mo + 1, 1) - shift };
}

/** The month (YYYY-MM) that `at` falls in, in the given timezone. */
export function monthOf(at: number, utcOffsetMinutes: number): string {
  const d = new Date(at + utcOffsetMinutes * 60_000);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** What does not add up; empty when the statement reconciles. */
export function reconcile(s: StatementFigures): string[] {
  const problems: string[] = [];
  const expected = s.opening + s.recharges + s.refunds + s.adjustments - s.charges - s.fees;
  if (expected !== s.closing)
    problems.push(
      `opening + recharges + refunds + adjustments − charges − fees = ${expected}, but closing is ${s.closing}`,
    );
  const lines = s.lines.reduce((sum, l) => sum + l.amount, 0);
  if (lines !== s.charges)
    problems.push(`the charge lines add up to ${lines}, but the ledger's charges are ${s.charges}`);
  return problems;
}
