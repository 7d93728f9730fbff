// Loading, error and empty states, the same on every page.
import type { ReactNode } from 'react';
import { Empty, Result, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { ProblemAlert } from './ProblemAlert.tsx';

export function PageState({
  loading,
  error,
  empty,
  onRetry,
  children,
}: {
  loading: boolean;
  error: unknown;
  /** True when loaded and there is nothing to show. */
  empty?: boolean;
  onRetry?: () => void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  if (error) {
    if (error instanceof ApiError && error.status === 403)
      return <Result status="403" title={t('common:state.forbidden')} subTitle={error.detail} />;
    return <ProblemAlert error={error} {...(onRetry ? { onRetry } : {})} />;
  }
  if (loading)
    return (
      <div style={{ padding: 48, textAlign: 'center' }} aria-busy="true">
        <Spin description={t('common:state.loading')} />
      </div>
    );
  if (empty) return <Empty description={t('common:state.empty')} />;
  return <>{children}</>;
}
