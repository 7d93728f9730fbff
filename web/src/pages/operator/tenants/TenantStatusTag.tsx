// A tenant's status as a coloured tag, the same on the list and the detail page.
import {} from 'antd';
import { useTranslation } from 'react-i18next';
import { ToneTag, type Tone } from '../../../components/ToneTag.tsx';

const TONES: Record<string, Tone> = {
  pending: 'warning',
  active: 'success',
  suspended: 'error',
  terminated: 'default',
};

export function TenantStatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <ToneTag tone={TONES[status] ?? 'default'} data-status={status}>
      {t(`opTenants:status.${status}`, { defaultValue: status })}
    </ToneTag>
  );
}
