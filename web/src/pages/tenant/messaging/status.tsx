// A message status as a coloured tag, the same on every messaging page (Messages, detail, Monitor).
import { FINAL_STATUSES } from '@core/message/status.ts';
import { ToneTag, type Tone } from '../../../components/ToneTag.tsx';
import { useTranslation } from 'react-i18next';

// The lists are the server's own (src/core): the filters offer exactly what the API takes.
export { MESSAGE_STATUSES as STATUSES } from '@core/message/status.ts';
export { MESSAGE_CLASSES as CLASSES } from '@core/billing/rating.ts';
export { FAILURE_CATEGORIES as CATEGORIES } from '@core/failure-category.ts';
export const FINAL = new Set<string>(FINAL_STATUSES);

const STATUS_TONES: Record<string, Tone> = {
  held: 'warning',
  queued: 'default',
  submitted: 'processing',
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
    <ToneTag tone={STATUS_TONES[status] ?? 'default'} data-status={status}>
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
