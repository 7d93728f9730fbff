// A tenant's status as a coloured tag, the same on the list and the detail page.
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

const COLOURS: Record<string, string> = {
  pending: 'warning',
  active: 'success',
  suspended: 'error',
  terminated: 'default',
};

export function TenantStatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={COLOURS[status] ?? 'default'} data-status={status}>
      {t(`opTenants:status.${status}`, { defaultValue: status })}
    </Tag>
  );
}
