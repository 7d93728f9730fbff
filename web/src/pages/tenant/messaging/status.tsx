// A message status as a coloured tag, the same on every messaging page (Messages, detail, Monitor).
import type { ReactNode } from 'react';
import { Tag, type TagProps } from 'antd';
import { useTranslation } from 'react-i18next';

export const STATUSES = [
  'held',
  'queued',
  'submitted',
  'delivered',
  'undelivered',
  'expired',
  'rejected',
  'failed',
  'unknown',
] as const;

export const FINAL = new Set<string>([
  'delivered',
  'undelivered',
  'expired',
  'rejected',
  'failed',
  'unknown',
]);

export const CLASSES = ['verification', 'notification', 'marketing'] as const;

export const CATEGORIES = [
  'invalid_number',
  'handset',
  'recipient_blocked',
  'content',
  'carrier',
  'platform',
  'expired',
] as const;

export type Tone = 'success' | 'warning' | 'error' | 'info' | 'gold' | 'purple' | 'neutral';

// Ant Design's preset tag colours miss WCAG AA contrast (4.5:1) for their text; these keep its
// light backgrounds with the darker shades of the same palettes as text.
const TONES: Record<
  Exclude<Tone, 'neutral'>,
  { color: string; background: string; borderColor: string }
> = {
  success: { color: '#135200', background: '#f6ffed', borderColor: '#b7eb8f' },
  warning: { color: '#873800', background: '#fff7e6', borderColor: '#ffd591' },
  error: { color: '#a8071a', background: '#fff1f0', borderColor: '#ffa39e' },
  info: { color: '#003eb3', background: '#e6f4ff', borderColor: '#91caff' },
  gold: { color: '#613400', background: '#fffbe6', borderColor: '#ffe58f' },
  purple: { color: '#391085', background: '#f9f0ff', borderColor: '#d3adf7' },
};

export function ToneTag({
  tone,
  children,
  ...rest
}: { tone: Tone; children: ReactNode } & Omit<TagProps, 'color' | 'style'>) {
  return (
    <Tag {...rest} style={tone === 'neutral' ? undefined : TONES[tone]}>
      {children}
    </Tag>
  );
}

const STATUS_TONES: Record<string, Tone> = {
  held: 'warning',
  queued: 'neutral',
  submitted: 'info',
  delivered: 'success',
  undelivered: 'error',
  expired: 'gold',
  rejected: 'error',
  failed: 'error',
  unknown: 'purple',
};

export function StatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <ToneTag tone={STATUS_TONES[status] ?? 'neutral'} data-status={status}>
      {t(`messages:status.${status}`, { defaultValue: status })}
    </ToneTag>
  );
}

/** "GSM-7" / "UCS-2" as the trade writes them. */
export function encodingLabel(encoding: string | null | undefined): string {
  if (encoding === 'gsm7') return 'GSM-7';
  if (encoding === 'ucs2') return 'UCS-2';
  return encoding ?? '—';
}
