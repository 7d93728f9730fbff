// A tenant's monthly statement (对账单): the month's totals on screen, and its CSV, XLSX and
// printable page from the API (each read is audited as operator.read_statement).
import { useState } from 'react';
import { Button, Card, DatePicker, Descriptions, Space, Table } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api, downloadUrl, type Money } from '../../../api/client.ts';
import { PageState } from '../../../components/PageState.tsx';
import { useApi } from '../../../lib/useApi.ts';
import { formatMoney, formatNumber } from '../../../lib/format.ts';
import type { TenantDetail } from './types.ts';

interface Statement {
  month: string;
  opening: Money;
  recharges: Money;
  charges: Money;
  refunds: Money;
  fees: Money;
  adjustments: Money;
  closing: Money;
  heldAtClose: Money;
  lines: Array<{ class: string; destination: string; parts: number; amount: Money }>;
}

const TOTALS = [
  'opening',
  'recharges',
  'charges',
  'refunds',
  'fees',
  'adjustments',
  'closing',
  'heldAtClose',
] as const;

export function StatementsCard({ tenant }: { tenant: TenantDetail }) {
  const { t } = useTranslation();
  const [month, setMonth] = useState<Dayjs>(() => dayjs().subtract(1, 'month'));
  const m = month.format('YYYY-MM');
  const path = `/v1/admin/tenants/${tenant.id}/statements/${m}`;
  const s = useApi((signal) => api.get<Statement>(path, undefined, signal), [path]);

  return (
    <Card
      title={t('opTenants:statement.title')}
      size="small"
      extra={
        <Space wrap>
          <DatePicker
            picker="month"
            aria-label={t('opTenants:statement.month')}
            value={month}
            allowClear={false}
            disabledDate={(d) => d.isAfter(dayjs(), 'month')}
            onChange={(d) => d && setMonth(d)}
          />
          <Button href={downloadUrl(path, { format: 'csv' })} download>
            CSV
          </Button>
          <Button href={downloadUrl(path, { format: 'xlsx' })} download>
            XLSX
          </Button>
          <Button href={downloadUrl(path, { format: 'html' })} target="_blank" rel="noreferrer">
            {t('common:action.print')}
          </Button>
        </Space>
      }
    >
      <PageState loading={s.loading} error={s.error} onRetry={s.reload}>
        {s.data ? (
          <>
            <Descriptions
              size="small"
              column={{ xs: 1, md: 4 }}
              items={TOTALS.map((k) => ({
                key: k,
                label: t(`opTenants:statement.${k}`),
                children: formatMoney(s.data![k]),
              }))}
            />
            <Table
              size="small"
              rowKey={(l) => `${l.class}-${l.destination}`}
              dataSource={s.data.lines}
              pagination={false}
              columns={[
                {
                  title: t('opTenants:plan.class'),
                  dataIndex: 'class',
                  render: (c: string) => t(`opTenants:classes.${c}`, { defaultValue: c }),
                },
                { title: t('opTenants:statement.destination'), dataIndex: 'destination' },
                {
                  title: t('opTenants:statement.parts'),
                  dataIndex: 'parts',
                  align: 'right',
                  render: (n: number) => formatNumber(n),
                },
                {
                  title: t('opTenants:statement.amount'),
                  dataIndex: 'amount',
                  align: 'right',
                  render: (a: Money) => formatMoney(a),
                },
              ]}
            />
          </>
        ) : null}
      </PageState>
    </Card>
  );
}
