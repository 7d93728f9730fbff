// Statements (对账单): the months with an issued statement (GET /v1/statements) and this month's
// open one; per month: view (JSON), download CSV or Excel (?format=csv|xlsx), print (?format=html
// in a new tab, the browser's print dialog from there). Any other month can be picked.
import { useMemo, useState } from 'react';
import { Button, DatePicker, Descriptions, Drawer, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { api, withQuery, type Money } from '../../../api/client.ts';
import { PageState } from '../../../components/PageState.tsx';
import { ProblemAlert } from '../../../components/ProblemAlert.tsx';
import { formatDateTime, formatMoney, formatNumber } from '../../../lib/format.ts';
import { useApi } from '../../../lib/useApi.ts';
import { saveDownload } from '../../../lib/download.ts';
import { ToneTag } from '../../../components/ToneTag.tsx';

interface Statement {
  tenantId: string;
  tenantName: string;
  month: string;
  from: string;
  to: string;
  opening: Money;
  recharges: Money;
  charges: Money;
  refunds: Money;
  fees: Money;
  adjustments: Money;
  closing: Money;
  heldAtClose: Money;
  lines: Array<{ class: string; destination: string; parts: number; amount: Money }>;
  generatedAt: string;
}

/** This month as YYYY-MM in the browser's calendar. */
function thisMonth(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

const path = (month: string) => `/v1/statements/${encodeURIComponent(month)}`;

export function Statements() {
  const { t } = useTranslation();
  const months = useApi((signal) => api.get<{ data: string[] }>('/v1/statements', {}, signal), []);
  const [extra, setExtra] = useState<string | null>(null);
  const [viewing, setViewing] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const rows = useMemo(() => {
    const kept = new Set(months.data?.data ?? []);
    const all = new Set([thisMonth(), ...(extra ? [extra] : []), ...kept]);
    return [...all]
      .sort((a, b) => b.localeCompare(a))
      .map((month) => ({ month, kept: kept.has(month) }));
  }, [months.data, extra]);

  async function download(month: string, format: 'csv' | 'xlsx') {
    setError(null);
    setBusy(`${month}:${format}`);
    try {
      await saveDownload(path(month), { format }, `statement-${month}.${format}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  const columns: ColumnsType<{ month: string; kept: boolean }> = [
    { title: t('billing:statements.month'), dataIndex: 'month', width: 140 },
    {
      title: t('billing:statements.status'),
      dataIndex: 'kept',
      width: 160,
      render: (kept: boolean, r) =>
        kept ? (
          <ToneTag tone="success">{t('billing:statements.kept')}</ToneTag>
        ) : r.month === thisMonth() ? (
          <ToneTag tone="processing">{t('billing:statements.current')}</ToneTag>
        ) : null,
    },
    {
      title: t('billing:statements.actions'),
      key: 'actions',
      render: (_, r) => (
        <Space wrap data-testid={`statement-${r.month}`}>
          <Button size="small" onClick={() => setViewing(r.month)}>
            {t('billing:statements.view')}
          </Button>
          <Button
            size="small"
            loading={busy === `${r.month}:csv`}
            onClick={() => download(r.month, 'csv')}
          >
            {t('billing:statements.csv')}
          </Button>
          <Button
            size="small"
            loading={busy === `${r.month}:xlsx`}
            onClick={() => download(r.month, 'xlsx')}
          >
            {t('billing:statements.xlsx')}
          </Button>
          <Button
            size="small"
            href={withQuery(path(r.month), { format: 'html' })}
            target="_blank"
            rel="noopener noreferrer"
          >
            {t('billing:statements.print')}
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <>
      <Typography.Paragraph type="secondary">{t('billing:statements.intro')}</Typography.Paragraph>
      <Space style={{ marginBottom: 16 }}>
        <DatePicker
          picker="month"
          aria-label={t('billing:statements.pickMonth')}
          placeholder={t('billing:statements.pickMonth')}
          onChange={(d) => setExtra(d ? d.format('YYYY-MM') : null)}
        />
      </Space>
      <ProblemAlert error={error} />
      <PageState
        loading={months.loading && !months.data}
        error={months.error}
        onRetry={months.reload}
      >
        <Table
          rowKey="month"
          size="middle"
          columns={columns}
          dataSource={rows}
          pagination={{ pageSize: 12, hideOnSinglePage: true }}
        />
      </PageState>
      <Drawer
        open={viewing !== null}
        title={viewing ? t('billing:statements.detailTitle', { month: viewing }) : null}
        size={640}
        onClose={() => setViewing(null)}
      >
        {viewing ? <StatementView month={viewing} /> : null}
      </Drawer>
    </>
  );
}

function StatementView({ month }: { month: string }) {
  const { t } = useTranslation();
  const s = useApi((signal) => api.get<Statement>(path(month), {}, signal), [month]);
  const d = s.data;
  return (
    <PageState loading={s.loading} error={s.error} onRetry={s.reload}>
      {d ? (
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          <Descriptions column={1} bordered size="small" data-testid="statement-summary">
            <Descriptions.Item label={t('billing:statements.period')}>
              {formatDateTime(d.from)} – {formatDateTime(d.to)}
            </Descriptions.Item>
            {(
              [
                'opening',
                'recharges',
                'charges',
                'refunds',
                'fees',
                'adjustments',
                'closing',
                'heldAtClose',
              ] as const
            ).map((k) => (
              <Descriptions.Item key={k} label={t(`billing:statements.${k}`)}>
                {formatMoney(d[k])}
              </Descriptions.Item>
            ))}
            <Descriptions.Item label={t('billing:statements.generatedAt')}>
              {formatDateTime(d.generatedAt)}
            </Descriptions.Item>
          </Descriptions>
          <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
            {t('billing:statements.lines')}
          </Typography.Title>
          <Table
            size="small"
            pagination={false}
            rowKey={(l) => `${l.class}:${l.destination}`}
            dataSource={d.lines}
            columns={[
              {
                title: t('billing:statements.class'),
                dataIndex: 'class',
                render: (v: string) => t(`billing:prices.classes.${v}`, { defaultValue: v }),
              },
              { title: t('billing:statements.destination'), dataIndex: 'destination' },
              {
                title: t('billing:statements.linesParts'),
                dataIndex: 'parts',
                align: 'right',
                render: (v: number) => formatNumber(v),
              },
              {
                title: t('billing:statements.amount'),
                dataIndex: 'amount',
                align: 'right',
                render: (v: Money) => formatMoney(v),
              },
            ]}
          />
        </Space>
      ) : null}
    </PageState>
  );
}
