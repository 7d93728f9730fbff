// System overview (系统概况), the operator's landing page: today's traffic over every tenant and
// the dispatch queue (GET /v1/admin/overview), the health of each part (GET /health), the carrier
// channels at a glance and the periodic jobs (GET /v1/admin/jobs). Refreshed every 5 s while visible.
import { Card, Col, Row, Space, Statistic, Table, Typography } from 'antd';
import { Link } from 'react-router';
import { ToneTag } from '../../components/ToneTag.tsx';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client.ts';
import { useSession } from '../../api/session.tsx';
import { PageState } from '../../components/PageState.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatDateTime, formatNumber, formatPercent } from '../../lib/format.ts';
import { usePolling } from './network/usePolling.ts';
import { formatDuration } from './network/duration.ts';
import { stateTone, stateKey, type ChannelView } from './network/channel-types.ts';
import { PageTitle } from '../../components/PageTitle.tsx';

const REFRESH_MS = 5000;

interface Overview {
  today: {
    from: string;
    to: string;
    accepted: number;
    delivered: number;
    failed: number;
    pending: number;
    parts: number;
  };
  queue: {
    messages: number;
    parts: number;
    oldestQueuedAt: string | null;
    oldestAgeSeconds: number | null;
  };
}

interface Health {
  status: 'ok' | 'degraded';
  parts: Record<string, string>;
}

interface Job {
  name: string;
  periodSeconds: number;
  nextDueAt: string;
  running: { node: string; leaseUntil: string | null } | null;
  lastRunAt: string | null;
  lastFinishedAt: string | null;
  lastNode: string | null;
  lastResult: 'ok' | 'failed' | null;
  lastError: string | null;
  runs: number;
  failuresInARow: number;
}

/** /health answers 503 with the same body when a part is down: both are a report. */
async function loadHealth(signal: AbortSignal): Promise<Health> {
  try {
    return await api.get<Health>('/health', undefined, signal);
  } catch (err) {
    if (err instanceof ApiError && err.status === 503 && typeof err.body.parts === 'object')
      return err.body as unknown as Health;
    throw err;
  }
}

const HEALTHY = new Set(['up', 'running', 'bound', 'disabled']);

export default function Overview() {
  const { t } = useTranslation();
  const session = useSession();
  const seeChannels = session.can('admin.channels');
  const overview = usePolling(
    (s) => api.get<Overview>('/v1/admin/overview', undefined, s),
    REFRESH_MS,
  );
  const health = usePolling(loadHealth, REFRESH_MS);
  const jobs = usePolling(
    (s) => api.get<{ data: Job[] }>('/v1/admin/jobs', undefined, s),
    REFRESH_MS,
  );
  const channels = usePolling(
    (s) =>
      seeChannels
        ? api.get<{ data: ChannelView[] }>('/v1/admin/channels', undefined, s)
        : Promise.resolve({ data: [] as ChannelView[] }),
    REFRESH_MS,
    [seeChannels],
  );

  const o = overview.data;
  const finished = o ? o.today.delivered + o.today.failed : 0;
  const chList = channels.data?.data ?? [];
  const bound = chList.filter((c) => c.status.state === 'bound' && !c.status.pausedUntil).length;
  const enabled = chList.filter((c) => c.enabled).length;

  return (
    <>
      <PageTitle
        title={t('opSystem:title')}
        extra={
          <Typography.Text type="secondary">
            {t('opSystem:refreshEvery', { seconds: REFRESH_MS / 1000 })}
          </Typography.Text>
        }
      />

      <Card
        title={t('opSystem:today.title')}
        style={{ marginBottom: 16 }}
        data-testid="overview-today"
      >
        <PageState loading={overview.loading} error={overview.error} onRetry={overview.reload}>
          {o && (
            <Row gutter={[16, 16]}>
              <Col xs={12} md={6} lg={4}>
                <Statistic
                  title={t('opSystem:today.accepted')}
                  value={formatNumber(o.today.accepted)}
                />
              </Col>
              <Col xs={12} md={6} lg={4}>
                <Statistic
                  title={t('opSystem:today.delivered')}
                  value={formatNumber(o.today.delivered)}
                />
              </Col>
              <Col xs={12} md={6} lg={4}>
                <Statistic
                  title={t('opSystem:today.failed')}
                  value={formatNumber(o.today.failed)}
                />
              </Col>
              <Col xs={12} md={6} lg={4}>
                <Statistic
                  title={t('opSystem:today.pending')}
                  value={formatNumber(o.today.pending)}
                />
              </Col>
              <Col xs={12} md={6} lg={4}>
                <Statistic
                  title={t('opSystem:today.successRate')}
                  value={finished ? formatPercent(o.today.delivered / finished) : '—'}
                />
              </Col>
              <Col xs={12} md={6} lg={4}>
                <Statistic title={t('opSystem:today.parts')} value={formatNumber(o.today.parts)} />
              </Col>
              <Col xs={12} md={6} lg={4}>
                <Statistic
                  title={t('opSystem:queue.messages')}
                  value={formatNumber(o.queue.messages)}
                />
              </Col>
              <Col xs={12} md={6} lg={4}>
                <Statistic title={t('opSystem:queue.parts')} value={formatNumber(o.queue.parts)} />
              </Col>
              <Col xs={24} md={12} lg={8}>
                <Statistic
                  title={t('opSystem:queue.oldest')}
                  value={
                    o.queue.oldestAgeSeconds === null
                      ? t('opSystem:queue.empty')
                      : formatDuration(o.queue.oldestAgeSeconds, t)
                  }
                />
              </Col>
            </Row>
          )}
        </PageState>
      </Card>

      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <Card
            title={t('opSystem:health.title')}
            style={{ marginBottom: 16 }}
            data-testid="overview-health"
            extra={
              health.data && (
                <ToneTag tone={health.data.status === 'ok' ? 'success' : 'error'}>
                  {t(`opSystem:health.status.${health.data.status}`)}
                </ToneTag>
              )
            }
          >
            <PageState loading={health.loading} error={health.error} onRetry={health.reload}>
              <Table
                size="small"
                pagination={false}
                rowKey="part"
                dataSource={Object.entries(health.data?.parts ?? {}).map(([part, state]) => ({
                  part,
                  state,
                }))}
                columns={[
                  {
                    title: t('opSystem:health.part'),
                    dataIndex: 'part',
                    render: (p: string) =>
                      p.startsWith('channel:')
                        ? t('opSystem:health.channel', { id: p.slice(8) })
                        : t(`opSystem:health.parts.${p}`, { defaultValue: p }),
                  },
                  {
                    title: t('opSystem:health.state'),
                    dataIndex: 'state',
                    render: (s: string) => (
                      <ToneTag
                        tone={
                          HEALTHY.has(s) ? 'success' : s === 'connecting' ? 'processing' : 'error'
                        }
                      >
                        {t(`opSystem:health.states.${s}`, { defaultValue: s })}
                      </ToneTag>
                    ),
                  },
                ]}
              />
            </PageState>
          </Card>
        </Col>
        {seeChannels && (
          <Col xs={24} lg={12}>
            <Card
              title={t('opSystem:channels.title')}
              style={{ marginBottom: 16 }}
              data-testid="overview-channels"
              extra={<Link to="/admin/channels">{t('opSystem:channels.manage')}</Link>}
            >
              <PageState
                loading={channels.loading}
                error={channels.error}
                onRetry={channels.reload}
                empty={chList.length === 0}
              >
                <Typography.Paragraph>
                  {t('opSystem:channels.summary', {
                    bound: formatNumber(bound),
                    enabled: formatNumber(enabled),
                    total: formatNumber(chList.length),
                  })}
                </Typography.Paragraph>
                <Table<ChannelView>
                  size="small"
                  pagination={false}
                  rowKey="id"
                  dataSource={chList}
                  columns={[
                    {
                      title: t('opChannels:col.channel'),
                      dataIndex: 'id',
                      render: (_: unknown, c) => `${c.name} (${c.id})`,
                    },
                    {
                      title: t('opChannels:col.state'),
                      dataIndex: 'status',
                      render: (_: unknown, c) => (
                        <ToneTag tone={stateTone(c.status)}>
                          {t(`opChannels:state.${stateKey(c.status)}`)}
                        </ToneTag>
                      ),
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
                  ]}
                />
              </PageState>
            </Card>
          </Col>
        )}
      </Row>

      <Card title={t('opSystem:jobs.title')} data-testid="overview-jobs">
        <ProblemAlert error={jobs.data ? jobs.error : null} onRetry={jobs.reload} />
        <PageState
          loading={jobs.loading}
          error={jobs.data ? null : jobs.error}
          onRetry={jobs.reload}
          empty={(jobs.data?.data.length ?? 0) === 0}
        >
          <Table<Job>
            size="small"
            pagination={false}
            rowKey="name"
            dataSource={jobs.data?.data ?? []}
            scroll={{ x: 900 }}
            columns={[
              {
                title: t('opSystem:jobs.name'),
                dataIndex: 'name',
                render: (n: string) => (
                  <Space direction="vertical" size={0}>
                    <span>{t(`opSystem:jobs.names.${n}`, { defaultValue: n })}</span>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {n}
                    </Typography.Text>
                  </Space>
                ),
              },
              {
                title: t('opSystem:jobs.period'),
                dataIndex: 'periodSeconds',
                render: (s: number) => t('opSystem:jobs.every', { d: formatDuration(s, t) }),
              },
              {
                title: t('opSystem:jobs.lastRun'),
                dataIndex: 'lastRunAt',
                render: (v: string | null) => formatDateTime(v),
              },
              {
                title: t('opSystem:jobs.result'),
                dataIndex: 'lastResult',
                render: (_: unknown, j) =>
                  j.running ? (
                    <ToneTag tone="processing">
                      {t('opSystem:jobs.running', { node: j.running.node })}
                    </ToneTag>
                  ) : j.lastResult === null ? (
                    <ToneTag>{t('opSystem:jobs.never')}</ToneTag>
                  ) : (
                    <Space direction="vertical" size={0}>
                      <ToneTag tone={j.lastResult === 'ok' ? 'success' : 'error'}>
                        {t(`opSystem:jobs.results.${j.lastResult}`)}
                      </ToneTag>
                      {j.lastError && (
                        <Typography.Text type="danger" style={{ fontSize: 12 }}>
                          {j.lastError}
                        </Typography.Text>
                      )}
                    </Space>
                  ),
              },
              {
                title: t('opSystem:jobs.nextRun'),
                dataIndex: 'nextDueAt',
                render: (v: string) => formatDateTime(v),
              },
              {
                title: t('opSystem:jobs.runs'),
                dataIndex: 'runs',
                align: 'right',
                render: (n: number, j) =>
                  j.failuresInARow > 0
                    ? t('opSystem:jobs.runsFailing', {
                        runs: formatNumber(n),
                        failures: formatNumber(j.failuresInARow),
                      })
                    : formatNumber(n),
              },
            ]}
          />
        </PageState>
      </Card>
    </>
  );
}
