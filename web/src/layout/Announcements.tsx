// The operator's current announcements as a banner above every tenant page
// (contract: advance notice of changes and maintenance).
import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { useApi } from '../lib/useApi.ts';
import { formatDateTime } from '../lib/format.ts';

interface Announcement {
  id: string;
  title: string;
  body: string;
  kind: string;
  startsAt: string | null;
  endsAt: string | null;
}

export function AnnouncementBanner() {
  const { t } = useTranslation();
  const { data } = useApi(
    (signal) => api.get<{ data: Announcement[] }>('/v1/announcements', { limit: 5 }, signal),
    [],
  );
  const list = data?.data ?? [];
  if (list.length === 0) return null;
  return (
    <div data-testid="announcements" role="region" aria-label={t('common:announcement.title')}>
      {list.map((a) => (
        <Alert
          key={a.id}
          type={a.kind === 'maintenance' ? 'warning' : 'info'}
          showIcon
          banner
          title={a.title}
          description={
            <>
              {a.body}
              {a.startsAt || a.endsAt ? (
                <div>
                  {formatDateTime(a.startsAt)} – {formatDateTime(a.endsAt)}
                </div>
              ) : null}
            </>
          }
          style={{ marginBottom: 8 }}
        />
      ))}
    </div>
  );
}
