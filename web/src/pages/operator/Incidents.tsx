// Channel incidents (通道故障): lost binds, error bursts that paused a channel, failovers — each
// with its start, end and duration — filtered by channel and time, exported as CSV
// (GET /v1/admin/channels/incidents[?format=csv]). The API answers a filtered window whole (up to
// 10,000 rows), so the table pages what it was given.
import { useMemo, useState } from 'react';
import { Button, Card, DatePicker, Select, Space, Table, Tooltip } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useSearchParams } from 'react-router';
import { ToneTag, type Tone } from '../../components/ToneTag.tsx';
import { useTranslation } from 'react-i18next';
import { api, downloadUrl } from '../../api/client.ts';
import { PageState } from '../../components/PageState.tsx';
import { useApi } from '../../lib/useApi.ts';
import { formatDateTime } from '../../lib/format.ts';
import { formatDuration } from './network/duration.ts';
import type { ChannelView, Incident } from './network/channel-types.ts';
import { EmptyText } from '../../components/EmptyText.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';

const KIND_TONES: Record<string, Tone> = {
  bind_lost: 'error',
  error_burst: 'warning',
  failover: 'processing',
};

export default function Incidents() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const channel = params.get('channel') ?? undefined;
  const [range, setRange] = useState<[Dayjs, Dayjs] | null>(() => [
    dayjs().subtract(6, 'day').startOf('day'),
    dayjs().endOf('day'),
  ]);
  const query = useMemo(
    () => ({
      channel,
      from: range?.[0].toISOString(),
      to: range?.[1].toISOString(),
    }),
    [channel, range],
  );
  const list = useApi(
    (s) => api.get<{ data: Incident[] }>('/v1/admin/channels/incidents', query, s),
    [JSON.stringify(query)],
  );
  const channels = useApi(
    (s) => api.get<{ data: ChannelView[] }>('/v1/admin/channels', undefined, s),
    [],
  );
  const rows = list.data?.data ?? [];

  return (
    <>
      <PageTitle title={t('opChannels:incidents.title')} />
      <Card>
        <Space wrap style={{ marginBottom: 16, width: '100%', justifyContent: 'space-between' }}>
          <Space wrap>
            <Select
              aria-label={t('opChannels:incidents.channelFilter')}
              placeholder={t('opChannels:incidents.allChannels')}
              allowClear
              style={{ width: 200 }}
              value={channel}
              onChange={(v?: string) => {
                const next = new URLSearchParams(params);
                if (v) next.set('channel', v);
                else next.delete('channel');
                setParams(next, { replace: true });
              }}
              options={(channels.data?.data ?? []).map((c) => ({
                value: c.id,
                label: `${c.name} (${c.id})`,
              }))}
            />
            <DatePicker.RangePicker
              aria-label={t('opChannels:incidents.range')}
              value={range}
              onChange={(v) =>
                setRange(v && v[0] && v[1] ? [v[0].startOf('day'), v[1].endOf('day')] : null)
              }
            />
            <Button onClick={list.reload}>{t('common:action.refresh')}</Button>
          </Space>
          <Button
            href={downloadUrl('/v1/admin/channels/incidents', { ...query, format: 'csv' })}
            download="incidents.csv"
            data-testid="incidents-export"
          >
            {t('opChannels:incidents.export')}
          </Button>
        </Space>
        <PageState loading={list.loading && !list.data} error={list.error} onRetry={list.reload}>
          <Table<Incident>
            rowKey="id"
            data-testid="incidents"
            dataSource={rows}
            loading={list.loading}
            locale={{ emptyText: <EmptyText>{t('opChannels:incidents.none')}</EmptyText> }}
            pagination={{
              pageSize: 20,
              hideOnSinglePage: true,
              showTotal: (n) => t('common:table.total', { count: n }),
            }}
            columns={[
              { title: t('opChannels:col.channel'), dataIndex: 'channel' },
              {
                title: t('opChannels:incidents.kind'),
                dataIndex: 'kind',
                render: (k: string) => (
                  <ToneTag tone={KIND_TONES[k] ?? 'default'}>
                    {t(`opChannels:incidentKind.${k}`, { defaultValue: k })}
                  </ToneTag>
                ),
              },
              {
                title: t('opChannels:incidents.detail'),
                dataIndex: 'detail',
                render: (d: string | null) => d ?? '—',
              },
              {
                title: t('opChannels:incidents.started'),
                dataIndex: 'startedAt',
                render: (v: string) => formatDateTime(v),
              },
              {
                title: t('opChannels:incidents.ended'),
                dataIndex: 'endedAt',
                render: (v: string | null) =>
                  v ? (
                    formatDateTime(v)
                  ) : (
                    <ToneTag tone="error">{t('opChannels:incidents.ongoing')}</ToneTag>
                  ),
              },
              {
                title: t('opChannels:incidents.duration'),
                dataIndex: 'seconds',
                align: 'right',
                render: (s: number | null, i) =>
                  s === null ? (
                    <Tooltip title={t('opChannels:incidents.sofar')}>
                      {formatDuration((Date.now() - Date.parse(i.startedAt)) / 1000, t)}
                    </Tooltip>
                  ) : (
                    formatDuration(s, t)
                  ),
              },
              { title: t('opChannels:incidents.node'), dataIndex: 'node' },
            ]}
          />
        </PageState>
      </Card>
    </>
  );
}
