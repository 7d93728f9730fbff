// A duration in the reader's language ("1小时5分" / "1 h 5 min"), at most two units.
import type { TFunction } from 'i18next';
import { formatNumber } from '../../../lib/format.ts';

export function formatDuration(seconds: number | null | undefined, t: TFunction): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts: string[] = [];
  if (d) parts.push(t('opChannels:duration.d', { n: formatNumber(d) }));
  if (h) parts.push(t('opChannels:duration.h', { n: formatNumber(h) }));
  if (m && parts.length < 2) parts.push(t('opChannels:duration.m', { n: formatNumber(m) }));
  if (parts.length === 0 || (parts.length < 2 && s < 3600 && s % 60))
    parts.push(t('opChannels:duration.s', { n: formatNumber(s % 60) }));
  const [a, b] = parts;
  return b === undefined ? a! : t('opChannels:duration.pair', { a, b });
}
