// Webhook deliveries, server-paginated (GET /v1/webhooks/deliveries or one endpoint's), filtered by
// status; each row opens its attempts (time, status code, timing, error); dead or delivered ones can
// be re-sent.
import { useState } from 'react';
import { App, Button, Select, Space, Switch, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { CursorTable } from '../../../components/CursorTable.tsx';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { formatDateTime, formatNumber } from '../../../lib/format.ts';
import { useCursorList } from '../../../lib/useCursorList.ts';
import { DELIVERY_STATUSES, type Delivery, type DeliveryAttempt } from './types.ts';
import { ToneTag, type Tone } from '../../../components/ToneTag.tsx';

const TONES: Record<string, Tone> = {
  pending: 'processing',
  failed: 'warning',
  delivered: 'success',
  dead: 'error',
};

export function DeliveryStatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <ToneTag tone={TONES[status] ?? 'default'} data-status={status}>
      {t(`developer:deliveries.statusName.${status}`, { defaultValue: status })}
    </ToneTag>
  );
}

export function DeliveryTable({
  webhookId,
  canResend,
}: {
  /** One endpoint's deliveries; absent: all of the account's (endpoints and callback URLs). */
  webhookId?: string;
  canResend: boolean;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [callbacks, setCallbacks] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const path = webhookId
    ? `/v1/webhooks/${encodeURIComponent(webhookId)}/deliveries`
    : '/v1/webhooks/deliveries';
  const list = useCursorList<Delivery>(path, {
    status,
    ...(callbacks && !webhookId ? { callbacks: 'true' } : {}),
  });
  const filterId = `delivery-status-${webhookId ?? 'all'}`;

  async function resend(d: Delivery) {
    setError(null);
    try {
      await api.post(`/v1/webhooks/deliveries/${encodeURIComponent(d.id)}/resend`);
      void message.success(t('developer:deliveries.resent'));
      list.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <label htmlFor={filterId}>{t('developer:deliveries.statusFilter')}</label>
        <Select
          id={filterId}
          style={{ width: 160 }}
          allowClear
          value={status}
          placeholder={t('developer:deliveries.allStatuses')}
          onChange={(v?: string) => setStatus(v)}
          options={DELIVERY_STATUSES.map((s) => ({
            value: s,
            label: t(`developer:deliveries.statusName.${s}`),
          }))}
        />
        {webhookId ? null : (
          <>
            <Switch
              id="callbacks-only"
              checked={callbacks}
              onChange={setCallbacks}
              aria-label={t('developer:deliveries.callbacksOnly')}
            />
            <label htmlFor="callbacks-only">{t('developer:deliveries.callbacksOnly')}</label>
          </>
        )}
        <Button onClick={list.reload}>{t('common:action.refresh')}</Button>
      </Space>
      <ProblemAlert error={error} />
      <CursorTable<Delivery>
        list={list}
        rowKey="id"
        scroll={{ x: 1000 }}
        expandable={{
          expandedRowRender: (d) => <Attempts attempts={d.attempts} />,
        }}
        columns={[
          {
            title: t('developer:deliveries.id'),
            dataIndex: 'id',
            render: (v: string) => <Typography.Text code>{v}</Typography.Text>,
          },
          { title: t('developer:deliveries.event'), dataIndex: 'eventType' },
          ...(webhookId
            ? []
            : [
                {
                  title: t('developer:deliveries.target'),
                  key: 'target',
                  render: (_: unknown, d: Delivery) =>
                    d.callbackUrl ? (
                      <Typography.Text ellipsis style={{ maxWidth: 220 }}>
                        {d.callbackUrl}
                      </Typography.Text>
                    ) : (
                      <Typography.Text code>{d.webhookId}</Typography.Text>
                    ),
                },
              ]),
          {
            title: t('developer:deliveries.status'),
            dataIndex: 'status',
            render: (v: string) => <DeliveryStatusTag status={v} />,
          },
          {
            title: t('developer:deliveries.attempts'),
            key: 'attempts',
            render: (_, d) => formatNumber(d.attempts.length),
          },
          {
            title: t('developer:deliveries.lastCode'),
            key: 'code',
            render: (_, d) => {
              const last = d.attempts[d.attempts.length - 1];
              return (
                <Space orientation="vertical" size={0}>
                  <span>{d.lastStatusCode ?? d.lastError ?? '—'}</span>
                  {last ? (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('developer:deliveries.ms', { ms: formatNumber(last.durationMs) })}
                    </Typography.Text>
                  ) : null}
                </Space>
              );
            },
          },
          {
            title: t('developer:deliveries.created'),
            dataIndex: 'createdAt',
            render: (v: string) => formatDateTime(v),
          },
          {
            title: t('developer:deliveries.nextAttempt'),
            key: 'next',
            render: (_, d) =>
              d.status === 'delivered'
                ? formatDateTime(d.deliveredAt)
                : formatDateTime(d.nextAttemptAt),
          },
          ...(canResend
            ? [
                {
                  title: t('developer:webhooks.actions'),
                  key: 'actions',
                  render: (_: unknown, d: Delivery) =>
                    d.status === 'dead' || d.status === 'delivered' ? (
                      <Button size="small" onClick={() => resend(d)}>
                        {t('developer:deliveries.resend')}
                      </Button>
                    ) : null,
                },
              ]
            : []),
        ]}
      />
    </>
  );
}

function Attempts({ attempts }: { attempts: DeliveryAttempt[] }) {
  const { t } = useTranslation();
  if (attempts.length === 0)
    return (
      <Typography.Text type="secondary">{t('developer:deliveries.noAttempts')}</Typography.Text>
    );
  return (
    <Table<DeliveryAttempt>
      size="small"
      rowKey={(a) => `${a.at}:${a.durationMs}:${a.statusCode ?? a.error ?? ''}`}
      pagination={false}
      dataSource={attempts}
      title={() => t('developer:deliveries.attemptLog')}
      columns={[
        {
          title: t('developer:deliveries.attemptAt'),
          dataIndex: 'at',
          render: (v: string) => formatDateTime(v),
        },
        {
          title: t('developer:deliveries.lastCode'),
          dataIndex: 'statusCode',
          render: (v: number | null) =>
            v === null ? (
              '—'
            ) : (
              <ToneTag tone={v >= 200 && v < 300 ? 'success' : 'error'}>{v}</ToneTag>
            ),
        },
        {
          title: t('developer:deliveries.duration'),
          dataIndex: 'durationMs',
          render: (v: number) => t('developer:deliveries.ms', { ms: formatNumber(v) }),
        },
        {
          title: t('developer:deliveries.error'),
          dataIndex: 'error',
          render: (v: string | null) => v ?? '—',
        },
      ]}
    />
  );
}
