// The tenant's dashboard: money (GET /v1/balance), the contract and its package (GET /v1/contracts),
// today's messages (GET /v1/stats/today) and receipts per minute over the last hour
// (GET /v1/stats/receipts), kept moving by the event stream: each final status adds to its minute,
// and today's figures are read again shortly after events arrive. Announcements are the frame's.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { Badge, Card, Col, Row, Space, Statistic, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, type Money } from '../../api/client.ts';
import { useSession } from '../../api/session.tsx';
import { useApi } from '../../lib/useApi.ts';
import { formatDate, formatMoney, formatNumber } from '../../lib/format.ts';
import { PageState } from '../../components/PageState.tsx';
import { useEventStream, type StreamEvent } from '../../lib/useEventStream.ts';
import { ReceiptChart, type MinuteBucket } from './messaging/ReceiptChart.tsx';
import { FINAL } from './messaging/status.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';

interface Balance {
  available: Money;
  held: Money;
  total: Money;
}
interface Contract {
  id: string;
  number: string;
  startDate: string;
  endDate: string;
  package: { parts: number; used: number; remaining: number } | null;
}
interface Today {
  accepted: number;
  submitted: number;
  delivered: number;
  failed: number;
  pending: number;
  parts: number;
  amount: Money;
}

const MINUTE = 60_000;
const WINDOW = 60;
/** Today's figures are read again this long after the last event (a burst reads once). */
const REFRESH_MS = 1500;

/** The window moved to end at `minute` (empty minutes added, the oldest dropped). */
function rollTo(buckets: MinuteBucket[], minute: number): MinuteBucket[] {
  const last = buckets[buckets.length - 1]?.minute ?? minute - MINUTE;
  if (minute <= last) return buckets;
  const added: MinuteBucket[] = [];
  for (let m = Math.max(last + MINUTE, minute - (WINDOW - 1) * MINUTE); m <= minute; m += MINUTE)
    added.push({ minute: m, delivered: 0, failed: 0 });
  return [...buckets, ...added].slice(-WINDOW);
}

export default function Dashboard() {
  const { t } = useTranslation();
  const session = useSession();
  const canRead = session.can('messages.read');
  const money = useApi(async (signal) => {
    const [balance, contracts] = await Promise.all([
      api.get<Balance>('/v1/balance', undefined, signal),
      api.get<{ data: Contract[] }>('/v1/contracts', undefined, signal),
    ]);
    return { balance, contract: contracts.data[0] ?? null };
  }, []);
  const today = useApi(
    (signal) =>
      canRead ? api.get<Today>('/v1/stats/today', undefined, signal) : Promise.resolve(null),
    [canRead],
  );
  const [buckets, setBuckets] = useState<MinuteBucket[] | null>(null);
  const [chartError, setChartError] = useState<unknown>(null);

  const loadBuckets = useCallback(() => {
    if (!canRead) return;
    setChartError(null);
    api
      .get<{ buckets: Array<{ minute: string; delivered: number; failed: number }> }>(
        '/v1/stats/receipts',
        { minutes: WINDOW },
      )
      .then((r) =>
        setBuckets((live) => {
          const base = r.buckets.map((b) => ({ ...b, minute: Date.parse(b.minute) }));
          // Events that arrived while the figures were on their way stay counted.
          return live ? rollTo(base, live[live.length - 1]!.minute) : base;
        }),
      )
      .catch(setChartError);
  }, [canRead]);
  useEffect(loadBuckets, [loadBuckets]);

  // The window keeps moving with the clock even when nothing arrives.
  useEffect(() => {
    const timer = setInterval(
      () => setBuckets((b) => (b ? rollTo(b, Math.floor(Date.now() / MINUTE) * MINUTE) : b)),
      10_000,
    );
    return () => clearInterval(timer);
  }, []);

  const refresh = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(refresh.current), []);
  const reloadToday = today.reload;
  const reloadMoney = money.reload;
  const onEvent = useCallback(
    (e: StreamEvent) => {
      if (e.type !== 'message.status') return;
      if (FINAL.has(e.data.status)) {
        const minute = Math.floor(Date.parse(e.createdAt) / MINUTE) * MINUTE;
        const delivered = e.data.status === 'delivered';
        setBuckets((b) => {
          if (!b) return b;
          const rolled = rollTo(b, minute);
          return rolled.map((x) =>
            x.minute === minute
              ? {
                  ...x,
                  delivered: x.delivered + (delivered ? 1 : 0),
                  failed: x.failed + (delivered ? 0 : 1),
                }
              : x,
          );
        });
      }
      // At most one reload per REFRESH_MS however steady the traffic: the first event after a
      // reload schedules the next one, later events ride along (a debounce would never fire).
      if (refresh.current === undefined)
        refresh.current = setTimeout(() => {
          refresh.current = undefined;
          reloadToday();
          reloadMoney();
        }, REFRESH_MS);
    },
    [reloadToday, reloadMoney],
  );
  const stream = useEventStream(onEvent, { enabled: canRead });

  const m = money.data;
  const d = today.data;
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <PageTitle title={t('dashboard:title')} />

      <PageState loading={money.loading && !m} error={money.error} onRetry={money.reload}>
        {m ? (
          <Row gutter={[16, 16]} data-testid="account-figures">
            <Col xs={24} sm={12} lg={6}>
              <Card style={{ height: '100%' }}>
                <Statistic
                  title={t('dashboard:balance.available')}
                  value={formatMoney(m.balance.available)}
                  data-testid="balance"
                />
                <Link to="/billing">{t('dashboard:balance.recharge')}</Link>
              </Card>
            </Col>
            <Col xs={24} sm={12} lg={6}>
              <Card style={{ height: '100%' }}>
                <Statistic
                  title={t('dashboard:balance.held')}
                  value={formatMoney(m.balance.held)}
                />
                <Typography.Text type="secondary">
                  {t('dashboard:balance.heldHelp')}
                </Typography.Text>
              </Card>
            </Col>
            <Col xs={24} sm={12} lg={6}>
              <Card style={{ height: '100%' }}>
                <Statistic
                  title={t('dashboard:contract.package')}
                  value={
                    m.contract?.package
                      ? t('dashboard:contract.parts', {
                          n: formatNumber(m.contract.package.remaining),
                        })
                      : t('dashboard:contract.noPackage')
                  }
                />
                {m.contract?.package ? (
                  <Typography.Text type="secondary">
                    {t('dashboard:contract.packageOf', {
                      used: formatNumber(m.contract.package.used),
                      total: formatNumber(m.contract.package.parts),
                    })}
                  </Typography.Text>
                ) : null}
              </Card>
            </Col>
            <Col xs={24} sm={12} lg={6}>
              <Card style={{ height: '100%' }}>
                <Statistic
                  title={t('dashboard:contract.end')}
                  value={m.contract ? formatDate(m.contract.endDate) : t('dashboard:contract.none')}
                />
                {m.contract ? (
                  <Typography.Text type="secondary">
                    {t('dashboard:contract.number', { number: m.contract.number })}
                  </Typography.Text>
                ) : null}
              </Card>
            </Col>
          </Row>
        ) : null}
      </PageState>

      {canRead ? (
        <Card
          title={t('dashboard:today.title')}
          extra={
            <Badge
              status={stream === 'open' ? 'success' : 'processing'}
              text={t(stream === 'open' ? 'dashboard:live.on' : 'dashboard:live.connecting')}
            />
          }
        >
          <PageState loading={today.loading && !d} error={today.error} onRetry={today.reload}>
            {d ? (
              <Row gutter={[16, 16]} data-testid="today">
                {(['accepted', 'submitted', 'delivered', 'failed', 'pending'] as const).map((k) => (
                  <Col key={k} xs={12} md={8} xl={4}>
                    <Statistic
                      title={t(`dashboard:today.${k}`)}
                      value={formatNumber(d[k])}
                      data-testid={`today-${k}`}
                    />
                  </Col>
                ))}
                <Col xs={12} md={8} xl={4}>
                  <Statistic title={t('dashboard:today.amount')} value={formatMoney(d.amount)} />
                </Col>
              </Row>
            ) : null}
          </PageState>
        </Card>
      ) : null}

      {canRead ? (
        <Card title={t('dashboard:chart.title')}>
          <PageState loading={!buckets && !chartError} error={chartError} onRetry={loadBuckets}>
            {buckets ? <ReceiptChart buckets={buckets} /> : null}
          </PageState>
        </Card>
      ) : null}
    </Space>
  );
}
