// A server problem shown as the server said it: its title, its detail and the field it names.
import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError, NetworkError } from '../api/client.ts';

export function problemText(err: unknown, t: (k: string, o?: Record<string, unknown>) => string) {
  if (err instanceof ApiError)
    return {
      title: err.title,
      detail: [err.detail, err.field ? t('common:problem.field', { field: err.field }) : null]
        .filter(Boolean)
        .join(' · '),
    };
  if (err instanceof NetworkError) return { title: t('common:problem.network'), detail: '' };
  return { title: t('common:state.error'), detail: err instanceof Error ? err.message : '' };
}

export function ProblemAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  if (!error) return null;
  const { title, detail } = problemText(error, t);
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      data-testid="problem"
      title={title}
      description={detail || undefined}
      action={
        onRetry ? (
          <a onClick={onRetry} role="button" tabIndex={0}>
            {t('common:state.retry')}
          </a>
        ) : undefined
      }
      style={{ marginBottom: 16 }}
    />
  );
}
