// The service contract (合同): period and days left, renewal, package use and fee items
// (GET /v1/contracts, latest first), and the expiry reminders sent
// (GET /v1/notifications?kind=contract_expiring).
import { Card, Descriptions, Empty, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, type Money } from '../../../api/client.ts';
import { PageState } from '../../../components/PageState.tsx';
import { formatDate, formatDateTime, formatMoney, formatNumber } from '../../../lib/format.ts';
import { useApi } from '../../../lib/useApi.ts';
import { currentContract, today, type Contract } from './types.ts';
import { ToneTag } from '../../../components/ToneTag.tsx';
import { EmptyText } from '../../../components/EmptyText.tsx';

interface Notice {
  id: number;
  kind: string;
  channel: string;
  subject: string | null;
  status: string;
  createdAt: string;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
}

export function ContractTab() {
  const { t } = useTranslation();
  const list = useApi((signal) => api.get<{ data: Contract[] }>('/v1/contracts', {}, signal), []);
  const contracts = list.data?.data ?? [];
  const current = currentContract(contracts);
  return (
    <PageState loading={list.loading} error={list.error} onRetry={list.reload}>
      {current ? (
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          <ContractCard c={current} />
          <Reminders />
          {contracts.length > 1 ? (
            <Card size="small" title={t('billing:contract.history')}>
              <Table<Contract>
                size="small"
                rowKey="id"
                pagination={false}
                dataSource={contracts}
                columns={[
                  { title: t('billing:contract.number'), dataIndex: 'number' },
                  {
                    title: t('billing:contract.period'),
                    key: 'period',
                    render: (_, c) =>
                      t('billing:contract.periodRange', {
                        start: formatDate(c.startDate),
                        end: formatDate(c.endDate),
                      }),
                  },
                  {
                    title: t('billing:contract.signedAt'),
                    dataIndex: 'createdAt',
                    render: (v: string) => formatDateTime(v),
                  },
                ]}
              />
            </Card>
          ) : null}
        </Space>
      ) : (
        <Empty description={t('billing:contract.noContract')} />
      )}
    </PageState>
  );
}

function ContractCard({ c }: { c: Contract }) {
  const { t } = useTranslation();
  const d = today();
  const state =
    d < c.startDate ? (
      <ToneTag>{t('billing:contract.notStarted')}</ToneTag>
    ) : d > c.endDate ? (
      <ToneTag tone="error">{t('billing:contract.ended')}</ToneTag>
    ) : (
      <ToneTag tone={daysBetween(d, c.endDate) <= 30 ? 'warning' : 'success'}>
        {t('billing:contract.daysLeft', { days: daysBetween(d, c.endDate) })}
      </ToneTag>
    );
  return (
    <Card size="small" title={t('billing:contract.cardTitle', { number: c.number })}>
      <Descriptions column={{ xs: 1, md: 2 }} size="small" data-testid="contract">
        <Descriptions.Item label={t('billing:contract.period')}>
          <Space wrap>
            {t('billing:contract.periodRange', {
              start: formatDate(c.startDate),
              end: formatDate(c.endDate),
            })}
            {state}
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label={t('billing:contract.autoRenew')}>
          {c.autoRenew
            ? t('billing:contract.renewYes', { months: c.renewMonths })
            : t('billing:contract.renewNo')}
        </Descriptions.Item>
        <Descriptions.Item label={t('billing:contract.package')}>
          {c.package
            ? t('billing:contract.packageUsage', {
                used: formatNumber(c.package.used),
                remaining: formatNumber(c.package.remaining),
                total: formatNumber(c.package.parts),
              })
            : t('billing:contract.noPackage')}
        </Descriptions.Item>
        <Descriptions.Item label={t('billing:contract.signedAt')}>
          {formatDateTime(c.createdAt)}
        </Descriptions.Item>
      </Descriptions>
      {c.fees.length ? (
        <Table<{ name: string; when: string; amount: Money }>
          style={{ marginTop: 12 }}
          size="small"
          rowKey={(f) => `${f.when}:${f.name}`}
          pagination={false}
          dataSource={c.fees}
          columns={[
            { title: t('billing:contract.feeName'), dataIndex: 'name' },
            {
              title: t('billing:contract.feeWhen'),
              dataIndex: 'when',
              render: (v: string) => t(`billing:contract.when.${v}`, { defaultValue: v }),
            },
            {
              title: t('billing:contract.feeAmount'),
              dataIndex: 'amount',
              align: 'right',
              render: (v: Money) => formatMoney(v),
            },
          ]}
        />
      ) : null}
    </Card>
  );
}

function Reminders() {
  const { t } = useTranslation();
  const sent = useApi(
    (signal) =>
      api.get<{ data: Notice[] }>(
        '/v1/notifications',
        { kind: 'contract_expiring', limit: 10 },
        signal,
      ),
    [],
  );
  return (
    <Card size="small" title={t('billing:contract.reminders')}>
      <Typography.Paragraph type="secondary">
        {t('billing:contract.remindersRule')}
      </Typography.Paragraph>
      <PageState loading={sent.loading} error={sent.error} onRetry={sent.reload}>
        <Table<Notice>
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={sent.data?.data ?? []}
          locale={{ emptyText: <EmptyText>{t('billing:contract.noReminders')}</EmptyText> }}
          columns={[
            {
              title: t('billing:contract.reminderAt'),
              dataIndex: 'createdAt',
              width: 200,
              render: (v: string) => formatDateTime(v),
            },
            {
              title: t('billing:contract.reminderChannel'),
              dataIndex: 'channel',
              width: 120,
              render: (v: string) => <ToneTag>{v}</ToneTag>,
            },
            {
              title: t('billing:contract.reminderSubject'),
              dataIndex: 'subject',
              render: (v: string | null) => v ?? '—',
            },
          ]}
        />
      </PageState>
    </Card>
  );
}
