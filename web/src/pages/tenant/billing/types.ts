// What the billing routes answer (src/servers/http/billing.ts, contracts.ts, statements.ts,
// recharge-requests.ts), as the console reads it.
import type { Money } from '../../../api/client.ts';

export interface Balance {
  available: Money;
  /** The low-balance alert threshold in force (null: off). */
  lowBalanceThreshold: Money | null;
  held: Money;
  total: Money;
}

export interface Contract {
  id: string;
  number: string;
  startDate: string;
  endDate: string;
  autoRenew: boolean;
  renewMonths: number;
  package: { parts: number; used: number; remaining: number } | null;
  fees: Array<{ name: string; when: string; amount: Money }>;
  createdAt: string;
}

export interface RechargeRequest {
  id: string;
  amount: Money;
  paymentReference: string;
  note: string | null;
  status: 'pending' | 'confirmed' | 'rejected';
  proof: { type: string; bytes: number } | null;
  createdAt: string;
  decidedAt: string | null;
  credited: Money | null;
  ledgerEntryId: number | null;
  rejectReason: string | null;
}

/** Today as YYYY-MM-DD in the browser's calendar (contracts' dates are plain dates). */
export function today(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The contract in force today, else the latest one (the API lists latest first). */
export function currentContract(list: readonly Contract[]): Contract | undefined {
  const d = today();
  return list.find((c) => c.startDate <= d && d <= c.endDate) ?? list[0];
}
