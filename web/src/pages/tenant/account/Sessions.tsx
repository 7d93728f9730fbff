// My active logins (GET /v1/auth/sessions): end one, or every one but this.
import { useState } from 'react';
import { App, Button, Popconfirm, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { PageState } from '../../../components/PageState.tsx';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { formatDateTime } from '../../../lib/format.ts';
import { useApi } from '../../../lib/useApi.ts';
import type { SessionRow } from './types.ts';
import { ToneTag } from '../../../components/ToneTag.tsx';

/** "Chrome 140 · Windows" from a User-Agent, enough to recognise one's own devices. */
function deviceOf(ua: string | null): string | null {
  if (!ua) return null;
  const browser =
    /Edg\/(\d+)/.exec(ua)?.[1] !== undefined
      ? `Edge ${/Edg\/(\d+)/.exec(ua)![1]}`
      : /Firefox\/(\d+)/.test(ua)
        ? `Firefox ${/Firefox\/(\d+)/.exec(ua)![1]}`
        : /Chrome\/(\d+)/.test(ua)
          ? `Chrome ${/Chrome\/(\d+)/.exec(ua)![1]}`
          : /Version\/(\d+).*Safari/.test(ua)
            ? `Safari ${/Version\/(\d+)/.exec(ua)![1]}`
            : null;
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /Android/.test(ua)
      ? 'Android'
      : /iPhone|iPad/.test(ua)
        ? 'iOS'
        : /Mac OS X/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : null;
  return [browser, os].filter(Boolean).join(' · ') || null;
}

export function Sessions() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const list = useApi(
    (signal) => api.get<{ data: SessionRow[] }>('/v1/auth/sessions', undefined, signal),
    [],
  );
  const [error, setError] = useState<unknown>(null);
  const rows = list.data?.data ?? [];
  const others = rows.filter((s) => !s.current);

  async function revoke(ids: string[]) {
    setError(null);
    try {
      for (const id of ids) await api.delete(`/v1/auth/sessions/${encodeURIComponent(id)}`);
      void message.success(
        ids.length === 1
          ? t('account:sessions.revoked')
          : t('account:sessions.revokedOthers', { count: ids.length }),
      );
    } catch (err) {
      setError(err);
    } finally {
      list.reload();
    }
  }

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 12 }} wrap>
        <Typography.Text type="secondary">{t('account:sessions.intro')}</Typography.Text>
        <Popconfirm
          title={t('account:sessions.revokeOthersConfirm')}
          okText={t('common:action.confirm')}
          cancelText={t('common:action.cancel')}
          onConfirm={() => revoke(others.map((s) => s.id))}
          disabled={others.length === 0}
        >
          <Button danger disabled={others.length === 0}>
            {t('account:sessions.revokeOthers')}
          </Button>
        </Popconfirm>
      </Space>
      <ProblemAlert error={error} />
      <PageState loading={list.loading && !list.data} error={list.error} onRetry={list.reload}>
        <Table<SessionRow>
          rowKey="id"
          size="middle"
          dataSource={rows}
          pagination={false}
          scroll={{ x: 800 }}
          columns={[
            {
              title: t('account:sessions.device'),
              key: 'device',
              render: (_, s) => (
                <Space>
                  <span title={s.userAgent ?? undefined}>
                    {deviceOf(s.userAgent) ?? t('account:sessions.unknownDevice')}
                  </span>
                  {s.current ? (
                    <ToneTag tone="processing">{t('account:sessions.current')}</ToneTag>
                  ) : null}
                </Space>
              ),
            },
            {
              title: t('account:sessions.ip'),
              dataIndex: 'ip',
              render: (v: string | null) => v ?? '—',
            },
            {
              title: t('account:sessions.createdAt'),
              dataIndex: 'createdAt',
              render: (v: string) => formatDateTime(v),
            },
            {
              title: t('account:sessions.lastSeenAt'),
              dataIndex: 'lastSeenAt',
              render: (v: string | null) => formatDateTime(v),
            },
            {
              title: t('account:sessions.expiresAt'),
              dataIndex: 'expiresAt',
              render: (v: string) => formatDateTime(v),
            },
            {
              title: t('account:users.actions'),
              key: 'actions',
              render: (_, s) =>
                s.current ? null : (
                  <Popconfirm
                    title={t('account:sessions.revokeConfirm')}
                    okText={t('common:action.confirm')}
                    cancelText={t('common:action.cancel')}
                    onConfirm={() => revoke([s.id])}
                  >
                    <Button size="small">{t('account:sessions.revoke')}</Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </PageState>
    </>
  );
}
