// Carrier channels (通道): each with its live state, binds, send rate, window use and the last
// day's incidents; enable / disable with a confirmation, add and change. Refreshed every 5 s while
// visible (GET /v1/admin/channels answers with this node's live state).
import { useState } from 'react';
import { App, Button, Card, Popconfirm, Progress, Space, Table, Tooltip, Typography } from 'antd';
import { Link } from 'react-router';
import { ToneTag } from '../../components/ToneTag.tsx';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { PageState } from '../../components/PageState.tsx';
import { problemText } from '../../components/ProblemAlert.tsx';
import { formatDateTime, formatNumber, formatPercent } from '../../lib/format.ts';
import { usePolling } from './network/usePolling.ts';
import { ChannelForm } from './network/ChannelForm.tsx';
import { stateTone, stateKey, type ChannelView, type Incident } from './network/channel-types.ts';
import { PageTitle } from '../../components/PageTitle.tsx';

const REFRESH_MS = 5000;
const DAY_MS = 86_400_000;

export default function Channels() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const channels = usePolling(
    (s) => api.get<{ data: ChannelView[] }>('/v1/admin/channels', undefined, s),
    REFRESH_MS,
  );
  // The last day's incidents, per channel: what went wrong recently.
  const incidents = usePolling(
    (s) =>
      api.get<{ data: Incident[] }>(
        '/v1/admin/channels/incidents',
        { from: new Date(Date.now() - DAY_MS).toISOString() },
        s,
      ),
    REFRESH_MS * 3,
  );
  const [editing, setEditing] = useState<ChannelView | null | undefined>(undefined);
  const [busy, setBusy] = useState<string | null>(null);

  const recent = (id: string) => (incidents.data?.data ?? []).filter((i) => i.channel === id);

  async function setEnabled(c: ChannelView, enabled: boolean) {
    setBusy(c.id);
    try {
      await api.patch(`/v1/admin/channels/${encodeURIComponent(c.id)}`, { enabled });
      void message.success(
        t(enabled ? 'opChannels:enabledNow' : 'opChannels:disabledNow', { id: c.id }),
      );
      channels.reload();
    } catch (err) {
      const p = problemText(err, t);
      void message.error([p.title, p.detail].filter(Boolean).join(' · '));
    } finally {
      setBusy(null);
    }
  }

  const rows = channels.data?.data ?? [];
  return (
    <>
      <PageTitle
        title={t('opChannels:title')}
        extra={
          <>
            <Button onClick={channels.reload}>{t('common:action.refresh')}</Button>
            <Button type="primary" onClick={() => setEditing(null)}>
              {t('opChannels:add')}
            </Button>
          </>
        }
      />
      <Card>
        <PageState
          loading={channels.loading}
          error={channels.data ? null : channels.error}
          onRetry={channels.reload}
          empty={rows.length === 0}
        >
          <Table<ChannelView>
            rowKey="id"
            data-testid="channels"
            dataSource={rows}
            pagination={false}
            scroll={{ x: 1200 }}
            columns={[
              {
                title: t('opChannels:col.channel'),
                dataIndex: 'id',
                fixed: 'left',
                render: (_: unknown, c) => (
                  <Space direction="vertical" size={0}>
                    <strong>{c.name}</strong>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {c.id} · {t(`opChannels:kind.${c.kind}`)} · {t(`opChannels:use.${c.use}`)}
                    </Typography.Text>
                  </Space>
                ),
              },
              {
                title: t('opChannels:col.address'),
                dataIndex: 'host',
                render: (_: unknown, c) =>
                  c.kind === 'simulator' && c.port === 0
                    ? t('opChannels:builtInSimulator')
                    : `${c.host}:${c.port}`,
              },
              {
                title: t('opChannels:col.state'),
                dataIndex: 'status',
                render: (_: unknown, c) => (
                  <Tooltip
                    title={
                      c.status.pausedUntil
                        ? t('opChannels:pausedUntil', { at: formatDateTime(c.status.pausedUntil) })
                        : undefined
                    }
                  >
                    <ToneTag tone={stateTone(c.status)} data-testid={`state-${c.id}`}>
                      {t(`opChannels:state.${stateKey(c.status)}`)}
                    </ToneTag>
                  </Tooltip>
                ),
              },
              {
                title: t('opChannels:col.binds'),
                dataIndex: 'binds',
                align: 'right',
                render: (_: unknown, c) =>
                  `${formatNumber(c.status.bindsUp ?? 0)} / ${formatNumber(c.binds)}`,
              },
              {
                title: t('opChannels:col.rate'),
                dataIndex: 'throughput',
                align: 'right',
                render: (_: unknown, c) =>
                  t('opChannels:rateOf', {
                    rate: formatNumber(c.status.rate ?? 0),
                    max: formatNumber(c.throughput),
                  }),
              },
              {
                title: t('opChannels:col.window'),
                dataIndex: 'window',
                width: 180,
                render: (_: unknown, c) => {
                  const size = c.window * c.binds;
                  const used = c.status.inFlight ?? 0;
                  return (
                    <Tooltip
                      title={t('opChannels:windowUse', {
                        used: formatNumber(used),
                        size: formatNumber(size),
                        waiting: formatNumber(c.status.waiting ?? 0),
                      })}
                    >
                      <Progress
                        percent={Math.round((used / size) * 100)}
                        size="small"
                        format={() => formatPercent(used / size, 0)}
                        aria-label={t('opChannels:col.window')}
                      />
                    </Tooltip>
                  );
                },
              },
              {
                title: t('opChannels:col.errors'),
                dataIndex: 'errors',
                render: (_: unknown, c) => {
                  const list = recent(c.id);
                  if (list.length === 0)
                    return (
                      <Typography.Text type="secondary">{t('opChannels:noErrors')}</Typography.Text>
                    );
                  const last = list[0]!;
                  return (
                    <Space direction="vertical" size={0}>
                      <Link to={`/admin/incidents?channel=${encodeURIComponent(c.id)}`}>
                        {t('opChannels:errorsLastDay', { count: list.length })}
                      </Link>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {t(`opChannels:incidentKind.${last.kind}`, { defaultValue: last.kind })}
                        {last.detail ? ` · ${last.detail}` : ''}
                      </Typography.Text>
                    </Space>
                  );
                },
              },
              {
                title: t('opChannels:col.actions'),
                dataIndex: 'actions',
                fixed: 'right',
                render: (_: unknown, c) => (
                  <Space>
                    <Button size="small" onClick={() => setEditing(c)}>
                      {t('common:action.edit')}
                    </Button>
                    {c.enabled ? (
                      <Popconfirm
                        key="disable"
                        title={t('opChannels:disableConfirm', { id: c.id })}
                        description={t('opChannels:disableHelp')}
                        okText={t('opChannels:disableOk')}
                        cancelText={t('common:action.cancel')}
                        okButtonProps={{ danger: true }}
                        onConfirm={() => setEnabled(c, false)}
                      >
                        <Button size="small" danger loading={busy === c.id}>
                          {t('opChannels:disable')}
                        </Button>
                      </Popconfirm>
                    ) : (
                      <Popconfirm
                        key="enable"
                        title={t('opChannels:enableConfirm', { id: c.id })}
                        okText={t('opChannels:enableOk')}
                        cancelText={t('common:action.cancel')}
                        onConfirm={() => setEnabled(c, true)}
                      >
                        <Button size="small" type="primary" ghost loading={busy === c.id}>
                          {t('opChannels:enable')}
                        </Button>
                      </Popconfirm>
                    )}
                  </Space>
                ),
              },
            ]}
          />
        </PageState>
      </Card>
      <ChannelForm
        open={editing !== undefined}
        channel={editing ?? null}
        onClose={() => setEditing(undefined)}
        onSaved={(c) => {
          setEditing(undefined);
          void message.success(t('opChannels:saved', { id: c.id }));
          channels.reload();
        }}
      />
    </>
  );
}
