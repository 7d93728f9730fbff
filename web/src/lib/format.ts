// Dates, numbers and amounts in the reader's language. Amounts stay decimal strings end to end
// (Intl formats the string itself, so no float ever rounds a price).
import { currentLanguage } from '../i18n/index.ts';
import type { Money } from '../api/client.ts';

const locale = () => (currentLanguage() === 'zh-CN' ? 'zh-CN' : 'en-GB');

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(d);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(d);
}

export function formatTime(iso: string | number | Date): string {
  return new Intl.DateTimeFormat(locale(), {
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso));
}

export function formatNumber(n: number | string | null | undefined, digits?: number): string {
  if (n === null || n === undefined || n === '') return '—';
  return new Intl.NumberFormat(locale(), {
    ...(digits !== undefined
      ? { minimumFractionDigits: digits, maximumFractionDigits: digits }
      : {}),
  }).format(n as number);
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return '—';
  return new Intl.NumberFormat(locale(), {
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(ratio);
}

/** `{amount: "12.3400", currency: "CNY"}` → "¥12.34" / "CN¥12.34"; keeps up to 4 decimals when they matter. */
export function formatMoney(m: Money | null | undefined): string {
  if (!m) return '—';
  const decimals = m.amount.split('.')[1]?.replace(/0+$/, '').length ?? 0;
  return new Intl.NumberFormat(locale(), {
    style: 'currency',
    currency: m.currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: Math.max(2, Math.min(4, decimals)),
  }).format(m.amount as unknown as number);
}
